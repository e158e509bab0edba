/**
 * Scoring against hand computations: a 2-2-1 network with chosen weights, a softmax output, batch
 * norm in inference mode, missing values entering as 0, and every activation against its formula.
 */
import { describe, expect, it } from "vitest";
import { predictColumns } from "../../../runtime/models/mlp/forward.js";
import { activate } from "../../../runtime/models/mlp/kernels.js";
import type { Dense, Network } from "../../../runtime/models/mlp/network.js";
import type { Activation } from "../../../runtime/models/mlp/options.js";

const f32 = (...v: number[]) => Float32Array.from(v);
const dense = (nIn: number, nOut: number, W: number[], b: number[]): Dense => ({ nIn, nOut, W: f32(...W), b: f32(...b), bn: null });
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe("forward pass", () => {
  // W is nIn × nOut, row k holding input k's weights to each unit
  const net: Network = {
    inputs: 2,
    outputs: 1,
    activation: "relu",
    hidden: [dense(2, 2, [0.5, -1, 2, 0.25], [0.1, -0.2])],
    out: dense(2, 1, [1.5, -0.75], [0.3]),
  };

  it("a relu layer and a sigmoid output, by hand", () => {
    const x0 = [1, -2, 0.5];
    const x1 = [0.5, 1, NaN];
    const p = predictColumns(net, [f32(...x0), f32(...x1)], 3);
    for (let i = 0; i < 3; i++) {
      const a = x0[i];
      const b = Number.isNaN(x1[i]) ? 0 : x1[i]; // missing enters as 0
      const h0 = Math.max(0, 0.5 * a + 2 * b + 0.1);
      const h1 = Math.max(0, -1 * a + 0.25 * b - 0.2);
      expect(p[i]).toBeCloseTo(sigmoid(1.5 * h0 - 0.75 * h1 + 0.3), 6);
    }
    // row 2 (second input missing): h0 = 0.35, h1 = -0.7 cut to 0 by the relu
    expect(p[2]).toBeCloseTo(sigmoid(1.5 * 0.35 + 0.3), 6);
  });

  it("softmax over three classes, row-major n × 3", () => {
    const m: Network = { inputs: 1, outputs: 3, activation: "tanh", hidden: [], out: dense(1, 3, [1, 2, -1], [0, -1, 0.5]) };
    const p = predictColumns(m, [f32(0.5, -1)], 2);
    for (const [i, x] of [0.5, -1].entries()) {
      const z = [x, 2 * x - 1, -x + 0.5];
      const e = z.map(Math.exp);
      const s = e[0] + e[1] + e[2];
      for (let c = 0; c < 3; c++) expect(p[i * 3 + c]).toBeCloseTo(e[c] / s, 6);
    }
  });

  it("batch norm in inference mode uses the running statistics", () => {
    const h = dense(1, 1, [2], [1]);
    h.bn = { gamma: f32(1.5), beta: f32(-0.5), mean: f32(0.25), variance: f32(4), eps: 1e-3, momentum: 0.99 };
    const m: Network = { inputs: 1, outputs: 1, activation: "tanh", hidden: [h], out: dense(1, 1, [1], [0]) };
    const [p] = predictColumns(m, [f32(0.75)], 1);
    const z = 2 * 0.75 + 1;
    const y = (1.5 * (z - 0.25)) / Math.sqrt(4 + 1e-3) - 0.5;
    expect(p).toBeCloseTo(sigmoid(Math.tanh(y)), 6);
  });

  it("more rows than one scoring block give the same scores as one at a time", () => {
    const n = 1300;
    const c0 = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    const c1 = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.7));
    const all = predictColumns(net, [c0, c1], n);
    for (const i of [0, 511, 512, 1024, 1299]) expect(all[i]).toBe(predictColumns(net, [c0.subarray(i, i + 1), c1.subarray(i, i + 1)], 1)[0]);
  });

  it("activations", () => {
    const z = [-2, -0.5, 0, 0.3, 3];
    const want: Record<Activation, (x: number) => number> = {
      relu: (x) => Math.max(0, x),
      elu: (x) => (x > 0 ? x : Math.exp(x) - 1),
      selu: (x) => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (Math.exp(x) - 1)),
      tanh: Math.tanh,
      sigmoid,
    };
    for (const [act, fn] of Object.entries(want)) {
      const out = new Float32Array(z.length);
      activate(act as Activation, f32(...z), out, z.length);
      z.forEach((x, i) => expect(out[i]).toBeCloseTo(fn(x), 6));
    }
  });
});
