/**
 * Scoring: the network's forward pass in inference mode (batch norm with its running statistics,
 * no dropout) over blocks of rows, and the output's probabilities. Missing values (NaN) in the
 * scaled columns enter as 0, which is the training mean of a feature under `normal` scaling; the
 * trainer does the same, so training and scoring see the same input.
 */
import { activate } from "./kernels.js";
import type { Dense, Network } from "./network.js";
import { Arena, mm } from "./simd.js";

/** Rows scored at a time: the block's activations stay in cache. */
export const BLOCK = 512;

/** Batch norm in inference mode as one affine map per unit: y = s·z + t. */
export function bnAffine(d: Dense): { s: Float32Array; t: Float32Array } | null {
  if (!d.bn) return null;
  const { gamma, beta, mean, variance, eps } = d.bn;
  const s = new Float32Array(d.nOut);
  const t = new Float32Array(d.nOut);
  for (let j = 0; j < d.nOut; j++) {
    const k = gamma[j] / Math.sqrt(variance[j] + eps);
    s[j] = k;
    t[j] = beta[j] - k * mean[j];
  }
  return { s, t };
}

/** Reusable buffers for scoring blocks of up to `rows` rows. */
export class Scorer {
  private readonly acts: Float32Array[];
  private readonly affine: Array<{ s: Float32Array; t: Float32Array } | null>;
  readonly logits: Float32Array;
  readonly x: Float32Array;
  private readonly arena: Arena | null;
  /** The layers' weights, copied into the arena where there is one. */
  private readonly layers: Array<{ W: Float32Array; b: Float32Array }>;
  constructor(
    readonly net: Network,
    readonly rows = BLOCK,
  ) {
    const all = [...net.hidden, net.out];
    let floats = rows * (net.inputs + net.outputs);
    for (const d of all) floats += rows * d.nOut + d.W.length + d.nOut;
    const arena = Arena.create(floats, 3 + 3 * all.length);
    this.arena = arena;
    const buf = (n: number) => (arena ? arena.alloc(n) : new Float32Array(n));
    this.layers = all.map((d) => (arena ? { W: arena.copy(d.W), b: arena.copy(d.b) } : d));
    this.acts = net.hidden.map((d) => buf(rows * d.nOut));
    this.affine = net.hidden.map(bnAffine);
    this.logits = buf(rows * net.outputs);
    this.x = buf(rows * net.inputs);
  }

  /** Fills `this.x` with rows [start, start + m) of column-major `columns`, NaN as 0. */
  load(columns: ArrayLike<number>[], start: number, m: number): void {
    const F = this.net.inputs;
    const x = this.x;
    for (let f = 0; f < F; f++) {
      const c = columns[f];
      for (let i = 0; i < m; i++) {
        const v = c[start + i];
        x[i * F + f] = v === v ? v : 0;
      }
    }
  }

  /** Logits of the m rows in `this.x` into `this.logits`. */
  forward(m: number): void {
    const net = this.net;
    let input = this.x;
    let nIn = net.inputs;
    net.hidden.forEach((d, l) => {
      const Z = this.acts[l];
      const aff = this.affine[l];
      const fused = !aff && net.activation === "relu";
      mm(this.arena, m, d.nOut, nIn, input, nIn, 1, this.layers[l].W, d.nOut, 1, Z, this.layers[l].b, fused);
      if (aff) for (let i = 0; i < m; i++) for (let j = 0; j < d.nOut; j++) Z[i * d.nOut + j] = aff.s[j] * Z[i * d.nOut + j] + aff.t[j];
      if (!fused) activate(net.activation, Z, Z, m * d.nOut);
      input = Z;
      nIn = d.nOut;
    });
    const out = this.layers[net.hidden.length];
    mm(this.arena, m, net.outputs, nIn, input, nIn, 1, out.W, net.outputs, 1, this.logits, out.b);
  }
}

/** Probabilities from logits: sigmoid of one, or the softmax of a row. */
export function probabilities(logits: Float32Array, m: number, k: number, out: Float64Array, at: number): void {
  if (k === 1) {
    for (let i = 0; i < m; i++) out[at + i] = 1 / (1 + Math.exp(-logits[i]));
    return;
  }
  for (let i = 0; i < m; i++) {
    const o = i * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) if (logits[o + c] > max) max = logits[o + c];
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(logits[o + c] - max);
    for (let c = 0; c < k; c++) out[(at + i) * k + c] = Math.exp(logits[o + c] - max) / sum;
  }
}

/** Probabilities of n rows of column-major scaled features: n values, or n × k row-major. */
export function predictColumns(net: Network, columns: ArrayLike<number>[], n: number, scorer?: Scorer): Float64Array {
  const k = net.outputs;
  const out = new Float64Array(n * k);
  const s = scorer ?? new Scorer(net, Math.min(BLOCK, Math.max(1, n)));
  for (let start = 0; start < n; start += s.rows) {
    const m = Math.min(s.rows, n - start);
    s.load(columns, start, m);
    s.forward(m);
    probabilities(s.logits, m, k, out, start);
  }
  return out;
}
