/**
 * Clopper–Pearson ("exact") intervals for an efficiency k/n: the beta quantiles
 *   lower = B⁻¹(α/2; k, n−k+1)  (0 when k = 0),   upper = B⁻¹(1−α/2; k+1, n−k)  (1 when k = n),
 * with α = 1 − CL, central (equal tails).
 *
 * Weighted events: the effective-entries approximation. With Σw the weight of all events in the
 * denominator and Σw² its sum of squares, n_eff = (Σw)²/Σw² and k_eff = ε · n_eff with
 * ε = Σw_pass/Σw; the interval is the one above for (k_eff, n_eff), non-integer values taken by
 * the beta function as they are. For unit weights this is the exact interval. ε outside [0, 1]
 * (negative weights can give it) is reported as it is, with k_eff clamped to [0, n_eff] for the
 * interval. It assumes the weights of passing and failing events are alike in spread; it is an
 * approximation, not a coverage guarantee.
 */
import { inverseIncompleteBeta } from "./beta.js";
import { undefinedFigure, type Interval, type Undefined } from "./types.js";

export function clopperPearson(k: number, n: number, cl = 0.682689492137086): Interval {
  if (!(n > 0)) throw new RangeError(`clopperPearson: n = ${n} must be positive`);
  if (!(cl > 0 && cl < 1)) throw new RangeError(`clopperPearson: confidence level ${cl} is outside (0, 1)`);
  const kk = Math.min(Math.max(k, 0), n);
  const alpha = 1 - cl;
  const lo = kk <= 0 ? 0 : inverseIncompleteBeta(alpha / 2, kk, n - kk + 1);
  const hi = kk >= n ? 1 : inverseIncompleteBeta(1 - alpha / 2, kk + 1, n - kk);
  return { lo, hi, cl };
}

export interface Efficiency {
  /** Σw_pass / Σw_total. */
  value: number;
  interval: Interval;
  /** The effective entries the interval was computed from. */
  nEff: number;
  kEff: number;
  /** Events (unweighted) in the denominator and passing. */
  n: number;
  k: number;
}

/** A weighted efficiency with its Clopper–Pearson interval (effective entries), or why not. */
export function weightedEfficiency(
  sumPass: number, sumTotal: number, sumW2Total: number, nPass: number, nTotal: number, cl?: number,
): Efficiency | Undefined {
  if (nTotal === 0) return undefinedFigure("no events");
  if (!(sumTotal > 0)) return undefinedFigure(`total weight ${sumTotal} is not positive`);
  if (!(sumW2Total > 0)) return undefinedFigure("no events with non-zero weight");
  const value = sumPass / sumTotal;
  const nEff = (sumTotal * sumTotal) / sumW2Total;
  const kEff = Math.min(Math.max(value * nEff, 0), nEff);
  return { value, interval: clopperPearson(kEff, nEff, cl), nEff, kEff, n: nTotal, k: nPass };
}
