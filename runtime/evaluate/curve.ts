/**
 * The weighted cumulative curve of a binary split: walking events from the highest score down,
 * the signal and background weight at or above each distinct score. Events with equal scores
 * enter together (one point per distinct score), which is the exact tie handling a weighted ROC
 * needs. Events of weight exactly zero are left out (they neither move the curve nor make a
 * threshold), as sklearn does. Negative weights enter the sums as they are, so cumulative sums
 * need not be monotonic.
 *
 * Sums are in float64 in ranked order, so they are the same for any chunking of the input.
 */

export interface BinaryCurve {
  /** Distinct scores, decreasing: the cut is `score >= thresholds[k]`. */
  thresholds: Float64Array;
  /** Signal weight with score >= thresholds[k]. */
  tp: Float64Array;
  /** Background weight with score >= thresholds[k]. */
  fp: Float64Array;
  /** Signal and background Σw² with score >= thresholds[k] (for effective entries). */
  tp2: Float64Array;
  fp2: Float64Array;
  /** Totals: tp and fp at the last threshold (0 with no events). */
  totalS: number;
  totalB: number;
  /** Events counted (unweighted, zero weights excluded). */
  nS: number;
  nB: number;
}

/**
 * @param order event indices by decreasing score (from rankDescending, possibly restricted)
 * @param isSignal whether event i is signal; every other event in `order` is background
 */
export function binaryCurve(score: Float64Array, weight: Float64Array, order: Uint32Array, isSignal: (i: number) => boolean): BinaryCurve {
  const n = order.length;
  const th = new Float64Array(n);
  const tp = new Float64Array(n);
  const fp = new Float64Array(n);
  const tp2 = new Float64Array(n);
  const fp2 = new Float64Array(n);
  let s = 0, b = 0, s2 = 0, b2 = 0, m = 0, nS = 0, nB = 0;
  let prev = NaN;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const w = weight[i];
    if (w === 0) continue;
    const x = score[i];
    if (m > 0 && x !== prev) {
      // close the point of the previous distinct score
      th[m - 1] = prev; tp[m - 1] = s; fp[m - 1] = b; tp2[m - 1] = s2; fp2[m - 1] = b2;
    }
    if (m === 0 || x !== prev) m++;
    prev = x;
    if (isSignal(i)) { s += w; s2 += w * w; nS++; } else { b += w; b2 += w * w; nB++; }
  }
  if (m > 0) { th[m - 1] = prev; tp[m - 1] = s; fp[m - 1] = b; tp2[m - 1] = s2; fp2[m - 1] = b2; }
  return {
    // views, not copies: a curve of 10M events is 400 MB already
    thresholds: th.subarray(0, m), tp: tp.subarray(0, m), fp: fp.subarray(0, m), tp2: tp2.subarray(0, m), fp2: fp2.subarray(0, m),
    totalS: s, totalB: b, nS, nB,
  };
}
