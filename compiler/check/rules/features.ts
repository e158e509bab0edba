/** Feature lists: each feature a per-event number, names unique, scaling parameters sane. */
import type * as A from "../../../grammar/ast.js";
import { describe, FLOAT, isError, type Type } from "../../core/types.js";
import { printExpr } from "../../syntax/print.js";
import type { CheckContext } from "../context.js";
import type { ExprChecker } from "../expr.js";
import { literalValue } from "./bins.js";
import { isCandidateFeatures } from "./candidates.js";

/** A feature's name: its alias, else its expression as written canonically. */
export function featureName(f: A.FeatureItem): string {
  return f.alias?.name ?? printExpr(f.expr);
}

export function checkFeatures(ctx: CheckContext, exprs: ExprChecker): void {
  for (const { decl, file } of ctx.declsOf("Features")) {
    const names = new Map<string, A.FeatureItem>();
    const perCandidate = isCandidateFeatures(decl);
    const element = perCandidate ? checkCandidateList(ctx, exprs, file, decl) : decl.sequence ? checkSequence(ctx, exprs, file, decl, decl.sequence) : undefined;
    for (const f of decl.items) {
      if (perCandidate) {
        // a candidate's features: bare names are its fields, as inside `where`
        const t = exprs.check(f.expr, { file, owner: decl.name.name, elements: [element ?? { kind: "error" }] });
        if (!isError(t) && (t.kind !== "scalar" || t.scalar === "bool")) ctx.report("HEP4141", file, f.expr.span, { expr: printExpr(f.expr), features: decl.name.name, actual: describe(t) });
      } else if (decl.sequence) {
        // a sequence's features are per element: bare names are the element's fields
        const t = exprs.check(f.expr, { file, owner: decl.name.name, elements: [element ?? { kind: "error" }] });
        if (!isError(t) && (t.kind !== "scalar" || t.scalar === "bool")) ctx.report("HEP4104", file, f.expr.span, { expr: printExpr(f.expr), features: decl.name.name, actual: describe(t) });
      } else {
        const t = exprs.check(f.expr, { file, owner: decl.name.name, elements: [] });
        exprs.requireScalar(f.expr, t, file, "a feature", FLOAT);
      }
      const name = featureName(f);
      if (names.has(name)) ctx.report("HEP4019", file, (f.alias ?? f.expr).span, { name, features: decl.name.name });
      else names.set(name, f);
      const s = f.scaling;
      if (!s) continue;
      if (s.scaling === "normal" && s.clip && !(s.clip.value > 0)) ctx.report("HEP4020", file, s.clip.span, { scaling: "normal", reason: "needs clip > 0 (in standard deviations)" });
      if (s.scaling === "linear") {
        const lo = literalValue(s.low);
        const hi = literalValue(s.high);
        if (lo === undefined || hi === undefined || !(lo < hi)) ctx.report("HEP4020", file, s.span, { scaling: "linear", reason: "needs LOW < HIGH" });
      }
      if (s.scaling === "manual") {
        if (literalValue(s.factor) === 0) ctx.report("HEP4020", file, s.factor!.span, { scaling: "manual", reason: "needs scale ≠ 0 (every value would become 0)" });
        if (s.low && s.high) {
          const lo = literalValue(s.low);
          const hi = literalValue(s.high);
          if (lo === undefined || hi === undefined || !(lo < hi)) ctx.report("HEP4020", file, { start: s.low.span.start, end: s.high.span.end }, { scaling: "manual", reason: "needs clip LOW < HIGH" });
        }
      }
    }
  }
}

/**
 * A per-candidate list's `per`: the name of a define or object (or a collection of the file) whose
 * value is a list of records, so that its elements can be found again where the scores are used.
 * Returns the element type (undefined after reporting).
 */
function checkCandidateList(ctx: CheckContext, exprs: ExprChecker, file: string, decl: A.FeaturesDecl): Type | undefined {
  const features = decl.name.name;
  const list = decl.sequence!.collection;
  const t = exprs.check(list, { file, owner: features, elements: [] });
  if (isError(t)) return undefined;
  const sym = list.kind === "Name" ? ctx.symbol(list.name) : undefined;
  const named = list.kind === "Name" && (sym ? sym.kind === "define" || sym.kind === "object" : ctx.env?.collections.get(list.name)?.shape === "jagged");
  const records = t.kind === "list" && t.element.kind === "record";
  if (!named || !records) {
    ctx.report("HEP4140", file, list.span, { features, list: printExpr(list), actual: !records ? describe(t) : "an expression, not the name of a declaration" });
    return undefined;
  }
  return (t as { kind: "list"; element: Type }).element;
}

/**
 * A sequence's header: the collection is a list of records, the key a number per element, the
 * length a positive whole number, the padding a number. Returns the element type (undefined
 * when the collection is not a list of records, reported).
 */
function checkSequence(ctx: CheckContext, exprs: ExprChecker, file: string, decl: A.FeaturesDecl, q: A.SequenceSpec): Type | undefined {
  const features = decl.name.name;
  const t = exprs.check(q.collection, { file, owner: features, elements: [] });
  let element: Type | undefined;
  if (!isError(t)) {
    if (t.kind === "list" && t.element.kind === "record") element = t.element;
    else ctx.report("HEP4101", file, q.collection.span, { collection: printExpr(q.collection), actual: describe(t) });
  }
  if (q.key) {
    const k = exprs.check(q.key, { file, owner: features, elements: [element ?? { kind: "error" }] });
    if (!isError(k) && !(k.kind === "scalar" && k.scalar !== "bool")) ctx.report("HEP4102", file, q.key.span, { expr: printExpr(q.key), actual: describe(k) });
  }
  if (!q.length) ctx.report("HEP4100", file, decl.name.span, { features, reason: "needs a length: `length N` after the collection, e.g. `length 50`" });
  else if (!q.length.isInt || !(q.length.value > 0) || q.length.unit) ctx.report("HEP4100", file, q.length.span, { features, reason: `needs a positive whole length, got ${q.length.raw}` });
  if (q.pad && literalValue(q.pad) === undefined) ctx.report("HEP4100", file, q.pad.span, { features, reason: "pads with a number, e.g. `pad 0`" });
  return element;
}
