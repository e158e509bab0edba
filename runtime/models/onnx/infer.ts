/**
 * Inference of an imported ONNX model with onnxruntime-node (CPU execution provider): the
 * binding of plan/onnx.ts says which columns go into which input; events go through in batches
 * of at most BATCH (exactly the model's batch size where its batch axis is fixed, the last batch
 * padded), and the score columns are read from the chosen output.
 *
 * Each event's score depends on that event's values only (a batch is rows of a matrix product),
 * so scores do not depend on the chunk size; onnxruntime's intra-op threads split the work but
 * not a row's sum. onnxruntime-node is an optional dependency: it is loaded here, on first use,
 * and its absence is a named error (HEP6030), not a crash.
 *
 * An input [batch, values] is fed column-major where it can be: the model is opened with a
 * Transpose in front of that input (column-major.ts), and a batch is one contiguous copy per
 * column instead of a gather of every event's values from as many columns, which for hundreds of
 * inputs cost more than the network (docs/gpu.md, bench/onnx.ts). On the CPU provider only inputs
 * read by matrix products alone, where the scores stay the same bits; on the GPU any.
 */
import { onnxSessionOptions } from "../../devices/onnx.js";
import { quietly } from "../../devices/quiet.js";
import { bindOnnx, readOnnxSignature, unsupportedOpsets, type BoundInput, type OnnxBinding, type OnnxInputsSpec, type OnnxSignature } from "../../../plan/onnx.js";
import { feedColumnMajor, type ColumnMajorInput } from "./column-major.js";

/** Events per onnxruntime call: large enough that a call's overhead vanishes, small enough to stay in cache. */
export const BATCH = 8192;

/**
 * Inputs at least this wide are fed column-major (with a Transpose in the graph): measured faster
 * from 2 values on (bench/onnx.ts); one value per event is a column already.
 */
export const COLUMN_MAJOR_MIN = 2;

/** An error with a code of the diagnostics table (modelErrorOf in ../index.ts reads it). */
export class OnnxRunError extends Error {
  constructor(
    readonly code: "HEP6030" | "HEP6031" | "HEP6032",
    readonly args: Record<string, string | number>,
  ) {
    super(`${code} ${JSON.stringify(args)}`);
  }
}

/** An opened model, ready to score columns. */
export interface OnnxScorer {
  binding: OnnxBinding;
  /** Scores per event: 1, or one per class. */
  outputs: number;
  /** The model inputs fed column-major (through a Transpose added in front of them); the rest are fed rows. */
  fedByColumns: string[];
  /** Scores of events [0, n) of the columns (the flattened `inputs` values): one array per score. */
  score(columns: ArrayLike<number>[], n: number): Promise<Float64Array[]>;
  close(): Promise<void>;
}

type Ort = typeof import("onnxruntime-node");
let ortLoad: Promise<Ort> | undefined;

/** onnxruntime-node, imported once; HEP6030 where it is not installed. */
async function ort(model: string): Promise<Ort> {
  ortLoad ??= import("onnxruntime-node");
  try {
    return await ortLoad;
  } catch (e) {
    ortLoad = undefined;
    throw new OnnxRunError("HEP6030", { model, reason: e instanceof Error ? e.message.split("\n")[0] : String(e) });
  }
}

export interface OpenOptions {
  /** The declaration's name, for messages. */
  model: string;
  /** The file as the analysis names it, for messages. */
  file: string;
  /** onnxruntime's intra-op threads. */
  threads: number;
  /** Where the model runs: onnxruntime's WebGPU execution provider on "gpu" (runtime/devices), its CPU one otherwise. */
  device?: "cpu" | "gpu";
  /** The narrowest input fed column-major (default COLUMN_MAJOR_MIN; Infinity: none, every batch gathered into rows). */
  columnMajorFrom?: number;
}

/** The inputs fed column-major: [batch, values] tensors with a free batch axis, at least `from` wide. */
function columnMajorInputs(binding: OnnxBinding, sig: OnnxSignature, from: number): ColumnMajorInput[] {
  const fits = (i: BoundInput) => i.batchAxis === 0 && i.dims.length === 2 && !i.order && i.fixedBatch === null && i.width >= from;
  return binding.inputs.filter(fits).flatMap((i) => {
    const v = sig.inputs.find((x) => x.name === i.name);
    if (v?.shape?.length !== 2) return [];
    const b = v.shape[0];
    return [{ name: i.name, elem: v.elem, width: i.width, batchDim: typeof b === "string" ? b : null }];
  });
}

/** Values [start, start + m) of `col` into `buf` at `at`: one contiguous copy (a typed array's is native, converting as an assignment does). */
function copyColumn(buf: Float32Array | Float64Array, at: number, col: ArrayLike<number>, start: number, m: number): void {
  if (ArrayBuffer.isView(col)) buf.set((col as Float64Array).subarray(start, start + m), at);
  else for (let i = 0; i < m; i++) buf[at + i] = col[start + i];
}

/** Opens the model in `bytes`, bound to `spec`; every mismatch is a named error. */
export async function openOnnx(bytes: Uint8Array, spec: OnnxInputsSpec, opts: OpenOptions): Promise<OnnxScorer> {
  const read = readOnnxSignature(bytes);
  if ("error" in read) throw new OnnxRunError("HEP6031", { what: "read", file: opts.file, reason: read.error });
  const opsets = unsupportedOpsets(read.signature);
  if (opsets.length) throw new OnnxRunError("HEP6031", { what: "load", file: opts.file, reason: `it needs ${opsets.join(", ")}` });
  const bound = bindOnnx(read.signature, spec);
  if ("problems" in bound) throw new OnnxRunError("HEP6032", { model: opts.model, reason: bound.problems.map((p) => p.message).join("; ") });
  const binding = bound.binding;
  const rt = await ort(opts.model);
  const create = (model: Uint8Array) => {
    const make = () => rt.InferenceSession.create(model, { ...onnxSessionOptions(opts.device ?? "cpu"), intraOpNumThreads: opts.threads, interOpNumThreads: 1, graphOptimizationLevel: "all", executionMode: "sequential" } as never);
    // the WebGPU provider's Dawn prints its limit warnings as the session starts: to the run log
    return opts.device === "gpu" ? quietly(make) : make();
  };
  // wide inputs fed column-major, by the model rewritten with their transposes; where the rewrite
  // or the rewritten model fails to load, the model as it is, fed rows
  let columnNames = new Map<string, string>();
  let session: import("onnxruntime-node").InferenceSession | undefined;
  const wide = columnMajorInputs(binding, read.signature, opts.columnMajorFrom ?? COLUMN_MAJOR_MIN);
  const rewritten = wide.length ? feedColumnMajor(bytes, wide, (opts.device ?? "cpu") === "cpu") : null;
  if (rewritten && "bytes" in rewritten) {
    try {
      session = await create(rewritten.bytes);
      columnNames = rewritten.names;
    } catch {
      session = undefined;
    }
  }
  try {
    session ??= await create(bytes);
  } catch (e) {
    throw new OnnxRunError("HEP6031", { what: "load", file: opts.file, reason: ortMessage(e) });
  }
  const sess = session;
  const fixed = binding.inputs.find((i) => i.fixedBatch !== null)?.fixedBatch ?? null;
  const batch = fixed ?? BATCH;
  const buffers = binding.inputs.map((i) => (i.dtype === "float32" ? new Float32Array(batch * i.width) : new Float64Array(batch * i.width)));
  const k = binding.columns.length;
  // Samples stream concurrently and a batch's inputs are staged in the shared buffers across an
  // await: calls run one after the other.
  let queue: Promise<unknown> = Promise.resolve();
  const score = async (columns: ArrayLike<number>[], n: number): Promise<Float64Array[]> => {
    const out = Array.from({ length: k }, () => new Float64Array(n));
    for (let start = 0; start < n; start += batch) {
      const m = Math.min(batch, n - start);
      // a fixed batch axis takes exactly its size: the last batch is padded with zeros
      const rows = fixed ?? m;
      const feeds: Record<string, import("onnxruntime-node").Tensor> = {};
      binding.inputs.forEach((inp, j) => {
        const buf = buffers[j];
        const w = inp.width;
        const byColumns = columnNames.get(inp.name);
        if (inp.batchAxis === 1 || byColumns !== undefined) {
          // [values, batch]: each column's batch is contiguous (a free batch axis: never padded)
          for (let v = 0; v < w; v++) copyColumn(buf, v * rows, columns[inp.first + v], start, m);
          if (byColumns !== undefined) {
            feeds[byColumns] = new rt.Tensor(inp.dtype, buf.subarray(0, rows * w), [w, rows]);
            return;
          }
        } else {
          // a sequence's values are laid out in the order the model's axes ask ([F, L] or [L, F])
          const order = inp.order;
          for (let v = 0; v < w; v++) {
            const col = columns[inp.first + (order ? order[v] : v)];
            for (let i = 0; i < m; i++) buf[i * w + v] = col[start + i];
          }
          if (rows > m) buf.fill(0, m * w, rows * w);
        }
        const data = buf.subarray(0, rows * w);
        feeds[inp.name] = new rt.Tensor(inp.dtype, data, inp.batchAxis === 1 ? [w, rows] : [rows, ...inp.dims.slice(1)]);
      });
      let result: import("onnxruntime-node").InferenceSession.OnnxValueMapType;
      try {
        result = await sess.run(feeds, [binding.output.name]);
      } catch (e) {
        throw new OnnxRunError("HEP6031", { what: "run", file: opts.file, reason: ortMessage(e) });
      }
      const t = result[binding.output.name];
      const dims = t.dims;
      const byColumn = binding.output.batchAxis === 1 && dims.length === 2;
      const width = dims.length <= 1 ? 1 : byColumn ? dims[0] : dims.slice(1).reduce((a, b) => a * b, 1);
      if (dims[byColumn ? 1 : 0] !== rows || t.data.length !== rows * width) throw new OnnxRunError("HEP6032", { model: opts.model, reason: `gives output '${binding.output.name}' with shape [${dims.join(", ")}] for ${rows} events` });
      if (binding.columns.some((c) => c >= width)) throw new OnnxRunError("HEP6032", { model: opts.model, reason: `gives output '${binding.output.name}' with ${width} columns, column ${Math.max(...binding.columns)} is read` });
      const data = t.data as Float32Array | Float64Array;
      for (let c = 0; c < k; c++) {
        const col = binding.columns[c];
        const o = out[c];
        if (byColumn) for (let i = 0; i < m; i++) o[start + i] = data[col * rows + i];
        else for (let i = 0; i < m; i++) o[start + i] = data[i * width + col];
      }
      t.dispose();
    }
    return out;
  };
  return {
    binding,
    outputs: k,
    fedByColumns: [...columnNames.keys()],
    score(columns, n) {
      const next = queue.then(() => score(columns, n));
      queue = next.catch(() => undefined);
      return next;
    },
    async close() {
      await sess.release();
    },
  };
}

/** onnxruntime's message, without its source-file prefix. */
function ortMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/^\[[^\]]*\]\s*/, "").replace(/^\S*onnxruntime\S*:\d+ [^\n]*?\] /, "").split("\n")[0];
}
