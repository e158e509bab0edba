/**
 * The process's worker threads: one pool that every parallel job kind uses (basket decoding,
 * chunks of a sample, training tasks), so a run holds at most as many threads as its widest
 * client asked for, not one set per job kind.
 *
 * A client asks for a thread among the first `width` (its thread count): threads are started
 * lazily, slot by slot, and a slot keeps its thread until the thread dies. A thread is ref'd while
 * it holds jobs and unref'd when idle, so idle threads never keep the process alive. A thread that
 * dies (crash, out of memory) fails the jobs it held with `ThreadStopped`; the next job for its
 * slot starts a fresh one. Clients keep per-thread state (a kernel compiled there) in
 * `Slot.state`, which dies with the thread.
 *
 * Where the thread code comes from: it must be plain JavaScript, so it is the compiled `worker.js`
 * next to this module. Running from dist/ (the CLI, benchmarks) it is there; running the .ts
 * sources directly (vitest) there is none and `threaded` is false (clients then work on the
 * calling thread), unless a test points `configureThreads` at the compiled entry.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ToThread, WireJob, WireReply } from "./protocol.js";

/** A thread ended (crashed, ran out of memory, was terminated) while it held jobs. */
export class ThreadStopped extends Error {
  override readonly name = "ThreadStopped";
  constructor(readonly reason: string) {
    super(`worker thread stopped: ${reason}`);
  }
}

/** A job for a thread: the handler module (see protocol.ts), its payload, buffers to move there. */
export interface Job {
  handler: URL;
  payload: unknown;
  transfer?: readonly ArrayBuffer[];
}

export class Slot {
  /** Messages sent and not yet answered. */
  busy = 0;
  dead = false;
  /** What clients remember about this thread (kernels it has compiled), by client key. */
  readonly state = new Map<unknown, unknown>();
  worker!: Worker;
  constructor(readonly index: number) {}
}

interface Pending {
  resolve(reply: unknown): void;
  reject(e: Error): void;
  slot: Slot;
}

export class ThreadPool {
  private slots: (Slot | undefined)[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(readonly entry: URL | null) {}

  /** Whether jobs can run on threads at all (a compiled entry was found). */
  get threaded(): boolean {
    return this.entry !== null && !this.closed;
  }

  /** Threads started so far and alive (tests, and clients that notify every thread). */
  live(width = Infinity): Slot[] {
    return this.slots.filter((s, i): s is Slot => s !== undefined && i < width);
  }

  /** Starts the missing threads among the first `width` now (they load their code meanwhile). */
  start(width: number): Slot[] {
    const out: Slot[] = [];
    for (let i = 0; i < width; i++) out.push(this.slots[i] ?? this.spawn(i));
    return out;
  }

  /**
   * A thread among the first `width` for the next message: an idle one, else a new one while
   * fewer than `width` run, else the least busy one if it holds fewer than `depth` messages;
   * null when all hold `depth`.
   */
  pick(width: number, depth = Infinity): Slot | null {
    let best: Slot | undefined;
    let free = -1;
    for (let i = 0; i < width; i++) {
      const s = this.slots[i];
      if (!s) {
        if (free < 0) free = i;
        continue;
      }
      if (s.busy === 0) return s;
      if (!best || s.busy < best.busy) best = s;
    }
    if (free >= 0) return this.spawn(free);
    return best && best.busy < depth ? best : null;
  }

  /**
   * Sends jobs to one thread as one message (many small jobs cost one message, not one each);
   * one promise per job, with the handler's reply, or a ThreadStopped if the thread dies first.
   */
  post(slot: Slot, jobs: readonly Job[]): Promise<unknown>[] {
    const wire: WireJob[] = [];
    const transfer = new Set<ArrayBuffer>();
    const done = jobs.map((j) => {
      const id = this.nextId++;
      wire.push({ id, handler: j.handler.href, payload: j.payload });
      for (const b of j.transfer ?? []) transfer.add(b);
      return new Promise<unknown>((resolve, reject) => this.pending.set(id, { resolve, reject, slot }));
    });
    if (slot.dead) {
      this.fail(slot, "it had stopped before the jobs were sent");
      return done;
    }
    if (slot.busy++ === 0) slot.worker.ref();
    slot.worker.postMessage({ jobs: wire } satisfies ToThread, [...transfer]);
    return done;
  }

  /** A job that wants no reply, run after the jobs sent to that thread before it. */
  tell(slot: Slot, job: Job): void {
    if (slot.dead) return;
    slot.worker.postMessage({ jobs: [{ id: 0, handler: job.handler.href, payload: job.payload }] } satisfies ToThread, [...(job.transfer ?? [])]);
  }

  private spawn(index: number): Slot {
    if (!this.entry || this.closed) throw new Error("worker threads are not available");
    const slot = new Slot(index);
    slot.worker = new Worker(this.entry);
    const die = (why: string): void => {
      if (slot.dead) return;
      slot.dead = true;
      if (this.slots[index] === slot) this.slots[index] = undefined;
      this.fail(slot, why);
    };
    slot.worker.on("message", (replies: WireReply[]) => {
      if (--slot.busy === 0) slot.worker.unref();
      for (const m of replies) {
        const p = this.pending.get(m.id);
        if (!p) continue;
        this.pending.delete(m.id);
        if ("error" in m) {
          const e = new Error(m.error.message);
          e.name = m.error.name;
          p.reject(e);
        } else p.resolve(m.reply);
      }
    });
    slot.worker.on("error", (e) => die(e.message));
    slot.worker.on("exit", (code) => die(`exit code ${code}`));
    // After the listeners: adding a "message" listener refs the worker's port again.
    slot.worker.unref();
    this.slots[index] = slot;
    return slot;
  }

  /** Rejects, and forgets, the jobs a thread held. */
  private fail(slot: Slot, why: string): void {
    for (const [id, p] of this.pending) {
      if (p.slot !== slot) continue;
      this.pending.delete(id);
      p.reject(new ThreadStopped(why));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.live();
    this.slots = [];
    for (const s of slots) {
      s.dead = true;
      this.fail(s, "the thread pool was closed");
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}

function defaultEntry(): URL | null {
  if (!import.meta.url.endsWith(".js")) return null;
  const url = new URL("./worker.js", import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : null;
}

/** The default number of threads: one per core (at most 16). */
export function defaultThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 16));
}

let shared: ThreadPool | null = null;

/** The process-wide pool. */
export function threadPool(): ThreadPool {
  if (!shared) shared = new ThreadPool(defaultEntry());
  return shared;
}

/**
 * Replaces the process-wide pool (tests): `entry` is the thread code (a compiled worker.js, or a
 * stand-in), null for no threads, undefined for the default. The old pool's threads are ended.
 */
export async function configureThreads(options: { entry?: URL | null }): Promise<ThreadPool> {
  const old = shared;
  shared = new ThreadPool(options.entry === undefined ? defaultEntry() : options.entry);
  if (old) await old.close();
  return shared;
}
