/**
 * The mlp model kind: a fully connected network trained on one fold of prepared data.
 *
 * In: a FoldData (runtime/train/types.ts: scaled float32 columns, labels, weights, a validation
 * part) and the options of the plan's `mlp` model (stdlib/index.ts). Out: an MlpModel (a
 * FittedModel) that scores scaled columns, with per-epoch loss curves and the epoch kept by
 * early stopping. Missing values (NaN) enter the network as 0, the scaled mean under `normal`
 * scaling, in training and scoring alike.
 *
 * The arithmetic is hepc's own on Float32Arrays: dense products in WebAssembly SIMD (simd.wat,
 * simd.ts) where the shapes allow, TypeScript elsewhere (kernels.ts, train.ts, optim.ts). At batch
 * 256 a 28-64-64-1 network is dominated by per-operation dispatch in TensorFlow.js's wasm backend,
 * so tfjs is not loaded. On a WebGPU device (ctx.device: `gpu`, or `auto` with a hardware GPU)
 * the same network trains with hepc's WGSL kernels (gpu/). Files by job: options, rng, network (data + JSON), kernels, simd,
 * forward (scoring), optim, train (the loop), model (FittedModel), onnx (export), errors.
 *
 * Must not import runtime/exec (the executor calls this) or the compiler.
 */
import type { DeviceScorer, FitContext, FittedModel, ModelKindRuntime } from "../index.js";
import type { FoldData } from "../../train/types.js";
import { MlpError } from "./errors.js";
import { MlpModel } from "./model.js";
import { kernelBackend } from "./simd.js";
import { cloneNetwork, initNetwork, type Network } from "./network.js";
import { bnAffine } from "./forward.js";
import { readOptions } from "./options.js";
import { Rng } from "./rng.js";
import { trainNetwork } from "./train.js";
import { mlpToOnnx } from "./onnx.js";
import { adapterLabel, resolveDevice, type DeviceUse } from "../../devices/index.js";
import { trainOnGpu } from "./gpu/train.js";
import { GpuScorer } from "./gpu/score.js";
import type { DeviceWanted } from "../../devices/index.js";

const wanted = (ctx: FitContext) => ctx.device ?? "cpu";

export { MlpError, type MlpCode } from "./errors.js";
export { MlpModel, FORMAT } from "./model.js";
export { kernelBackend } from "./simd.js";
export { readOptions, type MlpOptions } from "./options.js";
export { predictColumns } from "./forward.js";
export type { Network };
export { mlpToOnnx } from "./onnx.js";

/** Random streams of one fit: independent draws for the weights, the shuffles and dropout. */
const STREAM = { init: 1, shuffle: 2, dropout: 3 } as const;

export async function fitMlp(data: FoldData, options: Record<string, unknown>, ctx: FitContext): Promise<MlpModel> {
  const o = readOptions(options);
  const classes = ctx.classes.length;
  if (classes < 2) throw new MlpError("HEP6063", { reason: `${classes} class(es): a classifier needs at least 2` });
  if (data.n < 1) throw new MlpError("HEP6063", { reason: "no training rows" });
  if (data.columns.length < 1) throw new MlpError("HEP6063", { reason: "no features" });
  for (const part of [data, data.valid])
    for (let i = 0; i < part.n; i++)
      if (!(part.label[i] >= 0 && part.label[i] < classes)) throw new MlpError("HEP6063", { reason: `row ${i} has label ${part.label[i]}, outside 0 … ${classes - 1}` });
  // the fold takes part in the stream so that folds start from different weights
  const stream = (k: number) => k * 65536 + (data.fold + 1);
  const net = initNetwork(data.columns.length, o.layers, classes === 2 ? 1 : classes, o.activation, o.batchNorm, new Rng(ctx.seed, stream(STREAM.init)));
  const use = await deviceFor(ctx);
  if (use.kind === "gpu") {
    const g = await trainOnGpu(use.gpu, net, data, data.valid.n > 0 ? data.valid : null, o, new Rng(ctx.seed, stream(STREAM.shuffle)), { signal: ctx.signal, onEpoch: (e, t, v) => ctx.onRound?.(e, t, v) }, { model: ctx.model ?? "mlp", dropoutKey: new Rng(ctx.seed, stream(STREAM.dropout)).u32() });
    return new MlpModel(g.net, "hepc-wgsl", g.curves, g.bestEpoch, g.epochsRun, `gpu: ${adapterLabel(use.gpu.info)}`);
  }
  const r = await trainNetwork(
    net,
    data,
    data.valid.n > 0 ? data.valid : null,
    o,
    { shuffle: new Rng(ctx.seed, stream(STREAM.shuffle)), dropout: new Rng(ctx.seed, stream(STREAM.dropout)) },
    { signal: ctx.signal, onEpoch: (e, t, v) => ctx.onRound?.(e, t, v) },
  );
  return new MlpModel(r.net, kernelBackend(), r.curves, r.bestEpoch, r.epochsRun, use.note && wanted(ctx) === "gpu" ? `cpu (${use.note})` : "cpu");
}

/**
 * The device a fit runs on: the CPU, or the GPU that `gpu` (or `auto` with a hardware GPU) finds.
 */
async function deviceFor(ctx: FitContext): Promise<DeviceUse> {
  const wanted = ctx.device ?? "cpu";
  if (wanted === "cpu") return { kind: "cpu", note: null };
  return resolveDevice(wanted);
}

/**
 * A model's folds scoring on the device asked for (the rule training follows), or null for the CPU.
 * Batch norm in inference mode is an affine map per unit after the product, folded into the
 * layer's kernel and bias for the GPU (the same function, rounded differently: within 1e-5).
 */
async function openMlpScorer(folds: FittedModel[], device: DeviceWanted, model: string): Promise<DeviceScorer | null> {
  if (device === "cpu" || folds.length === 0) return null;
  const nets = folds.map((f) => foldBatchNorm((f as MlpModel).net));
  const use = await resolveDevice(device);
  if (use.kind !== "gpu") return null;
  const s = new GpuScorer(use.gpu, nets, 65536, model);
  return { device: `gpu: ${adapterLabel(use.gpu.info)}`, predict: (k, columns, n) => s.predict(columns, n, k), close: () => s.destroy() };
}

/** The network with each batch norm's inference affine (y = s·z + t) folded into its layer: W·s, b·s + t. */
export function foldBatchNorm(net: Network): Network {
  if (!net.hidden.some((d) => d.bn)) return net;
  const out = cloneNetwork(net);
  for (const d of out.hidden) {
    const aff = bnAffine(d);
    if (!aff) continue;
    for (let k = 0; k < d.nIn; k++) for (let j = 0; j < d.nOut; j++) d.W[k * d.nOut + j] *= aff.s[j];
    for (let j = 0; j < d.nOut; j++) d.b[j] = d.b[j] * aff.s[j] + aff.t[j];
    d.bn = null;
  }
  return out;
}

export const mlpRuntime: ModelKindRuntime = {
  openScorer: openMlpScorer,
  fit: fitMlp,
  load(json: unknown): FittedModel {
    return MlpModel.fromJSON(json);
  },
  toOnnx(folds, scalers, featureNames) {
    return mlpToOnnx(folds.map((f) => f as MlpModel), scalers, featureNames);
  },
};
