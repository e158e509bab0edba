/**
 * What every executor shares: the plan cut and the work directory prepared, the tasks still to
 * do, the state file `hepc status` reads, and the per-stage view progress lines are drawn from.
 */
import { hostname } from "node:os";
import * as path from "node:path";
import { hashOf } from "../../../plan/canonical.js";
import type { Plan } from "../../../plan/types.js";
import { validatePlan } from "../../../plan/validate.js";
import { RunError } from "../errors.js";
import { cutPlan, sampleEntries, type CutOptions, type TaskGraph, type TaskSpec } from "./tasks.js";
import { logTail, prepareWorkdir, resultOf, verifyResult, writeState, type ExecutorState, type TaskState } from "./workdir.js";

export interface StageView {
  stage: string;
  total: number;
  done: number;
  running: number;
  failed: number;
  /** Entries read by the stage's finished tasks. */
  events: number;
}

export interface DriveOptions extends CutOptions {
  workdir: string;
  force?: boolean;
  resume?: boolean;
  /** More attempts a failed task gets. */
  retries?: number;
  /** The command that runs a task: argv before `task WORKDIR ID` (node and hepc's entry point). */
  taskCommand: string[];
  signal?: AbortSignal;
  onProgress?: (stages: StageView[]) => void;
}

/** The work directory of a plan unless one is named: .hepc/scale/PLANHASH beside the analysis. */
export function defaultWorkdir(analysisDir: string, planHash: string): string {
  return path.join(analysisDir, ".hepc", "scale", planHash.slice(0, 16));
}

/** Validates the plan, cuts it and prepares the work directory. */
export async function prepare(plan: unknown, analysisDir: string, opts: DriveOptions): Promise<{ plan: Plan; graph: TaskGraph }> {
  const valid = validatePlan(plan);
  if (!valid.ok) throw new RunError("HEP6007", { detail: valid.errors.join("; ") });
  const p = plan as Plan;
  const graph = cutPlan(p, hashOf(p), path.resolve(analysisDir), await sampleEntries(p, analysisDir), opts);
  prepareWorkdir(opts.workdir, p, graph, opts);
  return { plan: p, graph };
}

/** Tasks without a result that checks out (all of them, in a fresh work directory). */
export async function tasksToDo(workdir: string, graph: TaskGraph): Promise<Set<string>> {
  const todo = new Set<string>();
  for (const s of graph.stages) for (const t of s.tasks) if (!resultOf(workdir, t) || !(await verifyResult(workdir, t, graph.analysisDir)).ok) todo.add(t.id);
  // what reads a task that is redone is redone too (its inputs change under it)
  for (const s of graph.stages) for (const t of s.tasks) if (t.inputs.some((i) => todo.has(i))) todo.add(t.id);
  return todo;
}

export function newState(executor: ExecutorState["executor"], graph: TaskGraph, todo: Set<string>): ExecutorState {
  const tasks: ExecutorState["tasks"] = {};
  for (const s of graph.stages) for (const t of s.tasks) tasks[t.id] = { attempts: 0, state: todo.has(t.id) ? "pending" : "done", logs: [] };
  return { executor, pid: process.pid, host: hostname(), started: new Date().toISOString(), status: "running", tasks };
}

export function stageViews(graph: TaskGraph, state: ExecutorState): StageView[] {
  return graph.stages.map((s) => {
    const count = (st: TaskState) => s.tasks.filter((t) => state.tasks[t.id]?.state === st).length;
    return { stage: s.name, total: s.tasks.length, done: count("done"), running: count("running"), failed: count("failed"), events: s.tasks.filter((t) => state.tasks[t.id]?.state === "done").reduce((a, t) => a + t.events, 0) };
  });
}

/** The error a task that failed on its last attempt ends the run with. */
export function failureOf(t: TaskSpec, entry: ExecutorState["tasks"][string]): RunError {
  const log = entry.logs[entry.logs.length - 1];
  const tail = log ? logTail(log, 6) : "";
  return new RunError("HEP7006", { task: t.id, attempts: entry.attempts, detail: `${entry.reason ? `: ${entry.reason}` : ""}${log ? `; log ${log}${tail ? `:\n${tail.replace(/^/gm, "  | ")}` : ""}` : ""}` });
}

export function saveState(workdir: string, state: ExecutorState): void {
  writeState(workdir, state);
}
