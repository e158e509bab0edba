/**
 * Evaluate nodes: in the pass that scores, each sample of the model's classes hands over, for the
 * events of the evaluation region, the out-of-fold scores, the label, the weight, the fold and the
 * bin variables; events the training saw come a second time with a score from a model that trained
 * on them, marked as such, for the overtraining test only. After the pass runtime/evaluate computes
 * every figure; its problems become warnings, or errors under the evaluate block's line.
 */
import type { EvaluateNode, TrainNode } from "../../../plan/types.js";
import { hashOf } from "../../../plan/canonical.js";
import { evaluateModel, type EvaluateSpec, type EvaluationResult, type ScoredEvents } from "../../evaluate/index.js";
import type { TrainedModel } from "../../models/index.js";
import { exprLabel } from "../../train/label.js";
import { RunError } from "../errors.js";
import { GrowableF64 } from "./growable.js";
import { inSampleColumn, scoreColumn, trainedColumn } from "./predict.js";
import { classOf, trainColumns } from "./train.js";
import { classAt, labelColumn, labelOutputs, labelsOf } from "./labels.js";
import { SELECTED, type Runner } from "./types.js";

interface SampleEvents {
  /** The class index of each event (in the model's order). */
  label: Float64Array;
  scores: Float64Array[];
  weight: Float64Array;
  fold: Float64Array;
  train: Float64Array;
  vars: Float64Array[];
}

export const evaluateRunner: Runner<EvaluateNode, SampleEvents> = {
  sample(e, scope, run) {
    const t = run.byId.get(`train:${e.model}`) as TrainNode;
    const trained = run.results.get(t.id) as TrainedModel;
    const cls = classOf(t, scope.read.sample);
    if (!cls) return null;
    const label = trained.classes.indexOf(cls);
    // a labelled sample: each event's class from its conditions (events in none are left out)
    const labels = labelsOf(t, scope.read.sample);
    const labelIndex = labels?.map((l) => trained.classes.indexOf(l.class));
    const labelOf = new GrowableF64();
    const outputs = trained.classes.length > 2 ? trained.classes.length : 1;
    const region = e.region ?? SELECTED;
    const when = scope.condition(e.region ? [e.region] : []);
    const vars = e.bins.map((b, k) => ({ key: `bin:${e.id}:${k}`, expr: b.expr, as: "f64" as const, when: when?.expr, cacheKey: hashOf({ v: scope.keyOf(b.expr), when: when?.hash ?? null }) }));
    const scores = Array.from({ length: outputs }, () => new GrowableF64());
    const weight = new GrowableF64();
    const fold = new GrowableF64();
    const train = new GrowableF64();
    const binVars = vars.map(() => new GrowableF64());
    return {
      outputs: [...vars, ...labelOutputs(t, scope, when, `:${e.id}`)],
      regions: [region],
      chunk(ev) {
        const { idx, count } = ev.passing(region);
        const masks = labels ? labels.map((_, k) => ev.columns.get(labelColumn(t, k, `:${e.id}`)) as Uint8Array) : null;
        const foldCol = t.folds ? (ev.columns.get(`${trainColumns.fold(t)}:all`) as Float64Array) : null;
        const trainedMask = ev.columns.get(trainedColumn(e.model)) as Uint8Array;
        const binCols = vars.map((v) => ev.columns.get(v.key) as Float64Array);
        const w = ev.weightsIn(region);
        // out-of-fold scores of every event, then training-fold scores of those the training saw
        for (const pass of [0, 1]) {
          // columns looked up once per chunk, not per event
          const cols = Array.from({ length: outputs }, (_, k) => ev.columns.get(pass ? inSampleColumn(e.model, k) : scoreColumn(e.model, k)) as Float64Array);
          for (let q = 0; q < count; q++) {
            const i = idx[q];
            if (pass === 1 && !trainedMask[i]) continue;
            const k = masks ? classAt(masks, i) : 0;
            if (k < 0) continue;
            labelOf.push(masks ? labelIndex![k] : label);
            for (let k = 0; k < outputs; k++) scores[k].push(cols[k][i]);
            weight.push(w ? w[i] : 1);
            fold.push(foldCol ? foldCol[i] : 0);
            train.push(pass);
            for (let k = 0; k < binCols.length; k++) binVars[k].push(binCols[k][i]);
          }
        }
      },
      finish(totals) {
        const w = weight.values();
        if (totals.norm !== 1) for (let i = 0; i < w.length; i++) w[i] *= totals.norm;
        return { label: labelOf.values(), scores: scores.map((g) => g.values()), weight: w, fold: fold.values(), train: train.values(), vars: binVars.map((g) => g.values()) };
      },
    };
  },

  merge(e, partials, run) {
    const t = run.byId.get(`train:${e.model}`) as TrainNode;
    const trained = run.results.get(t.id) as TrainedModel;
    const parts = partials.map((p) => p.partial);
    const n = parts.reduce((a, p) => a + p.weight.length, 0);
    const cat = (pick: (p: SampleEvents) => Float64Array) => {
      const out = new Float64Array(n);
      let at = 0;
      for (const p of parts) {
        out.set(pick(p), at);
        at += pick(p).length;
      }
      return out;
    };
    const outputs = trained.classes.length > 2 ? trained.classes.length : 1;
    const label = new Int32Array(n);
    let at = 0;
    for (const p of parts) {
      label.set(p.label, at);
      at += p.weight.length;
    }
    const events: ScoredEvents = {
      scores: Array.from({ length: outputs }, (_, k) => cat((p) => p.scores[k])),
      label,
      weight: cat((p) => p.weight),
      ...(t.folds ? { fold: Int32Array.from(cat((p) => p.fold)) } : {}),
      train: Uint8Array.from(cat((p) => p.train)),
      ...(e.bins.length ? { vars: e.bins.map((_, k) => cat((p) => p.vars[k])) } : {}),
    };
    const rejectionAt = e.metrics.filter((m) => m.name === "rejection" && m.at !== null).map((m) => m.at!);
    const spec: EvaluateSpec = {
      model: e.model,
      region: e.region ?? "all",
      classes: trained.classes,
      kind: outputs > 1 ? "multiclass" : "binary",
      signal: trained.classes.length - 1,
      // no `bins`: no binned figures (an empty list of axes is an error to runtime/evaluate)
      ...(e.bins.length ? { bins: e.bins.map((b) => ({ variable: exprLabel(b.expr), edges: b.edges })) } : {}),
      ...(rejectionAt.length ? { signalEfficiencies: rejectionAt } : {}),
      workingPoints: Object.entries(e.workingPoints).map(([name, target]) => ({ name, target })),
      flatWorkingPoints: e.bins.length > 0,
      bootstrap: { seed: run.plan.analysis.seed },
    };
    const result = evaluateModel(events, spec);
    if ("error" in result) throw new RunError(result.error.code, result.error.args, e.origin);
    for (const i of result.issues) run.warnings.push(`evaluation of '${e.model}': ${i.message} [${i.code}]`);
    run.results.set(e.id, result satisfies EvaluationResult);
  },
};
