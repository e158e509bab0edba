/**
 * Weighted confusion matrices: entry [t][p] is the weight of events of true class t predicted as
 * class p. Prediction: for a binary model, the signal class when score ≥ threshold, else the
 * other class; for a multiclass model, the argmax of the per-class scores (the lowest index among
 * equal maxima, as numpy's argmax).
 *
 * Normalised by truth: each row over its sum (the fraction of class t predicted as p); by
 * prediction: each column over its sum. A row or column whose sum is zero or negative has no
 * fractions: its entries are null (sklearn writes 0 there).
 */

export interface Confusion {
  classes: number;
  /** [truth][prediction], weighted sums. */
  matrix: number[][];
  byTruth: (number | null)[][];
  byPrediction: (number | null)[][];
}

function normalise(m: number[][]): { byTruth: (number | null)[][]; byPrediction: (number | null)[][] } {
  const n = m.length;
  const rows = m.map((r) => r.reduce((a, b) => a + b, 0));
  const cols = Array.from({ length: n }, (_, p) => m.reduce((a, r) => a + r[p], 0));
  return {
    byTruth: m.map((r, t) => r.map((v) => (rows[t] > 0 ? v / rows[t] : null))),
    byPrediction: m.map((r) => r.map((v, p) => (cols[p] > 0 ? v / cols[p] : null))),
  };
}

export function confusionFromPredictions(label: Int32Array, predicted: (i: number) => number, weight: Float64Array, events: Uint32Array, classes: number): Confusion {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let k = 0; k < events.length; k++) {
    const i = events[k];
    matrix[label[i]][predicted(i)] += weight[i];
  }
  return { classes, matrix, ...normalise(matrix) };
}

/** Binary: predicted `signal` when score ≥ threshold, else `background`. */
export function binaryConfusion(score: Float64Array, label: Int32Array, weight: Float64Array, events: Uint32Array, threshold: number, signal: number, background: number): Confusion {
  return confusionFromPredictions(label, (i) => (score[i] >= threshold ? signal : background), weight, events, 2);
}

/** Multiclass: the argmax of the per-class scores. */
export function argmaxConfusion(scores: Float64Array[], label: Int32Array, weight: Float64Array, events: Uint32Array): Confusion {
  const argmax = (i: number) => {
    let best = 0;
    for (let c = 1; c < scores.length; c++) if (scores[c][i] > scores[best][i]) best = c;
    return best;
  };
  return confusionFromPredictions(label, argmax, weight, events, scores.length);
}
