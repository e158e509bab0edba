/**
 * Models trained per candidate (a features list `per LIST`, plan ScaleNode.per): one training row
 * per candidate, and one score per candidate. The features and the class conditions are list
 * outputs computed per element of LIST (in its order); the event's weight, fold, test flag and
 * training region apply to each of its candidates, and a candidate takes the first class whose
 * condition holds (one in none is left out). Scores are handed on packed per event, as a kernel's
 * list input (`cand:MODEL:K`), and kept whole for later passes (stream.ts packs each chunk's part).
 */
import type { ExprIR, PredictNode, ScaleNode, TrainNode } from "../../../plan/types.js";
import { hashOf } from "../../../plan/canonical.js";
import { unpackList } from "../../columns/index.js";
import type { DeviceScorer, LoadedModel } from "../../models/index.js";
import type { SampleRows } from "../../train/types.js";
import { inTestFraction } from "../../train/index.js";
import type { CachedOutput } from "../stream.js";
import { CandidateScores } from "./candidate-scores.js";
import { GrowableF64 } from "./growable.js";
import { scoreOn } from "./device-score.js";
import { partName } from "./labels.js";
import { scoringWorlds } from "./world-scores.js";
import { SELECTED, type RunState, type SampleScope, type SampleTask } from "./types.js";

type Labels = Array<{ class: string; expr: ExprIR }>;

const keys = {
  feature: (t: TrainNode, k: number, s: string) => `cf:${t.id}:${k}${s}`,
  label: (t: TrainNode, k: number, s: string) => `cl:${t.id}:${k}${s}`,
  fold: (t: TrainNode, s: string) => `cfold:${t.id}${s}`,
  test: (t: TrainNode, s: string) => `ctest:${t.id}${s}`,
};

/** The columns of a per-candidate block: features and class conditions per candidate, fold and test flag per event. */
function columns(t: TrainNode, scale: ScaleNode, scope: SampleScope, labels: Labels, testExpr: ExprIR | null, when: { expr: ExprIR; hash: string } | undefined, suffix: string): CachedOutput[] {
  const over = scale.per!;
  const cache = (expr: ExprIR, as: string) => hashOf({ v: scope.keyOf(expr), per: scope.keyOf(over), ...(when ? { when: when.hash } : {}), as });
  const list = (key: string, expr: ExprIR): CachedOutput => ({ key, expr, as: "list", per: over, ...(when ? { when: when.expr } : {}), cacheKey: cache(expr, "list") });
  const flat = (key: string, expr: ExprIR, as: "f64" | "mask"): CachedOutput => ({ key, expr, as, ...(when ? { when: when.expr } : {}), cacheKey: cache(expr, as) });
  return [
    ...scale.features.map((f, k) => list(keys.feature(t, k, suffix), f.expr)),
    ...labels.map((l, k) => list(keys.label(t, k, suffix), l.expr)),
    ...(t.folds ? [flat(keys.fold(t, suffix), t.folds.by, "f64")] : []),
    ...(testExpr ? [flat(keys.test(t, suffix), testExpr, "mask")] : []),
  ];
}

/** The class (index into labels) of candidate c, from the label lists' values: the first that holds, or -1. */
function classOfCandidate(labelValues: Float64Array[], c: number): number {
  for (let k = 0; k < labelValues.length; k++) if (labelValues[k][c] !== 0 && labelValues[k][c] === labelValues[k][c]) return k;
  return -1;
}

/** A sample's training rows, one per candidate of the events in the training region, in entry order. */
export function candidateTrainTask(
  t: TrainNode,
  scale: ScaleNode,
  scope: SampleScope,
  labels: Labels,
  testExpr: ExprIR | null,
  finishRows: (rows: SampleRows, klass: Float64Array, totalsNorm: number) => SampleRows[],
): SampleTask<SampleRows[]> {
  const region = t.region ?? SELECTED;
  const when = scope.condition(t.region ? [t.region] : []);
  const outputs = columns(t, scale, scope, labels, testExpr, when, "");
  const klass = new GrowableF64();
  const entry = new GrowableF64();
  const weight = new GrowableF64();
  const fold = new GrowableF64();
  const test = new GrowableF64();
  const position = new GrowableF64();
  const features = scale.features.map(() => new GrowableF64());
  return {
    outputs,
    regions: [region],
    chunk(ev) {
      const n = ev.n;
      const { idx, count } = ev.passing(region);
      const w = ev.weightsIn(region);
      const feats = scale.features.map((_, k) => unpackList(ev.columns.get(keys.feature(t, k, "")) as Float64Array, n));
      const labs = labels.map((_, k) => unpackList(ev.columns.get(keys.label(t, k, "")) as Float64Array, n).values);
      const off = feats[0]?.offsets ?? unpackList(ev.columns.get(keys.label(t, 0, "")) as Float64Array, n).offsets;
      const foldCol = t.folds ? (ev.columns.get(keys.fold(t, "")) as Float64Array) : null;
      const testCol = testExpr ? (ev.columns.get(keys.test(t, "")) as Uint8Array) : null;
      for (let q = 0; q < count; q++) {
        const i = idx[q];
        for (let c = off[i]; c < off[i + 1]; c++) {
          const k = classOfCandidate(labs, c);
          if (k < 0) continue;
          klass.push(k);
          entry.push(ev.entry0 + i);
          position.push(c - off[i]);
          weight.push(w ? w[i] : 1);
          if (foldCol) fold.push(foldCol[i]);
          if (testCol) test.push(testCol[i]);
          feats.forEach((f, j) => features[j].push(f.values[c]));
        }
      }
    },
    finish(totals) {
      const w = weight.values();
      const rows: SampleRows = {
        sample: scope.read.sample,
        class: labels[0].class,
        entry: entry.values(),
        weight: w,
        fold: t.folds ? fold.values() : new Int32Array(w.length),
        features: features.map((g) => g.values()),
        reweightAxes: [],
        test: testExpr ? Uint8Array.from(test.values()) : null,
        candidate: position.values(),
      };
      return finishRows(rows, klass.values(), totals.norm);
    },
  };
}

/**
 * A per-candidate model's scores for every candidate of every event: out of fold for the
 * candidates training saw (the event in the training region and not in the test part, the
 * candidate in a class), the folds' mean for the others. In a shape variation's world that changes
 * the candidates (world-scores.ts), every candidate of an event training saw is scored out of
 * fold, the others by the folds' mean.
 */
export function candidateScoreTask(p: PredictNode, t: TrainNode, scale: ScaleNode, scope: SampleScope, run: RunState, loaded: LoadedModel, labels: Labels | undefined, testSpec: { fraction: number } | { expr: ExprIR } | null, scorer: DeviceScorer | null): SampleTask<null> {
  const testExpr = testSpec && "expr" in testSpec ? testSpec.expr : null;
  const outputs = columns(t, scale, scope, labels ?? [], testExpr, undefined, ":all");
  const region = t.region ?? SELECTED;
  const kept = new CandidateScores(p.model, loaded.outputs, run.scoresRead.has(p.model));
  // shape variations that change the candidates or their features: each world's candidates scored too
  const worlds = scoringWorlds(p, scope, run).map((w) => ({
    features: scale.features.map((f, k) => {
      const o = w.output(keys.feature(t, k, ":all"), f.expr, "list", scale.per!);
      outputs.push(o);
      return o.key;
    }),
    kept: new CandidateScores(w.model, loaded.outputs, run.scoresRead.has(p.model)),
  }));
  return {
    outputs,
    regions: labels ? [region] : [],
    async chunk(ev) {
      const n = ev.n;
      const feats = scale.features.map((_, k) => unpackList(ev.columns.get(keys.feature(t, k, ":all")) as Float64Array, n));
      const off = feats[0].offsets;
      const rows = feats[0].values.length;
      const inTraining = new Uint8Array(rows);
      const fold = t.folds ? new Float64Array(rows) : null;
      const foldCol = t.folds ? (ev.columns.get(keys.fold(t, ":all")) as Float64Array) : null;
      if (fold && foldCol) for (let i = 0; i < n; i++) fold.fill(foldCol[i], off[i], off[i + 1]);
      if (labels) {
        const labs = labels.map((_, k) => unpackList(ev.columns.get(keys.label(t, k, ":all")) as Float64Array, n).values);
        const testCol = testExpr ? (ev.columns.get(keys.test(t, ":all")) as Uint8Array) : null;
        const { idx, count } = ev.passing(region);
        for (let q = 0; q < count; q++) {
          const i = idx[q];
          if (testCol?.[i]) continue;
          for (let c = off[i]; c < off[i + 1]; c++) {
            const k = classOfCandidate(labs, c);
            if (k < 0) continue;
            // the test-fraction draw is the training's: by the part (sample and class) and the entry
            if (testSpec && "fraction" in testSpec && inTestFraction(t.seed, partName(scope.read.sample, labels[k].class), ev.entry0 + i, testSpec.fraction)) continue;
            inTraining[c] = 1;
          }
        }
      }
      const { scores } = await scoreOn(scorer, t, loaded, feats.map((f) => f.values), rows, fold, inTraining);
      kept.add(ev, off, scores, rows);
      if (!worlds.length) return;
      // in a world, an event's candidates are other lists: each is scored by the folds that did
      // not train on the event (any of its nominal candidates in training), else by their mean
      const trainedEvent = new Uint8Array(n);
      for (let i = 0; i < n; i++) for (let c = off[i]; c < off[i + 1] && !trainedEvent[i]; c++) trainedEvent[i] = inTraining[c];
      for (const w of worlds) {
        const wf = w.features.map((key) => unpackList(ev.columns.get(key) as Float64Array, n));
        const wOff = wf[0].offsets;
        const wRows = wf[0].values.length;
        const wTraining = new Uint8Array(wRows);
        const wFold = foldCol ? new Float64Array(wRows) : null;
        for (let i = 0; i < n; i++) {
          wTraining.fill(trainedEvent[i], wOff[i], wOff[i + 1]);
          if (wFold) wFold.fill(foldCol![i], wOff[i], wOff[i + 1]);
        }
        const varied = await scoreOn(scorer, t, loaded, wf.map((f) => f.values), wRows, wFold, wTraining);
        w.kept.add(ev, wOff, varied.scores, wRows);
      }
    },
    finish() {
      kept.store(run, scope.read.sample);
      for (const w of worlds) w.kept.store(run, scope.read.sample);
      return null;
    },
  };
}
