/**
 * Inference of an imported ONNX model through hepc's onnx runtime, one thread.
 *
 *  - Model: a 5-64-64-1 network (relu, sigmoid output; MatMul/Add/Relu/Sigmoid, opset 13, dynamic
 *    batch axis), weights drawn deterministically, written with hepc's own ONNX writer. `--hidden`
 *    changes the width (`--hidden 32` is the size of the PyTorch fixture of the tests).
 *  - Data: 1,000,000 events × 5 float64 columns (gaussian), as the executor hands them over.
 *  - hepc: `IMPORTED_MODEL_RUNTIMES.onnx` opened with one intra-op thread, `score(columns, n)` over
 *    all events (batches of BATCH events: columns copied into the float32 [batch, 5] tensor, the
 *    session run, the score column copied out).
 *  - Reference in the same run: onnxruntime alone, `session.run` on the same batches already laid
 *    out as float32 tensors (what no caller can beat); and the copies alone (hepc's share). The
 *    difference between hepc and the reference is what hepc adds.
 *  - Target: at least 1,000,000 events per second for hepc.
 *  - Timing: one warm-up, then the median and the best of 5.
 *
 * Run: `npm run build && node dist/bench/onnx.js [--rows N] [--hidden N] [--threads N]`.
 * Writes bench/results/onnx.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { IMPORTED_MODEL_RUNTIMES } from "../runtime/models/index.js";
import { BATCH, DataType, modelProto, type Node, type Tensor } from "../runtime/models/onnx/index.js";
import { gauss, rng } from "./data.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const n = arg("rows", 1_000_000);
const H = arg("hidden", 64);
const threads = arg("threads", 1);
const F = 5;
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

async function timed(f: () => Promise<unknown>): Promise<{ median: number; best: number }> {
  await f();
  const t: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    await f();
    t.push((performance.now() - t0) / 1000);
  }
  t.sort((a, b) => a - b);
  return { median: t[2], best: t[0] };
}

const r = rng(11);
const columns = Array.from({ length: F }, () => Float64Array.from({ length: n }, () => gauss(r)));
const bytes = network();
const scorer = await IMPORTED_MODEL_RUNTIMES.onnx.open(bytes, { groups: [{ label: "x", width: F }], output: null, column: null, classes: null }, { model: "bench", file: "bench.onnx", threads });
const hepc = await timed(() => scorer.score(columns, n));

// the reference: onnxruntime alone, on tensors laid out beforehand
const ort = await import("onnxruntime-node");
const session = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: "all", executionMode: "sequential" });
const batches: Array<{ tensor: InstanceType<typeof ort.Tensor> }> = [];
for (let start = 0; start < n; start += BATCH) {
  const m = Math.min(BATCH, n - start);
  const x = new Float32Array(m * F);
  for (let i = 0; i < m; i++) for (let f = 0; f < F; f++) x[i * F + f] = columns[f][start + i];
  batches.push({ tensor: new ort.Tensor("float32", x, [m, F]) });
}
const ortAlone = await timed(async () => {
  for (const b of batches) (await session.run({ x: b.tensor }))["score"].dispose();
});
// hepc's own work alone: the copies into a float32 batch and out of the output
const buf = new Float32Array(BATCH * F);
const out = new Float64Array(n);
const copies = await timed(async () => {
  for (let start = 0; start < n; start += BATCH) {
    const m = Math.min(BATCH, n - start);
    for (let f = 0; f < F; f++) {
      const col = columns[f];
      for (let i = 0; i < m; i++) buf[i * F + f] = col[start + i];
    }
    for (let i = 0; i < m; i++) out[start + i] = buf[i * F];
  }
});

// scores checked: hepc's equal the reference's
const ref = new Float64Array(n);
let at = 0;
for (const b of batches) {
  const t = (await session.run({ x: b.tensor }))["score"];
  ref.set(t.data as Float32Array, at);
  at += t.data.length;
}
const [mine] = await scorer.score(columns, n);
let differ = 0;
for (let i = 0; i < n; i++) if (mine[i] !== ref[i]) differ++;

const rate = (s: number) => n / s;
const fmt = (x: number) => `${(x / 1e6).toFixed(2)}M`;
console.log(`onnx inference: ${n.toLocaleString("en")} events, ${F}-${H}-${H}-1 network, ${threads} thread(s), batches of ${BATCH} (load ${loadavg()[0].toFixed(2)}, ${cpus().length} cores)`);
console.log(`  hepc (columns → tensor → onnxruntime → scores): ${fmt(rate(hepc.median))} events/s (best ${fmt(rate(hepc.best))}), ${(hepc.median * 1000).toFixed(0)} ms`);
console.log(`  onnxruntime alone (tensors laid out before):   ${fmt(rate(ortAlone.median))} events/s (best ${fmt(rate(ortAlone.best))}), ${(ortAlone.median * 1000).toFixed(0)} ms`);
console.log(`  hepc's copies alone:                           ${(copies.median * 1000).toFixed(0)} ms (${((100 * copies.median) / hepc.median).toFixed(0)}% of hepc's time)`);
console.log(`  hepc / onnxruntime alone: ${(ortAlone.median / hepc.median).toFixed(2)}× the reference's rate; scores differing from the reference: ${differ}`);
console.log(`  target ≥ ${fmt(TARGET)} events/s: ${rate(hepc.median) >= TARGET ? "met" : "NOT met"}`);
mkdirSync(path.join(repo, "bench/results"), { recursive: true });
writeFileSync(
  path.join(repo, "bench/results/onnx.json"),
  JSON.stringify({ rows: n, hidden: H, threads, batch: BATCH, loadavg: loadavg()[0], cores: cpus().length, hepc, onnxruntimeAlone: ortAlone, copies, eventsPerSecond: rate(hepc.median), target: TARGET, differ }, null, 2),
);
await scorer.close();
await session.release();
if (differ) process.exitCode = 1;
