/**
 * The mlp's WGSL kernels on a WebGPU adapter (Mesa's lavapipe where there is no GPU: correctness,
 * not speed). Checked against independent computations: the gradients against central finite
 * differences of a float64 loss written here; forward and backward against the CPU trainer on the
 * same batch (float32 rounding apart); scores of fixed weights against the CPU scorer; training:
 * seeded runs repeat bit for bit, data split over several buffers trains exactly as in one, a
 * batch that does not fit is HEP6091 naming model, batch and size, a lost device is HEP6092.
 * Without an adapter these skip (and say how to set one up); HEPC_TEST_WEBGPU=1 makes them required.
 */
import { afterAll, describe, expect, it } from "vitest";
import { gpuDevice, releaseDevices, type GpuDevice } from "../../../runtime/devices/index.js";
import { batchGradients, GpuScorer, trainOnGpu } from "../../../runtime/models/mlp/gpu/index.js";
import { predictColumns } from "../../../runtime/models/mlp/forward.js";
import { cloneNetwork, initNetwork, type Network } from "../../../runtime/models/mlp/network.js";
import { readOptions, type Activation } from "../../../runtime/models/mlp/options.js";
import { Rng } from "../../../runtime/models/mlp/rng.js";
import { BatchTrainer } from "../../../runtime/models/mlp/train.js";
import { webgpuAvailable } from "../../helpers/webgpu.js";
import { auc, lcg, ring } from "./data.js";
import { fitMlp, mlpRuntime, MlpModel } from "../../../runtime/models/mlp/index.js";

const available = await webgpuAvailable();
let gpu: GpuDevice;
async function dev(): Promise<GpuDevice> {
  const g = await gpuDevice();
  if ("reason" in g) throw new Error(g.reason);
  gpu = g;
  return g;
}
afterAll(() => releaseDevices());

/** A batch: m rows of F inputs in [-1, 1), labels, weights in [0.5, 1.5). */
function batch(F: number, m: number, K: number, seed: number) {
  const r = lcg(seed);
  const x = new Float32Array(m * F).map(() => 2 * r() - 1);
  const y = Int32Array.from({ length: m }, () => Math.floor(r() * (K === 1 ? 2 : K)));
  const w = Float32Array.from({ length: m }, () => 0.5 + r());
  return { x, y, w };
}

const SELU_L = 1.0507009873554805;
const SELU_A = 1.6732632423543772;
function act64(a: Activation, z: number): number {
  switch (a) {
    case "relu": return Math.max(0, z);
    case "elu": return z > 0 ? z : Math.expm1(z);
    case "selu": return z > 0 ? SELU_L * z : SELU_L * SELU_A * Math.expm1(z);
    case "tanh": return Math.tanh(z);
    case "sigmoid": return 1 / (1 + Math.exp(-z));
  }
}

/**
 * Σ wᵢ·lossᵢ / norm in float64, straight from the definitions (no code shared with hepc's); with
 * `masks`, each hidden layer's output times its dropout mask (row-major, m × width).
 */
function loss64(net: Network, x: Float32Array, y: Int32Array, w: Float32Array, norm: number, masks?: Float32Array[]): number {
  let total = 0;
  const layers = [...net.hidden, net.out];
  for (let i = 0; i < y.length; i++) {
    let h = Array.from(x.subarray(i * net.inputs, (i + 1) * net.inputs));
    layers.forEach((d, l) => {
      const o: number[] = [];
      for (let j = 0; j < d.nOut; j++) {
        let s = d.b[j];
        for (let k = 0; k < d.nIn; k++) s += h[k] * d.W[k * d.nOut + j];
        o.push(l < layers.length - 1 ? act64(net.activation, s) * (masks ? masks[l][i * d.nOut + j] : 1) : s);
      }
      h = o;
    });
    if (net.outputs === 1) total += w[i] * (Math.log1p(Math.exp(-Math.abs(h[0]))) + Math.max(h[0], 0) - y[i] * h[0]);
    else {
      const mx = Math.max(...h);
      const lse = mx + Math.log(h.reduce((a, v) => a + Math.exp(v - mx), 0));
      total += w[i] * (lse - h[y[i]]);
    }
  }
  return total / norm;
}

/**
 * Dropout's masks as docs/gpu.md and wgsl.ts DROP define them, written out here: unit j of row i
 * of hidden layer l is kept when the top 24 bits of h(h(h(h(key_l) ^ epoch) ^ i) ^ j) are below
 * ⌊(1 − rate)·2²⁴⌋, with h the lowbias32 integer hash and key_l = key + (l + 1)·0x9e3779b9.
 */
function masksOf(net: Network, rate: number, key: number, epoch: number, m: number): Float32Array[] {
  const h = (v: number) => {
    v = Math.imul(v ^ (v >>> 16), 0x7feb352d);
    v = Math.imul(v ^ (v >>> 15), 0x846ca68b);
    return (v ^ (v >>> 16)) >>> 0;
  };
  const thresh = Math.floor((1 - rate) * 2 ** 24);
  const scale = Math.fround(1 / (1 - rate));
  return net.hidden.map((d, l) => {
    const k = (key + Math.imul(l + 1, 0x9e3779b9)) >>> 0;
    const out = new Float32Array(m * d.nOut);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < d.nOut; j++) {
        const r = h((h((h((h(k) ^ epoch) >>> 0) ^ i) >>> 0) ^ j) >>> 0);
        out[i * d.nOut + j] = r >>> 8 < thresh ? scale : 0;
      }
    return out;
  });
}

describe.skipIf(!available)("mlp WGSL kernels", () => {
  const cases: Array<[Activation, number, number[]]> = [
    ["tanh", 1, [5, 4]],
    ["elu", 1, [5, 4]],
    ["selu", 1, [5, 4]],
    ["sigmoid", 3, [5, 4]],
    ["relu", 1, [6, 5]],
    ["tanh", 3, [70, 9]],
  ];
  for (const [act, K, layers] of cases)
    it(`backward against finite differences: ${act}, ${layers.join("-")}, ${K === 1 ? "binary" : `${K} classes`}`, async () => {
      const g = await dev();
      const F = 3;
      const m = 67; // more than one 64-row tile
      const net = initNetwork(F, layers, K, act, false, new Rng(11));
      const { x, y, w } = batch(F, m, K, 5);
      const wMean = 0.8;
      const norm = m * wMean;
      // the weight gradients' sums split in slices of 16 rows (5 slices), as large batches are
      const r = await batchGradients(g, net, x, y, w, wMean, { kc: 16, splits: 5 });
      expect(r.loss / norm).toBeCloseTo(loss64(net, x, y, w, norm), 5);
      let scale = 0;
      for (const L of r.layers) for (const v of [...L.gW, ...L.gb]) scale = Math.max(scale, Math.abs(v));
      expect(scale).toBeGreaterThan(1e-3);
      const layersOf = [...net.hidden, net.out];
      let checked = 0;
      let kinks = 0;
      layersOf.forEach((d, l) => {
        for (const [name, arr] of [["gW", d.W], ["gb", d.b]] as const) {
          // wide layers: a sample of their parameters
          const stride = arr.length > 60 ? 7 : 1;
          for (let i = 0; i < arr.length; i += stride) {
            const v0 = arr[i];
            const h = 1e-4;
            const l0 = loss64(net, x, y, w, norm);
            arr[i] = v0 + h;
            const hiH = Math.fround(v0 + h);
            const up = loss64(net, x, y, w, norm);
            arr[i] = v0 - h;
            const loH = Math.fround(v0 - h);
            const down = loss64(net, x, y, w, norm);
            arr[i] = v0;
            // relu and selu: a step across a kink (the derivative jumps at 0) has one-sided slopes that disagree
            if (Math.abs((up - l0) / (hiH - v0) - (l0 - down) / (v0 - loH)) > 2e-3 * scale) {
              kinks++;
              continue;
            }
            const fd = (up - down) / (hiH - loH);
            expect(Math.abs(fd - r.layers[l][name][i])).toBeLessThan(2e-3 * scale + 1e-5);
            checked++;
          }
        }
      });
      expect(kinks).toBeLessThan(act === "relu" || act === "selu" ? 0.1 * checked : 1);
    });

  it("forward and backward equal the CPU trainer's on the same batch, within float32 rounding", async () => {
    const g = await dev();
    for (const [act, K] of [["relu", 1], ["elu", 4]] as const) {
      const F = 28;
      const m = 300;
      const net = initNetwork(F, [64, 64], K, act, false, new Rng(3));
      const { x, y, w } = batch(F, m, K, 9);
      const gpuR = await batchGradients(g, cloneNetwork(net), x, y, w, 1.1);
      const splitR = await batchGradients(g, cloneNetwork(net), x, y, w, 1.1, { kc: 64, splits: 5 });
      const t = new BatchTrainer(cloneNetwork(net), readOptions({ layers: [64, 64], activation: act, batch: m }), m, new Rng(1));
      t.x.set(x);
      t.y.set(y);
      t.w.set(w);
      t.forward(m);
      const cpuLoss = t.lossGrad(m, m * 1.1);
      t.backward(m);
      for (let i = 0; i < m * K; i++) expect(Math.abs(gpuR.logits[i] - t.logits[i])).toBeLessThan(1e-5 * (1 + Math.abs(t.logits[i])));
      expect(gpuR.loss).toBeCloseTo(cpuLoss, 2);
      // the CPU trainer's parameters: per layer its kernel, then its bias
      const cpu = t.params.map((p) => p.grad);
      gpuR.layers.forEach((L, l) => {
        for (const [k, arr] of [[2 * l, L.gW], [2 * l + 1, L.gb]] as const) {
          let scale = 0;
          for (const v of cpu[k]) scale = Math.max(scale, Math.abs(v));
          const other = k % 2 === 0 ? splitR.layers[l].gW : splitR.layers[l].gb;
          for (let i = 0; i < arr.length; i++) {
            expect(Math.abs(arr[i] - cpu[k][i])).toBeLessThan(1e-4 * scale + 1e-7);
            expect(Math.abs(other[i] - cpu[k][i])).toBeLessThan(1e-4 * scale + 1e-7);
          }
        }
      });
    }
  });

  it("fixed weights score on the GPU as on the CPU within 1e-5, per event", async () => {
    const g = await dev();
    for (const K of [1, 3]) {
      const d = ring(5000, 4, 6);
      const net = initNetwork(6, [32, 16], K, "selu", false, new Rng(8));
      const s = new GpuScorer(g, net, 1024); // several blocks
      const onGpu = await s.predict(d.columns, d.n);
      s.destroy();
      const onCpu = predictColumns(net, d.columns, d.n);
      let worst = 0;
      for (let i = 0; i < onCpu.length; i++) worst = Math.max(worst, Math.abs(onGpu[i] - onCpu[i]));
      expect(worst).toBeLessThan(1e-5);
    }
  });
});

describe.skipIf(!available)("an mlp's folds opened for scoring on the GPU", () => {
  it("score as on the CPU within 1e-5, batch norm (folded into the layers) included, each fold with its own weights", async () => {
    await dev();
    const d = ring(3000, 4, 6);
    const nets = [1, 2].map((seed) => {
      const net = initNetwork(6, [16, 12], 1, "elu", true, new Rng(seed));
      const r = lcg(30 + seed);
      // running statistics and scales far from their initial 0 and 1
      for (const h of net.hidden) {
        const bn = h.bn!;
        for (let j = 0; j < h.nOut; j++) {
          bn.gamma[j] = 0.5 + r();
          bn.beta[j] = r() - 0.5;
          bn.mean[j] = 2 * r() - 1;
          bn.variance[j] = 0.2 + 2 * r();
        }
      }
      return net;
    });
    const models = nets.map((n) => new MlpModel(n, "test", undefined, undefined, undefined));
    const s = await mlpRuntime.openScorer!(models, "gpu", "nn");
    expect(s?.device).toMatch(/^gpu: /);
    for (let k = 0; k < 2; k++) {
      const onGpu = await s!.predict(k, d.columns, d.n);
      const onCpu = predictColumns(nets[k], d.columns, d.n);
      let worst = 0;
      for (let i = 0; i < onCpu.length; i++) worst = Math.max(worst, Math.abs(onGpu[i] - onCpu[i]));
      expect(worst).toBeLessThan(1e-5);
      expect(Math.max(...onCpu) - Math.min(...onCpu)).toBeGreaterThan(0.05);
    }
    s!.close();
    // on the CPU nothing is opened
    expect(await mlpRuntime.openScorer!(models, "cpu", "nn")).toBeNull();
  });
});

describe.skipIf(!available)("dropout in the WGSL training pass", () => {
  const F = 5;
  const m = 70;
  const rate = 0.3;
  const drop = { rate, key: 0x1234567, epoch: 3 };

  it("forward and backward equal the CPU trainer's with the same masks, within float32 rounding; the masks keep about 1 − rate", async () => {
    const g = await dev();
    for (const [act, K] of [["relu", 1], ["tanh", 3]] as const) {
      const net = initNetwork(F, [24, 16], K, act, false, new Rng(21));
      const { x, y, w } = batch(F, m, K, 13);
      const masks = masksOf(net, rate, drop.key, drop.epoch, m);
      const kept = masks.reduce((s, mk) => s + mk.filter((v) => v !== 0).length, 0) / masks.reduce((s, mk) => s + mk.length, 0);
      expect(kept).toBeGreaterThan(0.6);
      expect(kept).toBeLessThan(0.8);
      const gpuR = await batchGradients(g, cloneNetwork(net), x, y, w, 1, undefined, drop);
      // the CPU trainer draws its masks from its dropout stream, layer by layer, row-major: a
      // stream that gives these masks' keep (0) and drop (1) decisions in that order
      const draws = masks.flatMap((mk) => Array.from(mk, (v) => (v !== 0 ? 0 : 0.999)));
      let at = 0;
      const fixed = { uniform: () => draws[at++] } as unknown as Rng;
      const t = new BatchTrainer(cloneNetwork(net), readOptions({ layers: [24, 16], activation: act, batch: m, dropout: rate }), m, fixed);
      t.x.set(x);
      t.y.set(y);
      t.w.set(w);
      t.forward(m);
      expect(at).toBe(draws.length);
      const cpuLoss = t.lossGrad(m, m);
      t.backward(m);
      for (let i = 0; i < m * K; i++) expect(Math.abs(gpuR.logits[i] - t.logits[i])).toBeLessThan(1e-5 * (1 + Math.abs(t.logits[i])));
      expect(gpuR.loss).toBeCloseTo(cpuLoss, 3);
      const cpu = t.params.map((p) => p.grad);
      gpuR.layers.forEach((L, l) => {
        for (const [k, arr] of [[2 * l, L.gW], [2 * l + 1, L.gb]] as const) {
          let scale = 0;
          for (const v of cpu[k]) scale = Math.max(scale, Math.abs(v));
          expect(scale).toBeGreaterThan(0);
          for (let i = 0; i < arr.length; i++) expect(Math.abs(arr[i] - cpu[k][i])).toBeLessThan(1e-4 * scale + 1e-7);
        }
      });
      // another epoch draws other masks
      const other = await batchGradients(g, cloneNetwork(net), x, y, w, 1, undefined, { ...drop, epoch: 4 });
      expect(Array.from(other.logits)).not.toEqual(Array.from(gpuR.logits));
    }
  });

  it("rate 0 through the mask kernels gives the network without dropout, bit for bit", async () => {
    const g = await dev();
    const net = initNetwork(F, [24, 16], 1, "elu", false, new Rng(22));
    const { x, y, w } = batch(F, m, 1, 14);
    const plain = await batchGradients(g, cloneNetwork(net), x, y, w, 1);
    const none = await batchGradients(g, cloneNetwork(net), x, y, w, 1, undefined, { rate: 0, key: 99, epoch: 1 });
    expect(Array.from(none.logits)).toEqual(Array.from(plain.logits));
    none.layers.forEach((L, l) => {
      expect(Array.from(L.gW)).toEqual(Array.from(plain.layers[l].gW));
      expect(Array.from(L.gb)).toEqual(Array.from(plain.layers[l].gb));
    });
  });

  it("backward against finite differences of the loss with the masks fixed", async () => {
    const g = await dev();
    const net = initNetwork(F, [9, 7], 1, "tanh", false, new Rng(23));
    const { x, y, w } = batch(F, m, 1, 15);
    const masks = masksOf(net, rate, drop.key, drop.epoch, m);
    const r = await batchGradients(g, net, x, y, w, 1, undefined, drop);
    expect(r.loss / m).toBeCloseTo(loss64(net, x, y, w, m, masks), 5);
    let scale = 0;
    for (const L of r.layers) for (const v of [...L.gW, ...L.gb]) scale = Math.max(scale, Math.abs(v));
    let checked = 0;
    [...net.hidden, net.out].forEach((d, l) => {
      for (const [name, arr] of [["gW", d.W], ["gb", d.b]] as const)
        for (let i = 0; i < arr.length; i++) {
          const v0 = arr[i];
          arr[i] = v0 + 1e-4;
          const hi = Math.fround(v0 + 1e-4);
          const up = loss64(net, x, y, w, m, masks);
          arr[i] = v0 - 1e-4;
          const lo = Math.fround(v0 - 1e-4);
          const down = loss64(net, x, y, w, m, masks);
          arr[i] = v0;
          expect(Math.abs((up - down) / (hi - lo) - r.layers[l][name][i])).toBeLessThan(2e-3 * scale + 1e-5);
          checked++;
        }
    });
    expect(checked).toBe([...net.hidden, net.out].reduce((s, d) => s + d.W.length + d.b.length, 0));
  });
});

/**
 * Σ wᵢ·lossᵢ / norm in float64 for a network with batch norm in training mode (the batch's mean and
 * biased variance per unit), layer by layer over the whole batch, from the definitions.
 */
function lossBn64(net: Network, x: Float32Array, y: Int32Array, w: Float32Array, norm: number): number {
  const m = y.length;
  let H: number[][] = Array.from({ length: m }, (_, i) => Array.from(x.subarray(i * net.inputs, (i + 1) * net.inputs)));
  for (const [l, d] of [...net.hidden, net.out].entries()) {
    const Z = H.map((h) => Array.from({ length: d.nOut }, (_, j) => h.reduce((s, v, k) => s + v * d.W[k * d.nOut + j], d.b[j])));
    if (l === net.hidden.length) {
      H = Z;
      break;
    }
    if (d.bn) {
      for (let j = 0; j < d.nOut; j++) {
        const mean = Z.reduce((s, z) => s + z[j], 0) / m;
        const v = Z.reduce((s, z) => s + (z[j] - mean) ** 2, 0) / m;
        for (const z of Z) z[j] = d.bn.gamma[j] * ((z[j] - mean) / Math.sqrt(v + d.bn.eps)) + d.bn.beta[j];
      }
    }
    H = Z.map((z) => z.map((v) => act64(net.activation, v)));
  }
  let total = 0;
  H.forEach((h, i) => {
    if (net.outputs === 1) total += w[i] * (Math.log1p(Math.exp(-Math.abs(h[0]))) + Math.max(h[0], 0) - y[i] * h[0]);
    else {
      const mx = Math.max(...h);
      total += w[i] * (mx + Math.log(h.reduce((a, v) => a + Math.exp(v - mx), 0)) - h[y[i]]);
    }
  });
  return total / norm;
}

describe.skipIf(!available)("batch norm in the WGSL training pass", () => {
  const F = 5;
  const m = 300; // more than one workgroup's 256 rows per unit

  it("forward, backward and the running statistics equal the CPU trainer's on the same batch, within float32 rounding", async () => {
    const g = await dev();
    for (const [act, K] of [["relu", 1], ["tanh", 3]] as const) {
      const net = initNetwork(F, [24, 16], K, act, true, new Rng(31));
      const r = lcg(40);
      for (const h of net.hidden) for (let j = 0; j < h.nOut; j++) {
        h.bn!.gamma[j] = 0.5 + r();
        h.bn!.beta[j] = r() - 0.5;
      }
      const { x, y, w } = batch(F, m, K, 16);
      const gpuR = await batchGradients(g, cloneNetwork(net), x, y, w, 1);
      const cpuNet = cloneNetwork(net);
      const t = new BatchTrainer(cpuNet, readOptions({ layers: [24, 16], activation: act, batch: m, batch_norm: true }), m, new Rng(1));
      t.x.set(x);
      t.y.set(y);
      t.w.set(w);
      t.forward(m);
      const cpuLoss = t.lossGrad(m, m);
      t.backward(m);
      for (let i = 0; i < m * K; i++) expect(Math.abs(gpuR.logits[i] - t.logits[i])).toBeLessThan(2e-5 * (1 + Math.abs(t.logits[i])));
      expect(gpuR.loss).toBeCloseTo(cpuLoss, 2);
      // the CPU trainer's parameters: per hidden layer W, γ, β; then the output's W and b
      const cpu = t.params.map((p) => p.grad);
      const gpu = gpuR.layers.flatMap((L, l) => (l < net.hidden.length ? [L.gW, L.gGamma!, L.gBeta!] : [L.gW, L.gb]));
      expect(gpu.length).toBe(cpu.length);
      gpu.forEach((arr, k) => {
        let scale = 0;
        for (const v of cpu[k]) scale = Math.max(scale, Math.abs(v));
        expect(scale).toBeGreaterThan(0);
        for (let i = 0; i < arr.length; i++) expect(Math.abs(arr[i] - cpu[k][i])).toBeLessThan(2e-4 * scale + 1e-7);
      });
      // the bias before batch norm is not trained: no gradient
      for (const L of gpuR.layers.slice(0, -1)) expect(L.gb.every((v) => v === 0)).toBe(true);
      // running statistics after one batch, as layout.ts places them (mean, then variance, per layer, 64-aligned)
      let at = 0;
      for (const h of cpuNet.hidden) {
        const up = (v: number) => Math.ceil(v / 64) * 64;
        for (let j = 0; j < h.nOut; j++) {
          expect(gpuR.stats[at + j]).toBeCloseTo(h.bn!.mean[j], 4);
          expect(gpuR.stats[up(at + h.nOut) + j]).toBeCloseTo(h.bn!.variance[j], 4);
        }
        at = up(up(at + h.nOut) + h.nOut);
      }
    }
  });

  it("backward against finite differences of the float64 loss with batch statistics", async () => {
    const g = await dev();
    const net = initNetwork(3, [6, 5], 1, "elu", true, new Rng(32));
    const { x, y, w } = batch(3, 40, 1, 17);
    const r = await batchGradients(g, net, x, y, w, 1);
    expect(r.loss / 40).toBeCloseTo(lossBn64(net, x, y, w, 40), 5);
    let scale = 0;
    for (const L of r.layers) for (const v of [...L.gW, ...L.gb, ...(L.gGamma ?? []), ...(L.gBeta ?? [])]) scale = Math.max(scale, Math.abs(v));
    let checked = 0;
    [...net.hidden, net.out].forEach((d, l) => {
      const params: Array<[Float32Array, Float32Array]> = [[d.W, r.layers[l].gW]];
      if (d.bn) params.push([d.bn.gamma, r.layers[l].gGamma!], [d.bn.beta, r.layers[l].gBeta!]);
      else params.push([d.b, r.layers[l].gb]);
      for (const [arr, grad] of params)
        for (let i = 0; i < arr.length; i++) {
          const v0 = arr[i];
          arr[i] = v0 + 1e-3;
          const hi = Math.fround(v0 + 1e-3);
          const up = lossBn64(net, x, y, w, 40);
          arr[i] = v0 - 1e-3;
          const lo = Math.fround(v0 - 1e-3);
          const down = lossBn64(net, x, y, w, 40);
          arr[i] = v0;
          expect(Math.abs((up - down) / (hi - lo) - grad[i])).toBeLessThan(2e-3 * scale + 1e-5);
          checked++;
        }
    });
    expect(checked).toBe(3 * 6 + 12 + 6 * 5 + 10 + 5 + 1);
  });
});

describe.skipIf(!available)("mlp training on the GPU", () => {
  const train = ring(3000, 1);
  const valid = ring(800, 2);
  const o = readOptions({ layers: [16, 16], epochs: 6, batch: 128, learning_rate: 0.01, patience: 2 });
  const start = initNetwork(4, [16, 16], 1, "relu", false, new Rng(4));
  const fit = (extra: Parameters<typeof trainOnGpu>[7] = { model: "nn" }, opts = o, hooks = {}) => trainOnGpu(gpu, cloneNetwork(start), train, valid, opts, new Rng(7, 2), hooks, extra);

  it("learns the ring, keeps the best epoch, and the same seed gives the same weights bit for bit", async () => {
    await dev();
    const a = await fit();
    const b = await fit();
    expect(a.curves.train.length).toBe(a.epochsRun);
    expect(a.curves.valid.at(-1)!).toBeLessThan(a.curves.valid[0]);
    expect(a.curves.valid[a.bestEpoch - 1]).toBe(Math.min(...a.curves.valid));
    expect(Array.from(b.net.hidden[0].W)).toEqual(Array.from(a.net.hidden[0].W));
    expect(Array.from(b.net.out.W)).toEqual(Array.from(a.net.out.W));
    expect(b.curves).toEqual(a.curves);
    // a different seed draws other permutations
    const c = await trainOnGpu(gpu, cloneNetwork(start), train, valid, o, new Rng(8, 2), {}, { model: "nn" });
    expect(Array.from(c.net.out.W)).not.toEqual(Array.from(a.net.out.W));
  });

  it("the weight gradients' sum split over slices of the batch trains as the unsplit sum, within float32 rounding", async () => {
    await dev();
    const big = readOptions({ layers: [16, 16], epochs: 2, batch: 1024, learning_rate: 0.01, patience: 0 });
    const a = await fit({ model: "nn" }, big);
    const b = await fit({ model: "nn", split: false }, big);
    for (let i = 0; i < a.net.out.W.length; i++) expect(Math.abs(a.net.out.W[i] - b.net.out.W[i])).toBeLessThan(1e-4);
    expect(Math.abs(a.curves.train[1] - b.curves.train[1])).toBeLessThan(1e-5);
  });

  it("training rows split over several buffers (past the binding limit) train exactly as in one", async () => {
    await dev();
    const one = await fit();
    // 4 KiB chunks: 170 rows each, 18 chunks, gathered four buffers at a time
    const many = await fit({ model: "nn", chunkBytes: 4096 });
    expect(Array.from(many.net.hidden[1].W)).toEqual(Array.from(one.net.hidden[1].W));
    expect(many.curves).toEqual(one.curves);
  });

  it("a batch that does not fit the binding limit: HEP6091 naming model, batch and size, with a batch that fits", async () => {
    await dev();
    await expect(fit({ model: "nn", bindingLimit: 4096 }, readOptions({ layers: [16, 16], epochs: 1, batch: 128 }))).rejects.toMatchObject({
      code: "HEP6091",
      args: { model: "nn", batch: 128, size: "8.0 KiB", limit: "4.0 KiB", suggest: 64 },
    });
  });

  /** Out-of-fold AUC of 3 folds trained on a device through fitMlp, and the device named per fold. */
  async function oof(device: "cpu" | "gpu", opts: Record<string, unknown>) {
    const all = ring(6000, 11, 5);
    const folds = 3;
    const sub = (rows: number[]) => ({ columns: all.columns.map((c) => Float32Array.from(rows, (i) => c[i])), label: Int32Array.from(rows, (i) => all.label[i]), weight: Float32Array.from(rows, (i) => all.weight[i]), n: rows.length });
    const score = new Float64Array(all.n);
    const devices: string[] = [];
    for (let k = 0; k < folds; k++) {
      const rest = Array.from({ length: all.n }, (_, i) => i).filter((i) => i % folds !== k);
      const own = Array.from({ length: all.n }, (_, i) => i).filter((i) => i % folds === k);
      const tr = sub(rest.filter((_, q) => q % 5 !== 0));
      const va = sub(rest.filter((_, q) => q % 5 === 0));
      const m = await fitMlp({ fold: k, ...tr, valid: va, scalers: [] }, opts, { seed: 42, threads: 1, classes: ["b", "s"], device, model: "nn" });
      devices.push(m.device);
      const t = sub(own);
      const p = m.predict(t.columns, t.n);
      own.forEach((i, q) => (score[i] = p[q]));
    }
    return { auc: auc(score, all.label, all.weight), devices };
  }

  /** The same options trained on each device: both AUCs good and within 0.005; each device's per-fold names. */
  async function agreeAcrossDevices(opts: Record<string, unknown>): Promise<{ cpu: string[]; gpu: string[] }> {
    const cpu = await oof("cpu", opts);
    const onGpu = await oof("gpu", opts);
    expect(cpu.auc).toBeGreaterThan(0.9);
    expect(Math.abs(cpu.auc - onGpu.auc)).toBeLessThanOrEqual(0.005);
    return { cpu: cpu.devices, gpu: onGpu.devices };
  }

  it("3 folds trained on the CPU and on the GPU: out-of-fold AUCs within 0.005, the GPU named per fold", async () => {
    await dev();
    const devices = await agreeAcrossDevices({ layers: [32, 32], epochs: 12, batch: 256, learning_rate: 0.003, patience: 0 });
    expect(devices.cpu).toEqual(["cpu", "cpu", "cpu"]);
    for (const d of devices.gpu) expect(d).toMatch(/^gpu: \S+ \S+ .*\((vulkan|metal|d3d12)/);
  }, 120_000);

  it("with dropout: 3 folds on the CPU and on the GPU give out-of-fold AUCs within 0.005, trained on the GPU", async () => {
    await dev();
    const devices = await agreeAcrossDevices({ layers: [32, 32], epochs: 12, batch: 256, learning_rate: 0.003, patience: 0, dropout: 0.2 });
    for (const d of devices.gpu) expect(d).toMatch(/^gpu: /);
  }, 120_000);

  it("with dropout: the same seed and key give the same weights bit for bit, another key other weights", async () => {
    await dev();
    const od = readOptions({ layers: [16, 16], epochs: 3, batch: 128, learning_rate: 0.01, patience: 0, dropout: 0.25 });
    const a = await fit({ model: "nn", dropoutKey: 5 }, od);
    const b = await fit({ model: "nn", dropoutKey: 5 }, od);
    expect(Array.from(b.net.hidden[0].W)).toEqual(Array.from(a.net.hidden[0].W));
    expect(b.curves).toEqual(a.curves);
    const c = await fit({ model: "nn", dropoutKey: 6 }, od);
    expect(Array.from(c.net.hidden[0].W)).not.toEqual(Array.from(a.net.hidden[0].W));
    // without dropout the same shuffles give other weights again
    const plain = await fit({ model: "nn", dropoutKey: 5 }, { ...od, dropout: 0 });
    expect(Array.from(plain.net.hidden[0].W)).not.toEqual(Array.from(a.net.hidden[0].W));
  });

  it("with batch norm: 3 folds on the CPU and on the GPU give out-of-fold AUCs within 0.005, trained on the GPU", async () => {
    await dev();
    // batch 64: the running averages (momentum 0.99) need some hundreds of steps to forget their start
    const devices = await agreeAcrossDevices({ layers: [32, 32], epochs: 12, batch: 64, learning_rate: 0.003, patience: 0, batch_norm: true });
    for (const d of devices.gpu) expect(d).toMatch(/^gpu: /);
  }, 120_000);

  it("with batch norm: the same seed gives the same weights and running statistics bit for bit; the best epoch's statistics are kept with its weights", async () => {
    await dev();
    const ob = readOptions({ layers: [16, 16], epochs: 5, batch: 128, learning_rate: 0.01, patience: 0, batch_norm: true, dropout: 0.1 });
    const bnStart = initNetwork(4, [16, 16], 1, "relu", true, new Rng(4));
    const run = () => trainOnGpu(gpu, cloneNetwork(bnStart), train, valid, ob, new Rng(7, 2), {}, { model: "nn", dropoutKey: 3 });
    const a = await run();
    const b = await run();
    expect(Array.from(b.net.hidden[1].W)).toEqual(Array.from(a.net.hidden[1].W));
    expect(Array.from(b.net.hidden[0].bn!.variance)).toEqual(Array.from(a.net.hidden[0].bn!.variance));
    expect(b.curves).toEqual(a.curves);
    // trained: γ, β and the running statistics moved from their start
    const bn = a.net.hidden[0].bn!;
    expect(Array.from(bn.gamma).some((v) => v !== 1)).toBe(true);
    expect(Array.from(bn.mean).some((v) => v !== 0)).toBe(true);
    // the kept epoch's validation loss is what the returned network (its weights and statistics) scores
    const p = predictColumns(a.net, valid.columns, valid.n);
    let loss = 0;
    let sw = 0;
    for (let i = 0; i < valid.n; i++) {
      const q = Math.min(Math.max(p[i], 1e-12), 1 - 1e-12);
      loss -= valid.weight[i] * (valid.label[i] ? Math.log(q) : Math.log(1 - q));
      sw += valid.weight[i];
    }
    expect(loss / sw).toBeCloseTo(a.curves.valid[a.bestEpoch - 1], 4);
  });

  it("a device lost during training: HEP6092, no weights returned", async () => {
    await dev();
    const lostOne = gpu;
    await expect(fit({ model: "nn" }, o, { onEpoch: () => lostOne.device.destroy() })).rejects.toMatchObject({ code: "HEP6092" });
    await releaseDevices();
    // the next use opens a fresh device
    const again = await dev();
    expect(again).not.toBe(lostOne);
    expect(again.lost).toBeNull();
  });
});
