/**
 * Working points: the score threshold that gives a target signal efficiency.
 *
 * Definition: walking the distinct scores from the highest down, the first threshold t with
 * ε_s(score ≥ t) ≥ target: the tightest cut keeping at least the target (no interpolation, so the
 * threshold is a score that occurs and the efficiency reported is the one achieved, ≥ target).
 * With negative weights ε_s may not be monotonic; the first crossing from the top is taken.
 *
 * - Overall: on all events given.
 * - Flat in bins: the same target in every bin of a variable (or two), a threshold per bin, each
 *   from that bin's events (as tau identification derives them).
 * - With a cross requirement (TauMLTools' derive_wp): only events passing another discriminator's
 *   threshold (score_other ≥ t_other) are used, so the target is the efficiency relative to the
 *   events the other working point keeps; the efficiency relative to all signal is reported too.
 *
 * A target outside (0, 1) is an error (HEP6052); a target no threshold reaches (no signal, a
 * total signal weight ≤ 0) gives null with the reason and a warning (HEP6053).
 */
import { binaryCurve, type BinaryCurve } from "./curve.js";
import { issue, type EvalIssue } from "./issues.js";
import { partition, restrict } from "./order.js";
import { undefinedFigure, type Undefined } from "./types.js";

export interface WorkingPointSpec {
  name: string;
  /** Target signal efficiency in (0, 1). */
  target: number;
}

export interface Threshold {
  threshold: number;
  /** Achieved signal efficiency (≥ target) on the events used. */
  signalEfficiency: number;
  /** Background efficiency at that threshold on the events used (null without background). */
  backgroundEfficiency: number | null;
}

export interface CrossRequirement {
  /** The other discriminator's name and working point, for the record. */
  name: string;
  score: Float64Array;
  threshold: number;
}

export interface WorkingPoint {
  name: string;
  target: number;
  /** Overall, or null with why. */
  overall: Threshold | Undefined;
  /** Per flattened bin when flat in bins. */
  bins?: (Threshold | Undefined)[];
  given?: { name: string; threshold: number; signalEfficiency: number | null };
  issues: EvalIssue[];
}

/** The working point on a curve, or null with the reason. */
export function thresholdFor(c: BinaryCurve, target: number): Threshold | Undefined {
  if (c.nS === 0) return undefinedFigure("no signal events");
  if (!(c.totalS > 0)) return undefinedFigure(`total signal weight ${c.totalS} is not positive`);
  for (let k = 0; k < c.thresholds.length; k++) {
    const eff = c.tp[k] / c.totalS;
    if (eff >= target) {
      return { threshold: c.thresholds[k], signalEfficiency: eff, backgroundEfficiency: c.totalB > 0 ? c.fp[k] / c.totalB : null };
    }
  }
  return undefinedFigure(`no threshold reaches signal efficiency ${target}`);
}

export interface WorkingPointInput {
  score: Float64Array;
  weight: Float64Array;
  /** Events ranked by decreasing score (the events evaluated). */
  order: Uint32Array;
  /** The curve of `order` when the caller has it already (from rankedCurve); not used with `given`. */
  curve?: BinaryCurve;
  isSignal: (i: number) => boolean;
  /**
   * Flat in bins: the flattened bin per event and the number of bins, and the bins' curves when
   * the caller has them already (evaluateModel's bin sections; not used with `given`).
   */
  bins?: { bin: Int32Array; count: number; curves?: BinaryCurve[] };
  given?: CrossRequirement;
  /** Where, for messages (model and region). */
  where: string;
}

export function deriveWorkingPoints(input: WorkingPointInput, specs: WorkingPointSpec[]): WorkingPoint[] {
  const { score, weight, isSignal } = input;
  let order = input.order;
  let givenEff: number | null = null;
  if (input.given) {
    const g = input.given;
    let all = 0, kept = 0;
    for (const i of order) if (isSignal(i)) { all += weight[i]; if (g.score[i] >= g.threshold) kept += weight[i]; }
    givenEff = all > 0 ? kept / all : null;
    order = restrict(order, (i) => g.score[i] >= g.threshold);
  }
  const overallCurve = input.curve && !input.given ? input.curve : binaryCurve(score, weight, order, isSignal);
  const bins = input.bins;
  const binCurves = !bins ? null : bins.curves && !input.given ? bins.curves : partition(order, bins.bin, bins.count).map((o) => binaryCurve(score, weight, o, isSignal));
  return specs.map((spec) => {
    const wp: WorkingPoint = { name: spec.name, target: spec.target, overall: undefinedFigure(""), issues: [] };
    if (input.given) wp.given = { name: input.given.name, threshold: input.given.threshold, signalEfficiency: givenEff };
    if (!(spec.target > 0 && spec.target < 1)) {
      wp.issues.push(issue("HEP6052", { name: spec.name, target: spec.target }));
      wp.overall = undefinedFigure(`target ${spec.target} is outside (0, 1)`);
      if (binCurves) wp.bins = binCurves.map(() => undefinedFigure(`target ${spec.target} is outside (0, 1)`));
      return wp;
    }
    wp.overall = thresholdFor(overallCurve, spec.target);
    if ("reason" in wp.overall) wp.issues.push(issue("HEP6053", { name: spec.name, target: spec.target, where: input.where }));
    if (binCurves) {
      wp.bins = binCurves.map((c, b) => {
        const t = thresholdFor(c, spec.target);
        if ("reason" in t) wp.issues.push(issue("HEP6053", { name: spec.name, target: spec.target, where: `${input.where}, bin ${b}` }));
        return t;
      });
    }
    return wp;
  });
}
