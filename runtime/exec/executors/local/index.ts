/**
 * The local executor: every task as a subprocess (`hepc task WORKDIR ID`), stage after stage, a
 * few at a time. It runs exactly what a cluster runs, so it is how the cut is shown complete and
 * the merged outputs identical to `hepc run` (test/exec/executors).
 * In: a prepared work directory. Out: its tasks done, or a RunError naming the task that failed.
 */
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { availableParallelism } from "node:os";
import * as path from "node:path";
import { RunError } from "../../errors.js";
import { failureOf, newState, saveState, stageViews, tasksToDo, type DriveOptions } from "../drive.js";
import type { TaskGraph, TaskSpec } from "../tasks.js";
import { logPath, resultOf, type ExecutorState } from "../workdir.js";

export interface LocalOptions extends DriveOptions {
  /** Tasks at once (default: one per core). */
  jobs?: number;
}

export async function runLocal(graph: TaskGraph, opts: LocalOptions): Promise<ExecutorState> {
  const { workdir } = opts;
  const todo = await tasksToDo(workdir, graph);
  const state = newState("local", graph, todo);
  const jobs = Math.max(1, opts.jobs ?? availableParallelism());
  // the cores are shared out between the tasks that run at once
  const threads = Math.max(1, Math.floor(availableParallelism() / jobs));
  const children = new Set<ReturnType<typeof spawn>>();
  let stopping = false;
  const onAbort = () => {
    for (const c of children) c.kill("SIGTERM");
  };
  opts.signal?.addEventListener("abort", onAbort);
  const changed = () => {
    saveState(workdir, state);
    opts.onProgress?.(stageViews(graph, state));
  };
  changed();
  try {
    for (const stage of graph.stages) {
      const queue = stage.tasks.filter((t) => todo.has(t.id));
      const runOne = async (t: TaskSpec): Promise<void> => {
        const entry = state.tasks[t.id];
        for (;;) {
          if (opts.signal?.aborted) throw new RunError("HEP6005", {});
          entry.attempts++;
          const log = logPath(workdir, t.id, entry.attempts);
          entry.logs.push(log);
          entry.state = "running";
          changed();
          const exit = await runChild(opts.taskCommand, [workdir, t.id], log, threads, children);
          if (exit.code === 0 && resultOf(workdir, t)) {
            entry.state = "done";
            changed();
            return;
          }
          if (opts.signal?.aborted) throw new RunError("HEP6005", {});
          // stopped because another task of the stage failed: neither a failure nor retried
          if (stopping) {
            entry.state = "cancelled";
            changed();
            return;
          }
          entry.reason = exit.signal ? `killed by signal ${exit.signal}${exit.signal === "SIGKILL" ? " (the system's out-of-memory killer sends it)" : ""}` : exit.code === 0 ? "it exited without writing its result" : `exit code ${exit.code}`;
          if (entry.attempts > (opts.retries ?? 0)) {
            entry.state = "failed";
            changed();
            throw failureOf(t, entry);
          }
        }
      };
      // a pool of `jobs` workers over the stage's queue; the first failure stops the stage
      let next = 0;
      let failure: unknown;
      stopping = false;
      await Promise.all(
        Array.from({ length: Math.min(jobs, queue.length) }, async () => {
          while (next < queue.length && failure === undefined) {
            const t = queue[next++];
            try {
              await runOne(t);
            } catch (e) {
              failure ??= e;
              stopping = true;
              onAbort();
            }
          }
        }),
      );
      if (failure !== undefined) throw failure;
    }
    state.status = "done";
    changed();
    return state;
  } catch (e) {
    state.status = opts.signal?.aborted ? "cancelled" : "failed";
    state.error = (e as Error).message;
    for (const t of Object.values(state.tasks)) if (t.state === "running") t.state = opts.signal?.aborted ? "cancelled" : "failed";
    changed();
    throw e;
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
  }
}

function runChild(command: string[], args: string[], log: string, threads: number, children: Set<ReturnType<typeof spawn>>): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  mkdirSync(path.dirname(log), { recursive: true });
  const fd = openSync(log, "w");
  return new Promise((resolve) => {
    const child = spawn(command[0], [...command.slice(1), "task", ...args], { stdio: ["ignore", fd, fd], env: { ...process.env, HEPC_TASK_THREADS: String(threads) } });
    children.add(child);
    let settled = false;
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      children.delete(child);
      closeSync(fd);
      resolve({ code, signal });
    };
    child.on("error", () => done(127, null));
    child.on("exit", done);
  });
}
