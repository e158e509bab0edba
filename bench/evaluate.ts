/**
 * Evaluation speed: ROC, AUC and per-bin efficiencies of 10,000,000 scored events (one thread),
 * against reading those events, measured in the same run.
 *
 *   npm run build && node dist/bench/evaluate.js
 *   HEPC_BENCH_EVAL_EVENTS=10000000 HEPC_BENCH_EVAL_RUNS=3 ...
 *
 * Events: a binary classifier's output: 40% signal, scores as float32 values (what a model
 * writes) held in float64, weights in [0.5, 1.5) with 5% negative, a pT-like variable; all
 * deterministic. Timed, as evaluateModel does it for a binary model: the ranking and the
 * cumulative curve from one sort (rankedCurve: wasm/rank.c in WebAssembly), the ROC (its arrays are made only when read:
 * nothing here reads them) and AUC, a working point (ε_s = 0.7) and the signal and background
 * efficiencies at it in 20 pT bins with Clopper–Pearson intervals. As in evaluateModel, the
 * ranking and the bins are written into memory kept between evaluations (scratch.ts), as are the
 * sort's records; the first evaluation of the process (fresh memory) is reported on its own.
 *
 * Also, on the same events, the same sort in TypeScript (ranked-curve.ts: where the WebAssembly
 * declines) and the general path (the LSD ranking of the float64 bits, then the curve from reads
 * in ranked order: what 2^30 events or more take, and the design before ranked-curve.ts), both
 * checked to agree exactly; and rankedCurve on scores with all 52 mantissa bits used (wide keys).
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
 * Also the whole evaluateModel call on the same events (every figure of the overall section and
 * of each of the 20 bins' sections, a working point overall and flat in the bins, no bootstrap):
 * what a run's `evaluate` block costs, of which the figures above are a part. And the bootstrap
 * interval of the AUC a run adds to it (200 replicates, the default) on the first 1M events, in
 * WebAssembly (wasm/bootstrap.c) and through its TypeScript twin, checked to agree.
 *
 * Best and median of HEPC_BENCH_EVAL_RUNS (default 3) after one warm-up (the whole call: of 2). Writes
 * bench/results/evaluate.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { createRootFile, readChain } from "../runtime/io/index.js";
import { evaluateModel, type EvaluateSpec } from "../runtime/evaluate/index.js";
import { bootstrapAuc } from "../runtime/evaluate/bootstrap.js";
import { auc, binaryCurve, classEfficienciesInBins, rankDescending, rankedCurve, roc, thresholdFor, assignBins, type BinaryCurve } from "../runtime/evaluate/index.js";
import { rankDescendingLsd } from "../runtime/evaluate/order.js";
import { giveBack, lend, releaseScratch } from "../runtime/evaluate/scratch.js";
import { useWasmEvaluation } from "../runtime/evaluate/wasm/arena.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const N = Number(process.env.HEPC_BENCH_EVAL_EVENTS ?? 10_000_000);
const RUNS = Number(process.env.HEPC_BENCH_EVAL_RUNS ?? 3);
const SMALL = Math.min(N, 1_000_000);

/** CPU seconds of the process so far, every thread (the reader's workers too), user and system. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

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

/**
 * @param general false: evaluateModel's path (ranking and curve from one sort); true: the
 *   general path (LSD ranking of the float64 bits, then the curve read in ranked order)
 */
function evaluate(ev: ReturnType<typeof makeEvents>, general = false) {
  // the signal as evaluateModel gives it: the labels and the signal's class (select.ts); the
  // general path, the earlier design, takes a closure as it did
  const isS = general ? (i: number) => ev.label[i] === 0 : { values: ev.label, is: 0 };
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  const n = ev.score.length;
  // evaluateModel's memory for the ranking and the bins: lent, handed back at the end (the
  // general path, the earlier design, takes fresh memory as it did)
  const lent = general ? [] : [lend(4 * n), lend(4 * n)];
  let c: BinaryCurve;
  if (general) c = binaryCurve(ev.score, ev.weight, rankDescendingLsd(ev.score), isS as (i: number) => boolean);
  else c = rankedCurve(ev.score, ev.weight, isS, undefined, new Uint32Array(lent[0], 0, n)).curve;
  const t1 = performance.now();
  const r = roc(c);
  const area = auc(c) as number;
  const t2 = performance.now();
  const wp = thresholdFor(c, 0.7) as { threshold: number };
  const bins = assignBins([{ variable: "pt", edges: PT_EDGES }], [ev.pt], general ? undefined : new Int32Array(lent[1], 0, n));
  const nb = PT_EDGES.length - 1;
  const eff = classEfficienciesInBins(ev.score, ev.weight, bins, nb, wp.threshold, isS, null, 0.95);
  for (const b of lent) giveBack(b);
  const t3 = performance.now();
  const cpu = cpuSeconds() - cpu0;
  if ("reason" in r) throw new Error(r.reason);
  return { cpu, rank: (t1 - t0) / 1000, curveAuc: (t2 - t1) / 1000, binned: (t3 - t2) / 1000, total: (t3 - t0) / 1000, auc: area, points: c.thresholds.length, threshold: wp.threshold, effS: eff.signal.bins, effB: eff.background.bins };
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

  // evaluation: the first in the process (fresh memory), then warm
  releaseScratch();
  const first = evaluate(ev);
  const runs = Array.from({ length: RUNS }, () => evaluate(ev));
  const last = runs[runs.length - 1];
  evaluate(ev, true);
  const generalRuns = Array.from({ length: RUNS }, () => evaluate(ev, true));
  const lastGeneral = generalRuns[generalRuns.length - 1];
  // the two paths must agree exactly: same AUC, working point and efficiencies
  if (lastGeneral.auc !== last.auc || lastGeneral.points !== last.points || lastGeneral.threshold !== last.threshold || JSON.stringify([lastGeneral.effS, lastGeneral.effB]) !== JSON.stringify([last.effS, last.effB])) {
    throw new Error(`the general path disagrees: AUC ${lastGeneral.auc} vs ${last.auc}, ${lastGeneral.points} vs ${last.points} points`);
  }

  // the same sort in TypeScript (the WebAssembly's twin), checked to give the same figures
  useWasmEvaluation(false);
  evaluate(ev);
  const twinRuns = Array.from({ length: RUNS }, () => evaluate(ev));
  useWasmEvaluation(true);
  const lastTwin = twinRuns[twinRuns.length - 1];
  if (lastTwin.auc !== last.auc || lastTwin.points !== last.points || lastTwin.threshold !== last.threshold) throw new Error(`the TypeScript sort disagrees: AUC ${lastTwin.auc} vs ${last.auc}`);

  // full-precision scores: keys of two words
  const full = Float64Array.from(ev.score, (x, i) => x + ((i * 2654435761) % 1000003) * 1e-15);
  const fullIsS = { values: ev.label, is: 0 };
  rankedCurve(full, ev.weight, fullIsS);
  const fullRank = stats(Array.from({ length: RUNS }, () => time(() => rankedCurve(full, ev.weight, fullIsS))));

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
  let readCpu: { best: number; median: number };
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
    const cpuTimes: number[] = [];
    const readOnce = async () => {
      const cpu0 = cpuSeconds();
      const t0 = performance.now();
      const cols = await readChain([file], "scored", ["score", "weight", "label", "pt"]);
      const dt = (performance.now() - t0) / 1000;
      cpuTimes.push(cpuSeconds() - cpu0);
      const s = cols.get("score")!;
      if (s.values.length !== N) throw new Error(`read ${s.values.length} scores, expected ${N}`);
      return dt;
    };
    await readOnce();
    const times: number[] = [];
    for (let k = 0; k < RUNS; k++) times.push(await readOnce());
    read = stats(times);
    readCpu = stats(cpuTimes.slice(1));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  // the whole evaluateModel call (what a run's `evaluate` block does): every section in 20 bins,
  // a working point overall and flat in the bins, no bootstrap; a warm-up, then two
  const wholeSpec: EvaluateSpec = {
    model: "bench", region: "bench", classes: ["signal", "background"], signal: 0, kind: "binary",
    bins: [{ variable: "pt", edges: PT_EDGES }], bootstrap: false, workingPoints: [{ name: "Medium", target: 0.7 }], flatWorkingPoints: true,
  };
  const wholeOnce = () => {
    const t0 = performance.now();
    const r = evaluateModel({ scores: [ev.score], label: ev.label, weight: ev.weight, vars: [ev.pt] }, wholeSpec);
    if ("error" in r) throw new Error(r.error.message);
    return (performance.now() - t0) / 1000;
  };
  wholeOnce();
  const whole = stats([wholeOnce(), wholeOnce()]);

  // the bootstrap a run adds (200 replicates, evaluateModel's default), at 1M events: both paths once
  const bootN = Math.min(N, 1_000_000);
  const bootOrder = rankDescending(ev.score.subarray(0, bootN));
  const bootOnce = () => {
    const t0 = performance.now();
    const r = bootstrapAuc(ev.score.subarray(0, bootN), ev.weight.subarray(0, bootN), bootOrder, (i) => ev.label[i] === 0, { replicates: 200 });
    return { seconds: (performance.now() - t0) / 1000, r };
  };
  const bootWasm = bootOnce();
  useWasmEvaluation(false);
  const bootTs = bootOnce();
  useWasmEvaluation(true);
  if (JSON.stringify(bootWasm.r) !== JSON.stringify(bootTs.r)) throw new Error("the bootstrap's two paths disagree");

  const ev3 = stats(runs.map((r) => r.total));
  const evG = stats(generalRuns.map((r) => r.total));
  const row = (name: string, s: { best: number; median: number }, note = "") => console.log(`  ${name.padEnd(48)} ${s.best.toFixed(3).padStart(7)} s  (median ${s.median.toFixed(3)})  ${note}`);
  console.log(`AUC ${last.auc.toFixed(6)} over ${last.points.toLocaleString("en")} distinct scores; ε_s = 0.7 at score ≥ ${last.threshold}`);
  row("evaluation: ranking + ROC/AUC + 20-bin efficiencies", ev3, `${(N / ev3.best / 1e6).toFixed(1)} M events/s`);
  console.log(`  ${"  the first in the process (fresh memory)".padEnd(48)} ${first.total.toFixed(3).padStart(7)} s  (CPU ${first.cpu.toFixed(3)} s)`);
  row("  ranking and cumulative curve (one sort)", stats(runs.map((r) => r.rank)));
  row("  ROC, AUC", stats(runs.map((r) => r.curveAuc)));
  row("  working point, efficiencies in bins (S and B)", stats(runs.map((r) => r.binned)));
  row("  the same sort in TypeScript (ranked-curve.ts)", stats(twinRuns.map((r) => r.rank)), `WebAssembly/TypeScript = ${(stats(runs.map((r) => r.rank)).best / stats(twinRuns.map((r) => r.rank)).best).toFixed(2)}`);
  row("general path (LSD ranking, ranked reads)", evG, `${(N / evG.best / 1e6).toFixed(1)} M events/s; same figures`);
  row("  ranking, then cumulative curve", stats(generalRuns.map((r) => r.rank)));
  row("ranking and curve, full-precision float64 scores", fullRank);
  row("reference: reading the 4 columns from ROOT", read, `${(bytes / 1e6).toFixed(0)} MB file; evaluation/read = ${(ev3.best / read.best).toFixed(2)} (median ${(ev3.median / read.median).toFixed(2)}; general path ${(evG.best / read.best).toFixed(2)})`);
  // CPU seconds: what each costs the machine, less sensitive than wall time to other jobs' load
  const evCpu = stats(runs.map((r) => r.cpu)), evGCpu = stats(generalRuns.map((r) => r.cpu));
  row("CPU time: evaluation (one thread)", evCpu, `general path ${evGCpu.median.toFixed(3)} s (median)`);
  row("CPU time: reading, all threads", readCpu, `evaluation/read = ${(evCpu.median / readCpu.median).toFixed(2)} (medians)`);
  row("the whole evaluateModel (21 sections, working point)", whole, `${(whole.best / read.best).toFixed(1)}× the read`);
  console.log(`  ${`bootstrap interval, 200 replicates of ${bootN.toLocaleString("en")} events`.padEnd(48)} ${bootWasm.seconds.toFixed(3).padStart(7)} s  TypeScript ${bootTs.seconds.toFixed(3)} s; ${((bootWasm.seconds / bootN / 200) * 1e9).toFixed(1)} ns a draw`);
  row("reference: Float64Array.prototype.sort (keys only)", nativeSort, `ranking/native = ${(stats(runs.map((r) => r.rank)).best / nativeSort.best).toFixed(2)}`);
  row(`reference: Array.sort with a closure, ${SMALL.toLocaleString("en")} indices`, closureSort, `ranking at that size ${smallRank.best.toFixed(3)} s: ${(closureSort.best / smallRank.best).toFixed(1)}× faster`);

  const result = {
    events: N, runs: RUNS, load: loadavg()[0], auc: last.auc, distinctScores: last.points,
    evaluation: ev3, firstEvaluation: { wall: first.total, cpu: first.cpu }, rankingAndCurve: stats(runs.map((r) => r.rank)), rocAuc: stats(runs.map((r) => r.curveAuc)), binned: stats(runs.map((r) => r.binned)),
    rankingAndCurveFullPrecision: fullRank, rankingAndCurveTypeScript: stats(twinRuns.map((r) => r.rank)), read: { ...read, fileBytes: bytes }, nativeSort, closureSort: { events: SMALL, ...closureSort }, rankingSmall: { events: SMALL, ...smallRank },
    wholeEvaluateModel: { ...whole, overRead: whole.best / read.best },
    bootstrap: { events: bootN, replicates: 200, wasm: bootWasm.seconds, typescript: bootTs.seconds },
    evaluationOverRead: ev3.best / read.best, evaluationOverReadMedian: ev3.median / read.median,
    cpu: { evaluation: evCpu, generalPath: evGCpu, read: readCpu, evaluationOverReadMedian: evCpu.median / readCpu.median },
    generalPath: { evaluation: evG, rankingThenCurve: stats(generalRuns.map((r) => r.rank)), rocAuc: stats(generalRuns.map((r) => r.curveAuc)), binned: stats(generalRuns.map((r) => r.binned)) },
  };
  mkdirSync(join(REPO, "bench", "results"), { recursive: true });
  writeFileSync(join(REPO, "bench", "results", "evaluate.json"), JSON.stringify(result, null, 2) + "\n");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
