/**
 * What the runners need to know of a model whatever its kind: its classes in label order, the
 * label of a sample's events (undefined: the model does not see that sample), whether it is binary,
 * and its train node when it is trained (folds, training region). Score models
 * (runtime/models/score) have classes from their discriminant and no train node; imported (onnx)
 * models have the classes their `classes` option names (else the samples' classes) and none either.
 */
import type { PredictNode, TrainNode } from "../../../plan/types.js";
import { classOrder } from "../../../plan/classes.js";
import type { TrainedModel } from "../../models/index.js";
import { scoreClasses } from "../../models/score/index.js";
import { classOf } from "./train.js";
import type { RunState } from "./types.js";

export interface ModelView {
  /** How the model came to be: trained by hepc, a discriminant of the inputs, or imported (onnx). */
  origin: "trained" | "score" | "imported";
  classes: string[];
  /** Scores per event: 1 (binary) or the number of classes. */
  outputs: number;
  /** The index of the sample's class among `classes`, or undefined when the model leaves it out. */
  labelOf(sample: string): number | undefined;
  /** The train node of a trained model. */
  train: TrainNode | null;
}

export function modelView(run: RunState, model: string): ModelView {
  const p = run.byId.get(`predict:${model}`) as PredictNode | undefined;
  if (p?.discriminant) {
    const classes = scoreClasses(p);
    const read = (sample: string) => run.plan.nodes.find((n) => n.kind === "read" && n.sample === sample);
    return {
      origin: "score",
      classes,
      outputs: 1,
      labelOf(sample) {
        const r = read(sample);
        const i = r && r.kind === "read" && r.class !== null ? classes.indexOf(r.class) : -1;
        return i >= 0 ? i : undefined;
      },
      train: null,
    };
  }
  if (p?.onnx) {
    const sampleClasses = p.onnx.sampleClasses ?? {};
    // scores: one per named class when `classes` names more than two, else one (binary)
    const named = p.onnx.classes ?? null;
    const classes = named ?? classOrder(Object.keys(sampleClasses));
    return {
      origin: "imported",
      classes,
      outputs: named && named.length > 2 ? named.length : 1,
      labelOf(sample) {
        for (const [cls, samples] of Object.entries(sampleClasses)) if (samples.includes(sample) && classes.includes(cls)) return classes.indexOf(cls);
        return undefined;
      },
      train: null,
    };
  }
  const t = run.byId.get(`train:${model}`) as TrainNode;
  const trained = run.results.get(t.id) as TrainedModel;
  return {
    origin: "trained",
    classes: trained.classes,
    outputs: trained.classes.length > 2 ? trained.classes.length : 1,
    labelOf(sample) {
      const c = classOf(t, sample);
      return c === undefined ? undefined : trained.classes.indexOf(c);
    },
    train: t,
  };
}
