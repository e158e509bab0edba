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
import { DataType, modelProto, ONNX_OPSET, OnnxExportError, type Node, type Tensor } from "../onnx/index.js";
import { LOG_FLOOR, type FittedScaler } from "../../train/types.js";
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
  const F = featureNames.length;
  const outputs = folds[0].outputs;
  for (const [i, net] of folds.entries()) {
    if (net.inputs !== F) throw new OnnxExportError(`fold ${i}'s network takes ${net.inputs} features, ${F} are named`);
    if (net.outputs !== outputs) throw new OnnxExportError(`fold ${i}'s network has ${net.outputs} outputs, fold 0's ${outputs}`);
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
  const zero = constant("zero", [], DataType.DOUBLE, [0]);
  const logX = node("Log", [node("Max", [X, constant("log_floor", [], DataType.DOUBLE, [LOG_FLOOR])], "features_floored")], "features_log");
  const flatShape = outputs === 1 ? constant("reshape_flat", [1], DataType.INT64, [-1]) : "";
  const foldOutputs: string[] = [];
  folds.forEach((net, k) => {
    const p = `fold${k}_`;
    const s = scalers[k] ?? [];
    let scaled = X;
    if (s.length > 0) {
      const fx = node("Where", [constant(p + "use_log", [F], DataType.BOOL, s.map((x) => (x.fn === "log" ? 1 : 0))), logX, X], p + "f");
      let y = node("Add", [node("Mul", [fx, constant(p + "a", [F], DataType.DOUBLE, s.map((x) => x.a))], p + "ax"), constant(p + "b", [F], DataType.DOUBLE, s.map((x) => x.b))], p + "axb");
      y = node("Max", [y, constant(p + "lo", [F], DataType.DOUBLE, s.map((x) => x.lo))], p + "clamp_lo");
      scaled = node("Min", [y, constant(p + "hi", [F], DataType.DOUBLE, s.map((x) => x.hi))], p + "clamp_hi");
    }
    // a missing value enters the network as 0 (runtime/models/mlp/forward.ts)
    const filled = node("Where", [isNan, zero, scaled], p + "filled");
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
      foldOutputs.push(node("Reshape", [prob, flatShape], `score_fold${k}`));
    } else {
      const prob = node("Softmax", [logits], p + "softmax", [{ name: "axis", int: 1 }]);
      foldOutputs.push(node("Cast", [prob], `score_fold${k}`, [{ name: "to", int: DataType.DOUBLE }]));
    }
  });
  if (folds.length > 1) {
    let sum = foldOutputs[0];
    for (let k = 1; k < foldOutputs.length; k++) sum = node("Add", [sum, foldOutputs[k]], k === foldOutputs.length - 1 ? "score_sum" : `score_sum${k}`);
    node("Div", [sum, constant("fold_count", [], DataType.DOUBLE, [folds.length])], "score");
  } else {
    nodes[nodes.length - 1].outputs = ["score"];
    nodes[nodes.length - 1].name = "score";
  }
  const shape = outputs === 1 ? ["N"] : ["N", outputs];
  return modelProto({
    irVersion: 8,
    opsets: [{ domain: "", version: ONNX_OPSET }],
    producer: "hepc",
    producerVersion: options.producerVersion ?? "",
    doc: `hepc mlp, ${folds.length} fold model(s), ${outputs === 1 ? 2 : outputs} classes. score_fold{k}: fold k's model; score: the mean over folds.`,
    metadata: [
      ["features", JSON.stringify(featureNames)],
      ["classes", String(outputs === 1 ? 2 : outputs)],
      ["folds", String(folds.length)],
    ],
    graph: {
      name: "hepc_mlp",
      nodes,
      initializers: inits,
      inputs: [{ name: X, type: DataType.DOUBLE, shape: ["N", F], doc: featureNames.join(", ") }],
      outputs: (folds.length > 1 ? ["score", ...foldOutputs] : ["score"]).map((name) => ({ name, type: DataType.DOUBLE, shape })),
    },
  });
}
