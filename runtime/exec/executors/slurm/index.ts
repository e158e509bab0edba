/**
 * The Slurm executor: one job array per stage (`sbatch --array=...%THROTTLE`), each stage after
 * the one before (`--dependency=afterok:JOB`), followed with `squeue` (and `scontrol` for exit
 * codes). A failed task with attempts left is submitted again once its stage has settled, with the
 * later stages resubmitted after it; a task out of attempts, or killed by the scheduler for time or
 * memory, ends the run with its name, state and log, and what is still queued is cancelled, so
 * nothing waits forever on a dependency that can never be satisfied.
 * In: a prepared work directory. Out: its tasks done, or a RunError.
 */
import { mkdirSync, writeFileSync, chmodSync } from "node:fs";
import * as path from "node:path";
import { RunError } from "../../errors.js";
import { runCommand, requireCommands, shellQuote, which } from "../commands.js";
import { failureOf, newState, saveState, stageViews, tasksToDo, type DriveOptions } from "../drive.js";
import type { TaskGraph, TaskSpec } from "../tasks.js";
import { cancelRequested, readState, resultOf, type ExecutorState } from "../workdir.js";

export interface SlurmOptions extends DriveOptions {
  pollMs?: number;
  partition?: string;
  time?: string;
  mem?: string;
  account?: string;
  /** At most this many tasks of an array at once. */
  throttle?: number;
  /** Cores of each task (sbatch --cpus-per-task); a task's threads follow what Slurm gave it. */
  cpus?: number;
}

export const SLURM_HINT = ": install Slurm's client commands (Debian: slurm-client) or run on a host that has them (a login node), or use --executor local";

/** What squeue says of one task of an array. */
export interface JobTask {
  job: string;
  index: number;
  state: string;
  reason: string;
}

/** Lines of `squeue -h -r -t all -o '%F|%K|%T|%r'`. */
export function parseSqueue(text: string): JobTask[] {
  const out: JobTask[] = [];
  for (const line of text.split("\n")) {
    const [job, index, state, reason] = line.trim().split("|");
    if (!job || index === undefined || !/^\d+$/.test(index)) continue;
    out.push({ job, index: Number(index), state, reason: reason ?? "" });
  }
  return out;
}

/** How a Slurm job state ends a task: still going, done, failed or killed by the scheduler (with why). */
export function classify(state: string, o: { time?: string; mem?: string } = {}): { kind: "pending" | "running" | "completed" | "failed" | "killed" | "cancelled"; reason?: string } {
  switch (state) {
    case "PENDING":
    case "REQUEUED":
    case "SUSPENDED":
      return { kind: "pending" };
    case "RUNNING":
    case "CONFIGURING":
    case "COMPLETING":
    case "STAGE_OUT":
      return { kind: "running" };
    case "COMPLETED":
      return { kind: "completed" };
    case "TIMEOUT":
      return { kind: "killed", reason: `it ran past its time limit${o.time ? ` (--time ${o.time})` : ""} (state TIMEOUT)` };
    case "OUT_OF_MEMORY":
      return { kind: "killed", reason: `it used more memory than it asked for${o.mem ? ` (--mem ${o.mem})` : ""} (state OUT_OF_MEMORY)` };
    case "DEADLINE":
      return { kind: "killed", reason: "it reached its deadline (state DEADLINE)" };
    case "NODE_FAIL":
    case "BOOT_FAIL":
      return { kind: "killed", reason: `its node failed (state ${state})` };
    case "PREEMPTED":
      return { kind: "killed", reason: "it was pre-empted (state PREEMPTED)" };
    case "CANCELLED":
      return { kind: "cancelled", reason: "it was cancelled (state CANCELLED)" };
    default:
      return { kind: "failed", reason: `state ${state}` };
  }
}

/** The array job id sbatch --parsable printed ("ID" or "ID;CLUSTER"). */
export function parseSbatch(stdout: string): string | undefined {
  const m = /^(\d+)(;\S+)?\s*$/.exec(stdout.trim());
  return m?.[1];
}

/** An index list for --array: "0-3,7,9-10". */
export function arraySpec(indices: number[]): string {
  const sorted = [...indices].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** The job script of a stage: runs the array task's task. */
export function stageScript(graph: TaskGraph, workdir: string, stage: string, taskCommand: string[]): string {
  return [
    "#!/bin/sh",
    `# hepc scale-out: stage '${stage}' of ${workdir} (plan ${graph.planHash.slice(0, 12)}).`,
    "# Submitted by `hepc run --executor slurm` as a job array; the array index names the task.",
    "# Threads: the cores Slurm allocated to the task (one unless --cpus-per-task).",
    'export HEPC_TASK_THREADS="${SLURM_CPUS_PER_TASK:-1}"',
    `exec ${[...taskCommand, "task", workdir].map(shellQuote).join(" ")} "${stage}:$SLURM_ARRAY_TASK_ID"`,
    "",
  ].join("\n");
}

export function sbatchArgs(graph: TaskGraph, workdir: string, stage: string, indices: number[], deps: string[], o: SlurmOptions): string[] {
  const args = ["--parsable", `--job-name=hepc-${stage}`, `--array=${arraySpec(indices)}${o.throttle ? `%${o.throttle}` : ""}`, `--output=${path.join(workdir, "logs", `${stage}-%a.job%A.log`)}`, `--chdir=${graph.analysisDir}`];
  if (deps.length) args.push(`--dependency=afterok:${deps.join(":")}`);
  if (o.partition) args.push(`--partition=${o.partition}`);
  if (o.time) args.push(`--time=${o.time}`);
  if (o.mem) args.push(`--mem=${o.mem}`);
  if (o.account) args.push(`--account=${o.account}`);
  if (o.cpus) args.push(`--cpus-per-task=${o.cpus}`);
  args.push(path.join(workdir, "slurm", `${stage}.sh`));
  return args;
}

export async function runSlurm(graph: TaskGraph, opts: SlurmOptions): Promise<ExecutorState> {
  requireCommands("slurm", ["sbatch", "squeue", "scancel"], SLURM_HINT);
  const { workdir } = opts;
  const todo = await tasksToDo(workdir, graph);
  const state = newState("slurm", graph, todo);
  state.jobs = [];
  const jobs = state.jobs;
  mkdirSync(path.join(workdir, "slurm"), { recursive: true });
  for (const s of graph.stages) {
    const p = path.join(workdir, "slurm", `${s.name}.sh`);
    writeFileSync(p, stageScript(graph, workdir, s.name, opts.taskCommand));
    chmodSync(p, 0o755);
  }
  const byJobIndex = new Map<string, TaskSpec>();
  const changed = () => {
    saveState(workdir, state);
    opts.onProgress?.(stageViews(graph, state));
  };
  /** Submits the stages from `from` on, each after the one before, for their tasks not done. */
  const submitFrom = async (from: number, deps: string[]) => {
    for (let s = from; s < graph.stages.length; s++) {
      const stage = graph.stages[s];
      const tasks = stage.tasks.filter((t) => state.tasks[t.id].state !== "done");
      if (!tasks.length) continue;
      const args = sbatchArgs(graph, workdir, stage.name, tasks.map((t) => t.index), deps, opts);
      const out = await runCommand("sbatch", args);
      const id = out.code === 0 ? parseSbatch(out.stdout) : undefined;
      if (!id) throw new RunError("HEP7002", { scheduler: "Slurm", stage: stage.name, message: (out.stderr.trim() || out.stdout.trim() || `sbatch exited with ${out.code}`).replace(/^sbatch: error: /gm, "") });
      jobs.push({ stage: stage.name, id, indices: tasks.map((t) => t.index), attempt: Math.max(...tasks.map((t) => state.tasks[t.id].attempts + 1)) });
      for (const t of tasks) {
        const e = state.tasks[t.id];
        e.attempts++;
        e.state = "pending";
        e.job = `${id}_${t.index}`;
        e.reason = undefined;
        e.logs.push(path.join(workdir, "logs", `${stage.name}-${t.index}.job${id}.log`));
        byJobIndex.set(e.job, t);
      }
      deps = [id];
      changed();
    }
  };
  const ours = () => jobs.map((j) => j.id);
  const cancelAll = async () => {
    if (jobs.length) await runCommand("scancel", ours());
  };
  const onAbort = () => void cancelAll();
  opts.signal?.addEventListener("abort", onAbort);
  try {
    await submitFrom(0, []);
    const pollMs = opts.pollMs ?? 2000;
    const hasScontrol = which("scontrol") !== undefined;
    for (;;) {
      if (opts.signal?.aborted) throw new RunError("HEP6005", {});
      // `hepc cancel` (from any shell) marks the state: the run ends here, its jobs cancelled
      if (cancelRequested(workdir) || readState(workdir)?.status === "cancelled") throw cancelledRun("hepc cancel");
      const seen = await poll(ours());
      /** What ended each task that did not complete, this poll. */
      const ended = new Map<string, { kind: "failed" | "killed" | "cancelled" | "never"; reason: string }>();
      for (const j of seen) {
        const t = byJobIndex.get(`${j.job}_${j.index}`);
        if (!t) continue;
        const e = state.tasks[t.id];
        if (e.job !== `${j.job}_${j.index}` || e.state === "done") continue;
        const c = classify(j.state, opts);
        if (c.kind === "pending") {
          if (j.reason === "DependencyNeverSatisfied") ended.set(t.id, { kind: "never", reason: "its dependency can never be satisfied (DependencyNeverSatisfied)" });
          else e.state = "pending";
        } else if (c.kind === "running") e.state = "running";
        else if (c.kind === "completed") {
          if (resultOf(workdir, t)) e.state = "done";
          else ended.set(t.id, { kind: "failed", reason: "the job completed but the task wrote no result" });
        } else if (c.kind === "failed") ended.set(t.id, { kind: "failed", reason: hasScontrol ? await exitOf(e.job!) : c.reason! });
        else ended.set(t.id, { kind: c.kind, reason: c.reason! });
      }
      // A task squeue no longer lists (its record aged out) is judged by its result.
      const listed = new Set(seen.map((j) => `${j.job}_${j.index}`));
      for (const s of graph.stages) {
        for (const t of s.tasks) {
          const e = state.tasks[t.id];
          if (e.state === "done" || !e.job || listed.has(e.job)) continue;
          if (resultOf(workdir, t)) e.state = "done";
          else if (!ended.has(t.id)) ended.set(t.id, { kind: "failed", reason: "the job is no longer known to squeue and the task wrote no result" });
        }
      }
      // a job cancelled by `hepc cancel` between two polls: the user's cancel, not a task's failure
      if ([...ended.values()].some((w) => w.kind === "cancelled") && cancelRequested(workdir)) throw cancelledRun("hepc cancel");
      for (const [id, why] of ended) {
        const e = state.tasks[id];
        e.state = why.kind === "never" ? "pending" : why.kind === "cancelled" ? "cancelled" : "failed";
        e.reason = why.reason;
      }
      changed();
      if (state.tasks[graph.stages[graph.stages.length - 1].tasks[0].id].state === "done") break;
      // The first stage with a task that ended badly decides, once none of its tasks is still going.
      for (let s = 0; s < graph.stages.length; s++) {
        const stage = graph.stages[s];
        const bad = stage.tasks.filter((t) => ["failed", "cancelled"].includes(state.tasks[t.id].state));
        const never = stage.tasks.filter((t) => ended.get(t.id)?.kind === "never");
        if (!bad.length && !never.length) continue;
        if (!bad.length) {
          // waiting on something that failed outside this run's view (cancelled by hand)
          await cancelAll();
          throw new RunError("HEP7006", { task: never[0].id, attempts: state.tasks[never[0].id].attempts, detail: ": its dependency can never be satisfied (an earlier job was cancelled or failed outside hepc); run again with --resume" });
        }
        if (stage.tasks.some((t) => ["pending", "running"].includes(state.tasks[t.id].state) && ended.get(t.id)?.kind !== "never")) break;
        // a job cancelled (hepc cancel, scancel) ends the run as cancelled, whatever the attempts left
        const cancelled = bad.find((t) => state.tasks[t.id].state === "cancelled");
        if (cancelled) throw cancelledRun(`task ${cancelled.id}'s job was cancelled`);
        const out = bad.find((t) => state.tasks[t.id].attempts > (opts.retries ?? 0));
        if (out) {
          await cancelAll();
          const e = state.tasks[out.id];
          const kind = ended.get(out.id)?.kind;
          if (kind === "killed") throw new RunError("HEP7003", { task: out.id, scheduler: "Slurm", reason: `${e.reason}; log ${e.logs[e.logs.length - 1]}` });
          throw failureOf(out, e);
        }
        // attempts left: what depends on this stage is cancelled and submitted again after the retry
        const later = jobs.filter((j) => graph.stages.findIndex((x) => x.name === j.stage) > s).map((j) => j.id);
        if (later.length) await runCommand("scancel", later);
        for (let l = s + 1; l < graph.stages.length; l++) {
          for (const t of graph.stages[l].tasks) {
            const e = state.tasks[t.id];
            if (e.state === "done") continue;
            // it never ran: that submission was no attempt
            e.state = "pending";
            e.attempts--;
            e.logs.pop();
          }
        }
        await submitFrom(s, []);
        break;
      }
      await sleep(pollMs, opts.signal);
    }
    state.status = "done";
    changed();
    return state;
  } catch (e) {
    // the run is over: nothing it submitted may go on running (a stage submitted before a later
    // submission was rejected, a poll that failed)
    await cancelAll().catch(() => {});
    state.status = opts.signal?.aborted || (e instanceof RunError && e.args.cancelled === 1) ? "cancelled" : "failed";
    state.error = (e as Error).message;
    changed();
    throw e;
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
  }
}

function cancelledRun(why: string): RunError {
  return new RunError("HEP7009", { scheduler: "Slurm", detail: `the run was cancelled (${why}); finished tasks keep their results: --resume runs the rest`, cancelled: 1 });
}

/** squeue of the run's jobs, one line per array task, finished ones included while Slurm keeps them. */
export async function poll(ids: string[]): Promise<JobTask[]> {
  if (!ids.length) return [];
  const out = await runCommand("squeue", ["-h", "-r", "-t", "all", "-j", ids.join(","), "-o", "%F|%K|%T|%r"]);
  // squeue fails when none of the ids is known any more (aged out): nothing is listed then
  if (out.code !== 0 && !/Invalid job id/i.test(out.stderr)) throw new RunError("HEP7009", { scheduler: "squeue", detail: out.stderr.trim() || `exit ${out.code}` });
  return parseSqueue(out.stdout);
}

/** The exit code of a failed array task, from scontrol ("exit code 1"). */
async function exitOf(job: string): Promise<string> {
  const out = await runCommand("scontrol", ["-o", "show", "job", job]);
  const m = /ExitCode=(\d+):(\d+)/.exec(out.stdout);
  if (!m) return "state FAILED";
  return Number(m[2]) ? `killed by signal ${m[2]} (state FAILED)` : `exit code ${m[1]} (state FAILED)`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const wake = () => {
      clearTimeout(t);
      signal?.removeEventListener("abort", wake);
      resolve();
    };
    const t = setTimeout(wake, ms);
    signal?.addEventListener("abort", wake, { once: true });
  });
}

/** Cancels the jobs a work directory's state records (`hepc cancel`). */
export async function cancelSlurm(state: ExecutorState): Promise<string[]> {
  requireCommands("slurm", ["scancel"], SLURM_HINT);
  const ids = (state.jobs ?? []).map((j) => j.id);
  if (ids.length) {
    const out = await runCommand("scancel", ids);
    if (out.code !== 0) throw new RunError("HEP7009", { scheduler: "scancel", detail: out.stderr.trim() });
  }
  return ids;
}
