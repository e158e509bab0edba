/**
 * The booster's hyperparameters, their defaults (the same as the `gbdt` model kind's options in
 * stdlib/index.ts) and their reading from a plan's option map.
 */
import { GbdtError } from "./errors.js";

export interface GbdtParams {
  /** Boosting rounds (one tree per round, or one per class for multiclass). */
  trees: number;
  /** Maximum depth; a tree has at most 2^depth leaves. */
  depth: number;
  learningRate: number;
  /** A split is made only when both children's hessian sums are at least this. */
  minChildWeight: number;
  /** L2 regularisation of leaf values (XGBoost's `lambda`). */
  lambda: number;
  /** Minimum gain of a split (XGBoost's `gamma`, `min_split_loss`). */
  gamma: number;
  /** Fraction of training rows drawn (without replacement, seeded) for each tree. */
  subsample: number;
  /** Fraction of features drawn (seeded) for each tree. */
  colsample: number;
  /** Value bins per feature (at most 255; missing values have a bin of their own). */
  bins: number;
  /** Stop when the validation loss has not improved for this many rounds; 0: never. */
  earlyStopping: number;
  /** Seed of subsample and colsample. */
  seed: number;
}

export const DEFAULT_PARAMS: GbdtParams = {
  trees: 200,
  depth: 6,
  learningRate: 0.1,
  minChildWeight: 1,
  lambda: 1,
  gamma: 0,
  subsample: 1,
  colsample: 1,
  bins: 255,
  earlyStopping: 0,
  seed: 0,
};

/**
 * Reads a plan's option map (the stdlib option names). `l2` is the older name of `lambda`: when a
 * plan carries it (it has no default, so only when a user wrote it), it wins.
 */
export function paramsFromOptions(options: Record<string, unknown>, seed = 0): GbdtParams {
  const num = (name: string, fallback: number): number => {
    const v = options[name];
    return typeof v === "number" && Number.isFinite(v) ? v : fallback;
  };
  const d = DEFAULT_PARAMS;
  return checkParams({
    trees: num("trees", d.trees),
    depth: num("depth", d.depth),
    learningRate: num("learning_rate", d.learningRate),
    minChildWeight: num("min_child_weight", d.minChildWeight),
    lambda: num("l2", num("lambda", d.lambda)),
    gamma: num("gamma", d.gamma),
    subsample: num("subsample", d.subsample),
    colsample: num("colsample", d.colsample),
    bins: num("bins", d.bins),
    earlyStopping: num("early_stopping", d.earlyStopping),
    seed: num("seed", seed),
  });
}

/** Fills defaults and rejects values the booster cannot use (the checker bounds them already). */
export function checkParams(p: Partial<GbdtParams>): GbdtParams {
  const q: GbdtParams = { ...DEFAULT_PARAMS, ...p };
  const bad = (what: string): never => {
    throw new GbdtError("HEP6020", { reason: `the parameter ${what}` });
  };
  if (!Number.isInteger(q.trees) || q.trees < 1) bad(`trees = ${q.trees} is not a positive integer`);
  if (!Number.isInteger(q.depth) || q.depth < 1 || q.depth > 32) bad(`depth = ${q.depth} is not an integer in 1..32`);
  if (!(q.learningRate > 0)) bad(`learning_rate = ${q.learningRate} is not positive`);
  if (!(q.minChildWeight >= 0)) bad(`min_child_weight = ${q.minChildWeight} is negative`);
  if (!(q.lambda >= 0)) bad(`lambda = ${q.lambda} is negative`);
  if (!(q.gamma >= 0)) bad(`gamma = ${q.gamma} is negative`);
  if (!(q.subsample > 0 && q.subsample <= 1)) bad(`subsample = ${q.subsample} is not in (0, 1]`);
  if (!(q.colsample > 0 && q.colsample <= 1)) bad(`colsample = ${q.colsample} is not in (0, 1]`);
  if (!Number.isInteger(q.bins) || q.bins < 2 || q.bins > 255) bad(`bins = ${q.bins} is not an integer in 2..255`);
  if (!Number.isInteger(q.earlyStopping) || q.earlyStopping < 0) bad(`early_stopping = ${q.earlyStopping} is not a non-negative integer`);
  return q;
}
