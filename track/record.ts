/**
 * Completes a run directory written by the executor with what tracking needs: the run record
 * (run.json), the analysis source, the git diff, the metric history with steps (metrics.jsonl)
 * and the trained models as artefacts. Called by the command line after a run, whether it
 * succeeded or failed; it reads what the executor wrote and never changes it.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { hashOf, sha256Hex } from "../plan/canonical.js";
import type { Plan, TrainNode } from "../plan/types.js";
import { checksums } from "./checksums.js";
import { gitState } from "./git.js";
import { ensureStore } from "./store.js";
import { DIFF_FILE, HISTORY_FILE, type MetricPoint, RECORD_FILE, RUN_FORMAT, type RunRecord, type RunStatus, SOURCE_FILE } from "./types.js";

export interface RecordOptions {
  runDir: string;
  plan: Plan;
  /** The folder the plan's paths are relative to (the analysis file's). */
  analysisDir: string;
  /** The .hep file that was compiled; null when a plan JSON was run. */
  sourceFile: string | null;
  status: RunStatus;
  exitCode: number;
  error?: string | null;
  startedAt: Date;
  endedAt?: Date;
  reproduces?: string;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

/** Hyperparameters of every model, flat as MLflow params: `bdt.max_depth` → "4". */
export function paramsOf(plan: Plan): Record<string, string> {
  const out: Record<string, string> = { seed: String(plan.analysis.seed) };
  const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  for (const n of plan.nodes) {
    if (n.kind !== "train") continue;
    const t = n as TrainNode;
    out[`${t.model}.kind`] = t.modelKind;
    out[`${t.model}.features`] = t.features;
    out[`${t.model}.folds`] = String(t.folds?.n ?? 0);
    out[`${t.model}.balance`] = t.balance;
    if (t.validation !== null) out[`${t.model}.validation`] = String(t.validation);
    for (const [k, v] of Object.entries(t.options)) out[`${t.model}.${k}`] = text(v);
  }
  return out;
}

interface Figure {
  model: string;
  region: string;
  fold: number | "all";
  bin: unknown;
  metric: string;
  value: number | null;
  at?: unknown;
}

/**
 * The evaluation's single figures as metrics: `bdt/auc` (all folds), `bdt/fold2/auc`; the region
 * is added (`bdt/signal_region/auc`) only for a model evaluated in more than one region. Figures
 * at a working point or in a bin stay in metrics.json (they are curves, not headline numbers).
 * The metric name comes last because MLflow's file store keeps `a/b` as file b in folder a: a
 * key may not also be the folder of another.
 */
export function evaluationMetrics(metricsDoc: unknown, timestamp: number): MetricPoint[] {
  const figures = ((metricsDoc as { figures?: Figure[] } | undefined)?.figures ?? []).filter((f) => f.bin === null && f.at === undefined && typeof f.value === "number");
  const regions = new Map<string, Set<string>>();
  for (const f of figures) (regions.get(f.model) ?? regions.set(f.model, new Set()).get(f.model)!).add(f.region);
  const out: MetricPoint[] = [];
  const seen = new Set<string>();
  for (const f of figures) {
    const key = [f.model, ...(regions.get(f.model)!.size > 1 ? [f.region] : []), ...(f.fold === "all" ? [] : [`fold${f.fold}`]), f.metric].join("/");
    // asimov and simple significance share a metric name; the first (as the document lists them) is kept
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ key, value: f.value!, step: 0, timestamp });
  }
  return out;
}

/** Per-tree or per-epoch loss curves of the trained models, one metric per fold and part, step = iteration. */
export function curveMetrics(model: string, trained: unknown, timestamp: number): MetricPoint[] {
  const folds = (trained as { folds?: Array<{ fold: number; curves?: { train: Array<number | null>; valid: Array<number | null> } }> } | undefined)?.folds ?? [];
  const out: MetricPoint[] = [];
  for (const f of folds) {
    for (const part of ["train", "valid"] as const) {
      (f.curves?.[part] ?? []).forEach((v, step) => {
        if (typeof v === "number" && Number.isFinite(v)) out.push({ key: `${model}/fold${f.fold}/loss_${part}`, value: v, step, timestamp });
      });
    }
  }
  return out;
}

/** The id: a digest of what makes a run this run (plan, start, host, process, directory). */
export function runIdOf(r: { planHash: string; startedAt: string; host: { hostname: string }; name: string }, pid: number): string {
  return hashOf({ planHash: r.planHash, startedAt: r.startedAt, hostname: r.host.hostname, name: r.name, pid }).slice(0, 32);
}

function filesUnder(dir: string, base: string, out: string[] = []): string[] {
  let entries;
  try {
    entries = readdirSync(path.join(base, dir), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) filesUnder(rel, base, out);
    else out.push(rel);
  }
  return out;
}

/** Writes run.json (last, atomically: a run directory without it is an unrecorded run) and its companions. */
export function recordRun(o: RecordOptions): RunRecord {
  const { runDir, plan } = o;
  ensureStore(path.dirname(runDir));
  const endedAt = o.endedAt ?? new Date();
  const planHash = hashOf(plan);
  const summary = readJson(path.join(runDir, "summary.json")) as { wallMs?: number; timings?: Record<string, number> } | undefined;
  const versions = (readJson(path.join(runDir, "versions.json")) ?? {}) as Record<string, unknown>;
  const ts = endedAt.getTime();

  let sourceSha: string | null = null;
  if (o.sourceFile) {
    try {
      const text = readFileSync(o.sourceFile, "utf8");
      writeFileSync(path.join(runDir, SOURCE_FILE), text);
      sourceSha = sha256Hex(text);
    } catch {
      sourceSha = null;
    }
  }
  const g = gitState(o.analysisDir);
  if (g?.dirty && g.diff) writeFileSync(path.join(runDir, DIFF_FILE), g.diff);

  const state = path.join(o.analysisDir, ".hepc");
  const inputs = checksums(o.analysisDir, state, plan.inputs.map((i) => i.path));

  // Models: the cached fit of each train node, linked into models/ (the cache may evict it later).
  const history: MetricPoint[] = [];
  const models: RunRecord["models"] = [];
  for (const n of plan.nodes) {
    if (n.kind !== "train") continue;
    const t = n as TrainNode;
    const cached = path.join(state, "cache", "models", `${t.hash}.json`);
    if (o.status !== "ok" || !existsSync(cached)) continue;
    mkdirSync(path.join(runDir, "models"), { recursive: true });
    const dest = path.join(runDir, "models", `${t.model}.json`);
    try {
      if (!existsSync(dest)) linkSync(cached, dest);
    } catch {
      copyFileSync(cached, dest);
    }
    models.push({ model: t.model, kind: t.modelKind, hash: t.hash });
    history.push(...curveMetrics(t.model, readJson(dest), ts));
  }
  history.push(...evaluationMetrics(readJson(path.join(runDir, "metrics.json")), ts));
  if (summary?.wallMs !== undefined) history.push({ key: "wall_ms", value: summary.wallMs, step: 0, timestamp: ts });
  const last: Record<string, { step: number; value: number }> = {};
  for (const m of history) if (!last[m.key] || m.step >= last[m.key].step) last[m.key] = { step: m.step, value: m.value };
  writeFileSync(path.join(runDir, HISTORY_FILE), history.map((m) => JSON.stringify(m)).join("\n") + (history.length ? "\n" : ""));

  const host = { hostname: os.hostname(), platform: process.platform, arch: process.arch, cpus: os.cpus().length, node: process.version };
  const name = path.basename(runDir);
  const startedAt = o.startedAt.toISOString();
  const record: RunRecord = {
    format: RUN_FORMAT,
    id: runIdOf({ planHash, startedAt, host, name }, process.pid),
    name,
    analysis: plan.analysis.name,
    source: { path: plan.source, sha256: sourceSha },
    planHash,
    status: o.status,
    exitCode: o.exitCode,
    error: o.error ?? null,
    startedAt,
    endedAt: endedAt.toISOString(),
    wallMs: summary?.wallMs ?? ts - o.startedAt.getTime(),
    host,
    git: g ? { commit: g.commit, branch: g.branch, dirty: g.dirty } : null,
    inputs,
    versions: Object.fromEntries(Object.entries(versions).map(([k, v]) => [k, String(v)])),
    seed: plan.analysis.seed,
    params: paramsOf(plan),
    metrics: Object.fromEntries(Object.entries(last).map(([k, v]) => [k, v.value])),
    models,
    stages: summary?.timings ?? {},
    // maxRSS is in kilobytes; the process's peak, which bounds every stage's
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    artifacts: [],
    ...(o.reproduces ? { reproduces: o.reproduces } : {}),
  };
  record.artifacts = filesUnder("", runDir).filter((f) => f !== RECORD_FILE && !f.endsWith(".tmp")).sort();
  const tmp = path.join(runDir, `${RECORD_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(record, null, 2) + "\n");
  renameSync(tmp, path.join(runDir, RECORD_FILE));
  return record;
}

/**
 * The run directory a failed `execute` left: it throws without naming it, so the command line
 * lists the store before and finds the new directory of this plan after.
 */
export function runDirsOf(analysisDir: string): Set<string> {
  try {
    return new Set(readdirSync(path.join(analysisDir, ".hepc", "runs")));
  } catch {
    return new Set();
  }
}

export function newRunDir(analysisDir: string, plan: Plan, before: Set<string>): string | null {
  const tag = hashOf(plan).slice(0, 8);
  const fresh = [...runDirsOf(analysisDir)].filter((d) => !before.has(d) && d.includes(`-${tag}`));
  if (fresh.length === 0) return null;
  const runs = path.join(analysisDir, ".hepc", "runs");
  fresh.sort((a, b) => statSync(path.join(runs, b)).mtimeMs - statSync(path.join(runs, a)).mtimeMs);
  return path.join(runs, fresh[0]);
}
