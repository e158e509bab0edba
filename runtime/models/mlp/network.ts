/**
 * The network as data: dense layers (kernel `W` of nIn × nOut, row-major by input, so a row of
 * inputs times W walks W contiguously), each hidden one optionally followed by batch norm, then the
 * activation; an output layer of 1 logit (sigmoid) or one per class (softmax). Weights are float32,
 * stored in JSON as little-endian base64 so that a model round-trips bit for bit.
 */
import { MlpError } from "./errors.js";
import { ACTIVATIONS, type Activation } from "./options.js";
import type { Rng } from "./rng.js";

export interface BatchNorm {
  gamma: Float32Array;
  beta: Float32Array;
  /** Running statistics, used when scoring. */
  mean: Float32Array;
  variance: Float32Array;
  eps: number;
  /** Running stat ← momentum · running + (1 − momentum) · batch stat. */
  momentum: number;
}

export interface Dense {
  nIn: number;
  nOut: number;
  W: Float32Array;
  b: Float32Array;
  bn: BatchNorm | null;
}

export interface Network {
  inputs: number;
  activation: Activation;
  hidden: Dense[];
  out: Dense;
  /** 1 (binary: sigmoid of one logit) or the number of classes (softmax). */
  outputs: number;
}

/** Initial scale per activation: He for the rectifiers, LeCun for selu and the saturating ones. */
function initScale(act: Activation, nIn: number, nOut: number): number {
  switch (act) {
    case "relu":
    case "elu":
      return Math.sqrt(6 / nIn); // He uniform
    case "selu":
      return Math.sqrt(3 / nIn); // LeCun uniform
    default:
      return Math.sqrt(6 / (nIn + nOut)); // Glorot uniform
  }
}

function dense(nIn: number, nOut: number, limit: number, rng: Rng, bn: boolean): Dense {
  const W = new Float32Array(nIn * nOut);
  for (let i = 0; i < W.length; i++) W[i] = (2 * rng.uniform() - 1) * limit;
  return {
    nIn,
    nOut,
    W,
    b: new Float32Array(nOut),
    bn: bn ? { gamma: new Float32Array(nOut).fill(1), beta: new Float32Array(nOut), mean: new Float32Array(nOut), variance: new Float32Array(nOut).fill(1), eps: 1e-3, momentum: 0.99 } : null,
  };
}

export function initNetwork(inputs: number, layers: number[], outputs: number, activation: Activation, batchNorm: boolean, rng: Rng): Network {
  const hidden: Dense[] = [];
  let nIn = inputs;
  for (const w of layers) {
    hidden.push(dense(nIn, w, initScale(activation, nIn, w), rng, batchNorm));
    nIn = w;
  }
  return { inputs, activation, hidden, out: dense(nIn, outputs, Math.sqrt(6 / (nIn + outputs)), rng, false), outputs };
}

export function cloneNetwork(n: Network): Network {
  const c = (d: Dense): Dense => ({ nIn: d.nIn, nOut: d.nOut, W: d.W.slice(), b: d.b.slice(), bn: d.bn && { ...d.bn, gamma: d.bn.gamma.slice(), beta: d.bn.beta.slice(), mean: d.bn.mean.slice(), variance: d.bn.variance.slice() } });
  return { ...n, hidden: n.hidden.map(c), out: c(n.out) };
}

export function f32ToBase64(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
}

export function base64ToF32(s: unknown, length: number, what: string): Float32Array {
  if (typeof s !== "string") throw new MlpError("HEP6061", { reason: `${what} is not a base64 string` });
  const bytes = Buffer.from(s, "base64");
  if (bytes.length !== 4 * length) throw new MlpError("HEP6061", { reason: `${what} holds ${bytes.length / 4} values, ${length} expected` });
  const out = new Float32Array(length);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

function denseToJson(d: Dense): unknown {
  return {
    nIn: d.nIn,
    nOut: d.nOut,
    W: f32ToBase64(d.W),
    b: f32ToBase64(d.b),
    ...(d.bn ? { bn: { gamma: f32ToBase64(d.bn.gamma), beta: f32ToBase64(d.bn.beta), mean: f32ToBase64(d.bn.mean), variance: f32ToBase64(d.bn.variance), eps: d.bn.eps, momentum: d.bn.momentum } } : {}),
  };
}

function denseFromJson(j: unknown, what: string): Dense {
  const o = j as Record<string, unknown>;
  const nIn = o?.nIn;
  const nOut = o?.nOut;
  if (!Number.isInteger(nIn) || !Number.isInteger(nOut) || (nIn as number) < 1 || (nOut as number) < 1) throw new MlpError("HEP6061", { reason: `${what} has no valid shape` });
  const a = nIn as number;
  const b = nOut as number;
  const bnj = o.bn as Record<string, unknown> | undefined;
  return {
    nIn: a,
    nOut: b,
    W: base64ToF32(o.W, a * b, `${what}'s kernel`),
    b: base64ToF32(o.b, b, `${what}'s bias`),
    bn: bnj
      ? {
          gamma: base64ToF32(bnj.gamma, b, `${what}'s batch norm scale`),
          beta: base64ToF32(bnj.beta, b, `${what}'s batch norm shift`),
          mean: base64ToF32(bnj.mean, b, `${what}'s batch norm mean`),
          variance: base64ToF32(bnj.variance, b, `${what}'s batch norm variance`),
          eps: Number(bnj.eps),
          momentum: Number(bnj.momentum),
        }
      : null,
  };
}

export function networkToJson(n: Network): Record<string, unknown> {
  return { inputs: n.inputs, outputs: n.outputs, activation: n.activation, hidden: n.hidden.map(denseToJson), out: denseToJson(n.out) };
}

export function networkFromJson(j: unknown): Network {
  const o = j as Record<string, unknown>;
  if (!o || typeof o !== "object") throw new MlpError("HEP6061", { reason: "not an object" });
  if (!ACTIVATIONS.includes(o.activation as Activation)) throw new MlpError("HEP6061", { reason: `unknown activation ${JSON.stringify(o.activation)}` });
  if (!Array.isArray(o.hidden)) throw new MlpError("HEP6061", { reason: "no hidden layers list" });
  const hidden = o.hidden.map((h, i) => denseFromJson(h, `hidden layer ${i + 1}`));
  const out = denseFromJson(o.out, "the output layer");
  const inputs = Number(o.inputs);
  let nIn = inputs;
  for (const d of [...hidden, out]) {
    if (d.nIn !== nIn) throw new MlpError("HEP6061", { reason: `a layer takes ${d.nIn} inputs where ${nIn} arrive` });
    nIn = d.nOut;
  }
  if (out.nOut !== Number(o.outputs)) throw new MlpError("HEP6061", { reason: "the output layer's width is not the number of outputs" });
  return { inputs, outputs: out.nOut, activation: o.activation as Activation, hidden, out };
}
