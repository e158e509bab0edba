/**
 * Losses: binary logistic and multiclass softmax. Each fills the interleaved gradient pairs
 * (g0, h0, g1, h1, ...) for the trees of one round from the current margins, and returns the
 * weighted mean log loss of those margins, so the training curve costs no extra pass.
 *
 * Gradient pairs are float32, as XGBoost stores them: half the memory traffic of the histogram
 * loops, which read them in partition order; histograms and every sum over them are float64.
 *
 * Hessians follow XGBoost: p(1-p) (logistic) and 2p(1-p) (softmax), floored at 1e-16 before the
 * weight multiplies them, so a negative weight gives a negative hessian (guarded where leaves and
 * gains divide by hessian sums, see split.ts).
 */
const HESS_FLOOR = 1e-16;
const P_FLOOR = 1e-15;

/**
 * Logistic over rows [start, end): margins m (one per row) → gradient pairs in `gh`, and into
 * out[2·slot], out[2·slot + 1] the block's Σ w·logloss and Σ w.
 * g = (p − y)·w, h = max(p(1 − p), 1e-16)·w with p = 1 / (1 + e^−m).
 */
export function logisticGradientsBlock(margin: Float64Array, label: Int32Array, weight: Float32Array, gh: Float32Array, start: number, end: number, out: Float64Array, slot: number): void {
  let loss = 0;
  let sw = 0;
  for (let i = start; i < end; i++) {
    const w = weight[i];
    const p = 1 / (1 + Math.exp(-margin[i]));
    const y = label[i];
    gh[2 * i] = (p - y) * w;
    const h = p * (1 - p);
    gh[2 * i + 1] = (h > HESS_FLOOR ? h : HESS_FLOOR) * w;
    const q = y === 1 ? p : 1 - p;
    loss -= w * Math.log(q > P_FLOOR ? q : P_FLOOR);
    sw += w;
  }
  out[2 * slot] = loss;
  out[2 * slot + 1] = sw;
}

/** Rows per block of the gradient pass; block sums are added in block order (any thread count). */
export const GRADIENT_BLOCK = 65536;

/** The weighted mean loss from block sums, added in block order. */
export function blockMean(out: Float64Array, blocks: number): number {
  let loss = 0;
  let sw = 0;
  for (let b = 0; b < blocks; b++) {
    loss += out[2 * b];
    sw += out[2 * b + 1];
  }
  return sw !== 0 ? loss / sw : 0;
}

/** Logistic gradients of all n rows on this thread, and Σ w·logloss / Σ w (summed by blocks as the threads do). */
export function logisticGradients(margin: Float64Array, label: Int32Array, weight: Float32Array, gh: Float32Array, n: number): number {
  const blocks = Math.ceil(n / GRADIENT_BLOCK);
  const out = new Float64Array(2 * blocks);
  for (let b = 0; b < blocks; b++) logisticGradientsBlock(margin, label, weight, gh, b * GRADIENT_BLOCK, Math.min(n, (b + 1) * GRADIENT_BLOCK), out, b);
  return blockMean(out, blocks);
}

/** The weighted mean log loss of logistic margins, without gradients (validation rows). */
export function logisticLoss(margin: Float64Array, label: Int32Array, weight: Float32Array, n: number): number {
  let loss = 0;
  let sw = 0;
  for (let i = 0; i < n; i++) {
    const w = weight[i];
    const p = 1 / (1 + Math.exp(-margin[i]));
    const q = label[i] === 1 ? p : 1 - p;
    loss -= w * Math.log(q > P_FLOOR ? q : P_FLOOR);
    sw += w;
  }
  return sw !== 0 ? loss / sw : 0;
}

/**
 * Softmax over k classes: margins row-major (n × k) → probabilities in `prob` (n × k), and the
 * weighted mean log loss. Gradients for one class come from `softmaxGradients`.
 */
export function softmaxProbabilities(margin: Float64Array, k: number, label: Int32Array, weight: Float32Array, prob: Float64Array, n: number): number {
  let loss = 0;
  let sw = 0;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let mx = -Infinity;
    for (let c = 0; c < k; c++) if (margin[o + c] > mx) mx = margin[o + c];
    let s = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(margin[o + c] - mx);
      prob[o + c] = e;
      s += e;
    }
    for (let c = 0; c < k; c++) prob[o + c] /= s;
    const w = weight[i];
    const q = prob[o + label[i]];
    loss -= w * Math.log(q > P_FLOOR ? q : P_FLOOR);
    sw += w;
  }
  return sw !== 0 ? loss / sw : 0;
}

/** g = (p_c − [y = c])·w, h = max(2 p_c (1 − p_c), 1e-16)·w for the trees of class c. */
export function softmaxGradients(prob: Float64Array, k: number, c: number, label: Int32Array, weight: Float32Array, gh: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const p = prob[i * k + c];
    const w = weight[i];
    gh[2 * i] = (label[i] === c ? p - 1 : p) * w;
    const h = 2 * p * (1 - p);
    gh[2 * i + 1] = (h > HESS_FLOOR ? h : HESS_FLOOR) * w;
  }
}

/** Margins → probabilities: n for logistic (k = 1), n × k row-major for softmax. */
export function marginsToProbabilities(margin: Float64Array, k: number, n: number): Float64Array {
  const out = new Float64Array(margin.length);
  if (k === 1) {
    for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-margin[i]));
    return out;
  }
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let mx = -Infinity;
    for (let c = 0; c < k; c++) if (margin[o + c] > mx) mx = margin[o + c];
    let s = 0;
    for (let c = 0; c < k; c++) s += out[o + c] = Math.exp(margin[o + c] - mx);
    for (let c = 0; c < k; c++) out[o + c] /= s;
  }
  return out;
}
