/**
 * Worker-thread entry: one chunk per message (chunk.ts). The worker reads its chunk's baskets
 * itself and hands back only the kernel's outputs: compressed bytes and decoded columns never cross
 * threads (only the executor's own input columns, such as model scores, come with the request). Loaded only from the compiled dist/ tree (see chunks.ts for how it is found).
 */
import { parentPort, workerData } from "node:worker_threads";
import { kernelFromSource, type Kernel } from "../columns/index.js";
import { ArrayPool, OpenFiles, runChunk, serializeError, type ChunkReply, type ChunkRequest } from "./chunk.js";

// Only when started as a chunk worker (not when some other worker imports this by mistake).
if (parentPort && (workerData as { hepcChunkWorker?: boolean } | undefined)?.hepcChunkWorker) {
  const port = parentPort;
  const kernels = new Map<number, Kernel>();
  const files = new OpenFiles();
  const pool = new ArrayPool();
  port.on("message", (m: ChunkRequest | { close: true; forget: boolean }) => {
    if ("close" in m) {
      // End of a sample: files closed; kernels forgotten when the main thread says so (it forgets
      // them at the same time).
      files.closeAll();
      if (m.forget) kernels.clear();
      return;
    }
    try {
      let kernel: Kernel | undefined;
      if (typeof m.kernel === "number") kernel = kernels.get(m.kernel);
      else {
        kernel = kernelFromSource(m.kernel.source, m.kernel.branches, m.kernel.outputs, m.kernel.inputs);
        kernels.set(m.kernel.id, kernel);
      }
      if (!kernel) throw new Error(`chunk worker: unknown kernel ${String(m.kernel)}`);
      const into = m.into ? new Map(Object.entries(m.into)) : undefined;
      const inputs = m.inputs ? new Map(Object.entries(m.inputs)) : undefined;
      const r = runChunk(kernel, m.plan, m.entry0, files, pool, into, inputs);
      const outputs = Object.fromEntries(r.outputs);
      const reply: ChunkReply = { id: m.id, outputs, readMs: r.readMs, computeMs: r.computeMs };
      port.postMessage(reply, [...new Set(Object.values(outputs).map((a) => a.buffer as ArrayBuffer))]);
    } catch (e) {
      const reply: ChunkReply = { id: m.id, error: serializeError(e) };
      port.postMessage(reply);
    }
  });
}
