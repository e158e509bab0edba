/**
 * A gbdt's folds as one ONNX model.
 *
 * Input `features`: double [N, F], the raw (unscaled) feature values in the order of
 * `featureNames`, NaN for a missing value. For each fold, its own scaling in plain ONNX operators
 * — y = clamp(a·f(x) + b, lo, hi) with f the identity or ln(max(x, LOG_FLOOR)), computed in
 * double, missing values kept NaN, then rounded to float32 as hepc's training matrix is — feeds an
 * `ai.onnx.ml` TreeEnsembleRegressor (opset 3) with double thresholds and leaf values, whose
 * margins become probabilities (Sigmoid, or Softmax over the classes).
 *
 * Outputs: `score_fold{k}` for each fold k (the probability from fold k's model: the out-of-fold
 * score of an event of fold k), and `score`, the mean of the folds' probabilities, summed in fold order (hepc's
 * fold-averaged score for events in no fold). Binary: shape [N] (probability of class 1);
 * multiclass: [N, classes]. A single model (no folds) has `score` only.
 *
 * Precision: the ensemble's output is float (the operator's definition), so a margin carries a
 * float32 rounding, about 1e-7 relative; probabilities agree with hepc's to about 1e-7.
 */
import { LOG_FLOOR, type FittedScaler } from "../../train/types.js";
import type { GbdtModel } from "../gbdt/model.js";
import { DataType, modelProto, type Node, type Tensor } from "./proto.js";

export const ML_OPSET = 3;
export const ONNX_OPSET = 13;

export class OnnxExportError extends Error {
  override readonly name = "OnnxExportError";
}

function ensembleNode(model: GbdtModel, input: string, output: string, name: string): Node {
  const k = model.outputs;
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const missingTrue: number[] = [];
  const tTree: number[] = [];
  const tNode: number[] = [];
  const tId: number[] = [];
  const tWeight: number[] = [];
  model.trees.forEach((t, ti) => {
    for (let i = 0; i < t.feature.length; i++) {
      treeIds.push(ti);
      nodeIds.push(i);
      const leaf = t.feature[i] < 0;
      featureIds.push(leaf ? 0 : t.feature[i]);
      modes.push(leaf ? "LEAF" : "BRANCH_LT");
      values.push(leaf ? 0 : t.threshold[i]);
      // A row goes left when x < threshold: the "true" branch; NaN takes the default side.
      trueIds.push(leaf ? 0 : t.left[i]);
      falseIds.push(leaf ? 0 : t.right[i]);
      missingTrue.push(!leaf && t.defaultLeft[i] ? 1 : 0);
      if (leaf) {
        tTree.push(ti);
        tNode.push(i);
        tId.push(ti % k);
        tWeight.push(t.value[i]);
      }
    }
  });
  const dbl = (values: number[]): Tensor => ({ dims: [values.length], type: DataType.DOUBLE, values });
  return {
    op: "TreeEnsembleRegressor",
    domain: "ai.onnx.ml",
    name,
    inputs: [input],
    outputs: [output],
    attrs: [
      { name: "aggregate_function", string: "SUM" },
      { name: "base_values_as_tensor", tensor: dbl(new Array(k).fill(model.baseMargin)) },
      { name: "n_targets", int: k },
      { name: "nodes_falsenodeids", ints: falseIds },
      { name: "nodes_featureids", ints: featureIds },
      { name: "nodes_missing_value_tracks_true", ints: missingTrue },
      { name: "nodes_modes", strings: modes },
      { name: "nodes_nodeids", ints: nodeIds },
      { name: "nodes_treeids", ints: treeIds },
      { name: "nodes_truenodeids", ints: trueIds },
      { name: "nodes_values_as_tensor", tensor: dbl(values) },
      { name: "post_transform", string: "NONE" },
      { name: "target_ids", ints: tId },
      { name: "target_nodeids", ints: tNode },
      { name: "target_treeids", ints: tTree },
      { name: "target_weights_as_tensor", tensor: dbl(tWeight) },
    ],
  };
}

/**
 * The ONNX model of `folds` (one GbdtModel per fold, in fold order) with `scalers[k]` the fitted
 * scalers of fold k (one per feature; an empty list means unscaled features).
 */
export function gbdtToOnnx(folds: GbdtModel[], scalers: FittedScaler[][], featureNames: string[], options: { producerVersion?: string } = {}): Uint8Array {
  if (folds.length === 0) throw new OnnxExportError("no fold models to export");
  const F = featureNames.length;
  const classes = folds[0].classes;
  for (const [i, m] of folds.entries()) {
    if (m.features !== F) throw new OnnxExportError(`fold ${i}'s model takes ${m.features} features, ${F} are named`);
    if (m.classes !== classes) throw new OnnxExportError(`fold ${i}'s model has ${m.classes} classes, fold 0's ${classes}`);
    const s = scalers[i] ?? [];
    if (s.length !== 0 && s.length !== F) throw new OnnxExportError(`fold ${i} has ${s.length} scalers for ${F} features`);
  }
  const nodes: Node[] = [];
  const inits: Tensor[] = [];
  const constant = (name: string, dims: number[], type: number, values: ArrayLike<number>): string => {
    inits.push({ name, dims, type, values });
    return name;
  };
  const node = (op: string, inputs: string[], output: string, attrs?: Node["attrs"]): string => {
    nodes.push({ op, inputs, outputs: [output], name: output, attrs });
    return output;
  };
  const X = "features";
  const isNan = node("IsNaN", [X], "features_missing");
  const floor = constant("log_floor", [], DataType.DOUBLE, [LOG_FLOOR]);
  const logX = node("Log", [node("Max", [X, floor], "features_floored")], "features_log");
  const reshape = classes === 2 ? constant("reshape_flat", [1], DataType.INT64, [-1]) : "";
  const foldOutputs: string[] = [];
  folds.forEach((model, k) => {
    const p = `fold${k}_`;
    const s = scalers[k] ?? [];
    let scaled = X;
    if (s.length > 0) {
      const useLog = constant(p + "use_log", [F], DataType.BOOL, s.map((x) => (x.fn === "log" ? 1 : 0)));
      const fx = node("Where", [useLog, logX, X], p + "f");
      const ax = node("Mul", [fx, constant(p + "a", [F], DataType.DOUBLE, s.map((x) => x.a))], p + "ax");
      let y = node("Add", [ax, constant(p + "b", [F], DataType.DOUBLE, s.map((x) => x.b))], p + "axb");
      // A scaler read back from JSON carries null for an infinite bound.
      y = node("Max", [y, constant(p + "lo", [F], DataType.DOUBLE, s.map((x) => x.lo ?? -Infinity))], p + "clamp_lo");
      y = node("Min", [y, constant(p + "hi", [F], DataType.DOUBLE, s.map((x) => x.hi ?? Infinity))], p + "clamp_hi");
      scaled = node("Where", [isNan, X, y], p + "scaled");
    }
    // hepc trains and predicts on float32 columns: round there, compare thresholds in double.
    const f32 = node("Cast", [scaled], p + "scaled_f32", [{ name: "to", int: DataType.FLOAT }]);
    const f64 = node("Cast", [f32], p + "scaled_f64", [{ name: "to", int: DataType.DOUBLE }]);
    nodes.push(ensembleNode(model, f64, p + "margin", p + "trees"));
    const margin = node("Cast", [p + "margin"], p + "margin_f64", [{ name: "to", int: DataType.DOUBLE }]);
    const prob = model.outputs === 1 ? node("Reshape", [node("Sigmoid", [margin], p + "sigmoid"), reshape], `score_fold${k}`) : node("Softmax", [margin], `score_fold${k}`, [{ name: "axis", int: 1 }]);
    foldOutputs.push(prob);
  });
  if (folds.length > 1) {
    // The mean as a sum in fold order over K (ONNX Runtime has no double Mean).
    let sum = foldOutputs[0];
    for (let k = 1; k < foldOutputs.length; k++) sum = node("Add", [sum, foldOutputs[k]], k === foldOutputs.length - 1 ? "score_sum" : `score_sum${k}`);
    node("Div", [sum, constant("fold_count", [], DataType.DOUBLE, [folds.length])], "score");
  }
  else nodes[nodes.length - 1].outputs = ["score"];
  const shape = classes === 2 ? ["N"] : ["N", classes];
  const outputs = (folds.length > 1 ? ["score", ...foldOutputs] : ["score"]).map((name) => ({ name, type: DataType.DOUBLE, shape }));
  if (folds.length === 1) nodes[nodes.length - 1].name = "score";
  return modelProto({
    irVersion: 8,
    opsets: [
      { domain: "", version: ONNX_OPSET },
      { domain: "ai.onnx.ml", version: ML_OPSET },
    ],
    producer: "hepc",
    producerVersion: options.producerVersion ?? "",
    doc: `hepc gbdt, ${folds.length} fold model(s), ${classes} classes. score_fold{k}: fold k's model; score: the mean over folds.`,
    metadata: [
      ["features", JSON.stringify(featureNames)],
      ["classes", String(classes)],
      ["folds", String(folds.length)],
    ],
    graph: {
      name: "hepc_gbdt",
      nodes,
      initializers: inits,
      inputs: [{ name: X, type: DataType.DOUBLE, shape: ["N", F], doc: featureNames.join(", ") }],
      outputs,
    },
  });
}
