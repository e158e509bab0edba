/**
 * Whether an expression can be missing (docs/language.md, "Missing values"): used to warn about a
 * `??` whose left side always has a value. The answer is conservative in one direction only:
 * `neverMissing` is true only for what provably always has a value (literals, conditions, flat
 * branches, counts, fields of present elements, sums and differences of those); anything it does
 * not know may be missing, so the warning never fires on a fallback that can be used.
 */
import type * as A from "../../grammar/ast.js";
import type { CheckContext } from "./context.js";

/** Reductions and functions that give a value for every input that has one (never NaN from a value). */
const TOTAL_CALLS = new Set(["count", "any", "all", "abs"]);
/** Functions whose result is missing only when an element of their argument is: sum of present values is present. */
const SUMS = new Set(["sum", "ht"]);

export function neverMissing(ctx: CheckContext, e: A.Expr, seen: Set<string> = new Set()): { never: boolean; why: string } {
  const t = ctx.types.get(e);
  const base = t?.kind === "list" ? t.element : t;
  if (base?.kind === "scalar" && base.scalar === "bool") return { never: true, why: "is a condition, and conditions are never missing" };
  return never(ctx, e, seen) ? { never: true, why: "always has a value" } : { never: false, why: "" };
}

function never(ctx: CheckContext, e: A.Expr, seen: Set<string>): boolean {
  const t = ctx.types.get(e);
  if (t?.kind === "scalar" && t.scalar === "bool") return true;
  switch (e.kind) {
    case "Number":
    case "Bool":
    case "String":
    case "In":
      return true;
    case "Name": {
      const r = ctx.resolutions.get(e);
      switch (r?.kind) {
        case "branch":
        case "builtin":
        case "collection":
        case "field":
          return true;
        case "symbol": {
          const d = r.symbol.decl;
          if (d.kind === "Object" || d.kind === "Region") return true;
          if (d.kind !== "Define" || seen.has(r.symbol.name)) return false;
          seen.add(r.symbol.name);
          return never(ctx, d.expr, seen);
        }
        default:
          return false;
      }
    }
    case "Unary":
      return never(ctx, e.operand, seen);
    case "Binary":
      if (e.op === "??") return never(ctx, e.right, seen) || never(ctx, e.left, seen);
      // `/` by zero, `%` by zero and `^` (a negative base) can give a missing value.
      if (e.op === "+" || e.op === "-" || e.op === "*") return never(ctx, e.left, seen) && never(ctx, e.right, seen);
      return false;
    case "Call":
      if (TOTAL_CALLS.has(e.callee.name)) return e.args.every((a) => never(ctx, a, seen));
      if (SUMS.has(e.callee.name)) return e.args.every((a) => never(ctx, a, seen));
      return false;
    case "Member":
      // A field of a collection (`jets.pt`) or of a single record (`MET.pt`) is there; of `jets[2]` it is not.
      return ctx.scores.get(e) === undefined && never(ctx, e.target, seen);
    case "Where":
      return never(ctx, e.target, seen);
    default:
      return false;
  }
}
