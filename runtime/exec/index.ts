/**
 * The executor. In: a plan (validated against its schema) and the folder its paths are relative
 * to. Out: histograms, cutflows, ntuples and the other outputs, written into a run directory and
 * then published at the declared paths; or a RunError, after which nothing the user sees has
 * changed.
 * Must not import compiler/check, compiler/syntax or lsp/: a plan is all it needs.
 */
import { mkdirSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import * as path from "node:path";
import { canonicalJson, hashOf } from "../../plan/canonical.js";
import type { Plan } from "../../plan/types.js";
import { validatePlan } from "../../plan/validate.js";
import { buildMetricsDocument, type EvaluationResult } from "../evaluate/index.js";
import { RunError } from "./errors.js";
import { DeviceError, releaseDevices, resolveDevice, takeDriverLog } from "../devices/index.js";
import { analysisMetadata, publishOutputs, stageOutputs, WrittenOutput } from "./outputs.js";
import { runPlan, RunOptions, RunResult } from "./run.js";
import type { RenderedReport } from "./types.js";

export { RunError } from "./errors.js";
export { formatCutflow } from "./cutflow.js";
export { unsupportedNodes } from "./run.js";
export { analysisMetadata, METADATA_DIR } from "./outputs.js";
export { configureChunkPool, defaultThreads, workerChunksDone } from "./chunks.js";
export type { RenderedReport } from "./types.js";
export type { RunResult, HistogramResult, CutflowResult, SampleResult, Progress as RunProgress } from "./run.js";

export interface ExecuteOptions extends Omit<RunOptions, "cacheDir"> {
  /** Use and fill the column cache in `.hepc/cache` beside the analysis. */
  cache?: boolean;
  /**
   * The column cache to use instead of `.hepc/cache` (a scale-out merge reads the columns its
   * tasks gathered in the work directory).
   */
  columnCache?: string;
  /** Versions of the tools, recorded in the run directory. */
  versions: Record<string, string>;
  /** Clock for the run directory's name (injectable for tests). */
  now?: () => Date;
  /**
   * Renders the report of a run (report/, handed in by the caller: the runtime does not import
   * it). Without it a `report` output writes only its metrics.json.
   */
  renderReport?: (plan: Plan, result: RunResult, planHash: string) => Promise<RenderedReport>;
}

export interface Execution {
  result: RunResult;
  runDir: string;
  outputs: WrittenOutput[];
  wallMs: number;
}

export function stateDir(analysisDir: string): string {
  return path.join(analysisDir, ".hepc");
}

export async function execute(plan: unknown, opts: ExecuteOptions): Promise<Execution> {
  const valid = validatePlan(plan);
  if (!valid.ok) throw new RunError("HEP6007", { detail: valid.errors.join("; ") });
  const p = plan as Plan;
  const t0 = performance.now();
  // `gpu` without an adapter is said before any work, with no run directory made
  await checkGpu(p, opts.device);
  const state = stateDir(opts.analysisDir);
  const planHash = hashOf(p);
  const stamp = (opts.now?.() ?? new Date()).toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-");
  let runDir: string;
  try {
    runDir = claimRunDir(path.join(state, "runs"), `${stamp}-${planHash.slice(0, 8)}`);
    mkdirSync(path.join(runDir, "outputs"));
    writeFileSync(path.join(runDir, "plan.json"), canonicalJson(p));
    writeFileSync(path.join(runDir, "inputs.json"), canonicalJson({ locked: p.locked, inputs: p.inputs }));
    writeFileSync(path.join(runDir, "versions.json"), canonicalJson({ ...opts.versions, seed: p.analysis.seed }));
  } catch (e) {
    await releaseDevices();
    throw new RunError("HEP6006", { path: path.join(state, "runs"), reason: (e as Error).message });
  }
  const log = (line: string) => appendFileSync(path.join(runDir, "log.txt"), `${new Date().toISOString()} ${line}\n`);
  log(`run of ${p.source} (plan ${planHash}), chunk size ${opts.chunkSize ?? "default"}, cache ${opts.cache !== false ? "on" : "off"}`);
  try {
    const result = await runPlan(p, { ...opts, cacheDir: opts.columnCache ?? (opts.cache === false ? null : path.join(state, "cache")) });
    for (const s of result.samples) log(`sample ${s.name}: ${s.entries} entries, ${s.read ? "read from its files" : "all columns from the cache"}, normalisation ${s.norm}`);
    for (const w of result.warnings) log(`warning: ${w}`);
    const outputs = await stageOutputs(p, result, path.join(runDir, "outputs"), planHash, opts.renderReport && (() => opts.renderReport!(p, result, planHash)));
    publishOutputs(outputs, opts.analysisDir);
    const wallMs = performance.now() - t0;
    writeFileSync(path.join(runDir, "summary.json"), canonicalJson(summaryOf(p, result, outputs, wallMs)));
    if (result.evaluations.length) writeFileSync(path.join(runDir, "metrics.json"), canonicalJson(buildMetricsDocument(result.evaluations, { analysis: analysisMetadata(p) })));
    for (const m of result.models) log(`model ${m.model} (${m.kind}): ${m.cached ? "from the cache, trained" : "trained"} on ${m.device}${m.scored ? `, scored on ${m.scored}` : ""}`);
    log(`done in ${Math.round(wallMs)} ms: ${outputs.map((o) => o.path).join(", ")}`);
    return { result, runDir, outputs, wallMs };
  } catch (e) {
    log(`failed: ${(e as Error).message}`);
    throw e;
  } finally {
    // the GPU driver's own messages (kept off the terminal) go to the run log
    for (const line of takeDriverLog()) log(`driver: ${line}`);
    await releaseDevices();
  }
}

/** Model kinds that train on a device. */
const DEVICE_KINDS = new Set(["mlp"]);

async function checkGpu(p: Plan, device: ExecuteOptions["device"]): Promise<void> {
  const gpuTrain = p.nodes.find((n) => n.kind === "train" && DEVICE_KINDS.has(n.modelKind) && ((n as { device?: string }).device ?? device) === "gpu");
  if (!gpuTrain) return;
  try {
    await resolveDevice("gpu");
  } catch (e) {
    if (e instanceof DeviceError) {
      takeDriverLog();
      await releaseDevices();
      throw new RunError(e.code, e.args, (gpuTrain as { device?: string }).device === "gpu" ? gpuTrain.origin : undefined);
    }
    throw e;
  }
}

/**
 * Creates a run directory no other run has: the name, or the name with `-2`, `-3`… when runs
 * started in the same second (a script's loop, runs started together). mkdir without `recursive`
 * fails on an existing directory, so two processes can never claim the same one.
 */
export function claimRunDir(runs: string, name: string): string {
  mkdirSync(runs, { recursive: true });
  for (let n = 1; ; n++) {
    const dir = path.join(runs, n === 1 ? name : `${name}-${n}`);
    try {
      mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
}

export function summaryOf(plan: Plan, result: RunResult, outputs: WrittenOutput[], wallMs: number) {
  return {
    analysis: plan.analysis.name,
    status: "ok",
    wallMs: Math.round(wallMs),
    timings: Object.fromEntries(Object.entries(result.timings).map(([k, v]) => [k, Math.round(v)])),
    warnings: result.warnings,
    samples: result.samples,
    outputs: outputs.map((o) => ({ path: o.path, kind: o.kind, objects: o.objects })),
    cutflows: result.cutflows.map((c) => ({ file: c.file, regions: c.regions, samples: c.samples })),
    histograms: result.histograms.map((h) => ({ file: h.file, key: h.key, entries: h.data.entries, sumw: h.data.sumw.reduce((a, b) => a + b, 0), skipped: h.data.skipped })),
    models: result.models.map((m) => ({
      model: m.model,
      kind: m.kind,
      classes: m.classes,
      folds: m.folds,
      cached: m.cached,
      device: m.device,
      scored: m.scored ?? null,
      // feature importance by name, summed over the folds
      importance: m.importance ? Object.fromEntries(m.features.map((f, j) => [f, { gain: m.importance!.gain[j], splits: m.importance!.splits[j] }])) : null,
    })),
    evaluations: result.evaluations.map(headline),
    notRun: result.notRun,
    stages: result.stages.map((s) => ({ stage: s.stage, wallMs: Math.round(s.wallMs), peakRssBytes: s.peakRssBytes })),
  };
}

/** The figures a summary shows of an evaluation: the overall AUC (with its interval) per model and region. */
export function headline(e: EvaluationResult): { model: string; region: string; auc: number | null; interval: [number, number] | null } {
  const overall = e.sections.find((s) => s.where.fold === "all" && s.where.bin === null);
  if (!overall || overall.kind !== "binary") return { model: e.model, region: e.region, auc: null, interval: null };
  const iv = overall.aucInterval && "interval" in overall.aucInterval ? overall.aucInterval.interval : null;
  return { model: e.model, region: e.region, auc: typeof overall.auc === "number" ? overall.auc : null, interval: iv ? [iv.lo, iv.hi] : null };
}

/** Reads a plan written by `hepc plan --json`. */
export function readPlanFile(p: string): unknown {
  try {
    return JSON.parse(readFileSync(p, "utf8"));
  } catch (e) {
    throw new RunError("HEP6007", { detail: (e as Error).message });
  }
}
