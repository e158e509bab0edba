/**
 * Efficiency in bins of a variable: for the events of one class, the weighted fraction passing a
 * requirement (score ≥ threshold, or a threshold per bin), per bin, with its Clopper–Pearson
 * interval (effective entries for weights: see clopper-pearson.ts). One pass over the events:
 * sums per bin, no sorting. A bin with no events of the class is reported as such (null with the
 * reason), never NaN.
 */
import { weightedEfficiency, type Efficiency } from "./clopper-pearson.js";
import type { Undefined } from "./types.js";

export interface BinnedEfficiency {
  /** Per flattened bin. */
  bins: (Efficiency | Undefined)[];
}

/**
 * @param bin flattened bin per event (-1: in none)
 * @param threshold one threshold for all bins, or one per bin (null: no threshold in that bin,
 *   every efficiency there is undefined)
 * @param inClass the events counted (the denominator)
 */
export function efficiencyInBins(
  score: Float64Array, weight: Float64Array, bin: Int32Array, nBins: number, threshold: number | (number | null)[],
  inClass: (i: number) => boolean, events: Uint32Array | null, cl?: number,
): BinnedEfficiency {
  const sw = new Float64Array(nBins), sw2 = new Float64Array(nBins), sp = new Float64Array(nBins);
  const n = new Float64Array(nBins), np = new Float64Array(nBins);
  const per = typeof threshold === "number" ? null : threshold;
  const t0 = typeof threshold === "number" ? threshold : 0;
  const count = events ? events.length : score.length;
  for (let k = 0; k < count; k++) {
    const i = events ? events[k] : k;
    const b = bin[i];
    if (b < 0 || !inClass(i)) continue;
    const w = weight[i];
    sw[b] += w;
    sw2[b] += w * w;
    n[b]++;
    const t = per ? per[b] : t0;
    if (t !== null && score[i] >= t) { sp[b] += w; np[b]++; }
  }
  const bins: (Efficiency | Undefined)[] = [];
  for (let b = 0; b < nBins; b++) {
    if (per && per[b] === null) bins.push({ value: null, reason: "no threshold in this bin" });
    else bins.push(weightedEfficiency(sp[b], sw[b], sw2[b], np[b], n[b], cl));
  }
  return { bins };
}

/**
 * Signal and background efficiencies in bins at once: one pass over the events (the per-bin sums
 * of both classes together), for when both are wanted, as for a working point.
 */
export function classEfficienciesInBins(
  score: Float64Array, weight: Float64Array, bin: Int32Array, nBins: number, threshold: number | (number | null)[],
  isSignal: (i: number) => boolean, events: Uint32Array | null, cl?: number,
): { signal: BinnedEfficiency; background: BinnedEfficiency } {
  // Σw, Σw², Σw passing, events, events passing per [class, bin] (signal bins first): flat
  // arrays, so the pass over the events picks no object per event
  const sw = new Float64Array(2 * nBins), sw2 = new Float64Array(2 * nBins), sp = new Float64Array(2 * nBins);
  const nn = new Float64Array(2 * nBins), np = new Float64Array(2 * nBins);
  const per = typeof threshold === "number" ? null : threshold;
  const t0 = typeof threshold === "number" ? threshold : 0;
  const count = events ? events.length : score.length;
  for (let k = 0; k < count; k++) {
    const i = events ? events[k] : k;
    const b = bin[i];
    if (b < 0) continue;
    const j = isSignal(i) ? b : nBins + b;
    const w = weight[i];
    sw[j] += w;
    sw2[j] += w * w;
    nn[j]++;
    const t = per ? per[b] : t0;
    if (t !== null && score[i] >= t) { sp[j] += w; np[j]++; }
  }
  const sums = [0, nBins].map((o) => ({ sw: sw.subarray(o, o + nBins), sw2: sw2.subarray(o, o + nBins), sp: sp.subarray(o, o + nBins), n: nn.subarray(o, o + nBins), np: np.subarray(o, o + nBins) }));
  const finish = (c: (typeof sums)[number]): BinnedEfficiency => ({
    bins: Array.from({ length: nBins }, (_, b) =>
      per && per[b] === null ? { value: null, reason: "no threshold in this bin" } : weightedEfficiency(c.sp[b], c.sw[b], c.sw2[b], c.np[b], c.n[b], cl)),
  });
  return { signal: finish(sums[0]), background: finish(sums[1]) };
}
