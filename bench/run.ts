/**
 * End-to-end runtime benchmarks: `hepc run`'s executor reading, computing, filling and writing,
 * on one thread and on all threads.
 *  - flat: ../shared/data/bench/hep-shaped-200k.root chained 5 times (1,000,000 events, both
 *    trees), three cuts, three defines and three weighted 100-bin histograms;
 *  - jagged: the CMS HEP tutorial samples of examples/single-top chained to over 1,000,000 events,
 *    with muon and jet collections, `where` filters with cross-cleaning, HT, the leading dijet
 *    mass and the minimum deltaR between the leading muon and the jets;
 *  - memory: the jagged analysis over 4 × 20 and 4 × 140 distinct files (copies): what a run keeps
 *    alive must not grow with the number of files (each is opened, streamed in chunks and closed
 *    in turn). Reported: the live heap of the calling thread (sampled after collections) and the
 *    peak resident size, which also counts the garbage V8 lets accumulate before collecting.
 *
 * Every measurement runs in a fresh child process (so the peak resident size, Linux's VmHWM, is
 * that run's own): one warm-up run, then the best of three. Reported: wall time, events per
 * second, and where the threads' time went (reading = reading and decompressing baskets;
 * computing = kernels; filling = histograms and cutflows, on the main thread). With several
 * threads, reading and computing are summed over the workers, so they can exceed the wall time.
 *
 * Run: `npm run build && node dist/bench/run.js` (HEPC_BENCH_IO_FILE overrides the flat input).
 * Writes bench/results/run.json.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { nodeHost } from "../host/index.js";
import { compilePlan } from "../compiler/compile.js";
import { execute } from "../runtime/exec/index.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const work = path.join(repo, "bench", "results", "run-work");

function flatAnalysis(copies: number): string {
  const files = Array.from({ length: copies }, () => '"data/hep-shaped-200k.root"').join(", ");
  return `analysis flat { seed 1 }
sample sig { files ${files} tree "TreeS" class signal weight weight }
sample bkg { files ${files} tree "TreeB" class background weight weight }
define r = sqrt(var0^2 + var1^2)
define e = var2 * cosh(var3)
define a = atan2(var4, var5)
region cuts = var6 > -1 and var7 < 2 and abs(var8) < 3
output {
  histogram r in cuts bins 100 0 .. 10 to "out/flat.root"
  histogram a in cuts bins 100 -3.2 .. 3.2 to "out/flat.root"
  histogram e bins 100 -20 .. 20 to "out/flat.root"
}
`;
}

function jaggedAnalysis(copies: number): string {
  const list = (s: string) => Array.from({ length: copies }, () => `"data/${s}.root"`).join(", ");
  return `analysis jagged { lumi 50 /pb seed 1 }
sample single_top { files ${list("single_top")} tree "events" class signal weight EventWeight }
sample ww { files ${list("ww")} tree "events" class background weight EventWeight }
sample wz { files ${list("wz")} tree "events" class background weight EventWeight }
sample zz { files ${list("zz")} tree "events" class background weight EventWeight }
object muons = Muon where pt > 10 and abs(eta) < 2.4
object jets = Jet where pt > 20 and abs(eta) < 2.4 and all(deltaR(this, muons) > 0.4)
define ht = ht(jets)
define mjj = mass(jets[0] + jets[1])
define drmin = min(deltaR(muons[0], jets))
region one_mu = count(muons) >= 1
output {
  histogram ht bins 50 0 .. 1000 to "out/jagged.root"
  histogram mjj in one_mu bins 50 0 .. 1000 to "out/jagged.root"
  histogram drmin in one_mu bins 50 0 .. 5 to "out/jagged.root"
  cutflow to "out/cutflow.json"
}
`;
}

interface Measured {
  events: number;
  wallMs: number;
  readMs: number;
  computeMs: number;
  fillMs: number;
  /** Peak resident size while running (compiling excluded where Linux lets the peak be reset). */
  peakRssMB: number | null;
  /** Peak resident size after compiling the analysis (which reads every file's metadata). */
  compilePeakRssMB?: number | null;
}

/** Resets Linux's peak resident size (VmHWM) to the current size, so a later peak is that of what follows. */
function resetPeak(): void {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
  } catch {
    // not Linux, or not allowed: the peak then includes compiling
  }
}

function peakRssMB(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Memory mode: one run, the live heap of this thread (after a collection every 50 chunks) at its
 * largest. With V8's heap free to grow, resident memory says little about what is kept alive.
 */
async function memoryChild(file: string, threads: number): Promise<void> {
  const c = await compilePlan(path.join(work, file), nodeHost(work));
  if (!c.plan) throw new Error("no plan");
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  gc();
  const base = process.memoryUsage().heapUsed;
  let chunks = 0;
  let most = 0;
  resetPeak();
  await execute(c.plan, {
    analysisDir: work,
    versions: {},
    cache: false,
    threads,
    onProgress: () => {
      if (++chunks % 50 !== 0) return;
      gc();
      most = Math.max(most, process.memoryUsage().heapUsed - base);
    },
  });
  process.stdout.write(JSON.stringify({ liveHeapGrowthMB: most / 2 ** 20, peakRssMB: peakRssMB() }) + "\n");
}

/** Child mode: warm-up, then the best of three runs of one analysis; JSON on stdout. */
async function child(file: string, threads: number): Promise<void> {
  const c = await compilePlan(path.join(work, file), nodeHost(work));
  const errors = c.diagnostics.filter((d) => d.severity === "error");
  if (!c.plan || errors.length) throw new Error(errors.map((d) => d.message).join("; "));
  let best: Measured | null = null;
  const compiledPeak = peakRssMB();
  resetPeak();
  for (let k = 0; k < 4; k++) {
    const ex = await execute(c.plan, { analysisDir: work, versions: {}, cache: false, threads });
    if (k === 0) continue; // warm-up: code generation, the page cache
    const t = ex.result.timings;
    const m = { events: ex.result.samples.reduce((a, s) => a + s.entries, 0), wallMs: ex.wallMs, readMs: t.readMs, computeMs: t.computeMs, fillMs: t.fillMs, peakRssMB: null };
    if (!best || m.wallMs < best.wallMs) best = m;
  }
  process.stdout.write(JSON.stringify({ ...best!, peakRssMB: peakRssMB(), compilePeakRssMB: compiledPeak }) + "\n");
}

function measure(file: string, threads: number): Measured {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", file, String(threads)], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`benchmark child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Measured;
}

function line(label: string, threads: number, m: Measured): string {
  const cpu = m.readMs + m.computeMs + m.fillMs;
  const pct = (x: number) => `${((100 * x) / cpu).toFixed(0)}%`;
  return (
    `${label}, ${threads} thread${threads === 1 ? "" : "s"}: ${m.events.toLocaleString("en")} events in ${(m.wallMs / 1000).toFixed(2)} s = ` +
    `${(m.events / m.wallMs / 1000).toFixed(2)} M events/s; of the threads' time: reading ${pct(m.readMs)}, computing ${pct(m.computeMs)}, filling ${pct(m.fillMs)}; ` +
    `peak RSS ${m.peakRssMB?.toFixed(0) ?? "n/a"} MB`
  );
}

async function main(): Promise<void> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(path.join(work, "data"), { recursive: true });
  const all = availableParallelism();
  const threadCounts = [...new Set([1, all])];
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, cores: all, loadavgBefore: loadavg() };
  const flatInput = process.env.HEPC_BENCH_IO_FILE ?? path.resolve(repo, "../shared/data/bench/hep-shaped-200k.root");
  if (existsSync(flatInput)) {
    copyFileSync(flatInput, path.join(work, "data/hep-shaped-200k.root"));
    writeFileSync(path.join(work, "flat.hep"), flatAnalysis(5));
    for (const threads of threadCounts) {
      const m = measure("flat.hep", threads);
      results[`flat_${threads}t`] = m;
      console.log(line("flat (hep-shaped-200k × 5)", threads, m));
    }
  } else console.log(`flat: skipped (no ${flatInput})`);

  for (const s of ["single_top", "ww", "wz", "zz"]) copyFileSync(path.join(repo, "examples/single-top/data", `${s}.root`), path.join(work, "data", `${s}.root`));
  const copies = 70; // 16,052 events per copy → 1.12 M events
  writeFileSync(path.join(work, "jagged.hep"), jaggedAnalysis(copies));
  for (const threads of threadCounts) {
    const m = measure("jagged.hep", threads);
    results[`jagged_${threads}t`] = m;
    console.log(line(`jagged (CMS tutorial × ${copies})`, threads, m));
  }

  // distinct copies, so that no metadata is shared between the files of a chain
  const memory: Record<string, unknown> = {};
  for (const n of [20, 140]) {
    for (const s of ["single_top", "ww", "wz", "zz"]) for (let k = 0; k < n; k++) copyFileSync(path.join(work, "data", `${s}.root`), path.join(work, "data", `${s}-${k}.root`));
    writeFileSync(path.join(work, `jagged-${n}.hep`), jaggedAnalysis(n).replace(/"data\/(\w+)\.root"/g, (() => {
      const seen = new Map<string, number>();
      return (_: string, s: string) => {
        const k = seen.get(s) ?? 0;
        seen.set(s, k + 1);
        return `"data/${s}-${k}.root"`;
      };
    })()));
    const r = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--memory", `jagged-${n}.hep`, String(all)], { encoding: "utf8", maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`benchmark child failed: ${r.stderr}`);
    const m = JSON.parse(r.stdout.trim().split("\n").pop()!) as { liveHeapGrowthMB: number; peakRssMB: number | null };
    memory[`files_${4 * n}`] = m;
    console.log(`memory: ${4 * n} distinct files, ${all} threads: live heap of the run at most ${m.liveHeapGrowthMB.toFixed(1)} MB; peak resident size while running ${m.peakRssMB?.toFixed(0) ?? "n/a"} MB`);
  }
  results.memory = memory;
  results.loadavgAfter = loadavg();
  console.log(`load average ${(results.loadavgBefore as number[]).map((x) => x.toFixed(2)).join(" ")} → ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  writeFileSync(path.join(repo, "bench", "results", "run.json"), JSON.stringify(results, null, 2) + "\n");
  rmSync(work, { recursive: true, force: true });
}

if (process.argv[2] === "--child") await child(process.argv[3], Number(process.argv[4]));
else if (process.argv[2] === "--memory") await memoryChild(process.argv[3], Number(process.argv[4]));
else await main();
