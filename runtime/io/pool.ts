/**
 * A small pool of worker threads that read, decompress and decode baskets in parallel.
 *
 * Where the worker comes from: the worker must be plain JavaScript, so it is the compiled
 * `decode-worker.js` next to this module. Running from dist/ (the CLI, the benchmark) it is there.
 * Running the .ts sources directly (vitest) there is no .js sibling, and we decode in the calling
 * thread instead of pointing at dist/, which could be stale relative to the sources under test.
 * Both paths run the same `decodeStoredBasket`, so results are identical; only speed differs.
 * HEPC_IO_THREADS=0 forces in-thread decoding; HEPC_IO_THREADS=N sets the number of workers.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import { decodeStoredBasket, typedView, type DecodedBasket, type Interp } from "./basket.js";
import type { DecodeReply, DecodeRequest } from "./decode-worker.js";
import { failJobsOf, startWorker } from "./threads.js";

const BATCH_MIN_BYTES = 64 * 1024;
const BATCH_MAX_BYTES = 2 * 1024 * 1024;
const BATCH_MAX_JOBS = 128;

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
  slot?: Slot;
}

interface Slot {
  worker: Worker;
  busy: number;
  dead?: boolean;
}

export class DecodePool {
  private slots: Slot[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private queue: { req: DecodeRequest; p: Pending }[] = [];
  /** Batches per worker at once: two keep a worker busy while the next message is in flight. */
  private readonly depth = 2;
  private pumpScheduled = false;
  /** Baskets decoded by worker threads so far (tests check the threaded path really ran). */
  workerJobs = 0;

  /**
   * @param threadsFromBytes reads of fewer stored basket bytes are decoded on the calling thread:
   *   starting workers and messaging them costs more than decoding a few baskets.
   */
  constructor(
    readonly workerUrl: URL | null,
    readonly size: number,
    readonly threadsFromBytes = 1 << 20,
  ) {}

  get threaded(): boolean {
    return this.workerUrl !== null && this.size > 0;
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
      const req: DecodeRequest = { id: this.nextId++, path, offset, length, entries, interp };
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
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.busy < this.depth);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      // Prefer the least busy worker.
      for (const s of this.slots) if (s.busy < slot.busy) slot = s;
      // Split what is queued evenly over the batches that can be in flight, within bounds.
      let queued = 0;
      for (const q of this.queue) queued += q.req.length;
      const limit = Math.min(BATCH_MAX_BYTES, Math.max(BATCH_MIN_BYTES, queued / (this.size * this.depth)));
      const batch: DecodeRequest[] = [];
      let bytes = 0;
      while (this.queue.length > 0 && batch.length < BATCH_MAX_JOBS && (batch.length === 0 || bytes + this.queue[0].req.length <= limit)) {
        const { req, p } = this.queue.shift()!;
        p.slot = slot;
        this.pending.set(req.id, p);
        batch.push(req);
        bytes += req.length;
      }
      if (slot.busy++ === 0) slot.worker.ref();
      slot.worker.postMessage(batch);
    }
  }

  private spawn(): Slot {
    // the worker is set just below, before any of its callbacks can run
    const slot = { busy: 0 } as Slot;
    slot.worker = startWorker<DecodeReply[]>(
      this.workerUrl!,
      {},
      (replies) => {
        if (--slot.busy === 0) slot.worker.unref();
        for (const m of replies) {
          const p = this.pending.get(m.id);
          if (!p) continue;
          this.pending.delete(m.id);
          this.workerJobs++;
          if ("error" in m) p.reject(new WorkerDecodeError(m.error.message, m.error.name));
          else if ("placed" in m) p.resolve(null);
          else {
            const values = typedView(p.interp.dtype, m.values, m.byteOffset, m.length);
            p.resolve(m.counts ? { values, counts: new Int32Array(m.counts) } : { values });
          }
        }
        this.pump();
      },
      // A worker that dies fails the jobs it held; later jobs go to a fresh worker.
      (why) => {
        if (slot.dead) return;
        slot.dead = true;
        this.slots = this.slots.filter((s) => s !== slot);
        failJobsOf(this.pending, slot, () => new WorkerDecodeError(`decode worker stopped: ${why}`, "Error"));
        this.pump();
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
      p.reject(new WorkerDecodeError("decode pool was closed", "Error"));
    }
    for (const { p } of this.queue.splice(0)) p.reject(new WorkerDecodeError("decode pool was closed", "Error"));
    await Promise.all(slots.map((s) => s.worker.terminate()));
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
