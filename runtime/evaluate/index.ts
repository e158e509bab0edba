/**
 * Evaluation metrics: a pure library over scored events.
 *
 * In: per-event arrays from the executor (scores, one per model output; the true class index;
 * the weight, any sign; optionally the fold, a train/test flag, and one or two variables to bin
 * in) and what to compute (an EvaluateSpec). Out: plain results (EvaluationResult: ROC and
 * precision–recall curves, AUC with a bootstrap interval, rejection and efficiencies read off the
 * ROC, separation, significances at thresholds and scanned, confusion matrices, one-vs-rest and
 * one-vs-one AUCs, the weighted Kolmogorov–Smirnov overtraining test, working points overall,
 * flat in bins and given another discriminator, efficiencies per bin with Clopper–Pearson
 * intervals) and the metrics.json document built from them (metrics.schema.json). Problems are
 * values with diagnostic codes (HEP6050–HEP6054), never exceptions or NaN.
 *
 * Deterministic: one radix sort per score output (carrying weights and classes for a binary
 * model's curve: ranked-curve.ts), sums in ranked order, a counter-based generator
 * for the bootstrap; nothing depends on threads or chunking. Working memory (records, rankings,
 * bins) is kept between evaluations until `releaseScratch` (scratch.ts).
 *
 * Must not import runtime/exec (the executor calls this), the checker, or anything doing I/O.
 * Definitions: docs/evaluation.md.
 */
export type { ScoredEvents, Figure, Undefined, Interval } from "./types.js";
export { undefinedFigure, isDefined } from "./types.js";
export type { EvalIssue } from "./issues.js";
export { checkEvents } from "./inputs.js";
export { rankDescending, rankedCurve, restrict, partition } from "./order.js";
export { binaryCurve, type BinaryCurve } from "./curve.js";
export { roc, auc, rejectionAt, backgroundEfficiencyAt, signalEfficiencyAt, dropIntermediate, type Roc } from "./roc.js";
export { precisionRecall, averagePrecision, type PrecisionRecall } from "./pr.js";
export { bootstrapAuc, type BootstrapOptions, type BootstrapResult } from "./bootstrap.js";
export { separation } from "./separation.js";
export { binaryConfusion, argmaxConfusion, type Confusion } from "./confusion.js";
export { sOverSqrtB, sOverSqrtSB, asimovZ, significanceAt, significanceScan, type SignificanceKind, type SignificanceScan } from "./significance.js";
export { weightedKs, kolmogorovQ, type KsResult } from "./ks.js";
export { incompleteBeta, inverseIncompleteBeta } from "./beta.js";
export { clopperPearson, weightedEfficiency, type Efficiency } from "./clopper-pearson.js";
export { assignBins, binInfo, binCount, checkAxes, type BinAxis, type BinInfo } from "./bins.js";
export { efficiencyInBins, classEfficienciesInBins } from "./efficiency.js";
export type { EventTest, Selector } from "./select.js";
export { deriveWorkingPoints, thresholdFor, type WorkingPoint, type WorkingPointSpec, type CrossRequirement } from "./working-points.js";
export { oneVsRest, oneVsOne, type OvrResult, type OvoResult } from "./multiclass.js";
export { releaseScratch, scratchBytes } from "./scratch.js";
export { evaluateModel, REST, type EvaluateSpec, type EvaluationResult } from "./evaluate.js";
export { buildMetricsDocument, type MetricsDocument } from "./document.js";
export { validateMetrics, METRICS_SCHEMA } from "./validate.js";
