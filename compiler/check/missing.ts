/**
 * Whether an expression can be missing (docs/language.md, "Missing values"): used to warn about a
 * `??` whose left side always has a value. The answer is conservative in one direction only:
 * `neverMissing` is true only for what provably always has a value (literals, conditions, flat
 * branches, counts, fields of present elements, sums and differences of those); anything it does
 * not know may be missing, so the warning never fires on a fallback that can be used.
 */
import type * as A from "../../grammar/ast.js";
import type { CheckContext } from "./context.js";
import { printExpr } from "../syntax/print.js";

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

/** Calls whose result is missing for an empty list (stdlib: "missing when empty"). */
const EMPTY_MISSING = new Set(["first", "last", "best", "min", "max", "mean"]);

/**
 * The part of `e` that is missing for some events by construction, if any: an index (`jets[0]`,
 * missing past the end), or `first`, `last`, `best`, `mean`, `min` or `max` of one list (missing
 * when it is empty), reached through defines, not under a `??` that replaces it. The other
 * direction from `neverMissing`: this names only what surely can be missing, so a warning built
 * on it is never about an expression that always has a value by its form alone. (Whether a
 * selection keeps such events out, e.g. `count(muons) >= 1` before `muons[0]`, is not known
 * here: the warning says so.)
 */
export function missingSource(ctx: CheckContext, e: A.Expr, seen: Set<string> = new Set()): A.Expr | undefined {
  switch (e.kind) {
    case "Index":
      return e;
    case "Name": {
      const r = ctx.resolutions.get(e);
      if (r?.kind !== "symbol") return undefined;
      const d = r.symbol.decl;
      if (d.kind !== "Define" || seen.has(r.symbol.name)) return undefined;
      seen.add(r.symbol.name);
      return missingSource(ctx, d.expr, seen) ? e : undefined;
    }
    case "Unary":
      return missingSource(ctx, e.operand, seen);
    case "Binary":
      if (e.op === "??") return missingSource(ctx, e.right, seen) && missingSource(ctx, e.left, seen);
      return missingSource(ctx, e.left, seen) ?? missingSource(ctx, e.right, seen);
    case "Call": {
      const t = e.args.length === 1 ? ctx.types.get(e.args[0]) : undefined;
      if (EMPTY_MISSING.has(e.callee.name) && (e.callee.name === "best" || t?.kind === "list")) return e;
      for (const a of e.args) {
        const m = missingSource(ctx, a, seen);
        if (m) return m;
      }
      return undefined;
    }
    case "Member":
      return missingSource(ctx, e.target, seen);
    default:
      return undefined;
  }
}

/**
 * A weight (of a sample, a region or a systematic) that can be missing: a missing weight stops
 * the run at the first such event, so `hepc check` says so first, with the fallback as a fix-it.
 */
export function warnMissingWeight(ctx: CheckContext, file: string, e: A.Expr, what: string): void {
  const source = missingSource(ctx, e);
  if (!source) return;
  const text = printExpr(e);
  const replacement = e.kind === "Binary" || e.kind === "Unary" || e.kind === "Where" ? `(${text}) ?? 1` : `${text} ?? 1`;
  ctx.report("HEP4098", file, e.span, { what, part: printExpr(source) }, { suggestion: { message: `write '${replacement}' (a weight of 1 where it is missing)`, replacement, span: e.span } });
}
