/**
 * The chunk job's handler, run on the threads of runtime/threads (which import it by URL): one
 * chunk per job (chunk.ts). The thread reads its chunk's baskets itself and hands back only the
 * kernel's outputs: compressed bytes and decoded columns never cross threads (only the executor's
 * own input columns, such as model scores, come with the request). Loaded only from the compiled
 * dist/ tree (see chunks.ts for how it is found). Each thread keeps the kernels it has compiled,
 * by id, until the calling thread says to forget them.
 */
import type { Kernel } from "../columns/index.js";
import type { HandlerResult } from "../threads/index.js";
import { ArrayPool, kernelOf, OpenFiles, runChunk, serializeError, type ChunkMessage, type ChunkReply } from "./chunk.js";

const kernels = new Map<number, Kernel>();
const files = new OpenFiles();
const pool = new ArrayPool();

export function handle(m: ChunkMessage): HandlerResult<ChunkReply | null> {
  if ("close" in m) {
    // End of a sample: files closed; kernels forgotten when the main thread says so (it forgets
    // them at the same time).
    files.closeAll();
    if (m.forget) kernels.clear();
    return { reply: null };
  }
  try {
    let kernel: Kernel | undefined;
    if (typeof m.kernel === "number") kernel = kernels.get(m.kernel);
    else {
      kernel = kernelOf(m.kernel);
      kernels.set(m.kernel.id, kernel);
    }
    if (!kernel) throw new Error(`chunk worker: unknown kernel ${String(m.kernel)}`);
    const into = m.into ? new Map(Object.entries(m.into)) : undefined;
    const inputs = m.inputs ? new Map(Object.entries(m.inputs)) : undefined;
    const r = runChunk(kernel, m.plan, m.entry0, files, pool, into, inputs);
    const outputs = Object.fromEntries(r.outputs);
    return { reply: { outputs, readMs: r.readMs, computeMs: r.computeMs }, transfer: [...new Set(Object.values(outputs).map((a) => a.buffer as ArrayBuffer))] };
  } catch (e) {
    return { reply: { error: serializeError(e) } };
  }
}
