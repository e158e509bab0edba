/**
 * Feature scaling: fitted on the training rows of one fold, with their training weights, and
 * applied as clamp(a · f(x) + b, lo, hi). A missing value (NaN) stays missing.
 *   normal [clip N]     a = 1/σ, b = −μ/σ with the weighted mean and standard deviation of the
 *                       values present; clamp to [−N, N] with clip.
 *   linear LO .. HI     LO → 0, HI → 1, not clamped: values outside the range map outside [0, 1].
 *   log                 ln(max(x, LOG_FLOOR)).
 *   categorical, none   the value itself.
 *   manual              clamp((x − shift) · scale, low, high), as declared.
 */
import { LOG_FLOOR, type FittedScaler } from "./types.js";
import type { Scaling } from "./spec.js";

/** Weighted mean and standard deviation of the present values of `x` over `rows`. */
export function weightedMoments(x: ArrayLike<number>, rows: ArrayLike<number>, w: ArrayLike<number>): { mean: number; std: number; sumw: number; n: number } {
  let sw = 0;
  let swx = 0;
  let n = 0;
  for (let j = 0; j < rows.length; j++) {
    const v = x[rows[j]];
    if (Number.isNaN(v)) continue;
    sw += w[j];
    swx += w[j] * v;
    n += 1;
  }
  if (n === 0) return { mean: 0, std: 0, sumw: 0, n: 0 };
  let mean = swx / sw;
  let sxx = 0;
  for (let j = 0; j < rows.length; j++) {
    const v = x[rows[j]];
    if (!Number.isNaN(v)) sxx += w[j] * (v - mean) * (v - mean);
  }
  let variance = sxx / sw;
  // Negative weights can leave the weighted moments meaningless (a total ≤ 0, a variance < 0):
  // then the plain moments of the same values serve, as scaling only conditions the inputs.
  if (!(sw > 0 && Number.isFinite(mean) && variance >= 0 && Number.isFinite(variance))) {
    let s = 0;
    for (let j = 0; j < rows.length; j++) if (!Number.isNaN(x[rows[j]])) s += x[rows[j]];
    mean = s / n;
    let ss = 0;
    for (let j = 0; j < rows.length; j++) {
      const v = x[rows[j]];
      if (!Number.isNaN(v)) ss += (v - mean) * (v - mean);
    }
    variance = ss / n;
  }
  return { mean, std: Math.sqrt(variance), sumw: sw, n };
}

/**
 * Fits one feature's scaler. `rows` index `x`; `w[j]` is the training weight of `rows[j]`.
 */
export function fitScaler(scaling: Scaling, x: ArrayLike<number>, rows: ArrayLike<number>, w: ArrayLike<number>): FittedScaler {
  const id = { fn: "identity" as const, a: 1, b: 0, lo: -Infinity, hi: Infinity };
  switch (scaling.kind) {
    case "normal": {
      const m = weightedMoments(x, rows, w);
      // A constant feature (σ = 0) is only shifted: dividing would make it infinite.
      const a = m.std > 0 ? 1 / m.std : 1;
      const clip = scaling.clip;
      return { kind: "normal", fn: "identity", a, b: -m.mean * a, lo: clip ? -clip : -Infinity, hi: clip ? clip : Infinity, fitted: { mean: m.mean, std: m.std, sumw: m.sumw, n: m.n } };
    }
    case "linear": {
      const lo = scaling.low!;
      const hi = scaling.high!;
      return { ...id, kind: "linear", a: 1 / (hi - lo), b: -lo / (hi - lo) };
    }
    case "log":
      return { ...id, kind: "log", fn: "log" };
    case "categorical":
      return { ...id, kind: "categorical" };
    case "manual": {
      const scale = scaling.scale ?? 1;
      const shift = scaling.shift ?? 0;
      return { ...id, kind: "manual", a: scale, b: -shift * scale, lo: scaling.low ?? -Infinity, hi: scaling.high ?? Infinity };
    }
    default:
      return { ...id, kind: "none" };
  }
}

/** One value through a fitted scaler, in double precision. */
export function scaleValue(s: FittedScaler, x: number): number {
  const f = s.fn === "log" ? Math.log(Math.max(x, LOG_FLOOR)) : x;
  const y = s.a * f + s.b;
  // Comparisons with NaN are false: a missing value stays missing.
  return y < s.lo ? s.lo : y > s.hi ? s.hi : y;
}

/** Scales `rows` of `x` into a Float32 column. */
export function scaleRows(s: FittedScaler, x: ArrayLike<number>, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length);
  const { a, b, lo, hi } = s;
  // The same arithmetic as scaleValue, in loops the engine keeps monomorphic (this is most of the
  // preparation's time on large inputs).
  if (s.fn === "log") {
    for (let j = 0; j < rows.length; j++) {
      const y = a * Math.log(Math.max(x[rows[j]], LOG_FLOOR)) + b;
      out[j] = y < lo ? lo : y > hi ? hi : y;
    }
  } else if (lo === -Infinity && hi === Infinity) {
    for (let j = 0; j < rows.length; j++) out[j] = a * x[rows[j]] + b;
  } else {
    for (let j = 0; j < rows.length; j++) {
      const y = a * x[rows[j]] + b;
      out[j] = y < lo ? lo : y > hi ? hi : y;
    }
  }
  return out;
}

/**
 * Applies fitted scalers to whole columns (one per feature, in the features' order): how every
 * event is scored later, with the scalers stored with a fold's model.
 */
export function applyScalers(columns: ArrayLike<number>[], scalers: FittedScaler[]): Float32Array[] {
  if (columns.length !== scalers.length) throw new Error(`hepc internal: ${columns.length} feature columns for ${scalers.length} scalers`);
  return columns.map((c, f) => {
    const out = new Float32Array(c.length);
    for (let i = 0; i < c.length; i++) out[i] = scaleValue(scalers[f], c[i]);
    return out;
  });
}
