/**
 * The shapes the evaluation library takes and gives. Plain data (typed arrays, numbers, strings),
 * so results can cross a worker thread and be written as JSON as they are.
 */

/**
 * Scored events of one model, as the executor gathers them: one entry per event, every array the
 * same length. Scores are out-of-fold (each event scored by the model that did not train on it)
 * unless `train` marks it as a training-fold score (kept for the overtraining test only).
 */
export interface ScoredEvents {
  /**
   * One score array per model output. A binary classifier has one (the signal score); a
   * multiclass one has one per class, in class order (probabilities for one-vs-rest / one-vs-one
   * AUCs, any scores for argmax).
   */
  scores: Float64Array[];
  /** The true class index of each event (its position in the train block's classes). */
  label: Int32Array;
  /** The event weight, any sign. */
  weight: Float64Array;
  /** The fold each event was held out in (an integer ≥ 0); absent without folds. */
  fold?: Int32Array;
  /** 1 when the score comes from a model that trained on the event (training-fold score), else 0. */
  train?: Uint8Array;
  /** Variables to evaluate in bins of (one or two), each per event. */
  vars?: Float64Array[];
}

/** A figure that could not be computed: never NaN, always why. */
export interface Undefined {
  value: null;
  reason: string;
}

/** A number, or null with the reason it has none. */
export type Figure = number | Undefined;

export function undefinedFigure(reason: string): Undefined {
  return { value: null, reason };
}

export function isDefined(f: Figure): f is number {
  return typeof f === "number";
}

/** An interval with its confidence level. */
export interface Interval {
  lo: number;
  hi: number;
  cl: number;
}
