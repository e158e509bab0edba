/**
 * Wide inputs fed column-major (runtime/models/onnx/column-major.ts): the model rewritten in
 * memory with a Transpose in front of its input, each batch one copy per column. On the CPU
 * provider the scores are the same bits as the model as written fed rows (what hepc did before,
 * and what onnxruntime alone gives), for an 800-input network as MatMul or as PyTorch's Gemm, for
 * any batch size, chunking and thread count; they agree with an independent float64 computation.
 * An input read by anything but a matrix product keeps its rows on the CPU; the rewrite keeps
 * every other byte of the file and never takes a name the graph uses.
 */
import { describe, expect, it } from "vitest";
import { readOnnxSignature } from "../../../plan/onnx.js";
import { IMPORTED_MODEL_RUNTIMES } from "../../../runtime/models/index.js";
import { BATCH, DataType, feedColumnMajor, modelProto, type Node, type Tensor } from "../../../runtime/models/onnx/index.js";
import { webgpuAvailable } from "../../helpers/webgpu.js";

const F = 800;
const H = 24;

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
}

interface Dense {
  bytes: Uint8Array;
  /** Scores computed in float64 from the float32 inputs and weights. */
  expected(columns: Float64Array[], n: number): Float64Array;
}

/**
 * An F-H-1 relu network with a sigmoid: `matmul` (MatMul + Add), `gemm` (PyTorch's Linear: Gemm
 * with transB), or `centred` (x − c first: the input's reader is not a product).
 */
function dense(kind: "matmul" | "gemm" | "centred", inputName = "x"): Dense {
  const r = lcg(kind.length);
  const f32 = (k: number, scale: number) => Float32Array.from({ length: k }, () => r() * scale);
  const w1 = f32(F * H, 0.2); // [F, H] row-major
  const b1 = f32(H, 0.5);
  const w2 = f32(H, 1);
  const c = f32(F, 1);
  const nodes: Node[] = [];
  const inits: Tensor[] = [];
  let x = inputName;
  if (kind === "centred") {
    inits.push({ name: "c", dims: [F], type: DataType.FLOAT, values: c });
    nodes.push({ op: "Sub", inputs: [x, "c"], outputs: ["xc"] });
    x = "xc";
  }
  if (kind === "gemm") {
    const w1t = new Float32Array(H * F);
    for (let f = 0; f < F; f++) for (let h = 0; h < H; h++) w1t[h * F + f] = w1[f * H + h];
    inits.push({ name: "W1", dims: [H, F], type: DataType.FLOAT, values: w1t }, { name: "B1", dims: [H], type: DataType.FLOAT, values: b1 });
    nodes.push({ op: "Gemm", inputs: [x, "W1", "B1"], outputs: ["a1"], attrs: [{ name: "transB", int: 1 }] });
  } else {
    inits.push({ name: "W1", dims: [F, H], type: DataType.FLOAT, values: w1 }, { name: "B1", dims: [H], type: DataType.FLOAT, values: b1 });
    nodes.push({ op: "MatMul", inputs: [x, "W1"], outputs: ["m1"] }, { op: "Add", inputs: ["m1", "B1"], outputs: ["a1"] });
  }
  inits.push({ name: "W2", dims: [H, 1], type: DataType.FLOAT, values: w2 });
  nodes.push({ op: "Relu", inputs: ["a1"], outputs: ["h1"] }, { op: "MatMul", inputs: ["h1", "W2"], outputs: ["z"] }, { op: "Sigmoid", inputs: ["z"], outputs: ["score"] });
  const bytes = modelProto({
    irVersion: 8,
    opsets: [{ domain: "", version: 13 }],
    producer: "test",
    producerVersion: "1",
    graph: { name: "dense", nodes, initializers: inits, inputs: [{ name: inputName, type: DataType.FLOAT, shape: ["batch", F] }], outputs: [{ name: "score", type: DataType.FLOAT, shape: ["batch", 1] }] },
  });
  const expected = (columns: Float64Array[], n: number) => {
    const out = new Float64Array(n);
    const xi = new Float64Array(F);
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < F; f++) xi[f] = Math.fround(columns[f][i]) - (kind === "centred" ? c[f] : 0);
      let z = 0;
      for (let h = 0; h < H; h++) {
        let a = b1[h];
        for (let f = 0; f < F; f++) a += xi[f] * w1[f * H + h];
        z += Math.max(0, a) * w2[h];
      }
      out[i] = 1 / (1 + Math.exp(-z));
    }
    return out;
  };
  return { bytes, expected };
}

const rows = 2 * BATCH + 123;
const r = lcg(99);
const columns = Array.from({ length: F }, () => Float64Array.from({ length: rows }, () => 4 * r()));
const spec = { groups: [{ label: "x", width: F }], output: null, column: null, classes: null };
const open = (bytes: Uint8Array, o: { threads?: number; columnMajorFrom?: number; device?: "cpu" | "gpu" } = {}) =>
  IMPORTED_MODEL_RUNTIMES.onnx.open(bytes, spec, { model: "m", file: "m.onnx", threads: o.threads ?? 1, device: o.device, columnMajorFrom: o.columnMajorFrom });

/** onnxruntime alone on the model as written, fed row-major batches of `batch` events: the scores hepc gave before. */
async function asWritten(bytes: Uint8Array, n: number, batch: number, threads = 1): Promise<Float64Array> {
  const ort = await import("onnxruntime-node");
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: "all", executionMode: "sequential" });
  const out = new Float64Array(n);
  for (let start = 0; start < n; start += batch) {
    const m = Math.min(batch, n - start);
    const x = new Float32Array(m * F);
    for (let i = 0; i < m; i++) for (let f = 0; f < F; f++) x[i * F + f] = columns[f][start + i];
    const t = (await s.run({ x: new ort.Tensor("float32", x, [m, F]) }))["score"];
    out.set(t.data as Float32Array, start);
    t.dispose();
  }
  await s.release();
  return out;
}

async function scoreInChunks(m: Awaited<ReturnType<typeof open>>, n: number, chunk: number): Promise<Float64Array> {
  const out = new Float64Array(n);
  for (let at = 0; at < n; at += chunk) {
    const k = Math.min(chunk, n - at);
    out.set((await m.score(columns.map((c) => c.subarray(at, at + k)), k))[0], at);
  }
  return out;
}

function worst(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]));
  return w;
}

const gpu = await webgpuAvailable();

describe("onnx runtime: wide inputs fed column-major", () => {
  for (const kind of ["matmul", "gemm"] as const) {
    it(`an ${F}-input network (${kind}): the same bits as the model fed rows, for any batching and thread count; within float32 rounding of float64`, async () => {
      const d = dense(kind);
      const m = await open(d.bytes);
      expect(m.fedByColumns).toEqual(["x"]);
      const rowsOnly = await open(d.bytes, { columnMajorFrom: Infinity });
      expect(rowsOnly.fedByColumns).toEqual([]);
      const [got] = await m.score(columns, rows);
      expect(worst(got, d.expected(columns, rows))).toBeLessThan(1e-5);
      // the model as written, fed rows: by onnxruntime alone and by hepc forced to rows
      expect(got).toEqual(await asWritten(d.bytes, rows, BATCH));
      expect((await rowsOnly.score(columns, rows))[0]).toEqual(got);
      // batches of one event, of a few, and chunks across batch boundaries
      for (const chunk of [1, 3, 1000, BATCH + 1]) expect(await scoreInChunks(m, chunk === 1 ? 40 : rows, chunk)).toEqual(chunk === 1 ? got.subarray(0, 40) : got);
      expect(await asWritten(d.bytes, 40, 1)).toEqual(got.subarray(0, 40));
      const m3 = await open(d.bytes, { threads: 3 });
      expect((await m3.score(columns, rows))[0]).toEqual(got);
      for (const s of [m, rowsOnly, m3]) await s.close();
    });
  }

  it("an input read by something else than a matrix product keeps its rows on the CPU; its scores are unchanged", async () => {
    const d = dense("centred");
    const m = await open(d.bytes);
    expect(m.fedByColumns).toEqual([]);
    const [got] = await m.score(columns, rows);
    expect(got).toEqual(await asWritten(d.bytes, rows, BATCH));
    expect(worst(got, d.expected(columns, rows))).toBeLessThan(1e-5);
    await m.close();
  });

  it("the rewrite: the input renamed and declared [values, batch], a Transpose in front, every other byte kept; names the graph uses are never taken", () => {
    const d = dense("matmul");
    const x = { name: "x", elem: DataType.FLOAT, width: F, batchDim: "batch" };
    const out = feedColumnMajor(d.bytes, [x], true);
    if (!("bytes" in out)) throw new Error(out.skipped);
    expect([...out.names]).toEqual([["x", "x_hepc_columns"]]);
    const before = readOnnxSignature(d.bytes);
    const after = readOnnxSignature(out.bytes);
    if (!("signature" in before) || !("signature" in after)) throw new Error("unreadable");
    expect(after.signature.inputs).toEqual([{ name: "x_hepc_columns", kind: "tensor", elem: DataType.FLOAT, shape: [F, "batch"] }]);
    expect(after.signature.outputs).toEqual(before.signature.outputs);
    expect(after.signature.opsets).toEqual(before.signature.opsets);
    // the graph's first node: Transpose(x_hepc_columns) -> x, perm [1, 0]
    const graph = decode(out.bytes).find((f) => f.field === 7)!.bytes!;
    const node = decode(decode(graph).find((f) => f.field === 1)!.bytes!);
    const str = (k: number) => node.filter((f) => f.field === k).map((f) => new TextDecoder().decode(f.bytes!));
    expect([str(1), str(2), str(4)]).toEqual([["x_hepc_columns"], ["x"], ["Transpose"]]);
    const attr = decode(node.find((f) => f.field === 5)!.bytes!);
    expect(new TextDecoder().decode(attr.find((f) => f.field === 1)!.bytes!)).toBe("perm");
    expect(Array.from(attr.find((f) => f.field === 8)!.bytes!)).toEqual([1, 0]);
    // the rest of the file is kept: a slice of the weights is there, and the file grew only by the node and the new shape
    const weights = d.bytes.subarray(d.bytes.length >> 1, (d.bytes.length >> 1) + 256);
    expect(indexOf(out.bytes, weights)).toBeGreaterThan(0);
    expect(out.bytes.length - d.bytes.length).toBeLessThan(120);
    // a model that already uses the name: the next free one
    const taken = dense("matmul", "x_hepc_columns");
    const again = feedColumnMajor(taken.bytes, [{ ...x, name: "x_hepc_columns" }], true);
    if (!("bytes" in again)) throw new Error(again.skipped);
    expect(again.names.get("x_hepc_columns")).toBe("x_hepc_columns_hepc_columns");
    // exact: an input read by a Sub is left alone; not exact (the GPU), it is rewritten
    expect(feedColumnMajor(dense("centred").bytes, [x], true)).toEqual({ skipped: "every wide input is read by something other than a matrix product" });
    expect("bytes" in feedColumnMajor(dense("centred").bytes, [x], false)).toBe(true);
    expect(feedColumnMajor(d.bytes.subarray(0, d.bytes.length - 7), [x])).toMatchObject({ skipped: expect.stringMatching(/could not be read/) });
  });

  it.skipIf(!gpu)("on the GPU (onnxruntime's WebGPU provider), any reader: scores within 1e-5 of the CPU's", async () => {
    for (const kind of ["matmul", "centred"] as const) {
      const d = dense(kind);
      const cpu = (await (await open(d.bytes)).score(columns, 3000))[0];
      const g = await open(d.bytes, { device: "gpu" });
      expect(g.fedByColumns).toEqual(["x"]);
      expect(worst((await g.score(columns, 3000))[0], cpu)).toBeLessThanOrEqual(1e-5);
      await g.close();
    }
  }, 120_000);
});

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** The fields of a protobuf message, just enough to look at what the rewrite wrote (varints and length-delimited fields). */
function decode(b: Uint8Array): Array<{ field: number; value?: number; bytes?: Uint8Array }> {
  const out: Array<{ field: number; value?: number; bytes?: Uint8Array }> = [];
  let p = 0;
  const varint = () => {
    let v = 0;
    for (let mul = 1; ; mul *= 128) {
      const x = b[p++];
      v += (x & 0x7f) * mul;
      if (x < 0x80) return v;
    }
  };
  while (p < b.length) {
    const tag = varint();
    if (tag % 8 === 0) out.push({ field: tag >> 3, value: varint() });
    else if (tag % 8 === 2) {
      const len = varint();
      out.push({ field: tag >> 3, bytes: b.subarray(p, p + len) });
      p += len;
    } else throw new Error(`wire type ${tag % 8}`);
  }
  return out;
}
