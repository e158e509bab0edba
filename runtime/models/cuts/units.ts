/**
 * Thresholds from scaled units (what the search sees) to the feature's own units (what a region
 * compares), through the fold's scaler clamp(a · f(x) + b, lo, hi), f the identity or ln.
 *
 * A threshold sits in a gap between two training values, both inside [lo, hi]; so it lies strictly
 * inside the clamp's range, where the scaler is strictly monotone, and `scaled > t` holds exactly
 * when `a · f(x) + b > t`: clipping changes nothing about which events pass. What clipping does
 * cost: values clipped to the same bound cannot be told apart, so no cut lies beyond the clip.
 * With a < 0 (a manual scale below zero) a lower cut in scaled units is an upper cut in the
 * feature's units.
 *
 * The printed value is the shortest decimal whose scaled image lies in the middle half of the gap,
 * and the model compares scaled values with that image: the model and the printed cut pass the
 * same events, except one whose scaled value rounds (float32) onto the threshold.
 */
import { LOG_FLOOR, type FittedScaler } from "../../train/types.js";

/** a · f(x) + b, unclamped, in double precision. */
export function scaledOf(s: FittedScaler, x: number): number {
  return s.a * (s.fn === "log" ? Math.log(Math.max(x, LOG_FLOOR)) : x) + s.b;
}

/** The x with a · f(x) + b = y (a ≠ 0). */
export function rawOf(s: FittedScaler, y: number): number {
  const f = (y - s.b) / s.a;
  return s.fn === "log" ? Math.exp(f) : f;
}

export interface Threshold {
  /** In the feature's own units, as printed. */
  raw: number;
  /** Its image under the scaler: what the model compares scaled values with. */
  scaled: number;
}

/** The threshold for the gap between the scaled training values `below` < `above`. */
export function threshold(s: FittedScaler, below: number, above: number): Threshold {
  const mid = (below + above) / 2;
  if (!(s.a !== 0) || !Number.isFinite(s.a)) return { raw: mid, scaled: mid };
  const gap = above - below;
  const lo = below + gap / 4;
  const hi = above - gap / 4;
  const t = rawOf(s, mid);
  if (Number.isFinite(t)) {
    for (let digits = 1; digits <= 17; digits++) {
      const p = Number(t.toPrecision(digits));
      const y = scaledOf(s, p);
      if (y > lo && y < hi) return { raw: p, scaled: y };
    }
  }
  // a gap too narrow for double precision through the scaler: the model keeps the midpoint
  return { raw: t, scaled: mid };
}
