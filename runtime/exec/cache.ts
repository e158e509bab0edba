/**
 * The column cache (`.hepc/cache/columns` beside an analysis): one file per kernel output and
 * sample, named by a hash of what the output depends on (its expression with the content hashes
 * of the declarations it uses, and the sample's input identities), holding one value per event.
 *
 * The cache is an optimisation and never a reason for a run to fail: a column that cannot be
 * written (a full disk, a read-only folder) is dropped with a warning, and one that cannot be read
 * is recomputed. It is kept within a size budget by removing the least recently used files after
 * each run (a file's modification time is refreshed whenever a run uses it).
 */
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, writeSync } from "node:fs";
import * as path from "node:path";
import { readFullySync } from "../source/index.js";

/** A cached column read in slices from its file: memory stays bounded by the chunk. */
export interface CachedColumn {
  slice(start: number, stop: number): Float64Array | Uint8Array;
  close(): void;
}

/** The column at `p` if it holds exactly `entries` values; undefined if absent or damaged. */
export function openCachedColumn(p: string, as: "f64" | "mask", entries: number): CachedColumn | undefined {
  let fd: number;
  try {
    fd = openSync(p, "r");
  } catch {
    return undefined;
  }
  const width = as === "f64" ? 8 : 1;
  if (fstatSync(fd).size !== entries * width) {
    closeSync(fd);
    return undefined;
  }
  touch(p);
  return {
    slice(start, stop) {
      const bytes = readFullySync(fd, p, new Uint8Array((stop - start) * width), start * width);
      return as === "f64" ? new Float64Array(bytes.buffer) : bytes;
    },
    close: () => closeSync(fd),
  };
}

/** Marks a cache file as just used (for the least-recently-used eviction). */
export function touch(p: string): void {
  try {
    const now = new Date();
    utimesSync(p, now, now);
  } catch {
    // read-only cache: eviction order is then the creation order
  }
}

/**
 * Appends a column's chunks to a temporary file, renamed into the cache only on commit. A write
 * that fails marks the writer failed (its temporary file removed) instead of throwing: the run
 * goes on without caching that column, and `failure` says why.
 */
export class CacheWriter {
  private readonly tmp: string;
  private fd: number | undefined;
  failure: string | undefined;

  constructor(private readonly dest: string) {
    this.tmp = `${dest}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      this.fd = openSync(this.tmp, "w");
    } catch (e) {
      this.failure = (e as Error).message;
    }
  }

  append(a: Float64Array | Uint8Array): void {
    if (this.fd === undefined) return;
    try {
      const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      let done = 0;
      while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
    } catch (e) {
      this.failure = (e as Error).message;
      this.discard();
    }
  }

  /** Publishes the column; false if it was not written. */
  commit(): boolean {
    if (this.fd === undefined) return false;
    try {
      closeSync(this.fd);
      this.fd = undefined;
      renameSync(this.tmp, this.dest);
      return true;
    } catch (e) {
      this.failure = (e as Error).message;
      rmSync(this.tmp, { force: true });
      return false;
    }
  }

  discard(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already unusable
    }
    this.fd = undefined;
    rmSync(this.tmp, { force: true });
  }
}

export function loadJson(p: string): unknown {
  try {
    const v = JSON.parse(readFileSync(p, "utf8"));
    touch(p);
    return v;
  } catch {
    return undefined;
  }
}

export function atomicWrite(p: string, data: string | Uint8Array | Float64Array): void {
  const tmp = `${p}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  writeFileSync(tmp, data instanceof Float64Array ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data);
  renameSync(tmp, p);
}

/** The cache's size budget: HEPC_CACHE_SIZE (bytes, or with a K, M, G or T suffix), else 4 GiB. */
export function cacheBudget(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.HEPC_CACHE_SIZE?.trim();
  const m = raw ? /^(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?$/i.exec(raw) : null;
  if (!m) return 4 * 2 ** 30;
  const scale = { "": 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[m[2].toUpperCase() as "" | "K" | "M" | "G" | "T"];
  return Math.floor(Number(m[1]) * scale);
}

/**
 * Removes the least recently used files of a cache folder until it holds at most `budget` bytes,
 * never one of `keep` (what the run that just ended used or wrote). Returns the bytes removed.
 * Temporary files of runs still going on are left alone.
 */
export function pruneCache(dir: string, budget: number, keep: ReadonlySet<string>): { removed: number; total: number } {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { removed: 0, total: 0 };
  }
  const files: Array<{ p: string; size: number; mtime: number }> = [];
  let total = 0;
  for (const name of names) {
    if (name.includes(".tmp-")) continue;
    const p = path.join(dir, name);
    try {
      const st = statSync(p);
      if (!st.isFile()) continue;
      files.push({ p, size: st.size, mtime: st.mtimeMs });
      total += st.size;
    } catch {
      // removed meanwhile
    }
  }
  let removed = 0;
  files.sort((a, b) => a.mtime - b.mtime);
  for (const f of files) {
    if (total - removed <= budget) break;
    if (keep.has(f.p)) continue;
    try {
      rmSync(f.p, { force: true });
      removed += f.size;
    } catch {
      // in use elsewhere or not ours to remove
    }
  }
  return { removed, total };
}
