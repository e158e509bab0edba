/**
 * hepc's gbdt against XGBoost's `hist` on the same matrix, in the same run.
 *
 *  - Data: a synthetic HEP-like matrix, generated deterministically (bench/data.ts's generator):
 *    800,000 training rows and 200,000 held-out rows × 28 features (21 "low-level" — log-normal
 *    momenta, gaussian η, uniform φ, a discrete b-tag — of which the fourth jet's are missing in
 *    30% of events, and 7 "high-level" invariant-mass-like combinations), balanced signal and
 *    background, positive weights (XGBoost refuses negative ones). Written once, column-major
 *    float32, to bench/results/gbdt-data-{rows}/, where both read the same bytes.
 *  - Task: 200 trees of depth 6, learning rate 0.1, λ = 1, min_child_weight 1, 255 bins, 2 threads.
 *  - hepc runs in a child process (node dist/bench/gbdt.js --child): time of `trainGbdt` (binning
 *    included; wall and CPU time of all threads), AUC on the held-out rows, and peak memory: the peak resident size during training
 *    (Linux VmHWM, reset just before) minus the resident size before it, over the matrix's float32
 *    bytes (target ≤ 2).
 *  - XGBoost (bench/gbdt_xgboost.py, with /usr/bin/python3 or $HEPC_BENCH_PYTHON when
 *    `import xgboost` works there): time of DMatrix construction + `xgb.train(tree_method=hist,
 *    nthread=2)`; its held-out predictions come back as a file and the AUC of both is computed by
 *    the same function here.
 *  - Target: hepc ≤ 0.8 × XGBoost's time at an AUC within 0.002 of it.
 *
 * Run: `npm run build && node dist/bench/gbdt.js [--rows N] [--trees N] [--threads N] [--repeat N]`.
 * Writes bench/results/gbdt.json.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { trainGbdt } from "../runtime/models/gbdt/index.js";
import type { FoldData } from "../runtime/train/types.js";
import { gauss, rng } from "./data.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const F = 28;
const GENERATOR = 1;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const nTrain = arg("rows", 800_000);
const nTest = Math.round(nTrain / 4);
const trees = arg("trees", 200);
const threads = arg("threads", 2);
const depth = arg("depth", 6);
const dir = path.join(repo, `bench/results/gbdt-data-${nTrain}`);

// ---- data ----------------------------------------------------------------------------------------

/** One event: 4 jets (pt, η, φ, b-tag), a lepton (pt, η, φ), missing ET (magnitude, φ), and 7 masses. */
function generate(n: number): { x: Float32Array; y: Int32Array; w: Float32Array } {
  const r = rng(2026);
  const x = new Float32Array(n * F);
  const y = new Int32Array(n);
  const w = new Float32Array(n);
  const row = new Float64Array(F);
  for (let i = 0; i < n; i++) {
    const s = r() < 0.5 ? 1 : 0;
    y[i] = s;
    w[i] = 0.5 + r();
    const pts: number[] = [];
    for (let j = 0; j < 4; j++) {
      const pt = Math.exp(3.5 + (s ? 0.25 : 0) - 0.3 * j + 0.6 * gauss(r));
      const eta = gauss(r) * (s ? 1.1 : 1.5);
      const phi = (r() * 2 - 1) * Math.PI;
      const btag = r() < (s ? 0.25 + 0.1 * (j < 2 ? 1 : 0) : 0.12) ? 2 : r() < 0.3 ? 1 : 0;
      row[4 * j] = pt;
      row[4 * j + 1] = eta;
      row[4 * j + 2] = phi;
      row[4 * j + 3] = btag;
      pts.push(pt);
    }
    const lpt = Math.exp(3.2 + 0.5 * gauss(r));
    row[16] = lpt;
    row[17] = gauss(r) * 1.2;
    row[18] = (r() * 2 - 1) * Math.PI;
    const met = Math.exp(3 + (s ? 0.15 : 0) + 0.7 * gauss(r));
    row[19] = met;
    row[20] = (r() * 2 - 1) * Math.PI;
    const pair = (a: number, b: number): number => Math.sqrt(2 * pts[a] * pts[b] * (Math.cosh(row[4 * a + 1] - row[4 * b + 1]) - Math.cos(row[4 * a + 2] - row[4 * b + 2])));
    const mjj = pair(0, 1);
    row[21] = s ? 0.6 * mjj + 0.4 * (125 + 15 * gauss(r)) : mjj;
    row[22] = pair(0, 2);
    row[23] = pair(1, 2);
    row[24] = pair(2, 3);
    row[25] = Math.sqrt(2 * lpt * met * (1 - Math.cos(row[18] - row[20])));
    row[26] = pts[0] + pts[1] + pts[2] + pts[3] + lpt;
    row[27] = s ? 172 + 25 * gauss(r) + 0.2 * row[22] : 120 + 80 * Math.abs(gauss(r)) + 0.1 * row[22];
    const noFourthJet = r() < 0.3;
    for (let f = 0; f < F; f++) x[f * n + i] = noFourthJet && ((f >= 12 && f < 16) || f === 24) ? NaN : row[f];
  }
  return { x, y, w };
}

function ensureData(): void {
  const metaPath = path.join(dir, "meta.json");
  const meta = { generator: GENERATOR, n_train: nTrain, n_test: nTest, features: F };
  if (existsSync(metaPath) && readFileSync(metaPath, "utf8") === JSON.stringify(meta)) return;
  mkdirSync(dir, { recursive: true });
  const { x, y, w } = generate(nTrain + nTest);
  writeFileSync(path.join(dir, "x.f32"), x);
  writeFileSync(path.join(dir, "y.i32"), y);
  writeFileSync(path.join(dir, "w.f32"), w);
  writeFileSync(metaPath, JSON.stringify(meta));
}

function load(): { x: Float32Array; y: Int32Array; w: Float32Array; n: number } {
  const bytes = (f: string): ArrayBuffer => {
    const b = readFileSync(path.join(dir, f));
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  };
  return { x: new Float32Array(bytes("x.f32")), y: new Int32Array(bytes("y.i32")), w: new Float32Array(bytes("w.f32")), n: nTrain + nTest };
}

/** ROC AUC (unweighted, ties share their rank): the same function scores both boosters. */
export function auc(score: ArrayLike<number>, label: ArrayLike<number>): number {
  const n = score.length;
  const idx = new Int32Array(n).map((_, i) => i);
  const keys = Float64Array.from(score);
  idx.sort((a, b) => keys[a] - keys[b]);
  let negBelow = 0;
  let area = 0;
  let P = 0;
  let N = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    let p = 0;
    let q = 0;
    while (j < n && keys[idx[j]] === keys[idx[i]]) {
      if (label[idx[j]] === 1) p++;
      else q++;
      j++;
    }
    area += p * (negBelow + q / 2);
    negBelow += q;
    P += p;
    N += q;
    i = j;
  }
  return area / (P * N);
}

// ---- hepc, in a child process --------------------------------------------------------------------

function status(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function child(): Promise<void> {
  const { x, y, w, n } = load();
  const columns = Array.from({ length: F }, (_, f) => x.subarray(f * n, f * n + nTrain));
  const test = Array.from({ length: F }, (_, f) => x.subarray(f * n + nTrain, (f + 1) * n));
  const data: FoldData = {
    fold: -1,
    columns,
    label: y.subarray(0, nTrain),
    weight: w.subarray(0, nTrain),
    n: nTrain,
    valid: { columns: columns.map((c) => c.subarray(0, 0)), label: new Int32Array(0), weight: new Float32Array(0), n: 0 },
    scalers: [],
  };
  const before = status("VmRSS");
  try {
    writeFileSync("/proc/self/clear_refs", "5");
  } catch {
    // Not Linux, or not allowed: the peak then includes loading.
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const model = await trainGbdt(data, { trees, depth, learningRate: 0.1, lambda: 1, minChildWeight: 1, bins: 255 }, { threads });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const peak = status("VmHWM") - before;
  const p = model.predict(test, nTest);
  process.stdout.write(JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, auc: auc(p, y.subarray(nTrain)), peakBytes: peak, matrixBytes: nTrain * F * 4, trainLoss: model.curves.train.at(-1) }) + "\n");
}

// ---- XGBoost ---------------------------------------------------------------------------------------

function xgboost(): { seconds: number; cpuSeconds: number; auc: number; sklearnAuc: number; peakBytes: number } | { skipped: string } {
  const python = process.env.HEPC_BENCH_PYTHON ?? "/usr/bin/python3";
  const probe = spawnSync(python, ["-c", "import xgboost"], { encoding: "utf8" });
  if (probe.status !== 0) return { skipped: `${python} cannot import xgboost (apt-get install python3-xgboost)` };
  const out = path.join(dir, "xgboost-pred.f32");
  const res = spawnSync(python, [path.join(repo, "bench/gbdt_xgboost.py"), dir, String(threads), String(trees), String(depth), out], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (res.status !== 0) return { skipped: `XGBoost failed: ${res.stderr.slice(-500)}` };
  const r = JSON.parse(res.stdout.trim().split("\n").at(-1)!) as { seconds: number; cpu_seconds: number; auc: number; peak_bytes: number };
  const b = readFileSync(out);
  const pred = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  const { y } = load();
  return { seconds: r.seconds, cpuSeconds: r.cpu_seconds, auc: auc(pred, y.subarray(nTrain)), sklearnAuc: r.auc, peakBytes: r.peak_bytes };
}

async function main(): Promise<void> {
  if (process.argv.includes("--child")) return child();
  ensureData();
  const repeat = arg("repeat", 1);
  const runs: { hepc: ReturnType<typeof JSON.parse>; xgboost: ReturnType<typeof xgboost> }[] = [];
  for (let k = 0; k < repeat; k++) {
    const h = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", ...process.argv.slice(2)], { encoding: "utf8", maxBuffer: 1 << 24 });
    if (h.status !== 0) throw new Error(`hepc child failed: ${h.stderr}`);
    const hepc = JSON.parse(h.stdout.trim().split("\n").at(-1)!);
    runs.push({ hepc, xgboost: xgboost() });
  }
  const best = <T>(xs: T[], f: (x: T) => number): number => Math.min(...xs.map(f));
  const hepcS = best(runs, (r) => r.hepc.seconds);
  const xg = runs.map((r) => r.xgboost).filter((r): r is Exclude<typeof r, { skipped: string }> => !("skipped" in r));
  const summary = {
    task: { train: nTrain, test: nTest, features: F, trees, depth, learningRate: 0.1, threads },
    machine: { cpus: cpus().length, loadavg: loadavg() },
    hepc: { seconds: hepcS, cpuSeconds: best(runs, (r) => r.hepc.cpuSeconds), auc: runs[0].hepc.auc, peakOverMatrix: best(runs, (r) => r.hepc.peakBytes) / runs[0].hepc.matrixBytes },
    xgboost: xg.length ? { seconds: best(xg, (r) => r.seconds), cpuSeconds: best(xg, (r) => r.cpuSeconds), auc: xg[0].auc, sklearnAuc: xg[0].sklearnAuc, peakOverMatrix: best(xg, (r) => r.peakBytes) / runs[0].hepc.matrixBytes } : runs[0].xgboost,
    runs,
  };
  console.log(`gbdt: ${nTrain} × ${F} training rows, ${nTest} held out, ${trees} trees of depth ${depth}, ${threads} threads (${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)})`);
  console.log(`  hepc     ${hepcS.toFixed(2)} s (CPU ${summary.hepc.cpuSeconds.toFixed(2)} s)   AUC ${summary.hepc.auc.toFixed(5)}   peak memory ${summary.hepc.peakOverMatrix.toFixed(2)} × the float32 matrix (target ≤ 2)`);
  if (xg.length) {
    const x = summary.xgboost as { seconds: number; cpuSeconds: number; auc: number; peakOverMatrix: number };
    console.log(`  XGBoost  ${x.seconds.toFixed(2)} s (CPU ${x.cpuSeconds.toFixed(2)} s)   AUC ${x.auc.toFixed(5)}   peak memory ${x.peakOverMatrix.toFixed(2)} × (hist, same data)`);
    console.log(`  ratio    hepc / XGBoost time ${(hepcS / x.seconds).toFixed(2)} (target ≤ 0.8; CPU time ${(summary.hepc.cpuSeconds / x.cpuSeconds).toFixed(2)}), AUC difference ${(summary.hepc.auc - x.auc).toFixed(5)} (target |·| ≤ 0.002)`);
  } else console.log(`  XGBoost  skipped: ${(runs[0].xgboost as { skipped: string }).skipped}`);
  mkdirSync(path.join(repo, "bench/results"), { recursive: true });
  writeFileSync(path.join(repo, "bench/results/gbdt.json"), JSON.stringify(summary, null, 2) + "\n");
}

await main();
