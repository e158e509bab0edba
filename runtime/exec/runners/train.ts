/**
 * Train nodes. During a pass each sample of the block's classes hands over the rows of its events
 * in the training region (features before scaling, weight, fold, entry, reweighting axes, test
 * flag), in entry order; after the pass the runner prepares the folds (runtime/train) and fits one
 * model per fold with the model kind's trainer (runtime/models), or takes the fitted model from
 * the cache when nothing it depends on changed: the cache key is the train node's content hash,
 * which covers the features, the data, the options and the seed.
 */
import { mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { ExprIR, ScaleNode, TrainNode } from "../../../plan/types.js";
import { canonicalJson, hashOf } from "../../../plan/canonical.js";
import type { SampleRows } from "../../train/types.js";
import { prepareTraining, type Prepared, type TrainSpec } from "../../train/index.js";
import { MODEL_RUNTIMES, modelErrorOf, scalerToJson, type TrainedModel } from "../../models/index.js";
import { defaultThreads } from "../chunks.js";
import { isDeviceWanted, type DeviceWanted } from "../../devices/index.js";
import { atomicWrite } from "../cache.js";
import { RunError } from "../errors.js";
import { GrowableF64 } from "./growable.js";
import { classAt, labelColumn, labelOutputs, labelsOf, partName, preparedSpec } from "./labels.js";
import { perRun, SELECTED, type Runner, type RunState, type SampleScope } from "./types.js";
import { candidateTrainTask } from "./candidates.js";

/** The class a sample belongs to in a train block, if any. */
export function classOf(t: TrainNode, sample: string): string | undefined {
  for (const [cls, samples] of Object.entries(t.classes)) if (samples.includes(sample)) return cls;
  return undefined;
}

export function scaleOf(t: TrainNode, run: RunState): ScaleNode {
  return run.byId.get(`scale:${t.features}`) as ScaleNode;
}

/** Keys of the per-event columns of a train block, shared with the scorer that reads them again. */
export const trainColumns = {
  feature: (t: TrainNode, k: number) => `f:${t.id}:${k}`,
  fold: (t: TrainNode) => `fold:${t.id}`,
  axis: (t: TrainNode, k: number) => `rw:${t.id}:${k}`,
  test: (t: TrainNode) => `test:${t.id}`,
};

/** Whether an output writes the block's training dataset (`output { dataset ... }`). */
function datasetWanted(t: TrainNode, run: RunState): boolean {
  return run.plan.nodes.some((n) => n.kind === "write" && (n.format as string) === "arrow" && n.inputs.includes(t.id) && !run.notRun.has(n.id));
}

/** Whether a report is written: it shows the input features' distributions per class. */
function reportWanted(run: RunState): boolean {
  return run.plan.nodes.some((n) => n.kind === "write" && n.format === "html" && !run.notRun.has(n.id));
}

/** Whether the train node needs its rows this run: not when its model is in the cache and nothing else reads them. */
function needsRows(t: TrainNode, run: RunState): boolean {
  const cached = loadCachedModel(run, t);
  if (cached) run.results.set(t.id, cached);
  return !cached || datasetWanted(t, run) || reportWanted(run);
}

/** Where the merge leaves a block's feature distributions per class, for the report. */
export const featuresKey = (t: TrainNode) => `features:${t.id}`;

/** Where the merge leaves a block's dataset rows, for the dataset output. */
export const datasetKey = (t: TrainNode) => `dataset:${t.id}`;

/** Whether a train block gathers rows this run, decided at its first sample. */
const gathers = perRun<boolean>();

export const trainRunner: Runner<TrainNode, SampleRows[]> = {
  sample(t, scope: SampleScope, run) {
    const cls = classOf(t, scope.read.sample);
    if (!cls) return null;
    const labels = labelsOf(t, scope.read.sample);
    if (!gathers(run, t.id, () => needsRows(t, run))) return null;
    const scale = scaleOf(t, run);
    if (scale.per && labels) {
      // one row per candidate (runners/candidates.ts), normalised and split by class as events' rows are
      return candidateTrainTask(t, scale, scope, labels, testExprOf(t), (rows, klass, norm) => {
        if (norm !== 1) for (let i = 0; i < rows.weight.length; i++) rows.weight[i] *= norm;
        return splitByClass(rows, klass, labels.map((l) => l.class));
      });
    }
    const region = t.region ?? SELECTED;
    const when = scope.condition(t.region ? [t.region] : []);
    const col = (key: string, expr: ExprIR, as: "f64" | "mask") => ({
      key,
      expr,
      as,
      when: when?.expr,
      cacheKey: when ? hashOf({ v: scope.keyOf(expr), when: when.hash, as }) : hashOf({ v: scope.keyOf(expr), as }),
    });
    const outputs = [
      ...scale.features.map((f, k) => col(trainColumns.feature(t, k), f.expr, "f64")),
      ...(t.folds ? [col(trainColumns.fold(t), t.folds.by, "f64")] : []),
      ...(t.reweight?.axes ?? []).map((a, k) => col(trainColumns.axis(t, k), a.expr, "f64")),
      ...(testExprOf(t) ? [col(trainColumns.test(t), testExprOf(t)!, "mask")] : []),
      ...labelOutputs(t, scope, when),
    ];
    // a labelled sample's rows carry their class index; an event in no class is left out
    const klass = new GrowableF64();
    const entry = new GrowableF64();
    const weight = new GrowableF64();
    const fold = new GrowableF64();
    const test = new GrowableF64();
    const features = scale.features.map(() => new GrowableF64());
    const axes = (t.reweight?.axes ?? []).map(() => new GrowableF64());
    return {
      outputs,
      regions: [region],
      chunk(ev) {
        let { idx, count } = ev.passing(region);
        if (labels) {
          const masks = labels.map((_, k) => ev.columns.get(labelColumn(t, k)) as Uint8Array);
          const kept = new Int32Array(count);
          let m = 0;
          for (let q = 0; q < count; q++) {
            const k = classAt(masks, idx[q]);
            if (k < 0) continue;
            kept[m++] = idx[q];
            klass.push(k);
          }
          idx = kept;
          count = m;
        }
        const w = ev.weightsIn(region);
        for (let q = 0; q < count; q++) {
          const i = idx[q];
          entry.push(ev.entry0 + i);
          weight.push(w ? w[i] : 1);
        }
        features.forEach((g, k) => g.gather(ev.columns.get(trainColumns.feature(t, k)) as Float64Array, idx, count));
        axes.forEach((g, k) => g.gather(ev.columns.get(trainColumns.axis(t, k)) as Float64Array, idx, count));
        if (t.folds) fold.gather(ev.columns.get(trainColumns.fold(t)) as Float64Array, idx, count);
        if (testExprOf(t)) test.gather(ev.columns.get(trainColumns.test(t)) as Uint8Array, idx, count);
      },
      finish(totals) {
        const w = weight.values();
        // the sample's normalisation (xsec × lumi / sumw) is known only once all its entries are seen
        if (totals.norm !== 1) for (let i = 0; i < w.length; i++) w[i] *= totals.norm;
        const n = w.length;
        // the fold expression's values as computed: runtime/train reports any that is not a fold number
        const foldValues = t.folds ? fold.values() : new Int32Array(n);
        const rows: SampleRows = {
          sample: scope.read.sample,
          class: cls,
          entry: entry.values(),
          weight: w,
          fold: foldValues,
          features: features.map((g) => g.values()),
          reweightAxes: axes.map((g) => g.values()),
          test: testExprOf(t) ? Uint8Array.from(test.values()) : null,
        };
        return labels ? splitByClass(rows, klass.values(), labels.map((l) => l.class)) : [rows];
      },
    };
  },

  async merge(t, partials, run) {
    const cached = run.results.has(t.id);
    if (cached && !datasetWanted(t, run) && !reportWanted(run)) return;
    const prepared = prepare(t, scaleOf(t, run), partials.flatMap((p) => p.partial), run, !cached);
    if (datasetWanted(t, run)) run.results.set(datasetKey(t), prepared.dataset);
    if (reportWanted(run)) run.results.set(featuresKey(t), featureHistograms(prepared.dataset));
    if (cached) return;
    const model: TrainedModel = await fitModel(t, scaleOf(t, run), prepared, run);
    run.results.set(t.id, model);
    saveCachedModel(run, t, model);
  },
};

/** A labelled sample's rows as one part per class (`SAMPLE#CLASS`), each in entry order. */
function splitByClass(rows: SampleRows, klass: Float64Array, names: string[]): SampleRows[] {
  return names.map((name, k) => {
    const pick: number[] = [];
    for (let i = 0; i < klass.length; i++) if (klass[i] === k) pick.push(i);
    const take = <A extends Float64Array | Int32Array | Uint8Array>(a: A): A => {
      const out = new (a.constructor as new (n: number) => A)(pick.length);
      pick.forEach((i, j) => (out[j] = a[i]));
      return out;
    };
    return {
      sample: partName(rows.sample, name),
      class: name,
      entry: take(rows.entry),
      weight: take(rows.weight),
      fold: take(rows.fold),
      features: rows.features.map(take),
      reweightAxes: rows.reweightAxes.map(take),
      test: rows.test ? take(rows.test) : null,
      ...(rows.candidate ? { candidate: take(rows.candidate) } : {}),
    };
  });
}

/** The held-out test part as the plan states it (plans of older versions have none). */
export function testOf(t: TrainNode): TrainSpec["test"] {
  return (t as TrainSpec).test ?? null;
}

function testExprOf(t: TrainNode): ExprIR | null {
  const test = testOf(t);
  return test && "expr" in test ? test.expr : null;
}

/** The model cache: `.hepc/cache/models/HASH.json`, beside the column cache. */
function modelPath(run: RunState, t: TrainNode): string | null {
  return run.opts.cacheDir ? modelCachePath(run.opts.cacheDir, t) : null;
}

function loadCachedModel(run: RunState, t: TrainNode): TrainedModel | undefined {
  const p = modelPath(run, t);
  if (!p) return undefined;
  try {
    const m = JSON.parse(readFileSync(p, "utf8")) as TrainedModel;
    // a record of another shape (another version, a damaged file) is set aside: the model is retrained
    if (m.format !== "hepc-model/1" || m.hash !== t.hash || !Array.isArray(m.folds)) return undefined;
    return { ...m, cached: true } as TrainedModel;
  } catch {
    return undefined;
  }
}

function saveCachedModel(run: RunState, t: TrainNode, m: TrainedModel): void {
  const p = modelPath(run, t);
  if (!p) return;
  try {
    mkdirSync(path.dirname(p), { recursive: true });
    atomicWrite(p, canonicalJson(m));
  } catch (e) {
    run.warnings.push(`model '${t.model}' could not be cached (${(e as Error).message}): it will be trained again next time`);
  }
}

/** The folds and the dataset (runtime/train): errors stop the run under the train block's line. */
function prepare(t: TrainNode, scale: ScaleNode, rows: SampleRows[], run: RunState, warn: boolean): Prepared {
  const prepared = prepareTraining(rows, preparedSpec(t), scale);
  const error = prepared.problems.find((p) => p.severity === "error");
  if (error || !prepared.value) throw new RunError(error?.code ?? "HEP6018", error?.args ?? { detail: "no training data" }, t.origin);
  if (warn) for (const p of prepared.problems) run.warnings.push(`model '${t.model}': ${p.message} [${p.code}]`);
  return prepared.value;
}

/** The block's own `device` (plans that carry one), else the run's. */
export function deviceOf(t: TrainNode, run: RunState): DeviceWanted {
  const own = (t as { device?: unknown }).device;
  return isDeviceWanted(own) ? own : (run.opts.device ?? "cpu");
}

/** One model per fold, in fold order. */
async function fitModel(t: TrainNode, scale: ScaleNode, prepared: Prepared, run: RunState): Promise<TrainedModel> {
  const fitted: TrainedModel["folds"] = [];
  for (let k = 0; k < prepared.folds.length; k++) fitted.push(await fitFold(t, prepared, k, run));
  return assembleModel(t, scale, prepared, fitted);
}

/** The fit of one fold (the k-th of the prepared folds): what a scale-out train task computes. */
export async function fitFold(t: TrainNode, prepared: Prepared, k: number, run: RunState): Promise<TrainedModel["folds"][number]> {
  const kind = MODEL_RUNTIMES[t.modelKind];
  const data = prepared.folds[k];
  if (run.opts.signal?.aborted) throw new RunError("HEP6005", {});
  let m;
  try {
    m = await kind.fit(data, t.options, { seed: t.seed, threads: Math.max(1, run.opts.threads ?? defaultThreads()), classes: prepared.classes, signal: run.opts.signal, device: deviceOf(t, run), model: t.model });
  } catch (e) {
    if (run.opts.signal?.aborted) throw new RunError("HEP6005", {});
    const known = modelErrorOf(e);
    if (known) throw new RunError(known.code, known.args, t.origin);
    throw e;
  }
  const finite = (xs: number[]) => xs.map((x) => (Number.isFinite(x) ? x : null));
  return { fold: data.fold, scalers: data.scalers.map(scalerToJson) as never, model: m.toJSON(), bestIteration: m.bestIteration, curves: m.curves && { train: finite(m.curves.train), valid: finite(m.curves.valid) }, device: m.device ?? "cpu" };
}

/** The model of a train block from its folds' fits, in fold order. */
export function assembleModel(t: TrainNode, scale: ScaleNode, prepared: Prepared, fitted: TrainedModel["folds"]): TrainedModel {
  const kind = MODEL_RUNTIMES[t.modelKind];
  const { classes, summary } = prepared;
  const importance = sumImportance(fitted.map((f) => kind.load(f.model).importance));
  const devices = new Set(fitted.map((f) => f.device ?? "cpu"));
  return { format: "hepc-model/1", model: t.model, kind: t.modelKind, hash: t.hash, classes, features: scale.features.map((f) => f.name), nFolds: t.folds?.n ?? 0, folds: fitted, importance, summary, device: [...devices].join(", ") || "cpu" };
}

/** A train block's folds and dataset from its samples' rows (scale-out train tasks). */
export function prepareRows(t: TrainNode, rows: SampleRows[], run: RunState): Prepared {
  return prepare(t, scaleOf(t, run), rows, run, true);
}

/** Where the model cache keeps a train block's model under `cacheDir`. */
export function modelCachePath(cacheDir: string, t: TrainNode): string {
  return path.join(cacheDir, "models", `${t.hash}.json`);
}

function sumImportance(per: Array<{ gain: number[]; splits: number[] } | undefined>): { gain: number[]; splits: number[] } | undefined {
  const known = per.filter((x): x is { gain: number[]; splits: number[] } => x !== undefined);
  if (!known.length) return undefined;
  return { gain: known[0].gain.map((_, j) => known.reduce((a, x) => a + x.gain[j], 0)), splits: known[0].splits.map((_, j) => known.reduce((a, x) => a + x.splits[j], 0)) };
}

/** Distributions of a block's input features per class, as trained on. */
export interface FeatureDistribution {
  feature: string;
  edges: number[];
  classes: Array<{ class: string; sumw: number[]; sumw2: number[] }>;
}

/**
 * Each feature in 40 equal bins between its 0.5% and 99.5% quantiles over the training rows (so one
 * stray value does not squeeze the rest into a bin), filled per class with the training weights;
 * values outside go to the edge bins, missing values nowhere.
 */
function featureHistograms(d: Prepared["dataset"]): FeatureDistribution[] {
  const BINS = 40;
  return d.featureNames.map((feature, j) => {
    const x = d.features[j];
    const finite = Float64Array.from(x).filter((v) => Number.isFinite(v)).sort();
    const lo = finite.length ? finite[Math.floor(0.005 * (finite.length - 1))] : 0;
    let hi = finite.length ? finite[Math.ceil(0.995 * (finite.length - 1))] : 1;
    if (!(hi > lo)) hi = lo + 1;
    const edges = Array.from({ length: BINS + 1 }, (_, k) => lo + ((hi - lo) * k) / BINS);
    const classes = d.classes.map((c) => ({ class: c, sumw: new Array<number>(BINS).fill(0), sumw2: new Array<number>(BINS).fill(0) }));
    for (let i = 0; i < d.n; i++) {
      const v = x[i];
      if (!Number.isFinite(v) || d.test[i]) continue;
      const b = Math.min(BINS - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * BINS)));
      const w = d.weight[i];
      const h = classes[d.label[i]];
      h.sumw[b] += w;
      h.sumw2[b] += w * w;
    }
    return { feature, edges, classes };
  });
}
