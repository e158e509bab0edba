/**
 * hepc's mlp against PyTorch on the CPU, in the same run.
 *
 *  - Data: 800,000 events × 28 standardised features (gaussian, with correlated pairs and 10% of
 *    one feature missing, as NaN for hepc and 0 for PyTorch, which is what hepc feeds the network),
 *    labels from a nonlinear function of them, weights in [0.5, 1.5). Generated deterministically
 *    here and written once, row-major float32, to bench/results/mlp-data-{rows}/; PyTorch reads
 *    the same bytes.
 *  - Task: a 28-64-64-1 relu network, batch 256, Adam (lr 1e-3), weighted binary cross-entropy,
 *    shuffled each epoch; one epoch (`--epochs`) timed. Inference: the probabilities of all rows.
 *  - hepc: `fitMlp` as the executor calls it (the row-major copy and the shuffle included), one
 *    thread. PyTorch (bench/mlp_torch.py with /usr/bin/python3, or $HEPC_BENCH_PYTHON, when
 *    `import torch` works there): the same network, optimiser and batches, run once with one
 *    thread and once with as many as the machine has (torch.set_num_threads).
 *  - Printed: events per second of training and of inference, and hepc's ratio to each PyTorch
 *    run. Target: training at least PyTorch's events per second.
 *
 * Run: `npm run bench:mlp` or `npm run build && node dist/bench/mlp.js [--rows N] [--epochs N]`.
 * Writes bench/results/mlp.json.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { fitMlp } from "../runtime/models/mlp/index.js";
import type { FoldData } from "../runtime/train/types.js";
import { gauss, rng } from "./data.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const F = 28;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const n = arg("rows", 800_000);
const epochs = arg("epochs", 1);
const batch = arg("batch", 256);
const dir = path.join(repo, `bench/results/mlp-data-${n}`);

function generate(): { x: Float32Array; y: Int32Array; w: Float32Array } {
  const r = rng(2027);
  const x = new Float32Array(n * F);
  const y = new Int32Array(n);
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * F;
    for (let f = 0; f < F; f++) x[o + f] = gauss(r);
    for (let f = 1; f < F; f += 4) x[o + f] = 0.6 * x[o + f - 1] + 0.8 * x[o + f];
    const t = x[o] * x[o + 1] + Math.sin(2 * x[o + 2]) + 0.5 * x[o + 3] ** 2 - 0.5 + 0.3 * x[o + 5] - 0.2 * x[o + 7] * x[o + 9];
    y[i] = t + 0.5 * gauss(r) > 0 ? 1 : 0;
    w[i] = 0.5 + r();
    if (r() < 0.1) x[o + 27] = NaN;
  }
  return { x, y, w };
}

function data(): { x: Float32Array; y: Int32Array; w: Float32Array } {
  const file = (k: string) => path.join(dir, k);
  if (!existsSync(file("x.f32"))) {
    mkdirSync(dir, { recursive: true });
    const d = generate();
    // PyTorch gets 0 where hepc has NaN: what hepc's network sees
    const x0 = Float32Array.from(d.x, (v) => (Number.isNaN(v) ? 0 : v));
    writeFileSync(file("x.f32"), new Uint8Array(x0.buffer));
    writeFileSync(file("x-nan.f32"), new Uint8Array(d.x.buffer));
    writeFileSync(file("y.i32"), new Uint8Array(d.y.buffer));
    writeFileSync(file("w.f32"), new Uint8Array(d.w.buffer));
    writeFileSync(file("meta.json"), JSON.stringify({ rows: n, features: F }));
  }
  const read = (k: string) => {
    const b = readFileSync(file(k));
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  };
  return { x: new Float32Array(read("x-nan.f32")), y: new Int32Array(read("y.i32")), w: new Float32Array(read("w.f32")) };
}

interface Figures {
  trainEventsPerSecond: number;
  inferEventsPerSecond: number;
  trainLoss: number;
}

async function hepc(): Promise<Figures> {
  const d = data();
  const columns = Array.from({ length: F }, (_, f) => Float32Array.from({ length: n }, (_, i) => d.x[i * F + f]));
  const empty = { columns: columns.map(() => new Float32Array(0)), label: new Int32Array(0), weight: new Float32Array(0), n: 0 };
  const fold: FoldData = { fold: -1, columns, label: d.y, weight: d.w, n, valid: empty, scalers: [] };
  const t0 = performance.now();
  const m = await fitMlp(fold, { layers: [64, 64], activation: "relu", epochs, batch, learning_rate: 1e-3, optimiser: "adam", patience: 0 }, { seed: 1, threads: 1, classes: ["background", "signal"] });
  const train = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  m.predict(columns, n);
  const infer = (performance.now() - t1) / 1000;
  return { trainEventsPerSecond: (n * epochs) / train, inferEventsPerSecond: n / infer, trainLoss: m.curves!.train[m.curves!.train.length - 1] };
}

function torch(threads: number): Figures | string {
  const python = process.env.HEPC_BENCH_PYTHON ?? "/usr/bin/python3";
  const probe = spawnSync(python, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) return `PyTorch not found (${python} -c 'import torch' failed): apt-get install python3-torch, or set HEPC_BENCH_PYTHON`;
  const r = spawnSync(python, [path.join(repo, "bench/mlp_torch.py"), dir, String(threads), String(epochs), String(batch)], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) return `bench/mlp_torch.py failed: ${r.stderr.trim().split("\n").pop()}`;
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Figures;
}

const fmt = (v: number) => Math.round(v).toLocaleString("en-US");
const ours = await hepc();
const refs: Record<string, Figures | string> = { "PyTorch, 1 thread": torch(1), [`PyTorch, ${cpus().length} threads`]: torch(cpus().length) };
console.log(`mlp 28-64-64-1, batch ${batch}, ${fmt(n)} events, ${epochs} epoch(s); load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
console.log(`  hepc (1 thread)        train ${fmt(ours.trainEventsPerSecond)} ev/s   infer ${fmt(ours.inferEventsPerSecond)} ev/s   loss ${ours.trainLoss.toFixed(4)}`);
for (const [name, f] of Object.entries(refs)) {
  if (typeof f === "string") console.log(`  ${name}: ${f}`);
  else
    console.log(
      `  ${name.padEnd(22)} train ${fmt(f.trainEventsPerSecond)} ev/s   infer ${fmt(f.inferEventsPerSecond)} ev/s   loss ${f.trainLoss.toFixed(4)}   hepc/PyTorch: train ${(ours.trainEventsPerSecond / f.trainEventsPerSecond).toFixed(2)}×, infer ${(ours.inferEventsPerSecond / f.inferEventsPerSecond).toFixed(2)}×`,
    );
}
mkdirSync(path.join(repo, "bench/results"), { recursive: true });
writeFileSync(path.join(repo, "bench/results/mlp.json"), JSON.stringify({ rows: n, epochs, batch, loadavg: loadavg()[0], cores: cpus().length, hepc: ours, references: refs }, null, 2));
