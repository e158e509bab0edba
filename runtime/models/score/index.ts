/**
 * Score models (`model NAME = score(EXPR)`): an existing discriminant evaluated like a model. In:
 * the plan's predict node (its discriminant: the expression, the signal class and the background
 * classes) and the per-event values of the expression the kernel computed. Out: the model's one
 * score column, and its classes as an evaluation numbers them. Nothing is fitted or stored: the
 * kind has no entry in MODEL_RUNTIMES (which holds kinds that train), and no fold, so every score
 * is "held out" and there is no overtraining test. Must not import runtime/exec.
 */
import type { PredictNode } from "../../../plan/types.js";

/** The classes of a score model in label order: the background classes (as written), then the signal. */
export function scoreClasses(p: PredictNode): string[] {
  const d = p.discriminant!;
  return [...d.background, d.signal];
}

/**
 * The scores of a chunk: the discriminant's values as they are (no copy). A value that is not
 * finite (0/0 of empty tagger nodes) stays so: an evaluation reports it (HEP6050) rather than
 * guessing a score.
 */
export function scoreOfDiscriminant(values: Float64Array, n: number): Float64Array {
  return values.subarray(0, n);
}
