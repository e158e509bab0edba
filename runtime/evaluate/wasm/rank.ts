/**
 * The ranking, the binary curve and the held-out events in ranked order, computed by rank.c in
 * WebAssembly (its comment says why C and what the algorithm is); ranked-curve.ts and dense.ts
 * are the same computation in TypeScript, used where this declines and checked against it
 * (test/evaluate/rank-wasm.test.ts: the same bits). A 10M-event evaluation keeps ~1 GB of the
 * arena (arena.ts) until `releaseScratch()` (up to ~100 bytes per event).
 *
 * Declines (returns null) at 2^30 events or more (two flag bits ride in the index), when the
 * arena would pass 4 GiB, wasm32's address space (about 40M events with bins and folds), when it
 * cannot grow, and for scores with a -0 (rank.c says why).
 */
import type { BinaryCurve } from "../curve.js";
import { layoutArrays, type Layout, type Memory } from "../layout.js";
import type { Selector } from "../select.js";
import { align, ArenaPlan, wasmArena } from "./arena.js";

const MAX_EVENTS = 2 ** 30;

/** rank.c's Args, as 32-bit words (the C file's static asserts pin the layout). */
const A = {
  n: 0, score: 1, weight: 2, sig: 3, sigSize: 4, keep: 5, keepSize: 6, label: 7, bin: 8, fold: 9,
  sigIs: 10, keepIs: 11, records: 12, words: 13, order: 14, th: 15, tp: 16, fp: 17,
  dScore: 18, dWeight: 19, dLabel: 20, dTwo: 21, dOrig: 22, dBin: 23, dFold: 24,
  m: 25, nS: 26, nB: 27, held: 28, declined: 29,
} as const;
const ARGS_BYTES = 136;
/** totalS and totalB, as float64 words. */
const TOTAL_S = 15, TOTAL_B = 16;

export interface RankRequest {
  score: Float64Array;
  /** null: the ranking alone. */
  weight: Float64Array | null;
  signal: Selector | null;
  /** The events that enter the curve and the layout (all when null); every event is in the order. */
  keep: Selector | null;
  /** Where to write the order (score.length long), or null for a new array. */
  into: Uint32Array | null;
  /**
   * The held-out events in ranked order with these carried (needs a weight; `signal` must be
   * these labels' test, whose complement is `twoClass`).
   */
  layout?: { label: Int32Array; bin: Int32Array | null; fold: Int32Array | null; memory?: Memory };
}

export interface RankResult {
  order: Uint32Array;
  curve: BinaryCurve | null;
  layout: Layout | null;
}

/** The ranking (and curve, and layout) in WebAssembly, or null where it declines. */
export function rankInWasm(req: RankRequest): RankResult | null {
  const { score, weight, signal, keep, into, layout } = req;
  const n = score.length;
  if (into && into.length !== n) throw new RangeError(`rankInWasm: an order of ${into.length} for ${n} events`);
  if (layout && !weight) throw new RangeError("rankInWasm: a layout needs weights");
  const a = wasmArena();
  if (!a || n >= MAX_EVENTS) return null;

  // the arena's plan: args | inputs, where the layout and the curve are written after they are
  // read (memory touched once, not twice: the first call of a process pays its page faults) |
  // records (32 bytes at most) | in-bucket words (two per event of the largest bucket) | order
  const size = (v: Selector | null) => (v === null ? 0 : v.values.BYTES_PER_ELEMENT);
  const sigIsLabel = layout !== undefined && signal !== null && signal.values === layout.label;
  const inputBytes = align(8 * n) * (weight ? 2 : 1) + (sigIsLabel ? 0 : align(size(signal) * n)) + align(size(keep) * n)
    + (layout ? align(4 * n) * (1 + Number(layout.bin !== null) + Number(layout.fold !== null)) : 0);
  const layoutBytes = layout ? 2 * align(8 * n) + align(4 * n) * (3 + Number(layout.bin !== null) + Number(layout.fold !== null)) : 0;
  const plan = new ArenaPlan(a);
  const curveBytes = weight ? align(8 * (n + 1)) + 2 * align(8 * n) : 0;
  const args = plan.take(ARGS_BYTES);
  const region = plan.take(Math.max(inputBytes, layoutBytes + curveBytes));
  const records = plan.take(32 * n);
  const words = plan.take(8 * n);
  const order = plan.take(4 * n);
  // the curve after the layout
  const th = weight ? region + layoutBytes : 0, tp = weight ? th + align(8 * (n + 1)) : 0, fp = weight ? tp + align(8 * n) : 0;
  const buf = plan.ready();
  if (!buf) return null;

  // the inputs, copied in (n of each: a selector's values may run longer)
  let p = region;
  const put = (all: Float64Array | Int32Array | Uint8Array) => {
    const src = all.subarray(0, n);
    const q = p;
    const Ctor = src.constructor as Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;
    new Ctor(buf, q, n).set(src as never);
    p = align(p + src.byteLength);
    return q;
  };
  const W = new Uint32Array(buf, args, ARGS_BYTES / 4);
  const I = new Int32Array(buf, args, ARGS_BYTES / 4);
  W.fill(0);
  W[A.n] = n;
  W[A.score] = put(score);
  if (weight) W[A.weight] = put(weight);
  if (layout) {
    W[A.label] = put(layout.label);
    if (layout.bin) W[A.bin] = put(layout.bin);
    if (layout.fold) W[A.fold] = put(layout.fold);
  }
  if (signal) {
    W[A.sig] = sigIsLabel ? W[A.label] : put(signal.values);
    W[A.sigSize] = size(signal);
    I[A.sigIs] = signal.is;
  }
  if (keep) {
    W[A.keep] = put(keep.values);
    W[A.keepSize] = size(keep);
    I[A.keepIs] = keep.is;
  }
  W[A.records] = records;
  W[A.words] = words;
  W[A.order] = order;
  W[A.th] = th;
  W[A.tp] = tp;
  W[A.fp] = fp;
  // the layout over the inputs (layoutBytes of them), each array at its own offset; a bin or
  // fold array only when carried
  const offsets: number[] = [];
  if (layout) {
    let q = region;
    for (const bytes of [8, 8, 4, 4, 4, layout.bin ? 4 : 0, layout.fold ? 4 : 0]) {
      offsets.push(q);
      q = align(q + bytes * n);
    }
    if (q > region + layoutBytes) throw new Error("hepc internal: rankInWasm's layout passes its room");
    [W[A.dScore], W[A.dWeight], W[A.dLabel], W[A.dTwo], W[A.dOrig]] = offsets;
    if (layout.bin) W[A.dBin] = offsets[5];
    if (layout.fold) W[A.dFold] = offsets[6];
  }

  a.rank(args);
  if (new Uint32Array(a.memory.buffer, args, ARGS_BYTES / 4)[A.declined]) return null;

  // the outputs, copied out (after the call: views of the memory as it is now)
  const res = new Uint32Array(a.memory.buffer, args, ARGS_BYTES / 4);
  const ord = into ?? new Uint32Array(n);
  ord.set(new Uint32Array(a.memory.buffer, order, n));
  let curve: BinaryCurve | null = null;
  if (weight && signal) {
    const m = res[A.m];
    const T = new Float64Array(a.memory.buffer, args, ARGS_BYTES / 8);
    const thr = new Float64Array(a.memory.buffer, th, m + 1).slice();
    curve = {
      thresholds: thr.subarray(1), tp: new Float64Array(a.memory.buffer, tp, m).slice(), fp: new Float64Array(a.memory.buffer, fp, m).slice(),
      totalS: T[TOTAL_S], totalB: T[TOTAL_B], nS: res[A.nS], nB: res[A.nB], withInfinity: thr,
    };
  }
  let lay: Layout | null = null;
  if (layout) {
    const h = res[A.held];
    const mem = a.memory.buffer;
    const l = layoutArrays(h, layout.bin !== null, layout.fold !== null, layout.memory);
    l.score.set(new Float64Array(mem, offsets[0], h));
    l.weight.set(new Float64Array(mem, offsets[1], h));
    l.label.set(new Int32Array(mem, offsets[2], h));
    l.twoClass.set(new Int32Array(mem, offsets[3], h));
    l.orig.set(new Uint32Array(mem, offsets[4], h));
    l.bin?.set(new Int32Array(mem, offsets[5], h));
    l.fold?.set(new Int32Array(mem, offsets[6], h));
    lay = l;
  }
  return { order: ord, curve, layout: lay };
}
