/**
 * The one worker-thread entry: every thread of the pool runs this. Each job names its handler
 * module by URL; the module is imported the first time a job needs it and its `handle` export
 * runs the job. Jobs run in the order they were sent, one message's jobs answered by one reply.
 */
import { parentPort } from "node:worker_threads";
import type { HandlerResult, JobHandler, ToThread, WireReply } from "./protocol.js";

if (parentPort) {
  const port = parentPort;
  const loaded = new Map<string, JobHandler>();
  const load = async (href: string): Promise<void> => {
    const mod = (await import(href)) as { handle?: JobHandler };
    if (typeof mod.handle !== "function") throw new Error(`worker thread: ${href} exports no handle()`);
    loaded.set(href, mod.handle);
  };

  /**
   * Runs a message's jobs from the i-th on and replies. It stays synchronous as long as the
   * handlers are loaded and answer at once (the usual case: no microtask per job); otherwise it
   * returns a promise for the rest.
   */
  const step = (m: ToThread, i: number, replies: WireReply[], transfer: Set<ArrayBuffer>): Promise<void> | undefined => {
    const fail = (id: number, e: unknown): void => {
      if (id === 0) return;
      const err = e as Error;
      replies.push({ id, error: { name: err?.name ?? "Error", message: err?.message ?? String(e) } });
    };
    const done = (id: number, r: HandlerResult): void => {
      if (id === 0) return;
      replies.push({ id, reply: r.reply });
      // A buffer may back several results; a transfer list must not repeat it.
      for (const b of r.transfer ?? []) transfer.add(b);
    };
    for (; i < m.jobs.length; i++) {
      const job = m.jobs[i];
      const handle = loaded.get(job.handler);
      const k = i;
      if (!handle) {
        return load(job.handler).then(
          () => step(m, k, replies, transfer),
          (e: unknown) => {
            fail(job.id, e);
            return step(m, k + 1, replies, transfer);
          },
        );
      }
      try {
        const r = handle(job.payload);
        if (r instanceof Promise) {
          return r.then(
            (v) => done(job.id, v),
            (e: unknown) => fail(job.id, e),
          ).then(() => step(m, k + 1, replies, transfer));
        }
        done(job.id, r);
      } catch (e) {
        fail(job.id, e);
      }
    }
    if (replies.length) port.postMessage(replies, [...transfer]);
    return undefined;
  };

  // Messages are handled one after the other: one that arrives while an earlier one waits (for
  // its handler module to load, or for an asynchronous handler) waits behind it.
  let tail: Promise<void> | null = null;
  port.on("message", (m: ToThread) => {
    const run = (): Promise<void> | undefined => step(m, 0, [], new Set());
    const next = tail ? tail.then(run) : run();
    if (!next) return;
    tail = next;
    void next.then(() => {
      if (tail === next) tail = null;
    });
  });
}
