/**
 * A work directory on shared storage: the plan, its tasks, each task's outputs with a record of
 * their sha256, the logs of every attempt, and the executor's state.
 *
 *   plan.json  tasks.json  state.json
 *   tasks/ID/result.json    (written last: a task is done when its result names its hash)
 *   tasks/ID/…              (its files)
 *   cache/columns/          (the gathered columns the merge reads)
 *   logs/ID.ATTEMPT.log
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { canonicalJson } from "../../../plan/canonical.js";
import type { Plan } from "../../../plan/types.js";
import { RunError } from "../errors.js";
import type { TaskGraph, TaskSpec } from "./tasks.js";

export interface TaskResult {
  task: string;
  hash: string;
  /** sha256 of each file it wrote, by path relative to the work directory (or, for `outputs`, the analysis folder). */
  files: Record<string, string>;
  outputs?: Record<string, string>;
  /** The merge's run directory. */
  runDir?: string;
  events: number;
  wallMs: number;
}

export const taskDir = (workdir: string, id: string) => path.join(workdir, "tasks", id);
export const resultPath = (workdir: string, id: string) => path.join(taskDir(workdir, id), "result.json");
/**
 * `hepc cancel` leaves this file before it cancels anything, so that the run following the jobs
 * reads a job the scheduler reports cancelled as the user's cancel, whichever it sees first.
 */
export const cancelMarker = (workdir: string) => path.join(workdir, "cancel-requested");
export const cancelRequested = (workdir: string) => existsSync(cancelMarker(workdir));
export const logPath = (workdir: string, id: string, attempt: number) => path.join(workdir, "logs", `${id}.${attempt}.log`);

export function writeJsonAtomic(p: string, value: unknown): void {
  mkdirSync(path.dirname(p), { recursive: true });
  const tmp = `${p}.tmp-${process.pid}`;
  writeFileSync(tmp, canonicalJson(value));
  renameSync(tmp, p);
}

export function readJson<T>(p: string): T | undefined {
  try {
    return JSON.parse(readFileSync(p, "utf8")) as T;
  } catch {
    return undefined;
  }
}

export async function sha256File(p: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of createReadStream(p)) h.update(c as Buffer);
  return h.digest("hex");
}

/** The task graph of a work directory; a RunError if it is not one. */
export function readGraph(workdir: string): TaskGraph {
  const g = readJson<TaskGraph>(path.join(workdir, "tasks.json"));
  if (!g || g.format !== "hepc-tasks/1") throw new RunError("HEP7007", { path: workdir, reason: existsSync(workdir) ? "it has no readable tasks.json" : "it does not exist" });
  return g;
}

export function readPlan(workdir: string): Plan {
  const p = readJson<Plan>(path.join(workdir, "plan.json"));
  if (!p) throw new RunError("HEP7007", { path: workdir, reason: "it has no readable plan.json" });
  return p;
}

/**
 * Prepares `workdir` for a graph. A work directory of another plan or another cut is refused
 * unless `force` (then emptied); without `resume` the results of earlier attempts are discarded,
 * with it those that still check out are kept.
 */
export function prepareWorkdir(workdir: string, plan: Plan, graph: TaskGraph, o: { force?: boolean; resume?: boolean }): void {
  const old = existsSync(path.join(workdir, "tasks.json")) ? readJson<TaskGraph>(path.join(workdir, "tasks.json")) : undefined;
  if (old && !o.force) {
    const same = old.planHash === graph.planHash && JSON.stringify(old.cut) === JSON.stringify(graph.cut);
    if (!same) throw new RunError("HEP7004", { dir: workdir, found: `plan ${String(old.planHash).slice(0, 12)}, ${cutText(old.cut)}`, planned: `plan ${graph.planHash.slice(0, 12)}, ${cutText(graph.cut)}` });
  } else if (!old && existsSync(workdir) && readdirSync(workdir).length && !o.force) {
    throw new RunError("HEP7007", { path: workdir, reason: "the folder is not empty and holds no tasks.json (use --force to use it anyway)" });
  }
  if (o.force || !o.resume) {
    for (const sub of ["tasks", "cache", "state.json", "slurm", "condor"]) rmSync(path.join(workdir, sub), { recursive: true, force: true });
  }
  mkdirSync(path.join(workdir, "logs"), { recursive: true });
  rmSync(cancelMarker(workdir), { force: true }); // a new run, or a resumed one, is not cancelled
  writeJsonAtomic(path.join(workdir, "plan.json"), plan);
  writeJsonAtomic(path.join(workdir, "tasks.json"), graph);
}

function cutText(cut: TaskGraph["cut"] | undefined): string {
  return cut?.events ? `${cut.events} events a task` : `${cut?.files ?? 1} file(s) a task`;
}

/** The task's result if it is there and made for this task's hash (its files are not checked). */
export function resultOf(workdir: string, t: TaskSpec): TaskResult | undefined {
  const r = readJson<TaskResult>(resultPath(workdir, t.id));
  return r && r.hash === t.hash ? r : undefined;
}

/**
 * Whether a task's result is there, for its hash, with every file it recorded present and of the
 * recorded sha256. `why` gets the first problem found.
 */
export async function verifyResult(workdir: string, t: TaskSpec, analysisDir: string): Promise<{ ok: true; result: TaskResult } | { ok: false; file: string; problem: string }> {
  const r = readJson<TaskResult>(resultPath(workdir, t.id));
  if (!r) return { ok: false, file: path.relative(workdir, resultPath(workdir, t.id)), problem: "missing (the task has not completed)" };
  if (r.hash !== t.hash) return { ok: false, file: path.relative(workdir, resultPath(workdir, t.id)), problem: "made for another version of the task (hash differs)" };
  const check = async (base: string, files: Record<string, string>) => {
    for (const [rel, sha] of Object.entries(files)) {
      const p = path.join(base, rel);
      if (!existsSync(p) || !statSync(p).isFile()) return { ok: false as const, file: rel, problem: "missing" };
      const actual = await sha256File(p);
      if (actual !== sha) return { ok: false as const, file: rel, problem: `corrupt (sha256 ${actual.slice(0, 12)}…, recorded ${sha.slice(0, 12)}…)` };
    }
    return undefined;
  };
  const bad = (await check(workdir, r.files)) ?? (r.outputs ? await check(analysisDir, r.outputs) : undefined);
  return bad ?? { ok: true, result: r };
}

/** What the driving process records as it goes, for `hepc status` and `hepc cancel`. */
export interface ExecutorState {
  executor: "local" | "slurm" | "htcondor";
  /** The driving process (local executor: the one to signal on cancel). */
  pid: number;
  host: string;
  started: string;
  status: "running" | "done" | "failed" | "cancelled" | "written";
  /** Per task: attempts made, the last state seen and the logs of every attempt. */
  tasks: Record<string, { attempts: number; state: TaskState; logs: string[]; reason?: string; job?: string }>;
  /** Slurm: the jobs submitted, by stage and attempt. */
  jobs?: Array<{ stage: string; id: string; indices: number[]; attempt: number }>;
  error?: string;
}

export type TaskState = "pending" | "running" | "done" | "failed" | "cancelled";

export function readState(workdir: string): ExecutorState | undefined {
  return readJson<ExecutorState>(path.join(workdir, "state.json"));
}

export function writeState(workdir: string, s: ExecutorState): void {
  writeJsonAtomic(path.join(workdir, "state.json"), s);
}

/** The last lines of a log (what `hepc status` shows of a failure). */
export function logTail(p: string, lines = 8): string {
  try {
    const text = readFileSync(p, "utf8").trimEnd().split("\n");
    return text.slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
