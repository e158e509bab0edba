/**
 * Derived histograms lowered onto a histogram node: each `histogram NAME = EXPR` as split →
 * coefficient for a node split by sample or group (none otherwise), from the checker's linear form
 * and its reading of what an operand covers (compiler/check/rules/derived.ts).
 */
import type { CheckContext } from "../check/context.js";
import { groupMembers, linearForm, operandSplits } from "../check/rules/derived.js";
import type { DerivedIR } from "../../plan/types.js";

export function derivedFor(ctx: CheckContext, by: string | null): DerivedIR[] | undefined {
  if (by !== "sample" && by !== "group") return undefined;
  const decls = ctx.declsOf("DerivedHistogram");
  if (!decls.length) return undefined;
  const groups = groupMembers(ctx);
  const samples = ctx.samples.map((s) => s.name);
  const out: DerivedIR[] = [];
  for (const { decl } of decls) {
    const form = linearForm(ctx, decl.name.name, decl.expr, undefined);
    if (!form || form.kind !== "hist") continue;
    const splits: Record<string, number> = {};
    for (const [operand, c] of form.terms) {
      const got = operandSplits(operand, by, groups, samples);
      if ("reason" in got) continue; // reported by the checker: no plan is built
      for (const s of got.splits) splits[s] = (splits[s] ?? 0) + c;
    }
    for (const s of Object.keys(splits)) if (splits[s] === 0) delete splits[s];
    out.push({ name: decl.name.name, splits });
  }
  return out.length ? out : undefined;
}
