/**
 * efficiency.ts's per-bin sums computed by efficiency.c in WebAssembly (its comment says why);
 * efficiency.ts's loop is the same computation in TypeScript, used where this declines and checked
 * against it (test/evaluate/binned.test.ts: the same bits).
 */
import type { Selector } from "../select.js";
import { ArenaPlan, wasmArena } from "./arena.js";

/** efficiency.c's SumArgs, as 32-bit words. */
const E = { score: 0, weight: 1, bin: 2, first: 3, firstSize: 4, firstIs: 5, nBins: 6, thr: 7, sums: 8 } as const;
const ARGS_BYTES = 36;
/** Events per call (rank.c says why the events go in chunks). */
const CHUNK = 65536;

/**
 * The sums of binSums (efficiency.ts) over every event in index order: `thr` per slot (slot 0 and
 * bins without a threshold NaN), `sums` 2 (nBins + 1) slots of 8; null where the WebAssembly
 * declines (switched off, or its memory cannot be had).
 */
export function binSumsInWasm(
  score: Float64Array, weight: Float64Array, bin: Int32Array, nBins: number, thr: Float64Array, first: Selector, slots: number,
): Float64Array | null {
  const a = wasmArena();
  if (!a) return null;
  const n = score.length;
  const plan = new ArenaPlan(a);
  const args = plan.take(ARGS_BYTES);
  const at = {
    score: plan.take(8 * n), weight: plan.take(8 * n), bin: plan.take(4 * n), first: plan.take(n * first.values.BYTES_PER_ELEMENT),
    thr: plan.take(8 * thr.length), sums: plan.take(8 * slots),
  };
  const buf = plan.ready();
  if (!buf) return null;
  new Float64Array(buf, at.score, n).set(score);
  new Float64Array(buf, at.weight, n).set(weight);
  new Int32Array(buf, at.bin, n).set(bin);
  if (first.values instanceof Int32Array) new Int32Array(buf, at.first, n).set(first.values.subarray(0, n));
  else new Uint8Array(buf, at.first, n).set(first.values.subarray(0, n));
  new Float64Array(buf, at.thr, thr.length).set(thr);
  new Float64Array(buf, at.sums, slots).fill(0);
  const W = new Uint32Array(buf, args, ARGS_BYTES / 4);
  W[E.score] = at.score;
  W[E.weight] = at.weight;
  W[E.bin] = at.bin;
  W[E.first] = at.first;
  W[E.firstSize] = first.values.BYTES_PER_ELEMENT;
  new Int32Array(buf, args, ARGS_BYTES / 4)[E.firstIs] = first.is;
  W[E.nBins] = nBins;
  W[E.thr] = at.thr;
  W[E.sums] = at.sums;
  for (let k = 0; k < n; k += CHUNK) a.binSums(args, k, Math.min(n, k + CHUNK));
  return new Float64Array(a.memory.buffer, at.sums, slots).slice();
}
