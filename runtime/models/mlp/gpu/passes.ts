/// <reference types="@webgpu/types" />
/**
 * The dispatches of a network's passes over a batch held in GPU buffers: forward (hidden layers
 * with their activation, the output layer's logits), and backward from the logits' gradient to
 * every parameter's gradient in one flat buffer (the laid-out network of layout.ts).
 */
import type { Network } from "../network.js";
import { ACT_CODE, Engine, type Dispatch } from "./engine.js";
import type { Layout } from "./layout.js";

export interface BatchBuffers {
  /** Inputs, B × F row-major. */
  x: GPUBuffer;
  /** Per hidden layer: its activations, B × width. */
  acts: GPUBuffer[];
  /** B × K. */
  logits: GPUBuffer;
  state: GPUBuffer;
  /** Per hidden layer with batch norm: its product z, ẑ and 1/σ per unit (training); null without. */
  bn: Array<{ z: GPUBuffer; zhat: GPUBuffer; inv: GPUBuffer } | null>;
}

/** Batch norm's running statistics and whether the pass trains (batch statistics) or infers (running ones). */
export interface Norm {
  stats: GPUBuffer;
  train: boolean;
}

export function batchBuffers(e: Engine, net: Network, B: number, state: GPUBuffer, x?: GPUBuffer): BatchBuffers {
  return {
    x: x ?? e.storage(B * net.inputs, "x"),
    acts: net.hidden.map((d, l) => e.storage(B * d.nOut, `acts ${l}`)),
    logits: e.storage(B * net.outputs, "logits"),
    state,
    bn: net.hidden.map((d, l) => (d.bn ? { z: e.storage(B * d.nOut, `z ${l}`), zhat: e.storage(B * d.nOut, `zhat ${l}`), inv: e.storage(d.nOut, `1/sigma ${l}`) } : null)),
  };
}

/**
 * Dropout in training: per hidden layer its masked output (the next layer's input; the activations
 * stay unmasked for the backward pass's derivative) and its mask's parameters, forward (mode 0)
 * and backward (mode 1), whose epoch word the trainer rewrites each epoch (wgsl.ts DROP).
 */
export interface Dropout {
  outs: GPUBuffer[];
  forward: GPUBuffer[];
  backward: GPUBuffer[];
}

/** The keep threshold over 24 bits and the kept values' factor, as the CPU's mask holds it (float32). */
export function dropoutBuffers(e: Engine, net: Network, B: number, rate: number, key: number, epoch = 0): Dropout {
  const keep = 1 - rate;
  const thresh = Math.min(2 ** 24, Math.floor(keep * 2 ** 24));
  const scale = Math.fround(1 / keep);
  const layerKey = (l: number) => (key + Math.imul(l + 1, 0x9e3779b9)) >>> 0;
  const u = (h: number, mode: number, l: number) => e.uniform([h, mode, layerKey(l), epoch, thresh, scale, 0, 0], new Set([5]));
  return {
    outs: net.hidden.map((d, l) => e.storage(B * d.nOut, `dropped ${l}`)),
    forward: net.hidden.map((d, l) => u(d.nOut, 0, l)),
    backward: net.hidden.map((d, l) => u(d.nOut, 1, l)),
  };
}

/** A batch norm kernel's parameters for layer L. */
function bnUniform(e: Engine, net: Network, L: Layout["layers"][number]): GPUBuffer {
  const bn = L.bn!;
  return e.uniform([L.d.nOut, ACT_CODE[net.activation], bn.gamma, bn.beta, bn.mean, bn.variance, L.d.bn!.eps, L.d.bn!.momentum], new Set([6, 7]));
}

export function forwardPass(e: Engine, net: Network, lay: Layout, params: GPUBuffer, bb: BatchBuffers, B: number, drop?: Dropout, norm?: Norm): Dispatch[] {
  const ds: Dispatch[] = [];
  let input = bb.x;
  lay.layers.forEach((L, l) => {
    const last = l === lay.layers.length - 1;
    const out = last ? bb.logits : bb.acts[l];
    const bn = last ? null : bb.bn[l];
    if (bn && !norm) throw new Error("forwardPass: a network with batch norm needs its statistics");
    // with batch norm the product goes to z, and the normalisation applies the activation
    ds.push(e.matmul({ M: B, N: L.d.nOut, K: L.d.nIn, dyn: 1, a: input, sa: [L.d.nIn, 1], b: params, sb: [L.d.nOut, 1], bOff: L.W, c: bn ? bn.z : out, mode: 1, act: last || bn ? ACT_CODE.identity : ACT_CODE[net.activation], e: params, eOff: L.b, state: bb.state }));
    if (bn && norm) {
      const u = bnUniform(e, net, L);
      if (norm.train) ds.push(e.dispatch("bnfwd", [u, bb.state, bn.z, params, norm.stats, bn.zhat, out, bn.inv], L.d.nOut));
      else {
        const [gx, gy] = Engine.grid(B * L.d.nOut);
        ds.push(e.dispatch("bninf", [u, bb.state, bn.z, params, norm.stats, out], gx, gy));
      }
    }
    input = out;
    if (drop && !last) {
      const [gx, gy] = Engine.grid(B * L.d.nOut);
      ds.push(e.dispatch("drop", [drop.forward[l], bb.state, out, drop.outs[l]], gx, gy));
      input = drop.outs[l];
    }
  });
  return ds;
}

/**
 * How a weight gradient's sum over B rows is split: slices of kc rows (a multiple of the 16-row
 * step), at most 64 of them and as many as the binding limit allows for the largest kernel.
 */
export function splitOf(lay: Layout, B: number, limit: number): { kc: number; splits: number } {
  const largest = Math.max(...lay.layers.map((L) => L.d.W.length));
  const kc = Math.max(256, Math.ceil(B / 64 / 16) * 16);
  const splits = Math.max(1, Math.min(Math.ceil(B / kc), Math.floor(limit / (4 * largest))));
  return { kc: Math.ceil(B / splits / 16) * 16, splits };
}

/**
 * From dLogits (B × K) to `grads`; g1 and g2 (B × widest) carry the gradient down the layers.
 * With a split, `part` holds splits × the largest kernel's size.
 */
export function backwardPass(e: Engine, net: Network, lay: Layout, params: GPUBuffer, grads: GPUBuffer, bb: BatchBuffers, dLogits: GPUBuffer, g: [GPUBuffer, GPUBuffer], B: number, split?: { kc: number; splits: number; part: GPUBuffer }, drop?: Dropout): Dispatch[] {
  const ds: Dispatch[] = [];
  let G = dLogits;
  let spare = 0;
  for (let l = lay.layers.length - 1; l >= 0; l--) {
    const L = lay.layers[l];
    const nIn = L.d.nIn;
    const nOut = L.d.nOut;
    // the layer's input as the forward pass gave it: the layer below's masked output under dropout
    const input = l > 0 ? (drop ? drop.outs[l - 1] : bb.acts[l - 1]) : bb.x;
    // through batch norm: γ's and β's gradients, and G becomes the gradient of the product
    const bn = l < lay.layers.length - 1 ? bb.bn[l] : null;
    if (bn) ds.push(e.dispatch("bnbwd", [bnUniform(e, net, L), bb.state, params, bn.zhat, bn.inv, G, grads], nOut));
    // dW = inputᵀ · G over the batch's rows; db = Σ rows of G
    if (split && split.splits > 1) {
      ds.push(e.matmul({ M: nIn, N: nOut, K: B, dyn: 2, a: input, sa: [1, nIn], b: G, sb: [nOut, 1], c: split.part, cOff: 0, mode: 0, state: bb.state, split }));
      ds.push(e.sumz({ count: nIn * nOut, splits: split.splits, part: split.part, out: grads, outOff: L.W }));
    } else ds.push(e.matmul({ M: nIn, N: nOut, K: B, dyn: 2, a: input, sa: [1, nIn], b: G, sb: [nOut, 1], c: grads, cOff: L.W, mode: 0, state: bb.state }));
    // the bias before batch norm is not trained (its gradient is rounding noise): it stays 0
    if (!bn) ds.push(e.colsum({ N: nOut, x: G, out: grads, outOff: L.b, atBatch: false, state: bb.state }));
    if (l === 0) break;
    // the gradient of the layer below's pre-activation: (G · Wᵀ) ⊙ act′(its output)
    const next = g[spare];
    spare ^= 1;
    ds.push(e.matmul({ M: B, N: nIn, K: nOut, dyn: 1, a: G, sa: [nOut, 1], b: params, sb: [1, nOut], bOff: L.W, c: next, mode: 2, act: ACT_CODE[net.activation], e: bb.acts[l - 1], eOff: 0, state: bb.state }));
    // through the layer below's mask: the gradient of its output reaches only the kept units
    if (drop) {
      const [gx, gy] = Engine.grid(B * nIn);
      ds.push(e.dispatch("drop", [drop.backward[l - 1], bb.state, bb.acts[l - 1], next], gx, gy));
    }
    G = next;
  }
  return ds;
}
