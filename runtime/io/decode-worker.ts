/**
 * The decode job's handler, run on the threads of runtime/threads (which import it by URL): reads,
 * decompresses and decodes one basket per job. Loaded only from the compiled dist/ tree (see
 * pool.ts for how the path is found and what happens without it). The thread reads the basket
 * itself: the compressed bytes then never cross threads, and the main thread is left with the
 * I/O-free work of placing results.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { HandlerResult } from "../threads/index.js";
import { readRangeSync } from "../source/index.js";
import { decodeStoredBasket, decodeStoredBasketInto, DTYPE_SIZE, typedView, type Interp } from "./basket.js";

export interface DecodeRequest {
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
  | { placed: true }
  | { values: ArrayBuffer; byteOffset: number; length: number; counts?: ArrayBuffer }
  | { error: { name: string; message: string } };

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

let scratch = new Uint8Array(0);
let sinceCollect = 0;

/** Decodes one basket; its reply and the buffers to move with it. */
export function handle(m: DecodeRequest): HandlerResult<DecodeReply> {
  const done = decode(m);
  if (collect && sinceCollect > COLLECT_EVERY) {
    sinceCollect = 0;
    // After this message's reply has gone: the calling thread is not kept waiting for it.
    setImmediate(collect);
  }
  return done;
}

function decode(m: DecodeRequest): HandlerResult<DecodeReply> {
  try {
    if (scratch.length < m.length) scratch = new Uint8Array(Math.max(m.length, scratch.length * 2));
    const raw = readRangeSync(m.path, m.offset, m.length, scratch);
    if (m.dest) {
      const d = m.dest;
      const out = typedView(m.interp.dtype, d.buffer as unknown as ArrayBuffer, d.byteOffset, d.to - d.from);
      decodeStoredBasketInto(raw, m.entries, m.interp, out, d.from, d.to);
      sinceCollect += m.entries * m.interp.perEntry * DTYPE_SIZE[m.interp.dtype];
      return { reply: { placed: true } };
    }
    const r = decodeStoredBasket(raw, m.entries, m.interp);
    sinceCollect += r.values.byteLength;
    const values = r.values.buffer as ArrayBuffer;
    const reply: DecodeReply = { values, byteOffset: r.values.byteOffset, length: r.values.length };
    const transfer = [values];
    if (r.counts) {
      reply.counts = r.counts.buffer as ArrayBuffer;
      transfer.push(reply.counts);
    }
    return { reply, transfer };
  } catch (e) {
    const err = e as Error;
    return { reply: { error: { name: err.name ?? "Error", message: err.message ?? String(e) } } };
  }
}
