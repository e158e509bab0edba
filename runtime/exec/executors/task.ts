/**
 * One task run in the process that executes it (`hepc task WORKDIR ID`, on a batch node or as a
 * local subprocess). A task writes into a temporary folder renamed into place at the end, and its
 * result.json (hash and sha256 of each file) last: a task killed half-way leaves no result, and
 * is run again.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import * as path from "node:path";
import { canonicalJson, hashOf } from "../../../plan/canonical.js";
import type { ReadNode, ScaleNode, TrainNode } from "../../../plan/types.js";
import { assembleModel, fitFold, modelCachePath, prepareRows } from "../runners/train.js";
import { RunError } from "../errors.js";
import { execute, type ExecuteOptions } from "../index.js";
import { verifyInputs } from "../inputs.js";
import { firstPassColumns, trainingRows } from "../run.js";
import { streamSample } from "../stream.js";
import { taskById, type TaskGraph, type TaskSpec } from "./tasks.js";
import { readGraph, readPlan, resultPath, sha256File, taskDir, verifyResult, writeJsonAtomic, type TaskResult } from "./workdir.js";

export interface TaskOptions {
  threads?: number;
  /** What the merge hands to `execute` besides the plan (versions, the report renderer). */
  merge: Pick<ExecuteOptions, "versions" | "renderReport">;
  onProgress?: ExecuteOptions["onProgress"];
}

export async function runTask(workdir: string, id: string, opts: TaskOptions): Promise<TaskResult> {
  const graph = readGraph(workdir);
  const plan = readPlan(workdir);
  const t = taskById(graph, id);
  if (!t) throw new RunError("HEP7008", { task: id, dir: workdir });
  const t0 = performance.now();
  // the inputs must be complete and intact before anything is computed from them
  for (const i of t.inputs) {
    const input = taskById(graph, i)!;
    const v = await verifyResult(workdir, input, graph.analysisDir);
    if (!v.ok) throw new RunError("HEP7005", { task: input.id, file: v.file, problem: v.problem });
  }
  let result: Omit<TaskResult, "wallMs">;
  if (t.stage === "read") result = await readTask(workdir, graph, plan, t, opts);
  else if (t.stage === "gather") result = await gatherTask(workdir, graph, plan, t);
  else if (t.stage === "train") result = await trainTask(workdir, graph, plan, t, opts);
  else if (t.stage === "model") result = await modelTask(workdir, graph, plan, t, opts);
  else result = await mergeTask(workdir, graph, plan, t, opts);
  const full: TaskResult = { ...result, wallMs: Math.round(performance.now() - t0) };
  writeJsonAtomic(resultPath(workdir, t.id), full);
  return full;
}

/** A fresh temporary folder for a task, moved to tasks/ID once everything in it is written. */
function staging(workdir: string, t: TaskSpec): { dir: string; publish(): void } {
  const dir = `${taskDir(workdir, t.id)}.tmp-${process.pid}`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return {
    dir,
    publish() {
      rmSync(taskDir(workdir, t.id), { recursive: true, force: true });
      renameSync(dir, taskDir(workdir, t.id));
    },
  };
}

async function filesOf(base: string, sub: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const dir = path.join(base, sub);
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) out[`${sub}/${f}`] = await sha256File(path.join(dir, f));
  return out;
}

async function readTask(workdir: string, graph: TaskGraph, plan: ReturnType<typeof readPlan>, t: TaskSpec, opts: TaskOptions): Promise<Omit<TaskResult, "wallMs">> {
  const read = plan.nodes.find((n): n is ReadNode => n.kind === "read" && n.sample === t.sample)!;
  const mine = new Set(t.part!.files.map((f) => read.files[f]));
  // only this part's files are checked against the plan (a locked plan hashes each one)
  await verifyInputs({ ...plan, inputs: plan.inputs.filter((i) => mine.has(i.path)) }, graph.analysisDir);
  const { outputs, decls } = firstPassColumns(plan, read, graph.analysisDir);
  const stage = staging(workdir, t);
  try {
    await streamSample(
      plan,
      read,
      outputs,
      decls,
      { analysisDir: graph.analysisDir, cacheDir: stage.dir, threads: opts.threads, part: t.part, onProgress: opts.onProgress },
      { readMs: 0, computeMs: 0, fillMs: 0 },
      { used: new Set(), warnings: [] },
      undefined,
      () => {},
    );
    const files = await filesOf(stage.dir, "columns");
    stage.publish();
    return { task: t.id, hash: t.hash, files: Object.fromEntries(Object.entries(files).map(([k, v]) => [`tasks/${t.id}/${k}`, v])), events: t.events };
  } catch (e) {
    rmSync(stage.dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * A sample's parts concatenated, in entry order, into the merge's column cache, with the record
 * of the sample's entries per file that the cache keeps beside its columns.
 */
async function gatherTask(workdir: string, graph: TaskGraph, plan: ReturnType<typeof readPlan>, t: TaskSpec): Promise<Omit<TaskResult, "wallMs">> {
  const read = plan.nodes.find((n): n is ReadNode => n.kind === "read" && n.sample === t.sample)!;
  const columnsDir = path.join(workdir, "cache", "columns");
  mkdirSync(columnsDir, { recursive: true });
  const parts = t.inputs.map((i) => taskById(graph, i)!);
  const names = parts.length ? readdirSync(path.join(taskDir(workdir, parts[0].id), "columns")).filter((f) => f.endsWith(".bin")).sort() : [];
  const files: Record<string, string> = {};
  for (const name of names) {
    const dest = path.join(columnsDir, name);
    const tmp = `${dest}.tmp-${process.pid}`;
    const fd = openSync(tmp, "w");
    try {
      for (const p of parts) {
        const src = path.join(taskDir(workdir, p.id), "columns", name);
        if (!existsSync(src)) throw new RunError("HEP7005", { task: p.id, file: `columns/${name}`, problem: "missing" });
        copyInto(fd, src);
      }
    } catch (e) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw e;
    }
    closeSync(fd);
    renameSync(tmp, dest);
    files[`cache/columns/${name}`] = await sha256File(dest);
  }
  const counts = graph.entries[read.sample];
  const entriesFile = path.join(columnsDir, `${hashOf({ entries: read.hash })}.json`);
  // the same record, in the same form, as a run that computed the columns itself
  writeJsonAtomicRaw(entriesFile, JSON.stringify({ entries: counts.reduce((a, b) => a + b, 0), files: counts }));
  files[path.relative(workdir, entriesFile)] = await sha256File(entriesFile);
  return { task: t.id, hash: t.hash, files, events: 0 };
}

function copyInto(fd: number, src: string): void {
  const sfd = openSync(src, "r");
  try {
    const buf = new Uint8Array(1 << 22);
    for (;;) {
      const got = readSync(sfd, buf, 0, buf.length, null);
      if (got === 0) break;
      let done = 0;
      while (done < got) done += writeSync(fd, buf, done, got - done);
    }
  } finally {
    closeSync(sfd);
  }
}

function writeJsonAtomicRaw(p: string, text: string): void {
  const tmp = `${p}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  writeSync(fd, text);
  closeSync(fd);
  renameSync(tmp, p);
}

/** A train block's rows from the gathered columns, prepared as the merge would (warnings to the log). */
async function preparedRows(workdir: string, graph: TaskGraph, plan: ReturnType<typeof readPlan>, t: TaskSpec, opts: TaskOptions) {
  const { node, rows, run } = await trainingRows(plan, t.node!, { analysisDir: graph.analysisDir, cacheDir: path.join(workdir, "cache"), threads: opts.threads });
  const prepared = prepareRows(node, rows, run);
  for (const w of run.warnings) process.stderr.write(`warning: ${w}\n`);
  return { node, prepared, run };
}

/** One fold of one model fitted on the whole training data of its block. */
async function trainTask(workdir: string, graph: TaskGraph, plan: ReturnType<typeof readPlan>, t: TaskSpec, opts: TaskOptions): Promise<Omit<TaskResult, "wallMs">> {
  const node = plan.nodes.find((n) => n.id === t.node) as TrainNode;
  // a model left from an earlier attempt would make the block skip gathering its rows
  rmSync(modelCachePath(path.join(workdir, "cache"), node), { force: true });
  const { prepared, run } = await preparedRows(workdir, graph, plan, t, opts);
  const stage = staging(workdir, t);
  writeFileSync(path.join(stage.dir, "fold.json"), canonicalJson(await fitFold(node, prepared, t.fold!, run)));
  const files = { [`tasks/${t.id}/fold.json`]: await sha256File(path.join(stage.dir, "fold.json")) };
  stage.publish();
  return { task: t.id, hash: t.hash, files, events: 0 };
}

/** A model from its folds' fits, into the merge's model cache (where a run keeps trained models). */
async function modelTask(workdir: string, graph: TaskGraph, plan: ReturnType<typeof readPlan>, t: TaskSpec, opts: TaskOptions): Promise<Omit<TaskResult, "wallMs">> {
  const node = plan.nodes.find((n) => n.id === t.node) as TrainNode;
  const dest = modelCachePath(path.join(workdir, "cache"), node);
  rmSync(dest, { force: true });
  const { prepared, run } = await preparedRows(workdir, graph, plan, t, opts);
  const folds = t.inputs.map((i) => taskById(graph, i)!).filter((x) => x.stage === "train");
  if (folds.length !== prepared.folds.length) throw new RunError("HEP7005", { task: t.id, file: "its folds", problem: `${folds.length} fold task(s) for ${prepared.folds.length} prepared fold(s)` });
  const fitted = folds.map((f) => JSON.parse(readFileSync(path.join(taskDir(workdir, f.id), "fold.json"), "utf8")));
  const model = assembleModel(node, run.byId.get(`scale:${node.features}`) as ScaleNode, prepared, fitted);
  mkdirSync(path.dirname(dest), { recursive: true });
  writeJsonAtomicRaw(dest, canonicalJson(model));
  return { task: t.id, hash: t.hash, files: { [path.relative(workdir, dest)]: await sha256File(dest) }, events: 0 };
}

/** The whole plan from the gathered columns: fills, fits, scores, evaluations, outputs. */
async function mergeTask(workdir: string, graph: TaskGraph, plan: ReturnType<typeof readPlan>, t: TaskSpec, opts: TaskOptions): Promise<Omit<TaskResult, "wallMs">> {
  const ex = await execute(plan, { analysisDir: graph.analysisDir, columnCache: path.join(workdir, "cache"), threads: opts.threads, onProgress: opts.onProgress, ...opts.merge });
  const outputs: Record<string, string> = {};
  for (const o of ex.outputs) {
    const abs = path.join(graph.analysisDir, o.path);
    for (const f of listFiles(abs)) outputs[path.relative(graph.analysisDir, f).split(path.sep).join("/")] = await sha256File(f);
  }
  return { task: t.id, hash: t.hash, files: {}, outputs, runDir: ex.runDir, events: ex.result.samples.reduce((a, s) => a + s.entries, 0) };
}

function listFiles(p: string): string[] {
  if (!existsSync(p)) return [];
  try {
    return readdirSync(p, { withFileTypes: true }).flatMap((d) => listFiles(path.join(p, d.name)));
  } catch {
    return [p];
  }
}
