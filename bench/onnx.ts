/**
 * Inference of an imported ONNX model through hepc's onnx runtime.
 *
 *  - Model: an F-H-H-1 network (relu, sigmoid output; MatMul/Add/Relu/Sigmoid, opset 13, dynamic
 *    batch axis), weights drawn deterministically, written with hepc's own ONNX writer. By default
 *    5-64-64-1; `--hidden 32` is the size of the PyTorch fixture of the tests, `--inputs 800
 *    --hidden 256` the shape of a jet tagger fed hundreds of constituent values.
 *  - Data: N events × F float64 columns (gaussian), as the executor hands them over.
 *  - hepc: `IMPORTED_MODEL_RUNTIMES.onnx` opened with `--threads` intra-op threads,
 *    `score(columns, n)` over all events (batches of BATCH events). An input at least
 *    COLUMN_MAJOR_MIN wide is fed column-major (one copy per column, a Transpose in the graph);
 *    "hepc, rows" is the same scorer forced to gather every batch into rows (what hepc did before),
 *    measured in the same run.
 *  - Reference in the same run: onnxruntime alone, `session.run` on the same batches already laid
 *    out (row-major for the model as written; column-major for the model with the transpose), what
 *    no caller can beat; and hepc's copies alone (the gather into rows, the copy per column).
 *  - Checked: hepc's scores equal the reference's bit for bit, both ways of feeding (on the CPU).
 *  - `--device gpu`: onnxruntime's WebGPU execution provider, for hepc and the reference (without a
 *    GPU, on lavapipe: correct, not a GPU's speed); scores then agree within 1e-5, not bit for bit.
 *  - Target (5 inputs, CPU): at least 1,000,000 events per second for hepc.
 *  - Timing: one warm-up each, then 5 rounds taking every case in turn (a shared machine's load
 *    drifts: each case gets the same share); the median and the best of 5.
 *
 * Run: `npm run build && node dist/bench/onnx.js [--rows N] [--inputs F] [--hidden N] [--threads N] [--device cpu|gpu]`.
 * Writes bench/results/onnx.json (onnx-F.json for other widths).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { onnxSessionOptions } from "../runtime/devices/onnx.js";
import { IMPORTED_MODEL_RUNTIMES } from "../runtime/models/index.js";
import { BATCH, COLUMN_MAJOR_MIN, DataType, feedColumnMajor, modelProto, type Node, type Tensor } from "../runtime/models/onnx/index.js";
import { gauss, rng } from "./data.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const F = arg("inputs", 5);
const n = arg("rows", F > 100 ? 200_000 : 1_000_000);
const H = arg("hidden", 64);
const threads = arg("threads", 1);
const device: "cpu" | "gpu" = process.argv.includes("--device") && process.argv[process.argv.indexOf("--device") + 1] === "gpu" ? "gpu" : "cpu";
const TARGET = 1_000_000;

function network(): Uint8Array {
  const r = rng(7);
  const w = (rows: number, cols: number) => Array.from({ length: rows * cols }, () => gauss(r) / Math.sqrt(rows));
  const inits: Tensor[] = [
    { name: "W1", dims: [F, H], type: DataType.FLOAT, values: w(F, H) },
    { name: "B1", dims: [H], type: DataType.FLOAT, values: w(1, H) },
    { name: "W2", dims: [H, H], type: DataType.FLOAT, values: w(H, H) },
    { name: "B2", dims: [H], type: DataType.FLOAT, values: w(1, H) },
    { name: "W3", dims: [H, 1], type: DataType.FLOAT, values: w(H, 1) },
    { name: "B3", dims: [1], type: DataType.FLOAT, values: [0.1] },
  ];
  const nodes: Node[] = [
    { op: "MatMul", inputs: ["x", "W1"], outputs: ["m1"] },
    { op: "Add", inputs: ["m1", "B1"], outputs: ["a1"] },
    { op: "Relu", inputs: ["a1"], outputs: ["h1"] },
    { op: "MatMul", inputs: ["h1", "W2"], outputs: ["m2"] },
    { op: "Add", inputs: ["m2", "B2"], outputs: ["a2"] },
    { op: "Relu", inputs: ["a2"], outputs: ["h2"] },
    { op: "MatMul", inputs: ["h2", "W3"], outputs: ["m3"] },
    { op: "Add", inputs: ["m3", "B3"], outputs: ["z"] },
    { op: "Sigmoid", inputs: ["z"], outputs: ["score"] },
  ];
  return modelProto({
    irVersion: 8,
    opsets: [{ domain: "", version: 13 }],
    producer: "hepc-bench",
    producerVersion: "1",
    graph: { name: "mlp", nodes, initializers: inits, inputs: [{ name: "x", type: DataType.FLOAT, shape: ["batch", F] }], outputs: [{ name: "score", type: DataType.FLOAT, shape: ["batch", 1] }] },
  });
}

/**
 * Each case once as a warm-up, then 5 rounds taking every case in turn: on a shared machine the
 * load drifts, and interleaving gives each case the same share of it. Median and best per case.
 */
async function timedTogether<K extends string>(cases: Record<K, () => Promise<unknown>>): Promise<Record<K, { median: number; best: number }>> {
  const keys = Object.keys(cases) as K[];
  for (const k of keys) await cases[k]();
  const t = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < 5; round++) {
    for (const k of keys) {
      const t0 = performance.now();
      await cases[k]();
      t[k].push((performance.now() - t0) / 1000);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, { median: [...t[k]].sort((a, b) => a - b)[2], best: Math.min(...t[k]) }])) as Record<K, { median: number; best: number }>;
}

const r = rng(11);
const columns = Array.from({ length: F }, () => Float64Array.from({ length: n }, () => gauss(r)));
const bytes = network();
const spec = { groups: [{ label: "x", width: F }], output: null, column: null, classes: null };
const open = (columnMajorFrom: number) => IMPORTED_MODEL_RUNTIMES.onnx.open(bytes, spec, { model: "bench", file: "bench.onnx", threads, device, columnMajorFrom });
const scorer = await open(COLUMN_MAJOR_MIN);
const byRows = await open(Infinity);

// the reference: onnxruntime alone, on tensors laid out beforehand, as rows and as columns
const ort = await import("onnxruntime-node");
const options = { ...onnxSessionOptions(device), intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: "all", executionMode: "sequential" } as const;
const session = await ort.InferenceSession.create(bytes, options);
const transposed = feedColumnMajor(bytes, [{ name: "x", elem: DataType.FLOAT, width: F, batchDim: "batch" }]);
if (!("bytes" in transposed)) throw new Error(`the bench model could not be rewritten: ${transposed.skipped}`);
const colSession = await ort.InferenceSession.create(transposed.bytes, options);
const colName = transposed.names.get("x")!;
type OrtTensor = InstanceType<typeof ort.Tensor>;
const rowBatches: OrtTensor[] = [];
const colBatches: OrtTensor[] = [];
for (let start = 0; start < n; start += BATCH) {
  const m = Math.min(BATCH, n - start);
  const x = new Float32Array(m * F);
  const xt = new Float32Array(m * F);
  for (let i = 0; i < m; i++) for (let f = 0; f < F; f++) x[i * F + f] = columns[f][start + i];
  for (let f = 0; f < F; f++) xt.set(columns[f].subarray(start, start + m), f * m);
  rowBatches.push(new ort.Tensor("float32", x, [m, F]));
  colBatches.push(new ort.Tensor("float32", xt, [F, m]));
}
// hepc's own work alone: the batch laid out (gathered into rows, or copied per column) and the scores copied out
const buf = new Float32Array(BATCH * F);
const out = new Float64Array(n);
const gatherRows = async () => {
  for (let start = 0; start < n; start += BATCH) {
    const m = Math.min(BATCH, n - start);
    for (let f = 0; f < F; f++) {
      const col = columns[f];
      for (let i = 0; i < m; i++) buf[i * F + f] = col[start + i];
    }
    for (let i = 0; i < m; i++) out[start + i] = buf[i * F];
  }
};
const copyColumns = async () => {
  for (let start = 0; start < n; start += BATCH) {
    const m = Math.min(BATCH, n - start);
    for (let f = 0; f < F; f++) buf.set(columns[f].subarray(start, start + m), f * m);
    for (let i = 0; i < m; i++) out[start + i] = buf[i];
  }
};
const { hepc, hepcRows, ortRows, ortColumns, gather, columnCopy } = await timedTogether({
  hepc: () => scorer.score(columns, n),
  hepcRows: () => byRows.score(columns, n),
  ortRows: async () => {
    for (const t of rowBatches) (await session.run({ x: t }))["score"].dispose();
  },
  ortColumns: async () => {
    for (const t of colBatches) (await colSession.run({ [colName]: t }))["score"].dispose();
  },
  gather: gatherRows,
  columnCopy: copyColumns,
});

// scores checked: hepc's, both ways, against the reference's (the model as written, fed rows)
const ref = new Float64Array(n);
let at = 0;
for (const t of rowBatches) {
  const s = (await session.run({ x: t }))["score"];
  ref.set(s.data as Float32Array, at);
  at += s.data.length;
}
const [mine] = await scorer.score(columns, n);
const [mineRows] = await byRows.score(columns, n);
let differ = 0;
let worst = 0;
for (let i = 0; i < n; i++) {
  if (mine[i] !== ref[i] || mineRows[i] !== ref[i]) differ++;
  worst = Math.max(worst, Math.abs(mine[i] - ref[i]), Math.abs(mineRows[i] - ref[i]));
}
const ok = device === "cpu" ? differ === 0 : worst <= 1e-5;

const rate = (s: number) => n / s;
const fmt = (x: number) => `${(x / 1e6).toFixed(3)}M`;
const line = (label: string, t: { median: number; best: number }) => console.log(`  ${label.padEnd(54)}${fmt(rate(t.median))} events/s (best ${fmt(rate(t.best))}), ${(t.median * 1000).toFixed(0)} ms`);
console.log(`onnx inference: ${n.toLocaleString("en")} events, ${F}-${H}-${H}-1 network, ${threads} thread(s), ${device === "gpu" ? "WebGPU provider" : "CPU provider"}, batches of ${BATCH} (load ${loadavg()[0].toFixed(2)}, ${cpus().length} cores)`);
line(`hepc (${F >= COLUMN_MAJOR_MIN ? "columns → [F, batch] → Transpose in the graph" : "columns gathered into [batch, F]"})`, hepc);
line("hepc, rows (every batch gathered into [batch, F])", hepcRows);
line("onnxruntime alone, rows laid out before", ortRows);
line("onnxruntime alone, columns laid out before", ortColumns);
line("the gather into rows alone", gather);
line("the copy per column alone", columnCopy);
console.log(`  hepc / onnxruntime alone (rows): ${(ortRows.median / hepc.median).toFixed(2)}× the reference's rate; hepc / hepc by rows: ${(hepcRows.median / hepc.median).toFixed(2)}×`);
console.log(`  scores differing from the reference: ${differ} (largest difference ${worst.toExponential(2)}${device === "gpu" ? ", ≤ 1e-5 wanted" : ""})`);
if (F === 5 && device === "cpu") console.log(`  target ≥ ${fmt(TARGET)} events/s: ${rate(hepc.median) >= TARGET ? "met" : "NOT met"}`);
mkdirSync(path.join(repo, "bench/results"), { recursive: true });
writeFileSync(
  path.join(repo, `bench/results/onnx${F === 5 ? "" : `-${F}`}${device === "gpu" ? "-gpu" : ""}.json`),
  JSON.stringify({ rows: n, inputs: F, hidden: H, threads, device, batch: BATCH, loadavg: loadavg()[0], cores: cpus().length, hepc, hepcRows, onnxruntimeRows: ortRows, onnxruntimeColumns: ortColumns, gather, columnCopy, eventsPerSecond: rate(hepc.median), target: TARGET, differ, worst }, null, 2),
);
await scorer.close();
await byRows.close();
await session.release();
await colSession.release();
if (!ok) process.exitCode = 1;
