/**
 * An mlp's folds as one ONNX model in plain operators (opset 13, no custom domain), laid out as
 * the gbdt's export (runtime/models/onnx/gbdt.ts) so that either can be swapped for the other:
 *
 * Input `features`: double [N, F], the raw (unscaled) feature values in the order of
 * `featureNames`, NaN for a missing value. Per fold: its scaling y = clamp(a·f(x) + b, lo, hi)
 * (f the identity or ln(max(x, LOG_FLOOR))) in double, a missing value replaced by 0 as hepc's
 * network sees it, rounded to float32; then per hidden layer MatMul + Add (batch norm in inference
 * mode folded into Mul + Add), the activation (Relu, Elu, Selu, Tanh, Sigmoid); the output layer,
 * then Sigmoid (flattened to [N]) or Softmax over the classes, cast to double.
 *
 * Outputs: `score_fold{k}` per fold (the out-of-fold score of an event of fold k) and `score`, the
 * mean of the folds' probabilities summed in fold order; a single model has `score` only.
 * Precision: the network runs in float32 in ONNX Runtime (hepc accumulates its products in
 * double), so scores agree with hepc's to about 1e-6.
 */
import { DataType, FoldGraph, ONNX_OPSET, OnnxExportError } from "../onnx/index.js";
import type { FittedScaler } from "../../train/types.js";
import { bnAffine } from "./forward.js";
import type { Network } from "./network.js";

const ACTIVATION_OP = { relu: "Relu", elu: "Elu", selu: "Selu", tanh: "Tanh", sigmoid: "Sigmoid" } as const;

/**
 * The ONNX model of `models` (one network or fitted MlpModel per fold, in fold order) with `scalers[k]` the fitted
 * scalers of fold k (one per feature; an empty list means unscaled features).
 */
export function mlpToOnnx(models: Array<Network | { net: Network }>, scalers: FittedScaler[][], featureNames: string[], options: { producerVersion?: string } = {}): Uint8Array {
  const folds = models.map((m) => ("net" in m ? m.net : m));
  if (folds.length === 0) throw new OnnxExportError("no fold models to export");
  const g = new FoldGraph(featureNames);
  const outputs = folds[0].outputs;
  for (const [i, net] of folds.entries()) {
    if (net.inputs !== g.F) throw new OnnxExportError(`fold ${i}'s network takes ${net.inputs} features, ${g.F} are named`);
    if (net.outputs !== outputs) throw new OnnxExportError(`fold ${i}'s network has ${net.outputs} outputs, fold 0's ${outputs}`);
  }
  g.checkScalers(scalers, folds.length);
  const { node, constant } = { node: g.node.bind(g), constant: g.constant.bind(g) };
  const zero = constant("zero", [], DataType.DOUBLE, [0]);
  const flatShape = outputs === 1 ? constant("reshape_flat", [1], DataType.INT64, [-1]) : "";
  const foldOutputs = folds.map((net, k) => {
    const p = `fold${k}_`;
    const scaled = g.scaled(p, scalers[k] ?? []);
    // a missing value enters the network as 0 (runtime/models/mlp/forward.ts)
    const filled = node("Where", [g.missing, zero, scaled], p + "filled");
    let h = node("Cast", [filled], p + "input", [{ name: "to", int: DataType.FLOAT }]);
    const dense = (W: Float32Array, b: Float32Array, nIn: number, nOut: number, name: string): string => {
      const mm = node("MatMul", [h, constant(name + "_W", [nIn, nOut], DataType.FLOAT, W)], name + "_matmul");
      return node("Add", [mm, constant(name + "_b", [nOut], DataType.FLOAT, b)], name + "_z");
    };
    net.hidden.forEach((d, l) => {
      const name = `${p}layer${l + 1}`;
      let z = dense(d.W, d.b, d.nIn, d.nOut, name);
      const aff = bnAffine(d);
      if (aff) z = node("Add", [node("Mul", [z, constant(name + "_bn_scale", [d.nOut], DataType.FLOAT, aff.s)], name + "_bn_mul"), constant(name + "_bn_shift", [d.nOut], DataType.FLOAT, aff.t)], name + "_bn");
      h = node(ACTIVATION_OP[net.activation], [z], name + "_act");
    });
    const logits = dense(net.out.W, net.out.b, net.out.nIn, net.out.nOut, p + "out");
    if (outputs === 1) {
      const prob = node("Cast", [node("Sigmoid", [logits], p + "sigmoid")], p + "prob", [{ name: "to", int: DataType.DOUBLE }]);
      return node("Reshape", [prob, flatShape], `score_fold${k}`);
    }
    const prob = node("Softmax", [logits], p + "softmax", [{ name: "axis", int: 1 }]);
    return node("Cast", [prob], `score_fold${k}`, [{ name: "to", int: DataType.DOUBLE }]);
  });
  return g.finish({ kind: "mlp", classes: outputs === 1 ? 2 : outputs, foldOutputs, opsets: [{ domain: "", version: ONNX_OPSET }], producerVersion: options.producerVersion });
}
