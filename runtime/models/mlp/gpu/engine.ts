/// <reference types="@webgpu/types" />
/**
 * The kernels' pipelines on one device and the dispatches a network needs: the forward pass
 * (shared by training, validation and scoring) and, for training, the backward pass and the
 * optimiser step. A dispatch is a pipeline, a bind group and a workgroup count, built once per
 * network and batch size and replayed for every batch (the batch's state buffer carries what
 * changes).
 */
import type { Activation } from "../options.js";
import { BNBWD, BNFWD, BNINF, COLSUM, DROP, GATHER, LOSS, MATMUL, OPTIM, SUMZ, TICK } from "./wgsl.js";

export const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
export const ACT_CODE: Record<Activation | "identity", number> = { relu: 0, elu: 1, tanh: 2, selu: 3, sigmoid: 4, identity: 5 };

export interface Dispatch {
  pipeline: GPUComputePipeline;
  group: GPUBindGroup;
  x: number;
  y: number;
  z: number;
}

type Kernel = "matmul" | "colsum" | "loss" | "gather" | "optim" | "tick" | "sumz" | "drop" | "bnfwd" | "bninf" | "bnbwd";
const SOURCES: Record<Kernel, string> = { matmul: MATMUL, colsum: COLSUM, loss: LOSS, gather: GATHER, optim: OPTIM, tick: TICK, sumz: SUMZ, drop: DROP, bnfwd: BNFWD, bninf: BNINF, bnbwd: BNBWD };

/** Pipelines per device, compiled once. */
const compiled = new WeakMap<GPUDevice, Map<Kernel, GPUComputePipeline>>();

export class Engine {
  private readonly pipes: Map<Kernel, GPUComputePipeline>;
  private readonly owned: GPUBuffer[] = [];
  constructor(readonly device: GPUDevice) {
    let m = compiled.get(device);
    if (!m) {
      m = new Map();
      compiled.set(device, m);
    }
    this.pipes = m;
  }

  pipeline(k: Kernel): GPUComputePipeline {
    let p = this.pipes.get(k);
    if (!p) {
      p = this.device.createComputePipeline({ layout: "auto", compute: { module: this.device.createShaderModule({ code: SOURCES[k] }), entryPoint: "main" } });
      this.pipes.set(k, p);
    }
    return p;
  }

  /** A buffer freed with the engine; at least 16 bytes (empty bindings are not allowed). */
  buffer(bytes: number, usage: number, label: string): GPUBuffer {
    const b = this.device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 4) * 4), usage, label });
    this.owned.push(b);
    return b;
  }

  storage(floats: number, label: string, extra = 0): GPUBuffer {
    return this.buffer(floats * 4, USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST | extra, label);
  }

  /** A storage buffer holding `data`. */
  upload(data: Float32Array | Uint32Array, label: string): GPUBuffer {
    const b = this.device.createBuffer({ size: Math.max(16, data.byteLength), usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST, mappedAtCreation: true, label });
    this.owned.push(b);
    new Uint8Array(b.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    b.unmap();
    return b;
  }

  uniform(words: Array<number>, floats: ReadonlySet<number> = new Set()): GPUBuffer {
    const n = Math.ceil(words.length / 4) * 4;
    const data = new ArrayBuffer(n * 4);
    const u = new Uint32Array(data);
    const f = new Float32Array(data);
    words.forEach((v, i) => (floats.has(i) ? (f[i] = v) : (u[i] = v >>> 0)));
    const b = this.buffer(n * 4, USAGE.UNIFORM | USAGE.COPY_DST, "params");
    this.device.queue.writeBuffer(b, 0, data);
    return b;
  }

  dispatch(k: Kernel, buffers: GPUBuffer[], x: number, y = 1, z = 1): Dispatch {
    const pipeline = this.pipeline(k);
    const group = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) });
    return { pipeline, group, x, y, z };
  }

  /**
   * C = op(A·B) over M × N with inner K (see MATMUL); `dyn` bit 0: M is the batch's m, bit 1: K is.
   */
  matmul(o: { M: number; N: number; K: number; dyn: number; a: GPUBuffer; sa: [number, number]; aOff?: number; b: GPUBuffer; sb: [number, number]; bOff?: number; c: GPUBuffer; cOff?: number; mode: 0 | 1 | 2; act?: number; e?: GPUBuffer; eOff?: number; state: GPUBuffer; split?: { kc: number; splits: number } }): Dispatch {
    const s = o.split && o.split.splits > 1 ? o.split : null;
    const u = this.uniform([o.M, o.N, o.K, o.dyn, o.sa[0], o.sa[1], o.sb[0], o.sb[1], o.aOff ?? 0, o.bOff ?? 0, o.cOff ?? 0, o.mode === 1 ? (o.eOff ?? 0) : 0, o.mode, o.act ?? 5, o.N, o.mode === 2 ? (o.eOff ?? 0) : 0, s ? s.kc : 0, s ? o.M * o.N : 0, 0, 0]);
    return this.dispatch("matmul", [u, o.state, o.a, o.b, o.c, o.e ?? o.a], Math.ceil(o.N / 64), Math.ceil(o.M / 64), s ? s.splits : 1);
  }

  /** out[outOff + j] = Σ over `splits` slices of `count` values of part. */
  sumz(o: { count: number; splits: number; part: GPUBuffer; out: GPUBuffer; outOff: number }): Dispatch {
    const [x, y] = Engine.grid(o.count);
    return this.dispatch("sumz", [this.uniform([o.count, o.splits, o.outOff, 0]), o.part, o.out], x, y);
  }

  colsum(o: { N: number; x: GPUBuffer; out: GPUBuffer; outOff: number; atBatch: boolean; state: GPUBuffer }): Dispatch {
    return this.dispatch("colsum", [this.uniform([o.N, o.outOff, o.atBatch ? 1 : 0, 0]), o.state, o.x, o.out], o.N);
  }

  /** Workgroups of 256 for `n` threads, folded into two dimensions past the per-dimension limit. */
  static grid(n: number): [number, number] {
    const groups = Math.max(1, Math.ceil(n / 256));
    if (groups <= 65535) return [groups, 1];
    const x = 65535;
    return [x, Math.ceil(groups / x)];
  }

  record(pass: GPUComputePassEncoder, ds: Dispatch[]): void {
    for (const d of ds) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.group);
      pass.dispatchWorkgroups(d.x, d.y, d.z);
    }
  }

  /** Copies `floats` values of `src` back to the CPU. */
  async read(src: GPUBuffer, floats: number, offset = 0): Promise<Float32Array> {
    const bytes = Math.max(4, floats * 4);
    const staging = this.device.createBuffer({ size: Math.ceil(bytes / 4) * 4, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(src, offset * 4, staging, 0, floats * 4);
    this.device.queue.submit([enc.finish()]);
    try {
      await staging.mapAsync(1);
      return new Float32Array(staging.getMappedRange().slice(0, floats * 4));
    } finally {
      staging.destroy();
    }
  }

  destroy(): void {
    for (const b of this.owned) b.destroy();
    this.owned.length = 0;
  }
}
