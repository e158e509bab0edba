/**
 * The two-sample Kolmogorov–Smirnov test with weights, for overtraining checks (a class's
 * training-fold scores against its held-out scores).
 *
 * Statistic: D = sup_x |F_A(x) − F_B(x)| with F the weighted empirical distribution functions
 * (Σ of weights at or below x over the total). Tied values enter together: D is taken only
 * between distinct values, as scipy's ks_2samp does. Negative weights enter as they are (F may
 * then not be monotonic; D is still the largest gap).
 *
 * p-value: the asymptotic Kolmogorov distribution, Q(z) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²z²}, at
 * z = √(n_A n_B/(n_A + n_B)) · D, with n the effective numbers of events (Σw)²/Σw² of each sample
 * (the event counts for unit weights). This is ROOT's TMath::KolmogorovProb and scipy's
 * kstwobign.sf; it is an approximation that is good for effective sizes above ~40 and
 * conservative in between. (scipy's ks_2samp(method='asymp') uses the finite-n distribution at
 * round(n_eff) instead, which differs slightly at small sizes.)
 */
import { undefinedFigure, type Undefined } from "./types.js";

export interface KsResult {
  d: number;
  pValue: number;
  nEffA: number;
  nEffB: number;
}

/** Q(z) = P(K > z) for the Kolmogorov distribution. */
export function kolmogorovQ(z: number): number {
  if (!(z > 0)) return 1;
  if (z < 1.18) {
    // the Jacobi-transformed series converges fast for small z
    const y = Math.exp((-Math.PI * Math.PI) / (8 * z * z));
    let sum = 0;
    for (let k = 1; k < 40; k += 2) sum += Math.pow(y, k * k);
    return 1 - (Math.sqrt(2 * Math.PI) / z) * sum;
  }
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const t = Math.exp(-2 * k * k * z * z);
    sum += (k % 2 === 1 ? 1 : -1) * t;
    if (t < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/**
 * KS between sample A and sample B, given as index lists into (score, weight). `orderA` and
 * `orderB` are each ranked by decreasing score (from rankDescending, restricted).
 */
export function weightedKs(score: Float64Array, weight: Float64Array, orderA: Uint32Array, orderB: Uint32Array): KsResult | Undefined {
  let ta = 0, ta2 = 0, tb = 0, tb2 = 0;
  for (const i of orderA) { ta += weight[i]; ta2 += weight[i] * weight[i]; }
  for (const i of orderB) { tb += weight[i]; tb2 += weight[i] * weight[i]; }
  if (orderA.length === 0) return undefinedFigure("the first sample is empty");
  if (orderB.length === 0) return undefinedFigure("the second sample is empty");
  if (!(ta > 0) || !(ta2 > 0)) return undefinedFigure(`the first sample's total weight ${ta} is not positive`);
  if (!(tb > 0) || !(tb2 > 0)) return undefinedFigure(`the second sample's total weight ${tb} is not positive`);
  // walk both from the top: the survival functions' gap equals the CDFs' gap between values
  let ia = 0, ib = 0, ca = 0, cb = 0, d = 0;
  while (ia < orderA.length || ib < orderB.length) {
    const xa = ia < orderA.length ? score[orderA[ia]] : -Infinity;
    const xb = ib < orderB.length ? score[orderB[ib]] : -Infinity;
    const x = Math.max(xa, xb);
    while (ia < orderA.length && score[orderA[ia]] === x) ca += weight[orderA[ia++]];
    while (ib < orderB.length && score[orderB[ib]] === x) cb += weight[orderB[ib++]];
    // after the last value both survival sums are total: the gap is 0 (or the sup is elsewhere)
    const gap = Math.abs(ca / ta - cb / tb);
    if (gap > d) d = gap;
  }
  const nEffA = (ta * ta) / ta2, nEffB = (tb * tb) / tb2;
  const z = Math.sqrt((nEffA * nEffB) / (nEffA + nEffB)) * d;
  return { d, pValue: kolmogorovQ(z), nEffA, nEffB };
}
