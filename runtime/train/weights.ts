/**
 * Training weights, fitted on a set of reference rows (a fold's training part) and then applied to
 * any row. In order:
 *   base      = the event weight, then the negative-weight policy (keep, abs, or 0 when dropped)
 *   × factor  = the reweighting factor of the row's group and bin (1 without reweighting)
 *   × balance = 1 / (the class's total of base × factor over the reference rows), with balancing
 *   × the class weight
 *   × norm    = one number making the mean of the non-zero weights over the reference rows 1.
 * The last three are one multiplier per class, so a weight model is the factor table plus one
 * number per class.
 */
import type { Table } from "./gather.js";
import { Problems, num } from "./problems.js";
import { fitReweight } from "./reweight.js";
import type { Settings } from "./spec.js";

export interface WeightModel {
  /** per reweighting group, per bin; null without reweighting */
  factors: Float64Array[] | null;
  /** per class */
  classMult: Float64Array;
}

/** The event weights after the negative-weight policy; an error for a weight that is not finite. */
export function baseWeights(t: Table, s: Settings, problems: Problems): Float64Array | null {
  const out = new Float64Array(t.n);
  const reported = new Set<number>();
  for (let i = 0; i < t.n; i++) {
    const w = t.weight[i];
    if (!Number.isFinite(w)) {
      if (!reported.has(t.sample[i])) problems.add("HEP6018", { detail: `sample '${s.samples[t.sample[i]]}': the event weight is ${num(w)} at entry ${t.entry[i]}` });
      reported.add(t.sample[i]);
      continue;
    }
    out[i] = w >= 0 ? w : s.negative === "keep" ? w : s.negative === "abs" ? -w : 0;
  }
  return reported.size > 0 ? null : out;
}

export function rowFactor(m: WeightModel, s: Settings, t: Table, bins: Int32Array | null, i: number): number {
  if (!m.factors) return 1;
  const b = bins![i];
  return b < 0 ? 0 : m.factors[s.reweight!.groupOf[t.label[i]]][b];
}

export function rowWeight(m: WeightModel, s: Settings, t: Table, base: Float64Array, bins: Int32Array | null, i: number): number {
  return base[i] * rowFactor(m, s, t, bins, i) * m.classMult[t.label[i]];
}

/**
 * Fits the weights on `rows`; `where` names them in messages ("the training events", "fold 2's
 * training events"). Bin warnings go to `binWarnings` when given (once, for the pooled fit).
 */
export function fitWeights(
  s: Settings,
  t: Table,
  rows: Int32Array,
  base: Float64Array,
  bins: Int32Array | null,
  where: string,
  problems: Problems,
  binWarnings: Problems | null,
): WeightModel | null {
  const factors = s.reweight ? fitReweight(s, t, rows, base, bins!, binWarnings) : null;
  const K = s.classes.length;
  const model: WeightModel = { factors, classMult: new Float64Array(K).fill(1) };
  const totals = new Float64Array(K);
  for (let j = 0; j < rows.length; j++) {
    const i = rows[j];
    totals[t.label[i]] += base[i] * rowFactor(model, s, t, bins, i);
  }
  if (s.balance) {
    let bad = false;
    for (let k = 0; k < K; k++) {
      if (!(totals[k] > 0)) {
        problems.add("HEP6018", { detail: `class '${s.classes[k]}' has a total weight of ${num(totals[k])} in ${where}, so it cannot be balanced${s.reweight ? " (after reweighting)" : ""}` });
        bad = true;
      } else model.classMult[k] = 1 / totals[k];
    }
    if (bad) return null;
  }
  for (let k = 0; k < K; k++) model.classMult[k] *= s.classWeights[k];
  let sum = 0;
  let nonzero = 0;
  for (let j = 0; j < rows.length; j++) {
    const w = rowWeight(model, s, t, base, bins, rows[j]);
    sum += w;
    if (w !== 0) nonzero += 1;
  }
  if (!(sum > 0)) {
    problems.add("HEP6018", { detail: `the weights of ${where} sum to ${num(sum)}; they must sum to a positive number` });
    return null;
  }
  const norm = nonzero / sum;
  for (let k = 0; k < K; k++) model.classMult[k] *= norm;
  return model;
}
