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
    if (loaded.has(href)) return;
    const mod = (await import(href)) as { handle?: JobHandler };
    if (typeof mod.handle !== "function") throw new Error(`worker thread: ${href} exports no handle()`);
    loaded.set(href, mod.handle);
  };

  const run = async (m: ToThread): Promise<void> => {
    const replies: WireReply[] = [];
    // A buffer may back several results; a transfer list must not repeat it.
    const transfer = new Set<ArrayBuffer>();
    for (const job of m.jobs) {
      try {
        await load(job.handler);
        let r = loaded.get(job.handler)!(job.payload);
        if (r instanceof Promise) r = await r;
        const done = r as HandlerResult;
        if (job.id === 0) continue;
        replies.push({ id: job.id, reply: done.reply });
        for (const b of done.transfer ?? []) transfer.add(b);
      } catch (e) {
        if (job.id === 0) continue;
        const err = e as Error;
        replies.push({ id: job.id, error: { name: err?.name ?? "Error", message: err?.message ?? String(e) } });
      }
    }
    if (replies.length) port.postMessage(replies, [...transfer]);
  };

  // Messages are handled one after the other (a handler's module may still be loading when the
  // next message arrives); once loaded, a job costs one microtask more than a direct call.
  let chain: Promise<void> = Promise.resolve();
  port.on("message", (m: ToThread) => {
    chain = chain.then(() => run(m));
  });
}
