/**
 * Expressions back to text with the fewest parentheses precedence allows. Used by the formatter,
 * by messages and suggestions ("did you mean jets[0].pt"), and for default feature names.
 */
import type { BinSpec, Expr } from "../../grammar/ast.js";

const PREC: Record<string, number> = {
  where: 1,
  or: 2,
  and: 3,
  not: 4,
  "==": 5, "!=": 5, "<": 5, "<=": 5, ">": 5, ">=": 5, "~=": 5,
  "+": 6, "-": 6,
  "*": 7, "/": 7, "%": 7,
  neg: 8,
  "^": 9,
  postfix: 10,
};

function prec(e: Expr): number {
  switch (e.kind) {
    case "Where":
      return PREC.where;
    case "Binary":
      return PREC[e.op];
    case "Unary":
      return e.op === "not" ? PREC.not : PREC.neg;
    default:
      return PREC.postfix;
  }
}

export function printExpr(e: Expr): string {
  switch (e.kind) {
    case "Number":
      return e.unit ? `${e.raw} ${e.unit.name}` : e.raw;
    case "String":
      return JSON.stringify(e.value);
    case "Bool":
      return e.value ? "true" : "false";
    case "Name":
      return e.name;
    case "This":
      return "this";
    case "Missing":
      return "…";
    case "Unary": {
      const inner = wrap(e.operand, e.op === "not" ? PREC.not : PREC.neg);
      return e.op === "not" ? `not ${inner}` : `-${inner}`;
    }
    case "Binary": {
      const p = PREC[e.op];
      // ^ is right-associative; the others left-associative; comparisons do not chain.
      const rightAssoc = e.op === "^";
      const comparison = p === 5;
      const left = wrap(e.left, rightAssoc || comparison ? p + 1 : p);
      const right = wrap(e.right, rightAssoc ? p : p + 1);
      return `${left} ${e.op} ${right}`;
    }
    case "Call":
      return `${e.callee.name}(${e.args.map(printExpr).join(", ")})`;
    case "Index":
      return `${wrap(e.target, PREC.postfix)}[${printExpr(e.index)}]`;
    case "Member":
      return `${wrap(e.target, PREC.postfix)}.${e.field.name}`;
    case "Where":
      return `${wrap(e.target, PREC.where + 1)} where ${wrap(e.cond, PREC.where + 1)}`;
    case "List":
      return `[${e.items.map(printExpr).join(", ")}]`;
  }
}

function wrap(e: Expr, min: number): string {
  const s = printExpr(e);
  return prec(e) < min ? `(${s})` : s;
}

export function printBins(b: BinSpec): string {
  switch (b.kind) {
    case "UniformBins":
      return `${b.count.raw} ${printExpr(b.low)} .. ${printExpr(b.high)}`;
    case "EdgeBins":
      return `[${b.edges.map(printExpr).join(", ")}]`;
    case "NamedBins":
      return b.name.name;
    case "Missing":
      return "…";
  }
}
