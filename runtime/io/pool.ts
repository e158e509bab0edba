/**
 * Basket decoding on the process's worker threads (runtime/threads): jobs batched into messages
 * sized to the work queued, at most two batches in flight per thread.
 *
 * Where the job code comes from: a thread runs `decode-worker.js`, the compiled module next to
 * this one. Running from dist/ (the CLI, the benchmark) it is there. Running the .ts sources
 * directly (vitest) there is no .js sibling (nor a compiled thread entry), and we decode in the
 * calling thread instead of pointing at dist/, which could be stale relative to the sources under
 * test. Both paths run the same `decodeStoredBasket`, so results are identical; only speed differs.
 * HEPC_IO_THREADS=0 forces in-thread decoding; HEPC_IO_THREADS=N uses at most N threads.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { threadPool, ThreadStopped } from "../threads/index.js";
import { decodeStoredBasket, typedView, type DecodedBasket, type Interp } from "./basket.js";
import type { DecodeReply, DecodeRequest } from "./decode-worker.js";

const BATCH_MIN_BYTES = 64 * 1024;
const BATCH_MAX_BYTES = 2 * 1024 * 1024;
const BATCH_MAX_JOBS = 128;
/** Batches per thread at once: two keep a thread busy while the next message is in flight. */
const DEPTH = 2;

export class WorkerDecodeError extends Error {
  constructor(
    message: string,
    readonly kind: string,
  ) {
    super(message);
    this.name = kind;
  }
}

interface Pending {
  resolve(d: DecodedBasket | null): void;
  reject(e: Error): void;
  interp: Interp;
}

export class DecodePool {
  private queue: { req: DecodeRequest; p: Pending }[] = [];
  private pumpScheduled = false;
  private closed = false;
  /** Baskets decoded by worker threads so far (tests check the threaded path really ran). */
  workerJobs = 0;

  /**
   * @param workerUrl the decode job's handler module (null: decode on the calling thread)
   * @param size threads used at most
   * @param threadsFromBytes reads of fewer stored basket bytes are decoded on the calling thread:
   *   starting workers and messaging them costs more than decoding a few baskets.
   */
  constructor(
    readonly workerUrl: URL | null,
    readonly size: number,
    readonly threadsFromBytes = 1 << 20,
  ) {}

  get threaded(): boolean {
    return this.workerUrl !== null && this.size > 0 && threadPool().threaded;
  }

  /** Decodes a basket in the calling thread from bytes already read. */
  decodeHere(raw: Uint8Array, entries: number, interp: Interp): DecodedBasket {
    return decodeStoredBasket(raw, entries, interp);
  }

  /** Has a worker read bytes `offset..offset+length` of `path` and decode them as one basket. */
  decodeFromFile(
    path: string,
    offset: number,
    length: number,
    entries: number,
    interp: Interp,
    dest?: DecodeRequest["dest"],
  ): Promise<DecodedBasket | null> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new WorkerDecodeError("decode pool was closed", "Error"));
      const req: DecodeRequest = { path, offset, length, entries, interp };
      if (dest) req.dest = dest;
      this.queue.push({ req, p: { resolve, reject, interp } });
      this.schedulePump();
    });
  }

  /**
   * Jobs are sent in batches, one message per batch and one reply: with many small baskets
   * (NanoAOD-like files) the cost of a message would otherwise rival the decoding itself.
   * Pumping waits for the current microtask checkpoint so jobs submitted together are batched.
   */
  private schedulePump(): void {
    if (this.pumpScheduled || this.queue.length === 0) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    const threads = threadPool();
    while (this.queue.length > 0) {
      const slot = threads.pick(this.size, DEPTH);
      if (!slot) return;
      // Split what is queued evenly over the batches that can be in flight, within bounds.
      let queued = 0;
      for (const q of this.queue) queued += q.req.length;
      const limit = Math.min(BATCH_MAX_BYTES, Math.max(BATCH_MIN_BYTES, queued / (this.size * DEPTH)));
      const batch: { req: DecodeRequest; p: Pending }[] = [];
      let bytes = 0;
      while (this.queue.length > 0 && batch.length < BATCH_MAX_JOBS && (batch.length === 0 || bytes + this.queue[0].req.length <= limit)) {
        const q = this.queue.shift()!;
        batch.push(q);
        bytes += q.req.length;
      }
      const replies = threads.post(
        slot,
        batch.map((q) => ({ handler: this.workerUrl!, payload: q.req })),
      );
      replies.forEach((r, i) => r.then((m) => this.settle(batch[i].p, m as DecodeReply), (e: Error) => this.fail(batch[i].p, e)));
    }
  }

  private settle(p: Pending, m: DecodeReply): void {
    this.workerJobs++;
    if ("error" in m) p.reject(new WorkerDecodeError(m.error.message, m.error.name));
    else if ("placed" in m) p.resolve(null);
    else {
      const values = typedView(p.interp.dtype, m.values, m.byteOffset, m.length);
      p.resolve(m.counts ? { values, counts: new Int32Array(m.counts) } : { values });
    }
    this.schedulePump();
  }

  /** A thread that dies fails the jobs it held; later jobs go to a fresh thread. */
  private fail(p: Pending, e: Error): void {
    p.reject(e instanceof ThreadStopped ? new WorkerDecodeError(`decode worker stopped: ${e.reason}`, "Error") : new WorkerDecodeError(e.message, e.name));
    this.schedulePump();
  }

  /** Fails what is still queued (jobs already on threads finish there). */
  async close(): Promise<void> {
    this.closed = true;
    for (const { p } of this.queue.splice(0)) p.reject(new WorkerDecodeError("decode pool was closed", "Error"));
  }
}

function defaultWorkerUrl(): URL | null {
  const url = new URL("./decode-worker.js", import.meta.url);
  if (!import.meta.url.endsWith(".js")) return null;
  return existsSync(fileURLToPath(url)) ? url : null;
}

function defaultSize(): number {
  const env = process.env.HEPC_IO_THREADS;
  if (env !== undefined && env !== "" && Number.isFinite(Number(env))) return Math.max(0, Math.floor(Number(env)));
  return Math.max(1, Math.min(availableParallelism(), 8));
}

let shared: DecodePool | null = null;

/** The process-wide pool; workers are started lazily and do not keep the process alive when idle. */
export function decodePool(): DecodePool {
  if (!shared) shared = new DecodePool(defaultWorkerUrl(), defaultSize());
  return shared;
}

/** Replaces the shared pool (tests, benchmarks): `workerUrl` null means in-thread decoding. */
export async function configureDecodePool(options: {
  workerUrl?: URL | null;
  threads?: number;
  threadsFromBytes?: number;
}): Promise<DecodePool> {
  if (shared) await shared.close();
  shared = new DecodePool(
    options.workerUrl === undefined ? defaultWorkerUrl() : options.workerUrl,
    options.threads ?? defaultSize(),
    options.threadsFromBytes,
  );
  return shared;
}
