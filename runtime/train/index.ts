/**
 * Training data, shared by every model kind. In: the rows the data pass gathered for one `train`
 * block (SampleRows, in any chunks), the plan's `train` node and its features' `scale` node. Out:
 * one FoldData per fold (scaled Float32 columns, labels, training weights, a validation part and
 * the scalers, each fitted on that fold's training part only), a summary of classes, weights and
 * folds, the rows of the Arrow dataset, and problems (errors and warnings with HEP601x codes)
 * rather than exceptions. Pure functions over in-memory arrays, deterministic for any chunking.
 * Must not import runtime/exec (the executor calls in) nor the compiler beyond its diagnostics
 * table; apache-arrow is loaded lazily by dataset.ts only. Semantics: docs/training.md.
 */
export type { FittedScaler, FoldData, SampleRows } from "./types.js";
export { LOG_FLOOR } from "./types.js";
export type { NegativeWeights, ReweightSpec, Scaling, ScaleSpec, TrainSpec } from "./spec.js";
export type { Reported, TrainProblem } from "./problems.js";
export { prepareTraining } from "./prepare.js";
export { classOrder } from "../../plan/classes.js";
export type { ClassSummary, DatasetRows, FoldSummary, Prepared, TrainingSummary } from "./prepare.js";
export { applyScalers, fitScaler, scaleValue } from "./scaling.js";
export { datasetBytes, writeDataset, DATASET_COLUMNS } from "./dataset.js";
export { inTestFraction, unitDraw } from "./split.js";
