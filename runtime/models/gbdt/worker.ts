/**
 * The training job's handler, run on the threads of runtime/threads (which import it by URL): a
 * thread holds the shared arrays of one training (bins, gradient pairs, row partition), and on each
 * "run" job takes jobs of the task from the shared counter (tasks.ts) until none is left, then
 * answers how many it ran. "drop" lets go of a finished training's arrays.
 */
import type { HandlerResult } from "../../threads/index.js";
import { runTask, type SharedArrays, type Task } from "./tasks.js";

export type WorkerRequest =
  | { type: "init"; training: number; shared: SharedArrays }
  | { type: "run"; training: number; task: Task; counter: Int32Array }
  | { type: "drop"; training: number };

let held: { training: number; shared: SharedArrays } | null = null;

export function handle(m: WorkerRequest): HandlerResult<number | null> {
  if (m.type === "init") {
    held = { training: m.training, shared: m.shared };
    return { reply: null };
  }
  if (m.type === "drop") {
    if (held?.training === m.training) held = null;
    return { reply: null };
  }
  if (held?.training !== m.training) throw new Error(`training ${m.training}: run before init`);
  return { reply: runTask(held.shared, m.task, m.counter) };
}
