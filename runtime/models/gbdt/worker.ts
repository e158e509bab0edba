/**
 * A histogram worker thread: it holds the shared bin matrix, gradient pairs and row partition of
 * one training, and on each "run" message takes block jobs from the shared counter (see
 * histograms.ts) until none is left, then answers "done".
 */
import { parentPort } from "node:worker_threads";
import { runJobs } from "./histograms.js";

export type WorkerRequest =
  | { type: "init"; bins: Uint8Array; F: number; gh: Float64Array; rows: Int32Array }
  | { type: "run"; jobs: Int32Array; counter: Int32Array; arena: Float64Array; partial: Float64Array };

export type WorkerReply = { type: "done"; jobs: number } | { type: "error"; message: string };

let state: { bins: Uint8Array; F: number; gh: Float64Array; rows: Int32Array } | null = null;

parentPort?.on("message", (m: WorkerRequest) => {
  try {
    if (m.type === "init") {
      state = { bins: m.bins, F: m.F, gh: m.gh, rows: m.rows };
      return;
    }
    if (!state) throw new Error("run before init");
    const jobs = runJobs(state.bins, state.F, state.gh, state.rows, m.jobs, m.counter, m.arena, m.partial);
    parentPort!.postMessage({ type: "done", jobs } satisfies WorkerReply);
  } catch (e) {
    parentPort!.postMessage({ type: "error", message: e instanceof Error ? e.message : String(e) } satisfies WorkerReply);
  }
});
