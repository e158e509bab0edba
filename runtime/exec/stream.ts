/**
 * Per-sample streaming: one sample's per-event columns in chunks, in entry order, computed by the
 * kernel from its ROOT files (on worker threads, chunks.ts) or read from the column cache. Every
 * pass of the executor streams samples through here; what it does with a chunk is the caller's.
 *
 * Per-event columns are cached by content hash (the plan's node hashes and the sample's input
 * identity): a pass reads a sample's ROOT files only when some column it needs is new.
 */
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import type { CollectionIR, ExprIR, Plan, ReadNode } from "../../plan/types.js";
import { hashOf } from "../../plan/canonical.js";
import { openRoot, RootIoError, type ReadPlan, type RootFile } from "../io/index.js";
import { compileKernel, type Kernel, type KernelOutput, randomStream, type VirtualColumn } from "../columns/index.js";
import { atomicWrite, CacheWriter, loadJson, openCachedColumn, type CachedColumn } from "./cache.js";
import { chunkRunner, defaultThreads, WorkerStopped, type ChunkDone } from "./chunks.js";
import { RunError } from "./errors.js";
import type { RunOptions, RunResult } from "./types.js";

export const DEFAULT_CHUNK = 250_000;

/** What a run did with the column cache: the files it used or wrote, and what went wrong. */
export interface CacheLog {
  used: Set<string>;
  warnings: string[];
}

/** A kernel output with the content address its cached column is stored under. */
export type CachedOutput = KernelOutput & { cacheKey: string };

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
export async function streamSample(
  plan: Plan,
  read: ReadNode,
  outputs: Array<KernelOutput & { cacheKey: string }>,
  decls: { defines: Record<string, ExprIR>; regions: Record<string, ExprIR>; collections?: CollectionIR[]; virtual?: VirtualColumn[] },
  opts: RunOptions,
  timings: RunResult["timings"],
  cacheLog: CacheLog,
  /** Columns the kernel reads besides branches (model scores from an earlier pass), each of the sample's entries. */
  inputColumns: ReadonlyMap<string, Float64Array> | undefined,
  /** Awaited before the next chunk is handed over. */
  onChunk: (c: Chunk) => void | Promise<void>,
): Promise<{ entries: number; read: boolean }> {
  const cacheDir = opts.cacheDir ? path.join(opts.cacheDir, "columns") : null;
  const chunkSize = Math.max(1, opts.chunkSize ?? DEFAULT_CHUNK);
  const entriesKey = hashOf({ entries: read.hash });
  const meta = cacheDir ? cacheMeta(loadJson(path.join(cacheDir, `${entriesKey}.json`)), read.files.length) : undefined;
  const cached = new Map<string, CachedColumn>();
  if (cacheDir && meta) {
    cacheLog.used.add(path.join(cacheDir, `${entriesKey}.json`));
    for (const o of outputs) {
      // Lists are not cached (their size per entry varies): they are computed from the files each time.
      if (o.as === "list") continue;
      const p = path.join(cacheDir, `${o.cacheKey}.bin`);
      const c = openCachedColumn(p, o.as, meta.entries);
      if (c) {
        cached.set(o.key, c);
        cacheLog.used.add(p);
      }
    }
  }
  let missing = outputs.filter((o) => !cached.has(o.key));
  const part = opts.part;
  /** Indices into read.files of the files this stream reads: all of them, or a scale-out task's part. */
  const fileIdx = part ? part.files : read.files.map((_, k) => k);
  const base = part?.offset ?? 0;
  const locator = (fileEntries: number[]) => (entry0: number) => (i: number) => {
    let start = base;
    const e = entry0 + i;
    for (let k = 0; k < fileEntries.length; k++) {
      if (e < start + fileEntries[k]) return { file: read.files[fileIdx[k]], entry: e - start };
      start += fileEntries[k];
    }
    return { file: read.files[fileIdx[fileIdx.length - 1]] ?? "", entry: e - base };
  };

  try {
    if (missing.length === 0 && meta && !part) {
      const at = locator(meta.files);
      for (let start = 0; start < meta.entries; start += chunkSize) {
        if (opts.signal?.aborted) throw new RunError("HEP6005", {});
        const stop = Math.min(meta.entries, start + chunkSize);
        const columns = new Map<string, Float64Array | Uint8Array>();
        for (const [key, c] of cached) columns.set(key, sliceOrFail(c, start, stop, read));
        await onChunk({ n: stop - start, entry0: start, columns, locate: at(start) });
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
    const kernel: Kernel = compileKernel({ outputs: missing.map(({ key, expr, as, when, per }) => ({ key, expr, as, when, ...(per ? { per } : {}) })), defines: decls.defines, regions: decls.regions, collections: decls.collections ?? plan.collections, virtual: decls.virtual, stream: randomStream(read.sample) });
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
    // A friend tree (`friend ... tree ...`): its branches come from file k of the friend's files,
    // planned over the same entries as the sample's file k and read together with its own.
    const friend = read.friend;
    const friendSet = new Set(friend?.branches ?? []);
    const friendBranches = kernel.branches.filter((b) => friendSet.has(b));
    const ownBranches = kernel.branches.filter((b) => !friendSet.has(b));
    const friendFiles = friend ? friend.files.map((f) => path.resolve(opts.analysisDir, f)) : [];
    type Opened = { handle: RootFile; friend: RootFile | null; entries: number };
    const open = (k: number): Promise<Opened> =>
      (async () => {
        const handle = await openRootOrFail(files[k], read);
        let other: RootFile | null = null;
        try {
          const entries = (await handle.tree(read.tree)).entries;
          if (friend && friendBranches.length) {
            other = await openRootOrFail(friendFiles[k], read);
            const fe = (await other.tree(friend.tree)).entries;
            if (fe !== entries) throw new RunError("HEP6040", { sample: read.sample, tree: friend.tree, file: friend.files[k], entries: fe, sampleTree: read.tree, sampleFile: read.files[k], sampleEntries: entries }, read.origin);
          }
          return { handle, friend: other, entries };
        } catch (e) {
          await handle.close();
          await other?.close();
          throw e instanceof RunError ? e : ioError(e, k);
        }
      })();
    let next: Promise<Opened> | null = fileIdx.length ? open(fileIdx[0]) : null;
    next?.catch(() => {}); // awaited (and its failure reported) below
    let current: RootFile | null = null;
    let currentFriend: RootFile | null = null;
    try {
      let caching = false;
      if (cacheDir) {
        try {
          mkdirSync(cacheDir, { recursive: true });
          caching = true;
          for (const o of missing) if (o.as !== "list") writers.set(o.key, new CacheWriter(path.join(cacheDir, `${o.cacheKey}.bin`)));
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
        await onChunk({ n: c.n, entry0: c.entry0, columns, locate: at(c.entry0) });
        runner.recycle(d.outputs);
        const filesLeft = fileIdx.length - fileEntries.length;
        opts.onProgress?.({ sample: read.sample, done: c.entry0 + c.n - (part?.start ?? 0), total: part ? part.stop - part.start : known ?? read0, cached: false, file: c.file + 1, files: files.length, ...(known === undefined && filesLeft > 0 && !part ? { estimated: true } : {}) });
      };
      let offset = base;
      for (let q = 0; q < fileIdx.length; q++) {
        const k = fileIdx[q];
        const opened = await next!;
        current = opened.handle;
        currentFriend = opened.friend;
        next = q + 1 < fileIdx.length ? open(fileIdx[q + 1]) : null;
        next?.catch(() => {});
        const entries = opened.entries;
        fileEntries.push(entries);
        read0 += entries;
        // A part reads only its entries [start, stop) of the sample: the chunks are clipped to them.
        const lo = part ? Math.max(0, part.start - offset) : 0;
        const hi = part ? Math.min(entries, part.stop - offset) : entries;
        let ranges: Array<[number, number]>;
        try {
          const target = chunkTarget(chunkSize, entries, runner.capacity);
          const starts = ownBranches.length || !currentFriend ? await current.basketStarts(read.tree, ownBranches) : await currentFriend.basketStarts(friend!.tree, friendBranches);
          ranges = chunkRanges(entries, starts, target, chunkSize);
        } catch (e) {
          throw ioError(e, k);
        }
        if (part) ranges = ranges.map(([a, b]): [number, number] => [Math.max(a, lo), Math.min(b, hi)]).filter(([a, b]) => a < b);
        for (const [start, stop] of ranges) {
          if (opts.signal?.aborted) throw new RunError("HEP6005", {});
          let readPlan;
          try {
            readPlan = await current.plan(read.tree, ownBranches, { start, stop });
            if (currentFriend) readPlan = joinPlans(readPlan, await currentFriend.plan(friend!.tree, friendBranches, { start, stop }));
          } catch (e) {
            throw ioError(e, k);
          }
          const done = runner.run(kernel, readPlan, offset + start, kernel.inputs.length ? inputsFor(kernel.inputs, inputColumns, offset + start, offset + stop) : undefined);
          done.catch(() => {}); // consumed (and its failure reported) in order, by `consume`
          queue.push({ done, entry0: offset + start, n: stop - start, file: k });
          while (queue.length >= runner.capacity) await consume();
        }
        await current.close();
        current = null;
        await currentFriend?.close();
        currentFriend = null;
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
      if (cacheDir && caching && failure === undefined && !part) {
        const p = path.join(cacheDir, `${entriesKey}.json`);
        try {
          atomicWrite(p, JSON.stringify({ entries: offset, files: fileEntries }));
          cacheLog.used.add(p);
        } catch (e) {
          failure = (e as Error).message;
        }
      }
      if (failure !== undefined) {
        // a part's columns are its whole output: not writing them is a failure of the task
        if (part) throw new RunError("HEP6006", { path: cacheDir ?? "(no folder)", reason: failure });
        cacheLog.warnings.push(`sample '${read.sample}': its columns were not cached (${failure}); it will be read again next time`);
      }
      return { entries: part ? part.stop - part.start : offset, read: true };
    } finally {
      // Chunks still running (after a failure or an interruption) finish before anything closes.
      await Promise.allSettled(queue.map((c) => c.done));
      runner.release();
      for (const wr of writers.values()) wr.discard();
      await current?.close();
      await currentFriend?.close();
      if (next) await next.then((o) => Promise.all([o.handle.close(), o.friend?.close()]), () => {});
    }
  } finally {
    for (const c of cached.values()) c.close();
  }
}

/** One plan of the columns of two trees over the same entries: the second's columns follow the first's. */
function joinPlans(a: ReadPlan, b: ReadPlan): ReadPlan {
  const k = a.columns.length;
  return { n: a.n, columns: [...a.columns, ...b.columns], baskets: [...a.baskets, ...b.baskets.map((x) => ({ ...x, column: x.column + k }))] };
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
/** The kernel's input columns for entries [start, stop) of the sample (a missing one is named by the kernel). */
function inputsFor(keys: readonly string[], columns: ReadonlyMap<string, Float64Array> | undefined, start: number, stop: number): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const k of keys) {
    const c = columns?.get(k);
    if (!c) continue;
    out.set(k, k.startsWith("cand:") ? candidateChunk(c, columns!.get(candidateValuesKey(k)), start, stop) : c.subarray(start, stop));
  }
  return out;
}

/**
 * Where a per-candidate model's scores of a whole sample keep their values: `cand:MODEL:K` holds
 * the sample's entries + 1 offsets, this key the values (runners/imported.ts).
 */
export function candidateValuesKey(key: string): string {
  return `candv:${key.slice("cand:".length)}`;
}

/** Entries [start, stop) of a sample's per-candidate scores, packed as a kernel's list input (offsets from 0, then values). */
function candidateChunk(offsets: Float64Array, values: Float64Array | undefined, start: number, stop: number): Float64Array {
  if (!values) throw new Error(`internal: per-candidate scores without their values`);
  const n = stop - start;
  const b = offsets[start];
  const count = offsets[stop] - b;
  const out = new Float64Array(n + 1 + count);
  for (let q = 0; q <= n; q++) out[q] = offsets[start + q] - b;
  out.set(values.subarray(b, b + count), n + 1);
  return out;
}
