/**
 * Where tasks (histogram blocks, partition counts and scatters) run: on the calling thread alone,
 * or on it and `threads − 1` worker threads sharing the training's arrays (SharedArrayBuffer).
 * Both run the same jobs into the same places, so the model does not depend on which is used
 * (tasks.ts). Tasks of fewer than MIN_SHARED_JOBS jobs stay on the calling thread: waking the
 * workers would cost more than the work.
 *
 * Where the worker comes from: it must be plain JavaScript, so it is the compiled `worker.js`
 * next to this module. Running from dist/ (the CLI, the benchmark) it is there; running the .ts
 * sources directly (vitest) there is none and training stays on the calling thread, unless a test
 * points `configureGbdtWorker` at the compiled worker.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { GbdtError } from "./errors.js";
import { jobCount, runTask, type SharedArrays, type Task } from "./tasks.js";
import type { WorkerReply, WorkerRequest } from "./worker.js";

export interface HistEngine {
  /** Threads running tasks, the calling one included. */
  readonly threads: number;
  run(task: Task): Promise<void>;
  close(): Promise<void>;
}

const MIN_SHARED_JOBS = 2;

let configuredUrl: URL | null | undefined;

/** Points the engine at a compiled worker (tests), or back to the default with `undefined`. */
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

class PoolEngine implements HistEngine {
  private workers: Worker[] = [];
  private waiting: { resolve(): void; reject(e: Error): void }[] = [];
  private remaining = 0;
  private failure: Error | null = null;
  private counter = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    url: URL,
    readonly threads: number,
    private shared: SharedArrays,
  ) {
    for (let i = 0; i < threads - 1; i++) {
      const w = new Worker(url, { workerData: { hepcGbdtWorker: true } });
      w.on("message", (m: WorkerReply) => (m.type === "done" ? this.settle(null) : this.settle(new GbdtError("HEP6021", { reason: m.message }))));
      w.on("error", (e) => this.settle(new GbdtError("HEP6021", { reason: e.message })));
      w.on("exit", (code) => {
        if (!this.closing) this.settle(new GbdtError("HEP6021", { reason: `exit code ${code}` }));
      });
      w.postMessage({ type: "init", shared } satisfies WorkerRequest);
      this.workers.push(w);
    }
  }

  private closing = false;

  private settle(error: Error | null): void {
    if (error && !this.failure) this.failure = error;
    if (this.remaining === 0) return;
    this.remaining--;
    if (this.remaining === 0) {
      const w = this.waiting;
      this.waiting = [];
      for (const p of w) this.failure ? p.reject(this.failure) : p.resolve();
    }
  }

  async run(task: Task): Promise<void> {
    if (this.failure) throw this.failure;
    this.counter[0] = 0;
    if (jobCount(task) < MIN_SHARED_JOBS) {
      runTask(this.shared, task, this.counter);
      return;
    }
    this.remaining = this.workers.length;
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    for (const w of this.workers) w.postMessage({ type: "run", task, counter: this.counter } satisfies WorkerRequest);
    runTask(this.shared, task, this.counter);
    await done;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Whether `threads` will really use worker threads (the buffers must then be shared). */
export function usesWorkers(threads: number): boolean {
  return threads > 1 && gbdtWorkerUrl() !== null;
}

export function startEngine(threads: number, shared: SharedArrays): HistEngine {
  const url = gbdtWorkerUrl();
  if (threads > 1 && url) return new PoolEngine(url, threads, shared);
  return new LocalEngine(shared);
}
