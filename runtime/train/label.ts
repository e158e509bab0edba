/** A short text for an expression of the plan, to name reweighting axes in warnings. */
import type { ExprIR } from "../../plan/types.js";

const INFIX = new Set(["+", "-", "*", "/", "%", "<", "<=", ">", ">=", "==", "!=", "and", "or", "??", "&", "|", "<<", ">>", "is"]);

export function exprLabel(e: ExprIR): string {
  switch (e.op) {
    case "const":
      return String(e.value);
    case "branch":
    case "builtin":
    case "collection":
    case "field":
    case "ref":
      return e.name;
    case "this":
      return "it";
    case "unary":
      return e.fn === "not" ? `not ${exprLabel(e.args[0])}` : `-${exprLabel(e.args[0])}`;
    case "binary":
      return INFIX.has(e.fn) ? `(${exprLabel(e.args[0])} ${e.fn} ${exprLabel(e.args[1])})` : `${e.fn}(${e.args.map(exprLabel).join(", ")})`;
    case "call":
      return `${e.fn}(${e.args.map(exprLabel).join(", ")})`;
    case "index":
      return `${exprLabel(e.args[0])}[${exprLabel(e.args[1])}]`;
    case "slice": {
      const [list, ...b] = e.args;
      const low = e.from ? exprLabel(b.shift()!) : "";
      return `${exprLabel(list)}[${low}:${e.to ? exprLabel(b[0]) : ""}]`;
    }
    case "member":
      return `${exprLabel(e.args[0])}.${e.name}`;
    case "where":
      return `${exprLabel(e.args[0])} where ${exprLabel(e.args[1])}`;
    case "in":
      return `(${exprLabel(e.args[0])} ${e.negated ? "not in" : "in"} [${e.args.slice(1).map(exprLabel).join(", ")}])`;
    case "score":
      return e.output ? `${e.model}[${e.output}]` : e.model;
    case "threshold":
      return `${e.model}.${e.point}`;
  }
}
