/**
 * Small ONNX models for the import tests, written with hepc's own ONNX writer: a logistic
 * regression over the concatenation of the model's inputs, with every output a score reader may
 * choose (`logit` [n, 1], `score` [n, 1], `probs` [n, 2] = [1 - s, s], `classes` [n, 3] softmax of
 * three linear functions, `score_t` [1, n] with the batch axis second), and `expected` computing the same scores independently in float64
 * from float32-rounded inputs (what the model is fed).
 */
import { DataType, modelProto, type Node, type Tensor, type ValueInfo } from "../../../runtime/models/onnx/index.js";

export interface LinearSpec {
  /** Model inputs: name, values per event, element type, batch dim (a name: dynamic; a number: fixed); rank 1 when `vector`. */
  inputs: Array<{ name: string; width: number; type?: number; batch?: string | number; vector?: boolean; transposed?: boolean }>;
  weights: number[];
  bias: number;
  opset?: number;
  outputs?: Array<"logit" | "score" | "probs" | "classes" | "score_t">;
}

const W3 = (f: number, c: number) => 0.3 * (c - 1) + 0.05 * f * (c + 1);

export function linearModel(s: LinearSpec): Uint8Array {
  const F = s.inputs.reduce((a, i) => a + i.width, 0);
  const nodes: Node[] = [];
  const inits: Tensor[] = [
    { name: "W", dims: [F, 1], type: DataType.FLOAT, values: s.weights },
    { name: "B", dims: [1], type: DataType.FLOAT, values: [s.bias] },
    { name: "one", dims: [1], type: DataType.FLOAT, values: [1] },
    { name: "W3", dims: [F, 3], type: DataType.FLOAT, values: Array.from({ length: F * 3 }, (_, k) => W3(Math.floor(k / 3), k % 3)) },
  ];
  // every input as float32 [n, width]
  const parts = s.inputs.map((i) => {
    let x = i.name;
    if (i.type === DataType.DOUBLE) {
      nodes.push({ op: "Cast", inputs: [x], outputs: [`${x}_f`], attrs: [{ name: "to", int: DataType.FLOAT }] });
      x = `${x}_f`;
    }
    if (i.transposed) {
      nodes.push({ op: "Transpose", inputs: [x], outputs: [`${x}_t`], attrs: [{ name: "perm", ints: [1, 0] }] });
      x = `${x}_t`;
    }
    if (i.vector) {
      inits.push({ name: `${i.name}_axes`, dims: [1], type: DataType.INT64, values: [1] });
      nodes.push({ op: "Unsqueeze", inputs: [x, `${i.name}_axes`], outputs: [`${x}_2d`] });
      x = `${x}_2d`;
    }
    return x;
  });
  let x = parts[0];
  if (parts.length > 1) {
    nodes.push({ op: "Concat", inputs: parts, outputs: ["x"], attrs: [{ name: "axis", int: 1 }] });
    x = "x";
  }
  nodes.push({ op: "MatMul", inputs: [x, "W"], outputs: ["xw"] });
  nodes.push({ op: "Add", inputs: ["xw", "B"], outputs: ["logit"] });
  nodes.push({ op: "Sigmoid", inputs: ["logit"], outputs: ["score"] });
  nodes.push({ op: "Sub", inputs: ["one", "score"], outputs: ["bkg"] });
  nodes.push({ op: "Concat", inputs: ["bkg", "score"], outputs: ["probs"], attrs: [{ name: "axis", int: 1 }] });
  nodes.push({ op: "MatMul", inputs: [x, "W3"], outputs: ["z3"] });
  nodes.push({ op: "Softmax", inputs: ["z3"], outputs: ["classes"], attrs: [{ name: "axis", int: 1 }] });
  nodes.push({ op: "Transpose", inputs: ["score"], outputs: ["score_t"], attrs: [{ name: "perm", ints: [1, 0] }] });
  const dyn = "n";
  const outs: Record<string, ValueInfo> = {
    logit: { name: "logit", type: DataType.FLOAT, shape: [dyn, 1] },
    score: { name: "score", type: DataType.FLOAT, shape: [dyn, 1] },
    probs: { name: "probs", type: DataType.FLOAT, shape: [dyn, 2] },
    classes: { name: "classes", type: DataType.FLOAT, shape: [dyn, 3] },
    score_t: { name: "score_t", type: DataType.FLOAT, shape: [1, dyn] },
  };
  return modelProto({
    irVersion: 8,
    opsets: [{ domain: "", version: s.opset ?? 17 }],
    producer: "hepc-test",
    producerVersion: "1",
    graph: {
      name: "linear",
      nodes,
      initializers: inits,
      inputs: s.inputs.map((i) => ({ name: i.name, type: i.type ?? DataType.FLOAT, shape: i.vector ? [i.batch ?? dyn] : i.transposed ? [i.width, i.batch ?? dyn] : [i.batch ?? dyn, i.width] })),
      outputs: (s.outputs ?? ["score", "probs", "logit", "classes", "score_t"]).map((o) => outs[o]),
    },
  });
}

/** The scores computed independently: float32-rounded inputs, float64 arithmetic. */
export function expected(s: LinearSpec, rows: number[][]): { logit: number[]; score: number[]; classes: number[][] } {
  const f32 = (v: number) => Math.fround(v);
  const logit = rows.map((r) => r.reduce((a, v, f) => a + f32(v) * f32(s.weights[f]), f32(s.bias)));
  const classes = rows.map((r) => {
    const z = [0, 1, 2].map((c) => r.reduce((a, v, f) => a + f32(v) * f32(W3(f, c)), 0));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const t = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / t);
  });
  return { logit, score: logit.map((l) => 1 / (1 + Math.exp(-l))), classes };
}
