/**
 * Worker-thread entry: reads, decompresses and decodes one basket per message. Loaded only from the
 * compiled dist/ tree (see pool.ts for how the path is found and what happens without it).
 * The worker reads the basket itself: the compressed bytes then never cross threads, and the main
 * thread is left with the I/O-free work of placing results.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parentPort } from "node:worker_threads";
import { readRangeSync } from "../source/index.js";
import { decodeStoredBasket, decodeStoredBasketInto, DTYPE_SIZE, typedView, type Interp } from "./basket.js";

export interface DecodeRequest {
  id: number;
  path: string;
  offset: number;
  length: number;
  entries: number;
  interp: Interp;
  /**
   * Flat and fixed columns: where the kept values go, in the shared output column. The worker
   * writes them there itself, so nothing travels back but an acknowledgement.
   */
  dest?: { buffer: SharedArrayBuffer; byteOffset: number; from: number; to: number };
}

export type DecodeReply =
  | { id: number; placed: true }
  | { id: number; values: ArrayBuffer; byteOffset: number; length: number; counts?: ArrayBuffer }
  | { id: number; error: { name: string; message: string } };

/**
 * zlib hands back a fresh buffer per basket, which this thread drops at once. V8 frees such
 * buffers only when it collects, and a worker allocates so few JS objects that it rarely does: the
 * dead buffers would pile up to tens of MB per worker. So the worker asks for a collection after
 * every COLLECT_EVERY bytes of output; on a heap this small that takes about a millisecond.
 * The gc function comes from V8's --expose-gc, enabled for a fresh context only; if that is not
 * possible we go on without it (more memory, same results).
 */
const COLLECT_EVERY = Number(process.env.HEPC_IO_GC_EVERY_MB ?? 24) * 1024 * 1024;
let collect: (() => void) | null = null;
try {
  setFlagsFromString("--expose-gc");
  collect = runInNewContext("gc") as () => void;
} catch {
  collect = null;
}

if (parentPort) {
  const port = parentPort;
  let scratch = new Uint8Array(0);
  let sinceCollect = 0;
  /** Decodes one basket; returns its reply and the buffers to transfer with it. */
  const handle = (m: DecodeRequest): { reply: DecodeReply; transfer: ArrayBuffer[] } => {
    try {
      if (scratch.length < m.length) scratch = new Uint8Array(Math.max(m.length, scratch.length * 2));
      const raw = readRangeSync(m.path, m.offset, m.length, scratch);
      if (m.dest) {
        const d = m.dest;
        const out = typedView(m.interp.dtype, d.buffer as unknown as ArrayBuffer, d.byteOffset, d.to - d.from);
        decodeStoredBasketInto(raw, m.entries, m.interp, out, d.from, d.to);
        sinceCollect += m.entries * m.interp.perEntry * DTYPE_SIZE[m.interp.dtype];
        return { reply: { id: m.id, placed: true }, transfer: [] };
      }
      const r = decodeStoredBasket(raw, m.entries, m.interp);
      sinceCollect += r.values.byteLength;
      const values = r.values.buffer as ArrayBuffer;
      const reply: DecodeReply = { id: m.id, values, byteOffset: r.values.byteOffset, length: r.values.length };
      const transfer = [values];
      if (r.counts) {
        reply.counts = r.counts.buffer as ArrayBuffer;
        transfer.push(reply.counts);
      }
      return { reply, transfer };
    } catch (e) {
      const err = e as Error;
      return { reply: { id: m.id, error: { name: err.name ?? "Error", message: err.message ?? String(e) } }, transfer: [] };
    }
  };

  port.on("message", (batch: DecodeRequest[]) => {
    const replies: DecodeReply[] = [];
    const transfer = new Set<ArrayBuffer>();
    for (const m of batch) {
      const h = handle(m);
      replies.push(h.reply);
      // A buffer may back several results (never here, but a transfer list must not repeat it).
      for (const b of h.transfer) transfer.add(b);
    }
    port.postMessage(replies, [...transfer]);
    if (collect && sinceCollect > COLLECT_EVERY) {
      sinceCollect = 0;
      collect();
    }
  });
}
