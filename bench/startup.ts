/**
 * Start-up: `hepc check` of a small analysis (the Z→μμ example), start to exit, as a user runs it
 * from a shell. Run: `npm run build && node dist/bench/startup.js`.
 *
 * What runs is the installed binary: the `hepc` on PATH when it is this checkout's (after
 * `npm install -g .` or `npm link`), else the same shim it links to (cli/bin/hepc.js) started
 * with node. Not `npx hepc`: npm's own start-up (2–3 s) is not hepc's.
 * Reference in the same run: `node -e ""` (Node's own start-up on this machine). Target: a median
 * of at most 0.3 s for `hepc check`.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const shim = path.join(repo, "cli/bin/hepc.js");

/** The `hepc` on PATH when it resolves to this checkout's shim. */
function installedHepc(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "hepc");
    try {
      if (realpathSync(candidate) === realpathSync(shim)) return candidate;
    } catch {
      // not there
    }
  }
  return undefined;
}

function time(cmd: string, args: string[], n: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    const t = performance.now();
    const r = spawnSync(cmd, args, { cwd: repo, stdio: ["ignore", "ignore", "pipe"] });
    const ms = performance.now() - t;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    out.push(ms);
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  const installed = installedHepc();
  const [cmd, pre] = installed ? [installed, []] : [process.execPath, [shim]];
  const args = [...pre, "check", "examples/zmumu/analysis.hep"];
  const runs = Number(process.env.HEPC_BENCH_STARTUP_RUNS ?? 15);
  time(cmd, args, 2); // warm the file system cache
  const check = time(cmd, args, runs);
  const node = time(process.execPath, ["-e", ""], runs);
  const result = {
    binary: installed ? `hepc on PATH (${installed})` : "node cli/bin/hepc.js (no hepc of this checkout on PATH)",
    runs,
    checkMedianMs: Math.round(median(check)),
    checkMinMs: Math.round(Math.min(...check)),
    nodeMedianMs: Math.round(median(node)),
    ratioToNode: Math.round((median(check) / median(node)) * 10) / 10,
    targetMs: 300,
  };
  console.log(`hepc check examples/zmumu/analysis.hep, start to exit (${result.binary})`);
  console.log(`  median of ${runs}   ${result.checkMedianMs} ms   (min ${result.checkMinMs} ms; target ≤ ${result.targetMs} ms)`);
  console.log(`  node -e ""        ${result.nodeMedianMs} ms   (hepc check = ${result.ratioToNode}× Node's own start-up)`);
  mkdirSync(path.join(repo, "bench", "results"), { recursive: true });
  writeFileSync(path.join(repo, "bench", "results", "startup.json"), JSON.stringify(result, null, 2) + "\n");
}

if (process.argv[1]?.endsWith("startup.js")) main();
