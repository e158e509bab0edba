/**
 * Efficiency in bins of a variable: for the events of one class, the weighted fraction passing a
 * requirement (score ≥ threshold, or a threshold per bin), per bin, with its Clopper–Pearson
 * interval (effective entries for weights: see clopper-pearson.ts). One pass over the events:
 * sums per bin, no sorting. A bin with no events of the class is reported as such (null with the
 * reason), never NaN.
 */
import { weightedEfficiency, type Efficiency } from "./clopper-pearson.js";
import { asSelector, type EventTest } from "./select.js";
import { binSumsInWasm } from "./wasm/efficiency.js";
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
  inClass: EventTest, events: Uint32Array | null, cl?: number,
): BinnedEfficiency {
  return finish(binSums(score, weight, bin, nBins, threshold, inClass, events), 0, nBins, threshold, cl);
}

/**
 * Signal and background efficiencies in bins at once: one pass over the events (the per-bin sums
 * of both classes together), for when both are wanted, as for a working point.
 */
export function classEfficienciesInBins(
  score: Float64Array, weight: Float64Array, bin: Int32Array, nBins: number, threshold: number | (number | null)[],
  isSignal: EventTest, events: Uint32Array | null, cl?: number,
): { signal: BinnedEfficiency; background: BinnedEfficiency } {
  const sums = binSums(score, weight, bin, nBins, threshold, isSignal, events);
  return { signal: finish(sums, 0, nBins, threshold, cl), background: finish(sums, 1, nBins, threshold, cl) };
}

/**
 * Per slot (binSums), 8 numbers: Σw, Σw², events, unused, then Σw of the failing and of the
 * passing events, events failing and passing.
 */
const SLOT = 8;

/**
 * The per-bin sums of the events `firstTest` selects (class 0) and of the others (class 1), in one
 * pass, each sum in the events' order (index order, or `events`' order), as a plain loop adding
 * to the sums of its class and bin would give them bit for bit.
 *
 * Why no branch: which class, which bin, and whether the event passes are close to random from
 * one event to the next, and a mispredicted branch costs ~5 ns on the development machine, so
 * they were most of the 12 ns per event this pass took (10M events: 0.12 s). Each choice is an
 * index instead: slot 1 + b + (nBins + 1)·class, slot 0 of each class taking the events in no
 * bin, and pass or fail one of two places in the slot. A threshold of NaN (no threshold in the
 * bin) passes nothing. A slot's numbers share a cache line (in five arrays, the adds waited on
 * more loads and stores: 66 ms against 95 ms at 10M). The class is read from data (select.ts).
 */
function binSums(
  score: Float64Array, weight: Float64Array, bin: Int32Array, nBins: number, threshold: number | (number | null)[],
  firstTest: EventTest, events: Uint32Array | null,
): Float64Array {
  const { values: first, is } = asSelector(firstTest, score.length);
  const S = nBins + 1;
  const sums = new Float64Array(2 * S * SLOT);
  // per slot b + 1 (slot 0: no bin, no threshold)
  const thr = new Float64Array(S).fill(NaN);
  for (let b = 0; b < nBins; b++) thr[b + 1] = typeof threshold === "number" ? threshold : (threshold[b] ?? NaN);
  // every event in index order: in WebAssembly (wasm/efficiency.c: the same additions), where it serves
  const fast = events === null && bin.length === score.length ? binSumsInWasm(score, weight, bin, nBins, thr, { values: first, is }, sums.length) : null;
  if (fast) return fast;
  const count = events ? events.length : score.length;
  for (let k = 0; k < count; k++) {
    const i = events ? events[k] : k;
    const b = Math.max(bin[i], -1) + 1; // any negative bin is none
    // Number(boolean) compiles to the comparison's 0 or 1; a ternary would be a branch
    const s = (b + S * (1 - Number(first[i] === is))) * SLOT;
    const w = weight[i];
    sums[s] += w;
    sums[s + 1] += w * w;
    sums[s + 2]++;
    const p = s + 4 + Number(score[i] >= thr[b]);
    sums[p] += w;
    sums[p + 2]++;
  }
  return sums;
}

/** The efficiencies of one class (0: the events `first` selected) from binSums. */
function finish(sums: Float64Array, c: 0 | 1, nBins: number, threshold: number | (number | null)[], cl?: number): BinnedEfficiency {
  const per = typeof threshold === "number" ? null : threshold;
  const bins: (Efficiency | Undefined)[] = [];
  for (let b = 0; b < nBins; b++) {
    const s = (1 + b + (nBins + 1) * c) * SLOT;
    if (per && per[b] === null) bins.push({ value: null, reason: "no threshold in this bin" });
    else bins.push(weightedEfficiency(sums[s + 5], sums[s], sums[s + 1], sums[s + 7], sums[s + 2], cl));
  }
  return { bins };
}
