/**
 * The dense product in WebAssembly SIMD (simd.wat), for the buffers of one trainer or scorer laid
 * out in one WebAssembly memory (an Arena). `mm` takes that path when every operand lives in the
 * arena and the shapes suit it (B row-major, n a multiple of 8), else the TypeScript gemm: the
 * choice depends on shapes alone, so a given network always runs the same arithmetic.
 * Where the engine has no WebAssembly SIMD (or HEPC_MLP_KERNELS=js), everything runs in
 * TypeScript and the model names the backend "hepc-js" instead of "hepc-wasm-simd".
 *
 * WASM_BASE64 is simd.wat assembled by wabt's wat2wasm (`node dist/bench/mlp-wasm.js` after
 * `npm install --no-save wabt` rewrites it and checks it is current).
 */
import { gemm } from "./kernels.js";

// Node's and the project's TypeScript libraries do not declare WebAssembly: just what is used.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (d: { initial: number }) => WasmMemory;
};

export const WASM_BASE64 = "AGFzbQEAAAABDgFgCn9/f39/f39/f38AAgwBA2VudgNtZW0CAAEDAgEABwgBBGdlbW0AAArJBgHGBgIJfwx7IARBAnQhDSAFQQJ0IQ4gAUECdCESQwAAAAD9EyEeQQAhCgJAA0AgCkEEaiAASg0BQQAhCwJAA0AgCyABTg0BIAhBAE4EQCAIIAtBAnRq/QAEACEbIAggC0ECdGr9AAQQIRwFIB4hGyAeIRwLIBshEyAcIRQgGyEVIBwhFiAbIRcgHCEYIBshGSAcIRogAyAKIA1saiEPIAYgC0ECdGohEEEAIQwCQANAIAwgAk4NASAQ/QAEACEbIBD9AAQQIRwgDyoCAP0TIR0gEyAdIBv95gH95AEhEyAUIB0gHP3mAf3kASEUIA8gDWoqAgD9EyEdIBUgHSAb/eYB/eQBIRUgFiAdIBz95gH95AEhFiAPIA1BAXRqKgIA/RMhHSAXIB0gG/3mAf3kASEXIBggHSAc/eYB/eQBIRggDyANQQNsaioCAP0TIR0gGSAdIBv95gH95AEhGSAaIB0gHP3mAf3kASEaIA8gDmohDyAQIBJqIRAgDEEBaiEMDAALCyAJBEAgEyAe/ekBIRMgFCAe/ekBIRQgFSAe/ekBIRUgFiAe/ekBIRYgFyAe/ekBIRcgGCAe/ekBIRggGSAe/ekBIRkgGiAe/ekBIRoLIAcgCiABbCALakECdGohESARIBP9CwQAIBEgFP0LBBAgESASaiERIBEgFf0LBAAgESAW/QsEECARIBJqIREgESAX/QsEACARIBj9CwQQIBEgEmohESARIBn9CwQAIBEgGv0LBBAgC0EIaiELDAALCyAKQQRqIQoMAAsLAkADQCAKIABODQFBACELAkADQCALIAFODQEgCEEATgRAIAggC0ECdGr9AAQAIRMgCCALQQJ0av0ABBAhFAUgHiETIB4hFAsgAyAKIA1saiEPIAYgC0ECdGohEEEAIQwCQANAIAwgAk4NASAPKgIA/RMhHSATIB0gEP0ABAD95gH95AEhEyAUIB0gEP0ABBD95gH95AEhFCAPIA5qIQ8gECASaiEQIAxBAWohDAwACwsgCQRAIBMgHv3pASETIBQgHv3pASEUCyAHIAogAWwgC2pBAnRqIREgESAT/QsEACARIBT9CwQQIAtBCGohCwwACwsgCkEBaiEKDAALCws=";

type GemmFn = (m: number, n: number, p: number, a: number, aR: number, aC: number, b: number, c: number, bias: number, relu: number) => void;

let compiled: object | null | undefined;
function wasmModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = process.env.HEPC_MLP_KERNELS === "js" ? null : new WebAssembly.Module(Buffer.from(WASM_BASE64, "base64"));
    } catch {
      compiled = null; // no SIMD in this engine
    }
  }
  return compiled;
}

/** The backend the kernels run on here. */
export function kernelBackend(): "hepc-wasm-simd" | "hepc-js" {
  return wasmModule() ? "hepc-wasm-simd" : "hepc-js";
}

/** Float32 buffers carved from one WebAssembly memory, with the SIMD product over it. */
export class Arena {
  readonly buffer: ArrayBuffer;
  readonly gemm: GemmFn;
  private used = 0;
  private constructor(
    mod: object,
    private readonly bytes: number,
  ) {
    const mem = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) + 1 });
    this.gemm = new WebAssembly.Instance(mod, { env: { mem } }).exports.gemm as GemmFn;
    this.buffer = mem.buffer;
  }

  /** An arena for up to `floats` values (in at most `count` buffers), or null without SIMD. */
  static create(floats: number, count: number): Arena | null {
    const mod = wasmModule();
    return mod ? new Arena(mod, 4 * floats + 16 * count) : null;
  }

  alloc(length: number): Float32Array {
    const at = (this.used + 15) & ~15;
    if (at + 4 * length > this.bytes) throw new Error("hepc internal: mlp arena too small");
    this.used = at + 4 * length;
    return new Float32Array(this.buffer, at, length);
  }

  copy(a: Float32Array): Float32Array {
    const v = this.alloc(a.length);
    v.set(a);
    return v;
  }
}

/** gemm (kernels.ts) through the arena's SIMD product where it applies. */
export function mm(arena: Arena | null, m: number, n: number, p: number, A: Float32Array, aR: number, aC: number, B: Float32Array, bR: number, bC: number, C: Float32Array, bias: Float32Array | null, relu = false): void {
  if (arena !== null && bC === 1 && bR === n && (n & 7) === 0 && A.buffer === arena.buffer && B.buffer === arena.buffer && C.buffer === arena.buffer && (bias === null || bias.buffer === arena.buffer)) {
    arena.gemm(m, n, p, A.byteOffset, aR, aC, B.byteOffset, C.byteOffset, bias === null ? -1 : bias.byteOffset, relu ? 1 : 0);
    return;
  }
  gemm(m, n, p, A, aR, aC, B, bR, bC, C, bias, relu);
}

/** W (nIn × nOut, row-major) transposed into Wt (nOut × nIn). */
export function transpose(W: Float32Array, nIn: number, nOut: number, Wt: Float32Array): void {
  for (let k = 0; k < nIn; k++) for (let j = 0; j < nOut; j++) Wt[j * nIn + k] = W[k * nOut + j];
}
