/**
 * Gradient/hessian histograms. A node's histogram holds, per feature, 256 slots (255 value bins
 * and the missing bin) of (Σg, Σh) as interleaved float64: HIST_STRIDE doubles per feature.
 *
 * Determinism: a node's rows (a segment of the row partition) are cut into blocks of BLOCK_ROWS
 * rows at fixed offsets from the segment start. Each block is summed in row order into its own
 * buffer, and the node's histogram is block 0 plus blocks 1, 2, ... added in block order. Which
 * thread computes a block never matters, so the sums, hence the model, are the same bits for any
 * thread count.
 *
 * This module is plain functions over typed arrays: the worker threads (worker.ts) run the same
 * `buildBlock` as the calling thread (tasks.ts). Block jobs are Int32 quadruples (start, end,
 * target, offset): target 0 writes into the histogram arena, 1 into the partial buffer.
 */
import { HIST_STRIDE } from "./layout.js";

/** Whether this platform stores a Uint32 low byte first (then four bins load as one word). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The bin matrix's row stride: F rounded up to a multiple of 4, so each row starts on a word. */
export function rowStride(F: number): number {
  return (F + 3) & ~3;
}

/**
 * Sums the gradient pairs of rows[start..end) into out[off ..), one histogram (F features).
 * bins: row-major n × S (S = rowStride(F)), also seen as words (`words`, four bins each); gh:
 * interleaved (g, h) per row. Reading four bins per load is what makes this loop fast in V8.
 */
export function buildBlock(bins: Uint8Array, words: Uint32Array, F: number, gh: Float32Array, rows: Int32Array, start: number, end: number, out: Float64Array, off: number): void {
  out.fill(0, off, off + F * HIST_STRIDE);
  const S = rowStride(F);
  const groups = LITTLE_ENDIAN ? F >> 2 : 0;
  const W = S >> 2;
  const H2 = 2 * HIST_STRIDE;
  const H3 = 3 * HIST_STRIDE;
  for (let i = start; i < end; i++) {
    const r = rows[i];
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    let w = r * W;
    let o = off;
    for (let q = 0; q < groups; q++) {
      const v = words[w++];
      let k = o + ((v & 255) << 1);
      out[k] += g;
      out[k + 1] += h;
      k = o + HIST_STRIDE + (((v >>> 8) & 255) << 1);
      out[k] += g;
      out[k + 1] += h;
      k = o + H2 + (((v >>> 16) & 255) << 1);
      out[k] += g;
      out[k + 1] += h;
      k = o + H3 + ((v >>> 24) << 1);
      out[k] += g;
      out[k + 1] += h;
      o += 4 * HIST_STRIDE;
    }
    const base = r * S;
    for (let f = groups * 4; f < F; f++) {
      const k = o + (bins[base + f] << 1);
      out[k] += g;
      out[k + 1] += h;
      o += HIST_STRIDE;
    }
  }
}

/** dst[d ..] += src[s ..] over one histogram of `size` doubles. */
export function addHist(dst: Float64Array, d: number, src: Float64Array, s: number, size: number): void {
  for (let i = 0; i < size; i++) dst[d + i] += src[s + i];
}

/** dst[d ..] = a[x ..] − b[y ..]: the larger child from its parent and the smaller sibling. */
export function subtractHist(dst: Float64Array, d: number, a: Float64Array, x: number, b: Float64Array, y: number, size: number): void {
  for (let i = 0; i < size; i++) dst[d + i] = a[x + i] - b[y + i];
}
