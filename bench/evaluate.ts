/**
 * Evaluation speed: ROC, AUC and per-bin efficiencies of 10,000,000 scored events (one thread),
 * against reading those events, measured in the same run.
 *
 *   npm run build && node dist/bench/evaluate.js
 *   HEPC_BENCH_EVAL_EVENTS=10000000 HEPC_BENCH_EVAL_RUNS=3 ...
 *
 * Events: a binary classifier's output: 40% signal, scores as float32 values (what a model
 * writes) held in float64, weights in [0.5, 1.5) with 5% negative, a pT-like variable; all
 * deterministic. Timed: the ranking (radix sort of indices), the cumulative curve, ROC arrays and
 * AUC, a working point (ε_s = 0.7) and the signal and background efficiencies at it in 20 pT bins
 * with Clopper–Pearson intervals. Also the ranking alone on scores with all 52 mantissa bits used
 * (the radix sort's worst case: no digit pass can be skipped).
 *
 * References in the same run:
 *  - reading: the same four columns (score, weight, label, pt; float32/int32 branches, ZLIB
 *    level 1, the writer's default) written once to a ROOT file in the OS temporary directory
 *    (not timed) and read back into typed arrays with readChain (timed, best of the runs): what a
 *    run must do at least to evaluate events it has not in memory;
 *  - sorting: Float64Array.prototype.sort of the scores alone (V8's native typed-array sort, no
 *    indices carried), and Array.prototype.sort of an index array with a comparator closure, the
 *    approach the ranking avoids (at 1,000,000 events, with the ranking at that size beside it).
 *
 * Also the same figures with the curve from runtime/evaluate/sorted-curve.ts (an alternative
 * design, measured slower and not used by evaluateModel), checked to agree exactly.
 *
 * Best and median of HEPC_BENCH_EVAL_RUNS (default 3) after one warm-up. Writes
 * bench/results/evaluate.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { createRootFile, readChain } from "../runtime/io/index.js";
import { auc, binaryCurve, classEfficienciesInBins, rankDescending, roc, thresholdFor, assignBins } from "../runtime/evaluate/index.js";
import { sortedCurve } from "../runtime/evaluate/sorted-curve.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const N = Number(process.env.HEPC_BENCH_EVAL_EVENTS ?? 10_000_000);
const RUNS = Number(process.env.HEPC_BENCH_EVAL_RUNS ?? 3);
const SMALL = Math.min(N, 1_000_000);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
}

function makeEvents(n: number) {
  const r = rng(7);
  const label = new Int32Array(n), score = new Float64Array(n), weight = new Float64Array(n), pt = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const sig = r() < 0.4;
    label[i] = sig ? 0 : 1;
    const x = (sig ? 0.8 : -0.8) + 1.2 * (r() + r() + r() - 1.5);
    score[i] = Math.fround(1 / (1 + Math.exp(-x)));
    weight[i] = Math.fround((r() < 0.05 ? -1 : 1) * (0.5 + r()));
    pt[i] = Math.fround(20 - 30 * Math.log(1 - r()));
  }
  return { label, score, weight, pt };
}

const PT_EDGES = [20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100, 120, 140, 160, 200, 250, 300, 400, 600, 1000];

function evaluate(ev: ReturnType<typeof makeEvents>) {
  const t0 = performance.now();
  const order = rankDescending(ev.score);
  const t1 = performance.now();
  const isS = (i: number) => ev.label[i] === 0;
  const c = binaryCurve(ev.score, ev.weight, order, isS);
  const r = roc(c);
  const area = auc(c) as number;
  const t2 = performance.now();
  const wp = thresholdFor(c, 0.7) as { threshold: number };
  const bins = assignBins([{ variable: "pt", edges: PT_EDGES }], [ev.pt]);
  const nb = PT_EDGES.length - 1;
  const eff = classEfficienciesInBins(ev.score, ev.weight, bins, nb, wp.threshold, isS, null, 0.95);
  const t3 = performance.now();
  if ("reason" in r) throw new Error(r.reason);
  return { rank: (t1 - t0) / 1000, curveAuc: (t2 - t1) / 1000, binned: (t3 - t2) / 1000, total: (t3 - t0) / 1000, auc: area, points: c.thresholds.length, threshold: wp.threshold, effS: eff.signal.bins, effB: eff.background.bins };
}

/**
 * The same figures with the curve from sortedCurve: one radix sort carrying each event's weight
 * and class (no index ranking, no gathers), then the same ROC, AUC, working point and bins.
 */
function evaluateSorted(ev: ReturnType<typeof makeEvents>) {
  const t0 = performance.now();
  const signal = Uint8Array.from(ev.label, (l) => (l === 0 ? 1 : 0));
  const c = sortedCurve(ev.score, ev.weight, signal);
  const t1 = performance.now();
  const r = roc(c);
  const area = auc(c) as number;
  const t2 = performance.now();
  const wp = thresholdFor(c, 0.7) as { threshold: number };
  const bins = assignBins([{ variable: "pt", edges: PT_EDGES }], [ev.pt]);
  const nb = PT_EDGES.length - 1;
  const eff = classEfficienciesInBins(ev.score, ev.weight, bins, nb, wp.threshold, (i) => signal[i] === 1, null, 0.95);
  const t3 = performance.now();
  if ("reason" in r) throw new Error(r.reason);
  return { rank: (t1 - t0) / 1000, curveAuc: (t2 - t1) / 1000, binned: (t3 - t2) / 1000, total: (t3 - t0) / 1000, auc: area, points: c.thresholds.length, threshold: wp.threshold, effS: eff.signal.bins, effB: eff.background.bins };
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return { best: s[0], median: s[Math.floor(s.length / 2)] };
}

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

async function main() {
  console.log(`bench/evaluate: ${N.toLocaleString("en")} events, ${RUNS} runs after a warm-up (${cpus()[0]?.model ?? "cpu"}, load ${loadavg()[0].toFixed(2)})`);
  const ev = makeEvents(N);

  // evaluation
  evaluate(ev);
  const runs = Array.from({ length: RUNS }, () => evaluate(ev));
  const last = runs[runs.length - 1];
  evaluateSorted(ev);
  const sortedRuns = Array.from({ length: RUNS }, () => evaluateSorted(ev));
  const lastSorted = sortedRuns[sortedRuns.length - 1];
  // the two designs must agree exactly: same AUC, working point and efficiencies
  if (lastSorted.auc !== last.auc || lastSorted.points !== last.points || lastSorted.threshold !== last.threshold || JSON.stringify([lastSorted.effS, lastSorted.effB]) !== JSON.stringify([last.effS, last.effB])) {
    throw new Error(`sortedCurve disagrees with the ranking: AUC ${lastSorted.auc} vs ${last.auc}, ${lastSorted.points} vs ${last.points} points`);
  }

  // worst case for the radix sort: full-precision scores
  const full = Float64Array.from(ev.score, (x, i) => x + ((i * 2654435761) % 1000003) * 1e-15);
  rankDescending(full);
  const fullRank = stats(Array.from({ length: RUNS }, () => time(() => rankDescending(full))));

  // references: native typed-array sort of the keys; comparator sort of indices (at SMALL)
  const nativeSort = stats(Array.from({ length: RUNS }, () => { const c = Float64Array.from(ev.score); return time(() => c.sort()); }));
  const small = ev.score.subarray(0, SMALL);
  const closureSort = stats(Array.from({ length: RUNS }, () => {
    const idx = Array.from({ length: SMALL }, (_, i) => i);
    return time(() => idx.sort((a, b) => small[b] - small[a] || a - b));
  }));
  const smallRank = stats(Array.from({ length: RUNS }, () => time(() => rankDescending(small))));

  // reading the same events from a ROOT file
  const dir = await mkdtemp(join(tmpdir(), "hepc-bench-eval-"));
  const file = join(dir, "scored.root");
  let read: { best: number; median: number };
  let bytes = 0;
  try {
    const w = await createRootFile(file);
    const t = w.tree("scored", "scored events", [
      { name: "score", dtype: "f4" }, { name: "weight", dtype: "f4" }, { name: "label", dtype: "i4" }, { name: "pt", dtype: "f4" },
    ]);
    const CH = 500_000;
    for (let a = 0; a < N; a += CH) {
      const b = Math.min(N, a + CH);
      await t.append({
        score: Float32Array.from(ev.score.subarray(a, b)), weight: Float32Array.from(ev.weight.subarray(a, b)),
        label: Int32Array.from(ev.label.subarray(a, b)), pt: Float32Array.from(ev.pt.subarray(a, b)),
      });
    }
    await w.close();
    bytes = (await stat(file)).size;
    const readOnce = async () => {
      const t0 = performance.now();
      const cols = await readChain([file], "scored", ["score", "weight", "label", "pt"]);
      const dt = (performance.now() - t0) / 1000;
      const s = cols.get("score")!;
      if (s.values.length !== N) throw new Error(`read ${s.values.length} scores, expected ${N}`);
      return dt;
    };
    await readOnce();
    const times: number[] = [];
    for (let k = 0; k < RUNS; k++) times.push(await readOnce());
    read = stats(times);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const ev3 = stats(runs.map((r) => r.total));
  const evS = stats(sortedRuns.map((r) => r.total));
  const row = (name: string, s: { best: number; median: number }, note = "") => console.log(`  ${name.padEnd(48)} ${s.best.toFixed(3).padStart(7)} s  (median ${s.median.toFixed(3)})  ${note}`);
  console.log(`AUC ${last.auc.toFixed(6)} over ${last.points.toLocaleString("en")} distinct scores; ε_s = 0.7 at score ≥ ${last.threshold}`);
  row("evaluation: ranking + ROC/AUC + 20-bin efficiencies", ev3, `${(N / ev3.best / 1e6).toFixed(1)} M events/s`);
  row("  ranking (radix sort, float32-valued scores)", stats(runs.map((r) => r.rank)));
  row("  cumulative curve, ROC, AUC", stats(runs.map((r) => r.curveAuc)));
  row("  working point, efficiencies in bins (S and B)", stats(runs.map((r) => r.binned)));
  row("alternative (not used): sorted curve, radix sort carrying weights", evS, `${(N / evS.best / 1e6).toFixed(1)} M events/s`);
  row("  sort + cumulative curve", stats(sortedRuns.map((r) => r.rank)));
  row("  ROC, AUC", stats(sortedRuns.map((r) => r.curveAuc)));
  row("  working point, efficiencies in bins (S and B)", stats(sortedRuns.map((r) => r.binned)));
  row("ranking, full-precision float64 scores", fullRank);
  row("reference: reading the 4 columns from ROOT", read, `${(bytes / 1e6).toFixed(0)} MB file; evaluation/read = ${(ev3.best / read.best).toFixed(2)} (sorted curve: ${(evS.best / read.best).toFixed(2)})`);
  row("reference: Float64Array.prototype.sort (keys only)", nativeSort, `ranking/native = ${(stats(runs.map((r) => r.rank)).best / nativeSort.best).toFixed(2)}`);
  row(`reference: Array.sort with a closure, ${SMALL.toLocaleString("en")} indices`, closureSort, `ranking at that size ${smallRank.best.toFixed(3)} s: ${(closureSort.best / smallRank.best).toFixed(1)}× faster`);

  const result = {
    events: N, runs: RUNS, load: loadavg()[0], auc: last.auc, distinctScores: last.points,
    evaluation: ev3, ranking: stats(runs.map((r) => r.rank)), curveAuc: stats(runs.map((r) => r.curveAuc)), binned: stats(runs.map((r) => r.binned)),
    rankingFullPrecision: fullRank, read: { ...read, fileBytes: bytes }, nativeSort, closureSort: { events: SMALL, ...closureSort }, rankingSmall: { events: SMALL, ...smallRank },
    evaluationOverRead: ev3.best / read.best,
    sortedCurve: { evaluation: evS, sortAndCurve: stats(sortedRuns.map((r) => r.rank)), rocAuc: stats(sortedRuns.map((r) => r.curveAuc)), binned: stats(sortedRuns.map((r) => r.binned)) },
    sortedCurveOverRead: evS.best / read.best,
  };
  mkdirSync(join(REPO, "bench", "results"), { recursive: true });
  writeFileSync(join(REPO, "bench", "results", "evaluate.json"), JSON.stringify(result, null, 2) + "\n");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
