/**
 * The AGC example (examples/agc/analysis.hep) with all its variations against the same analysis
 * with its `systematic` declarations removed: the example's input files, each listed COPIES times
 * (about 11,500 events × COPIES), one thread, no cache, run alternately: one warm-up round, then
 * five timed ones. Reported: the best and median wall times, events per second and the ratios; the target is that all
 * variations cost at most 2× the nominal-only run. Whatever `systematic` lines analysis.hep holds
 * are the "all variations" side, so shape variations join the measurement once the example
 * declares them.
 *
 * Run: `npm run build && node dist/bench/agc.js` (`HEPC_BENCH_AGC_COPIES` sets COPIES, default 20).
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
const COPIES = Number(process.env.HEPC_BENCH_AGC_COPIES ?? 20);
const ROUNDS = 5;

/** analysis.hep with every input file listed COPIES times (all in work/data), with or without its systematics. */
function analysis(withSystematics: boolean): { text: string; systematics: number } {
  const lines = readFileSync(path.join(example, "analysis.hep"), "utf8").split("\n");
  const systematics = lines.filter((l) => /^systematic\b/.test(l)).length;
  const text = lines
    .filter((l) => withSystematics || !/^systematic\b/.test(l))
    .map((l) =>
      l.replace(/files ((?:"[^"]+"(?:, )?)+)/, (_, list: string) => {
        const files = [...list.matchAll(/"([^"]+)"/g)].map((m) => `"data/${path.basename(m[1])}"`);
        return `files ${Array.from({ length: COPIES }, () => files).flat().join(", ")}`;
      }),
    )
    .join("\n");
  return { text, systematics };
}

type Timing = { best: number; median: number; events: number; histograms: number };

/**
 * Both analyses, run alternately (nominal, varied, nominal, ...) so that a shared machine's load
 * falls on both alike: one warm-up round, then ROUNDS timed ones; the best and the median of each.
 */
async function timeBoth(files: string[]): Promise<Timing[]> {
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
  copyFileSync(path.join(example, "selection.hep"), path.join(work, "selection.hep"));
  const nominalText = analysis(false);
  const variedText = analysis(true);
  writeFileSync(path.join(work, "nominal.hep"), nominalText.text);
  writeFileSync(path.join(work, "varied.hep"), variedText.text);
  const [nominal, varied] = await timeBoth([path.join(work, "nominal.hep"), path.join(work, "varied.hep")]);
  const side = (t: Timing) => ({ bestMs: Math.round(t.best), medianMs: Math.round(t.median), eventsPerSecond: Math.round((t.events / t.best) * 1000), histograms: t.histograms });
  const result = {
    events: nominal.events,
    copies: COPIES,
    rounds: ROUNDS,
    nominal: side(nominal),
    variations: { systematics: variedText.systematics, ...side(varied) },
    ratio: { best: Number((varied.best / nominal.best).toFixed(3)), median: Number((varied.median / nominal.median).toFixed(3)) },
    target: "≤ 2",
  };
  console.log(JSON.stringify(result, null, 2));
  writeFileSync(path.join(repo, "bench", "results", "agc.json"), JSON.stringify(result, null, 2) + "\n");
  rmSync(work, { recursive: true, force: true });
}

await main();
