/**
 * cut_and_count: rectangular cuts on the features (TMVA's MethodCuts idea), one box per target
 * signal efficiency (each the best on its own, or nested from the loosest to the tightest with
 * `nested true`), found on a fold's training part.
 *
 * In: a FoldData (runtime/train: scaled float32 columns, labels, weights of any sign, a validation
 * part, the fold's scalers) and the model's options (steps, efficiencies, optimise, tolerance,
 * signal). Out: a FittedModel whose score is the fraction of boxes an event passes (oriented to
 * label 1, model.ts), whose JSON holds every box's cuts in scaled and in the features' own units
 * with its efficiencies on the training and validation parts, and `cutsToHep`, the boxes as
 * `region` lines. Semantics: docs/models.md.
 *
 * Files by job: options (the options and the signal class), grid (thresholds at weighted
 * quantiles, bins), search (peeling, refinement, nesting), lagrange (coordinate ascent at an
 * exchange rate), units (scaled ↔ own units, the
 * printed numbers), model (boxes, score, storage), fit (one fold), hep (the `.hep` text), errors
 * (HEP6070–HEP6079).
 *
 * Must not import the compiler, the executor or other model kinds; it reads runtime/train's types
 * and runtime/models/index.ts's interfaces.
 */
import type { ModelKindRuntime } from "../index.js";
import { fitCuts } from "./fit.js";
import { CutsModel } from "./model.js";

export const cutAndCount: ModelKindRuntime = {
  async fit(data, options, ctx) {
    return fitCuts(data, options, ctx);
  },
  load(json) {
    return CutsModel.load(json);
  },
};

export { CutsError, type CutsCode } from "./errors.js";
export { fitCuts, figures } from "./fit.js";
export { buildGrid, FINE, type FeatureGrid } from "./grid.js";
export { cutsToHep, type HepOptions } from "./hep.js";
export { CutsModel, passMask, type BoxFigures, type Cut, type CutsBox, type CutsModelJson } from "./model.js";
export { DEFAULT_EFFICIENCIES, paramsFromOptions, signalLabel, type CutsParams, type Objective } from "./options.js";
export { fullBox, searchBoxes, significance, type Box } from "./search.js";
export { rawOf, scaledOf, threshold, type Threshold } from "./units.js";
