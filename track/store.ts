/**
 * The run store: the run directories of `.hepc/runs`, each with its run.json. Loading reads one
 * small file per run (the record; histories and sources stay on disk until asked for), so that
 * listing a thousand runs is quick. A directory that cannot be read is reported and skipped; the
 * others are still listed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { HISTORY_FILE, type MetricPoint, RECORD_FILE, RUN_FORMAT_VERSION, type RunRecord, TAGS_FILE } from "./types.js";

export const STORE_FILE = "store.json";
export const STORE_FORMAT = "hepc-runs/1";
const STORE_VERSION = 1;

export interface StoredRun {
  record: RunRecord;
  /** Absolute path of the run directory. */
  dir: string;
  tags: string[];
}

export interface StoreProblem {
  dir: string;
  reason: string;
}

export interface Store {
  root: string;
  runs: StoredRun[];
  problems: StoreProblem[];
}

/** A user-facing failure of the store (printed without a stack trace by the command line). */
export class StoreError extends Error {}

function versionOf(format: unknown, prefix: string): number | null {
  if (typeof format !== "string" || !format.startsWith(prefix + "/")) return null;
  const v = Number(format.slice(prefix.length + 1));
  return Number.isInteger(v) ? v : null;
}

/**
 * Refuses a store of a newer hepc before writing to it. Format 1 is implied by its absence:
 * hepc 1 writes no store.json (tools and scripts read every entry of .hepc/runs as a run), a
 * later format that changes the store's layout writes one naming itself. Each run.json carries
 * its own format besides.
 */
export function ensureStore(root: string): void {
  mkdirSync(root, { recursive: true });
  checkStoreVersion(root);
}

function checkStoreVersion(root: string): void {
  const f = path.join(root, STORE_FILE);
  if (!existsSync(f)) return;
  let format: unknown;
  try {
    format = (JSON.parse(readFileSync(f, "utf8")) as { format?: unknown }).format;
  } catch (e) {
    throw new StoreError(`${f}: not a run store's description (${(e as Error).message})`);
  }
  const v = versionOf(format, "hepc-runs");
  if (v === null) throw new StoreError(`${f}: unknown store format ${JSON.stringify(format)}`);
  if (v > STORE_VERSION) throw new StoreError(`${root} was written by a newer hepc (store format ${String(format)}; this hepc reads ${STORE_FORMAT}): upgrade hepc to read it`);
}

export function readTags(dir: string): string[] {
  // most runs have no tags: a failed read's exception costs more than asking first
  if (!existsSync(path.join(dir, TAGS_FILE))) return [];
  try {
    const t = JSON.parse(readFileSync(path.join(dir, TAGS_FILE), "utf8")) as unknown;
    return Array.isArray(t) ? t.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

export function writeTags(dir: string, tags: string[]): void {
  const tmp = path.join(dir, `${TAGS_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify([...new Set(tags)].sort()) + "\n");
  renameSync(tmp, path.join(dir, TAGS_FILE));
}

/** One run directory: its record, or why it cannot be read. */
export function readRun(dir: string): StoredRun | StoreProblem {
  const f = path.join(dir, RECORD_FILE);
  let text: string;
  try {
    text = readFileSync(f, "utf8");
  } catch {
    return { dir, reason: existsSync(path.join(dir, "plan.json")) ? "no run.json: a run still going on, or one made before run tracking" : "not a run directory" };
  }
  let r: RunRecord;
  try {
    r = JSON.parse(text) as RunRecord;
  } catch (e) {
    return { dir, reason: `run.json is corrupted (${(e as Error).message})` };
  }
  const v = versionOf(r?.format, "hepc-run");
  if (v === null) return { dir, reason: `run.json is not a run record (format ${JSON.stringify(r?.format)})` };
  if (v > RUN_FORMAT_VERSION) return { dir, reason: `written by a newer hepc (${r.format}); upgrade hepc to read it` };
  if (typeof r.id !== "string" || typeof r.name !== "string" || typeof r.startedAt !== "string" || typeof r.metrics !== "object" || typeof r.params !== "object") {
    return { dir, reason: "run.json is corrupted (fields missing)" };
  }
  return { record: r, dir, tags: readTags(dir) };
}

/** Every run of a store, newest first. A missing store is an empty one. */
export function loadStore(root: string): Store {
  const store: Store = { root, runs: [], problems: [] };
  if (!existsSync(root)) return store;
  checkStoreVersion(root);
  for (const e of readdirSync(root, { withFileTypes: true })) {
    // dot-folders are merges and exports under way
    if (!e.isDirectory() || e.name.startsWith(".")) continue;
    const r = readRun(path.join(root, e.name));
    if ("record" in r) store.runs.push(r);
    else store.problems.push(r);
  }
  store.runs.sort((a, b) => (a.record.startedAt < b.record.startedAt ? 1 : a.record.startedAt > b.record.startedAt ? -1 : a.record.name < b.record.name ? 1 : -1));
  store.problems.sort((a, b) => (a.dir < b.dir ? -1 : 1));
  return store;
}

/**
 * A run named by id (or a unique prefix of at least 4 digits), directory name (or prefix) or tag.
 * Unknown and ambiguous names are StoreErrors naming the candidates.
 */
export function resolveRun(store: Store, name: string): StoredRun {
  const exact = store.runs.filter((r) => r.record.id === name || r.record.name === name);
  if (exact.length === 1) return exact[0];
  const tagged = store.runs.filter((r) => r.tags.includes(name));
  if (tagged.length === 1 && exact.length === 0) return tagged[0];
  const prefixed = name.length >= 4 ? store.runs.filter((r) => r.record.id.startsWith(name) || r.record.name.startsWith(name)) : [];
  const candidates = exact.length ? exact : tagged.length ? tagged : prefixed;
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) {
    const hint = name.length < 4 && store.runs.some((r) => r.record.id.startsWith(name)) ? " (an id prefix needs at least 4 digits)" : "";
    throw new StoreError(`no run '${name}' in ${store.root}${hint}; \`hepc runs\` lists them`);
  }
  throw new StoreError(`'${name}' is ambiguous in ${store.root}: ${candidates.slice(0, 5).map((r) => `${r.record.id.slice(0, 12)} (${r.record.name})`).join(", ")}${candidates.length > 5 ? `, and ${candidates.length - 5} more` : ""}`);
}

/** The metric history with steps (metrics.jsonl). */
export function readHistory(run: StoredRun): MetricPoint[] {
  let text: string;
  try {
    text = readFileSync(path.join(run.dir, HISTORY_FILE), "utf8");
  } catch {
    return Object.entries(run.record.metrics).map(([key, value]) => ({ key, value, step: 0, timestamp: Date.parse(run.record.endedAt) }));
  }
  return text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as MetricPoint);
}
