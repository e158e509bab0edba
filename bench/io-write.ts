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
 *
 * Jagged case: 10 jagged f4 branches sharing one count branch (0 to 8 values per entry, about 3
 * on average, as jets in an event), 1,000,000 entries by default, against hepc's flat writing of
 * exactly the same values (one flat branch per jagged one, one entry per value), measured in the
 * same run: the ratio is what counts and entry offsets cost per value written. (The reference
 * would be uproot writing the same arrays, where Python's uproot is installed; it is not packaged
 * for the systems the project runs on, so the flat writer of the same values stands in.)
 *   HEPC_BENCH_WRITE_JAGGED_ENTRIES=1000000
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

/** Also the jagged case's reference (its values as flat branches). */
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

const JAGGED_ENTRIES = Number(process.env.HEPC_BENCH_WRITE_JAGGED_ENTRIES ?? ENTRIES);
const JAGGED_BRANCHES = 10;

function makeJagged(n: number): { offsets: Int32Array; cols: Float32Array[] } {
  const r = rng(7);
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + Math.min(8, Math.floor(-Math.log(1 - r()) * 3));
  const total = offsets[n];
  const cols: Float32Array[] = [];
  for (let b = 0; b < JAGGED_BRANCHES; b++) {
    const c = new Float32Array(total);
    for (let i = 0; i < total; i++) c[i] = b % 2 ? Math.round(-Math.log(1 - r()) * 4000) / 100 : r() * 5 - 2.5;
    cols.push(c);
  }
  return { offsets, cols };
}

async function writeJagged(path: string, d: { offsets: Int32Array; cols: Float32Array[] }, n: number): Promise<number> {
  const specs: TreeColumnSpec[] = [{ name: "nJet", dtype: "i4" }, ...d.cols.map((_, i) => ({ name: `Jet_v${i}`, dtype: "f4" as const, counter: "nJet" }))];
  const t0 = performance.now();
  const w = await createRootFile(path, { compression: { algorithm: "zlib", level: LEVEL } });
  const t = w.tree("events", "bench jagged", specs);
  for (let a = 0; a < n; a += CHUNK) {
    const o = d.offsets.subarray(a, Math.min(n, a + CHUNK) + 1);
    const chunk: Record<string, { offsets: Int32Array; values: Float32Array }> = {};
    d.cols.forEach((c, i) => (chunk[`Jet_v${i}`] = { offsets: o, values: c }));
    await t.append(chunk);
  }
  await w.close();
  return (performance.now() - t0) / 1000;
}

async function jaggedCase(dir: string) {
  const d = makeJagged(JAGGED_ENTRIES);
  const total = d.offsets[JAGGED_ENTRIES];
  await writeJagged(join(dir, "warm-j.root"), d, Math.min(JAGGED_ENTRIES, 100_000));
  const jagged: number[] = [];
  const flat: number[] = [];
  let jaggedBytes = 0;
  let flatBytes = 0;
  for (let run = 0; run < RUNS; run++) {
    const pj = join(dir, `j${run}.root`);
    jagged.push(await writeJagged(pj, d, JAGGED_ENTRIES));
    jaggedBytes = (await stat(pj)).size;
    await rm(pj);
    const pf = join(dir, `f${run}.root`);
    flat.push(await writeOnce(pf, d.cols, total));
    flatBytes = (await stat(pf)).size;
    await rm(pf);
  }
  const j = median(jagged);
  const f = median(flat);
  return {
    entries: JAGGED_ENTRIES,
    values: total,
    branches: JAGGED_BRANCHES,
    jaggedWriter: { medianSeconds: j, all: jagged, fileBytes: jaggedBytes, valuesPerSecond: (total * JAGGED_BRANCHES) / j },
    flatWriterSameValues: { medianSeconds: f, all: flat, fileBytes: flatBytes },
    reference: "hepc flat writer of the same values (Python uproot not installed)",
    ratioJaggedOverFlat: j / f,
  };
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
      jagged: await jaggedCase(dir),
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
      ["jagged data", `${result.jagged.entries.toLocaleString("en-US")} entries, ${result.jagged.values.toLocaleString("en-US")} values x ${result.jagged.branches} f4 branches + count`],
      ["jagged writer", `${result.jagged.jaggedWriter.medianSeconds.toFixed(2)} s median  ${(result.jagged.jaggedWriter.valuesPerSecond / 1e6).toFixed(1)} M values/s  ${(result.jagged.jaggedWriter.fileBytes / 1e6).toFixed(1)} MB`],
      ["flat, same values", `${result.jagged.flatWriterSameValues.medianSeconds.toFixed(2)} s median  ${(result.jagged.flatWriterSameValues.fileBytes / 1e6).toFixed(1)} MB (${result.jagged.reference})`],
      ["jagged / flat", `${result.jagged.ratioJaggedOverFlat.toFixed(2)}x`],
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
