/**
 * Agreement with PyTorch (test/fixtures/mlp/make.py, PyTorch 1.13 on the CPU): the same weights
 * give the same probabilities within 1e-5, and three optimiser steps in training mode on the same
 * weighted batch (Adam or SGD with momentum, L2, batch norm's batch statistics and running
 * averages) give the same weights within 1e-5.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { predictColumns } from "../../../runtime/models/mlp/forward.js";
import type { Dense, Network } from "../../../runtime/models/mlp/network.js";
import { readOptions, type Activation } from "../../../runtime/models/mlp/options.js";
import { Rng } from "../../../runtime/models/mlp/rng.js";
import { BatchTrainer } from "../../../runtime/models/mlp/train.js";

interface TorchLayer {
  kind: "linear" | "bn";
  weight?: number[][];
  bias?: number[];
  gamma?: number[];
  beta?: number[];
  mean?: number[];
  variance?: number[];
}
interface Case {
  name: string;
  inputs: number;
  layers: number[];
  outputs: number;
  activation: Activation;
  batchNorm: boolean;
  optimiser: "adam" | "sgd";
  learningRate: number;
  l2: number;
  weights: TorchLayer[];
  x: number[][];
  probabilities: number[];
  batch: { x: number[][]; y: number[]; w: number[] };
  after: TorchLayer[];
}

const fixture = JSON.parse(readFileSync(new URL("../../fixtures/mlp/torch.json", import.meta.url), "utf8")) as { cases: Case[] };

/** PyTorch's layers as hepc's network: kernels transposed to nIn × nOut. */
function toNetwork(c: Case, layers: TorchLayer[]): Network {
  const dense: Dense[] = [];
  for (const l of layers) {
    if (l.kind === "linear") {
      const nOut = l.weight!.length;
      const nIn = l.weight![0].length;
      const W = new Float32Array(nIn * nOut);
      for (let o = 0; o < nOut; o++) for (let i = 0; i < nIn; i++) W[i * nOut + o] = l.weight![o][i];
      dense.push({ nIn, nOut, W, b: Float32Array.from(l.bias!), bn: null });
    } else {
      const f = (a: number[]) => Float32Array.from(a);
      dense[dense.length - 1].bn = { gamma: f(l.gamma!), beta: f(l.beta!), mean: f(l.mean!), variance: f(l.variance!), eps: 1e-3, momentum: 0.99 };
    }
  }
  const out = dense.pop()!;
  return { inputs: c.inputs, outputs: c.outputs, activation: c.activation, hidden: dense, out };
}

function flat(net: Network): number[] {
  const v: number[] = [];
  for (const d of [...net.hidden, net.out]) {
    v.push(...d.W, ...d.b);
    if (d.bn) v.push(...d.bn.gamma, ...d.bn.beta, ...d.bn.mean, ...d.bn.variance);
  }
  return v;
}

describe("agreement with PyTorch", () => {
  for (const c of fixture.cases) {
    it(`${c.name}: probabilities`, () => {
      const net = toNetwork(c, c.weights);
      const cols = Array.from({ length: c.inputs }, (_, f) => Float32Array.from(c.x, (row) => row[f]));
      const p = predictColumns(net, cols, c.x.length);
      expect(p.length).toBe(c.probabilities.length);
      let worst = 0;
      p.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - c.probabilities[i]))));
      expect(worst).toBeLessThan(1e-5);
    });

    it(`${c.name}: three training steps`, () => {
      const net = toNetwork(c, c.weights);
      const m = c.batch.y.length;
      const o = readOptions({ layers: c.layers, activation: c.activation, batch_norm: c.batchNorm, optimiser: c.optimiser, learning_rate: c.learningRate, l2: c.l2, batch: m });
      const t = new BatchTrainer(net, o, m, new Rng(0));
      c.batch.x.forEach((row, i) => row.forEach((v, f) => (t.x[i * c.inputs + f] = v)));
      t.y.set(c.batch.y);
      t.w.set(c.batch.w);
      let wAbs = 0;
      for (const w of t.w) wAbs += Math.abs(w);
      for (let s = 0; s < 3; s++) {
        t.forward(m);
        t.lossGrad(m, m * (wAbs / m));
        t.backward(m);
        t.step(c.learningRate);
      }
      const got = flat(net);
      const want = flat(toNetwork(c, c.after));
      expect(got.length).toBe(want.length);
      let worst = 0;
      got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want[i]))));
      expect(worst).toBeLessThan(1e-5);
      // the steps moved the weights well beyond that tolerance
      const start = flat(toNetwork(c, c.weights));
      expect(Math.max(...start.map((v, i) => Math.abs(v - want[i])))).toBeGreaterThan(1e-3);
    });
  }
});
