/**
 * Where tasks (histogram blocks, partition counts and scatters) run: on the calling thread alone,
 * or on it and `threads − 1` threads of the process's pool (runtime/threads, shared with reading
 * and chunks) sharing the training's arrays (SharedArrayBuffer).
 * Both run the same jobs into the same places, so the model does not depend on which is used
 * (tasks.ts). Tasks of fewer than MIN_SHARED_JOBS jobs stay on the calling thread: waking the
 * workers would cost more than the work.
 *
 * Where the job code comes from: it must be plain JavaScript, so it is the compiled `worker.js`
 * next to this module, which the pool's threads import by URL. Running from dist/ (the CLI, the
 * benchmark) it is there; running the .ts sources directly (vitest) there is none and training
 * stays on the calling thread, unless a test points `configureGbdtWorker` at the compiled handler
 * (and runtime/threads' `configureThreads` at the compiled thread entry).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { threadPool, ThreadStopped, type Job } from "../../threads/index.js";
import { GbdtError } from "./errors.js";
import { jobCount, runTask, type SharedArrays, type Task } from "./tasks.js";
import type { WorkerRequest } from "./worker.js";

export interface HistEngine {
  /** Threads running tasks, the calling one included. */
  readonly threads: number;
  run(task: Task): Promise<void>;
  close(): Promise<void>;
}

const MIN_SHARED_JOBS = 2;

let configuredUrl: URL | null | undefined;

/** Points the engine at a compiled job handler (tests), or back to the default with `undefined`. */
export function configureGbdtWorker(options: { workerUrl: URL | null | undefined }): void {
  configuredUrl = options.workerUrl;
}

export function gbdtWorkerUrl(): URL | null {
  if (configuredUrl !== undefined) return configuredUrl;
  const url = new URL("./worker.js", import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : null;
}

/** A SharedArrayBuffer-backed array when worker threads will read it, a plain one otherwise. */
export function sharedArray<T extends Uint8Array | Int32Array | Float32Array | Float64Array>(ctor: { new (b: ArrayBufferLike): T; BYTES_PER_ELEMENT: number }, length: number, shared: boolean): T {
  const bytes = length * ctor.BYTES_PER_ELEMENT;
  return new ctor(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}

class LocalEngine implements HistEngine {
  readonly threads = 1;
  private counter = new Int32Array(1);
  constructor(private shared: SharedArrays) {}
  async run(task: Task): Promise<void> {
    this.counter[0] = 0;
    runTask(this.shared, task, this.counter);
  }
  async close(): Promise<void> {}
}

/** Which training's arrays a thread holds (its Slot.state), so they are sent to it once. */
const HOLDS = Symbol("gbdt training");
let nextTraining = 1;

class PoolEngine implements HistEngine {
  private failure: Error | null = null;
  private counter = new Int32Array(new SharedArrayBuffer(4));
  private readonly training = nextTraining++;

  constructor(
    private url: URL,
    readonly threads: number,
    private shared: SharedArrays,
  ) {
    // Threads start now: they load their code while the first task is prepared.
    threadPool().start(threads - 1);
  }

  private job(payload: WorkerRequest): Job {
    return { handler: this.url, payload };
  }

  async run(task: Task): Promise<void> {
    if (this.failure) throw this.failure;
    this.counter[0] = 0;
    if (jobCount(task) < MIN_SHARED_JOBS) {
      runTask(this.shared, task, this.counter);
      return;
    }
    const pool = threadPool();
    const replies: Promise<unknown>[] = [];
    // Every thread takes jobs from the shared counter until none is left, this one too: the
    // results are in fixed places whoever ran them (tasks.ts).
    for (const slot of pool.start(this.threads - 1)) {
      const jobs: Job[] = [];
      if (slot.state.get(HOLDS) !== this.training) {
        jobs.push(this.job({ type: "init", training: this.training, shared: this.shared }));
        slot.state.set(HOLDS, this.training);
      }
      jobs.push(this.job({ type: "run", training: this.training, task, counter: this.counter }));
      replies.push(...pool.post(slot, jobs));
    }
    runTask(this.shared, task, this.counter);
    for (const r of await Promise.allSettled(replies)) {
      if (r.status !== "rejected" || this.failure) continue;
      const e = r.reason as Error;
      this.failure = new GbdtError("HEP6021", { reason: e instanceof ThreadStopped ? e.reason : (e?.message ?? String(e)) });
    }
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    // The threads stay for later work; they let go of this training's arrays.
    const pool = threadPool();
    for (const slot of pool.live(this.threads - 1)) {
      if (slot.state.get(HOLDS) !== this.training) continue;
      pool.tell(slot, this.job({ type: "drop", training: this.training }));
      slot.state.delete(HOLDS);
    }
  }
}

/** Whether `threads` will really use worker threads (the buffers must then be shared). */
export function usesWorkers(threads: number): boolean {
  return threads > 1 && gbdtWorkerUrl() !== null && threadPool().threaded;
}

export function startEngine(threads: number, shared: SharedArrays): HistEngine {
  const url = gbdtWorkerUrl();
  if (threads > 1 && url && threadPool().threaded) return new PoolEngine(url, threads, shared);
  return new LocalEngine(shared);
}
