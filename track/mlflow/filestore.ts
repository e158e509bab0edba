/**
 * `hepc runs export --mlflow DIR`: the runs in MLflow's file-store layout, as its FileStore
 * (mlflow/store/tracking/file_store.py) reads it:
 *   DIR/EXPERIMENT_ID/meta.yaml                       the experiment (one per analysis)
 *   DIR/EXPERIMENT_ID/RUN_ID/meta.yaml                the run (status as MLflow's number)
 *   DIR/EXPERIMENT_ID/RUN_ID/params/KEY               the value, nothing else
 *   DIR/EXPERIMENT_ID/RUN_ID/metrics/KEY              one `timestamp value step` line per value
 *   DIR/EXPERIMENT_ID/RUN_ID/tags/KEY                 the value
 *   DIR/EXPERIMENT_ID/RUN_ID/artifacts/...            the run directory's files
 *   DIR/0/meta.yaml, DIR/.trash                       what FileStore creates in a new store
 * Keys with `/` are folders, as FileStore writes them. Every file is a function of the run, so
 * exporting again rewrites the same bytes (idempotent) and only new runs add files (incremental);
 * each run is written under a temporary name and renamed into place.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import YAML from "yaml";
import { readHistory, type StoredRun } from "../store.js";
import { experimentIdOf, RUN_STATUS, safeKey } from "./names.js";
import { mlflowTags } from "./tags.js";

export interface ExportResult {
  root: string;
  experiments: Array<{ id: string; name: string }>;
  written: string[];
  unchanged: string[];
}

function yaml(value: Record<string, unknown>): string {
  return YAML.stringify(value, { sortMapEntries: true });
}

function writeIfChanged(file: string, text: string): void {
  try {
    if (readFileSync(file, "utf8") === text) return;
  } catch {
    // absent: written below
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function uri(p: string): string {
  return pathToFileURL(p).href;
}

/** The experiment directory of `name` in the store: the one already there, or a new one. */
function experimentFor(root: string, name: string, createdMs: number): string {
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith(".")) continue;
    try {
      const meta = YAML.parse(readFileSync(path.join(root, e.name, "meta.yaml"), "utf8")) as { name?: string; lifecycle_stage?: string };
      if (meta?.name === name && meta.lifecycle_stage === "active") return e.name;
    } catch {
      // not an experiment of ours to reuse
    }
  }
  const id = experimentIdOf(name);
  writeExperiment(root, id, name, createdMs);
  return id;
}

function writeExperiment(root: string, id: string, name: string, createdMs: number): void {
  writeIfChanged(path.join(root, id, "meta.yaml"), yaml({
    artifact_location: uri(path.join(root, id)),
    creation_time: createdMs,
    experiment_id: id,
    last_update_time: createdMs,
    lifecycle_stage: "active",
    name,
  }));
}

function linkOrCopy(from: string, to: string): void {
  mkdirSync(path.dirname(to), { recursive: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/** The files of one run in FileStore's layout, keyed by path relative to the run folder. */
export function runFiles(run: StoredRun, experimentId: string, runFolder: string): Map<string, string> {
  const r = run.record;
  const files = new Map<string, string>();
  const start = Date.parse(r.startedAt);
  const end = Date.parse(r.endedAt);
  files.set("meta.yaml", yaml({
    artifact_uri: uri(path.join(runFolder, "artifacts")),
    deleted_time: null,
    end_time: end,
    entry_point_name: "",
    experiment_id: experimentId,
    lifecycle_stage: "active",
    run_id: r.id,
    run_name: r.name,
    run_uuid: r.id,
    source_name: "",
    source_type: 4,
    source_version: "",
    start_time: start,
    status: RUN_STATUS[r.status].code,
    tags: [],
    user_id: process.env.USER ?? "",
  }));
  for (const [k, v] of Object.entries(r.params)) files.set(`params/${safeKey(k)}`, v);
  for (const [k, v] of Object.entries(mlflowTags(run))) files.set(`tags/${safeKey(k)}`, v);
  const lines = new Map<string, string[]>();
  for (const m of readHistory(run)) {
    const k = safeKey(m.key);
    (lines.get(k) ?? lines.set(k, []).get(k)!).push(`${Math.round(m.timestamp)} ${m.value} ${m.step}`);
  }
  // a key that is also another key's folder cannot be a file: it gets a `_` (never with hepc's own keys)
  const folders = new Set([...lines.keys()].flatMap((k) => k.split("/").slice(0, -1).map((_, i, a) => a.slice(0, i + 1).join("/"))));
  for (const [k, l] of lines) files.set(`metrics/${folders.has(k) ? `${k}_` : k}`, l.join("\n") + "\n");
  return files;
}

export function exportFileStore(root: string, runs: StoredRun[]): ExportResult {
  const abs = path.resolve(root);
  const fresh = !existsSync(abs);
  mkdirSync(abs, { recursive: true });
  // What FileStore makes when it opens an empty folder: the Default experiment and the trash.
  if (fresh || !existsSync(path.join(abs, "0", "meta.yaml"))) writeExperiment(abs, "0", "Default", runs.length ? Math.min(...runs.map((r) => Date.parse(r.record.startedAt))) : 0);
  mkdirSync(path.join(abs, ".trash"), { recursive: true });
  const result: ExportResult = { root: abs, experiments: [], written: [], unchanged: [] };
  const experiments = new Map<string, string>();
  for (const run of [...runs].sort((a, b) => (a.record.startedAt < b.record.startedAt ? -1 : 1))) {
    const name = run.record.analysis;
    let exp = experiments.get(name);
    if (!exp) {
      exp = experimentFor(abs, name, Date.parse(run.record.startedAt));
      experiments.set(name, exp);
      result.experiments.push({ id: exp, name });
    }
    const folder = path.join(abs, exp, run.record.id);
    const files = runFiles(run, exp, folder);
    if (existsSync(folder) && sameFiles(folder, files)) {
      result.unchanged.push(run.record.id);
      continue;
    }
    const tmp = path.join(abs, exp, `.${run.record.id}.${process.pid}.tmp`);
    rmSync(tmp, { recursive: true, force: true });
    for (const [rel, text] of files) writeIfChanged(path.join(tmp, rel), text);
    for (const a of run.record.artifacts) {
      const from = path.join(run.dir, a);
      if (existsSync(from)) linkOrCopy(from, path.join(tmp, "artifacts", a));
    }
    mkdirSync(path.join(tmp, "artifacts"), { recursive: true });
    rmSync(folder, { recursive: true, force: true });
    renameSync(tmp, folder);
    result.written.push(run.record.id);
  }
  return result;
}

/** Whether an exported run already holds these files and all its artefacts (sizes), and nothing is missing. */
function sameFiles(folder: string, files: Map<string, string>): boolean {
  for (const [rel, text] of files) {
    try {
      if (readFileSync(path.join(folder, rel), "utf8") !== text) return false;
    } catch {
      return false;
    }
  }
  return existsSync(path.join(folder, "artifacts")) && statSync(path.join(folder, "artifacts")).isDirectory();
}
