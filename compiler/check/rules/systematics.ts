/**
 * Systematic variations: the samples or groups `for` names (HEP2071), the varied weights (one
 * number per event, as a sample's weight), normalisations (a positive factor, HEP4090), shape
 * variations of a branch or a collection's field (HEP4110, HEP4111; the varied value one number
 * per event, or per element; several inputs varied together, each once, all one- or two-sided:
 * HEP4118, HEP4119), alternative samples of one sample (HEP4112, HEP4113), families' ranges
 * (HEP4114), names given once among systematics (HEP4092), and a variation that changes
 * nothing (HEP4091, a warning: weights of the number 1, a normalisation of 1, or no histogram to
 * vary; a shape variation that reaches no histogram is found when the plan is built).
 */
import type * as A from "../../../grammar/ast.js";
import { FLOAT, describe, isError, isNumeric, type Type } from "../../core/types.js";
import { printExpr } from "../../syntax/print.js";
import { warnMissingWeight } from "../missing.js";
import { suggest } from "../../core/suggest.js";
import type { CheckContext } from "../context.js";
import type { ExprChecker, Scope } from "../expr.js";

export function checkSystematics(ctx: CheckContext, exprs: ExprChecker): void {
  const seen = new Map<string, string>();
  const histograms = ctx.declsOf("Output").some(({ decl }) => decl.items.some((it) => it.kind === "Histogram" || it.kind === "HistogramBlock"));
  for (const { decl, file } of ctx.declsOf("Systematic")) {
    const name = decl.name.name;
    for (const member of membersOf(decl)) {
      if (seen.has(member)) ctx.report("HEP4092", file, decl.name.span, { name: member });
      seen.set(member, file);
    }
    const scope: Scope = { file, elements: [], ...(decl.family ? { index: decl.family.index.name } : {}) };
    if (decl.family) checkFamily(ctx, file, decl.family);
    for (const s of decl.samples) {
      const sym = ctx.symbol(s.name);
      if (sym && (sym.kind === "sample" || sym.kind === "group")) {
        ctx.resolutions.set(s, { kind: "symbol", symbol: sym });
        continue;
      }
      if (ctx.brokenNames.has(s.name)) continue;
      const candidates = [...ctx.symbols.values()].filter((x) => x.kind === "sample" || x.kind === "group").map((x) => x.name);
      const near = suggest(s.name, candidates, 1);
      ctx.report("HEP2071", file, s.span, { name: s.name, systematic: name }, near.length ? { suggestion: { message: `did you mean '${near[0]}'?`, replacement: near[0], span: s.span } } : {});
    }
    const one = (e: { kind: string; value?: unknown; unit?: unknown }) => e.kind === "Number" && e.value === 1 && !e.unit;
    let nothing = !histograms;
    if (decl.weight) {
      for (const e of [decl.weight.up, ...(decl.weight.down ? [decl.weight.down] : [])]) {
        exprs.requireScalar(e, exprs.check(e, scope), file, `the weight of systematic '${name}'`, FLOAT);
        warnMissingWeight(ctx, file, e, `the weight of systematic '${name}'`);
      }
      if (one(decl.weight.up) && (!decl.weight.down || one(decl.weight.down))) nothing = true;
    }
    const k = decl.normalisation;
    if (k && k.kind === "Number") {
      if (!(k.value > 0) || k.unit) ctx.report("HEP4090", file, k.span, { name, value: k.raw });
      else if (k.value === 1) nothing = true;
    }
    if (decl.vary) {
      const ok = decl.vary.map((v) => checkVary(ctx, exprs, file, decl, v, scope)).every(Boolean) && checkVaryTogether(ctx, file, decl, decl.vary);
      if (ok && histograms) {
        if (!decl.vary.some((v) => reaches(ctx, v.target))) nothing = true;
      }
    }
    if (decl.alternatives) checkAlternatives(ctx, file, decl, decl.alternatives);
    if (nothing) ctx.report("HEP4091", file, decl.name.span, { name });
  }
}

/** The names a declaration gives: its own, or a family's members' (NAME_A … NAME_B). */
export function membersOf(decl: A.SystematicDecl): string[] {
  const f = decl.family;
  if (!f || !familyRangeOk(f)) return [decl.name.name];
  const out: string[] = [];
  for (let i = f.from.value; i <= f.to.value; i++) out.push(`${decl.name.name}_${i}`);
  return out;
}

const familyRangeOk = (f: NonNullable<A.SystematicDecl["family"]>) =>
  Number.isInteger(f.from.value) && Number.isInteger(f.to.value) && !f.from.unit && !f.to.unit && f.from.value <= f.to.value && f.to.value - f.from.value < 1000;

function checkFamily(ctx: CheckContext, file: string, f: NonNullable<A.SystematicDecl["family"]>): void {
  if (!familyRangeOk(f)) ctx.report("HEP4114", file, { start: f.from.span.start, end: f.to.span.end }, { from: f.from.raw, to: f.to.raw });
}

/**
 * `vary INPUT up E [down E]`: INPUT a flat branch (E one number per event) or `Collection.field`
 * (E one number per element, in which the collection's name, `this` and bare field names are
 * the element's nominal values: `vary Jet.pt up 1.03 * Jet.pt`, `up pt * gauss(1, 0.05)`).
 */
function checkVary(ctx: CheckContext, exprs: ExprChecker, file: string, decl: A.SystematicDecl, vary: A.VaryEntry, scope: Scope): boolean {
  const target = vary.target;
  const name = decl.name.name;
  let element: Type | undefined;
  let collection: string | undefined;
  const wrong = (actual: string) => {
    ctx.report("HEP4110", file, target.span, { actual });
    return false;
  };
  if (target.kind === "Name" || (target.kind === "Member" && target.target.kind === "Name")) {
    const t = exprs.check(target, { file, elements: [] });
    if (isError(t)) return false;
    const base = target.kind === "Member" ? ctx.resolutions.get(target.target) : ctx.resolutions.get(target);
    if (target.kind === "Name" && base?.kind === "branch") {
      if (t.kind === "list") {
        // a jagged branch is a collection's field: varied per element through its collection
        const coll = [...(ctx.env?.collections.values() ?? [])].find((c) => [...c.branchOf.values()].includes(target.name));
        const field = coll ? [...coll.branchOf].find(([, b]) => b === target.name)?.[0] : undefined;
        const better = coll && field ? `${coll.prefix}.${field}` : undefined;
        ctx.report("HEP4110", file, target.span, { actual: `the jagged branch '${target.name}'` }, better ? { suggestion: { message: `vary it as the collection's field: '${better}'`, replacement: better, span: target.span } } : {});
        return false;
      }
    } else if (target.kind === "Member" && base?.kind === "collection") {
      collection = base.collection.prefix;
      element = { kind: "record", record: base.collection.record };
    } else return wrong(`'${printExpr(target)}' (${describe(t)})`);
    const scalar = t.kind === "list" ? t.element : t;
    if (!isNumeric(scalar)) {
      ctx.report("HEP4111", file, target.span, { name, target: printExpr(target), actual: describe(t) });
      return false;
    }
  } else return wrong(`'${printExpr(target)}'`);
  const inner: Scope = element ? { ...scope, elements: [element], varied: collection } : scope;
  let ok = true;
  const what = `the varied '${printExpr(target)}' of systematic '${name}'`;
  for (const e of [vary.up, ...(vary.down ? [vary.down] : [])]) {
    const t = exprs.check(e, inner);
    // per element, the value is the element's: a list there is one list per element
    if (element && !isError(t) && t.kind === "list") {
      ctx.report("HEP3001", file, e.span, { what, expected: "one number per element of the collection", actual: describe(t) });
      ok = false;
    } else if (isError(exprs.requireScalar(e, t, file, what, FLOAT))) ok = false;
  }
  return ok;
}

/**
 * Several inputs varied together: each once (HEP4118), and all with a down variation or none
 * (HEP4119: a one-sided set is mirrored as a whole).
 */
function checkVaryTogether(ctx: CheckContext, file: string, decl: A.SystematicDecl, entries: A.VaryEntry[]): boolean {
  const seen = new Set<string>();
  let ok = true;
  for (const v of entries) {
    const text = printExpr(v.target);
    if (seen.has(text)) {
      ctx.report("HEP4118", file, v.target.span, { name: decl.name.name, target: text });
      ok = false;
    }
    seen.add(text);
  }
  const sided = entries.filter((v) => v.down).length;
  if (sided > 0 && sided < entries.length) {
    const lone = entries.find((v) => !v.down)!;
    ctx.report("HEP4119", file, lone.target.span, { name: decl.name.name, target: printExpr(lone.target) });
    ok = false;
  }
  return ok;
}

/**
 * Whether a varied input (a checked `vary` target) reaches a histogram: through the histograms'
 * variables and regions, the samples' weights and selections, and every declaration they use,
 * models' features included (a model's score is recomputed in the variation), as the plan's
 * `touches` will say (compiler/plan/build.ts).
 */
function reaches(ctx: CheckContext, target: A.Expr): boolean {
  const base = target.kind === "Member" ? ctx.resolutions.get(target.target) : ctx.resolutions.get(target);
  const isInput = (n: A.Node): boolean => {
    const r = ctx.resolutions.get(n);
    return base?.kind === "collection" ? r?.kind === "collection" && r.collection.prefix === base.collection.prefix : base?.kind === "branch" && r?.kind === "branch" && r.branch === base.branch;
  };
  // per declaration: whether it reads the input (false while it is being looked at: no cycles)
  const memo = new Map<string, boolean>();
  const symbolReads = (name: string, decl: A.Node): boolean => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    memo.set(name, false);
    const t = reads(decl);
    memo.set(name, t);
    return t;
  };
  const declOf = (name: string) => ctx.symbol(name)?.decl;
  // any node under x: the input itself, or a declaration (define, object, region, features, model) that reads it
  const reads = (x: unknown): boolean => {
    if (Array.isArray(x)) return x.some(reads);
    if (!x || typeof x !== "object") return false;
    const n = x as A.Node & Record<string, unknown>;
    if ("kind" in n && "span" in n) {
      if (isInput(n)) return true;
      const r = ctx.resolutions.get(n);
      if (r?.kind === "symbol" && ["define", "object", "region", "features", "model"].includes(r.symbol.kind) && symbolReads(r.symbol.name, r.symbol.decl)) return true;
      // a candidate's score (`best(perms, -tagger)`) reads its model's features
      const score = ctx.scores.get(n as unknown as A.Expr);
      const model = score && declOf(score.model);
      if (score && model && symbolReads(score.model, model)) return true;
    }
    return Object.entries(n).some(([k, v]) => k !== "span" && k !== "name" && typeof v === "object" && reads(v));
  };
  if (ctx.declsOf("Sample").some(({ decl }) => decl.props.some((p) => (p.prop === "weight" || p.prop === "where" ? reads(p) : false)))) return true;
  return ctx.declsOf("Output").some(({ decl }) => decl.items.some((item) => (item.kind === "Histogram" || item.kind === "HistogramBlock") && reads(item)));
}

/** `for SAMPLE { samples up A [down B] }`: one nominal sample, and alternatives that are other samples. */
function checkAlternatives(ctx: CheckContext, file: string, decl: A.SystematicDecl, alt: NonNullable<A.SystematicDecl["alternatives"]>): void {
  const nominal = decl.samples.length === 1 ? ctx.symbol(decl.samples[0].name) : undefined;
  if (!nominal || nominal.kind !== "sample") ctx.report("HEP4112", file, decl.samples.length ? { start: decl.samples[0].span.start, end: decl.samples[decl.samples.length - 1].span.end } : decl.name.span, { name: decl.name.name });
  for (const a of [alt.up, ...(alt.down ? [alt.down] : [])]) {
    const sym = ctx.symbol(a.name);
    const report = (problem: string, near?: string) =>
      ctx.report("HEP4113", file, a.span, { systematic: decl.name.name, name: a.name, problem }, near ? { suggestion: { message: `did you mean '${near}'?`, replacement: near, span: a.span } } : {});
    if (sym?.kind === "sample") {
      ctx.resolutions.set(a, { kind: "symbol", symbol: sym });
      if (nominal && sym.name === nominal.name) report("it is the sample it would replace");
      continue;
    }
    if (sym) {
      report(`it is ${/^[aeiou]/.test(sym.kind) ? "an" : "a"} ${sym.kind}, not a sample`);
      continue;
    }
    const near = suggest(a.name, [...ctx.symbols.values()].filter((x) => x.kind === "sample").map((x) => x.name), 1);
    report("no sample has that name", near[0]);
  }
}
