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
  /** Totals: tp and fp at the last threshold (0 with no events). */
  totalS: number;
  totalB: number;
  /** Events counted (unweighted, zero weights excluded). */
  nS: number;
  nB: number;
  /**
   * The thresholds with +Infinity in front, sharing their memory, when the curve was built with
   * room for it (ranked-curve.ts): roc() hands it out as its thresholds instead of copying 8 bytes
   * per point. Curves are read, never written, so sharing is safe.
   */
  withInfinity?: Float64Array;
}

/**
 * @param order event indices by decreasing score (from rankDescending, possibly restricted)
 * @param isSignal whether event i is signal; every other event in `order` is background
 */
export function binaryCurve(score: Float64Array, weight: Float64Array, order: Uint32Array, isSignal: (i: number) => boolean): BinaryCurve {
  const n = order.length;
  const { ss, sw, sf } = rankedColumns(score, weight, order, isSignal);
  // Thresholds and tp overwrite the ranked scores and weights in place: point m−1 is written
  // only after element k > m−1 has been read, so nothing unread is lost (and 160 MB of fresh
  // memory is not needed for 10M events).
  const { m, fp, totalS, totalB, nS, nB } = cumulate(ss, sw, sf, 1, ss, 0, sw, new Float64Array(n));
  // views, not copies: a curve of 10M events is 240 MB already
  return { thresholds: ss.subarray(0, m), tp: sw.subarray(0, m), fp: fp.subarray(0, m), totalS, totalB, nS, nB };
}

/**
 * binaryCurve of events already laid out in ranked order (dense.ts: a section's events), signal
 * where `twoClass` is 0: the same sums on the arrays as they are, with no ranked copies to make.
 * Its three arrays are allocated at the events' length and only the points are written (pages
 * past them are never touched), with room for +Infinity in front of the thresholds as
 * ranked-curve.ts leaves it (roc() shares it).
 */
export function denseCurve(score: Float64Array, weight: Float64Array, twoClass: Int32Array): BinaryCurve {
  const n = score.length;
  const th = new Float64Array(n + 1);
  th[0] = Infinity;
  const { m, tp, fp, totalS, totalB, nS, nB } = cumulate(score, weight, twoClass, 0, th, 1, new Float64Array(n), new Float64Array(n));
  return { thresholds: th.subarray(1, m + 1), tp: tp.subarray(0, m), fp: fp.subarray(0, m), totalS, totalB, nS, nB, withInfinity: th.subarray(0, m + 1) };
}

/**
 * The cumulative sums of ranked events, one point per distinct score, written into th (from
 * `thAt` on), tp and fp: a point's threshold and sums are written when it closes (the next
 * distinct score, or the end), so th and tp may be the scores and weights being read. Signal
 * where `cls[k] === signalIs`; the class picks the sum without a branch (adding w·0 = ±0 leaves
 * a sum's bits as they are: a sum is never -0).
 */
function cumulate(
  score: Float64Array, weight: Float64Array, cls: Uint8Array | Int32Array, signalIs: number,
  th: Float64Array, thAt: number, tp: Float64Array, fp: Float64Array,
): { m: number; tp: Float64Array; fp: Float64Array; totalS: number; totalB: number; nS: number; nB: number } {
  const n = score.length;
  let s = 0, b = 0, m = 0, nS = 0, nB = 0;
  let prev = NaN;
  for (let k = 0; k < n; k++) {
    const w = weight[k];
    if (w === 0) continue;
    const x = score[k];
    if (x !== prev) {
      // close the point of the previous distinct score (none before the first)
      if (m > 0) { th[thAt + m - 1] = prev; tp[m - 1] = s; fp[m - 1] = b; }
      m++;
      prev = x;
    }
    const sg = Number(cls[k] === signalIs);
    s += w * sg;
    b += w * (1 - sg);
    nS += sg;
    nB += 1 - sg;
  }
  if (m > 0) { th[thAt + m - 1] = prev; tp[m - 1] = s; fp[m - 1] = b; }
  return { m, tp, fp, totalS: s, totalB: b, nS, nB };
}

/**
 * Score, weight and class of the ranked events, in ranked order. Reading events in ranked order
 * is a random access per event (cache misses dominate on large inputs); when the ranking covers
 * much of the input it is about three times faster to read the input in its own order and write
 * each event to its rank (an inverse permutation), which is what this does then.
 */
export function rankedColumns(score: Float64Array, weight: Float64Array, order: Uint32Array, isSignal: (i: number) => boolean) {
  const n = order.length, N = score.length;
  const ss = new Float64Array(n), sw = new Float64Array(n), sf = new Uint8Array(n);
  if (n * 4 < N) {
    for (let k = 0; k < n; k++) {
      const i = order[k];
      ss[k] = score[i];
      sw[k] = weight[i];
      sf[k] = isSignal(i) ? 1 : 0;
    }
    return { ss, sw, sf };
  }
  const rank = new Int32Array(N).fill(-1);
  for (let k = 0; k < n; k++) rank[order[k]] = k;
  for (let i = 0; i < N; i++) {
    const k = rank[i];
    if (k < 0) continue;
    ss[k] = score[i];
    sw[k] = weight[i];
    sf[k] = isSignal(i) ? 1 : 0;
  }
  return { ss, sw, sf };
}
