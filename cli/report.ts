/**
 * The report of a run: what the executor found, shaped as report/'s ReportInput, rendered by
 * report/ (loaded only when an analysis declares a report: vega is heavy). The runtime does not
 * import report/; `hepc run` hands it this function.
 */
import { buildMetricsDocument } from "../runtime/evaluate/index.js";
import type { RenderedReport, RunResult } from "../runtime/exec/index.js";
import { analysisMetadata } from "../runtime/exec/index.js";
import type { Plan } from "../plan/types.js";
import type { ReportInput } from "../report/index.js";

export async function renderRunReport(plan: Plan, result: RunResult, planHash: string, versions: Record<string, string>): Promise<RenderedReport> {
  const { renderReport } = await import("../report/index.js");
  return renderReport(reportInputOf(plan, result, planHash, versions));
}

export function reportInputOf(plan: Plan, result: RunResult, planHash: string, versions: Record<string, string>): ReportInput {
  const metrics = result.evaluations.length ? buildMetricsDocument(result.evaluations) : null;
  const evaluated = new Set(result.evaluations.map((e) => e.model));
  const referenceOf = new Map<string, string | null>();
  for (const n of plan.nodes) if (n.kind === "evaluate") referenceOf.set(n.model, n.reference && n.reference !== n.model ? n.reference : null);
  const seen = new Set<string>();
  const features = result.features.flatMap((f) =>
    f.distributions.filter((d) => !seen.has(d.feature) && seen.add(d.feature)).map((d) => ({ feature: d.feature, edges: d.edges, classes: d.classes })),
  );
  return {
    analysis: { name: plan.analysis.name, ...(plan.analysis.title ? { title: plan.analysis.title } : {}), ...(Object.keys(analysisMetadata(plan)).length ? { metadata: analysisMetadata(plan) } : {}), source: plan.source, planHash },
    inputs: plan.inputs.map((i) => ({ path: i.path, size: i.size, ...(i.sha256 ? { sha256: i.sha256 } : {}), ...(i.mtimeMs !== undefined ? { mtime: new Date(i.mtimeMs).toISOString() } : {}) })),
    tools: versions,
    cutflows: result.cutflows.map((c) => ({ name: c.file, regions: c.regions, samples: c.samples })),
    features,
    models: result.trained.map((m) => ({
      name: m.model,
      kind: m.kind,
      classes: m.classes,
      loss: "log loss",
      step: m.kind === "mlp" ? ("epoch" as const) : ("round" as const),
      training: m.folds.filter((f) => f.curves).map((f) => ({ fold: f.fold, train: f.curves!.train, valid: f.curves!.valid, ...(f.bestIteration !== undefined ? { bestIteration: f.bestIteration } : {}) })),
      metrics: evaluated.has(m.model) ? metrics : null,
      ...(evaluated.has(m.model) ? {} : { metricsReason: "the analysis does not evaluate this model" }),
      reference: referenceOf.get(m.model) ?? null,
    })).concat(
      // imported models (onnx): no training to show, their evaluation as a trained model's
      plan.nodes.flatMap((n) =>
        n.kind === "predict" && n.onnx && evaluated.has(n.model)
          ? [{ name: n.model, kind: n.modelKind, classes: result.evaluations.find((e) => e.model === n.model)!.classes, loss: "log loss", step: "round" as const, training: [], metrics, reference: referenceOf.get(n.model) ?? null }]
          : [],
      ),
    ),
  };
}
