/**
 * Evaluate nodes: in the pass that scores, each sample of the model's classes hands over, for the
 * events of the evaluation region, the out-of-fold scores, the label, the weight, the fold and the
 * bin variables; events the training saw come a second time with a score from a model that trained
 * on them, marked as such, for the overtraining test only. After the pass runtime/evaluate computes
 * every figure; its problems become warnings, or errors under the evaluate block's line.
 */
import type { EvaluateNode } from "../../../plan/types.js";
import { hashOf } from "../../../plan/canonical.js";
import { evaluateModel, releaseScratch, REST, type CrossRequirement, type EvaluateSpec, type EvaluationResult, type ScoredEvents } from "../../evaluate/index.js";
import { exprLabel } from "../../train/label.js";
import { RunError } from "../errors.js";
import { GrowableF64 } from "./growable.js";
import { inSampleColumn, scoreColumn, trainedColumn } from "./predict.js";
import { modelView } from "./models.js";
import { trainColumns } from "./train.js";
import { classAt, labelColumn, labelOutputs, labelsOf } from "./labels.js";
import { SELECTED, type Runner, type RunState } from "./types.js";

interface SampleEvents {
  /** The class index of each event (in the model's order). */
  label: Float64Array;
  /** The `given` model's score per event (empty without `given`). */
  given: Float64Array;
  scores: Float64Array[];
  weight: Float64Array;
  fold: Float64Array;
  train: Float64Array;
  vars: Float64Array[];
}

export const evaluateRunner: Runner<EvaluateNode, SampleEvents> = {
  sample(e, scope, run) {
    const view = modelView(run, e.model);
    const t = view.train;
    const label = view.labelOf(scope.read.sample);
    if (label === undefined) return null;
    if (view.origin === "imported" && view.outputs === 1 && view.classes.length > 2) throw new RunError("HEP6032", { model: e.model, reason: `has one score, which cannot be evaluated against ${view.classes.length} classes (${view.classes.join(", ")}): name two with 'classes [BACKGROUND, SIGNAL]', or score every class` }, e.origin, e.id);
    const outputs = view.outputs;
    // a labelled sample (classes from conditions): each event's class from its conditions (events in none are left out)
    const labels = t ? labelsOf(t, scope.read.sample) : null;
    const labelIndex = labels?.map((l) => view.classes.indexOf(l.class));
    const labelOf = new GrowableF64();
    const region = e.region ?? SELECTED;
    const when = scope.condition(e.region ? [e.region] : []);
    const vars = e.bins.map((b, k) => ({ key: `bin:${e.id}:${k}`, expr: b.expr, as: "f64" as const, when: when?.expr, cacheKey: hashOf({ v: scope.keyOf(b.expr), when: when?.hash ?? null }) }));
    const scores = Array.from({ length: outputs }, () => new GrowableF64());
    const weight = new GrowableF64();
    const fold = new GrowableF64();
    const train = new GrowableF64();
    const binVars = vars.map(() => new GrowableF64());
    const given = e.given ? new GrowableF64() : null;
    return {
      outputs: [...vars, ...(t ? labelOutputs(t, scope, when, `:${e.id}`) : [])],
      regions: [region],
      chunk(ev) {
        const { idx, count } = ev.passing(region);
        const masks = labels ? labels.map((_, k) => ev.columns.get(labelColumn(t!, k, `:${e.id}`)) as Uint8Array) : null;
        const foldCol = t?.folds ? (ev.columns.get(`${trainColumns.fold(t)}:all`) as Float64Array) : null;
        const trainedMask = ev.columns.get(trainedColumn(e.model)) as Uint8Array;
        const binCols = vars.map((v) => ev.columns.get(v.key) as Float64Array);
        const givenCol = e.given ? (ev.columns.get(scoreColumn(e.given.model, 0)) as Float64Array) : null;
        const w = ev.weightsIn(region);
        // out-of-fold scores of every event, then training-fold scores of those the training saw
        for (const pass of [0, 1]) {
          // columns looked up once per chunk, not per event
          const cols = Array.from({ length: outputs }, (_, k) => ev.columns.get(pass ? inSampleColumn(e.model, k) : scoreColumn(e.model, k)) as Float64Array);
          for (let q = 0; q < count; q++) {
            const i = idx[q];
            if (pass === 1 && !trainedMask[i]) continue;
            const c = masks ? classAt(masks, i) : 0;
            if (c < 0) continue;
            labelOf.push(masks ? labelIndex![c] : label);
            for (let k = 0; k < outputs; k++) scores[k].push(cols[k][i]);
            weight.push(w ? w[i] : 1);
            fold.push(foldCol ? foldCol[i] : 0);
            train.push(pass);
            for (let k = 0; k < binCols.length; k++) binVars[k].push(binCols[k][i]);
            if (given) given.push(givenCol![i]);
          }
        }
      },
      finish(totals) {
        const w = weight.values();
        if (totals.norm !== 1) for (let i = 0; i < w.length; i++) w[i] *= totals.norm;
        return { label: labelOf.values(), given: given ? given.values() : new Float64Array(0), scores: scores.map((g) => g.values()), weight: w, fold: fold.values(), train: train.values(), vars: binVars.map((g) => g.values()) };
      },
    };
  },

  merge(e, partials, run) {
    const view = modelView(run, e.model);
    const t = view.train;
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
    const outputs = view.outputs;
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
      ...(t?.folds ? { fold: Int32Array.from(cat((p) => p.fold)) } : {}),
      // a score or imported model saw no event in training: no training-fold scores to compare
      ...(t ? { train: Uint8Array.from(cat((p) => p.train)) } : {}),
      ...(e.bins.length ? { vars: e.bins.map((_, k) => cat((p) => p.vars[k])) } : {}),
    };
    const rejectionAt = e.metrics.filter((m) => m.name === "rejection" && m.at !== null).map((m) => m.at!);
    const spec: EvaluateSpec = {
      model: e.model,
      region: e.region ?? "all",
      classes: view.classes,
      kind: outputs > 1 ? "multiclass" : "binary",
      signal: view.classes.length - 1,
      // an evaluate block without bins has none (an empty list would be an axis count of 0)
      ...(e.bins.length ? { bins: e.bins.map((b) => ({ variable: exprLabel(b.expr), edges: b.edges })) } : {}),
      ...(rejectionAt.length ? { signalEfficiencies: rejectionAt } : {}),
      workingPoints: Object.entries(e.workingPoints).map(([name, target]) => ({ name, target })),
      flatWorkingPoints: e.bins.length > 0,
      bootstrap: { seed: run.plan.analysis.seed },
      ...(e.given ? { given: givenRequirement(e, cat((p) => p.given), run) } : {}),
      ...(classPairs(e, view.classes, outputs > 1).length ? { pairs: classPairs(e, view.classes, outputs > 1) } : {}),
    };
    const result = evaluateModel(events, spec);
    if ("error" in result) throw new RunError(result.error.code, result.error.args, e.origin);
    for (const i of result.issues) run.warnings.push(`evaluation of '${e.model}': ${i.message} [${i.code}]`);
    run.results.set(e.id, result satisfies EvaluationResult);
  },
  // the memory evaluations keep between calls (a 10M-event one in 20 bins keeps ~1.8 GB, scratch.ts)
  // goes with the run
  async release() {
    releaseScratch();
  },
};

/**
 * The other discriminator's working point the working points are derived under: its score on the
 * evaluated events and the threshold its evaluation (an earlier pass) derived over all its events.
 */
function givenRequirement(e: EvaluateNode, score: Float64Array, run: RunState): CrossRequirement {
  const g = e.given!;
  const other = run.results.get(g.evaluate) as EvaluationResult | undefined;
  const wp = other?.workingPoints.find((w) => w.name === g.point);
  if (!wp || "reason" in wp.overall) {
    const reason = !other ? "its evaluation did not run" : !wp ? "its evaluation derived no such working point (working points are derived for binary models only)" : (wp.overall as { reason: string }).reason;
    throw new RunError("HEP6055", { model: g.model, name: g.point, reason }, e.origin, e.id);
  }
  return { name: `${g.model}.${g.point}`, score, threshold: wp.overall.threshold };
}

/**
 * The class pairs the metrics name (`auc A vs B`, `roc vs B`, `vs rest`, `vs pairs`), as class
 * indices for the library (b = REST: every other class), each once. A binary model's pairs are its
 * signal against each named class; its `vs rest` is its own ROC, so it adds none.
 */
export function classPairs(e: EvaluateNode, classes: string[], multiclass: boolean): { a: number; b: number }[] {
  const signal = classes.length - 1;
  const out = new Map<string, { a: number; b: number }>();
  const add = (a: number, b: number) => {
    if (a >= 0 && (b >= 0 || b === REST) && a !== b) out.set(`${a}:${b}`, { a, b });
  };
  for (const m of e.metrics) {
    if (!m.vs) continue;
    if (m.of === undefined && m.vs === "rest") {
      if (multiclass) classes.forEach((_, c) => add(c, REST));
    } else if (m.of === undefined && m.vs === "pairs") {
      if (multiclass) classes.forEach((_, a) => classes.forEach((_, b) => add(a, b)));
      else classes.forEach((_, b) => add(signal, b));
    } else add(m.of === undefined ? signal : classes.indexOf(m.of), classes.indexOf(m.vs));
  }
  return [...out.values()];
}
