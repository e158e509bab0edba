/**
 * A bootstrap interval for the AUC. Method: Poisson bootstrap: each replicate multiplies every
 * event's weight by an independent Poisson(1) draw (the large-sample limit of multinomial
 * resampling, and independent of how the events are split, so it needs no second pass over a
 * resampled list); the AUC of each replicate is computed on the same ranked order (resampling
 * weights does not change the order); the interval is the percentile interval: the α/2 and
 * 1−α/2 quantiles of the replicate AUCs, linearly interpolated between order statistics (numpy's
 * default). The draws come from the counter-based generator of prng.ts keyed by (seed, replicate,
 * event index), so results depend only on the seed and the events. Replicates whose AUC is
 * undefined (no signal or no background drawn) are left out and counted.
 */
import { rankedColumns } from "./curve.js";
import { POISSON1_CDF, poisson1, uniformAt } from "./prng.js";
import { replicateAucsInWasm } from "./wasm/bootstrap.js";
import { undefinedFigure, type Interval, type Undefined } from "./types.js";

export interface BootstrapOptions {
  /** Number of replicates (default 200). */
  replicates?: number;
  /** Generator seed, a non-negative integer below 2^32 (default 1). */
  seed?: number;
  /** Confidence level of the interval (default 0.6827, ±1σ). */
  cl?: number;
}

export interface BootstrapResult {
  interval: Interval;
  replicates: number;
  /** Replicates left out because their AUC was undefined. */
  skipped: number;
  seed: number;
  method: "poisson-percentile";
}

/**
 * The AUC of weights w·k_i (k_i the replicate's Poisson draws) over ranked columns, signal where
 * `cls[k] === sigIs`: what wasm/bootstrap.c computes for every replicate in one pass, and the path
 * where that declines.
 */
export function replicateAuc(ss: Float64Array, sw: Float64Array, cls: Uint8Array | Int32Array, sigIs: number, order: Uint32Array, seed: number, rep: number): number | null {
  let s = 0, b = 0, sPrev = 0, bPrev = 0, area = 0;
  let prev = NaN;
  let nS = 0, nB = 0;
  for (let k = 0; k < order.length; k++) {
    const w = sw[k];
    if (w === 0) continue;
    const x = ss[k];
    if (x !== prev) {
      area += (b - bPrev) * (s + sPrev);
      sPrev = s;
      bPrev = b;
      prev = x;
    }
    // keyed by the event's index in the input, not its rank: the same draw however it is ranked
    const m = poisson1(uniformAt(seed, rep, order[k]));
    if (m === 0) continue;
    if (cls[k] === sigIs) { s += w * m; nS++; } else { b += w * m; nB++; }
  }
  area += (b - bPrev) * (s + sPrev);
  if (nS === 0 || nB === 0 || !(s > 0) || !(b > 0)) return null;
  return area / (2 * s * b);
}

/** Quantile p of sorted values, interpolated linearly between order statistics. */
export function quantileSorted(sorted: Float64Array, p: number): number {
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

export function bootstrapAuc(
  score: Float64Array, weight: Float64Array, order: Uint32Array, isSignal: (i: number) => boolean, opts: BootstrapOptions = {},
): BootstrapResult | Undefined {
  const { ss, sw, sf } = rankedColumns(score, weight, order, isSignal);
  return bootstrapRanked(ss, sw, sf, 1, order, opts);
}

/**
 * bootstrapAuc of events already in ranked order (dense.ts's layout: score, weight, and the
 * class, signal where `cls[k] === sigIs`), each event's draws keyed by `orig[k]`, its index in the
 * input. Every replicate in one pass in WebAssembly (wasm/bootstrap.c), else one pass each here.
 */
export function bootstrapRanked(
  ss: Float64Array, sw: Float64Array, cls: Uint8Array | Int32Array, sigIs: number, orig: Uint32Array, opts: BootstrapOptions = {},
): BootstrapResult | Undefined {
  const replicates = opts.replicates ?? 200;
  const seed = (opts.seed ?? 1) >>> 0;
  const cl = opts.cl ?? 0.682689492137086;
  const values: number[] = [];
  const fast = replicateAucsInWasm(ss, sw, cls, sigIs, orig, seed, replicates, POISSON1_CDF);
  for (let r = 0; r < replicates; r++) {
    const a = fast ? fast[r] : replicateAuc(ss, sw, cls, sigIs, orig, seed, r);
    if (a !== null && !Number.isNaN(a)) values.push(a);
  }
  if (values.length < 2) return undefinedFigure(`only ${values.length} of ${replicates} bootstrap replicates have both classes`);
  const sorted = Float64Array.from(values).sort();
  const alpha = 1 - cl;
  return {
    interval: { lo: quantileSorted(sorted, alpha / 2), hi: quantileSorted(sorted, 1 - alpha / 2), cl },
    replicates, skipped: replicates - values.length, seed, method: "poisson-percentile",
  };
}
