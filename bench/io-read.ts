/**
 * Read benchmark: every branch of both trees of the HEP-shaped 200k-event file, chained 5 times
 * (1,000,000 events x 30 branches), into typed arrays; compared with jsroot's generic treeProcess
 * summing the same branches, measured in the same run. Peak memory is measured in a fresh child
 * process (so nothing else inflates it) as the OS high-water mark of resident memory (maxRSS)
 * during the read, minus the same mark just before it, against the decoded column bytes.
 *
 *   npm run build && node dist/bench/io-read.js [FILE.root]
 *   HEPC_BENCH_IO_FILE=... HEPC_BENCH_IO_REPEAT=5 HEPC_BENCH_IO_SKIP_JSROOT=1 ...
 *
 * Default input: ../shared/data/bench/hep-shaped-200k.root, relative to the repository root.
 * Writes bench/results/io-read.json.
 */
import { execFileSync } from "node:child_process";
import { inflateSync } from "node:zlib";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import * as jsrootTree from "jsroot/tree";
import * as jsroot from "jsroot";
import { openRoot, readChain, type Column } from "../runtime/io/index.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const TREES = ["TreeS", "TreeB"];

function inputFile(): string {
  const arg = process.argv.slice(2).find((a) => !a.startsWith("--"));
  const file = arg ?? process.env.HEPC_BENCH_IO_FILE ?? resolve(REPO, "../shared/data/bench/hep-shaped-200k.root");
  if (!existsSync(file)) {
    console.error(`bench/io-read: input file not found: ${file}\n(pass a path or set HEPC_BENCH_IO_FILE)`);
    process.exit(2);
  }
  return resolve(file);
}

const repeat = Number(process.env.HEPC_BENCH_IO_REPEAT ?? 5);

function columnBytes(cols: Map<string, Column>): number {
  let n = 0;
  for (const c of cols.values()) {
    n += c.values.byteLength;
    if (c.kind === "jagged") n += c.offsets.byteLength;
  }
  return n;
}

async function branchesOf(file: string, tree: string): Promise<string[]> {
  const f = await openRoot(file);
  try {
    const t = await f.tree(tree);
    return t.branches.filter((b) => b.kind !== "unsupported").map((b) => b.name);
  } finally {
    await f.close();
  }
}

async function readAll(file: string, names: Record<string, string[]>): Promise<{ bytes: number; entries: number; cols: Map<string, Column>[] }> {
  const chain = Array.from({ length: repeat }, () => file);
  let bytes = 0;
  let entries = 0;
  const kept: Map<string, Column>[] = [];
  for (const tree of TREES) {
    const cols = await readChain(chain, tree, names[tree]);
    bytes += columnBytes(cols);
    const first = cols.values().next().value as Column;
    entries += first.kind === "jagged" ? first.offsets.length - 1 : first.values.length;
    kept.push(cols);
  }
  return { bytes, entries, cols: kept };
}

/**
 * Linux's VmHWM is the peak resident size of this process image; writing 5 to clear_refs resets
 * it to the current size, so the peak of the read alone can be measured. (getrusage's maxRSS is
 * no good here: after fork+exec it starts at the parent's size.) Returns the reset value, or null
 * where /proc does not allow this.
 */
function resetPeak(): number | null {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return peakRss();
  } catch {
    return null;
  }
}

function peakRss(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Child-process mode: one measured read, reports JSON on stdout. */
async function memoryChild(file: string): Promise<void> {
  const names: Record<string, string[]> = {};
  for (const t of TREES) names[t] = await branchesOf(file, t);
  // Warm-up: start the worker threads and load every module on a tiny read.
  await readChain([file], TREES[0], names[TREES[0]], { start: 0, stop: 10 });
  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = process.memoryUsage().rss;
  const hwmBefore = resetPeak();
  const t0 = performance.now();
  const r = await readAll(file, names);
  const seconds = (performance.now() - t0) / 1000;
  const peak = peakRss() ?? process.resourceUsage().maxRSS * 1024;
  const peakRssDelta = peak - Math.max(rssBefore, hwmBefore ?? 0);
  process.stdout.write(JSON.stringify({ seconds, decodedBytes: r.bytes, peakRssDelta, entries: r.entries, method: hwmBefore === null ? "maxRSS" : "VmHWM" }));
}

async function jsrootProcess(file: string, names: Record<string, string[]>): Promise<{ seconds: number; sum: number }> {
  let sum = 0;
  const t0 = performance.now();
  for (let rep = 0; rep < repeat; rep++) {
    const f = await jsroot.openFile(file);
    for (const tree of TREES) {
      const t = await f.readObject(tree);
      const sel = new jsrootTree.TSelector();
      for (const b of names[tree]) sel.addBranch(b);
      const branchNames = names[tree];
      sel.Process = function (this: { tgtobj: Record<string, number | bigint> }) {
        for (const b of branchNames) sum += Number(this.tgtobj[b]);
      };
      await jsrootTree.treeProcess(t, sel);
    }
  }
  return { seconds: (performance.now() - t0) / 1000, sum };
}

/**
 * The floor: Node's zlib alone inflating every basket of one read on this thread (bytes read from
 * the file beforehand, nothing decoded). Measured in the same run, so a busy machine slows both.
 */
async function zlibAlone(file: string): Promise<number> {
  const f = await jsroot.openFile(file);
  const fd = openSync(file, "r");
  const baskets: Buffer[] = [];
  try {
    for (const tree of TREES) {
      const t = await f.readObject(tree);
      for (const b of t.fBranches.arr) {
        for (let i = 0; i < b.fWriteBasket; i++) {
          const buf = Buffer.alloc(Number(b.fBasketBytes[i]));
          readSync(fd, buf, 0, buf.length, Number(b.fBasketSeek[i]));
          baskets.push(buf);
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  const once = (): number => {
    const t0 = performance.now();
    for (let r = 0; r < repeat; r++) {
      for (const buf of baskets) {
        const keylen = buf.readInt16BE(14);
        const usize = buf[keylen + 6] | (buf[keylen + 7] << 8) | (buf[keylen + 8] << 16);
        inflateSync(buf.subarray(keylen + 9), { chunkSize: usize + 64 });
      }
    }
    return (performance.now() - t0) / 1000;
  };
  once();
  return Math.min(once(), once(), once());
}

async function main(): Promise<void> {
  const file = inputFile();
  if (process.argv.includes("--memory-child")) return memoryChild(file);

  const names: Record<string, string[]> = {};
  for (const t of TREES) names[t] = await branchesOf(file, t);

  // Warm-up (page cache, JIT, worker start-up), then the timed runs.
  await readAll(file, names);
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const loadBefore = loadavg()[0];
  let decoded = 0;
  let entries = 0;
  let checksum = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = await readAll(file, names);
    times.push((performance.now() - t0) / 1000);
    // CPU time of the whole process, worker threads included: less sensitive to a busy machine.
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1e6);
    decoded = r.bytes;
    entries = r.entries;
    if (i === 0) {
      for (const cols of r.cols) {
        for (const c of cols.values()) {
          const v = c.values as ArrayLike<number | bigint>;
          for (let k = 0; k < v.length; k++) checksum += Number(v[k]);
        }
      }
    }
  }
  const cpuMedian = [...cpuTimes].sort((a, b) => a - b)[Math.floor(cpuTimes.length / 2)];
  times.sort((a, b) => a - b);
  const best = times[0];
  const median = times[Math.floor(times.length / 2)];

  const child = JSON.parse(
    execFileSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), file, "--memory-child"], {
      encoding: "utf8",
      env: process.env,
      maxBuffer: 1 << 20,
    }),
  ) as { seconds: number; decodedBytes: number; peakRssDelta: number };

  const zlibSeconds = await zlibAlone(file);
  let js: { seconds: number; sum: number } | null = null;
  if (!process.env.HEPC_BENCH_IO_SKIP_JSROOT) js = await jsrootProcess(file, names);

  const rows: [string, string][] = [
    ["input", `${relative(REPO, file)} x${repeat}, trees ${TREES.join("+")}`],
    ["events x branches", `${entries.toLocaleString("en")} x ${names[TREES[0]].length}`],
    ["decoded column bytes", `${(decoded / 1e6).toFixed(1)} MB`],
    ["hepc read (best of 5)", `${best.toFixed(3)} s`],
    ["hepc read (median of 5)", `${median.toFixed(3)} s`],
    ["hepc throughput", `${(decoded / 1e6 / best).toFixed(0)} MB/s decoded`],
    ["hepc CPU time per read (median)", `${cpuMedian.toFixed(3)} s (all threads)`],
    ["node zlib alone, one thread", `${zlibSeconds.toFixed(3)} s (hepc best = ${(best / zlibSeconds).toFixed(2)}x of it)`],
    ["peak memory over decoded bytes", `${(child.peakRssDelta / child.decodedBytes).toFixed(2)}x (${(child.peakRssDelta / 1e6).toFixed(0)} MB peak RSS growth, fresh process, ${child.seconds.toFixed(3)} s)`],
  ];
  if (js) {
    rows.push(["jsroot treeProcess", `${js.seconds.toFixed(2)} s`]);
    rows.push(["speed-up over jsroot", `${(js.seconds / best).toFixed(1)}x`]);
    const rel = Math.abs(js.sum - checksum) / Math.max(1, Math.abs(js.sum));
    rows.push(["sums agree with jsroot", rel < 1e-6 ? "yes" : `NO (hepc ${checksum}, jsroot ${js.sum})`]);
  }
  rows.push(["machine", `${availableParallelism()} cores, ${cpus()[0]?.model ?? "?"}, node ${process.version}`]);
  rows.push(["load average (1 min)", `${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after (other work on the machine slows every figure)`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n"));

  const out = resolve(REPO, "bench/results/io-read.json");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        // relative to the repository root, so results carry no machine's paths
        file: relative(REPO, file), repeat, entries, branches: names[TREES[0]].length, decodedBytes: decoded,
        seconds: { best, median, all: times }, cpuSeconds: { median: cpuMedian, all: cpuTimes }, memory: child,
        loadAverage: { before: loadBefore, after: loadavg()[0] },
        zlibAloneSeconds: zlibSeconds, bestOverZlibAlone: best / zlibSeconds,
        peakOverDecoded: child.peakRssDelta / child.decodedBytes,
        jsroot: js, speedup: js ? js.seconds / best : null,
        node: process.version, cores: availableParallelism(), date: new Date().toISOString(),
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`\nwrote ${out}`);
}

await main();
