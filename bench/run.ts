/**
 * End-to-end runtime benchmarks (read + compute + fill + write), reported as events per second and
 * the share of time spent reading, on one thread and on all threads:
 *  - flat: ../shared/data/bench/hep-shaped-200k.root chained 5 times (1,000,000 events, both
 *    trees), three cuts, three defines and two weighted 100-bin histograms;
 *  - jagged: the CMS HEP tutorial samples of examples/single-top chained to over 1,000,000 events,
 *    with muon and jet collections, `where` filters, HT, the leading dijet mass and the minimum
 *    deltaR between the leading muon and the jets.
 * Run: `npm run build && node dist/bench/run.js` (HEPC_BENCH_IO_FILE overrides the flat input).
 * Also reports peak RSS per configuration, to show it does not grow with the number of files.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { nodeHost } from "../cli/host.js";
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

async function runOnce(dir: string, file: string, threads: number) {
  const c = await compilePlan(path.join(dir, file), nodeHost(dir));
  const errors = c.diagnostics.filter((d) => d.severity === "error");
  if (!c.plan || errors.length) throw new Error(errors.map((d) => d.message).join("; "));
  const ex = await execute(c.plan, { analysisDir: dir, versions: {}, cache: false, threads });
  const events = ex.result.samples.reduce((a, s) => a + s.entries, 0);
  return { events, wallMs: ex.wallMs, readMs: ex.result.timings.readMs, computeMs: ex.result.timings.computeMs, fillMs: ex.result.timings.fillMs, rssMB: process.memoryUsage().rss / 2 ** 20 };
}

async function main(): Promise<void> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(path.join(work, "data"), { recursive: true });
  const results: Record<string, unknown> = { loadavg: loadavg() };
  const flatInput = process.env.HEPC_BENCH_IO_FILE ?? path.resolve(repo, "../shared/data/bench/hep-shaped-200k.root");
  if (existsSync(flatInput)) {
    copyFileSync(flatInput, path.join(work, "data/hep-shaped-200k.root"));
    writeFileSync(path.join(work, "flat.hep"), flatAnalysis(5));
    for (const threads of [1, 2]) {
      await runOnce(work, "flat.hep", threads); // warm-up: code generation, file cache
      const r = await runOnce(work, "flat.hep", threads);
      results[`flat_${threads}t`] = r;
      console.log(`flat, ${threads} thread(s): ${r.events.toLocaleString("en")} events in ${(r.wallMs / 1000).toFixed(2)} s = ${(r.events / r.wallMs / 1000).toFixed(2)} M events/s; read ${((100 * r.readMs) / r.wallMs).toFixed(0)}%, compute ${((100 * r.computeMs) / r.wallMs).toFixed(0)}%, fill ${((100 * r.fillMs) / r.wallMs).toFixed(0)}%; RSS ${r.rssMB.toFixed(0)} MB`);
    }
  } else console.log(`flat: skipped (no ${flatInput})`);

  for (const s of ["single_top", "ww", "wz", "zz"]) copyFileSync(path.join(repo, "examples/single-top/data", `${s}.root`), path.join(work, "data", `${s}.root`));
  const copies = 70; // 16,052 events per copy → 1.12 M events
  writeFileSync(path.join(work, "jagged.hep"), jaggedAnalysis(copies));
  for (const threads of [1, 2]) {
    await runOnce(work, "jagged.hep", threads);
    const r = await runOnce(work, "jagged.hep", threads);
    results[`jagged_${threads}t`] = r;
    console.log(`jagged (CMS tutorial × ${copies}), ${threads} thread(s): ${r.events.toLocaleString("en")} events in ${(r.wallMs / 1000).toFixed(2)} s = ${(r.events / r.wallMs / 1000).toFixed(2)} M events/s; read ${((100 * r.readMs) / r.wallMs).toFixed(0)}%; RSS ${r.rssMB.toFixed(0)} MB`);
  }
  writeFileSync(path.join(repo, "bench", "results", "run.json"), JSON.stringify(results, null, 2) + "\n");
  rmSync(work, { recursive: true, force: true });
}

await main();
