/**
 * hepc's mlp on a WebGPU adapter against PyTorch, in the same command.
 *
 *  - Nets: 28-64-64-1 (sigmoid output) at batch 256, 4,096 and 65,536; a jet tagger's size,
 *    800-256-256-5 (softmax), at batch 1,024 and 8,192. relu, Adam (lr 1e-3), weighted
 *    cross-entropy, shuffled each epoch.
 *  - Data: seeded gaussian features with labels from a nonlinear function of them, resident on the
 *    device (hepc: uploaded once, gathered per batch on the GPU; PyTorch: tensors on its device).
 *    The large net's default 65,536 rows × 800 features (200 MiB) pass WebGPU's default 128 MiB
 *    binding limit where an adapter grants no more, so the chunked path is measured too.
 *  - Timed: training events per second over `--epochs` epochs after a warm-up epoch (shader
 *    compilation and pipeline creation excluded); inference events per second of scoring all rows
 *    (the upload of each block and the read-back of its scores included).
 *  - PyTorch: bench/mlp_gpu_torch.py with $HEPC_BENCH_PYTHON or /usr/bin/python3, on CUDA when
 *    torch.cuda.is_available(), else on the CPU with all its threads; skipped, with the reason,
 *    when `import torch` fails. Ratios are hepc / PyTorch.
 *
 * The adapter is named in the output: on a software one (Mesa's lavapipe) the figures measure
 * the CPU that emulates it, not a GPU.
 *
 * Run: `npm run build && node dist/bench/mlp-gpu.js [--rows-small N] [--rows-large N] [--epochs N]
 * [--only small|large]`. Writes bench/results/mlp-gpu.json.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { adapterLabel, gpuDevice, releaseDevices, type GpuDevice } from "../runtime/devices/index.js";
import { GpuScorer, trainOnGpu } from "../runtime/models/mlp/gpu/index.js";
import { initNetwork } from "../runtime/models/mlp/network.js";
import { readOptions } from "../runtime/models/mlp/options.js";
import { Rng } from "../runtime/models/mlp/rng.js";
import type { Part } from "../runtime/models/mlp/train.js";
import { gauss, rng } from "./data.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : null;
const epochs = arg("epochs", 1);

interface Case {
  net: string;
  F: number;
  layers: number[];
  K: number;
  batch: number;
  rows: number;
}

const small = arg("rows-small", 262_144);
const large = arg("rows-large", 65_536);
const CASES: Case[] = [
  ...(only === "large" ? [] : [256, 4096, 65536].map((batch) => ({ net: "28-64-64-1", F: 28, layers: [64, 64], K: 1, batch, rows: small }))),
  ...(only === "small" ? [] : [1024, 8192].map((batch) => ({ net: "800-256-256-5", F: 800, layers: [256, 256], K: 5, batch, rows: large }))),
];

/** Column-major features and labels from a nonlinear function of the first few. */
function data(F: number, K: number, n: number, seed: number): Part {
  const r = rng(seed);
  const columns = Array.from({ length: F }, () => new Float32Array(n));
  const label = new Int32Array(n);
  const weight = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < F; f++) columns[f][i] = gauss(r);
    const t = columns[0][i] * columns[1][i] + Math.sin(2 * columns[2][i]) + 0.5 * columns[3][i] ** 2 - 0.5 + 0.5 * gauss(r);
    label[i] = K === 1 ? (t > 0 ? 1 : 0) : Math.min(K - 1, Math.max(0, Math.floor(t + K / 2)));
    weight[i] = 0.5 + r();
  }
  return { columns, label, weight, n };
}

interface Figures {
  trainEventsPerSecond: number;
  inferEventsPerSecond: number;
}

async function hepc(g: GpuDevice, c: Case, part: Part): Promise<Figures> {
  const net = () => initNetwork(c.F, c.layers, c.K, "relu", false, new Rng(1));
  const o = (e: number) => readOptions({ layers: c.layers, epochs: e, batch: c.batch, learning_rate: 1e-3, patience: 0 });
  // warm-up: compiles the pipelines, as a run's first epoch would
  const warm = { ...part, n: Math.min(part.n, 2 * c.batch) };
  await trainOnGpu(g, net(), warm, null, o(1), new Rng(2), {}, { model: c.net });
  const t0 = performance.now();
  const r = await trainOnGpu(g, net(), part, null, o(epochs), new Rng(2), {}, { model: c.net });
  const train = (performance.now() - t0) / 1000;
  const s = new GpuScorer(g, r.net, 65536, c.net);
  await s.predict(part.columns, Math.min(part.n, 1024));
  const t1 = performance.now();
  await s.predict(part.columns, part.n);
  const infer = (performance.now() - t1) / 1000;
  s.destroy();
  return { trainEventsPerSecond: (part.n * epochs) / train, inferEventsPerSecond: part.n / infer };
}

function torch(c: Case): (Figures & { device: string }) | string {
  const python = process.env.HEPC_BENCH_PYTHON ?? "/usr/bin/python3";
  const probe = spawnSync(python, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) return `PyTorch not found (${python} -c 'import torch' failed; set HEPC_BENCH_PYTHON)`;
  const r = spawnSync(python, [path.join(repo, "bench/mlp_gpu_torch.py"), String(c.F), c.layers.join(","), String(c.K), String(c.batch), String(c.rows), String(epochs)], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) return `bench/mlp_gpu_torch.py failed: ${r.stderr.trim().split("\n").pop()}`;
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

const fmt = (v: number) => Math.round(v).toLocaleString("en-US");
const g = await gpuDevice();
if ("reason" in g) {
  console.log(`no WebGPU adapter: ${g.reason}\nto get one: ${g.hint}`);
  process.exit(1);
}
const adapter = adapterLabel(g.info);
console.log(`adapter: ${adapter}${g.info.software ? " — a software adapter: these figures measure the CPU emulating a GPU" : ""}`);
console.log(`binding limit granted: ${(g.info.limits.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB; ${epochs} epoch(s) timed after a warm-up`);
const results: unknown[] = [];
for (const c of CASES) {
  const part = data(c.F, c.K, c.rows, 2027);
  const ours = await hepc(g, c, part);
  const ref = torch(c);
  const line = `${c.net} batch ${String(c.batch).padStart(6)} (${fmt(c.rows)} rows): hepc train ${fmt(ours.trainEventsPerSecond).padStart(11)} ev/s  infer ${fmt(ours.inferEventsPerSecond).padStart(12)} ev/s`;
  if (typeof ref === "string") console.log(`${line}   | ${ref}`);
  else console.log(`${line}   | PyTorch ${ref.device}: train ${fmt(ref.trainEventsPerSecond)} ev/s, infer ${fmt(ref.inferEventsPerSecond)} ev/s; hepc/PyTorch ${(ours.trainEventsPerSecond / ref.trainEventsPerSecond).toFixed(2)}× train, ${(ours.inferEventsPerSecond / ref.inferEventsPerSecond).toFixed(2)}× infer`);
  results.push({ ...c, hepc: ours, pytorch: ref });
}
await releaseDevices();
mkdirSync(path.join(repo, "bench/results"), { recursive: true });
writeFileSync(path.join(repo, "bench/results/mlp-gpu.json"), JSON.stringify({ adapter: g.info, epochs, results }, null, 2));
