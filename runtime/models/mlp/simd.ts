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
import { activateBackward, columnSums, gemm } from "./kernels.js";
import type { Activation } from "./options.js";

// Node's and the project's TypeScript libraries do not declare WebAssembly: just what is used.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (d: { initial: number }) => WasmMemory;
};

export const WASM_BASE64 = "AGFzbQEAAAABFQJgCn9/f39/f39/f38AYAR/f39/AAIMAQNlbnYDbWVtAgABAwQDAAEBBxwDBGdlbW0AAAhyZWx1X2J3ZAABBmNvbHN1bQACCpIIA8YGAgl/DHsgBEECdCENIAVBAnQhDiABQQJ0IRJDAAAAAP0TIR5BACEKAkADQCAKQQRqIABKDQFBACELAkADQCALIAFODQEgCEEATgRAIAggC0ECdGr9AAQAIRsgCCALQQJ0av0ABBAhHAUgHiEbIB4hHAsgGyETIBwhFCAbIRUgHCEWIBshFyAcIRggGyEZIBwhGiADIAogDWxqIQ8gBiALQQJ0aiEQQQAhDAJAA0AgDCACTg0BIBD9AAQAIRsgEP0ABBAhHCAPKgIA/RMhHSATIB0gG/3mAf3kASETIBQgHSAc/eYB/eQBIRQgDyANaioCAP0TIR0gFSAdIBv95gH95AEhFSAWIB0gHP3mAf3kASEWIA8gDUEBdGoqAgD9EyEdIBcgHSAb/eYB/eQBIRcgGCAdIBz95gH95AEhGCAPIA1BA2xqKgIA/RMhHSAZIB0gG/3mAf3kASEZIBogHSAc/eYB/eQBIRogDyAOaiEPIBAgEmohECAMQQFqIQwMAAsLIAkEQCATIB796QEhEyAUIB796QEhFCAVIB796QEhFSAWIB796QEhFiAXIB796QEhFyAYIB796QEhGCAZIB796QEhGSAaIB796QEhGgsgByAKIAFsIAtqQQJ0aiERIBEgE/0LBAAgESAU/QsEECARIBJqIREgESAV/QsEACARIBb9CwQQIBEgEmohESARIBf9CwQAIBEgGP0LBBAgESASaiERIBEgGf0LBAAgESAa/QsEECALQQhqIQsMAAsLIApBBGohCgwACwsCQANAIAogAE4NAUEAIQsCQANAIAsgAU4NASAIQQBOBEAgCCALQQJ0av0ABAAhEyAIIAtBAnRq/QAEECEUBSAeIRMgHiEUCyADIAogDWxqIQ8gBiALQQJ0aiEQQQAhDAJAA0AgDCACTg0BIA8qAgD9EyEdIBMgHSAQ/QAEAP3mAf3kASETIBQgHSAQ/QAEEP3mAf3kASEUIA8gDmohDyAQIBJqIRAgDEEBaiEMDAALCyAJBEAgEyAe/ekBIRMgFCAe/ekBIRQLIAcgCiABbCALakECdGohESARIBP9CwQAIBEgFP0LBBAgC0EIaiELDAALCyAKQQFqIQoMAAsLC08BAX8gACADQQJ0aiEEAkADQCAAIARPDQEgAiAB/QAEACAA/QAEAEMAAAAA/RP9RP1O/QsEACAAQRBqIQAgAUEQaiEBIAJBEGohAgwACwsLeAMDfwF7AX8gAUECdCEIQQAhBAJAA0AgBCABTg0BQwAAAAD9EyEHIAIgBEECdGohBkEAIQUCQANAIAUgAE4NASAHIAb9AAQA/eQBIQcgBiAIaiEGIAVBAWohBQwACwsgAyAEQQJ0aiAH/QsEACAEQQRqIQQMAAsLCw==";

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
  readonly reluBackward: (a: number, g: number, out: number, len: number) => void;
  readonly colsum: (m: number, n: number, d: number, out: number) => void;
  private used = 0;
  private constructor(
    mod: object,
    private readonly bytes: number,
  ) {
    const mem = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) + 1 });
    const e = new WebAssembly.Instance(mod, { env: { mem } }).exports;
    this.gemm = e.gemm as GemmFn;
    this.reluBackward = e.relu_bwd as Arena["reluBackward"];
    this.colsum = e.colsum as Arena["colsum"];
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

// explicit operands, not a rest parameter: this runs several times per batch and must not allocate
function inArena(arena: Arena | null, a: Float32Array, b: Float32Array, c: Float32Array = a): arena is Arena {
  return arena !== null && a.buffer === arena.buffer && b.buffer === arena.buffer && c.buffer === arena.buffer;
}

/** activateBackward (kernels.ts), relu through SIMD where it applies. */
export function activationBackward(arena: Arena | null, act: Activation, A: Float32Array, dA: Float32Array, dZ: Float32Array, len: number): void {
  if (act === "relu" && (len & 3) === 0 && inArena(arena, A, dA, dZ)) arena.reluBackward(A.byteOffset, dA.byteOffset, dZ.byteOffset, len);
  else activateBackward(act, A, dA, dZ, len);
}

/** columnSums (kernels.ts) through SIMD where it applies. */
export function colSums(arena: Arena | null, m: number, n: number, D: Float32Array, out: Float32Array): void {
  if ((n & 3) === 0 && inArena(arena, D, out)) arena.colsum(m, n, D.byteOffset, out.byteOffset);
  else columnSums(m, n, D, out);
}

/** W (nIn × nOut, row-major) transposed into Wt (nOut × nIn). */
export function transpose(W: Float32Array, nIn: number, nOut: number, Wt: Float32Array): void {
  for (let k = 0; k < nIn; k++) for (let j = 0; j < nOut; j++) Wt[j * nIn + k] = W[k * nOut + j];
}
