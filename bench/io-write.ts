/**
 * Write benchmark: a flat TTree of 1,000,000 entries x 30 float branches (ZLIB level 1, the
 * writer's default), written through createRootFile/tree().append in 100k-entry chunks, against
 * Node's zlib deflate (deflateSync, same level, one thread) of the same big-endian bytes cut into
 * the same basket-sized pieces, measured in the same run. The ratio says how much the writer
 * costs on top of compressing the data once.
 *
 *   npm run build && node dist/bench/io-write.js
 *   HEPC_BENCH_WRITE_ENTRIES=1000000 HEPC_BENCH_WRITE_RUNS=3 ...
 *
 * Data are deterministic: 10 branches of uniform scores in [0, 1), 10 of falling pT-like values
 * rounded to 0.01, 10 of small integer counts, so compression sees neither noise only nor zeros.
 * The file goes to the OS temporary directory and is removed. Writes bench/results/io-write.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { deflateSync } from "node:zlib";
import { createRootFile, type TreeColumnSpec } from "../runtime/io/write/index.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const ENTRIES = Number(process.env.HEPC_BENCH_WRITE_ENTRIES ?? 1_000_000);
const RUNS = Number(process.env.HEPC_BENCH_WRITE_RUNS ?? 3);
const BRANCHES = 30;
const CHUNK = 100_000;
const BASKET = 16_384; // the writer's default basketEntries
const LEVEL = 1;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function makeData(n: number): Float32Array[] {
  const r = rng(2024);
  const cols: Float32Array[] = [];
  for (let b = 0; b < BRANCHES; b++) {
    const c = new Float32Array(n);
    if (b < 10) for (let i = 0; i < n; i++) c[i] = r();
    else if (b < 20) for (let i = 0; i < n; i++) c[i] = Math.round(-Math.log(1 - r()) * 4000) / 100;
    else for (let i = 0; i < n; i++) c[i] = Math.floor(-Math.log(1 - r()) * 3);
    cols.push(c);
  }
  return cols;
}

async function writeOnce(path: string, cols: Float32Array[], n: number): Promise<number> {
  const specs: TreeColumnSpec[] = cols.map((_, i) => ({ name: `b${i}`, dtype: "f4" }));
  const t0 = performance.now();
  const w = await createRootFile(path, { compression: { algorithm: "zlib", level: LEVEL } });
  const t = w.tree("events", "bench", specs);
  for (let a = 0; a < n; a += CHUNK) {
    const chunk: Record<string, Float32Array> = {};
    cols.forEach((c, i) => (chunk[`b${i}`] = c.subarray(a, Math.min(n, a + CHUNK))));
    await t.append(chunk);
  }
  await w.close();
  return (performance.now() - t0) / 1000;
}

/** Node's deflate over the same big-endian basket payloads the writer compresses. */
function rawDeflate(cols: Float32Array[], n: number): { seconds: number; compressed: number } {
  const t0 = performance.now();
  let compressed = 0;
  for (const c of cols) {
    for (let a = 0; a < n; a += BASKET) {
      const piece = Buffer.from(c.buffer, c.byteOffset + a * 4, Math.min(BASKET, n - a) * 4);
      const be = Buffer.from(piece).swap32();
      compressed += deflateSync(be, { level: LEVEL }).length;
    }
  }
  return { seconds: (performance.now() - t0) / 1000, compressed };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const cols = makeData(ENTRIES);
  const rawBytes = ENTRIES * BRANCHES * 4;
  const dir = await mkdtemp(join(tmpdir(), "hepc-bench-write-"));
  try {
    // Warm-up: JIT, zlib thread pool, page cache.
    await writeOnce(join(dir, "warm.root"), cols, Math.min(ENTRIES, 100_000));
    rawDeflate(cols, Math.min(ENTRIES, 100_000));

    const writer: number[] = [];
    const deflate: number[] = [];
    let fileBytes = 0;
    let deflated = 0;
    for (let run = 0; run < RUNS; run++) {
      const path = join(dir, `run${run}.root`);
      writer.push(await writeOnce(path, cols, ENTRIES));
      fileBytes = (await stat(path)).size;
      await rm(path);
      const d = rawDeflate(cols, ENTRIES);
      deflate.push(d.seconds);
      deflated = d.compressed;
    }

    const w = median(writer);
    const d = median(deflate);
    const result = {
      entries: ENTRIES,
      branches: BRANCHES,
      dtype: "f4",
      compression: { algorithm: "zlib", level: LEVEL },
      basketEntries: BASKET,
      rawBytes,
      fileBytes,
      deflatedBytes: deflated,
      writer: { medianSeconds: w, bestSeconds: Math.min(...writer), all: writer, mbPerSecond: rawBytes / 1e6 / w, entriesPerSecond: ENTRIES / w },
      nodeDeflate: { medianSeconds: d, all: deflate, mbPerSecond: rawBytes / 1e6 / d },
      ratioWriterOverDeflate: w / d,
      node: process.version,
      cores: availableParallelism(),
      date: new Date().toISOString(),
    };

    const rows: [string, string][] = [
      ["data", `${ENTRIES.toLocaleString("en-US")} entries x ${BRANCHES} f4 branches (${(rawBytes / 1e6).toFixed(0)} MB)`],
      ["file size", `${(fileBytes / 1e6).toFixed(1)} MB (zlib ${LEVEL}; Node deflate alone: ${(deflated / 1e6).toFixed(1)} MB)`],
      ["writer", `${w.toFixed(2)} s median of ${RUNS}  ${result.writer.mbPerSecond.toFixed(0)} MB/s  ${(result.writer.entriesPerSecond / 1e6).toFixed(2)} M entries/s`],
      ["Node deflateSync", `${d.toFixed(2)} s median  ${result.nodeDeflate.mbPerSecond.toFixed(0)} MB/s (same bytes, same pieces, 1 thread)`],
      ["writer / deflate", `${result.ratioWriterOverDeflate.toFixed(2)}x  (${result.cores} cores; the writer deflates on libuv's pool)`],
    ];
    const width = Math.max(...rows.map((r) => r[0].length));
    console.log("bench/io-write");
    for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);

    const out = join(REPO, "bench", "results");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "io-write.json"), JSON.stringify(result, null, 2) + "\n");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
