/**
 * A training worker thread: it holds the shared arrays of one training (bins, gradient pairs, row
 * partition), and on each "run" message takes jobs of the task from the shared counter (tasks.ts)
 * until none is left, then answers "done".
 */
import { parentPort } from "node:worker_threads";
import { runTask, type SharedArrays, type Task } from "./tasks.js";

export type WorkerRequest = { type: "init"; shared: SharedArrays } | { type: "run"; task: Task; counter: Int32Array };

export type WorkerReply = { type: "done"; jobs: number } | { type: "error"; message: string };

let shared: SharedArrays | null = null;

parentPort?.on("message", (m: WorkerRequest) => {
  try {
    if (m.type === "init") {
      shared = m.shared;
      return;
    }
    if (!shared) throw new Error("run before init");
    const jobs = runTask(shared, m.task, m.counter);
    parentPort!.postMessage({ type: "done", jobs } satisfies WorkerReply);
  } catch (e) {
    parentPort!.postMessage({ type: "error", message: e instanceof Error ? e.message : String(e) } satisfies WorkerReply);
  }
});
