/** Evaluate blocks: models, the evaluation region, bins, metrics and working points. */
import { METRICS } from "../../../stdlib/index.js";
import type { CheckContext } from "../context.js";
import type { ExprChecker } from "../expr.js";
import { suggest } from "../../core/suggest.js";
import { checkAxes, expectSymbol } from "./train.js";
import { propertiesOnce } from "./samples.js";
import type * as A from "../../../grammar/ast.js";
import { workingPointsOf } from "./working-points.js";
import { lineOf } from "../expr.js";

export function checkEvaluate(ctx: CheckContext, exprs: ExprChecker): void {
  for (const { decl, file } of ctx.declsOf("Evaluate")) {
    for (const m of decl.models) expectSymbol(ctx, file, m, "model");
    propertiesOnce(ctx, file, "evaluate", decl.props);
    for (const p of decl.props) {
      switch (p.prop) {
        case "in":
          expectSymbol(ctx, file, p.region, "region");
          break;
        case "bins":
          checkAxes(ctx, exprs, file, p.axes);
          break;
        case "metrics":
          for (const m of p.metrics) {
            if (!m.name.name) continue;
            if (!(METRICS as readonly string[]).includes(m.name.name)) {
              const near = suggest(m.name.name, METRICS, 1);
              ctx.report("HEP4026", file, m.name.span, { what: "metric", name: m.name.name }, near.length ? { suggestion: { message: `did you mean '${near[0]}'?`, replacement: near[0], span: m.name.span } } : {});
            }
            if (m.at && !(m.at.value > 0 && m.at.value < 1)) ctx.report("HEP4010", file, m.at.span, { name: m.name.name, value: m.at.raw });
          }
          break;
        case "working_points":
          for (const w of p.points) {
            if (w.value.kind === "Number" && !(w.value.value > 0 && w.value.value < 1)) ctx.report("HEP4010", file, w.value.span, { name: w.name.name, value: w.value.raw });
          }
          if (p.given) checkGiven(ctx, file, decl, p.given);
          break;
        case "reference": {
          const sym = expectSymbol(ctx, file, p.model, "model");
          if (sym && !decl.models.some((m) => m.name === sym.name)) {
            ctx.report("HEP3001", file, p.model.span, { what: "a reference model", expected: `one of the evaluated models (${decl.models.map((m) => m.name).join(", ")})`, actual: `'${sym.name}'` });
          }
          break;
        }
      }
    }
  }
}

/**
 * `given MODEL.NAME`: a working point of another evaluate block (or of another model's block),
 * whose threshold the block's working points are derived under. Recorded as a threshold use, so
 * that cycles through evaluations are found with the others (HEP4082).
 */
function checkGiven(ctx: CheckContext, file: string, decl: A.EvaluateDecl, given: { model: A.Ident; point: A.Ident }): void {
  const sym = expectSymbol(ctx, file, given.model, "model");
  if (!sym || !given.point.name) return;
  const model = sym.name;
  const points = workingPointsOf(ctx, model);
  const named = points.filter((p) => p.name === given.point.name);
  if (named.length === 0) {
    const known = [...new Set(points.map((p) => p.name))];
    const near = suggest(given.point.name, known, 1);
    ctx.report(
      "HEP4080", file, given.point.span,
      { model, name: given.point.name, points: known.length ? ` (its working points: ${known.join(", ")})` : ": no evaluate block of it declares working_points" },
      near.length ? { suggestion: { message: `did you mean '${near[0]}'?`, replacement: near[0], span: given.point.span } } : {},
    );
    return;
  }
  if (named.length > 1) {
    ctx.report("HEP4081", file, given.point.span, { name: given.point.name, model, count: named.length, lines: named.map((p) => lineOf(ctx, p.file, p.ident.span.start)).join(", ") });
    return;
  }
  if (named[0].evaluate === decl) {
    ctx.report("HEP4083", file, given.point.span, { model, given: `${model}.${given.point.name}` });
    return;
  }
  const span = { start: given.model.span.start, end: given.point.span.end };
  ctx.givens.set(decl, { model, point: given.point.name, evaluate: named[0].evaluate });
  ctx.thresholdUses.push({ model, point: given.point.name, evaluate: named[0].evaluate, file, span });
}
