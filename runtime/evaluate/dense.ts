/**
 * A place's events (a fold's, a bin's) laid out in their ranked order: the score, weight and class
 * of the k-th ranked event at position k, and the identity order over them.
 *
 * Why: a section's figures (its curve, separation, confusion matrices, class pairs) each read the
 * events in ranked order, a random access per event per column, ~4 passes of them per section and
 * 21 sections for 20 bins: most of a 2M-event evaluation's time. Gathered once, every pass after
 * is sequential. The figures see the same values in the same order, so they have the same bits.
 */
import { lend } from "./scratch.js";

export interface Dense {
  score: Float64Array;
  weight: Float64Array;
  label: Int32Array;
  /** 0 for the signal, 1 for every other class (a binary confusion matrix's rows). */
  twoClass: Int32Array;
  /** 0, 1, …, m − 1: the events in their (ranked) order. */
  order: Uint32Array;
  /** The events' bins, when asked for. */
  bin: Int32Array | null;
  /** The lent memory, to hand back (scratch.ts) when the section is done. */
  buffers: ArrayBuffer[];
}

/**
 * The events' score, weight and class side by side in index order, 32 bytes per event (two to a
 * cache line): a gather in ranked order then misses the cache once per event instead of once per
 * column. Lent memory (scratch.ts); hand `buffer` back when done.
 */
export interface Records {
  rec: Float64Array;
  buffer: ArrayBuffer;
}

export function records(score: Float64Array, weight: Float64Array, label: Int32Array): Records {
  const n = score.length;
  const buffer = lend(32 * n);
  const rec = new Float64Array(buffer, 0, 4 * n);
  for (let i = 0; i < n; i++) {
    rec[4 * i] = score[i];
    rec[4 * i + 1] = weight[i];
    rec[4 * i + 2] = label[i];
  }
  return { rec, buffer };
}

export function gather(r: Records, signal: number, order: Uint32Array, bin: Int32Array | null = null): Dense {
  const m = order.length;
  const buffers = [lend(8 * m), lend(8 * m), lend(4 * m), lend(4 * m), lend(4 * m), ...(bin ? [lend(4 * m)] : [])];
  const d: Dense = {
    score: new Float64Array(buffers[0], 0, m),
    weight: new Float64Array(buffers[1], 0, m),
    label: new Int32Array(buffers[2], 0, m),
    twoClass: new Int32Array(buffers[3], 0, m),
    order: new Uint32Array(buffers[4], 0, m),
    bin: bin ? new Int32Array(buffers[5], 0, m) : null,
    buffers,
  };
  const rec = r.rec;
  for (let k = 0; k < m; k++) {
    const q = 4 * order[k];
    const l = rec[q + 2];
    d.score[k] = rec[q];
    d.weight[k] = rec[q + 1];
    d.label[k] = l;
    d.twoClass[k] = Number(l !== signal);
    d.order[k] = k;
  }
  if (bin) for (let k = 0; k < m; k++) d.bin![k] = bin[order[k]];
  return d;
}
