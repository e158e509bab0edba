/**
 * A binary model's held-out events laid out in their ranked order: the score, weight, class, bin
 * and fold of the k-th ranked event at position k, its index in the input (`orig`), and the
 * identity order over them. A fold's or a bin's events are split off it (a stable counting sort:
 * each group keeps the ranked order).
 *
 * Why: a section's figures (its curve, separation, confusion matrices, class pairs, efficiencies
 * in bins) each read the events in ranked order, a random access per event per column, several
 * passes per section and 21 sections for 20 bins; at 10M events that, and splitting the ranking
 * by bin and fold through random reads of the bins, were most of an evaluation's time. Here the
 * events are read in ranked order once, from 32-byte records (one cache miss per event, not one
 * per column), and everything after is sequential. The figures see the same values in the same
 * order, so they have the same bits.
 *
 * Mostly the records are not read at all: wasm/rank.c's sort carries each event's weight, class,
 * bin and fold with its key and writes the held-out events out in ranked order as it scans
 * (`rankedLayout`); the records and `gather` are its TypeScript twin, for where that declines.
 */
import type { BinaryCurve } from "./curve.js";
import { rankedCurve } from "./order.js";
import { rankInWasm } from "./wasm/rank.js";
import { layoutArrays, type Layout, type Memory } from "./layout.js";
import { giveBack, lend } from "./scratch.js";

export interface Dense extends Layout {
  /** 0, 1, …, m − 1: the events in their (ranked) order. */
  order: Uint32Array;
}

/**
 * The events' score, weight, class and place side by side in index order, 32 bytes per event (two
 * to a cache line), in lent memory (scratch.ts; `release` hands it back). The place is one
 * integer-valued double: ((bin + 1) · 2^20 + fold) · 2 + (1 for a training-fold event), exact
 * below 2^53 (bins below 2^31, folds below 2^20: checked).
 */
export class Records {
  readonly rec: Float64Array;
  private readonly buffer: ArrayBuffer;

  constructor(score: Float64Array, weight: Float64Array, label: Int32Array, place: { bin: Int32Array | null; fold: Int32Array | null; train: Uint8Array | null }) {
    const n = score.length;
    this.buffer = lend(32 * n);
    this.rec = new Float64Array(this.buffer, 0, 4 * n);
    const rec = this.rec;
    const { bin, fold, train } = place;
    for (let i = 0; i < n; i++) {
      const b = bin ? bin[i] : -1, f = fold ? fold[i] : 0;
      if (b >= 2 ** 31 - 1 || f >= FOLDS || f < 0) throw new RangeError(`evaluation records: bin ${b} or fold ${f} out of range`);
      rec[4 * i] = score[i];
      rec[4 * i + 1] = weight[i];
      rec[4 * i + 2] = label[i];
      rec[4 * i + 3] = ((b + 1) * FOLDS + f) * 2 + (train ? train[i] : 0);
    }
  }

  release(): void {
    giveBack(this.buffer);
  }
}

const FOLDS = 2 ** 20;

let identity = new Uint32Array(0);
/** 0 … m − 1, shared (read only). */
function iota(m: number): Uint32Array {
  if (identity.length < m) {
    identity = new Uint32Array(m + (m >> 3));
    for (let k = 0; k < identity.length; k++) identity[k] = k;
  }
  return identity.subarray(0, m);
}

function empty(m: number, withBin: boolean, withFold: boolean, memory?: Memory): Dense {
  return { ...layoutArrays(m, withBin, withFold, memory), order: iota(m) };
}

/**
 * The held-out events of `order` (input indices, ranked: training-fold events are skipped) laid
 * out in that order, with their bins and folds when asked for.
 */
export function gather(r: Records, signal: number, order: Uint32Array, withBin: boolean, withFold: boolean, memory?: Memory): Dense {
  const rec = r.rec;
  // room for every event; the held-out ones' length is known at the end
  const d = empty(order.length, withBin, withFold, memory);
  let p = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    const q = 4 * i;
    const place = rec[q + 3];
    if (place % 2 === 1) continue;
    const l = rec[q + 2];
    d.score[p] = rec[q];
    d.weight[p] = rec[q + 1];
    d.label[p] = l;
    d.twoClass[p] = Number(l !== signal);
    d.orig[p] = i;
    const g = place / 2;
    if (withFold) d.fold![p] = g % FOLDS;
    if (withBin) d.bin![p] = Math.floor(g / FOLDS) - 1;
    p++;
  }
  return p === order.length ? d : {
    score: d.score.subarray(0, p), weight: d.weight.subarray(0, p), label: d.label.subarray(0, p), twoClass: d.twoClass.subarray(0, p),
    orig: d.orig.subarray(0, p), bin: d.bin?.subarray(0, p) ?? null, fold: d.fold?.subarray(0, p) ?? null, order: iota(p),
  };
}

/**
 * A binary model's ranking of every event (written into `into`), the curve of its held-out events
 * (train flag 0, or all without flags), and those events laid out in ranked order with their
 * bins and folds when given: one sort in WebAssembly, else ranked-curve.ts's sort and `gather`.
 * The same bits either way.
 */
export function rankedLayout(
  score: Float64Array, weight: Float64Array, label: Int32Array, signal: number,
  place: { bin: Int32Array | null; fold: Int32Array | null; train: Uint8Array | null }, into: Uint32Array, memory?: Memory,
): { order: Uint32Array; curve: BinaryCurve; held: Dense } {
  const keep = place.train ? { values: place.train, is: 0 } : null;
  const fast = rankInWasm({ score, weight, signal: { values: label, is: signal }, keep, into, layout: { label, bin: place.bin, fold: place.fold, memory } });
  if (fast) return { order: fast.order, curve: fast.curve!, held: { ...fast.layout!, order: iota(fast.layout!.score.length) } };
  const { order, curve } = rankedCurve(score, weight, { values: label, is: signal }, keep ?? undefined, into);
  const recs = new Records(score, weight, label, place);
  try {
    return { order, curve, held: gather(recs, signal, order, place.bin !== null, place.fold !== null, memory) };
  } finally {
    recs.release();
  }
}

/**
 * `d` split by a group per event (`d.bin` or `d.fold`), each group in d's order; events of group
 * < 0 or ≥ n in none. Each event's place is found once, then the columns are moved one at a
 * time: the seven at once were seven write streams per group (140 for 20 bins), more than the
 * caches and the TLB keep up with (10M events in 20 bins: ~0.55 s).
 */
export function split(d: Dense, group: Int32Array, n: number, memory?: Memory): Dense[] {
  const count = new Uint32Array(n + 1);
  for (let k = 0; k < group.length; k++) {
    const g = group[k];
    if (g >= 0 && g < n) count[g + 1]++;
  }
  for (let g = 0; g < n; g++) count[g + 1] += count[g];
  const all = empty(count[n], d.bin !== null, d.fold !== null, memory);
  const next = count.slice(0, n);
  const buf = lend(4 * group.length);
  const to = new Int32Array(buf, 0, group.length);
  for (let k = 0; k < group.length; k++) {
    const g = group[k];
    to[k] = g >= 0 && g < n ? next[g]++ : -1;
  }
  moveF64(d.score, all.score, to);
  moveF64(d.weight, all.weight, to);
  moveI32(d.label, all.label, to);
  moveI32(d.twoClass, all.twoClass, to);
  moveU32(d.orig, all.orig, to);
  if (d.bin) moveI32(d.bin, all.bin!, to);
  if (d.fold) moveI32(d.fold, all.fold!, to);
  giveBack(buf);
  return Array.from({ length: n }, (_, g) => {
    const a = count[g], b = count[g + 1];
    return {
      score: all.score.subarray(a, b),
      weight: all.weight.subarray(a, b),
      label: all.label.subarray(a, b),
      twoClass: all.twoClass.subarray(a, b),
      orig: all.orig.subarray(a, b),
      bin: all.bin ? all.bin.subarray(a, b) : null,
      fold: all.fold ? all.fold.subarray(a, b) : null,
      order: iota(b - a),
    };
  });
}

// one loop per element type, so that each stays monomorphic
function moveF64(from: Float64Array, out: Float64Array, to: Int32Array): void {
  for (let k = 0; k < to.length; k++) if (to[k] >= 0) out[to[k]] = from[k];
}
function moveI32(from: Int32Array, out: Int32Array, to: Int32Array): void {
  for (let k = 0; k < to.length; k++) if (to[k] >= 0) out[to[k]] = from[k];
}
function moveU32(from: Uint32Array, out: Uint32Array, to: Int32Array): void {
  for (let k = 0; k < to.length; k++) if (to[k] >= 0) out[to[k]] = from[k];
}

/** The events of `d` that `keep` (by input index) holds, in d's order. */
export function filter(d: Dense, keep: (i: number) => boolean): Dense {
  const group = Int32Array.from(d.orig, (i) => (keep(i) ? 0 : -1));
  return split(d, group, 1)[0];
}
