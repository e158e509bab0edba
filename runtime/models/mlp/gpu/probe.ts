/// <reference types="@webgpu/types" />
/**
 * One batch through the GPU's forward, loss and backward kernels, with everything read back: the
 * logits, the weighted loss sum and each layer's gradients. What the tests compare with the CPU
 * trainer and with finite differences; training itself never reads these back.
 */
import type { GpuDevice } from "../../../devices/index.js";
import type { Network } from "../network.js";
import { Engine } from "./engine.js";
import { layoutOf, packNetwork, packStats } from "./layout.js";
import { backwardPass, batchBuffers, dropoutBuffers, forwardPass } from "./passes.js";

export interface BatchGradients {
  logits: Float32Array;
  /** Σ wᵢ·lossᵢ over the rows. */
  loss: number;
  /** Per layer (hidden ones, then the output): the kernel's and the bias's gradient, and batch norm's γ's and β's. */
  layers: Array<{ gW: Float32Array; gb: Float32Array; gGamma?: Float32Array; gBeta?: Float32Array }>;
  /** Batch norm's running statistics after the batch, as layout.ts packs them. */
  stats: Float32Array;
}

/**
 * x: m × F row-major; the gradient is of Σ wᵢ·lossᵢ / (m · wMean), as in training. With `dropout`,
 * the training pass's masks of that key and epoch (the batch's rows are rows 0 … m−1 of the epoch).
 */
export async function batchGradients(g: GpuDevice, net: Network, x: Float32Array, y: Int32Array, w: Float32Array, wMean: number, split?: { kc: number; splits: number }, dropout?: { rate: number; key: number; epoch: number }): Promise<BatchGradients> {
  const m = y.length;
  const K = net.outputs;
  const e = new Engine(g.device);
  try {
    const lay = layoutOf(net);
    const params = e.upload(packNetwork(net, lay).values, "weights");
    const grads = e.storage(lay.count, "gradients");
    const state = e.upload(Uint32Array.from([0, 0, m, 1]), "state");
    const bb = batchBuffers(e, net, m, state, e.upload(x, "x"));
    const yw = new Float32Array(2 * m);
    for (let i = 0; i < m; i++) {
      yw[2 * i] = y[i];
      yw[2 * i + 1] = w[i];
    }
    const widest = Math.max(1, ...net.hidden.map((d) => d.nOut));
    const dLogits = e.storage(m * K, "dlogits");
    const rows = e.storage(m, "row losses");
    const sum = e.storage(1, "loss");
    const [gx, gy] = Engine.grid(m);
    const stats = e.upload(packStats(lay), "running statistics");
    const drop = dropout ? dropoutBuffers(e, net, m, dropout.rate, dropout.key, dropout.epoch) : undefined;
    const ds = [
      ...forwardPass(e, net, lay, params, bb, m, drop, { stats, train: true }),
      e.dispatch("loss", [e.uniform([K, wMean, 0, 0], new Set([1])), state, bb.logits, e.upload(yw, "yw"), dLogits, rows], gx, gy),
      e.colsum({ N: 1, x: rows, out: sum, outOff: 0, atBatch: false, state }),
      ...backwardPass(e, net, lay, params, grads, bb, dLogits, [e.storage(m * widest, "g1"), e.storage(m * widest, "g2")], m, split && { ...split, part: e.storage(split.splits * Math.max(...lay.layers.map((L) => L.d.W.length)), "partials") }, drop),
    ];
    const enc = g.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    e.record(pass, ds);
    pass.end();
    g.device.queue.submit([enc.finish()]);
    const logits = await e.read(bb.logits, m * K);
    const loss = (await e.read(sum, 1))[0];
    const flat = await e.read(grads, lay.count);
    const st = await e.read(stats, Math.max(1, lay.stats));
    const h = (L: (typeof lay.layers)[number]) => L.d.nOut;
    return {
      logits,
      loss,
      stats: st,
      layers: lay.layers.map((L) => ({ gW: flat.slice(L.W, L.W + L.d.W.length), gb: flat.slice(L.b, L.b + h(L)), ...(L.bn ? { gGamma: flat.slice(L.bn.gamma, L.bn.gamma + h(L)), gBeta: flat.slice(L.bn.beta, L.bn.beta + h(L)) } : {}) })),
    };
  } finally {
    e.destroy();
  }
}
