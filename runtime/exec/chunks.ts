/**
 * Where chunks are computed: on this thread, or on a pool of worker threads that each take a whole
 * chunk (read its baskets, decode them, run the kernel) and hand back the kernel's outputs. The
 * executor consumes the outputs in entry order whatever order they finish in, so parallelism never
 * changes a sum (see run.ts).
 *
 * Where the worker comes from: it must be plain JavaScript, so it is the compiled
 * `chunk-worker.js` next to this module. Running from dist/ (the CLI, benchmarks) it is there;
 * running the .ts sources directly (vitest) there is no .js sibling and chunks are computed on this
 * thread, unless a test points `configureChunkPool` at the compiled worker.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import { KernelError, type Kernel } from "../columns/index.js";
import type { ReadPlan } from "../io/index.js";
import { failJobsOf, startWorker } from "../io/threads.js";
import { ArrayPool, deserializeError, OpenFiles, runChunk, type ChunkReply, type ChunkRequest } from "./chunk.js";

export type Outputs = Map<string, Float64Array | Uint8Array>;

export interface ChunkDone {
  outputs: Outputs;
  readMs: number;
  computeMs: number;
}

export interface ChunkRunner {
  /** Chunks worth having in flight at once, per sample, to keep every thread busy (bounds memory too). */
  readonly capacity: number;
  /** Whether chunks run on worker threads. */
  readonly threaded: boolean;
  /**
   * Computes one chunk. `inputs` holds the kernel's input columns (`kernel.inputs`: model scores,
   * `score:MODEL:OUTPUT`) for exactly the chunk's events, value i for entry entry0 + i: required
   * when the kernel has any. The caller keeps its arrays: a worker gets copies.
   */
  run(kernel: Kernel, plan: ReadPlan, entry0: number, inputs?: ReadonlyMap<string, Float64Array>): Promise<ChunkDone>;
  /** Outputs of a consumed chunk, whose arrays may be written over by a later chunk. */
  recycle(outputs: Outputs): void;
  /** Closes files held open for reading. */
  release(): void;
  /** Starts the threads now (they load their code meanwhile) rather than at the first chunk. */
  prepare(): void;
}

/** A worker thread ended (crashed, ran out of memory) while it held chunks. */
export class WorkerStopped extends Error {
  override readonly name = "WorkerStopped";
  constructor(readonly reason: string) {
    super(`chunk worker stopped: ${reason}`);
  }
}

/**
 * Output arrays of consumed chunks, for later chunks' kernels to write into (a page fault per 4 KB
 * saved); only arrays already at hand are offered, a kernel allocates the rest itself.
 */
class Spares {
  private pool = new ArrayPool();
  put(outputs: Outputs): void {
    for (const a of outputs.values()) this.pool.put(a instanceof Float64Array ? "f8" : "u1", a);
  }
  take(kernel: Kernel, n: number): Map<string, Float64Array | Uint8Array> | undefined {
    const out = new Map<string, Float64Array | Uint8Array>();
    for (const o of kernel.outputs) {
      const a = this.pool.take(o.as === "mask" ? "u1" : "f8", n) as Float64Array | Uint8Array | undefined;
      if (a) out.set(o.key, a);
    }
    return out.size ? out : undefined;
  }
  clear(): void {
    this.pool.clear();
  }
}

/** Every chunk on the calling thread, one after the other. */
export class InThreadRunner implements ChunkRunner {
  readonly capacity = 1;
  readonly threaded = false;
  private files = new OpenFiles();
  private spares = new Spares();
  private pool = new ArrayPool();

  async run(kernel: Kernel, plan: ReadPlan, entry0: number, inputs?: ReadonlyMap<string, Float64Array>): Promise<ChunkDone> {
    return runChunk(kernel, plan, entry0, this.files, this.pool, this.spares.take(kernel, plan.n), inputs);
  }
  recycle(outputs: Outputs): void {
    this.spares.put(outputs);
  }
  release(): void {
    this.files.closeAll();
    this.spares.clear();
  }
  prepare(): void {}
}

interface Slot {
  worker: Worker;
  busy: number;
  kernels: Set<number>;
  dead?: boolean;
}

interface Pending {
  resolve(d: ChunkDone): void;
  reject(e: Error): void;
  slot: Slot;
}

const KERNELS_KEPT = 32;

/** Chunks on worker threads, each worker taking whole chunks. */
export class WorkerRunner implements ChunkRunner {
  readonly threaded = true;
  private slots: Slot[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 1;
  /** Kernels by source: samples with the same kernel share its id, and a worker's compiled copy. */
  private kernelIds = new Map<string, number>();
  private nextKernel = 1;
  private spares = new Spares();
  /** Chunks per worker at once: two keep a worker busy while the next message is in flight. */
  private readonly depth = 2;

  constructor(
    readonly workerUrl: URL,
    readonly size: number,
  ) {}

  get capacity(): number {
    return this.size * this.depth;
  }

  run(kernel: Kernel, plan: ReadPlan, entry0: number, inputs?: ReadonlyMap<string, Float64Array>): Promise<ChunkDone> {
    const missing = kernel.inputs.find((key) => !(inputs?.get(key) instanceof Float64Array));
    // as the kernel itself says on this thread, before a worker is bothered
    if (missing !== undefined) return Promise.reject(new KernelError(`the batch has no input column '${missing}' (a Float64Array)`));
    let kid = this.kernelIds.get(kernel.source);
    if (kid === undefined) this.kernelIds.set(kernel.source, (kid = this.nextKernel++));
    let slot = this.slots.find((s) => s.busy === 0);
    if (!slot && this.slots.length < this.size) slot = this.spawn();
    if (!slot) slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const s = slot;
    const id = this.nextId++;
    const into = this.spares.take(kernel, plan.n);
    const req: ChunkRequest = {
      id,
      kernel: s.kernels.has(kid) ? kid : { id: kid, source: kernel.source, branches: kernel.branches, outputs: kernel.outputs, inputs: kernel.inputs },
      plan,
      entry0,
    };
    if (into) req.into = Object.fromEntries(into);
    // Input columns are copied to exactly the chunk's values and the copies transferred: the
    // caller's arrays are often views of a whole sample's column, whose structured clone would
    // copy all of it, and whose transfer would take it from the caller.
    const sent = kernel.inputs.map((key) => {
      return [key, inputs!.get(key)!.slice(0, plan.n)] as const;
    });
    if (sent.length) req.inputs = Object.fromEntries(sent);
    s.kernels.add(kid);
    return new Promise<ChunkDone>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot: s });
      if (s.busy++ === 0) s.worker.ref();
      const transfer = [...(into ? into.values() : []), ...sent.map(([, a]) => a)].map((a) => a.buffer as ArrayBuffer);
      s.worker.postMessage(req, [...new Set(transfer)]);
    });
  }

  recycle(outputs: Outputs): void {
    this.spares.put(outputs);
  }

  prepare(): void {
    while (this.slots.length < this.size) this.spawn();
  }

  release(): void {
    // Kernels stay compiled in the workers for the next samples, up to a few dozen.
    const forget = this.kernelIds.size > KERNELS_KEPT;
    for (const s of this.slots) {
      s.worker.postMessage({ close: true, forget });
      if (forget) s.kernels.clear();
    }
    if (forget) this.kernelIds.clear();
    this.spares.clear();
  }

  private spawn(): Slot {
    // the worker is set just below, before any of its callbacks can run
    const slot = { busy: 0, kernels: new Set<number>() } as Slot;
    slot.worker = startWorker<ChunkReply>(
      this.workerUrl,
      { workerData: { hepcChunkWorker: true } },
      (m) => {
        if (--slot.busy === 0) slot.worker.unref();
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if ("error" in m) p.reject(deserializeError(m.error));
        else {
          workerChunks++;
          p.resolve({ outputs: new Map(Object.entries(m.outputs)), readMs: m.readMs, computeMs: m.computeMs });
        }
      },
      // A worker that dies fails the chunks it held; later chunks go to a fresh worker.
      (why) => {
        if (slot.dead) return;
        slot.dead = true;
        this.slots = this.slots.filter((s) => s !== slot);
        failJobsOf(this.pending, slot, () => new WorkerStopped(why));
      },
    );
    this.slots.push(slot);
    return slot;
  }

  async close(): Promise<void> {
    const slots = this.slots;
    this.slots = [];
    for (const s of slots) s.dead = true;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new Error("chunk pool was closed"));
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}

function defaultWorkerUrl(): URL | null {
  if (!import.meta.url.endsWith(".js")) return null;
  const url = new URL("./chunk-worker.js", import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : null;
}

/** The default number of threads: one per core (at most 16). */
export function defaultThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 16));
}

let workerUrl: URL | null | undefined;
let workerChunks = 0;

/** Chunks computed by worker threads in this process so far (tests check the threaded path ran). */
export function workerChunksDone(): number {
  return workerChunks;
}
const pools = new Map<number, WorkerRunner>();

/**
 * A runner for `threads` threads: 1 is this thread; more are that many workers (kept for later
 * runs in this process, and not keeping it alive when idle). Without a compiled worker, this thread.
 */
export function chunkRunner(threads: number): ChunkRunner {
  const url = workerUrl === undefined ? defaultWorkerUrl() : workerUrl;
  if (threads <= 1 || url === null) return new InThreadRunner();
  let pool = pools.get(threads);
  if (!pool) pools.set(threads, (pool = new WorkerRunner(url, threads)));
  return pool;
}

/** Points the runners at a compiled worker (tests), or at none (`null`: always this thread). */
export async function configureChunkPool(options: { workerUrl: URL | null }): Promise<void> {
  for (const p of pools.values()) await p.close();
  pools.clear();
  workerUrl = options.workerUrl;
}
