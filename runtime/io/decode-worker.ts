/**
 * Worker-thread entry: decompresses and decodes one basket per message. Loaded only from the
 * compiled dist/ tree (see pool.ts for how the path is found and what happens without it).
 */
import { parentPort } from "node:worker_threads";
import { decodeStoredBasket, type Interp } from "./basket.js";

export interface DecodeRequest {
  id: number;
  buf: ArrayBuffer;
  byteOffset: number;
  byteLength: number;
  entries: number;
  interp: Interp;
}

export type DecodeReply =
  | { id: number; values: ArrayBuffer; length: number; counts?: ArrayBuffer }
  | { id: number; error: { name: string; message: string } };

if (parentPort) {
  const port = parentPort;
  port.on("message", (m: DecodeRequest) => {
    try {
      const r = decodeStoredBasket(new Uint8Array(m.buf, m.byteOffset, m.byteLength), m.entries, m.interp);
      const values = r.values.buffer as ArrayBuffer;
      const transfer: ArrayBuffer[] = [values];
      const reply: DecodeReply = { id: m.id, values, length: r.values.length };
      if (r.counts) {
        reply.counts = r.counts.buffer as ArrayBuffer;
        transfer.push(reply.counts);
      }
      port.postMessage(reply, transfer);
    } catch (e) {
      const err = e as Error;
      port.postMessage({ id: m.id, error: { name: err.name ?? "Error", message: err.message ?? String(e) } } satisfies DecodeReply);
    }
  });
}
