/**
 * What every exported hepc model has in common, whatever its kind: one input `features` (double
 * [N, F], raw values, NaN for missing), each fold's own scaling in plain ONNX operators, one
 * output per fold (`score_fold{k}`) and `score`, the mean of the folds' probabilities summed in
 * fold order (ONNX Runtime has no double Mean). A kind's exporter adds only its model per fold.
 */
import { LOG_FLOOR, type FittedScaler } from "../../train/types.js";
import { DataType, modelProto, type Node, type Tensor } from "./proto.js";

export const ONNX_OPSET = 13;

export class OnnxExportError extends Error {
  override readonly name = "OnnxExportError";
}

export class FoldGraph {
  readonly nodes: Node[] = [];
  readonly inits: Tensor[] = [];
  /** The input: raw feature values. */
  readonly X = "features";
  private missingName?: string;
  private logName?: string;

  constructor(readonly featureNames: string[]) {}

  get F(): number {
    return this.featureNames.length;
  }

  constant(name: string, dims: number[], type: number, values: ArrayLike<number>): string {
    this.inits.push({ name, dims, type, values });
    return name;
  }

  node(op: string, inputs: string[], output: string, attrs?: Node["attrs"]): string {
    this.nodes.push({ op, inputs, outputs: [output], name: output, attrs });
    return output;
  }

  /** Where the input is missing (NaN). */
  get missing(): string {
    return (this.missingName ??= this.node("IsNaN", [this.X], "features_missing"));
  }

  /** ln(max(x, LOG_FLOOR)) of the input, as hepc's `log` scaling takes it. */
  private get logX(): string {
    return (this.logName ??= this.node("Log", [this.node("Max", [this.X, this.constant("log_floor", [], DataType.DOUBLE, [LOG_FLOOR])], "features_floored")], "features_log"));
  }

  /**
   * Fold `prefix`'s features scaled as hepc scales them, clamp(a·f(x) + b, lo, hi) in double, a
   * missing value kept NaN; the input itself when the fold has no scalers.
   */
  scaled(prefix: string, s: FittedScaler[]): string {
    if (s.length === 0) return this.X;
    const F = this.F;
    const fx = this.node("Where", [this.constant(prefix + "use_log", [F], DataType.BOOL, s.map((x) => (x.fn === "log" ? 1 : 0))), this.logX, this.X], prefix + "f");
    const ax = this.node("Mul", [fx, this.constant(prefix + "a", [F], DataType.DOUBLE, s.map((x) => x.a))], prefix + "ax");
    let y = this.node("Add", [ax, this.constant(prefix + "b", [F], DataType.DOUBLE, s.map((x) => x.b))], prefix + "axb");
    // A scaler read back from JSON carries null for an infinite bound.
    y = this.node("Max", [y, this.constant(prefix + "lo", [F], DataType.DOUBLE, s.map((x) => x.lo ?? -Infinity))], prefix + "clamp_lo");
    y = this.node("Min", [y, this.constant(prefix + "hi", [F], DataType.DOUBLE, s.map((x) => x.hi ?? Infinity))], prefix + "clamp_hi");
    return this.node("Where", [this.missing, this.X, y], prefix + "scaled");
  }

  /** Checks every fold's scalers: none, or one per feature. */
  checkScalers(scalers: FittedScaler[][], folds: number): void {
    for (let i = 0; i < folds; i++) {
      const s = scalers[i] ?? [];
      if (s.length !== 0 && s.length !== this.F) throw new OnnxExportError(`fold ${i} has ${s.length} scalers for ${this.F} features`);
    }
  }

  /**
   * The model: `score` as the mean of `foldOutputs` (or the one fold's output renamed), every
   * output double, shape [N] for a binary model and [N, classes] otherwise.
   */
  finish(o: { kind: string; classes: number; foldOutputs: string[]; opsets: Array<{ domain: string; version: number }>; producerVersion?: string }): Uint8Array {
    const { foldOutputs } = o;
    if (foldOutputs.length > 1) {
      let sum = foldOutputs[0];
      for (let k = 1; k < foldOutputs.length; k++) sum = this.node("Add", [sum, foldOutputs[k]], k === foldOutputs.length - 1 ? "score_sum" : `score_sum${k}`);
      this.node("Div", [sum, this.constant("fold_count", [], DataType.DOUBLE, [foldOutputs.length])], "score");
    } else {
      const last = this.nodes[this.nodes.length - 1];
      last.outputs = ["score"];
      last.name = "score";
    }
    const shape = o.classes === 2 ? ["N"] : ["N", o.classes];
    return modelProto({
      irVersion: 8,
      opsets: o.opsets,
      producer: "hepc",
      producerVersion: o.producerVersion ?? "",
      doc: `hepc ${o.kind}, ${foldOutputs.length} fold model(s), ${o.classes} classes. score_fold{k}: fold k's model; score: the mean over folds.`,
      metadata: [
        ["features", JSON.stringify(this.featureNames)],
        ["classes", String(o.classes)],
        ["folds", String(foldOutputs.length)],
      ],
      graph: {
        name: `hepc_${o.kind}`,
        nodes: this.nodes,
        initializers: this.inits,
        inputs: [{ name: this.X, type: DataType.DOUBLE, shape: ["N", this.F], doc: this.featureNames.join(", ") }],
        outputs: (foldOutputs.length > 1 ? ["score", ...foldOutputs] : ["score"]).map((name) => ({ name, type: DataType.DOUBLE, shape })),
      },
    });
  }
}
