/**
 * Which part each row is in: the held-out test part, the validation part, and its fold. The test
 * and validation draws are a hash of (seed, sample, entry), never a random stream, so an event's
 * part does not depend on which other events were read, in what chunks, or on how many threads.
 */
import type { Table } from "./gather.js";
import { Problems, num } from "./problems.js";
import type { Settings } from "./spec.js";

/** Streams of the hash, so the test and validation draws of one event are independent. */
const STREAM_TEST = 0x7e57;
const STREAM_VALID = 0x5a11d;

function step(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a of the UTF-16 code units: a sample name as a 32-bit word. */
export function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A number in [0, 1) determined by (seed, stream, sample, entry) alone (MurmurHash3's mixing). */
export function unitDraw(seed: number, stream: number, sample: number, entry: number): number {
  let h = seed >>> 0;
  h = step(h, stream);
  h = step(h, sample);
  h = step(h, entry >>> 0);
  h = step(h, Math.floor(entry / 4294967296) >>> 0);
  return fmix(h ^ 20) / 4294967296;
}

/** Whether an event falls in the held-out test part drawn with `test FRACTION` (as splitRows draws it). */
export function inTestFraction(seed: number, sample: string, entry: number, fraction: number): boolean {
  return fraction > 0 && unitDraw(seed, STREAM_TEST, nameHash(sample), entry) < fraction;
}

export interface Parts {
  test: Uint8Array;
  valid: Uint8Array;
  /** fold per row; 0 everywhere without folds */
  fold: Int32Array;
}

export function splitRows(t: Table, s: Settings, problems: Problems): Parts | null {
  const test = new Uint8Array(t.n);
  const valid = new Uint8Array(t.n);
  const fold = new Int32Array(t.n);
  const hashes = s.samples.map(nameHash);
  const testFraction = s.test.kind === "fraction" ? s.test.fraction : 0;
  for (let i = 0; i < t.n; i++) {
    const sh = hashes[t.sample[i]];
    if (t.test) test[i] = t.test[i];
    else if (testFraction > 0) test[i] = unitDraw(s.seed, STREAM_TEST, sh, t.entry[i]) < testFraction ? 1 : 0;
    if (!test[i] && s.validation > 0) valid[i] = unitDraw(s.seed, STREAM_VALID, sh, t.entry[i]) < s.validation ? 1 : 0;
  }
  if (s.folds !== null) {
    const n = s.folds;
    const reported = new Set<number>();
    for (let i = 0; i < t.n; i++) {
      const v = t.fold[i];
      if (Number.isInteger(v) && v >= 0 && v < n) fold[i] = v;
      else if (!reported.has(t.sample[i])) {
        // The first bad value of each sample: enough to find the expression's mistake.
        reported.add(t.sample[i]);
        problems.add("HEP6013", { sample: s.samples[t.sample[i]], value: num(v), entry: t.entry[i], last: n - 1 });
      }
    }
    if (reported.size > 0) return null;
  }
  return { test, valid, fold };
}
