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
import type { FittedScaler } from "../../train/types.js";
import type { GbdtModel } from "../gbdt/model.js";
import { FoldGraph, ONNX_OPSET, OnnxExportError } from "./folds.js";
import { DataType, type Node, type Tensor } from "./proto.js";

export const ML_OPSET = 3;
export { ONNX_OPSET, OnnxExportError };

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
  const g = new FoldGraph(featureNames);
  const classes = folds[0].classes;
  for (const [i, m] of folds.entries()) {
    if (m.features !== g.F) throw new OnnxExportError(`fold ${i}'s model takes ${m.features} features, ${g.F} are named`);
    if (m.classes !== classes) throw new OnnxExportError(`fold ${i}'s model has ${m.classes} classes, fold 0's ${classes}`);
  }
  g.checkScalers(scalers, folds.length);
  const reshape = classes === 2 ? g.constant("reshape_flat", [1], DataType.INT64, [-1]) : "";
  const foldOutputs = folds.map((model, k) => {
    const p = `fold${k}_`;
    const scaled = g.scaled(p, scalers[k] ?? []);
    // hepc trains and predicts on float32 columns: round there, compare thresholds in double.
    const f32 = g.node("Cast", [scaled], p + "scaled_f32", [{ name: "to", int: DataType.FLOAT }]);
    const f64 = g.node("Cast", [f32], p + "scaled_f64", [{ name: "to", int: DataType.DOUBLE }]);
    g.nodes.push(ensembleNode(model, f64, p + "margin", p + "trees"));
    const margin = g.node("Cast", [p + "margin"], p + "margin_f64", [{ name: "to", int: DataType.DOUBLE }]);
    return model.outputs === 1 ? g.node("Reshape", [g.node("Sigmoid", [margin], p + "sigmoid"), reshape], `score_fold${k}`) : g.node("Softmax", [margin], `score_fold${k}`, [{ name: "axis", int: 1 }]);
  });
  return g.finish({ kind: "gbdt", classes, foldOutputs, opsets: [{ domain: "", version: ONNX_OPSET }, { domain: "ai.onnx.ml", version: ML_OPSET }], producerVersion: options.producerVersion });
}
