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
 * (prediction, serialisation), threads + worker (the worker pool), errors (HEP6020–HEP6029).
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
