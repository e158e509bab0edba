/**
 * runtime/threads: the process's one pool of worker threads.
 *
 * In:  jobs (a handler module's URL, a payload, buffers to move) for one of the first N threads.
 * Out: the handlers' replies, or `ThreadStopped` when a thread dies holding jobs.
 *
 * Must not import anything else of the project (runtime/io, runtime/exec, runtime/models ...):
 * the job code lives with its job kind and reaches a thread only as a module URL, so every layer
 * can use the pool without an arrow against the pipeline.
 */
export { configureThreads, defaultThreads, Slot, threadPool, ThreadPool, ThreadStopped, type Job } from "./pool.js";
export type { HandlerResult, JobHandler } from "./protocol.js";
