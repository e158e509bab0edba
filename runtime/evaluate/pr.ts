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
  precision: Float64Array;
  recall: Float64Array;
  thresholds: Float64Array;
}

function undefinedPr(c: BinaryCurve): Undefined | null {
  if (c.nS === 0) return undefinedFigure("no signal events");
  if (!(c.totalS > 0)) return undefinedFigure(`total signal weight ${c.totalS} is not positive`);
  return null;
}

export function precisionRecall(c: BinaryCurve): PrecisionRecall | Undefined {
  const bad = undefinedPr(c);
  if (bad) return bad;
  const m = c.thresholds.length;
  const precision = new Float64Array(m);
  const recall = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const ps = c.tp[k] + c.fp[k];
    precision[k] = ps !== 0 ? c.tp[k] / ps : 0;
    recall[k] = c.tp[k] / c.totalS;
  }
  // the curve's thresholds, shared, not copied: curves are read, never written (curve.ts)
  return { precision, recall, thresholds: c.thresholds };
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
