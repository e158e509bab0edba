/**
 * Scale-out overhead: the Z→μμ example cut into about 200 small tasks (`--chunk-events 12`: 192
 * read tasks, a gather and the merge), run from submission to merged outputs with
 * `--executor slurm` on the cluster that answers here (scripts/slurm-local.sh start gives a
 * one-node one) against the same tasks with `--executor local`, and `hepc run` without an
 * executor for scale. Every run's outputs are compared with `hepc run`'s (sha256), so the figures
 * are of runs that gave the right answer.
 *
 * Run: `npm run build && node dist/bench/scale.js` (HEPC_BENCH_SCALE_EVENTS sets the entries per
 * task). Without Slurm the Slurm row is skipped with the command that starts one. Results: a table
 * on stdout and bench/results/scale.json. The overhead per task is (Slurm − local) / tasks: what
 * submission, scheduling and polling add to each task, on a cluster with as many slots as this
 * machine has cores (the local executor runs as many tasks at once).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const cli = path.join(repo, "cli/bin/hepc.js");
const perTask = Number(process.env.HEPC_BENCH_SCALE_EVENTS ?? 12);

function hashes(dir: string): string {
  const h = createHash("sha256");
  for (const f of readdirSync(path.join(dir, "out")).sort()) h.update(f).update(readFileSync(path.join(dir, "out", f)));
  return h.digest("hex");
}

function run(dir: string, args: string[]): { ms: number; out: string } {
  rmSync(path.join(dir, "out"), { recursive: true, force: true });
  rmSync(path.join(dir, ".hepc"), { recursive: true, force: true });
  const t = performance.now();
  const r = spawnSync(process.execPath, [cli, "run", "analysis.hep", ...args], { cwd: dir, encoding: "utf8" });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`hepc run ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { ms, out: r.stdout };
}

function slurmUp(): boolean {
  try {
    return /UP/.test(execFileSync("scontrol", ["ping"], { encoding: "utf8", timeout: 5000 }));
  } catch {
    return false;
  }
}

const dir = mkdtempSync(path.join(tmpdir(), "hepc-bench-scale-"));
cpSync(path.join(repo, "examples/zmumu"), dir, { recursive: true });
const plain = run(dir, ["--quiet"]);
const reference = hashes(dir);
const local = run(dir, ["--executor", "local", "--chunk-events", String(perTask), "--json"]);
const tasks = JSON.parse(local.out).tasks as number;
if (hashes(dir) !== reference) throw new Error("--executor local gave other outputs than hepc run");
const rows: Array<{ run: string; seconds: number; perTaskMs?: number }> = [
  { run: "hepc run (no executor)", seconds: plain.ms / 1000 },
  { run: `--executor local (${tasks} tasks, ${availableParallelism()} at once)`, seconds: local.ms / 1000 },
];
let overheadPerTaskMs: number | null = null;
if (slurmUp()) {
  const slurm = run(dir, ["--executor", "slurm", "--chunk-events", String(perTask), "--poll", "0.5", "--json"]);
  if (hashes(dir) !== reference) throw new Error("--executor slurm gave other outputs than hepc run");
  overheadPerTaskMs = (slurm.ms - local.ms) / tasks;
  rows.push({ run: `--executor slurm (${tasks} tasks)`, seconds: slurm.ms / 1000, perTaskMs: overheadPerTaskMs });
} else {
  console.log("Slurm row skipped: no cluster answers `scontrol ping`. Start one with\n  sudo scripts/slurm-local.sh install && sudo scripts/slurm-local.sh start\n");
}
console.log(`scale-out: the zmumu example, ${tasks} tasks of ${perTask} entries (outputs identical to hepc run in every row)\n`);
for (const r of rows) console.log(`${r.run.padEnd(44)} ${r.seconds.toFixed(2).padStart(8)} s${r.perTaskMs !== undefined ? `   overhead vs local: ${r.perTaskMs.toFixed(0)} ms a task` : ""}`);
mkdirSync(path.join(repo, "bench/results"), { recursive: true });
writeFileSync(path.join(repo, "bench/results/scale.json"), JSON.stringify({ tasks, entriesPerTask: perTask, rows, overheadPerTaskMs }, null, 2) + "\n");
rmSync(dir, { recursive: true, force: true });
