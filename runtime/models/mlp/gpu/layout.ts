/**
 * The network as one flat float32 buffer on the GPU (every kernel and bias at an offset, each
 * tensor starting on a 64-float boundary), so that one optimiser dispatch updates all of it, and
 * the sizes of what a batch needs, checked against what one buffer may hold (HEP6091).
 */
import type { Dense, Network } from "../network.js";
import { DeviceError } from "../../../devices/index.js";

const ALIGN = 64;
const up = (x: number) => Math.ceil(x / ALIGN) * ALIGN;

export interface LayerAt {
  d: Dense;
  W: number;
  b: number;
  /** Batch norm: γ and β in the flat buffer, the running mean and variance in the statistics buffer. */
  bn: { gamma: number; beta: number; mean: number; variance: number } | null;
}

export interface Layout {
  layers: LayerAt[];
  /** Floats in the flat buffer. */
  count: number;
  /** Floats in the running statistics' buffer (not trained by the optimiser). */
  stats: number;
}

export function layoutOf(net: Network): Layout {
  let at = 0;
  let st = 0;
  const layers = [...net.hidden, net.out].map((d) => {
    const W = at;
    at = up(at + d.W.length);
    const b = at;
    at = up(at + d.nOut);
    let bn: LayerAt["bn"] = null;
    if (d.bn) {
      bn = { gamma: at, beta: up(at + d.nOut), mean: st, variance: up(st + d.nOut) };
      at = up(bn.beta + d.nOut);
      st = up(bn.variance + d.nOut);
    }
    return { d, W, b, bn };
  });
  return { layers, count: at, stats: st };
}

/** The running statistics' buffer contents from a network (batch norm's mean and variance). */
export function packStats(lay: Layout): Float32Array {
  const out = new Float32Array(Math.max(1, lay.stats));
  for (const L of lay.layers)
    if (L.bn && L.d.bn) {
      out.set(L.d.bn.mean, L.bn.mean);
      out.set(L.d.bn.variance, L.bn.variance);
    }
  return out;
}

/** The flat buffer's contents from a network, and each parameter's L2 factor. */
export function packNetwork(net: Network, lay: Layout, l2 = 0): { values: Float32Array; decay: Float32Array } {
  const values = new Float32Array(lay.count);
  const decay = new Float32Array(lay.count);
  for (const L of lay.layers) {
    values.set(L.d.W, L.W);
    values.set(L.d.b, L.b);
    decay.fill(l2, L.W, L.W + L.d.W.length);
    if (L.bn && L.d.bn) {
      values.set(L.d.bn.gamma, L.bn.gamma);
      values.set(L.d.bn.beta, L.bn.beta);
    }
  }
  return { values, decay };
}

/** Weights (and batch norm's running statistics) from the GPU's buffers back into (a copy of) the network's layers. */
export function unpackInto(net: Network, lay: Layout, values: Float32Array, stats?: Float32Array): void {
  for (const L of lay.layers) {
    L.d.W.set(values.subarray(L.W, L.W + L.d.W.length));
    L.d.b.set(values.subarray(L.b, L.b + L.d.nOut));
    if (L.bn && L.d.bn) {
      const h = L.d.nOut;
      L.d.bn.gamma.set(values.subarray(L.bn.gamma, L.bn.gamma + h));
      L.d.bn.beta.set(values.subarray(L.bn.beta, L.bn.beta + h));
      if (stats) {
        L.d.bn.mean.set(stats.subarray(L.bn.mean, L.bn.mean + h));
        L.d.bn.variance.set(stats.subarray(L.bn.variance, L.bn.variance + h));
      }
    }
  }
}

export function mib(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/**
 * The widest per-row buffer a batch needs (inputs, any layer's activations, the logits), and the
 * check that B rows of it, and the weights, fit one binding of `limit` bytes.
 */
export function checkFits(model: string, net: Network, lay: Layout, B: number, limit: number): void {
  const widest = Math.max(net.inputs, net.outputs, ...net.hidden.map((d) => d.nOut));
  if (lay.count * 4 > limit) throw new DeviceError("HEP6091", { model, batch: B, what: "the network's weights", size: mib(lay.count * 4), limit: mib(limit), suggest: 0 });
  if (B * widest * 4 > limit)
    throw new DeviceError("HEP6091", { model, batch: B, what: `a batch's widest buffer (${B} rows × ${widest} floats)`, size: mib(B * widest * 4), limit: mib(limit), suggest: Math.max(1, Math.floor(limit / (4 * widest))) });
  // one row of data (features, label, weight) must fit a chunk
  if ((net.inputs + 2) * 4 > limit) throw new DeviceError("HEP6091", { model, batch: B, what: "one row of training data", size: mib((net.inputs + 2) * 4), limit: mib(limit), suggest: 0 });
}
