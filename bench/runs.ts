/**
 * `hepc runs` on a store of 1,000 runs: start to exit, as a user runs it, and the store's own part
 * (loading every run.json and filtering) in-process. Run: `npm run build && node dist/bench/runs.js`.
 * The store is made here in a temporary folder: records shaped like a run of the single-top
 * example (30 params, 60 metrics, 4 inputs). Reference in the same run: `node -e ""`.
 * Target: a median of at most 200 ms for the whole command.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { filterRuns, loadStore } from "../track/index.js";
import { runIdOf } from "../track/record.js";
import type { RunRecord } from "../track/types.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const shim = path.join(repo, "cli/bin/hepc.js");
const N = Number(process.env.HEPC_BENCH_RUNS ?? 1000);

function record(i: number): RunRecord {
  const startedAt = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  const host = { hostname: `node${i % 7}`, platform: "linux", arch: "x64", cpus: 16, node: "v20.20.0" };
  const name = `${startedAt.replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-")}-ba95ed98`;
  const params: Record<string, string> = { seed: "2024" };
  for (let k = 0; k < 29; k++) params[`bdt.option_${k}`] = String((i * 7 + k) % 13);
  const metrics: Record<string, number> = { wall_ms: 10_000 + i };
  for (const m of ["auc", "average_precision", "separation", "ks_d", "signal_weight", "background_weight", "signal_events", "background_events", "significance", "ks_p"]) {
    metrics[`bdt/${m}`] = ((i * 31) % 1000) / 1000;
    for (let f = 0; f < 5; f++) metrics[`bdt/fold${f}/${m}`] = ((i * 17 + f) % 1000) / 1000;
  }
  const planHash = "ba95ed98".padEnd(64, "0");
  return {
    format: "hepc-run/1", id: runIdOf({ planHash, startedAt, host, name }, i), name, analysis: "single_top_vs_diboson",
    source: { path: "analysis.hep", sha256: "4b".repeat(32) }, planHash, status: i % 50 === 0 ? "failed" : "ok", exitCode: i % 50 === 0 ? 1 : 0, error: null,
    startedAt, endedAt: startedAt, wallMs: 10_000 + i, host, git: { commit: "f8".repeat(20), branch: "main", dirty: i % 3 === 0 },
    inputs: ["single_top", "ww", "wz", "zz"].map((s) => ({ path: `data/${s}.root`, size: 500_000, sha256: "06".repeat(32) })),
    versions: { hepc: "0.1.0", node: "v20.20.0" }, seed: 2024, params, metrics, models: [{ model: "bdt", kind: "gbdt", hash: "cd".repeat(32) }],
    stages: { readMs: 100, computeMs: 200, fillMs: 50 }, peakRssBytes: 400 << 20,
    artifacts: ["inputs.json", "log.txt", "metrics.json", "metrics.jsonl", "models/bdt.json", "plan.json", "source.hep", "summary.json", "versions.json"],
  };
}

function time(args: string[], n: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: repo, stdio: ["ignore", "ignore", "pipe"] });
    out.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  const root = mkdtempSync(path.join(os.tmpdir(), "hepc-bench-runs-"));
  try {
    const store = path.join(root, ".hepc", "runs");
    for (let i = 0; i < N; i++) {
      const r = record(i);
      mkdirSync(path.join(store, r.name), { recursive: true });
      writeFileSync(path.join(store, r.name, "run.json"), JSON.stringify(r, null, 2) + "\n");
    }
    const reps = Number(process.env.HEPC_BENCH_RUNS_REPS ?? 9);
    const inProcess: number[] = [];
    for (let k = 0; k < reps; k++) {
      const t = performance.now();
      const s = loadStore(store);
      filterRuns(s.runs, { where: "auc(bdt) > 0.5" });
      inProcess.push(performance.now() - t);
      if (s.runs.length !== N) throw new Error(`loaded ${s.runs.length} of ${N} runs`);
    }
    time([shim, "runs", "--store", root], 2); // warm the file system cache
    const list = time([shim, "runs", "--store", root], reps);
    const where = time([shim, "runs", "--store", root, "--where", "auc(bdt) > 0.5", "--json"], reps);
    const node = time(["-e", ""], reps);
    const result = {
      runs: N, reps,
      listMedianMs: Math.round(median(list)),
      whereJsonMedianMs: Math.round(median(where)),
      loadAndFilterInProcessMedianMs: Math.round(median(inProcess) * 10) / 10,
      nodeMedianMs: Math.round(median(node)),
      targetMs: 200,
    };
    console.log(`hepc runs on a store of ${N} runs, start to exit (median of ${reps})`);
    console.log(`  hepc runs                            ${result.listMedianMs} ms   (target ≤ ${result.targetMs} ms)`);
    console.log(`  hepc runs --where ... --json         ${result.whereJsonMedianMs} ms`);
    console.log(`  load + filter in-process             ${result.loadAndFilterInProcessMedianMs} ms`);
    console.log(`  node -e ""                           ${result.nodeMedianMs} ms   (reference: Node's own start-up)`);
    mkdirSync(path.join(repo, "bench", "results"), { recursive: true });
    writeFileSync(path.join(repo, "bench", "results", "runs.json"), JSON.stringify(result, null, 2) + "\n");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith("runs.js")) main();
