/**
 * Events ranked by score, highest first: the one sort every curve, scan and working point rests
 * on. Deterministic, linear-time radix sorts of order-preserving unsigned keys of the scores (no
 * comparator closure); ties stay in increasing index, as in a stable sort.
 *
 * Mostly wasm/rank.c in WebAssembly (wasm/rank.ts), else its TypeScript twin ranked-curve.ts: keys of only the scores' varying bits (float32-valued scores need ~26,
 * full-precision ones ~54), one scatter into cache-sized buckets, each sorted in cache; it can
 * carry weights and classes along and give the binary curve in the same sort (`rankedCurve`).
 * For 2^30 events or more, the general LSD sort below: four 16-bit digits of the float64 bit
 * pattern carrying the event indices, skipping digits where every key agrees, and the curve from
 * reads in ranked order (curve.ts). It is also the reference the tests and the bench check the
 * fast path against.
 *
 * Subsets (a fold, a bin, a class pair) never sort again: `restrict` keeps the ranked order of
 * the events a mask selects, a stable filter.
 *
 * Rankings take an `into` array, for callers that keep memory between calls (scratch.ts).
 */
import { binaryCurve, type BinaryCurve } from "./curve.js";
import { rankWithCurve } from "./ranked-curve.js";
import { rankInWasm } from "./wasm/rank.js";
import { asSelector, asTest, type EventTest } from "./select.js";

/**
 * Indices of `score` ordered by decreasing score (ties in increasing index, as a stable sort).
 * @param into where to write them (score.length long; every element is written), e.g. memory
 *   lent by scratch.ts, or absent for a new array
 */
export function rankDescending(score: Float64Array, into?: Uint32Array): Uint32Array {
  const fast = rankInWasm({ score, weight: null, signal: null, keep: null, into: into ?? null }) ?? rankWithCurve(score, null, null, null, into ?? null);
  if (fast) return fast.order;
  const order = rankDescendingLsd(score);
  if (!into) return order;
  into.set(order);
  return into;
}

/**
 * The ranking of every event and the binary curve (curve.ts) of the events `keep` selects (all
 * when absent), from one sort where ranked-curve.ts applies; the same bits either way. The
 * signal and the kept events are best given as data (select.ts).
 */
export function rankedCurve(
  score: Float64Array, weight: Float64Array, isSignal: EventTest, keep?: EventTest, into?: Uint32Array,
): { order: Uint32Array; curve: BinaryCurve } {
  const n = score.length;
  const signal = asSelector(isSignal, n), kept = keep ? asSelector(keep, n) : null;
  const fast = rankInWasm({ score, weight, signal, keep: kept, into: into ?? null }) ?? rankWithCurve(score, weight, signal, kept, into ?? null);
  if (fast) return { order: fast.order, curve: fast.curve! };
  let order = rankDescendingLsd(score);
  if (into) order = (into.set(order), into);
  return { order, curve: binaryCurve(score, weight, keep ? restrict(order, asTest(keep)) : order, asTest(isSignal)) };
}

/** The general path: an LSD radix sort of the float64 bit patterns carrying indices. */
export function rankDescendingLsd(score: Float64Array): Uint32Array {
  const n = score.length;
  if (n >= 2 ** 32) throw new RangeError("rankDescending: more than 2^32 events");
  // the scores' bits, read in place (a Float64Array's offset is a multiple of 8); word 2i is the
  // low half on little-endian hosts, which are all Node 20 ships for
  const bits = new Uint32Array(score.buffer, score.byteOffset, 2 * n);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  let idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let h = bits[2 * i + 1];
    let l = bits[2 * i];
    if (h === 0x80000000 && l === 0) h = 0; // -0 ranks with +0
    // Order-preserving map to unsigned: flip all bits of negatives, the sign bit of positives;
    // then complement, so that ascending keys are descending scores.
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else h = (h | 0x80000000) >>> 0;
    hi[i] = ~h >>> 0;
    lo[i] = ~l >>> 0;
    idx[i] = i;
  }
  const counts = [new Uint32Array(65536), new Uint32Array(65536), new Uint32Array(65536), new Uint32Array(65536)];
  const [c0, c1, c2, c3] = counts;
  for (let i = 0; i < n; i++) {
    c0[lo[i] & 0xffff]++;
    c1[lo[i] >>> 16]++;
    c2[hi[i] & 0xffff]++;
    c3[hi[i] >>> 16]++;
  }
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  let idx2 = new Uint32Array(n);
  for (let pass = 0; pass < 4; pass++) {
    const c = counts[pass];
    if (trivial(c, n)) continue;
    // exclusive prefix sums: the first slot of each digit
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const t = c[d];
      c[d] = sum;
      sum += t;
    }
    const key = pass < 2 ? lo : hi;
    const shift = pass % 2 === 0 ? 0 : 16;
    for (let i = 0; i < n; i++) {
      const d = (key[i] >>> shift) & 0xffff;
      const j = c[d]++;
      idx2[j] = idx[i];
      hi2[j] = hi[i];
      if (pass < 2) lo2[j] = lo[i];
    }
    [idx, idx2] = [idx2, idx];
    [hi, hi2] = [hi2, hi];
    if (pass < 2) [lo, lo2] = [lo2, lo];
  }
  return idx;
}

function trivial(c: Uint32Array, n: number): boolean {
  for (let d = 0; d < 65536; d++) if (c[d] !== 0) return c[d] === n;
  return true;
}

/** The ranked indices whose event passes `keep`, in ranked order. */
export function restrict(order: Uint32Array, keep: (i: number) => boolean): Uint32Array {
  let m = 0;
  const out = new Uint32Array(order.length);
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (keep(i)) out[m++] = i;
  }
  return out.slice(0, m);
}

/**
 * Splits a ranked order by a group index per event (a bin, a fold) in one pass, each group
 * keeping the ranked order: a counting sort, stable. Events with group < 0 are left out.
 */
export function partition(order: Uint32Array, group: Int32Array, nGroups: number): Uint32Array[] {
  const count = new Uint32Array(nGroups + 1);
  for (let k = 0; k < order.length; k++) {
    const g = group[order[k]];
    if (g >= 0 && g < nGroups) count[g + 1]++;
  }
  for (let g = 0; g < nGroups; g++) count[g + 1] += count[g];
  const flat = new Uint32Array(count[nGroups]);
  const next = count.slice(0, nGroups);
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    const g = group[i];
    if (g >= 0 && g < nGroups) flat[next[g]++] = i;
  }
  const out: Uint32Array[] = [];
  for (let g = 0; g < nGroups; g++) out.push(flat.subarray(count[g], count[g + 1]));
  return out;
}
