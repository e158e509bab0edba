/**
 * Working memory lent to one evaluation and kept for the next: the ranked curve's records and
 * in-bucket words, the ranking, the events' bins, none of which an evaluation's result keeps.
 *
 * Why: fresh memory costs its page faults on first touch (~0.4–0.5 ms per MB on the development
 * machine: 4 KiB pages, no huge pages), and a 10M-event evaluation wrote ~0.4 GB of it before any
 * of its own work (bench/README.md, evaluate). Buffers handed back are kept (the largest few), so
 * a run's second evaluation, and every fold, bin or bootstrap after the first, writes into memory
 * that is already mapped. The cost is that memory: a 10M-event evaluation in 20 bins keeps ~0.7 GB
 * here and ~1.1 GB in the WebAssembly arena (wasm/arena.ts) until `releaseScratch` (the executor
 * calls it when a run ends); without them the same memory was fresh garbage of every evaluation.
 *
 * Contents are not cleared between loans: every user writes each element before reading it
 * (test/evaluate/scratch.test.ts runs evaluations of different sizes in a row against fresh ones).
 * A buffer is lent to one user at a time (taken off the list), so nested or interleaved users get
 * different memory; one not handed back (an exception) is simply collected.
 */

/** Buffers kept, largest last. A few: an evaluation holds at most four at once. */
const kept: ArrayBuffer[] = [];
const KEEP = 6;

/** A buffer of at least `bytes` (the smallest kept that is large enough, or a new one); its contents are whatever the last user left. */
export function lend(bytes: number): ArrayBuffer {
  let buf: ArrayBuffer | null = null;
  for (let k = 0; k < kept.length && !buf; k++) if (kept[k].byteLength >= bytes) buf = kept.splice(k, 1)[0];
  // a little room, so that a slightly larger next evaluation (another region, a fold) fits
  buf ??= new ArrayBuffer(Math.ceil((bytes + (bytes >> 4)) / 8) * 8);
  if (poison !== null) new Int32Array(buf, 0, buf.byteLength >> 2).fill(poison);
  return buf;
}

let poison: number | null = null;

/**
 * Tests: every buffer lent from now on is filled with this 32-bit value (null: left as it is), so
 * that a read of lent memory before a write shows as a result that depends on the value.
 */
export function poisonLentMemory(value: number | null): void {
  poison = value;
}

/** The value lent memory is filled with (tests), or null. */
export function lentMemoryPoison(): number | null {
  return poison;
}

/** Hands a lent buffer back for the next user. */
export function giveBack(buf: ArrayBuffer): void {
  if (kept.includes(buf)) return;
  kept.push(buf);
  kept.sort((a, b) => a.byteLength - b.byteLength);
  // past the limit, the smallest go: a large evaluation after small ones keeps its own
  if (kept.length > KEEP) kept.splice(0, kept.length - KEEP);
}

/** Memory kept elsewhere on the same terms (wasm/arena.ts). */
interface Keeper {
  /** Drops it (with the buffers, in releaseScratch). */
  release(): void;
  /** Bytes it holds now. */
  bytes(): number;
}
const keepers: Keeper[] = [];

export function keptElsewhere(keeper: Keeper): void {
  keepers.push(keeper);
}

/** Drops every kept buffer, and the memory kept elsewhere (it goes back at the next garbage collection). */
export function releaseScratch(): void {
  kept.length = 0;
  for (const k of keepers) k.release();
}

/** Bytes kept now (tests, and a caller watching its memory). */
export function scratchBytes(): number {
  return kept.reduce((s, b) => s + b.byteLength, 0) + keepers.reduce((s, k) => s + k.bytes(), 0);
}
