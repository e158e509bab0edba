/**
 * Expected significance of a selection with s signal and b background events (weighted sums,
 * in the units the weights carry: events at the analysis luminosity):
 *
 * - s/√b; s/√(s+b);
 * - the Asimov significance (Cowan, Cranmer, Gross, Vitells, Eur. Phys. J. C 71 (2011) 1554):
 *   Z_A = √(2[(s+b) ln(1+s/b) − s]); with a background uncertainty σ_b = r·b (r the relative
 *   uncertainty):
 *   Z_A = √(2[(s+b) ln((s+b)(b+σ²)/(b²+(s+b)σ²)) − (b²/σ²) ln(1 + σ²s/(b(b+σ²)))]),
 *   computed with log1p of the algebraically equal arguments sb/(b²+(s+b)σ²) and σ²s/(b(b+σ²)),
 *   so that s ≪ b keeps its digits; a rounding-negative radicand is taken as 0. For s < 0 (a
 *   deficit, possible with negative weights) the value carries the sign of s.
 *
 * Undefined (null with a reason, never NaN or Infinity): b ≤ 0 for s/√b and Z_A; s + b ≤ 0 for
 * s/√(s+b).
 */
import type { BinaryCurve } from "./curve.js";
import { undefinedFigure, type Figure } from "./types.js";

export type SignificanceKind = "s_sqrt_b" | "s_sqrt_s_b" | "asimov";

export function sOverSqrtB(s: number, b: number): Figure {
  return b > 0 ? s / Math.sqrt(b) : undefinedFigure(`background ${b} is not positive`);
}

export function sOverSqrtSB(s: number, b: number): Figure {
  return s + b > 0 ? s / Math.sqrt(s + b) : undefinedFigure(`s + b = ${s + b} is not positive`);
}

/** Asimov Z with an optional relative background uncertainty (σ_b = relUnc · b). */
export function asimovZ(s: number, b: number, relUnc = 0): Figure {
  if (!(b > 0)) return undefinedFigure(`background ${b} is not positive`);
  if (!(relUnc >= 0)) return undefinedFigure(`relative background uncertainty ${relUnc} is negative`);
  if (s + b <= 0) return undefinedFigure(`s + b = ${s + b} is not positive`);
  let q: number;
  if (relUnc === 0) q = (s + b) * Math.log1p(s / b) - s;
  else {
    const v = (relUnc * b) ** 2;
    q = (s + b) * Math.log1p((s * b) / (b * b + (s + b) * v)) - ((b * b) / v) * Math.log1p((v * s) / (b * (b + v)));
  }
  const z = Math.sqrt(2 * Math.max(q, 0));
  return s < 0 ? -z : z;
}

export function significance(kind: SignificanceKind, s: number, b: number, relUnc = 0): Figure {
  return kind === "s_sqrt_b" ? sOverSqrtB(s, b) : kind === "s_sqrt_s_b" ? sOverSqrtSB(s, b) : asimovZ(s, b, relUnc);
}

export interface SignificanceScan {
  kind: SignificanceKind;
  relUnc: number;
  /** Per distinct threshold (score >= threshold), decreasing. */
  thresholds: Float64Array;
  /**
   * The figure at threshold k, NaN where undefined (no figure is NaN otherwise), computed when
   * asked: a section's scans are read at a few hundred points (the thinned curve of metrics.json),
   * and holding every point's value cost three arrays as long as the curve per section, ~1 GB of
   * fresh memory for a 2M-event evaluation in 20 bins.
   */
  valueAt(k: number): number;
  /** The largest defined value (the highest threshold among equals), or why there is none. */
  best: { threshold: number; value: number; s: number; b: number } | { value: null; reason: string };
}

export interface ScanOptions {
  relUnc?: number;
  /** Only thresholds keeping at least this much background weight count for `best` (default: any b > 0). */
  minBackground?: number;
}

/** Significance at a given threshold (score >= threshold), from the cumulative curve. */
export function significanceAt(c: BinaryCurve, threshold: number, kind: SignificanceKind, relUnc = 0): Figure {
  // the last distinct score still >= threshold; thresholds are decreasing
  let k = -1;
  for (let j = 0; j < c.thresholds.length && c.thresholds[j] >= threshold; j++) k = j;
  const s = k < 0 ? 0 : c.tp[k], b = k < 0 ? 0 : c.fp[k];
  return significance(kind, s, b, relUnc);
}

/**
 * A kind's figure as a number, NaN where it is undefined: the same arithmetic as its function,
 * whose conditions it tests first (no reason string is built per point).
 */
function numeric(kind: SignificanceKind, relUnc: number): (s: number, b: number) => number {
  if (kind === "s_sqrt_b") return (s, b) => (b > 0 ? s / Math.sqrt(b) : NaN);
  if (kind === "s_sqrt_s_b") return (s, b) => (s + b > 0 ? s / Math.sqrt(s + b) : NaN);
  return (s, b) => {
    if (!(b > 0 && relUnc >= 0 && s + b > 0)) return NaN;
    return asimovZ(s, b, relUnc) as number;
  };
}

/**
 * The first point of the largest value (NaN > x is false: undefined points never win), among
 * points keeping at least minB background. One loop per kind with its arithmetic written out:
 * through `numeric`'s closure, the three scans of every section took ~0.8 s for 10M events in 20
 * bins. The values are `numeric`'s, bit for bit (the same operations in the same order).
 */
function bestPoint(kind: SignificanceKind, relUnc: number, tp: Float64Array, fp: Float64Array, minB: number): number {
  let bestK = -1, bestV = -Infinity;
  const m = tp.length;
  if (kind === "s_sqrt_b") {
    for (let k = 0; k < m; k++) {
      const s = tp[k], b = fp[k];
      const v = b > 0 ? s / Math.sqrt(b) : NaN;
      if (v > bestV && b >= minB) { bestV = v; bestK = k; }
    }
  } else if (kind === "s_sqrt_s_b") {
    for (let k = 0; k < m; k++) {
      const s = tp[k], b = fp[k];
      const v = s + b > 0 ? s / Math.sqrt(s + b) : NaN;
      if (v > bestV && b >= minB) { bestV = v; bestK = k; }
    }
  } else if (relUnc === 0) {
    // asimovZ without an uncertainty, its logarithm only where the point can win: for s ≥ 0,
    // Z_A ≤ s/√b ((1+x)ln(1+x) − x ≤ x²/2, x = s/b), so a point whose s/√b (with a margin far
    // above rounding) is not above the best so far is passed over; the values that are computed,
    // and so the point found, are the same
    for (let k = 0; k < m; k++) {
      const s = tp[k], b = fp[k];
      if (!(b > 0 && s + b > 0) || !(b >= minB)) continue;
      if (s >= 0 && (s / Math.sqrt(b)) * (1 + 1e-9) <= bestV) continue;
      const z = Math.sqrt(2 * Math.max((s + b) * Math.log1p(s / b) - s, 0));
      const v = s < 0 ? -z : z;
      if (v > bestV) { bestV = v; bestK = k; }
    }
  } else {
    const z = numeric(kind, relUnc);
    for (let k = 0; k < m; k++) {
      const v = z(tp[k], fp[k]);
      if (v > bestV && fp[k] >= minB) { bestV = v; bestK = k; }
    }
  }
  return bestK;
}

export function significanceScan(c: BinaryCurve, kind: SignificanceKind, opts: ScanOptions = {}): SignificanceScan {
  const relUnc = opts.relUnc ?? 0;
  const minB = opts.minBackground ?? 0;
  const z = numeric(kind, relUnc);
  const { tp, fp, thresholds } = c;
  let best: SignificanceScan["best"] = undefinedFigure("no threshold gives a defined significance");
  const bestK = bestPoint(kind, relUnc, tp, fp, minB);
  const bestV = bestK >= 0 ? z(tp[bestK], fp[bestK]) : NaN;
  if (bestK >= 0) best = { threshold: thresholds[bestK], value: bestV, s: tp[bestK], b: fp[bestK] };
  // the curve's arrays, shared by the three kinds' scans, not copied (curves are read, never written)
  return { kind, relUnc, thresholds, valueAt: (k) => z(tp[k], fp[k]), best };
}
