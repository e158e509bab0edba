/** Evaluate blocks: models, the evaluation region, bins, metrics and working points. */
import { METRICS } from "../../../stdlib/index.js";
import type { CheckContext } from "../context.js";
import type { ExprChecker } from "../expr.js";
import { suggest } from "../../core/suggest.js";
import { checkAxes, expectSymbol } from "./train.js";
import { propertiesOnce } from "./samples.js";

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
