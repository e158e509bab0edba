/**
 * Expressions back to text with the fewest parentheses precedence allows. Used by the formatter,
 * by messages and suggestions ("did you mean jets[0].pt"), and for default feature names.
 * `printExpr`/`printBins` write strings as JSON; the `...With` variants take options (the formatter
 * passes its own string quoting).
 */
import type { BinSpec, Expr, TrainProp } from "../../grammar/ast.js";

export interface PrintOptions {
  /** How a string literal's value is written back, quotes included. Default: JSON.stringify. */
  quote?: (value: string) => string;
}

/** Binding strength of operators, loosest first (`where` 1 ... postfix 11). `in` binds as a comparison. */
export const PRECEDENCE: Readonly<Record<string, number>> = {
  where: 1,
  or: 2,
  and: 3,
  not: 4,
  "==": 5, "!=": 5, "<": 5, "<=": 5, ">": 5, ">=": 5, "~=": 5, in: 5, is: 5,
  "??": 6,
  // bitwise operators sit between `??` and sums (fractions keep the other levels' numbers)
  "|": 6.25, "&": 6.5, "<<": 6.75, ">>": 6.75,
  "+": 7, "-": 7,
  "*": 8, "/": 8, "%": 8,
  neg: 9,
  "^": 10,
  postfix: 11,
};

const PREC = PRECEDENCE;

/** The precedence of an expression's outermost construct (see PRECEDENCE). */
export function exprPrecedence(e: Expr): number {
  switch (e.kind) {
    case "Where":
      return PREC.where;
    case "Binary":
      return PREC[e.op];
    case "In":
      return PREC.in;
    case "Unary":
      return e.op === "not" ? PREC.not : PREC.neg;
    default:
      return PREC.postfix;
  }
}

export function printExpr(e: Expr): string {
  return printExprWith(e, {});
}

export function printExprWith(e: Expr, opts: PrintOptions): string {
  const wrap = (x: Expr, min: number) => printOperand(x, min, opts);
  const print = (x: Expr) => printExprWith(x, opts);
  switch (e.kind) {
    case "Number":
      return e.unit ? `${e.raw} ${e.unit.name}` : e.raw;
    case "String":
      return opts.quote ? opts.quote(e.value) : JSON.stringify(e.value);
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
      // `- -a`, not `--a`, which reads as a decrement.
      return e.op === "not" ? `not ${inner}` : inner.startsWith("-") ? `- ${inner}` : `-${inner}`;
    }
    case "Binary": {
      const p = PREC[e.op];
      // ^ and ?? are right-associative; the others left-associative; comparisons do not chain.
      const rightAssoc = e.op === "^" || e.op === "??";
      const comparison = p === 5;
      // `next` binds just tighter than this operator (the levels are not all whole numbers).
      const next = p + 0.25;
      const left = wrap(e.left, rightAssoc || comparison ? next : p);
      // The exponent is read as a unary expression: `2 ^ -1` needs no parentheses.
      const negExponent = rightAssoc && e.right.kind === "Unary" && e.right.op === "-";
      const right = negExponent ? print(e.right) : wrap(e.right, rightAssoc ? p : next);
      return `${left} ${e.op} ${right}`;
    }
    case "Call":
      return `${e.callee.name}(${e.args.map(print).join(", ")})`;
    case "Index":
      return `${wrap(e.target, PREC.postfix)}[${print(e.index)}]`;
    case "Slice":
      return `${wrap(e.target, PREC.postfix)}[${e.low ? print(e.low) : ""}:${e.high ? print(e.high) : ""}]`;
    case "Member":
      // `(1).x`, not `1.x` (read as `1.` then `x`); `(1.).x`, not `1..x`.
      if (e.target.kind === "Number" && !e.target.unit && /^\d+\.?$/.test(e.target.raw)) return `(${e.target.raw}).${e.field.name}`;
      return `${wrap(e.target, PREC.postfix)}.${e.field.name}`;
    case "Where":
      return `${wrap(e.target, PREC.where + 1)} where ${wrap(e.cond, PREC.where + 1)}`;
    case "List":
      return `[${e.items.map(print).join(", ")}]`;
    case "In":
      return `${wrap(e.target, PREC.in + 1)} ${e.negated ? "not in" : "in"} [${e.items.map(print).join(", ")}]`;
  }
}

/** `e` as an operand of a construct binding at `min`: parenthesized when it binds more loosely. */
export function printOperand(e: Expr, min: number, opts: PrintOptions = {}): string {
  const s = printExprWith(e, opts);
  return exprPrecedence(e) < min ? `(${s})` : s;
}

export function printBins(b: BinSpec): string {
  return printBinsWith(b, {});
}

export function printBinsWith(b: BinSpec, opts: PrintOptions): string {
  const print = (x: Expr) => printExprWith(x, opts);
  switch (b.kind) {
    case "UniformBins":
      return `${b.count.raw} ${print(b.low)} .. ${print(b.high)}`;
    case "EdgeBins":
      return `[${b.edges.map(print).join(", ")}]`;
    case "NamedBins":
      return b.name.name;
    case "Missing":
      return "…";
  }
}

/** ` merge b + bb, c + cc max_weight 10`: the clauses after a reweighting's axes, as written canonically. */
export function reweightClauses(p: Extract<TrainProp, { prop: "reweight" }>, print: (x: Expr) => string): string {
  let s = "";
  if (p.merge.length) s += ` merge ${p.merge.map((g) => g.classes.map((c) => c.name).join(" + ")).join(", ")}`;
  if (p.maxWeight) s += ` max_weight ${print(p.maxWeight)}`;
  return s;
}
