/**
 * Predict nodes: the scorers of the second pass. Every event of every sample gets the model's
 * score (multiclass: one per class), in entry order: the out-of-fold score where the event was in
 * training (fold k's model never saw fold k), the mean of the folds' scores where it was not (other
 * samples, events outside the training region, the held-out test part). The scores join the
 * chunk's columns for the links after this one (friend trees, histograms of scores). An imported
 * model (imported.ts) scores every event with its one model. Where a shape variation changes a
 * model's features, the same folds score the varied features too (world-scores.ts).
 * A model that scores on the GPU is opened before the pass and closed after the run (device-score.ts).
 */
import type { ExprIR, PredictNode, TrainNode } from "../../../plan/types.js";
import { hashOf } from "../../../plan/canonical.js";
import { type TrainedModel, type LoadedModel, loadModel } from "../../models/index.js";
import { closeDeviceScorer, deviceScorerOf, openDeviceScorer, scoreOn } from "./device-score.js";
import { inTestFraction } from "../../train/index.js";
import { GrowableF64 } from "./growable.js";
import { importedTask, prepareImported, releaseImported } from "./imported.js";
import { classAt, labelColumn, labelOutputs, labelsOf, partName } from "./labels.js";
import { classOf, scaleOf, testOf, trainColumns } from "./train.js";
import { perRun, SELECTED, type Runner, type RunState, type SampleScope, type SampleTask } from "./types.js";
import { scoreOfDiscriminant } from "../../models/score/index.js";
import { candidateScoreTask } from "./candidates.js";
import { scoringWorlds } from "./world-scores.js";
import type { CachedOutput } from "../stream.js";

/** The column key of a model's k-th score, for links later in the chain. */
export const scoreColumn = (model: string, k: number) => `score:${model}:${k}`;
/** The k-th score from a model that trained on the event (NaN where none did), for the overtraining test. */
export const inSampleColumn = (model: string, k: number) => `insample:${model}:${k}`;
/** 1 where the training saw the event (through some fold). */
export const trainedColumn = (model: string) => `trained:${model}`;

/** A model's folds, loaded once per run for all samples and passes. */
const loadedFolds = perRun<LoadedModel>();

/** Opens the model's folds on its device, if it scores on one, before the pass. */
async function prepareTrained(p: PredictNode, run: RunState): Promise<void> {
  const t = run.byId.get(`train:${p.model}`) as TrainNode | undefined;
  const trained = t && (run.results.get(t.id) as TrainedModel | undefined);
  if (!t || !trained) return;
  await openDeviceScorer(t, loadedFolds(run, t.id, () => loadModel(trained)), run);
}
export const predictRunner: Runner<PredictNode, null> = {
  async prepare(p, run) {
    if (p.onnx) await prepareImported(p, run);
    else if (!p.discriminant) await prepareTrained(p, run);
  },
  async release(p, run) {
    if (p.onnx) await releaseImported(p, run);
    else if (!p.discriminant) {
      const t = run.byId.get(`train:${p.model}`) as TrainNode | undefined;
      if (t) closeDeviceScorer(t, run);
    }
  },
  sample(p, scope, run) {
    if (p.discriminant) return discriminantTask(p, scope, run);
    if (p.onnx) return importedTask(p, scope, run, { score: scoreColumn, inSample: (k) => inSampleColumn(p.model, k), trained: trainedColumn(p.model) });
    const t = run.byId.get(`train:${p.model}`) as TrainNode;
    const trained = run.results.get(t.id) as TrainedModel;
    const loaded = loadedFolds(run, t.id, () => loadModel(trained));
    const scale = scaleOf(t, run);
    // a model trained per candidate scores each candidate (runners/candidates.ts)
    const scorer = deviceScorerOf(t, run);
    if (scale.per) return candidateScoreTask(p, t, scale, scope, run, loaded, labelsOf(t, scope.read.sample), testOf(t), scorer);
    const inClass = classOf(t, scope.read.sample) !== undefined;
    const region = t.region ?? SELECTED;
    // every event is scored: no condition on these columns
    const col = (key: string, expr: ExprIR, as: "f64" | "mask") => ({ key: `${key}:all`, expr, as, cacheKey: hashOf({ v: scope.keyOf(expr), as }) });
    const test = testOf(t);
    const testExpr = test && "expr" in test ? test.expr : null;
    const outputs: CachedOutput[] = [
      ...scale.features.map((f, k) => col(trainColumns.feature(t, k), f.expr, "f64")),
      ...(t.folds ? [col(trainColumns.fold(t), t.folds.by, "f64")] : []),
      ...(testExpr ? [col(trainColumns.test(t), testExpr, "mask")] : []),
      ...labelOutputs(t, scope, undefined, ":all"),
    ];
    const labels = labelsOf(t, scope.read.sample);
    const keep = () => (run.scoresRead.has(p.model) ? Array.from({ length: loaded.outputs }, () => new GrowableF64()) : null);
    const kept = keep();
    // shape variations that change the features: the same folds score the world's features
    const worlds = scoringWorlds(p, scope, run).map((w) => ({
      w,
      features: scale.features.map((f, k) => {
        const o = w.output(`${trainColumns.feature(t, k)}:all`, f.expr, "f64");
        outputs.push(o);
        return o.key;
      }),
      kept: keep(),
    }));
    return {
      outputs,
      regions: inClass ? [region] : [],
      async chunk(ev) {
        const n = ev.n;
        const features = scale.features.map((_, k) => ev.columns.get(`${trainColumns.feature(t, k)}:all`) as Float64Array);
        const fold = t.folds ? (ev.columns.get(`${trainColumns.fold(t)}:all`) as Float64Array) : null;
        // which events the training saw (through one fold or another)
        const inTraining = new Uint8Array(n);
        if (inClass) {
          const { idx, count } = ev.passing(region);
          // a labelled sample's event is in training when it has a class; its part is named by it
          const masks = labels ? labels.map((_, k) => ev.columns.get(labelColumn(t, k, ":all")) as Uint8Array) : null;
          const part = (i: number): string => (masks && labels ? partName(scope.read.sample, labels[classAt(masks, i)].class) : scope.read.sample);
          for (let q = 0; q < count; q++) if (!masks || classAt(masks, idx[q]) >= 0) inTraining[idx[q]] = 1;
          if (testExpr) {
            const test = ev.columns.get(`${trainColumns.test(t)}:all`) as Uint8Array;
            for (let i = 0; i < n; i++) if (test[i]) inTraining[i] = 0;
          } else if (test && "fraction" in test) {
            for (let i = 0; i < n; i++) if (inTraining[i] && inTestFraction(t.seed, part(i), ev.entry0 + i, test.fraction)) inTraining[i] = 0;
          }
        }
        const { scores, inSample } = await scoreOn(scorer, t, loaded, features, n, fold, inTraining);
        scores.forEach((s, k) => ev.columns.set(scoreColumn(p.model, k), s));
        if (kept) scores.forEach((s, k) => kept[k].append(s, n));
        inSample.forEach((s, k) => ev.columns.set(inSampleColumn(p.model, k), s));
        ev.columns.set(trainedColumn(p.model), inTraining);
        for (const { w, features, kept } of worlds) {
          const varied = await scoreOn(scorer, t, loaded, features.map((key) => ev.columns.get(key) as Float64Array), n, fold, inTraining);
          varied.scores.forEach((s, k) => ev.columns.set(scoreColumn(w.model, k), s));
          if (kept) varied.scores.forEach((s, k) => kept[k].append(s, n));
        }
      },
      finish() {
        // expressions of later passes read these scores as kernel inputs
        const store = (model: string, kept: GrowableF64[] | null) => {
          if (kept) run.scoreColumns.set(scope.read.sample, new Map([...(run.scoreColumns.get(scope.read.sample) ?? []), ...kept.map((g, k) => [scoreColumn(model, k), g.values()] as const)]));
        };
        store(p.model, kept);
        for (const { w, kept } of worlds) store(w.model, kept);
        return null;
      },
    };
  },
};

/**
 * A score model's task: its discriminant computed by the kernel for every event, handed on as the
 * model's score. No event was trained on: no training-fold scores, `trained` all 0.
 */
function discriminantTask(p: PredictNode, scope: SampleScope, run: RunState): SampleTask<null> {
  const expr = p.discriminant!.expr;
  const key = `disc:${p.id}:all`;
  const kept = run.scoresRead.has(p.model) ? new GrowableF64() : null;
  return {
    outputs: [{ key, expr, as: "f64", cacheKey: hashOf({ v: scope.keyOf(expr), as: "f64" }) }],
    regions: [],
    chunk(ev) {
      const s = scoreOfDiscriminant(ev.columns.get(key) as Float64Array, ev.n);
      ev.columns.set(scoreColumn(p.model, 0), s);
      ev.columns.set(inSampleColumn(p.model, 0), new Float64Array(ev.n).fill(NaN));
      ev.columns.set(trainedColumn(p.model), new Uint8Array(ev.n));
      kept?.append(s, ev.n);
    },
    finish() {
      if (kept) run.scoreColumns.set(scope.read.sample, new Map([...(run.scoreColumns.get(scope.read.sample) ?? []), [scoreColumn(p.model, 0), kept.values()] as const]));
      return null;
    },
  };
}

/** Names of a model's score columns: the model's name, or MODEL_CLASS per class when multiclass. */
export function scoreNames(model: string, classes: string[]): string[] {
  return classes.length > 2 ? classes.map((c) => `${model}_${c}`) : [model];
}
