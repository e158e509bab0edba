/**
 * The contracts of training, shared by the executor (which gathers the rows), the training-data
 * preparation in this folder (labels, weights, folds, scaling) and every model kind under
 * runtime/models/. Plain data only: everything here can cross a worker thread and be cached.
 */

/**
 * The events of one sample that fall in a train block's region, as the data pass gathered them,
 * in the sample's entry order. Columns are per event; a missing value (an index past the end of a
 * collection, say) is NaN.
 */
export interface SampleRows {
  sample: string;
  /** The class the sample belongs to in this train block (its position in `classes` is the label). */
  class: string;
  /** Entry index of each row within the sample (all its files in order). */
  entry: Float64Array;
  /** The event weight: weight expression × xsec × lumi / sumw where declared, else 1. */
  weight: Float64Array;
  /**
   * The fold expression's value per row (an integer in [0, folds)); all 0 without folds. A
   * Float64Array carries the expression's values as computed, so that a value that is not an
   * integer (or is missing) is reported here with its sample and entry rather than truncated.
   */
  fold: Int32Array | Float64Array;
  /** One column per feature of the features list, in its order, before any scaling. */
  features: Float64Array[];
  /** One column per reweighting axis (the `reweight ... in` expressions), in order. */
  reweightAxes: Float64Array[];
  /** Rows in the held-out test part (a `test` expression), or null when the fraction is drawn. */
  test: Uint8Array | null;
  /**
   * Rows of a model trained per candidate: each row's position among its event's candidates (an
   * event gives several rows, with its entry, weight, fold and test flag). Absent: a row per event.
   */
  candidate?: Float64Array;
}

/**
 * A feature's scaling once fitted on training events: every kind is `clamp(a · f(x) + b, lo, hi)`
 * with f the identity or the natural logarithm, so it is one formula to apply, to store and to
 * export as ONNX operators in front of a model.
 */
export interface FittedScaler {
  /** The scaling as declared: normal, linear, log, categorical, manual, none. */
  kind: string;
  /** f: "identity" or "log" (ln of max(x, tiny), so that zero and negative values stay finite). */
  fn: "identity" | "log";
  a: number;
  b: number;
  /** Clamp of the result; -Infinity / Infinity when none. (JSON: null for an infinite bound.) */
  lo: number;
  hi: number;
  /** The statistics it was fitted from (mean, std, sum of weights), for the run record. */
  fitted?: Record<string, number>;
}

/** The smallest value `log` scaling takes the logarithm of. */
export const LOG_FLOOR = 1e-12;

/** The training matrix of one fold, ready for a model kind: scaled, column-major, with labels. */
export interface FoldData {
  /** The fold held out (scored by this fold's model); -1 when there are no folds. */
  fold: number;
  /** Feature columns (scaled), each of length n. Missing values stay NaN. */
  columns: Float32Array[];
  /** Class index per row. */
  label: Int32Array;
  /** Training weight per row (after normalisation, balancing, reweighting, class weights). */
  weight: Float32Array;
  n: number;
  /** The validation part used for early stopping, in the same layout (n may be 0). */
  valid: { columns: Float32Array[]; label: Int32Array; weight: Float32Array; n: number };
  /** One per feature, fitted on this fold's training rows only. */
  scalers: FittedScaler[];
}
