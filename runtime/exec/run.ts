/**
 * The executor's core: a staged interpreter of the plan's DAG. The DAG is cut into stages
 * (stages.ts): each is one pass over the samples followed by the fits that need the whole pass.
 * In a pass every sample is streamed once (stream.ts) and each chunk goes through a chain, in
 * entry order: the events link (weights, selection, regions), then each node's task in plan
 * order (scorers before what reads their scores). After the pass each node's runner merges the
 * samples' partial results in plan order. That order, not the threads', fixes every sum's bits,
 * so results are the same whatever the chunk size, the number of threads or the order samples
 * finish in.
 */
import * as path from "node:path";
import { hashOf } from "../../plan/canonical.js";
import type { CollectionIR, CutflowNode, ExprIR, FilterNode, HistogramNode, Plan, PlanNode, ReadNode, TrainNode, WeightNode, WriteNode } from "../../plan/types.js";
import type { SampleRows } from "../train/types.js";
import { cacheBudget, pruneCache } from "./cache.js";
import { chunkRunner, defaultThreads } from "./chunks.js";
import { RunError } from "./errors.js";
import { verifyInputs } from "./inputs.js";
import { MODEL_RUNTIMES, type TrainedModel } from "../models/index.js";
import type { EvaluationResult } from "../evaluate/index.js";
import { cutflowRunner } from "./runners/cutflow.js";
import { evaluateRunner } from "./runners/evaluate.js";
import { friendRunner, type FriendResult } from "./runners/friend.js";
import { ntupleRunner, type NtupleResult } from "./runners/ntuple.js";
import { predictRunner } from "./runners/predict.js";
import { scoredKey } from "./runners/device-score.js";
import { datasetKey, featuresKey, trainRunner, type FeatureDistribution } from "./runners/train.js";
import type { DatasetRows } from "../train/index.js";
import { EventsLink } from "./runners/events.js";
import { histogramRunner } from "./runners/histograms.js";
import type { Runner, RunState, SampleScope, SampleTask, SampleTotals } from "./runners/types.js";
import { downstreamOf, scoresReadByExpressions, stagesOf, type Stage } from "./stages.js";
import { worldDeclarations } from "./variations.js";
import type { VirtualColumn } from "../columns/index.js";
import { streamSample, type CacheLog, type CachedOutput } from "./stream.js";
import type { CutflowResult, HistogramResult, RunOptions, RunResult, SampleResult } from "./types.js";
import { inWindow } from "./window.js";
import { resolveThresholds, thresholdSlots } from "./thresholds.js";

export type { RunOptions, RunResult, HistogramResult, CutflowResult, SampleResult, Progress } from "./types.js";

/** Samples in progress at once when chunks run on worker threads. */
const SAMPLES_AT_ONCE = 2;

/** The runner of each node kind that does work in a pass; kinds without one are column or write nodes. */
const RUNNERS: Partial<Record<PlanNode["kind"], Runner<any, any>>> = {
  histogram: histogramRunner,
  cutflow: cutflowRunner,
  train: trainRunner,
  predict: predictRunner,
  // write nodes that take part in a pass: friend trees of predictions and ntuples
  write: {
    sample: (n: WriteNode, scope, run) => (n.format === "ntuple" ? ntupleRunner : friendRunner).sample!(n, scope, run),
    merge: (n: WriteNode, partials, run) => (n.format === "ntuple" ? ntupleRunner : friendRunner).merge!(n, partials as never, run),
  } satisfies Runner<WriteNode, unknown>,
  evaluate: evaluateRunner,
};

/**
 * What this runtime cannot run yet, one warning per construct, reported before any work; the
 * run then does everything that does not depend on them.
 */
export function unsupportedNodes(plan: Plan): RunError[] {
  const out: RunError[] = [];
  for (const n of plan.nodes) {
    const say = (what: string, reason: string) => out.push(new RunError("HEP6001", { what, reason }, n.origin, n.id));
    if (n.kind === "train" && !MODEL_RUNTIMES[n.modelKind]) say(`training model '${n.model}'`, `training ${n.modelKind} models is not implemented in this version of the runtime`);
  }
  return out;
}

export async function runPlan(given: Plan, opts: RunOptions): Promise<RunResult> {
  // Working points' thresholds become numbers as their evaluations finish: on a copy of the nodes.
  const withThresholds = thresholdSlots(given.nodes).length > 0;
  const plan: Plan = withThresholds ? { ...given, nodes: structuredClone(given.nodes) } : given;
  let thresholds = withThresholds ? thresholdSlots(plan.nodes) : [];
  const notRun = downstreamOf(plan.nodes, unsupportedNodes(plan).map((e) => e.node!));
  const threads = Math.max(1, opts.threads ?? defaultThreads());
  // Worker threads load their code while this thread checks the inputs.
  chunkRunner(threads).prepare();
  await verifyInputs(plan, opts.analysisDir);

  const byId = new Map<string, PlanNode>(plan.nodes.map((n) => [n.id, n]));
  const fileOf = new Map<string, string>();
  for (const n of plan.nodes) if (n.kind === "write" && n.format !== "datacard" && n.format !== "workspace") for (const i of n.inputs) fileOf.set(i, n.path);
  const run: RunState = { plan, opts, byId, fileOf, warnings: [], notRun, scoresRead: scoresReadByExpressions(plan.nodes), scoreColumns: new Map(), results: new Map() };
  const decls = declarations(plan);
  const reads = plan.nodes.filter((n): n is ReadNode => n.kind === "read");
  const timings = { readMs: 0, computeMs: 0, fillMs: 0 };
  const cacheLog: CacheLog = { used: new Set(), warnings: [] };
  const samples = new Map<string, SampleResult>();

  const stageLog: RunResult["stages"] = [];
  /** A stage's wall time, and the process's peak memory once it is done (maxRSS only grows). */
  const logStage = (name: string, t0: number) => stageLog.push({ stage: name, wallMs: performance.now() - t0, peakRssBytes: process.resourceUsage().maxRSS * 1024 });
  try {
    for (const stage of stagesOf(plan.nodes, notRun)) {
      const t0 = performance.now();
      const outcomes = await runPass(stage, reads, run, decls, threads, timings, cacheLog);
      logStage(`pass ${stage.level + 1}`, t0);
      const t1 = performance.now();
      for (const o of outcomes) {
        const known = samples.get(o.scope.read.sample);
        samples.set(o.scope.read.sample, { name: o.scope.read.sample, entries: o.totals.entries, sumw: o.totals.sumw, norm: o.totals.norm, read: o.totals.read || (known?.read ?? false) });
      }
      // Each node's samples merged in plan order (reads are in plan order); fits happen here.
      for (const node of stage.stream) {
        const runner = RUNNERS[node.kind]!;
        const partials = outcomes.flatMap((o) => (o.partials.has(node.id) ? [{ scope: o.scope, totals: o.totals, partial: o.partials.get(node.id) }] : []));
        await runner.merge?.(node, partials, run);
      }
      if (thresholds.length) thresholds = resolveThresholds(thresholds, run.results);
      logStage(stage.fit.length ? `fit ${stage.level + 1}` : `merge ${stage.level + 1}`, t1);
    }
  } finally {
    for (const node of plan.nodes) if (!notRun.has(node.id)) await RUNNERS[node.kind]?.release?.(node, run);
  }

  // The cache stays within its budget; what this run used is the last to go.
  if (opts.cacheDir) pruneColumns(opts.cacheDir, cacheLog);
  const histograms = plan.nodes.filter((n): n is HistogramNode => n.kind === "histogram").flatMap((h) => (run.results.get(h.id) as HistogramResult[] | undefined) ?? []);
  const cutflows = plan.nodes.filter((n): n is CutflowNode => n.kind === "cutflow").flatMap((c) => (run.results.has(c.id) ? [run.results.get(c.id) as CutflowResult] : []));
  return {
    histograms,
    cutflows,
    samples: reads.flatMap((r) => (samples.has(r.sample) ? [samples.get(r.sample)!] : [])),
    timings,
    warnings: [...cacheLog.warnings, ...run.warnings],
    notRun: plan.nodes.filter((n) => notRun.has(n.id)).map((n) => n.id),
    stages: stageLog,
    evaluations: plan.nodes.flatMap((n) => (n.kind === "evaluate" && run.results.has(n.id) ? [run.results.get(n.id) as EvaluationResult] : [])),
    trained: plan.nodes.flatMap((n) => (n.kind === "train" && run.results.has(n.id) ? [run.results.get(n.id) as TrainedModel] : [])),
    features: plan.nodes.flatMap((n) => (n.kind === "train" && run.results.has(featuresKey(n)) ? [{ model: n.model, distributions: run.results.get(featuresKey(n)) as FeatureDistribution[] }] : [])),
    datasets: plan.nodes.flatMap((n) => (n.kind === "train" && run.results.has(datasetKey(n)) ? [{ node: n.id, rows: run.results.get(datasetKey(n)) as DatasetRows }] : [])),
    friends: plan.nodes.flatMap((n) => (n.kind === "write" && n.format === "friend" && run.results.has(n.id) ? [run.results.get(n.id) as FriendResult] : [])),
    ntuples: plan.nodes.flatMap((n) => (n.kind === "write" && n.format === "ntuple" && run.results.has(n.id) ? [run.results.get(n.id) as NtupleResult] : [])),
    models: plan.nodes.flatMap((n) => {
      const m = n.kind === "train" ? (run.results.get(n.id) as (TrainedModel & { cached?: boolean }) | undefined) : undefined;
      return m ? [{ model: m.model, kind: m.kind, classes: m.classes, features: m.features, folds: m.nFolds, cached: m.cached === true, device: m.device ?? "cpu", ...(run.results.has(scoredKey(n as TrainNode)) ? { scored: run.results.get(scoredKey(n as TrainNode)) as string } : {}), importance: m.importance, summary: m.summary }] : [];
    }),
  };
}

export interface Declarations {
  defines: Record<string, ExprIR>;
  regions: Record<string, ExprIR>;
  /** The plan's collections, and those of shape variations' worlds (variations.ts). */
  collections: CollectionIR[];
  /** Shape variations' varied inputs, computed by a kernel only when its outputs read them. */
  virtual: VirtualColumn[];
}

function declarations(plan: Plan): Declarations {
  // the declarations renamed into shape variations' worlds: kernels compile only those their outputs reach
  const worlds = worldDeclarations(plan);
  const defines: Record<string, ExprIR> = { ...worlds.defines };
  const regions: Record<string, ExprIR> = { ...worlds.regions };
  for (const n of plan.nodes) {
    if (n.kind === "define") defines[n.name] = n.expr;
    if (n.kind === "filter" && n.scope === "region") regions[n.name] = n.expr;
  }
  return { defines, regions, collections: [...plan.collections, ...worlds.collections], virtual: worlds.virtual };
}

interface SampleOutcome {
  scope: SampleScope;
  totals: SampleTotals;
  /** Partial results by node id, for the nodes that had a task on this sample. */
  partials: Map<string, unknown>;
}

/**
 * One pass: every sample streamed once, its chunks through the events link and the stage's tasks.
 * Samples run a few at a time with threads (a sample's last chunks would otherwise leave threads
 * idle until the next one starts), one at a time without; each fills only its own partials.
 */
async function runPass(stage: Stage, reads: ReadNode[], run: RunState, decls: Declarations, threads: number, timings: RunResult["timings"], cacheLog: CacheLog): Promise<SampleOutcome[]> {
  const { plan, opts, byId } = run;
  for (const node of stage.stream) await RUNNERS[node.kind]!.prepare?.(node, run);
  const runSample = async (read: ReadNode, signal: AbortSignal): Promise<SampleOutcome> => {
    const scope = scopeOf(read, byId);
    const tasks: Array<{ id: string; task: SampleTask }> = [];
    for (const node of stage.stream) {
      const task = RUNNERS[node.kind]!.sample?.(node, scope, run);
      if (task) tasks.push({ id: node.id, task });
    }
    const regions = [...new Set(tasks.flatMap((t) => t.task.regions))].filter((r) => r !== "").sort();
    const link = new EventsLink(scope, regions, byId);
    const outputs = new Map<string, CachedOutput>();
    for (const o of [...link.outputs(decls.regions), ...tasks.flatMap((t) => t.task.outputs)]) if (!outputs.has(o.key)) outputs.set(o.key, o);
    const streamed = await streamSample(plan, read, [...outputs.values()], decls, { ...opts, signal }, timings, cacheLog, run.scoreColumns.get(read.sample), async (chunk) => {
      const t0 = performance.now();
      const ev = link.events(chunk);
      for (const t of tasks) {
        const pending = t.task.chunk(ev);
        if (pending) await pending;
      }
      timings.fillMs += performance.now() - t0;
    });
    const weight = scope.weight;
    const norm = weight?.xsec != null && weight.lumi != null ? (weight.xsec * weight.lumi) / (weight.sumw ?? link.sumw) : 1;
    const totals: SampleTotals = { entries: streamed.entries, sumw: link.sumw, norm, read: streamed.read };
    return { scope, totals, partials: new Map(tasks.map((t) => [t.id, t.task.finish(totals)])) };
  };
  return inWindow(reads, threads > 1 ? SAMPLES_AT_ONCE : 1, opts.signal, runSample);
}

function scopeOf(read: ReadNode, byId: ReadonlyMap<string, PlanNode>): SampleScope {
  const weight = byId.get(`weight:${read.sample}`) as WeightNode | undefined;
  const select = byId.get(`select:${read.sample}`) as FilterNode | undefined;
  const refHash = (decl: string, name: string) => byId.get(`${decl === "region" ? "filter" : decl === "predict" ? "predict" : "define"}:${name}`)!.hash;
  return {
    read,
    weight,
    select,
    keyOf: (expr) => hashOf({ expr: withRefHashes(expr, refHash), read: read.hash }),
    condition(regions) {
      if (regions.length) {
        const refs: ExprIR[] = regions.map((r) => ({ op: "ref", type: "bool", decl: "region", name: r }));
        return { expr: refs.reduce((a, b) => ({ op: "binary", fn: "or", type: "bool", args: [a, b] })), hash: hashOf({ regions: regions.map((r) => refHash("region", r)) }) };
      }
      return select ? { expr: select.expr, hash: hashOf({ sel: select.hash }) } : undefined;
    },
  };
}

/**
 * References replaced by the referenced nodes' hashes: cache keys that survive renames, and that
 * change when what they name changes (a model's score: its predict node's hash covers the model).
 */
function withRefHashes(e: ExprIR, refHash: (decl: string, name: string) => string): unknown {
  if (e.op === "ref") return { op: "ref", type: e.type, target: refHash(e.decl, e.name) };
  if (e.op === "score") return { op: "score", type: e.type, target: refHash("predict", e.model), output: e.output };
  if ("args" in e) return { ...e, args: e.args.map((a) => withRefHashes(a, refHash)) };
  return e;
}

function pruneColumns(cacheDir: string, cacheLog: CacheLog): void {
  const dir = path.join(cacheDir, "columns");
  const budget = cacheBudget();
  const { removed, total } = pruneCache(dir, budget, cacheLog.used);
  if (total - removed > budget) {
    const held = total - removed;
    cacheLog.warnings.push(`the column cache holds ${held / 2 ** 30 < 0.1 ? `${Math.round(held / 2 ** 20)} MiB` : `${(held / 2 ** 30).toFixed(1)} GiB`}, more than its budget of ${budget / 2 ** 30} GiB, all of it used by this run (set HEPC_CACHE_SIZE, or run with --no-cache)`);
  }
}

/** Node kinds whose columns a scale-out read task computes: their tasks need no fitted model. */
const PART_KINDS = new Set<PlanNode["kind"]>(["histogram", "cutflow", "train"]);

/**
 * The per-event columns the first pass computes for a sample's histograms, cutflows and training
 * rows (and the events link's weights, selection and regions), under the same cache keys a run
 * uses: a scale-out read task computes them for its part of the sample, and the merge then finds
 * them in its column cache. Columns of later passes (which read model scores) are left to the merge.
 */
export function firstPassColumns(plan: Plan, read: ReadNode, analysisDir: string): { outputs: CachedOutput[]; decls: Declarations } {
  const notRun = downstreamOf(plan.nodes, unsupportedNodes(plan).map((e) => e.node!));
  const byId = new Map<string, PlanNode>(plan.nodes.map((n) => [n.id, n]));
  const run: RunState = { plan, opts: { analysisDir, cacheDir: null }, byId, fileOf: new Map(), warnings: [], notRun, scoresRead: scoresReadByExpressions(plan.nodes), scoreColumns: new Map(), results: new Map() };
  const decls = declarations(plan);
  const first = stagesOf(plan.nodes, notRun)[0];
  const scope = scopeOf(read, byId);
  const tasks: SampleTask[] = [];
  for (const node of first?.stream ?? []) {
    if (!PART_KINDS.has(node.kind)) continue;
    const task = RUNNERS[node.kind]!.sample?.(node, scope, run);
    if (task) tasks.push(task);
  }
  const regions = [...new Set(tasks.flatMap((t) => t.regions))].filter((r) => r !== "").sort();
  const link = new EventsLink(scope, regions, byId);
  const outputs = new Map<string, CachedOutput>();
  for (const o of [...link.outputs(decls.regions), ...tasks.flatMap((t) => t.outputs)]) if (!outputs.has(o.key)) outputs.set(o.key, o);
  return { outputs: [...outputs.values()], decls };
}

/**
 * The rows of one train block, gathered from its samples in a pass of its own (a scale-out train
 * task, whose columns come from the gathered cache), in plan order, with the run state the
 * block's preparation and fits need.
 */
export async function trainingRows(plan: Plan, trainId: string, opts: RunOptions): Promise<{ node: TrainNode; rows: SampleRows[]; run: RunState }> {
  const notRun = downstreamOf(plan.nodes, unsupportedNodes(plan).map((e) => e.node!));
  const threads = Math.max(1, opts.threads ?? defaultThreads());
  const byId = new Map<string, PlanNode>(plan.nodes.map((n) => [n.id, n]));
  const node = byId.get(trainId) as TrainNode;
  const run: RunState = { plan, opts, byId, fileOf: new Map(), warnings: [], notRun, scoresRead: scoresReadByExpressions(plan.nodes), scoreColumns: new Map(), results: new Map() };
  const members = new Set(Object.values(node.classes).flat());
  const reads = plan.nodes.filter((n): n is ReadNode => n.kind === "read" && members.has(n.sample));
  const outcomes = await runPass({ level: 0, stream: [node], fit: [] }, reads, run, declarations(plan), threads, { readMs: 0, computeMs: 0, fillMs: 0 }, { used: new Set(), warnings: [] });
  // a sample classed by conditions hands over one part per class, as in the train runner's merge
  return { node, rows: outcomes.flatMap((o) => (o.partials.has(node.id) ? (o.partials.get(node.id) as SampleRows[]) : [])), run };
}
