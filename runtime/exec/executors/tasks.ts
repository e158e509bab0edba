/**
 * The plan cut into tasks. Three stages, each a list of tasks that can run at once:
 *
 * - `read`: one task per sample × part (a run of files, `--chunk-files N`, or of entries,
 *   `--chunk-events N`, which may split a file). It computes the first pass's per-event columns
 *   (weights, selections, regions, histogram variables, training features) for its entries.
 * - `gather`: one task per sample. It checks each part's columns against the sha256 its task
 *   recorded and concatenates them, in entry order, into the merge's column cache.
 * - `train`: one task per model × fold, for the models whose features read no model's scores. It
 *   gathers the block's rows from the gathered columns (all of its samples: a fold is trained on
 *   the other folds' events) and fits that fold.
 * - `model`: one task per such model. It assembles the folds' fits into the model and puts it in
 *   the merge's model cache.
 * - `merge`: one task. It runs the plan from those caches: fills, cutflows, the models trained
 *   above taken from the cache (any other model trained here), scoring, evaluation and outputs.
 *
 * Why columns and not partial histograms: a per-event value does not depend on how the events were
 * cut, so concatenating parts is exact, and the merge then adds events in the same order as a run
 * on one machine. Adding partial sums of floating-point weights would change their last bits with
 * the cut. The outputs are byte-identical to `hepc run` of the same plan (test/exec/executors).
 *
 * Each task has a content hash: the plan's hash, what it reads (files and entries) and its inputs'
 * hashes. Its result records that hash and the sha256 of every file it wrote.
 */
import * as path from "node:path";
import { hashOf } from "../../../plan/canonical.js";
import type { Plan, ReadNode } from "../../../plan/types.js";
import { openRoot } from "../../io/index.js";
import { RunError } from "../errors.js";
import { unsupportedNodes } from "../run.js";
import { downstreamOf, stagesOf } from "../stages.js";

export type StageName = "read" | "gather" | "train" | "model" | "merge";
export const STAGES: readonly StageName[] = ["read", "gather", "train", "model", "merge"];

export interface Part {
  /** Indices into the sample's files. */
  files: number[];
  /** Sample entry of the first file's entry 0. */
  offset: number;
  /** Sample entries [start, stop). */
  start: number;
  stop: number;
}

export interface TaskSpec {
  id: string;
  stage: StageName;
  /** Index within its stage (a Slurm array index, a line of an HTCondor `queue from` list). */
  index: number;
  sample?: string;
  part?: Part;
  /** Ids of the tasks whose outputs it reads. */
  inputs: string[];
  hash: string;
  /** Entries it reads (read tasks). */
  events: number;
  /** The train node (train and model tasks) and the fold it fits (train tasks: index into the prepared folds). */
  node?: string;
  fold?: number;
}

export interface TaskGraph {
  format: "hepc-tasks/1";
  planHash: string;
  /** The analysis folder (absolute): the plan's paths are relative to it; outputs are published there. */
  analysisDir: string;
  cut: { files?: number; events?: number };
  /** Per sample, the entries of each of its files. */
  entries: Record<string, number[]>;
  stages: Array<{ name: StageName; tasks: TaskSpec[] }>;
}

export interface CutOptions {
  /** Files per read task (default 1). */
  chunkFiles?: number;
  /** Entries per read task instead (parts may split files). */
  chunkEvents?: number;
}

/** Entries of each file of each sample, read from the files' tree headers. */
export async function sampleEntries(plan: Plan, analysisDir: string): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const read of plan.nodes.filter((n): n is ReadNode => n.kind === "read")) {
    const counts: number[] = [];
    for (const f of read.files) {
      let file;
      try {
        file = await openRoot(path.resolve(analysisDir, f));
        counts.push((await file.tree(read.tree)).entries);
      } catch (e) {
        throw new RunError("HEP6002", { sample: read.sample, file: f, reason: (e as Error).message }, read.origin);
      } finally {
        await file?.close();
      }
    }
    out[read.sample] = counts;
  }
  return out;
}

/** The task graph of a plan, given its samples' entries per file. */
export function cutPlan(plan: Plan, planHash: string, analysisDir: string, entries: Record<string, number[]>, opts: CutOptions = {}): TaskGraph {
  const reads = plan.nodes.filter((n): n is ReadNode => n.kind === "read");
  const read: TaskSpec[] = [];
  const gather: TaskSpec[] = [];
  for (const r of reads) {
    const counts = entries[r.sample];
    const parts = opts.chunkEvents ? partsByEvents(counts, opts.chunkEvents) : partsByFiles(counts, opts.chunkFiles ?? 1);
    const mine: TaskSpec[] = parts.map((part, k) => {
      const spec = { stage: "read" as const, sample: r.sample, part, files: part.files.map((f) => r.files[f]), inputs: [] as string[] };
      return { id: `read-${r.sample}-${k}`, index: read.length + k, sample: r.sample, part, stage: "read", inputs: [], events: part.stop - part.start, hash: hashOf({ plan: planHash, ...spec }) };
    });
    read.push(...mine);
    gather.push({ id: `gather-${r.sample}`, stage: "gather", index: gather.length, sample: r.sample, inputs: mine.map((t) => t.id), events: 0, hash: hashOf({ plan: planHash, stage: "gather", sample: r.sample, inputs: mine.map((t) => t.hash) }) });
  }
  // models whose rows the first pass gathers are trained as tasks, fold by fold
  const notRun = downstreamOf(plan.nodes, unsupportedNodes(plan).map((e) => e.node!));
  const train: TaskSpec[] = [];
  const model: TaskSpec[] = [];
  for (const t of stagesOf(plan.nodes, notRun)[0]?.fit ?? []) {
    const members = new Set(Object.values(t.classes).flat());
    const inputs = gather.filter((g) => members.has(g.sample!));
    const folds: TaskSpec[] = [];
    for (let k = 0; k < (t.folds?.n ?? 1); k++) {
      folds.push({ id: `train-${t.model}-${k}`, stage: "train", index: train.length + k, node: t.id, fold: k, inputs: inputs.map((g) => g.id), events: 0, hash: hashOf({ plan: planHash, stage: "train", node: t.id, fold: k, inputs: inputs.map((g) => g.hash) }) });
    }
    train.push(...folds);
    model.push({ id: `model-${t.model}`, stage: "model", index: model.length, node: t.id, inputs: [...inputs, ...folds].map((x) => x.id), events: 0, hash: hashOf({ plan: planHash, stage: "model", node: t.id, inputs: [...inputs, ...folds].map((x) => x.hash) }) });
  }
  const mergeInputs = [...gather, ...model];
  const merge: TaskSpec = { id: "merge", stage: "merge", index: 0, inputs: mergeInputs.map((t) => t.id), events: 0, hash: hashOf({ plan: planHash, stage: "merge", inputs: mergeInputs.map((t) => t.hash) }) };
  return {
    format: "hepc-tasks/1",
    planHash,
    analysisDir,
    cut: opts.chunkEvents ? { events: opts.chunkEvents } : { files: opts.chunkFiles ?? 1 },
    entries,
    stages: [
      { name: "read", tasks: read },
      { name: "gather", tasks: gather },
      { name: "train", tasks: train },
      { name: "model", tasks: model },
      { name: "merge", tasks: [merge] },
    ],
  };
}

/** Runs of `n` whole files. */
export function partsByFiles(counts: number[], n: number): Part[] {
  const parts: Part[] = [];
  let offset = 0;
  for (let k = 0; k < counts.length; k += n) {
    const files = counts.slice(k, k + n).map((_, j) => k + j);
    const size = files.reduce((a, f) => a + counts[f], 0);
    parts.push({ files, offset, start: offset, stop: offset + size });
    offset += size;
  }
  return parts;
}

/** Runs of `n` entries (the last may be shorter), each naming the files it touches. */
export function partsByEvents(counts: number[], n: number): Part[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const starts: number[] = [];
  let acc = 0;
  for (const c of counts) {
    starts.push(acc);
    acc += c;
  }
  const parts: Part[] = [];
  for (let start = 0; start < total; start += n) {
    const stop = Math.min(total, start + n);
    const files = counts.map((_, f) => f).filter((f) => starts[f] < stop && starts[f] + counts[f] > start);
    parts.push({ files, offset: starts[files[0]], start, stop });
  }
  return parts;
}

export function allTasks(g: TaskGraph): TaskSpec[] {
  return g.stages.flatMap((s) => s.tasks);
}

export function taskById(g: TaskGraph, id: string): TaskSpec | undefined {
  // `STAGE:INDEX` is how array jobs name their task
  const m = /^(read|gather|train|model|merge):(\d+)$/.exec(id);
  if (m) return g.stages.find((s) => s.name === m[1])?.tasks[Number(m[2])];
  return allTasks(g).find((t) => t.id === id);
}
