/**
 * Running a plan: every sample is streamed from its ROOT files in chunks of entries (on worker
 * threads, chunks.ts), the plan's expressions are evaluated by compiled kernels (runtime/columns)
 * into per-event columns, and each sample's histograms and cutflows are filled from those columns
 * in entry order on this thread, then added together in plan order — which is what makes the sums
 * the same bits whatever the chunk size, the number of threads or the order samples finish in.
 *
 * Per-event columns are cached by content hash (the plan's node hashes and the sample's input
 * identity): a run after a change reads a sample's ROOT files only when some column it needs is
 * new. A binning change refills from cached columns; a changed cut recomputes what depends on it.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, statSync } from "node:fs";
import * as path from "node:path";
import type { ExprIR, FilterNode, HistogramNode, CutflowNode, Origin, Plan, PlanNode, ReadNode, WeightNode } from "../../plan/types.js";
import { hashOf } from "../../plan/canonical.js";
import { openRoot, RootIoError, type RootFile } from "../io/index.js";
import { compileKernel, type Kernel, type KernelOutput } from "../columns/index.js";
import { atomicWrite, CacheWriter, cacheBudget, loadJson, openCachedColumn, pruneCache, type CachedColumn } from "./cache.js";
import { chunkRunner, defaultThreads, WorkerStopped, type ChunkDone } from "./chunks.js";
import { Count, SampleCutflow, scaleCount, zero } from "./cutflow.js";
import { RunError } from "./errors.js";
import { Hist1D, Hist2D, HistogramData, selectedIndices } from "./histogram.js";

export interface RunOptions {
  /** The folder the plan's input paths are relative to (the analysis file's folder). */
  analysisDir: string;
  /** Entries per chunk read from a file. */
  chunkSize?: number;
  /**
   * Threads that read and compute chunks (default: one per core). 1 does everything on this
   * thread; with more, worker threads take whole chunks and this thread only plans them and
   * fills histograms and cutflows from their outputs, in entry order.
   */
  threads?: number;
  /** Folder for cached columns; null disables caching. */
  cacheDir?: string | null;
  signal?: AbortSignal;
  /**
   * After each chunk: entries done in the sample; `total` the sample's entries when known, else
   * those of the files opened so far (`estimated`), with the file being read out of `files`.
   */
  onProgress?: (p: Progress) => void;
}

export interface Progress {
  sample: string;
  done: number;
  total: number;
  cached: boolean;
  /** The file being read (1-based) and the sample's number of files. */
  file?: number;
  files?: number;
  /** `total` counts only the files opened so far: later files are still to come. */
  estimated?: boolean;
}

export interface HistogramResult {
  node: string;
  origin: Origin;
  /** The output file, relative to the analysis folder. */
  file: string;
  /** Where it goes inside the file: REGION/NAME or REGION/NAME/SPLIT. */
  key: string;
  region: string;
  split: string | null;
  data: HistogramData;
}

export interface CutflowResult {
  node: string;
  file: string;
  regions: string[];
  samples: SampleCutflow[];
}

export interface SampleResult {
  name: string;
  entries: number;
  /** Sum of event weights over all entries (before any selection). */
  sumw: number;
  /** xsec × lumi / sum of generated weights, or 1. */
  norm: number;
  /** Whether the sample's ROOT files were read (false: every column came from the cache). */
  read: boolean;
}

export interface RunResult {
  histograms: HistogramResult[];
  cutflows: CutflowResult[];
  samples: SampleResult[];
  timings: { readMs: number; computeMs: number; fillMs: number };
  /** What did not stop the run but should be known (a column cache that could not be written). */
  warnings: string[];
}

/** Plans with models cannot run yet: one error per construct, before any work. */
export function unsupportedNodes(plan: Plan): RunError[] {
  const out: RunError[] = [];
  for (const n of plan.nodes) {
    if (n.kind === "train") out.push(new RunError("HEP6001", { what: `training model '${n.model}'`, reason: "model training is not implemented in this version of the runtime" }, n.origin));
    else if (n.kind === "predict" && n.modelKind === "onnx") out.push(new RunError("HEP6001", { what: `onnx model '${n.model}'`, reason: "ONNX inference is not implemented in this version of the runtime" }, n.origin));
    else if (n.kind === "evaluate") out.push(new RunError("HEP6001", { what: `evaluation of '${n.model}'`, reason: "evaluation is not implemented in this version of the runtime" }, n.origin));
  }
  return out;
}

const DEFAULT_CHUNK = 250_000;
/** Samples in progress at once when chunks run on worker threads. */
const SAMPLES_AT_ONCE = 2;

/** What a run did with the column cache: the files it used or wrote, and what went wrong. */
interface CacheLog {
  used: Set<string>;
  warnings: string[];
}

interface SampleOutcome {
  read: ReadNode;
  weight: WeightNode | undefined;
  cf: SampleCutflow;
  regionCounts: Count[];
  local: Map<string, Map<string, Hist1D | Hist2D>>;
  sumw: number;
  streamed: { entries: number; read: boolean };
}

/** Histograms outside any region, internally (a region may be called "all", their directory). */
const NO_REGION = "";

export async function runPlan(plan: Plan, opts: RunOptions): Promise<RunResult> {
  const blockers = unsupportedNodes(plan);
  if (blockers.length) throw blockers[0];
  const byId = new Map<string, PlanNode>(plan.nodes.map((n) => [n.id, n]));
  // Worker threads load their code while this thread checks the inputs and compiles kernels.
  chunkRunner(Math.max(1, opts.threads ?? defaultThreads())).prepare();
  await verifyInputs(plan, opts.analysisDir);

  const defines: Record<string, ExprIR> = {};
  const regions: Record<string, ExprIR> = {};
  for (const n of plan.nodes) {
    if (n.kind === "define") defines[n.name] = n.expr;
    if (n.kind === "filter" && n.scope === "region") regions[n.name] = n.expr;
  }
  const histNodes = plan.nodes.filter((n): n is HistogramNode => n.kind === "histogram");
  const cutflowNodes = plan.nodes.filter((n): n is CutflowNode => n.kind === "cutflow");
  const regionsUsed = [...new Set([...histNodes.flatMap((h) => h.regions), ...cutflowNodes.flatMap((c) => c.regions)])].sort();
  const fileOf = new Map<string, string>();
  for (const n of plan.nodes) if (n.kind === "write") for (const i of n.inputs) fileOf.set(i, n.path);
  const reads = plan.nodes.filter((n): n is ReadNode => n.kind === "read");
  const groupOf = new Map<string, string>();
  for (const [g, members] of Object.entries(plan.groups ?? {})) for (const m of members) if (!groupOf.has(m)) groupOf.set(m, g);

  const timings = { readMs: 0, computeMs: 0, fillMs: 0 };
  const cacheLog: CacheLog = { used: new Set(), warnings: [] };
  const samples: SampleResult[] = [];
  const sampleCutflows: SampleCutflow[] = [];
  // merged[histId][region][split] — filled per sample, scaled by its normalisation, then added in plan order
  const merged = new Map<string, Map<string, Map<string, Hist1D | Hist2D>>>();

  /** One sample, start to finish: its own histograms and cutflow, filled in its entry order. */
  const runSample = async (read: ReadNode, sopts: RunOptions): Promise<SampleOutcome> => {
    const weight = byId.get(`weight:${read.sample}`) as WeightNode | undefined;
    const select = byId.get(`select:${read.sample}`) as FilterNode | undefined;
    const refHash = (decl: string, name: string) => byId.get(`${decl === "region" ? "filter" : "define"}:${name}`)!.hash;
    const keyOf = (expr: ExprIR) => hashOf({ expr: withRefHashes(expr, refHash), read: read.hash });
    /** The events a histogram fills from: any of its regions, else the sample's selection, else all. */
    const needed = (h: HistogramNode): { expr: ExprIR; hash: string } | undefined => {
      if (h.regions.length) {
        const refs: ExprIR[] = h.regions.map((r) => ({ op: "ref", type: "bool", decl: "region", name: r }));
        return { expr: refs.reduce((a, b) => ({ op: "binary", fn: "or", type: "bool", args: [a, b] })), hash: hashOf({ regions: h.regions.map((r) => refHash("region", r)) }) };
      }
      return select ? { expr: select.expr, hash: hashOf({ sel: select.hash }) } : undefined;
    };

    const outputs: Array<KernelOutput & { cacheKey: string }> = [];
    if (weight?.expr) outputs.push({ key: "w", expr: weight.expr, as: "f64", cacheKey: hashOf({ w: weight.hash }) });
    if (select) outputs.push({ key: "sel", expr: select.expr, as: "mask", cacheKey: hashOf({ sel: select.hash }) });
    for (const r of regionsUsed) outputs.push({ key: `r:${r}`, expr: regions[r], as: "mask", cacheKey: hashOf({ region: byId.get(`filter:${r}`)!.hash, read: read.hash }) });
    // A histogram's variables are filled only for the events of its regions (or of the sample's
    // selection): the kernel computes them only there. The condition is part of the cache key, as
    // the values elsewhere are not computed.
    for (const h of histNodes) {
      const when = needed(h);
      h.vars.forEach((v, k) => outputs.push({ key: `v:${h.id}:${k}`, expr: v, as: "f64", when: when?.expr, cacheKey: when ? hashOf({ v: keyOf(v), when: when.hash }) : keyOf(v) }));
    }

    // ---- fill, chunk by chunk in entry order: memory stays bounded by the chunk size ----
    const cf: SampleCutflow = { sample: read.sample, class: read.class, entries: 0, selected: zero(), regions: Object.fromEntries(regionsUsed.map((r) => [r, zero()])) };
    const regionCounts: Count[] = regionsUsed.map((r) => cf.regions[r]);
    const local = new Map<string, Map<string, Hist1D | Hist2D>>(); // histId → region → hist of this sample
    for (const h of histNodes) {
      const perRegion = new Map<string, Hist1D | Hist2D>();
      local.set(h.id, perRegion);
      for (const r of h.regions.length ? h.regions : [NO_REGION]) {
        perRegion.set(r, h.vars.length === 1 ? new Hist1D(h.name, Float64Array.from(h.edges[0])) : new Hist2D(h.name, Float64Array.from(h.edges[0]), Float64Array.from(h.edges[1])));
      }
    }
    let sumw = 0;
    // index arrays reused from chunk to chunk, one per region
    const scratch = new Map<string, Int32Array>();
    const scratchFor = (r: string, n: number): Int32Array => {
      let a = scratch.get(r);
      if (!a || a.length < n) scratch.set(r, (a = new Int32Array(n)));
      return a;
    };
    const streamed = await streamSample(plan, read, outputs, { defines, regions }, sopts, timings, cacheLog, (chunk) => {
      const t0 = performance.now();
      const cols = chunk.columns;
      const n = chunk.n;
      const w = cols.get("w") as Float64Array | undefined;
      const sel = cols.get("sel") as Uint8Array | undefined;
      const masks = regionsUsed.map((r) => cols.get(`r:${r}`) as Uint8Array);
      // Weights first, event by event: a bad one stops the run before anything is filled from it.
      if (w) {
        for (let i = 0; i < n; i++) {
          const wi = w[i];
          if (wi - wi !== 0) {
            const where = chunk.locate(i);
            throw new RunError("HEP6003", { sample: read.sample, value: String(wi), entry: where.entry, file: where.file }, weight!.origin);
          }
          sumw += wi;
        }
      } else sumw += n;
      // Then each accumulator over the chunk in entry order (the order of its additions is what
      // fixes its bits, not how the loops nest).
      // A region's events are those of the sample's selection in the region, resolved once per
      // chunk into ascending indices that every accumulator of the region then walks.
      const passing = new Map<string, { idx: Int32Array; count: number }>();
      passing.set(NO_REGION, selectedIndices(n, sel ?? null, scratchFor(NO_REGION, n)));
      regionsUsed.forEach((r, k) => passing.set(r, selectedIndices(n, sel ? andMasks(n, sel, masks[k]) : masks[k], scratchFor(r, n))));
      const all = passing.get(NO_REGION)!;
      countIndexed(cf.selected, all.count, all.idx, w ?? null);
      regionsUsed.forEach((r, k) => countIndexed(regionCounts[k], passing.get(r)!.count, passing.get(r)!.idx, w ?? null));
      for (const h of histNodes) {
        const x = cols.get(`v:${h.id}:0`) as Float64Array;
        const y = cols.get(`v:${h.id}:1`) as Float64Array | undefined;
        const hw = h.weighted ? w ?? null : null;
        for (const [r, hist] of local.get(h.id)!) {
          const { idx, count } = passing.get(r)!;
          if (y) (hist as Hist2D).fillIndexed(count, idx, x, y, hw);
          else (hist as Hist1D).fillIndexed(count, idx, x, hw);
        }
      }
      timings.fillMs += performance.now() - t0;
    });
    cf.entries = streamed.entries;
    return { read, weight, cf, regionCounts, local, sumw, streamed };
  };

  // Samples run a few at a time with threads (a sample's last chunks would otherwise leave threads
  // idle until the next sample starts), one at a time without. Each fills only its own
  // accumulators, in its own entry order; they are normalised and added together below in plan
  // order, so the result does not depend on which sample finishes first.
  const outcomes = await inWindow(reads, Math.max(1, opts.threads ?? defaultThreads()) > 1 ? SAMPLES_AT_ONCE : 1, opts.signal, (read, signal) => runSample(read, { ...opts, signal }));

  for (const { read, weight, cf, regionCounts, local, sumw, streamed } of outcomes) {
    const norm = weight?.xsec != null && weight.lumi != null ? (weight.xsec * weight.lumi) / (weight.sumw ?? sumw) : 1;
    if (norm !== 1) {
      scaleCount(cf.selected, norm);
      for (const c of regionCounts) scaleCount(c, norm);
    }
    for (const h of histNodes) {
      const split = h.by === "sample" ? read.sample : h.by === "class" ? read.class ?? "unclassified" : h.by === "group" ? groupOf.get(read.sample) ?? read.sample : "";
      let perRegion = merged.get(h.id);
      if (!perRegion) merged.set(h.id, (perRegion = new Map()));
      for (const [r, hist] of local.get(h.id)!) {
        if (h.weighted && norm !== 1) hist.scale(norm);
        let bySplit = perRegion.get(r);
        if (!bySplit) perRegion.set(r, (bySplit = new Map()));
        const target = bySplit.get(split);
        if (target) (target as Hist1D).add(hist as Hist1D);
        else bySplit.set(split, hist);
      }
    }
    samples.push({ name: read.sample, entries: streamed.entries, sumw, norm, read: streamed.read });
    sampleCutflows.push(cf);
  }

  const histograms: HistogramResult[] = [];
  for (const h of histNodes) {
    for (const [r, bySplit] of merged.get(h.id) ?? []) {
      for (const [split, hist] of [...bySplit].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
        const dir = r === NO_REGION ? "all" : r;
        histograms.push({ node: h.id, origin: h.origin, file: fileOf.get(h.id) ?? "", key: split ? `${dir}/${h.name}/${split}` : `${dir}/${h.name}`, region: dir, split: split || null, data: hist.data() });
      }
    }
  }
  const cutflows: CutflowResult[] = cutflowNodes.map((c) => ({
    node: c.id,
    file: fileOf.get(c.id) ?? "",
    regions: c.regions,
    samples: sampleCutflows.map((s) => ({ ...s, regions: Object.fromEntries(c.regions.map((r) => [r, s.regions[r]])) })),
  }));
  // The cache stays within its budget; what this run used is the last to go.
  if (opts.cacheDir) {
    const dir = path.join(opts.cacheDir, "columns");
    const budget = cacheBudget();
    const { removed, total } = pruneCache(dir, budget, cacheLog.used);
    if (total - removed > budget) {
      cacheLog.warnings.push(`the column cache holds ${(total - removed) / 2 ** 30 < 0.1 ? `${Math.round((total - removed) / 2 ** 20)} MiB` : `${((total - removed) / 2 ** 30).toFixed(1)} GiB`}, more than its budget of ${budget / 2 ** 30} GiB, all of it used by this run (set HEPC_CACHE_SIZE, or run with --no-cache)`);
    }
  }
  return { histograms, cutflows, samples, timings, warnings: cacheLog.warnings };
}

/**
 * `work` on every item, at most `width` at a time, results in the items' order. When one fails,
 * the others are told to stop (through the signal they are given) and are waited for, so nothing
 * is left running or open; then the first failure is thrown (an interruption if the user's signal
 * fired first).
 */
async function inWindow<T, R>(items: T[], width: number, signal: AbortSignal | undefined, work: (item: T, signal: AbortSignal) => Promise<R>): Promise<R[]> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener("abort", onAbort);
  if (signal?.aborted) stop.abort();
  const results: R[] = new Array(items.length);
  let next = 0;
  const state: { failure: { error: unknown } | null } = { failure: null };
  const lane = async (): Promise<void> => {
    while (next < items.length && !state.failure) {
      const k = next++;
      try {
        results[k] = await work(items[k], stop.signal);
      } catch (e) {
        // the interruption of a sample stopped because another one failed is not news
        const knockOn = e instanceof RunError && e.code === "HEP6005" && !signal?.aborted;
        if (!state.failure && !knockOn) state.failure = { error: e };
        stop.abort();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  if (state.failure) throw state.failure.error;
  if (signal?.aborted) throw new RunError("HEP6005", {});
  return results;
}

function andMasks(n: number, a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i] & b[i];
  return out;
}

/** Adds the events idx[0..count) of a chunk, in entry order. */
function countIndexed(c: Count, count: number, idx: Int32Array, w: Float64Array | null): void {
  c.raw += count;
  if (w === null) {
    // exact: integers below 2^53
    c.weighted += count;
    c.sumw2 += count;
    return;
  }
  let weighted = c.weighted;
  let sumw2 = c.sumw2;
  for (let q = 0; q < count; q++) {
    const wi = w[idx[q]];
    weighted += wi;
    sumw2 += wi * wi;
  }
  c.weighted = weighted;
  c.sumw2 = sumw2;
}

/** References replaced by the referenced nodes' hashes: cache keys that survive renames. */
function withRefHashes(e: ExprIR, refHash: (decl: string, name: string) => string): unknown {
  if (e.op === "ref") return { op: "ref", type: e.type, target: refHash(e.decl, e.name) };
  if ("args" in e) return { ...e, args: e.args.map((a) => withRefHashes(a, refHash)) };
  return e;
}

export interface Chunk {
  n: number;
  /** Entry index of the chunk's first event within its sample. */
  entry0: number;
  columns: Map<string, Float64Array | Uint8Array>;
  /** The file and entry within it of the chunk's i-th event. */
  locate(i: number): { file: string; entry: number };
}

/**
 * Streams one sample's per-event columns in chunks, in entry order. Columns come from the cache
 * where present (read chunk by chunk from their files), the rest are computed from the sample's
 * ROOT files; freshly computed columns are appended to temporary cache files and renamed into the
 * cache only when the sample is complete, so an interrupted run leaves no partial cache entry.
 */
async function streamSample(
  plan: Plan,
  read: ReadNode,
  outputs: Array<KernelOutput & { cacheKey: string }>,
  decls: { defines: Record<string, ExprIR>; regions: Record<string, ExprIR> },
  opts: RunOptions,
  timings: RunResult["timings"],
  cacheLog: CacheLog,
  onChunk: (c: Chunk) => void,
): Promise<{ entries: number; read: boolean }> {
  const cacheDir = opts.cacheDir ? path.join(opts.cacheDir, "columns") : null;
  const chunkSize = Math.max(1, opts.chunkSize ?? DEFAULT_CHUNK);
  const entriesKey = hashOf({ entries: read.hash });
  const meta = cacheDir ? cacheMeta(loadJson(path.join(cacheDir, `${entriesKey}.json`)), read.files.length) : undefined;
  const cached = new Map<string, CachedColumn>();
  if (cacheDir && meta) {
    cacheLog.used.add(path.join(cacheDir, `${entriesKey}.json`));
    for (const o of outputs) {
      const p = path.join(cacheDir, `${o.cacheKey}.bin`);
      const c = openCachedColumn(p, o.as, meta.entries);
      if (c) {
        cached.set(o.key, c);
        cacheLog.used.add(p);
      }
    }
  }
  let missing = outputs.filter((o) => !cached.has(o.key));
  const locator = (fileEntries: number[]) => (entry0: number) => (i: number) => {
    let start = 0;
    const e = entry0 + i;
    for (let k = 0; k < fileEntries.length; k++) {
      if (e < start + fileEntries[k]) return { file: read.files[k], entry: e - start };
      start += fileEntries[k];
    }
    return { file: read.files[read.files.length - 1] ?? "", entry: e };
  };

  try {
    if (missing.length === 0 && meta) {
      const at = locator(meta.files);
      for (let start = 0; start < meta.entries; start += chunkSize) {
        if (opts.signal?.aborted) throw new RunError("HEP6005", {});
        const stop = Math.min(meta.entries, start + chunkSize);
        const columns = new Map<string, Float64Array | Uint8Array>();
        for (const [key, c] of cached) columns.set(key, sliceOrFail(c, start, stop, read));
        onChunk({ n: stop - start, entry0: start, columns, locate: at(start) });
        opts.onProgress?.({ sample: read.sample, done: stop, total: meta.entries, cached: true });
      }
      return { entries: meta.entries, read: false };
    }

    const files = read.files.map((f) => path.resolve(opts.analysisDir, f));
    // Cached columns computed alongside fresh ones must line up with the files' entries: checked
    // before anything is filled (the files' metadata is usually still parsed from the check), and
    // if anything disagrees the cache is set aside for this sample and everything recomputed.
    if (cached.size && meta && !(await entriesAgree(files, read, meta.files))) {
      for (const c of cached.values()) c.close();
      cached.clear();
      missing = outputs;
    }
    const kernel: Kernel = compileKernel({ outputs: missing.map(({ key, expr, as, when }) => ({ key, expr, as, when })), defines: decls.defines, regions: decls.regions, collections: plan.collections });
    const threads = Math.max(1, opts.threads ?? defaultThreads());
    const runner = chunkRunner(threads);
    const writers = new Map<string, CacheWriter>();
    /** Chunks handed to the runner and not yet consumed, in entry order. */
    const queue: Array<{ done: Promise<ChunkDone>; entry0: number; n: number; file: number }> = [];
    const ioError = (e: unknown, k: number): unknown =>
      e instanceof RootIoError
        ? new RunError("HEP6002", { sample: read.sample, file: read.files[k], reason: e.detail + (e.basket !== undefined ? ` (branch '${e.branch}', basket ${e.basket})` : e.branch ? ` (branch '${e.branch}')` : "") }, read.origin)
        : e instanceof WorkerStopped
          ? new RunError("HEP6008", { sample: read.sample, file: read.files[k], reason: e.reason }, read.origin)
          : e instanceof Error && e.name === "KernelDataError"
            ? // the kernel's checks of its columns (branches of a collection that disagree): the file's data
              new RunError("HEP6002", { sample: read.sample, file: read.files[k], reason: e.message.replace(/^hepc kernel: /, "") }, read.origin)
            : e;
    // Files are opened in order, each while the chunks of the one before are being computed, and
    // closed once their chunks are planned (workers read by path): open handles and metadata in
    // memory stay at two files however long the chain.
    const open = (k: number): Promise<{ handle: RootFile; entries: number }> =>
      (async () => {
        const handle = await openRootOrFail(files[k], read);
        try {
          return { handle, entries: (await handle.tree(read.tree)).entries };
        } catch (e) {
          await handle.close();
          throw ioError(e, k);
        }
      })();
    let next: Promise<{ handle: RootFile; entries: number }> | null = files.length ? open(0) : null;
    next?.catch(() => {}); // awaited (and its failure reported) below
    let current: RootFile | null = null;
    try {
      let caching = false;
      if (cacheDir) {
        try {
          mkdirSync(cacheDir, { recursive: true });
          caching = true;
          for (const o of missing) writers.set(o.key, new CacheWriter(path.join(cacheDir, `${o.cacheKey}.bin`)));
        } catch (e) {
          cacheLog.warnings.push(`the column cache ${cacheDir} cannot be written (${(e as Error).message}): sample '${read.sample}' will be read again next time`);
        }
      }
      const fileEntries: number[] = [];
      const at = locator(fileEntries);
      /** Entries of the sample, where known before the last file is open (progress only). */
      const known = meta && cached.size ? meta.entries : undefined;
      let read0 = 0; // entries in the files opened so far
      // Chunks are consumed strictly in entry order, whichever thread finishes first.
      const consume = async (): Promise<void> => {
        const c = queue.shift()!;
        let d: ChunkDone;
        try {
          d = await c.done;
        } catch (e) {
          throw ioError(e, c.file);
        }
        timings.readMs += d.readMs;
        timings.computeMs += d.computeMs;
        const columns = new Map(d.outputs);
        for (const [key, col] of cached) columns.set(key, sliceOrFail(col, c.entry0, c.entry0 + c.n, read));
        for (const [key, wr] of writers) wr.append(columns.get(key)!);
        onChunk({ n: c.n, entry0: c.entry0, columns, locate: at(c.entry0) });
        runner.recycle(d.outputs);
        const filesLeft = files.length - fileEntries.length;
        opts.onProgress?.({ sample: read.sample, done: c.entry0 + c.n, total: known ?? read0, cached: false, file: c.file + 1, files: files.length, ...(known === undefined && filesLeft > 0 ? { estimated: true } : {}) });
      };
      let offset = 0;
      for (let k = 0; k < files.length; k++) {
        const opened = await next!;
        current = opened.handle;
        next = k + 1 < files.length ? open(k + 1) : null;
        next?.catch(() => {});
        const entries = opened.entries;
        fileEntries.push(entries);
        read0 += entries;
        let ranges: Array<[number, number]>;
        try {
          const target = chunkTarget(chunkSize, entries, runner.capacity);
          ranges = chunkRanges(entries, await current.basketStarts(read.tree, kernel.branches), target, chunkSize);
        } catch (e) {
          throw ioError(e, k);
        }
        for (const [start, stop] of ranges) {
          if (opts.signal?.aborted) throw new RunError("HEP6005", {});
          let readPlan;
          try {
            readPlan = await current.plan(read.tree, kernel.branches, { start, stop });
          } catch (e) {
            throw ioError(e, k);
          }
          const done = runner.run(kernel, readPlan, offset + start);
          done.catch(() => {}); // consumed (and its failure reported) in order, by `consume`
          queue.push({ done, entry0: offset + start, n: stop - start, file: k });
          while (queue.length >= runner.capacity) await consume();
        }
        await current.close();
        current = null;
        offset += entries;
      }
      while (queue.length) {
        if (opts.signal?.aborted) throw new RunError("HEP6005", {});
        await consume();
      }
      let failure: string | undefined;
      for (const [key, wr] of writers) {
        if (wr.commit()) cacheLog.used.add(path.join(cacheDir!, `${missing.find((o) => o.key === key)!.cacheKey}.bin`));
        else failure ??= wr.failure;
      }
      writers.clear();
      if (cacheDir && caching && failure === undefined) {
        const p = path.join(cacheDir, `${entriesKey}.json`);
        try {
          atomicWrite(p, JSON.stringify({ entries: offset, files: fileEntries }));
          cacheLog.used.add(p);
        } catch (e) {
          failure = (e as Error).message;
        }
      }
      if (failure !== undefined) cacheLog.warnings.push(`sample '${read.sample}': its columns were not cached (${failure}); it will be read again next time`);
      return { entries: offset, read: true };
    } finally {
      // Chunks still running (after a failure or an interruption) finish before anything closes.
      await Promise.allSettled(queue.map((c) => c.done));
      runner.release();
      for (const wr of writers.values()) wr.discard();
      await current?.close();
      if (next) await next.then((o) => o.handle.close(), () => {});
    }
  } finally {
    for (const c of cached.values()) c.close();
  }
}

/** A cache's record of a sample's entries, if it has the expected shape (else it is not used). */
function cacheMeta(v: unknown, files: number): { entries: number; files: number[] } | undefined {
  const m = v as { entries?: unknown; files?: unknown } | undefined;
  if (!m || typeof m.entries !== "number" || !Array.isArray(m.files) || m.files.length !== files) return undefined;
  if (!m.files.every((x) => Number.isInteger(x) && x >= 0) || m.files.reduce((a: number, b: number) => a + b, 0) !== m.entries) return undefined;
  return { entries: m.entries, files: m.files as number[] };
}

/** Whether each file has the entries a cache recorded for it (files that cannot be read: no). */
async function entriesAgree(files: string[], read: ReadNode, recorded: number[]): Promise<boolean> {
  for (let k = 0; k < files.length; k++) {
    let f: RootFile | undefined;
    try {
      f = await openRoot(files[k]);
      if ((await f.tree(read.tree)).entries !== recorded[k]) return false;
    } catch {
      return false; // reported as it should be when the file is read for real
    } finally {
      await f?.close();
    }
  }
  return true;
}

/** A slice of a cached column; a column damaged while in use is a reading error of the sample. */
function sliceOrFail(c: CachedColumn, start: number, stop: number, read: ReadNode): Float64Array | Uint8Array {
  try {
    return c.slice(start, stop);
  } catch (e) {
    throw new RunError("HEP6002", { sample: read.sample, file: ".hepc/cache", reason: `${(e as Error).message}; delete .hepc/cache and run again` }, read.origin);
  }
}

/**
 * The entries per chunk to aim at for one file: at most the chunk size, and small enough that the
 * file gives every thread work (a file smaller than the chunk size would otherwise be one chunk on
 * one thread), but not so small that handing a chunk over costs more than computing it.
 */
export function chunkTarget(chunkSize: number, entries: number, inFlight: number): number {
  if (inFlight <= 1) return chunkSize;
  return Math.max(1, Math.min(chunkSize, Math.max(MIN_PARALLEL_CHUNK, Math.ceil(entries / inFlight))));
}
const MIN_PARALLEL_CHUNK = 8192;

/**
 * Splits `entries` into chunks of about `target` and at most `max` entries, at edges where every
 * branch starts a basket (ROOT's clusters) wherever possible: a basket split between two chunks is
 * decompressed twice, so a file written as one basket per branch stays one chunk (up to `max`)
 * and threads share the work file by file instead. `starts` holds, per branch, the first entry of
 * each of its baskets. Correctness never depends on the edges, only speed.
 */
export function chunkRanges(entries: number, starts: number[][], target: number, max = target): Array<[number, number]> {
  target = Math.max(1, Math.min(target, max));
  let edges: number[] = [];
  if (starts.length) {
    const counts = new Map<number, number>();
    for (const branch of starts) for (const e of new Set(branch)) counts.set(e, (counts.get(e) ?? 0) + 1);
    edges = [...counts].filter(([e, c]) => c === starts.length && e > 0 && e < entries).map(([e]) => e).sort((a, b) => a - b);
  }
  edges.push(entries);
  const out: Array<[number, number]> = [];
  let pos = 0;
  let i = 0; // edges[i] is the first edge past pos
  while (pos < entries) {
    while (edges[i] <= pos) i++;
    let j = i; // then edges[j] is the last edge within the target, if edges[i] is within it
    while (j + 1 < edges.length && edges[j + 1] <= pos + target) j++;
    const within = edges[j] <= pos + target ? edges[j] : undefined;
    const next = within === undefined ? edges[i] : edges[j + 1];
    let stop: number;
    if (within !== undefined && within - pos >= target / 2) stop = within;
    else if (next !== undefined && next - pos <= max) stop = next;
    else if (within !== undefined) stop = within;
    else stop = pos + max; // no shared edge within reach: split a basket
    out.push([pos, stop]);
    pos = stop;
  }
  return out;
}

async function openRootOrFail(file: string, read: ReadNode): Promise<RootFile> {
  try {
    return await openRoot(file);
  } catch (e) {
    if (e instanceof RootIoError) throw new RunError("HEP6002", { sample: read.sample, file: path.basename(file), reason: e.detail }, read.origin);
    throw e;
  }
}

/** Inputs must still be what the plan recorded: size and modification time, or the locked sha256. */
async function verifyInputs(plan: Plan, dir: string): Promise<void> {
  const readNode = (p: string) => plan.nodes.find((n) => n.kind === "read" && n.files.includes(p));
  for (const input of plan.inputs) {
    const abs = path.resolve(dir, input.path);
    const origin = readNode(input.path)?.origin;
    if (!existsSync(abs)) throw new RunError("HEP6004", { file: input.path, detail: "it no longer exists" }, origin);
    const st = statSync(abs);
    if (st.size !== input.size) throw new RunError("HEP6004", { file: input.path, detail: `size ${st.size}, planned ${input.size}` }, origin);
    if (input.sha256) {
      const h = createHash("sha256");
      for await (const c of createReadStream(abs)) h.update(c as Buffer);
      const actual = h.digest("hex");
      if (actual !== input.sha256) throw new RunError("HEP6004", { file: input.path, detail: `sha256 ${actual.slice(0, 12)}…, locked ${input.sha256.slice(0, 12)}…` }, origin);
    } else if (input.mtimeMs !== undefined && Math.floor(st.mtimeMs) !== input.mtimeMs) {
      throw new RunError("HEP6004", { file: input.path, detail: "modified after the plan was made" }, origin);
    }
  }
}

