/**
 * The ROC curve (signal efficiency against background efficiency over every distinct threshold,
 * from the point (0, 0) above the highest score), its area by the trapezoidal rule, and the
 * figures read off it by linear interpolation between its points.
 *
 * This is the curve sklearn's roc_curve(drop_intermediate=False) gives and the area its
 * roc_auc_score gives with sample weights. With negative weights a cumulative sum may decrease;
 * the points are reported as they are and the area is the signed trapezoidal sum (sklearn
 * refuses a background efficiency that is not monotonic; this library does not).
 */
import type { BinaryCurve } from "./curve.js";
import { undefinedFigure, type Figure, type Undefined } from "./types.js";

export interface Roc {
  /** Background efficiency ε_b per point, the first point (0, 0). */
  fpr: Float64Array;
  /** Signal efficiency ε_s per point. */
  tpr: Float64Array;
  /** The threshold of each point (score >= threshold); +Infinity for the first point. */
  thresholds: Float64Array;
}

/** Why a curve of this split has no meaning, or null when it has one. */
export function undefinedCurve(c: BinaryCurve): Undefined | null {
  if (c.nS === 0) return undefinedFigure("no signal events");
  if (c.nB === 0) return undefinedFigure("no background events");
  if (!(c.totalS > 0)) return undefinedFigure(`total signal weight ${c.totalS} is not positive`);
  if (!(c.totalB > 0)) return undefinedFigure(`total background weight ${c.totalB} is not positive`);
  return null;
}

export function roc(c: BinaryCurve): Roc | Undefined {
  const bad = undefinedCurve(c);
  if (bad) return bad;
  const m = c.thresholds.length;
  const fpr = new Float64Array(m + 1);
  const tpr = new Float64Array(m + 1);
  const fp = c.fp, tp = c.tp, totalB = c.totalB, totalS = c.totalS;
  for (let k = 0; k < m; k++) {
    fpr[k + 1] = fp[k] / totalB;
    tpr[k + 1] = tp[k] / totalS;
  }
  let th = c.withInfinity;
  if (!th) {
    th = new Float64Array(m + 1);
    th[0] = Infinity;
    th.set(c.thresholds, 1);
  }
  return { fpr, tpr, thresholds: th };
}

/** Area under the ROC curve, trapezoidal over every point (signed when ε_b goes back). */
export function auc(c: BinaryCurve): Figure {
  const bad = undefinedCurve(c);
  if (bad) return bad;
  let area = 0;
  let x0 = 0, y0 = 0;
  for (let k = 0; k < c.thresholds.length; k++) {
    const x = c.fp[k] / c.totalB;
    const y = c.tp[k] / c.totalS;
    area += (x - x0) * (y + y0);
    x0 = x;
    y0 = y;
  }
  return area / 2;
}

/**
 * Interpolates `yOf` at the first point (from the top of the ranking down) where `xOf` reaches
 * `target`, linearly between that point and the one before it.
 */
function readAt(xs: Float64Array, ys: Float64Array, target: number): number | null {
  for (let k = 1; k < xs.length; k++) {
    if (xs[k] >= target) {
      const dx = xs[k] - xs[k - 1];
      const f = dx > 0 ? (target - xs[k - 1]) / dx : 1;
      return ys[k - 1] + f * (ys[k] - ys[k - 1]);
    }
  }
  return null;
}

/** Background efficiency at a signal efficiency (interpolated linearly in ε_s between ROC points). */
export function backgroundEfficiencyAt(r: Roc | Undefined, signalEff: number): Figure {
  if ("value" in r) return r;
  if (!(signalEff > 0 && signalEff <= 1)) return undefinedFigure(`signal efficiency ${signalEff} is outside (0, 1]`);
  const eb = readAt(r.tpr, r.fpr, signalEff);
  return eb === null ? undefinedFigure(`no threshold reaches signal efficiency ${signalEff}`) : eb;
}

/** Background rejection 1/ε_b at a signal efficiency; null when no background passes there. */
export function rejectionAt(r: Roc | Undefined, signalEff: number): Figure {
  const eb = backgroundEfficiencyAt(r, signalEff);
  if (typeof eb !== "number") return eb;
  if (!(eb > 0)) return undefinedFigure(`background efficiency ${eb} at signal efficiency ${signalEff}: rejection is unbounded`);
  return 1 / eb;
}

/** Signal efficiency at a background efficiency (interpolated linearly in ε_b between ROC points). */
export function signalEfficiencyAt(r: Roc | Undefined, backgroundEff: number): Figure {
  if ("value" in r) return r;
  if (!(backgroundEff > 0 && backgroundEff <= 1)) return undefinedFigure(`background efficiency ${backgroundEff} is outside (0, 1]`);
  const es = readAt(r.fpr, r.tpr, backgroundEff);
  return es === null ? undefinedFigure(`no threshold reaches background efficiency ${backgroundEff}`) : es;
}

/**
 * The points a plot needs: sklearn's drop_intermediate rule (a point is dropped where both
 * cumulative sums are straight through it: second differences zero), the first and last kept.
 * The area is unchanged by it.
 */
export function dropIntermediate(r: Roc): Roc {
  const m = r.fpr.length;
  const keep: number[] = [];
  for (let k = 0; k < m; k++) {
    if (k === 0 || k === m - 1) keep.push(k);
    else {
      const d2x = r.fpr[k + 1] - 2 * r.fpr[k] + r.fpr[k - 1];
      const d2y = r.tpr[k + 1] - 2 * r.tpr[k] + r.tpr[k - 1];
      if (d2x !== 0 || d2y !== 0) keep.push(k);
    }
  }
  const pick = (a: Float64Array) => Float64Array.from(keep, (k) => a[k]);
  return { fpr: pick(r.fpr), tpr: pick(r.tpr), thresholds: pick(r.thresholds) };
}
