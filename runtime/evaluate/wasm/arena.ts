/**
 * The evaluation's WebAssembly module (rank.c, bootstrap.c, efficiency.c; bytes.ts holds it, built by
 * scripts/build-wasm.sh) and its memory, an arena kept between calls like scratch.ts's buffers and
 * for the same reason: fresh memory costs its page faults on first touch (~0.45 ms per MB on the
 * development machine). A call plans its room (`ArenaPlan`), copies its inputs in, runs, and
 * copies its outputs out into JavaScript arrays, so nothing handed out points into the arena and
 * growing it later is safe. `releaseScratch()` drops it with the other kept buffers.
 */
import { keptElsewhere, lentMemoryPoison } from "../scratch.js";
import { EVALUATE_WASM } from "./bytes.js";

// Node's and the project's TypeScript libraries do not declare WebAssembly: just what is used.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (d: { initial: number; maximum?: number }) => WasmMemory;
};

const PAGE = 65536;
/** wasm32 addresses: 4 GiB less a page. */
const LIMIT = 2 ** 32 - PAGE;

export interface Arena {
  memory: WasmMemory;
  /** The module's functions, each taking the address of its arguments (the C files' Args). */
  rank: (args: number) => void;
  bootstrapBegin: (args: number) => void;
  bootstrapEvents: (args: number, from: number, to: number) => void;
  bootstrapEnd: (args: number) => void;
  binSums: (args: number, from: number, to: number) => void;
  /** The first free byte (above the module's own data and stack). */
  heap: number;
}

let arena: Arena | null = null;
let enabled = true;
keptElsewhere({
  release: () => {
    arena = null;
  },
  bytes: () => arena?.memory.buffer.byteLength ?? 0,
});

/** Tests and benches: off sends every call to the TypeScript twins. */
export function useWasmEvaluation(on: boolean): void {
  enabled = on;
}

/** The arena, or null when the WebAssembly is switched off. */
export function wasmArena(): Arena | null {
  if (!enabled) return null;
  if (arena) return arena;
  let module: object;
  try {
    module = new WebAssembly.Module(Buffer.from(EVALUATE_WASM, "base64"));
  } catch {
    // an engine without WebAssembly SIMD or bulk memory (Node 20 has both): the twins serve
    enabled = false;
    return null;
  }
  // 1 MiB to start: above the module's own data and stack (it asks for less), grown per call
  const memory = new WebAssembly.Memory({ initial: 16, maximum: PAGE });
  const e = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<string, (...args: number[]) => void> & { __heap_base: { value: number } };
  arena = {
    memory, rank: e.rank, bootstrapBegin: e.bootstrap_begin, bootstrapEvents: e.bootstrap_events, bootstrapEnd: e.bootstrap_end, binSums: e.bin_sums,
    heap: align(Number(e.__heap_base.value)),
  };
  return arena;
}

export function align(x: number): number {
  return Math.ceil(x / 16) * 16;
}

/** One call's room in the arena: `take` hands out offsets, `ready` makes them memory. */
export class ArenaPlan {
  private at: number;
  constructor(readonly arena: Arena) {
    this.at = arena.heap;
  }

  /** The offset of `bytes` of room (16-byte aligned). */
  take(bytes: number): number {
    const p = this.at;
    this.at = align(this.at + bytes);
    return p;
  }

  /**
   * Grows the memory to hold what was taken (filled with the tests' poison, scratch.ts, when set)
   * and returns its buffer; null where it cannot be had (past wasm32's 4 GiB, or the engine or the
   * system would not give it): the caller's TypeScript twin then serves.
   */
  ready(): ArrayBuffer | null {
    if (this.at > LIMIT) return null;
    const { memory, heap } = this.arena;
    const pages = Math.ceil(this.at / PAGE) - memory.buffer.byteLength / PAGE;
    if (pages > 0) {
      try {
        memory.grow(pages);
      } catch {
        return null;
      }
    }
    const poison = lentMemoryPoison();
    if (poison !== null) new Int32Array(memory.buffer, heap, (this.at - heap) >> 2).fill(poison);
    return memory.buffer;
  }
}
