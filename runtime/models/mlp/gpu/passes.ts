/// <reference types="@webgpu/types" />
/**
 * The dispatches of a network's passes over a batch held in GPU buffers: forward (hidden layers
 * with their activation, the output layer's logits), and backward from the logits' gradient to
 * every parameter's gradient in one flat buffer (the laid-out network of layout.ts).
 */
import type { Network } from "../network.js";
import { ACT_CODE, type Dispatch, type Engine } from "./engine.js";
import type { Layout } from "./layout.js";

export interface BatchBuffers {
  /** Inputs, B × F row-major. */
  x: GPUBuffer;
  /** Per hidden layer: its activations, B × width. */
  acts: GPUBuffer[];
  /** B × K. */
  logits: GPUBuffer;
  state: GPUBuffer;
}

export function batchBuffers(e: Engine, net: Network, B: number, state: GPUBuffer, x?: GPUBuffer): BatchBuffers {
  return {
    x: x ?? e.storage(B * net.inputs, "x"),
    acts: net.hidden.map((d, l) => e.storage(B * d.nOut, `acts ${l}`)),
    logits: e.storage(B * net.outputs, "logits"),
    state,
  };
}

export function forwardPass(e: Engine, net: Network, lay: Layout, params: GPUBuffer, bb: BatchBuffers, B: number): Dispatch[] {
  const ds: Dispatch[] = [];
  let input = bb.x;
  lay.layers.forEach((L, l) => {
    const last = l === lay.layers.length - 1;
    const out = last ? bb.logits : bb.acts[l];
    ds.push(e.matmul({ M: B, N: L.d.nOut, K: L.d.nIn, dyn: 1, a: input, sa: [L.d.nIn, 1], b: params, sb: [L.d.nOut, 1], bOff: L.W, c: out, mode: 1, act: last ? ACT_CODE.identity : ACT_CODE[net.activation], e: params, eOff: L.b, state: bb.state }));
    input = out;
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
export function backwardPass(e: Engine, net: Network, lay: Layout, params: GPUBuffer, grads: GPUBuffer, bb: BatchBuffers, dLogits: GPUBuffer, g: [GPUBuffer, GPUBuffer], B: number, split?: { kc: number; splits: number; part: GPUBuffer }): Dispatch[] {
  const ds: Dispatch[] = [];
  let G = dLogits;
  let spare = 0;
  for (let l = lay.layers.length - 1; l >= 0; l--) {
    const L = lay.layers[l];
    const nIn = L.d.nIn;
    const nOut = L.d.nOut;
    const input = l > 0 ? bb.acts[l - 1] : bb.x;
    // dW = inputᵀ · G over the batch's rows; db = Σ rows of G
    if (split && split.splits > 1) {
      ds.push(e.matmul({ M: nIn, N: nOut, K: B, dyn: 2, a: input, sa: [1, nIn], b: G, sb: [nOut, 1], c: split.part, cOff: 0, mode: 0, state: bb.state, split }));
      ds.push(e.sumz({ count: nIn * nOut, splits: split.splits, part: split.part, out: grads, outOff: L.W }));
    } else ds.push(e.matmul({ M: nIn, N: nOut, K: B, dyn: 2, a: input, sa: [1, nIn], b: G, sb: [nOut, 1], c: grads, cOff: L.W, mode: 0, state: bb.state }));
    ds.push(e.colsum({ N: nOut, x: G, out: grads, outOff: L.b, atBatch: false, state: bb.state }));
    if (l === 0) break;
    // the gradient of the layer below's pre-activation: (G · Wᵀ) ⊙ act′(its output)
    const next = g[spare];
    spare ^= 1;
    ds.push(e.matmul({ M: B, N: nIn, K: nOut, dyn: 1, a: G, sa: [nOut, 1], b: params, sb: [1, nOut], bOff: L.W, c: next, mode: 2, act: ACT_CODE[net.activation], e: bb.acts[l - 1], eOff: 0, state: bb.state }));
    G = next;
  }
  return ds;
}
