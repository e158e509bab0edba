/**
 * Systematic variations: the samples or groups `for` names (HEP2071), the varied weights (one
 * number per event, as a sample's weight), normalisations (a positive factor, HEP4090), names
 * given once among systematics (HEP4092), and a variation that changes nothing (HEP4091, a
 * warning: weights of the number 1, a normalisation of 1, or no histogram to vary).
 */
import { FLOAT } from "../../core/types.js";
import { warnMissingWeight } from "../missing.js";
import { suggest } from "../../core/suggest.js";
import type { CheckContext } from "../context.js";
import type { ExprChecker } from "../expr.js";

export function checkSystematics(ctx: CheckContext, exprs: ExprChecker): void {
  const seen = new Map<string, string>();
  const histograms = ctx.declsOf("Output").some(({ decl }) => decl.items.some((it) => it.kind === "Histogram"));
  for (const { decl, file } of ctx.declsOf("Systematic")) {
    const name = decl.name.name;
    if (seen.has(name)) ctx.report("HEP4092", file, decl.name.span, { name });
    seen.set(name, file);
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
        exprs.requireScalar(e, exprs.check(e, { file, elements: [] }), file, `the weight of systematic '${name}'`, FLOAT);
        warnMissingWeight(ctx, file, e, `the weight of systematic '${name}'`);
      }
      if (one(decl.weight.up) && (!decl.weight.down || one(decl.weight.down))) nothing = true;
    }
    const k = decl.normalisation;
    if (k && k.kind === "Number") {
      if (!(k.value > 0) || k.unit) ctx.report("HEP4090", file, k.span, { name, value: k.raw });
      else if (k.value === 1) nothing = true;
    }
    if (nothing) ctx.report("HEP4091", file, decl.name.span, { name });
  }
}
