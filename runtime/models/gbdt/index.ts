/**
 * hepc's own histogram gradient boosting (the `gbdt` model kind).
 *
 * In: a fold's training matrix (`FoldData` from runtime/train: scaled float32 columns, labels,
 * weights — negative ones included — and a validation part for early stopping) and the
 * hyperparameters. Out: a `GbdtModel` that predicts probabilities from scaled columns, reports
 * feature importance and per-round curves, and serialises canonically (equal models, equal bytes,
 * for any thread count).
 *
 * Files by job: params (hyperparameters), binning (weighted quantile cuts, the uint8 bin matrix),
 * histograms (block sums, deterministic across threads), split (gains, leaf values), tree (nodes,
 * traversal), objectives (logistic, softmax), booster (the boosting loop and tree growth), model
 * (prediction, serialisation), tasks (the jobs threads share: histogram blocks, partition counts
 * and scatters), threads + worker (the worker pool), layout (shared constants), errors
 * (HEP6020–HEP6029).
 *
 * Differences from XGBoost's `hist` worth knowing: the quantile sketch is an exact weighted
 * quantile of at most 2^17 rows per feature (weights taken as |w|), so cuts differ slightly; the
 * base margin is 0 (XGBoost 1.7's base_score 0.5); early stopping keeps only the trees up to the
 * best round; colsample draws features once per tree (colsample_bytree).
 *
 * Must not import the compiler, the executor or other model kinds; it reads only
 * runtime/train/types.ts.
 */
export { binMatrix, binOf, quantileCuts, MISSING_BIN } from "./binning.js";
export { trainGbdt, type TrainOptions } from "./booster.js";
export { GbdtError, type GbdtCode } from "./errors.js";
export { GbdtModel, type GbdtModelJson } from "./model.js";
export { logisticGradients, softmaxGradients, softmaxProbabilities, marginsToProbabilities } from "./objectives.js";
export { checkParams, DEFAULT_PARAMS, paramsFromOptions, type GbdtParams } from "./params.js";
export { bestSplit, leafWeight, score, type Split } from "./split.js";
export { configureGbdtWorker, gbdtWorkerUrl } from "./threads.js";
export type { Tree } from "./tree.js";
