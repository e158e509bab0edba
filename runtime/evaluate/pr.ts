/**
 * The precision–recall curve and average precision, as sklearn defines them with sample weights:
 * at each distinct threshold (from the highest score down) precision = tp / (tp + fp), taken as
 * 0 where tp + fp = 0, and recall = tp / (total signal). Average precision is the step sum
 * Σ (R_k − R_{k−1}) · P_k with R_{−1} = 0 (no interpolation).
 */
import type { BinaryCurve } from "./curve.js";
import { undefinedFigure, type Figure, type Undefined } from "./types.js";

export interface PrecisionRecall {
  /** Per threshold, recall increasing as the threshold falls. */
  readonly precision: Float64Array;
  readonly recall: Float64Array;
  readonly thresholds: Float64Array;
}

function undefinedPr(c: BinaryCurve): Undefined | null {
  if (c.nS === 0) return undefinedFigure("no signal events");
  if (!(c.totalS > 0)) return undefinedFigure(`total signal weight ${c.totalS} is not positive`);
  return null;
}

/**
 * A curve's precision–recall curve, its arrays made when first read, as roc.ts's CurveRoc and for
 * the same reason: an evaluation reads it at metrics.json's thinned points (`precisionAt`,
 * `recallAt`), and two arrays as long as the curve per section were ~250 MB of fresh memory for
 * 10M events in 20 bins. The readers and the arrays do the same arithmetic per point.
 */
export class CurvePr implements PrecisionRecall {
  private p: Float64Array | null = null;
  private r: Float64Array | null = null;
  constructor(readonly curve: BinaryCurve) {}
  get length(): number {
    return this.curve.thresholds.length;
  }
  precisionAt(k: number): number {
    const ps = this.curve.tp[k] + this.curve.fp[k];
    return ps !== 0 ? this.curve.tp[k] / ps : 0;
  }
  recallAt(k: number): number {
    return this.curve.tp[k] / this.curve.totalS;
  }
  get precision(): Float64Array {
    return (this.p ??= Float64Array.from({ length: this.length }, (_, k) => this.precisionAt(k)));
  }
  get recall(): Float64Array {
    return (this.r ??= Float64Array.from({ length: this.length }, (_, k) => this.recallAt(k)));
  }
  /** The curve's thresholds, shared, not copied: curves are read, never written (curve.ts). */
  get thresholds(): Float64Array {
    return this.curve.thresholds;
  }
}

export function precisionRecall(c: BinaryCurve): PrecisionRecall | Undefined {
  const bad = undefinedPr(c);
  if (bad) return bad;
  return new CurvePr(c);
}

export function averagePrecision(c: BinaryCurve): Figure {
  const bad = undefinedPr(c);
  if (bad) return bad;
  let ap = 0;
  let r0 = 0;
  for (let k = 0; k < c.thresholds.length; k++) {
    const ps = c.tp[k] + c.fp[k];
    const p = ps !== 0 ? c.tp[k] / ps : 0;
    const r = c.tp[k] / c.totalS;
    ap += (r - r0) * p;
    r0 = r;
  }
  return ap;
}
