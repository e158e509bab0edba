/**
 * One chunk of one sample, from bytes to kernel outputs: its baskets read (the read plan says where
 * they are), decompressed and decoded into columns, and the sample's kernel run over them. Shared
 * by the worker threads (chunk-worker.ts, the chunk job's handler) and the in-thread runner
 * (chunks.ts), so both give the same bits; also the messages between them.
 */
import { closeSync } from "node:fs";
import { kernelFromSource, withVirtual, type Kernel, type OutputSlot, type VirtualSlot } from "../columns/index.js";
// Not ../io/index.js: that loads jsroot (for metadata), which a worker never needs.
import { RootIoError } from "../io/errors.js";
import { allocTyped, DTYPE_SIZE, typedView, type Dtype, type TypedArray } from "../io/basket.js";
import { readPlanSync, type Column, type ReadPlan } from "../io/plan.js";
import { openSyncOrFail, readFullySync } from "../source/index.js";

export interface KernelSource {
  id: number;
  source: string;
  branches: string[];
  outputs: OutputSlot[];
  /** The input columns it reads (Kernel.inputs). */
  inputs: string[];
  /** The kernel of the virtual columns it reads (Kernel.pre): its source, branches, and the columns. */
  pre?: { source: string; branches: string[]; columns: VirtualSlot[] };
}

/** A kernel as a worker rebuilds it. */
export function kernelSource(id: number, k: Kernel): KernelSource {
  const v = k.virtual;
  const main = v ? v.main : k;
  return {
    id,
    source: main.source,
    branches: main.branches,
    outputs: main.outputs,
    inputs: main.inputs,
    ...(v ? { pre: { source: v.pre.source, branches: v.pre.branches, columns: v.columns } } : {}),
  };
}

/** Rebuilds a kernel from what kernelSource gave (on a worker thread). */
export function kernelOf(k: KernelSource): Kernel {
  const main = kernelFromSource(k.source, k.branches, k.outputs, k.inputs);
  if (!k.pre) return main;
  const pre = kernelFromSource(k.pre.source, k.pre.branches, k.pre.columns.map((c) => ({ key: c.name, as: c.jagged ? "list" : "f64" })));
  return withVirtual(pre, k.pre.columns, main);
}

export interface ChunkRequest {
  /** The kernel's source the first time this worker sees it; afterwards only its id. */
  kernel: KernelSource | number;
  plan: ReadPlan;
  entry0: number;
  /** Arrays of earlier chunks to write the outputs into, by key (handed back by the main thread). */
  into?: Record<string, Float64Array | Uint8Array>;
  /** The kernel's input columns for this chunk's events (copies, transferred), by key. */
  inputs?: Record<string, Float64Array>;
}

/** A chunk job, or the notice that a sample is done (files closed; kernels forgotten if `forget`). */
export type ChunkMessage = ChunkRequest | { close: true; forget: boolean };

export type ChunkReply =
  | { outputs: Record<string, Float64Array | Uint8Array>; readMs: number; computeMs: number }
  | { error: SerializedError };

export type SerializedError =
  | { name: "RootIoError"; detail: string; ctx: { file: string; tree?: string; branch?: string; basket?: number; entry?: number } }
  | { name: string; message: string };

/** An error as plain data: RootIoErrors keep their context so the main thread can name the file and branch. */
export function serializeError(e: unknown): SerializedError {
  if (e instanceof RootIoError) return { name: "RootIoError", detail: e.detail, ctx: { file: e.file, tree: e.tree, branch: e.branch, basket: e.basket, entry: e.entry } };
  const err = e as Error;
  return { name: err?.name ?? "Error", message: err?.message ?? String(e) };
}

export function deserializeError(s: SerializedError): Error {
  if (s.name === "RootIoError" && "detail" in s) {
    const ctx = Object.fromEntries(Object.entries(s.ctx).filter(([, v]) => v !== undefined)) as typeof s.ctx;
    return new RootIoError(s.detail, ctx);
  }
  const e = new Error((s as { message: string }).message);
  e.name = s.name;
  return e;
}

/**
 * Positioned reads with the files kept open (a worker reads many baskets of few files) into one
 * scratch buffer that grows to the largest basket: nothing is allocated per read.
 */
export class OpenFiles {
  private fds = new Map<string, number>();
  private scratch = new Uint8Array(1 << 16);

  read(path: string, offset: number, length: number): Uint8Array {
    let fd = this.fds.get(path);
    if (fd === undefined) {
      fd = openSyncOrFail(path);
      // A few files at a time: chains are read file after file.
      if (this.fds.size >= 8) this.closeAll();
      this.fds.set(path, fd);
    }
    if (this.scratch.length < length) this.scratch = new Uint8Array(Math.max(length, this.scratch.length * 2));
    return readFullySync(fd, path, this.scratch.subarray(0, length), offset);
  }

  closeAll(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}

/**
 * Typed arrays of a thread's earlier chunks, for its next ones (the columns a worker decodes, the
 * kernel outputs the calling thread hands back): memory a process touches for the first time costs
 * a page fault per 4 KB (about 3 ms per MB on the VMs measured, as much as decompressing it), and
 * chunk after chunk of the same branches needs the same sizes again and again. At most a few
 * dozen arrays per element type are kept.
 */
export class ArrayPool {
  private free = new Map<Dtype, TypedArray[]>();
  private static readonly KEEP = 48;

  /** An array of at least `n` values (the smallest kept that is long enough), viewed as exactly n; undefined if none. */
  take(dtype: Dtype, n: number): TypedArray | undefined {
    const list = this.free.get(dtype);
    if (!list) return undefined;
    let best = -1;
    for (let i = 0; i < list.length; i++) if (list[i].length >= n && (best < 0 || list[i].length < list[best].length)) best = i;
    return best >= 0 ? (list.splice(best, 1)[0].subarray(0, n) as TypedArray) : undefined;
  }

  /** An array of `n` values, kept or new; its contents are not zeroed. */
  readonly alloc = (dtype: Dtype, n: number): TypedArray =>
    // new ones with a little room to grow: chunks of one file differ in size, jagged ones a lot
    this.take(dtype, n) ?? (allocTyped(dtype, n + (n >> 3)).subarray(0, n) as TypedArray);

  /** Gives back the arrays of a chunk's columns once nothing reads them any more. */
  release(columns: Map<string, Column>): void {
    for (const c of columns.values()) {
      this.put(c.dtype, c.values);
      if (c.kind === "jagged") this.put("i4", c.offsets);
    }
  }

  /** Keeps an array's whole buffer (a view handed back may be shorter than what was allocated). */
  put(dtype: Dtype, a: TypedArray): void {
    // only arrays that own their buffer from its start, as the pool's own do
    if (!(a.buffer instanceof ArrayBuffer) || a.byteOffset !== 0) return;
    const whole = typedView(dtype, a.buffer, 0, a.buffer.byteLength / DTYPE_SIZE[dtype]);
    let list = this.free.get(dtype);
    if (!list) this.free.set(dtype, (list = []));
    if (list.length < ArrayPool.KEEP) list.push(whole);
  }

  clear(): void {
    this.free.clear();
  }
}

/**
 * Runs one chunk: shared by the workers and the in-thread runner, so both give the same bits.
 * `inputs` are the kernel's input columns (Kernel.inputs) for exactly this chunk's events.
 */
export function runChunk(kernel: Kernel, plan: ReadPlan, entry0: number, files: OpenFiles, pool: ArrayPool, into?: ReadonlyMap<string, Float64Array | Uint8Array>, inputs?: ReadonlyMap<string, Float64Array>) {
  let t = performance.now();
  const columns = readPlanSync(plan, files, pool.alloc);
  const readMs = performance.now() - t;
  t = performance.now();
  const outputs = kernel.run({ n: plan.n, entry0, columns, inputs }, into);
  const computeMs = performance.now() - t;
  // The kernel's outputs are its own arrays: the columns are free again.
  pool.release(columns);
  return { outputs, readMs, computeMs };
}

