/**
 * Training: mini-batch gradient descent over a seeded shuffle of the training rows, a forward and
 * a backward pass per batch through preallocated buffers (nothing is allocated per batch), the
 * weighted loss (sigmoid + binary cross-entropy, or softmax + cross-entropy), then one optimiser
 * step. After each epoch the validation part is scored in inference mode; the weights with the
 * lowest validation loss are the ones kept. A loss that stops being a finite number ends training
 * with HEP6060, naming the epoch and batch.
 */
import { MlpError } from "./errors.js";
import { Scorer } from "./forward.js";
import { activate, softplus } from "./kernels.js";
import { cloneNetwork, type Dense, type Network } from "./network.js";
import { adam, sgd, type Param } from "./optim.js";
import { rateAt, type MlpOptions } from "./options.js";
import type { Rng } from "./rng.js";
import { activationBackward, Arena, colSums, mm, transpose } from "./simd.js";

export interface Part {
  columns: ArrayLike<number>[];
  label: Int32Array;
  weight: Float32Array;
  n: number;
}

export interface TrainHooks {
  signal?: AbortSignal;
  onEpoch?: (epoch: number, train: number, valid: number | null) => void;
}

export interface TrainResult {
  net: Network;
  curves: { train: number[]; valid: number[] };
  /** The epoch (1-based) whose weights were kept. */
  bestEpoch: number;
  epochsRun: number;
}

interface LayerBuffers {
  d: Dense;
  /** Output of the product (pre batch norm). */
  z: Float32Array;
  /** Normalised values (batch norm only) and 1/σ per unit. */
  zhat: Float32Array | null;
  invStd: Float64Array | null;
  /** Output of the activation. */
  a: Float32Array;
  /** Input of the next layer: a × dropout mask, or `a` itself. */
  out: Float32Array;
  mask: Float32Array | null;
  gW: Float32Array;
  gb: Float32Array;
  gGamma: Float32Array | null;
  gBeta: Float32Array | null;
  /** W transposed (nOut × nIn), for the input gradient; null for the first layer. */
  Wt: Float32Array | null;
}

/** One network's training state: the buffers for a batch of up to B rows, the optimiser. */
export class BatchTrainer {
  readonly layers: LayerBuffers[];
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly w: Float32Array;
  readonly logits: Float32Array;
  readonly dLogits: Float32Array;
  readonly gOutW: Float32Array;
  readonly gOutB: Float32Array;
  private readonly g1: Float32Array;
  private readonly g2: Float32Array;
  private readonly colA: Float64Array;
  private readonly colB: Float64Array;
  readonly params: Param[];
  private readonly opt: { step(lr: number): void };
  /** The SIMD product's memory, holding every buffer and the network's weights; null without it. */
  readonly arena: Arena | null;
  private readonly outWt: Float32Array;

  constructor(
    readonly net: Network,
    readonly o: MlpOptions,
    readonly B: number,
    private readonly dropRng: Rng,
  ) {
    const F = net.inputs;
    const K = net.outputs;
    const drop = o.dropout > 0;
    const widest = Math.max(1, ...net.hidden.map((d) => d.nOut));
    let floats = B * F + 2 * B * widest + 3 * net.out.W.length + 2 * K + 2 * B * K;
    for (const d of net.hidden) floats += B * d.nOut * (2 + (d.bn ? 1 : 0) + (drop ? 1 : 0)) + 3 * d.W.length + 2 * d.nOut;
    const arena = Arena.create(floats, 16 + 12 * net.hidden.length);
    this.arena = arena;
    const buf = (n: number) => (arena ? arena.alloc(n) : new Float32Array(n));
    if (arena)
      for (const d of [...net.hidden, net.out]) {
        // the network's weights move into the arena: the optimiser updates them there
        d.W = arena.copy(d.W);
        d.b = arena.copy(d.b);
      }
    this.layers = net.hidden.map((d, l) => {
      const a = buf(B * d.nOut);
      return {
        d,
        z: buf(B * d.nOut),
        zhat: d.bn ? buf(B * d.nOut) : null,
        invStd: d.bn ? new Float64Array(d.nOut) : null,
        a,
        out: drop ? buf(B * d.nOut) : a,
        mask: drop ? new Float32Array(B * d.nOut) : null,
        gW: buf(d.W.length),
        gb: buf(d.nOut),
        gGamma: d.bn ? new Float32Array(d.nOut) : null,
        gBeta: d.bn ? new Float32Array(d.nOut) : null,
        Wt: l > 0 ? buf(d.W.length) : null,
      };
    });
    this.x = buf(B * F);
    this.y = new Int32Array(B);
    this.w = new Float32Array(B);
    this.logits = buf(B * K);
    this.dLogits = buf(B * K);
    this.gOutW = buf(net.out.W.length);
    this.gOutB = buf(K);
    this.outWt = buf(net.out.W.length);
    this.g1 = buf(B * widest);
    this.g2 = buf(B * widest);
    this.colA = new Float64Array(widest);
    this.colB = new Float64Array(widest);
    this.params = [];
    for (const L of this.layers) {
      this.params.push({ value: L.d.W, grad: L.gW, decay: true });
      // Batch norm subtracts the batch mean, so the bias before it gets only rounding noise as
      // gradient, which Adam would scale up to full steps: there it stays at 0 (not trained).
      if (!L.d.bn) this.params.push({ value: L.d.b, grad: L.gb, decay: false });
      if (L.d.bn) this.params.push({ value: L.d.bn.gamma, grad: L.gGamma!, decay: false }, { value: L.d.bn.beta, grad: L.gBeta!, decay: false });
    }
    this.params.push({ value: net.out.W, grad: this.gOutW, decay: true }, { value: net.out.b, grad: this.gOutB, decay: false });
    this.opt = o.optimiser === "adam" ? adam(this.params, o.l2) : sgd(this.params, o.l2, o.momentum);
    this.transposeWeights();
  }

  private transposeWeights(): void {
    for (const L of this.layers) if (L.Wt) transpose(L.d.W, L.d.nIn, L.d.nOut, L.Wt);
    transpose(this.net.out.W, this.net.out.nIn, this.net.out.nOut, this.outWt);
  }

  /** Forward pass in training mode over the m rows in x: logits. */
  forward(m: number): void {
    const net = this.net;
    let input = this.x;
    let nIn = net.inputs;
    for (const L of this.layers) {
      const h = L.d.nOut;
      const fused = !L.d.bn && net.activation === "relu";
      mm(this.arena, m, h, nIn, input, nIn, 1, L.d.W, h, 1, fused ? L.a : L.z, L.d.b, fused);
      if (L.d.bn) this.batchNorm(L, m);
      if (!fused) activate(net.activation, L.d.bn ? L.a : L.z, L.a, m * h);
      if (L.mask) {
        const keep = 1 - this.o.dropout;
        const scale = 1 / keep;
        for (let i = 0; i < m * h; i++) {
          const k = this.dropRng.uniform() < keep ? scale : 0;
          L.mask[i] = k;
          L.out[i] = L.a[i] * k;
        }
      }
      input = L.out;
      nIn = h;
    }
    mm(this.arena, m, net.outputs, nIn, input, nIn, 1, net.out.W, net.outputs, 1, this.logits, net.out.b);
  }

  /** Batch statistics, the normalised values, γ·ẑ + β into `a`, and the running statistics. */
  private batchNorm(L: LayerBuffers, m: number): void {
    const bn = L.d.bn!;
    const h = L.d.nOut;
    const mean = this.colA;
    const sq = this.colB;
    mean.fill(0, 0, h);
    sq.fill(0, 0, h);
    for (let i = 0; i < m; i++) for (let j = 0; j < h; j++) mean[j] += L.z[i * h + j];
    for (let j = 0; j < h; j++) mean[j] /= m;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < h; j++) {
        const d = L.z[i * h + j] - mean[j];
        sq[j] += d * d;
      }
    for (let j = 0; j < h; j++) {
      const variance = sq[j] / m;
      L.invStd![j] = 1 / Math.sqrt(variance + bn.eps);
      bn.mean[j] = bn.momentum * bn.mean[j] + (1 - bn.momentum) * mean[j];
      bn.variance[j] = bn.momentum * bn.variance[j] + (1 - bn.momentum) * (m > 1 ? (sq[j] / (m - 1)) : variance);
    }
    for (let i = 0; i < m; i++)
      for (let j = 0; j < h; j++) {
        const zh = (L.z[i * h + j] - mean[j]) * L.invStd![j];
        L.zhat![i * h + j] = zh;
        L.a[i * h + j] = bn.gamma[j] * zh + bn.beta[j];
      }
  }

  /**
   * The loss's gradient with respect to the logits of the m rows (weighted, divided by `norm`),
   * returning Σ wᵢ·lossᵢ.
   */
  lossGrad(m: number, norm: number): number {
    const K = this.net.outputs;
    const z = this.logits;
    const d = this.dLogits;
    let total = 0;
    if (K === 1) {
      for (let i = 0; i < m; i++) {
        const y = this.y[i];
        const w = this.w[i];
        const p = 1 / (1 + Math.exp(-z[i]));
        total += w * (softplus(z[i]) - y * z[i]);
        d[i] = (w * (p - y)) / norm;
      }
      return total;
    }
    for (let i = 0; i < m; i++) {
      const o = i * K;
      let max = -Infinity;
      for (let c = 0; c < K; c++) if (z[o + c] > max) max = z[o + c];
      let sum = 0;
      for (let c = 0; c < K; c++) sum += Math.exp(z[o + c] - max);
      const lse = max + Math.log(sum);
      const w = this.w[i];
      const y = this.y[i];
      total += w * (lse - z[o + y]);
      for (let c = 0; c < K; c++) d[o + c] = (w * (Math.exp(z[o + c] - lse) - (c === y ? 1 : 0))) / norm;
    }
    return total;
  }

  /** Gradients of every parameter from dLogits (after forward and lossGrad on the same rows). */
  backward(m: number): void {
    const net = this.net;
    const K = net.outputs;
    const Ls = this.layers;
    const last = Ls.length ? Ls[Ls.length - 1] : null;
    const topIn = last ? last.out : this.x;
    const topWidth = last ? last.d.nOut : net.inputs;
    // one output: the kernel's gradient (topWidth × 1) is the row dLogitsᵀ · topIn, whose
    // operand is row-major and wide, which the SIMD product takes
    if (K === 1) mm(this.arena, 1, topWidth, m, this.dLogits, 0, 1, topIn, topWidth, 1, this.gOutW, null);
    else mm(this.arena, topWidth, K, m, topIn, 1, topWidth, this.dLogits, K, 1, this.gOutW, null);
    colSums(this.arena, m, K, this.dLogits, this.gOutB);
    if (!last) return;
    // g1: gradient with respect to the current layer's output
    mm(this.arena, m, topWidth, K, this.dLogits, K, 1, this.outWt, topWidth, 1, this.g1, null);
    for (let l = Ls.length - 1; l >= 0; l--) {
      const L = Ls[l];
      const h = L.d.nOut;
      const len = m * h;
      if (L.mask) for (let i = 0; i < len; i++) this.g1[i] *= L.mask[i];
      activationBackward(this.arena, net.activation, L.a, this.g1, this.g2, len);
      if (L.d.bn) this.batchNormBackward(L, m);
      const input = l > 0 ? Ls[l - 1].out : this.x;
      const nIn = L.d.nIn;
      mm(this.arena, nIn, h, m, input, 1, nIn, this.g2, h, 1, L.gW, null);
      colSums(this.arena, m, h, this.g2, L.gb);
      if (L.Wt) mm(this.arena, m, nIn, h, this.g2, h, 1, L.Wt, nIn, 1, this.g1, null);
    }
  }

  /** g2 holds dY (after the activation's derivative): γ, β gradients, then dZ into g2. */
  private batchNormBackward(L: LayerBuffers, m: number): void {
    const h = L.d.nOut;
    const g = this.g2;
    const zhat = L.zhat!;
    const dBeta = this.colA;
    const dGamma = this.colB;
    dBeta.fill(0, 0, h);
    dGamma.fill(0, 0, h);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < h; j++) {
        dBeta[j] += g[i * h + j];
        dGamma[j] += g[i * h + j] * zhat[i * h + j];
      }
    const gamma = L.d.bn!.gamma;
    for (let j = 0; j < h; j++) {
      L.gBeta![j] = dBeta[j];
      L.gGamma![j] = dGamma[j];
    }
    for (let i = 0; i < m; i++)
      for (let j = 0; j < h; j++) {
        const k = i * h + j;
        g[k] = ((gamma[j] * L.invStd![j]) / m) * (m * g[k] - dBeta[j] - zhat[k] * dGamma[j]);
      }
  }

  step(lr: number): void {
    this.opt.step(lr);
    this.transposeWeights();
  }
}

/** Row-major copy of column-major features, a missing value (NaN) as 0. */
export function rowMajor(columns: ArrayLike<number>[], n: number): Float32Array {
  const F = columns.length;
  const x = new Float32Array(n * F);
  for (let f = 0; f < F; f++) {
    const c = columns[f];
    for (let i = 0; i < n; i++) {
      const v = c[i];
      x[i * F + f] = v === v ? v : 0;
    }
  }
  return x;
}

/** Weighted mean loss of a part, scored in inference mode. */
export function partLoss(net: Network, part: Part): number {
  const s = new Scorer(net);
  const K = net.outputs;
  let sum = 0;
  let sumW = 0;
  for (let start = 0; start < part.n; start += s.rows) {
    const m = Math.min(s.rows, part.n - start);
    s.load(part.columns, start, m);
    s.forward(m);
    for (let i = 0; i < m; i++) {
      const w = part.weight[start + i];
      const y = part.label[start + i];
      let l: number;
      if (K === 1) l = softplus(s.logits[i]) - y * s.logits[i];
      else {
        const o = i * K;
        let max = -Infinity;
        for (let c = 0; c < K; c++) if (s.logits[o + c] > max) max = s.logits[o + c];
        let e = 0;
        for (let c = 0; c < K; c++) e += Math.exp(s.logits[o + c] - max);
        l = max + Math.log(e) - s.logits[o + y];
      }
      sum += w * l;
      sumW += w;
    }
  }
  return sum / (sumW !== 0 ? sumW : 1);
}

function diverged(epoch: number, batch: number, loss: number): MlpError {
  return new MlpError("HEP6060", { epoch, batch, loss: String(loss) });
}

function finiteNetwork(net: Network): boolean {
  for (const d of [...net.hidden, net.out]) {
    for (const v of d.W) if (!Number.isFinite(v)) return false;
    for (const v of d.b) if (!Number.isFinite(v)) return false;
  }
  return true;
}

/**
 * Trains `net` in place. Rows are visited in a fresh seeded permutation each epoch; the loss of a
 * batch is Σ wᵢ·lossᵢ / (m · w̄), with w̄ the mean |weight| of the training rows, so the step size
 * does not depend on the weights' overall scale. The train curve is the weighted mean loss over
 * the epoch's batches (as they were trained); the validation curve is scored after the epoch.
 */
export async function trainNetwork(net: Network, train: Part, valid: Part | null, o: MlpOptions, rngs: { shuffle: Rng; dropout: Rng }, hooks: TrainHooks = {}): Promise<TrainResult> {
  const n = train.n;
  const F = net.inputs;
  const B = Math.min(o.batch, n);
  const X = rowMajor(train.columns, n);
  let wAbs = 0;
  for (let i = 0; i < n; i++) wAbs += Math.abs(train.weight[i]);
  const wMean = wAbs / n;
  if (!(wMean > 0) || !Number.isFinite(wMean)) throw new MlpError("HEP6063", { reason: "the training weights are all 0 or not finite" });
  const t = new BatchTrainer(net, o, B, rngs.dropout);
  const perm = new Int32Array(n);
  const curves = { train: [] as number[], valid: [] as number[] };
  let best = Infinity;
  let bestEpoch = 0;
  let bestNet: Network | null = null;
  let since = 0;
  let epoch = 0;
  while (epoch < o.epochs) {
    if (hooks.signal?.aborted) throw new MlpError("HEP6005", {});
    const lr = rateAt(o, epoch);
    rngs.shuffle.shuffle(perm, n);
    let sumL = 0;
    let sumW = 0;
    for (let start = 0, batch = 1; start < n; start += B, batch++) {
      const m = Math.min(B, n - start);
      for (let r = 0; r < m; r++) {
        const row = perm[start + r];
        const src = row * F;
        const dst = r * F;
        for (let f = 0; f < F; f++) t.x[dst + f] = X[src + f];
        t.y[r] = train.label[row];
        t.w[r] = train.weight[row];
        sumW += t.w[r];
      }
      t.forward(m);
      const l = t.lossGrad(m, m * wMean);
      if (!Number.isFinite(l)) throw diverged(epoch + 1, batch, l);
      sumL += l;
      t.backward(m);
      t.step(lr);
    }
    epoch++;
    const trainLoss = sumL / (sumW !== 0 ? sumW : 1);
    const validLoss = valid && valid.n > 0 ? partLoss(net, valid) : null;
    if (validLoss !== null && !Number.isFinite(validLoss)) throw diverged(epoch, Math.ceil(n / B), validLoss);
    curves.train.push(trainLoss);
    if (validLoss !== null) curves.valid.push(validLoss);
    hooks.onEpoch?.(epoch, trainLoss, validLoss);
    if (validLoss !== null) {
      if (validLoss < best) {
        best = validLoss;
        bestEpoch = epoch;
        bestNet = cloneNetwork(net);
        since = 0;
      } else if (o.patience > 0 && ++since >= o.patience) break;
    }
    // let the event loop run between epochs: progress output, Ctrl-C
    await new Promise<void>((r) => setImmediate(r));
  }
  if (!finiteNetwork(net)) throw diverged(epoch, Math.ceil(n / B), NaN);
  // a copy: the trainer's weights are views of its arena
  return { net: bestNet ?? cloneNetwork(net), curves, bestEpoch: bestNet ? bestEpoch : epoch, epochsRun: epoch };
}
