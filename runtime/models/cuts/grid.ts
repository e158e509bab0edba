/**
 * The thresholds a cut may sit at, per feature, and every event's bin between them.
 *
 * Thresholds lie halfway between two neighbouring distinct training values (scaled units), so no
 * training event sits on one and a cut separates the same events whichever side of the gap it is
 * printed at. Which gaps: `steps` weighted quantiles of the signal and `steps` of the background
 * (weights taken as |w|, as a cumulative distribution must not decrease), found on a fine grid of
 * at most FINE gaps at unweighted quantiles of all values (every gap when there are fewer
 * distinct values). Repeated values collapse: a feature with few distinct values has few
 * thresholds.
 */

/** Gaps kept on the fine grid. */
export const FINE = 4096;

export interface FeatureGrid {
  /** K thresholds in scaled units, increasing. */
  cut: Float64Array;
  /** The training values either side of each threshold (the gap it sits in). */
  below: Float64Array;
  above: Float64Array;
  /** Per event: how many thresholds lie below its value (0 … K), or K + 1 when it is missing. */
  bins: Uint16Array;
}

export function buildGrid(col: Float32Array, n: number, isSignal: Uint8Array, weight: ArrayLike<number>, steps: number): FeatureGrid {
  const sorted = new Float32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) if (col[i] === col[i]) sorted[m++] = col[i];
  const vals = sorted.subarray(0, m).sort();
  // distinct values and how many values lie at or below each
  const distinct: number[] = [];
  const cum: number[] = [];
  for (let i = 0; i < m; i++) {
    if (i === 0 || vals[i] !== vals[i - 1]) distinct.push(vals[i]);
    cum[distinct.length - 1] = i + 1;
  }
  // fine gaps: gap g lies between distinct[g - 1] and distinct[g]
  let gaps: number[];
  if (distinct.length - 1 <= FINE) gaps = Array.from({ length: Math.max(0, distinct.length - 1) }, (_, k) => k + 1);
  else {
    gaps = [];
    let d = 0;
    for (let r = 1; r < FINE; r++) {
      const rank = Math.floor((r * m) / FINE);
      while (cum[d] <= rank) d++;
      if (d > 0 && gaps[gaps.length - 1] !== d) gaps.push(d);
    }
  }
  const mids = Float64Array.from(gaps, (g) => (distinct[g - 1] + distinct[g]) / 2);
  // fine bin of each event: the number of fine gaps below its value
  const fine = new Int32Array(n);
  const nFine = mids.length;
  const hist = [new Float64Array(nFine + 1), new Float64Array(nFine + 1)];
  for (let i = 0; i < n; i++) {
    const v = col[i];
    if (v !== v) {
      fine[i] = -1;
      continue;
    }
    let lo = 0;
    let hi = nFine;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (mids[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    fine[i] = lo;
    hist[isSignal[i]][lo] += Math.abs(weight[i]);
  }
  // fine gaps chosen: the upper edge of the fine bin where each class's quantile falls
  const chosen = new Uint8Array(nFine);
  for (const h of hist) {
    let total = 0;
    for (let b = 0; b <= nFine; b++) total += h[b];
    if (!(total > 0)) continue;
    let acc = 0;
    let b = 0;
    for (let k = 1; k <= steps; k++) {
      const q = (k / (steps + 1)) * total;
      while (b < nFine && acc + h[b] < q) acc += h[b++];
      if (b < nFine) chosen[b] = 1;
    }
  }
  const picked: number[] = [];
  for (let g = 0; g < nFine; g++) if (chosen[g]) picked.push(g);
  const K = picked.length;
  // fine bin → coarse bin: the number of chosen gaps below it
  const coarse = new Uint16Array(nFine + 1);
  for (let f = 0, c = 0; f <= nFine; f++) {
    coarse[f] = c;
    if (f < nFine && chosen[f]) c++;
  }
  const bins = new Uint16Array(n);
  for (let i = 0; i < n; i++) bins[i] = fine[i] < 0 ? K + 1 : coarse[fine[i]];
  return {
    cut: Float64Array.from(picked, (g) => mids[g]),
    below: Float64Array.from(picked, (g) => distinct[gaps[g] - 1]),
    above: Float64Array.from(picked, (g) => distinct[gaps[g]]),
    bins,
  };
}
