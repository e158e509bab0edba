/**
 * What the decode pool (pool.ts) and the executor's chunk pool (runtime/exec/chunks.ts) share
 * about worker threads: starting one that does not keep the process alive while idle, and failing
 * the jobs of one that dies.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * Starts a worker, passes its replies to `onMessage`, and calls `onDeath` once if it errors or
 * exits. The worker is unref'd: its owner refs it while it holds jobs. (The unref comes after the
 * listeners, because adding a "message" listener refs the worker's port again.)
 */
export function startWorker<M>(url: URL, options: WorkerOptions, onMessage: (m: M) => void, onDeath: (why: string) => void): Worker {
  const worker = new Worker(url, options);
  let dead = false;
  const die = (why: string): void => {
    if (dead) return;
    dead = true;
    onDeath(why);
  };
  worker.on("message", onMessage);
  worker.on("error", (e) => die(e.message));
  worker.on("exit", (code) => die(`exit code ${code}`));
  worker.unref();
  return worker;
}

/** Rejects, and forgets, the pending jobs that `holder` held. */
export function failJobsOf<S>(pending: Map<number, { slot?: S; reject(e: Error): void }>, holder: S, error: () => Error): void {
  for (const [id, p] of pending) {
    if (p.slot !== holder) continue;
    pending.delete(id);
    p.reject(error());
  }
}
