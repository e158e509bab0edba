/**
 * Where chunks are computed: on this thread, or on a pool of worker threads that each take a whole
 * chunk (read its baskets, decode them, run the kernel) and hand back the kernel's outputs. The
 * executor consumes the outputs in entry order whatever order they finish in, so parallelism never
 * changes a sum (see run.ts).
 *
 * The threads are the process's pool (runtime/threads), shared with basket decoding and training.
 * Where their chunk code comes from: it must be plain JavaScript, so it is the compiled
 * `chunk-worker.js` next to this module, which the threads import by URL. Running from dist/ (the
 * CLI, benchmarks) it is there; running the .ts sources directly (vitest) there is no .js sibling
 * and chunks are computed on this thread, unless a test points `configureChunkPool` at the
 * compiled handler (and `configureThreads` at the compiled thread entry).
 */
import { kernelSource } from "./chunk.js";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { KernelError, type Kernel } from "../columns/index.js";
import type { ReadPlan } from "../io/index.js";
import { defaultThreads, threadPool, ThreadStopped, type Slot } from "../threads/index.js";
import { ArrayPool, deserializeError, OpenFiles, runChunk, type ChunkMessage, type ChunkReply, type ChunkRequest } from "./chunk.js";

export { defaultThreads };

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

const KERNELS_KEPT = 32;

/**
 * Kernels by source, for every runner of this process (they share the threads): samples with the
 * same kernel share its id, and a thread's compiled copy.
 */
const kernelIds = new Map<string, number>();
let nextKernel = 1;
/** The key of a thread's state (Slot.state) listing the kernel ids it has compiled. */
const COMPILED = Symbol("compiled kernels");

function compiledOn(slot: Slot): Set<number> {
  let known = slot.state.get(COMPILED) as Set<number> | undefined;
  if (!known) slot.state.set(COMPILED, (known = new Set()));
  return known;
}

/** Chunks on the first `size` threads of the process's pool, each thread taking whole chunks. */
export class WorkerRunner implements ChunkRunner {
  readonly threaded = true;
  private spares = new Spares();
  /** Chunks per thread at once: two keep a thread busy while the next message is in flight. */
  private readonly depth = 2;

  constructor(
    readonly workerUrl: URL,
    readonly size: number,
  ) {}

  get capacity(): number {
    return this.size * this.depth;
  }

  async run(kernel: Kernel, plan: ReadPlan, entry0: number, inputs?: ReadonlyMap<string, Float64Array>): Promise<ChunkDone> {
    const missing = kernel.inputs.find((key) => !(inputs?.get(key) instanceof Float64Array));
    // as the kernel itself says on this thread, before a worker is bothered
    if (missing !== undefined) throw new KernelError(`the batch has no input column '${missing}' (a Float64Array)`);
    // a kernel with virtual columns is known by both its sources
    const identity = kernel.virtual ? `${kernel.virtual.pre.source}\n${kernel.source}` : kernel.source;
    let kid = kernelIds.get(identity);
    if (kid === undefined) kernelIds.set(identity, (kid = nextKernel++));
    const threads = threadPool();
    const slot = threads.pick(this.size)!;
    const known = compiledOn(slot);
    const into = this.spares.take(kernel, plan.n);
    const req: ChunkRequest = {
      kernel: known.has(kid) ? kid : kernelSource(kid, kernel),
      plan,
      entry0,
    };
    if (into) req.into = Object.fromEntries(into);
    // Input columns are copied to exactly the chunk's values and the copies transferred: the
    // caller's arrays are often views of a whole sample's column, whose structured clone would
    // copy all of it, and whose transfer would take it from the caller.
    // (a per-candidate model's packed scores, `cand:`, are this chunk's already: all of them go)
    const sent = kernel.inputs.map((key) => [key, key.startsWith("cand:") ? inputs!.get(key)!.slice() : inputs!.get(key)!.slice(0, plan.n)] as const);
    if (sent.length) req.inputs = Object.fromEntries(sent);
    known.add(kid);
    const transfer = [...new Set([...(into ? into.values() : []), ...sent.map(([, a]) => a)].map((a) => a.buffer as ArrayBuffer))];
    let m: ChunkReply;
    try {
      m = (await threads.post(slot, [{ handler: this.workerUrl, payload: req satisfies ChunkMessage, transfer }])[0]) as ChunkReply;
    } catch (e) {
      // A thread that dies fails the chunks it held; later chunks go to a fresh thread.
      throw e instanceof ThreadStopped ? new WorkerStopped(e.reason) : e;
    }
    if ("error" in m) throw deserializeError(m.error);
    workerChunks++;
    return { outputs: new Map(Object.entries(m.outputs)), readMs: m.readMs, computeMs: m.computeMs };
  }

  recycle(outputs: Outputs): void {
    this.spares.put(outputs);
  }

  prepare(): void {
    threadPool().start(this.size);
  }

  release(): void {
    // Kernels stay compiled in the threads for the next samples, up to a few dozen; then every
    // thread forgets them, at the same time as the ids are forgotten here.
    const forget = kernelIds.size > KERNELS_KEPT;
    const threads = threadPool();
    for (const s of forget ? threads.live() : threads.live(this.size)) {
      threads.tell(s, { handler: this.workerUrl, payload: { close: true, forget } satisfies ChunkMessage });
      if (forget) s.state.delete(COMPILED);
    }
    if (forget) kernelIds.clear();
    this.spares.clear();
  }
}

function defaultWorkerUrl(): URL | null {
  if (!import.meta.url.endsWith(".js")) return null;
  const url = new URL("./chunk-worker.js", import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : null;
}

let workerUrl: URL | null | undefined;
let workerChunks = 0;

/** Chunks computed by worker threads in this process so far (tests check the threaded path ran). */
export function workerChunksDone(): number {
  return workerChunks;
}
const runners = new Map<number, WorkerRunner>();

/**
 * A runner for `threads` threads: 1 is this thread; more are that many threads of the process's
 * pool (kept for later runs in this process, and not keeping it alive when idle). Without compiled
 * code for threads, this thread.
 */
export function chunkRunner(threads: number): ChunkRunner {
  const url = workerUrl === undefined ? defaultWorkerUrl() : workerUrl;
  if (threads <= 1 || url === null || !threadPool().threaded) return new InThreadRunner();
  let runner = runners.get(threads);
  if (!runner || runner.workerUrl !== url) runners.set(threads, (runner = new WorkerRunner(url, threads)));
  return runner;
}

/**
 * Points the runners at a compiled chunk handler (tests), or at none (`null`: always this
 * thread). The threads themselves come from runtime/threads (`configureThreads`).
 */
export async function configureChunkPool(options: { workerUrl: URL | null }): Promise<void> {
  runners.clear();
  workerUrl = options.workerUrl;
}
