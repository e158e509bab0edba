/**
 * The messages between the pool (pool.ts) and its threads (worker.ts), and what a job handler
 * module exports. A handler module is any module whose `handle` export takes a job's payload and
 * returns its reply: the pool knows handlers only by URL, so it imports no job code.
 */

/** One job as it travels: `id` 0 is a job that wants no reply (a notice, such as "sample done"). */
export interface WireJob {
  id: number;
  /** The handler module's URL (href), imported by the thread the first time it sees it. */
  handler: string;
  payload: unknown;
}

/** One message to a thread: jobs run in order, answered together by one reply message. */
export interface ToThread {
  jobs: WireJob[];
}

export type WireReply = { id: number; reply: unknown } | { id: number; error: { name: string; message: string } };

/** What a handler returns: its reply, and buffers to move (not copy) to the calling thread. */
export interface HandlerResult<R = unknown> {
  reply: R;
  transfer?: readonly ArrayBuffer[];
}

/** The export a handler module must have. */
export type JobHandler<P = unknown, R = unknown> = (payload: P) => HandlerResult<R> | Promise<HandlerResult<R>>;
