/** Feature lists: each feature a per-event number, names unique, scaling parameters sane. */
import type * as A from "../../../grammar/ast.js";
import { FLOAT } from "../../core/types.js";
import { printExpr } from "../../syntax/print.js";
import type { CheckContext } from "../context.js";
import type { ExprChecker } from "../expr.js";
import { literalValue } from "./bins.js";

/** A feature's name: its alias, else its expression as written canonically. */
export function featureName(f: A.FeatureItem): string {
  return f.alias?.name ?? printExpr(f.expr);
}

export function checkFeatures(ctx: CheckContext, exprs: ExprChecker): void {
  for (const { decl, file } of ctx.declsOf("Features")) {
    const names = new Map<string, A.FeatureItem>();
    for (const f of decl.items) {
      const t = exprs.check(f.expr, { file, owner: decl.name.name, elements: [] });
      exprs.requireScalar(f.expr, t, file, "a feature", FLOAT);
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
