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

/**
 * Sums the gradient pairs of rows[start..end) into out[off ..), one histogram (F features).
 * bins: row-major n × F; gh: interleaved (g, h) per row.
 */
export function buildBlock(bins: Uint8Array, F: number, gh: Float64Array, rows: Int32Array, start: number, end: number, out: Float64Array, off: number): void {
  out.fill(0, off, off + F * HIST_STRIDE);
  for (let i = start; i < end; i++) {
    const r = rows[i];
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    const base = r * F;
    let o = off;
    for (let f = 0; f < F; f++) {
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
