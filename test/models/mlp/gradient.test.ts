/**
 * The backward pass against central finite differences of the batch loss, for every parameter
 * of small networks: each activation, batch norm (training mode, batch statistics), a softmax
 * output over three classes, sample weights. The loss is computed in double from float32
 * weights, so a step of 1e-2 (relu: steps that cross its kink, seen as one-sided slopes that
 * disagree, are skipped, a few per cent at most) and a tolerance of a few per mille of the gradient's scale are used.
 */
import { describe, expect, it } from "vitest";
import { initNetwork } from "../../../runtime/models/mlp/network.js";
import { readOptions, type Activation } from "../../../runtime/models/mlp/options.js";
import { Rng } from "../../../runtime/models/mlp/rng.js";
import { BatchTrainer } from "../../../runtime/models/mlp/train.js";
import { lcg } from "./data.js";

function check(activation: Activation, batchNorm: boolean, outputs: number, layers = [5, 4]) {
  const F = 3;
  const m = 7;
  const net = initNetwork(F, layers, outputs, activation, batchNorm, new Rng(11));
  const o = readOptions({ layers, activation, batch_norm: batchNorm, batch: m });
  const t = new BatchTrainer(net, o, m, new Rng(2));
  const r = lcg(5);
  for (let i = 0; i < m * F; i++) t.x[i] = 2 * r() - 1;
  for (let i = 0; i < m; i++) {
    t.y[i] = Math.floor(r() * (outputs === 1 ? 2 : outputs));
    t.w[i] = 0.5 + r();
  }
  if (batchNorm) for (const d of net.hidden) for (let j = 0; j < d.nOut; j++) {
    d.bn!.gamma[j] = 0.5 + r();
    d.bn!.beta[j] = r() - 0.5;
  }
  const norm = 3.25;
  const loss = () => {
    t.forward(m);
    return t.lossGrad(m, norm) / norm;
  };
  loss();
  t.backward(m);
  const grads = t.params.map((p) => Float64Array.from(p.grad));
  let scale = 0;
  for (const g of grads) for (const v of g) scale = Math.max(scale, Math.abs(v));
  expect(scale).toBeGreaterThan(1e-3);
  const l0 = loss();
  let checked = 0;
  let kinks = 0;
  t.params.forEach((p, k) => {
    for (let i = 0; i < p.value.length; i++) {
      const w0 = p.value[i];
      const h = 1e-2;
      p.value[i] = w0 + h;
      const up = loss();
      p.value[i] = w0 - h;
      const down = loss();
      p.value[i] = w0;
      const fd = (up - down) / (Math.fround(w0 + h) - Math.fround(w0 - h));
      // relu: a step that moves a pre-activation across 0 has one-sided slopes that disagree
      if (Math.abs((up - l0) / h - (l0 - down) / h) > 0.05 * scale) {
        kinks++;
        continue;
      }
      expect(Math.abs(fd - grads[k][i])).toBeLessThan(5e-3 * scale + 1e-4);
      checked++;
    }
  });
  const total = t.params.reduce((a, p) => a + p.value.length, 0);
  expect(checked + kinks).toBe(total);
  expect(kinks).toBeLessThan(activation === "relu" ? 0.1 * total : 1);
}

describe("gradients against finite differences", () => {
  for (const act of ["tanh", "elu", "selu", "sigmoid", "relu"] as const) it(`${act}, binary`, () => check(act, false, 1));
  it("tanh with batch norm, binary", () => check("tanh", true, 1));
  it("elu with batch norm, three classes", () => check("elu", true, 3));
  it("sigmoid, three classes", () => check("sigmoid", false, 3));
  // widths of 8: the products run through the WebAssembly SIMD kernel
  it("tanh 8-8 (SIMD products), binary", () => check("tanh", false, 1, [8, 8]));
  it("elu 8-16 (SIMD products) with batch norm, three classes", () => check("elu", true, 3, [8, 16]));
});
