/**
 * The AGC example (examples/agc/analysis.hep) with all its variations against the same analysis
 * with its `systematic` declarations and alternative samples removed, and two steps between: the
 * weight variations (and the normalisation) only, then with the shape variations too. The
 * example's input files, each listed COPIES times (16,300 events × COPIES with the alternative
 * samples, 11,500 × COPIES without), one thread, no cache, run in turn: one warm-up round, then
 * five timed ones. Reported: the best and median wall times, events per second (each run's own
 * events) and the ratios of the times to the nominal's; the issue's target is that all variations
 * cost at most 2× the nominal-only run. A fifth run reads the same files as the last with no
 * variations (its alternative samples as processes): the variations' own cost, input for input.
 *
 * Run: `npm run build && node dist/bench/agc.js` (`HEPC_BENCH_AGC_COPIES` sets COPIES, default 60).
 *
 * Why 60: the toy files hold 800 to 3,000 events each, so a run over few copies spends a share of
 * its time on what does not grow with the events (opening and closing ~220 small files per 20
 * copies, writing the 276 histograms and the fit outputs), which the AGC's inputs (files of about
 * 100,000 events or more, 940 million events in all) make negligible; the ratios then mostly
 * measure those fixed costs. 60 copies (690,000 nominal events) keep the bench under a minute;
 * `HEPC_BENCH_AGC_COPIES=20` shows the smaller case.
 * Writes bench/results/agc.json; its scratch folder (bench/results/agc-work) is removed at the end.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { nodeHost } from "../host/index.js";
import { compilePlan } from "../compiler/compile.js";
import { execute } from "../runtime/exec/index.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const example = path.join(repo, "examples", "agc");
const work = path.join(repo, "bench", "results", "agc-work");
const COPIES = Number(process.env.HEPC_BENCH_AGC_COPIES ?? 60);
const ROUNDS = 5;

type Kind = "weight" | "shape" | "samples";

/** A systematic declaration's kind: a shape variation (`vary`), alternative samples, or a weight or normalisation. */
const kindOf = (line: string): Kind => (/\{\s*vary\b/.test(line) ? "shape" : /\{\s*samples\b/.test(line) ? "samples" : "weight");

/**
 * analysis.hep with every input file listed COPIES times (all in work/data), keeping the
 * systematics of the kinds given; the alternative samples only with their variations (without
 * them they would be processes).
 */
function analysis(kinds: ReadonlySet<Kind>, alternativesAsProcesses = false): { text: string; systematics: number } {
  const lines = readFileSync(path.join(example, "analysis.hep"), "utf8").split("\n");
  const alternatives = new Set(lines.flatMap((l) => [...(/\bsamples up (\w+)(?: down (\w+))?/.exec(l) ?? [])].slice(1).filter(Boolean)));
  const keep = (l: string) => (/^systematic\b/.test(l) ? kinds.has(kindOf(l)) : !alternatives.has(/^sample (\w+)/.exec(l)?.[1] ?? "") || kinds.has("samples") || alternativesAsProcesses);
  const kept = lines.filter(keep);
  const text = kept
    .map((l) =>
      l.replace(/files ((?:"[^"]+"(?:, )?)+)/, (_, list: string) => {
        const files = [...list.matchAll(/"([^"]+)"/g)].map((m) => `"data/${path.basename(m[1])}"`);
        return `files ${Array.from({ length: COPIES }, () => files).flat().join(", ")}`;
      }),
    )
    .join("\n");
  return { text, systematics: kept.filter((l) => /^systematic\b/.test(l)).length };
}

type Timing = { best: number; median: number; events: number; histograms: number };

/**
 * The analyses, run in turn round after round so that a shared machine's load falls on all alike:
 * one warm-up round, then ROUNDS timed ones; the best and the median of each.
 */
async function timeAll(files: string[]): Promise<Timing[]> {
  const plans = [];
  for (const file of files) {
    const c = await compilePlan(file, nodeHost(work));
    if (!c.plan) throw new Error(c.diagnostics.map((d) => d.message).join("\n"));
    plans.push(c.plan);
  }
  const times: number[][] = plans.map(() => []);
  const out = plans.map(() => ({ events: 0, histograms: 0 }));
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [k, plan] of plans.entries()) {
      const t0 = performance.now();
      const ex = await execute(plan, { analysisDir: work, versions: { hepc: "bench" }, threads: 1, cache: false });
      const ms = performance.now() - t0;
      out[k] = { events: ex.result.samples.reduce((a, s) => a + s.entries, 0), histograms: ex.result.histograms.length };
      if (round > 0) times[k].push(ms);
    }
  }
  return times.map((t, k) => {
    const sorted = [...t].sort((a, b) => a - b);
    return { best: sorted[0], median: sorted[Math.floor(sorted.length / 2)], ...out[k] };
  });
}

async function main(): Promise<void> {
  if (!Number.isInteger(COPIES) || COPIES < 1) throw new Error("HEPC_BENCH_AGC_COPIES must be a whole number ≥ 1");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(path.join(work, "data"), { recursive: true });
  for (const f of readdirSync(path.join(example, "data"))) if (f.endsWith(".root")) copyFileSync(path.join(example, "data", f), path.join(work, "data", f));
  const cms = "nanoAOD_2015_CMS_Open_Data_ttbar.root";
  copyFileSync(path.join(repo, "examples", "nanoaod", "data", cms), path.join(work, "data", cms));
  // the last: nominal only over the same files as "all" (its alternative samples read as processes)
  const variants: [string, Kind[]][] = [
    ["nominal", []],
    ["weights", ["weight"]],
    ["weightsAndShapes", ["weight", "shape"]],
    ["all", ["weight", "shape", "samples"]],
    ["nominalSameFiles", []],
  ];
  const texts = variants.map(([name, kinds]) => {
    const a = analysis(new Set(kinds), name === "nominalSameFiles");
    writeFileSync(path.join(work, `${name}.hep`), a.text);
    return a;
  });
  const timings = await timeAll(variants.map(([name]) => path.join(work, `${name}.hep`)));
  const nominal = timings[0];
  const result = {
    copies: COPIES,
    rounds: ROUNDS,
    runs: Object.fromEntries(
      variants.map(([name], k) => {
        const t = timings[k];
        return [name, { systematics: texts[k].systematics, events: t.events, histograms: t.histograms, bestMs: Math.round(t.best), medianMs: Math.round(t.median), eventsPerSecond: Math.round((t.events / t.best) * 1000), ratio: { best: Number((t.best / nominal.best).toFixed(3)), median: Number((t.median / nominal.median).toFixed(3)) } }];
      }),
    ),
    // the alternative samples are inputs of their own (42% more events): "all" against the
    // nominal-only run over the same files says what the variations cost
    allOverSameFiles: { best: Number((timings[3].best / timings[4].best).toFixed(3)), median: Number((timings[3].median / timings[4].median).toFixed(3)) },
    target: "all / nominal ≤ 2",
  };
  console.log(JSON.stringify(result, null, 2));
  writeFileSync(path.join(repo, "bench", "results", "agc.json"), JSON.stringify(result, null, 2) + "\n");
  rmSync(work, { recursive: true, force: true });
}

await main();
