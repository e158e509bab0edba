/**
 * The work the calling thread and the worker threads share, as plain functions over the
 * training's shared arrays. Each task is a list of jobs taken from a shared counter; a job's
 * output place is fixed before any job runs, so which thread runs it never changes a result.
 *
 *  - hist: sum one block of a node's rows into a histogram (histograms.ts).
 *  - count: the number of rows of one block of a node that go left under the node's split.
 *  - gradients: the logistic gradient pairs of one block of rows, and the block's loss sums.
 *  - scatter: copy one block's rows to their places in `tmp`, left rows from the block's left
 *    offset and right rows from its right offset (offsets from the counts, in block order), so the
 *    partition is stable: left rows first, each side in row order.
 */
import { buildBlock } from "./histograms.js";
import { JOB_INTS, MISSING_BIN } from "./layout.js";
import { logisticGradientsBlock } from "./objectives.js";

export interface SharedArrays {
  /** Row-major, row stride rowStride(F) (histograms.ts). */
  bins: Uint8Array;
  /** The same bytes as words. */
  words: Uint32Array;
  /** The bins again, column-major (partition reads one feature). */
  binColumns: Uint8Array;
  F: number;
  n: number;
  gh: Float32Array;
  rows: Int32Array;
  tmp: Int32Array;
  /** Binary logistic only (null otherwise): margins, labels and weights of the training rows. */
  logistic: { margin: Float64Array; label: Int32Array; weight: Float32Array } | null;
}

/** Jobs of count and scatter: start, end, feature, last left bin, default left (0/1). */
export const SPLIT_JOB_INTS = 5;

export type Task =
  | { kind: "hist"; jobs: Int32Array; arena: Float64Array; partial: Float64Array }
  | { kind: "count"; jobs: Int32Array; out: Int32Array }
  | { kind: "scatter"; jobs: Int32Array; pos: Int32Array }
  | { kind: "gradients"; jobs: Int32Array; out: Float64Array };

export function jobCount(t: Task): number {
  return t.jobs.length / (t.kind === "hist" ? JOB_INTS : t.kind === "gradients" ? 2 : SPLIT_JOB_INTS);
}

function countLeft(s: SharedArrays, start: number, end: number, feature: number, bin: number, defaultLeft: boolean): number {
  const col = s.binColumns;
  const base = feature * s.n;
  const rows = s.rows;
  let left = 0;
  for (let i = start; i < end; i++) {
    const b = col[base + rows[i]];
    if (b === MISSING_BIN ? defaultLeft : b <= bin) left++;
  }
  return left;
}

function scatter(s: SharedArrays, start: number, end: number, feature: number, bin: number, defaultLeft: boolean, l: number, r: number): void {
  const col = s.binColumns;
  const base = feature * s.n;
  const rows = s.rows;
  const tmp = s.tmp;
  for (let i = start; i < end; i++) {
    const row = rows[i];
    const b = col[base + row];
    if (b === MISSING_BIN ? defaultLeft : b <= bin) tmp[l++] = row;
    else tmp[r++] = row;
  }
}

/** Runs jobs of `t` until the shared counter passes the last; returns how many this thread ran. */
export function runTask(s: SharedArrays, t: Task, counter: Int32Array): number {
  const nJobs = jobCount(t);
  const jobs = t.jobs;
  let done = 0;
  for (;;) {
    const j = Atomics.add(counter, 0, 1);
    if (j >= nJobs) return done;
    if (t.kind === "gradients") {
      const l = s.logistic!;
      logisticGradientsBlock(l.margin, l.label, l.weight, s.gh, jobs[2 * j], jobs[2 * j + 1], t.out, j);
    } else if (t.kind === "hist") {
      const q = j * JOB_INTS;
      buildBlock(s.bins, s.words, s.F, s.gh, s.rows, jobs[q], jobs[q + 1], jobs[q + 2] === 0 ? t.arena : t.partial, jobs[q + 3]);
    } else {
      const q = j * SPLIT_JOB_INTS;
      if (t.kind === "count") t.out[j] = countLeft(s, jobs[q], jobs[q + 1], jobs[q + 2], jobs[q + 3], jobs[q + 4] === 1);
      else scatter(s, jobs[q], jobs[q + 1], jobs[q + 2], jobs[q + 3], jobs[q + 4] === 1, t.pos[2 * j], t.pos[2 * j + 1]);
    }
    done++;
  }
}
