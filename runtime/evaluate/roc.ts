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
  readonly fpr: Float64Array;
  /** Signal efficiency ε_s per point. */
  readonly tpr: Float64Array;
  /** The threshold of each point (score >= threshold); +Infinity for the first point. */
  readonly thresholds: Float64Array;
}

/**
 * The ROC of a curve, its efficiencies divided out when first read. Why: what an evaluation does
 * with a ROC (rejection and efficiencies read off it, the area, metrics.json's thinned curve) reads
 * a few points or one pass, and 10M events have ~8M points: 128 MB of fresh arrays and ~0.1 s
 * (bench/evaluate.ts) for arrays that nothing kept. The readers below work on the curve directly,
 * with the same division per point, so every figure has the bits the arrays would give.
 */
class CurveRoc implements Roc {
  private f: Float64Array | null = null;
  private t: Float64Array | null = null;
  private th: Float64Array | null;
  constructor(readonly curve: BinaryCurve) {
    this.th = curve.withInfinity ?? null;
  }
  /** Points, (0, 0) included. */
  get length(): number {
    return this.curve.thresholds.length + 1;
  }
  get fpr(): Float64Array {
    return (this.f ??= divided(this.curve.fp, this.curve.totalB));
  }
  get tpr(): Float64Array {
    return (this.t ??= divided(this.curve.tp, this.curve.totalS));
  }
  get thresholds(): Float64Array {
    if (!this.th) {
      this.th = new Float64Array(this.length);
      this.th[0] = Infinity;
      this.th.set(this.curve.thresholds, 1);
    }
    return this.th;
  }
}

/** [0, x_0 / total, x_1 / total, …]: ROC coordinates from cumulative sums. */
function divided(x: Float64Array, total: number): Float64Array {
  const out = new Float64Array(x.length + 1);
  for (let k = 0; k < x.length; k++) out[k + 1] = x[k] / total;
  return out;
}

/** Why a curve of this split has no meaning, or null when it has one. */
export function undefinedCurve(c: BinaryCurve): Undefined | null {
  if (c.nS === 0) return undefinedFigure("no signal events");
  if (c.nB === 0) return undefinedFigure("no background events");
  if (!(c.totalS > 0)) return undefinedFigure(`total signal weight ${c.totalS} is not positive`);
  if (!(c.totalB > 0)) return undefinedFigure(`total background weight ${c.totalB} is not positive`);
  return null;
}

/** The ROC of a curve (its arrays made when first read: CurveRoc), or why it has none. */
export function roc(c: BinaryCurve): Roc | Undefined {
  const bad = undefinedCurve(c);
  if (bad) return bad;
  return new CurveRoc(c);
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

/**
 * readAt on a curve's ROC without its arrays: x = xs / xTotal and y = ys / yTotal per point, the
 * point (0, 0) in front, each the division the arrays would hold.
 */
function readCurveAt(xs: Float64Array, xTotal: number, ys: Float64Array, yTotal: number, target: number): number | null {
  let x0 = 0, y0 = 0;
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k] / xTotal;
    if (x >= target) {
      const dx = x - x0;
      const f = dx > 0 ? (target - x0) / dx : 1;
      return y0 + f * (ys[k] / yTotal - y0);
    }
    x0 = x;
    y0 = ys[k] / yTotal;
  }
  return null;
}

/** Background efficiency at a signal efficiency (interpolated linearly in ε_s between ROC points). */
export function backgroundEfficiencyAt(r: Roc | Undefined, signalEff: number): Figure {
  if ("value" in r) return r;
  if (!(signalEff > 0 && signalEff <= 1)) return undefinedFigure(`signal efficiency ${signalEff} is outside (0, 1]`);
  const eb = r instanceof CurveRoc ? readCurveAt(r.curve.tp, r.curve.totalS, r.curve.fp, r.curve.totalB, signalEff) : readAt(r.tpr, r.fpr, signalEff);
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
  const es = r instanceof CurveRoc ? readCurveAt(r.curve.fp, r.curve.totalB, r.curve.tp, r.curve.totalS, backgroundEff) : readAt(r.fpr, r.tpr, backgroundEff);
  return es === null ? undefinedFigure(`no threshold reaches background efficiency ${backgroundEff}`) : es;
}

/**
 * The points a plot needs: sklearn's drop_intermediate rule (a point is dropped where both
 * cumulative sums are straight through it: second differences zero), the first and last kept.
 * The area is unchanged by it.
 */
export function dropIntermediate(r: Roc): Roc {
  // a curve's ROC is read point by point (x_k = sums[k − 1] / total, 0 at k = 0), not made whole
  const c = r instanceof CurveRoc ? r.curve : null;
  let x: Float64Array, y: Float64Array, th: Float64Array, shift: number;
  if (c) [x, y, th, shift] = [c.fp, c.tp, c.thresholds, 1];
  else [x, y, th, shift] = [r.fpr, r.tpr, r.thresholds, 0];
  const xTotal = c ? c.totalB : 1, yTotal = c ? c.totalS : 1;
  const m = x.length + shift;
  // point k of the ROC; the arrays' own values where there are arrays (a division by 1 is exact)
  const xAt = (k: number) => (k < shift ? 0 : x[k - shift] / xTotal);
  const yAt = (k: number) => (k < shift ? 0 : y[k - shift] / yTotal);
  const keep = new Uint32Array(m);
  let kept = 0;
  let x0 = 0, y0 = 0, x1 = m > 0 ? xAt(0) : 0, y1 = m > 0 ? yAt(0) : 0;
  for (let k = 0; k < m; k++) {
    const last = k === m - 1;
    const x2 = last ? 0 : x[k + 1 - shift] / xTotal, y2 = last ? 0 : y[k + 1 - shift] / yTotal;
    if (k === 0 || last || x2 - 2 * x1 + x0 !== 0 || y2 - 2 * y1 + y0 !== 0) keep[kept++] = k;
    x0 = x1; y0 = y1; x1 = x2; y1 = y2;
  }
  const fpr = new Float64Array(kept), tpr = new Float64Array(kept), thresholds = new Float64Array(kept);
  for (let q = 0; q < kept; q++) {
    const k = keep[q];
    fpr[q] = xAt(k);
    tpr[q] = yAt(k);
    thresholds[q] = k < shift ? Infinity : th[k - shift];
  }
  return { fpr, tpr, thresholds };
}
