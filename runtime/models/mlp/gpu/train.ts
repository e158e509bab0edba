/// <reference types="@webgpu/types" />
/**
 * Training on the GPU. The training and validation rows are uploaded once, packed per row
 * (features, label, weight) into chunks no larger than one binding may be; each epoch draws four
 * keys from the seeded shuffle stream, and the batches are gathered on the GPU through the keyed
 * permutation (wgsl.ts GATHER): no upload per batch. A whole epoch (every batch's gather, forward,
 * loss, backward, optimiser step) is encoded and submitted at once; the CPU reads back only the
 * batch losses after each epoch, to build the curves, stop early and keep the best weights (a
 * copy between GPU buffers). The same seed on the same device gives the same weights: every sum
 * has a fixed order. Dropout's mask is a hash of (key, epoch, row, unit) computed where it is
 * applied (wgsl.ts DROP), nothing stored or uploaded; validation runs without it. Batch norm
 * normalises with the batch's statistics in training and its running averages (kept in their own
 * buffer, copied with the best epoch's weights) in validation.
 */
import { DeviceError, type GpuDevice } from "../../../devices/index.js";
import { MlpError } from "../errors.js";
import { cloneNetwork, type Network } from "../network.js";
import { rateAt, type MlpOptions } from "../options.js";
import type { Rng } from "../rng.js";
import type { Part, TrainHooks, TrainResult } from "../train.js";
import { Engine, type Dispatch } from "./engine.js";
import { checkFits, layoutOf, mib, packNetwork, packStats, unpackInto, type Layout } from "./layout.js";
import { backwardPass, batchBuffers, dropoutBuffers, forwardPass, splitOf, type BatchBuffers } from "./passes.js";

export interface GpuTrainOptions {
  model: string;
  /** Bytes one buffer may hold; default: what the device grants (tests set less to force chunks). */
  bindingLimit?: number;
  /** Bytes per chunk of resident rows; default: the binding limit (tests set less to force several chunks). */
  chunkBytes?: number;
  /** false: weight gradients summed over the batch without splitting it (tests compare both). */
  split?: boolean;
  /** Batches per command buffer. */
  batchesPerSubmit?: number;
  /** Dropout's key (from the fit's seeded dropout stream); the epoch and row make each mask. */
  dropoutKey?: number;
}

/** The binding limit of a device: the smaller of its storage binding and buffer limits. */
export function bindingLimitOf(g: GpuDevice): number {
  const l = g.device.limits;
  return Math.min(l.maxStorageBufferBindingSize, l.maxBufferSize);
}

interface Resident {
  chunks: GPUBuffer[];
  rpc: number;
  n: number;
}

/** Rows packed per row as features, label, weight (a missing value as 0), in chunks of `rpc` rows. */
function upload(e: Engine, part: Part, F: number, rpc: number, what: string): Resident {
  const S = F + 2;
  const chunks: GPUBuffer[] = [];
  for (let start = 0; start < part.n; start += rpc) {
    const rows = Math.min(rpc, part.n - start);
    const a = new Float32Array(rows * S);
    for (let f = 0; f < F; f++) {
      const c = part.columns[f];
      for (let i = 0; i < rows; i++) {
        const v = c[start + i];
        a[i * S + f] = v === v ? v : 0;
      }
    }
    for (let i = 0; i < rows; i++) {
      a[i * S + F] = part.label[start + i];
      a[i * S + F + 1] = part.weight[start + i];
    }
    chunks.push(e.upload(a, `${what} rows ${start}…`));
  }
  return { chunks, rpc, n: part.n };
}

/** Smallest even bit count b with 2^b ≥ n (the Feistel network's domain), at least 2. */
function feistelBits(n: number): number {
  let b = 2;
  while (b < 32 && 2 ** b < n) b += 2;
  return b;
}

interface Gathers {
  dispatches: Dispatch[];
  uniforms: GPUBuffer[];
}

function gathers(e: Engine, data: Resident, F: number, B: number, bb: BatchBuffers, yw: GPUBuffer, shuffle: boolean): Gathers {
  const S = F + 2;
  const dispatches: Dispatch[] = [];
  const uniforms: GPUBuffer[] = [];
  const [gx, gy] = Engine.grid(B * S);
  for (let base = 0; base < data.chunks.length; base += 4) {
    const u = e.uniform([F, S, data.rpc, base, data.n, feistelBits(data.n), shuffle ? 1 : 0, 0, 0, 0, 0, 0]);
    const c = (k: number) => data.chunks[Math.min(base + k, data.chunks.length - 1)];
    dispatches.push(e.dispatch("gather", [u, bb.state, c(0), c(1), c(2), c(3), bb.x, yw], gx, gy));
    uniforms.push(u);
  }
  return { dispatches, uniforms };
}

function stateWords(m: number, t: number): Uint32Array {
  return Uint32Array.from([0, 0, m, t]);
}

function lostError(g: GpuDevice, e: unknown): Error {
  if (e instanceof MlpError || e instanceof DeviceError) return e;
  return new DeviceError("HEP6092", { reason: g.lost ?? (e as Error).message ?? String(e) });
}

export async function trainOnGpu(g: GpuDevice, net: Network, train: Part, valid: Part | null, o: MlpOptions, rng: Rng, hooks: TrainHooks, go: GpuTrainOptions): Promise<TrainResult> {
  const n = train.n;
  const F = net.inputs;
  const K = net.outputs;
  const B = Math.min(o.batch, n);
  const lay: Layout = layoutOf(net);
  const limit = go.bindingLimit ?? bindingLimitOf(g);
  checkFits(go.model, net, lay, B, limit);
  let wAbs = 0;
  let sumW = 0;
  for (let i = 0; i < n; i++) {
    wAbs += Math.abs(train.weight[i]);
    sumW += train.weight[i];
  }
  const wMean = wAbs / n;
  if (!(wMean > 0) || !Number.isFinite(wMean)) throw new MlpError("HEP6063", { reason: "the training weights are all 0 or not finite" });
  let vSumW = 0;
  if (valid) for (let i = 0; i < valid.n; i++) vSumW += valid.weight[i];

  const device = g.device;
  const e = new Engine(device);
  device.pushErrorScope("out-of-memory");
  device.pushErrorScope("validation");
  // the scopes are popped once the buffers are made, or on the way out if making them threw
  let scopes = 2;
  try {
    const rpc = Math.max(1, Math.floor(Math.min(limit, go.chunkBytes ?? limit) / ((F + 2) * 4)));
    const residentBytes = 4 * (n + (valid?.n ?? 0)) * (F + 2);
    const widest = Math.max(1, ...net.hidden.map((d) => d.nOut));
    // per hidden unit and row: its activation, a masked copy under dropout, z and ẑ under batch norm
    const perUnit = 1 + (o.dropout > 0 ? 1 : 0) + (o.batchNorm ? 2 : 0);
    const hiddenUnits = net.hidden.reduce((s, d) => s + d.nOut, 0);
    const totalBytes = residentBytes + 4 * (5 * lay.count + 2 * lay.stats + B * (F + 2 * widest + 3 * K + 3 + perUnit * hiddenUnits));
    const tooBig = (reason: string) => new DeviceError("HEP6094", { model: go.model, size: mib(totalBytes), reason });
    let trainData: Resident;
    let validData: Resident | null;
    try {
      // a mapping the device cannot back throws here (a RangeError), not through the error scope
      trainData = upload(e, train, F, rpc, "training");
      validData = valid && valid.n > 0 ? upload(e, valid, F, rpc, "validation") : null;
    } catch (err) {
      throw tooBig((err as Error).message);
    }
    const packed = packNetwork(net, lay, o.l2);
    const params = e.upload(packed.values, "weights");
    const decay = e.upload(packed.decay, "l2");
    const grads = e.storage(lay.count, "gradients");
    const m1 = e.storage(lay.count, "moment 1");
    const m2 = e.storage(lay.count, "moment 2");
    const best = e.storage(lay.count, "best weights");
    const stats = e.upload(packStats(lay), "running statistics");
    const bestStats = e.storage(Math.max(1, lay.stats), "best running statistics");
    const state = e.storage(4, "state");
    const bb = batchBuffers(e, net, B, state);
    const yw = e.storage(2 * B, "labels and weights");
    const dLogits = e.storage(B * K, "dlogits");
    const gbufs: [GPUBuffer, GPUBuffer] = [e.storage(B * widest, "g1"), e.storage(B * widest, "g2")];
    const lossRows = e.storage(B, "row losses");
    const nb = Math.ceil(n / B);
    const split = go.split === false ? undefined : splitOf(lay, B, limit);
    const trainLoss = e.storage(nb, "batch losses");
    const lossU = e.uniform([K, wMean, 0, 0], new Set([1]));
    const tickTrain = e.uniform([n, B, 1, 0]);
    const optimU = e.uniform([lay.count, o.optimiser === "adam" ? 1 : 0, 0, o.momentum], new Set([2, 3]));
    const [ox, oy] = Engine.grid(lay.count);

    const tg = gathers(e, trainData, F, B, bb, yw, true);
    const drop = o.dropout > 0 && net.hidden.length > 0 ? dropoutBuffers(e, net, B, o.dropout, go.dropoutKey ?? 0) : undefined;
    const step: Dispatch[] = [
      ...tg.dispatches,
      ...forwardPass(e, net, lay, params, bb, B, drop, { stats, train: true }),
      e.dispatch("loss", [lossU, state, bb.logits, yw, dLogits, lossRows], Engine.grid(B)[0], Engine.grid(B)[1]),
      e.colsum({ N: 1, x: lossRows, out: trainLoss, outOff: 0, atBatch: true, state }),
      ...backwardPass(e, net, lay, params, grads, bb, dLogits, gbufs, B, split && { ...split, part: e.storage(split.splits * Math.max(...lay.layers.map((L) => L.d.W.length)), "split partials") }, drop),
      e.dispatch("optim", [optimU, state, params, grads, m1, m2, decay], ox, oy),
      e.dispatch("tick", [tickTrain, state], 1),
    ];

    // validation: the same forward and loss over the rows in order, its own state and losses
    let validStep: Dispatch[] = [];
    let vState: GPUBuffer | null = null;
    let validLoss: GPUBuffer | null = null;
    const nvb = validData ? Math.ceil(validData.n / B) : 0;
    if (validData) {
      vState = e.storage(4, "validation state");
      const vb: BatchBuffers = { ...bb, state: vState };
      validLoss = e.storage(nvb, "validation losses");
      const vg = gathers(e, validData, F, B, vb, yw, false);
      validStep = [
        ...vg.dispatches,
        ...forwardPass(e, net, lay, params, vb, B, undefined, { stats, train: false }),
        e.dispatch("loss", [lossU, vState, bb.logits, yw, dLogits, lossRows], Engine.grid(B)[0], Engine.grid(B)[1]),
        e.colsum({ N: 1, x: lossRows, out: validLoss, outOff: 0, atBatch: true, state: vState }),
        e.dispatch("tick", [e.uniform([validData.n, B, 0, 0]), vState], 1),
      ];
    }
    scopes = 0;
    const setup = await device.popErrorScope();
    const oom = await device.popErrorScope();
    if (oom) throw tooBig(oom.message);
    if (setup) throw new DeviceError("HEP6092", { reason: `the device refused the network's buffers: ${setup.message}` });

    const perSubmit = go.batchesPerSubmit ?? 256;
    const curves = { train: [] as number[], valid: [] as number[] };
    let bestLoss = Infinity;
    let bestEpoch = 0;
    let since = 0;
    let epoch = 0;
    let t = 1;
    while (epoch < o.epochs) {
      if (hooks.signal?.aborted) throw new MlpError("HEP6005", {});
      if (g.lost) throw new DeviceError("HEP6092", { reason: g.lost });
      // the epoch's permutation keys come from the seeded stream, as the CPU's shuffle does
      const keys = Uint32Array.from([rng.u32(), rng.u32(), rng.u32(), rng.u32()]);
      for (const u of tg.uniforms) device.queue.writeBuffer(u, 8 * 4, keys);
      if (drop) for (const u of [...drop.forward, ...drop.backward]) device.queue.writeBuffer(u, 3 * 4, Uint32Array.from([epoch]));
      device.queue.writeBuffer(optimU, 2 * 4, Float32Array.from([rateAt(o, epoch)]));
      device.queue.writeBuffer(state, 0, stateWords(Math.min(B, n), t));
      for (let b0 = 0; b0 < nb; b0 += perSubmit) {
        const enc = device.createCommandEncoder();
        const pass = enc.beginComputePass();
        for (let b = b0; b < Math.min(nb, b0 + perSubmit); b++) e.record(pass, step);
        pass.end();
        device.queue.submit([enc.finish()]);
      }
      t += nb;
      if (vState && validLoss) {
        device.queue.writeBuffer(vState, 0, stateWords(Math.min(B, validData!.n), 0));
        const enc = device.createCommandEncoder();
        const pass = enc.beginComputePass();
        for (let b = 0; b < nvb; b++) e.record(pass, validStep);
        pass.end();
        device.queue.submit([enc.finish()]);
      }
      let losses: Float32Array;
      let vLosses: Float32Array | null = null;
      try {
        losses = await e.read(trainLoss, nb);
        if (validLoss) vLosses = await e.read(validLoss, nvb);
      } catch (err) {
        throw lostError(g, err);
      }
      if (g.lost) throw new DeviceError("HEP6092", { reason: g.lost });
      epoch++;
      let sumL = 0;
      for (let b = 0; b < nb; b++) {
        if (!Number.isFinite(losses[b])) throw new MlpError("HEP6060", { epoch, batch: b + 1, loss: String(losses[b]) });
        sumL += losses[b];
      }
      const trainMean = sumL / (sumW !== 0 ? sumW : 1);
      let validMean: number | null = null;
      if (vLosses) {
        let s = 0;
        for (const v of vLosses) s += v;
        validMean = s / (vSumW !== 0 ? vSumW : 1);
        if (!Number.isFinite(validMean)) throw new MlpError("HEP6060", { epoch, batch: nb, loss: String(validMean) });
      }
      curves.train.push(trainMean);
      if (validMean !== null) curves.valid.push(validMean);
      hooks.onEpoch?.(epoch, trainMean, validMean);
      if (validMean !== null) {
        if (validMean < bestLoss) {
          bestLoss = validMean;
          bestEpoch = epoch;
          since = 0;
          const enc = device.createCommandEncoder();
          enc.copyBufferToBuffer(params, 0, best, 0, lay.count * 4);
          if (lay.stats) enc.copyBufferToBuffer(stats, 0, bestStats, 0, lay.stats * 4);
          device.queue.submit([enc.finish()]);
        } else if (o.patience > 0 && ++since >= o.patience) break;
      }
      await new Promise<void>((r) => setImmediate(r));
    }
    let values: Float32Array;
    let runStats: Float32Array | undefined;
    try {
      values = await e.read(bestEpoch > 0 ? best : params, lay.count);
      if (lay.stats) runStats = await e.read(bestEpoch > 0 ? bestStats : stats, lay.stats);
    } catch (err) {
      throw lostError(g, err);
    }
    for (const v of values) if (!Number.isFinite(v)) throw new MlpError("HEP6060", { epoch, batch: nb, loss: "NaN" });
    const out = cloneNetwork(net);
    unpackInto(out, layoutOf(out), values, runStats);
    return { net: out, curves, bestEpoch: bestEpoch > 0 ? bestEpoch : epoch, epochsRun: epoch };
  } finally {
    for (; scopes > 0; scopes--) await device.popErrorScope().catch(() => null);
    e.destroy();
  }
}
