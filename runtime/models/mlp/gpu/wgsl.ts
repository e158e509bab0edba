/**
 * hepc's WGSL kernels for dense networks. Every kernel that works on a batch reads the batch's
 * state (its index, first row, number of rows m, Adam's step) from a small storage buffer that
 * only `tick` writes, so a whole epoch is encoded once, without a write from the CPU per batch.
 * Read-only storage is uniform in WGSL's analysis, so loops bounded by m keep barriers legal.
 *
 * No float atomics anywhere: every sum has one fixed order (a tile's products in k order, a tree
 * reduction over a workgroup), so the same inputs give the same bits on the same device.
 */

/** The batch state: batch index, first row, rows m, Adam's step count t (after this batch's step). */
const STATE = /* wgsl */ `
struct State { batch: u32, start: u32, m: u32, t: u32 }
`;

/** Activations and their derivatives written in the activation's output a (as on the CPU). */
const ACT = /* wgsl */ `
const SELU_L: f32 = 1.0507009873554805;
const SELU_A: f32 = 1.6732632423543772;
fn act(code: u32, z: f32) -> f32 {
  switch code {
    case 0u: { return max(z, 0.0); }
    case 1u: { if (z > 0.0) { return z; } return exp(z) - 1.0; }
    case 2u: { return tanh(z); }
    case 3u: { if (z > 0.0) { return SELU_L * z; } return SELU_L * SELU_A * (exp(z) - 1.0); }
    case 4u: { return 1.0 / (1.0 + exp(-z)); }
    default: { return z; }
  }
}
fn actGrad(code: u32, a: f32) -> f32 {
  switch code {
    case 0u: { return select(0.0, 1.0, a > 0.0); }
    case 1u: { return select(a + 1.0, 1.0, a > 0.0); }
    case 2u: { return 1.0 - a * a; }
    case 3u: { return select(a + SELU_L * SELU_A, SELU_L, a > 0.0); }
    case 4u: { return a * (1.0 - a); }
    default: { return 1.0; }
  }
}
`;

/** Tile of the product: 64 × 64 outputs per workgroup of 16 × 16 threads, 4 × 4 each, k in steps of 16. */
export const TILE = 64;

/**
 * C(i, j) = Σ_k A(i, k) · B(k, j) with A(i, k) = a[aOff + i·sa0 + k·sa1] and B likewise (strides
 * select a matrix or its transpose), then the epilogue by mode:
 *   0: C = AB                    (weight gradients)
 *   1: C = act(AB + bias)        (forward; act 5 is the identity, for logits)
 *   2: C = AB ⊙ act′(D)          (input gradient through the previous layer's activation)
 * M, N or K is the batch's m where \`dyn\` says so (bit 0: M, bit 1: K). With \`kc\` > 0 the inner
 * dimension is split (a weight gradient's sum over a large batch would otherwise run in the few
 * workgroups of a small M × N): workgroup z sums k in [z·kc, (z+1)·kc) into its own slice of C,
 * \`zStride\` apart, and SUMZ adds the slices in order.
 */
export const MATMUL = /* wgsl */ `
${STATE}
${ACT}
struct P { M: u32, N: u32, K: u32, dyn: u32,
           sa0: u32, sa1: u32, sb0: u32, sb1: u32,
           aOff: u32, bOff: u32, cOff: u32, biasOff: u32,
           mode: u32, act: u32, ldc: u32, dOff: u32,
           kc: u32, zStride: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> st: State;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;
@group(0) @binding(5) var<storage, read> e: array<f32>;
var<workgroup> As: array<array<f32, 64>, 16>;
var<workgroup> Bs: array<array<f32, 64>, 16>;
@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  var M = p.M; var K = p.K;
  if ((p.dyn & 1u) != 0u) { M = st.m; }
  if ((p.dyn & 2u) != 0u) { K = st.m; }
  let N = p.N;
  var kBegin = 0u; var kEnd = K; var cBase = p.cOff;
  if (p.kc != 0u) { kBegin = wid.z * p.kc; kEnd = min(K, kBegin + p.kc); cBase += wid.z * p.zStride; }
  let i0 = wid.y * 64u; let j0 = wid.x * 64u;
  let tx = lid.x; let ty = lid.y; let flat = ty * 16u + tx;
  var acc: array<array<f32, 4>, 4>;
  for (var k0 = kBegin; k0 < kEnd; k0 += 16u) {
    for (var q = 0u; q < 4u; q++) {
      let idx = flat + q * 256u;
      let kk = idx / 64u; let r = idx % 64u;
      let gi = i0 + r; let gk = k0 + kk;
      var va = 0.0;
      if (gi < M && gk < kEnd) { va = a[p.aOff + gi * p.sa0 + gk * p.sa1]; }
      As[kk][r] = va;
      let gj = j0 + r;
      var vb = 0.0;
      if (gj < N && gk < kEnd) { vb = b[p.bOff + gk * p.sb0 + gj * p.sb1]; }
      Bs[kk][r] = vb;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      var x: array<f32, 4>; var y: array<f32, 4>;
      for (var u = 0u; u < 4u; u++) { x[u] = As[kk][ty * 4u + u]; y[u] = Bs[kk][tx * 4u + u]; }
      for (var u = 0u; u < 4u; u++) { for (var v = 0u; v < 4u; v++) { acc[u][v] = fma(x[u], y[v], acc[u][v]); } }
    }
    workgroupBarrier();
  }
  for (var u = 0u; u < 4u; u++) {
    let i = i0 + ty * 4u + u;
    if (i >= M) { continue; }
    for (var v = 0u; v < 4u; v++) {
      let j = j0 + tx * 4u + v;
      if (j >= N) { continue; }
      var r = acc[u][v];
      let o = cBase + i * p.ldc + j;
      if (p.mode == 1u) { r = act(p.act, r + e[p.biasOff + j]); }
      else if (p.mode == 2u) { r = r * actGrad(p.act, e[p.dOff + i * N + j]); }
      c[o] = r;
    }
  }
}
`;

/**
 * out[outOff + j (+ batch)] = Σ_{i < rows} x[i·N + j]: one workgroup per column, a strided sum per
 * thread, then a tree over the workgroup. Used for bias gradients and for a batch's loss (N = 1,
 * written at the batch's index so an epoch's losses stay apart).
 */
export const COLSUM = /* wgsl */ `
${STATE}
struct P { N: u32, outOff: u32, atBatch: u32, rows: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> st: State;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
var<workgroup> part: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let j = wid.x;
  var rows = st.m;
  if (p.rows != 0u) { rows = p.rows; }
  var s = 0.0;
  for (var i = lid.x; i < rows; i += 256u) { s += x[i * p.N + j]; }
  part[lid.x] = s;
  workgroupBarrier();
  for (var w = 128u; w > 0u; w >>= 1u) {
    if (lid.x < w) { part[lid.x] += part[lid.x + w]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    var o = p.outOff + j;
    if (p.atBatch != 0u) { o += st.batch; }
    out[o] = part[0];
  }
}
`;

/**
 * The loss of each row and its gradient with respect to the logits: sigmoid + binary cross-entropy
 * (K = 1) or softmax + cross-entropy, weighted, the gradient divided by the batch's norm (m · mean
 * |weight|). yw holds each row's label and weight.
 */
export const LOSS = /* wgsl */ `
${STATE}
struct P { K: u32, wMean: f32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> st: State;
@group(0) @binding(2) var<storage, read> z: array<f32>;
@group(0) @binding(3) var<storage, read> yw: array<f32>;
@group(0) @binding(4) var<storage, read_write> d: array<f32>;
@group(0) @binding(5) var<storage, read_write> loss: array<f32>;
fn softplus(v: f32) -> f32 { if (v > 0.0) { return v + log(1.0 + exp(-v)); } return log(1.0 + exp(v)); }
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  let m = st.m;
  if (i >= m) { return; }
  let norm = f32(m) * p.wMean;
  let y = u32(yw[2u * i]);
  let w = yw[2u * i + 1u];
  let K = p.K;
  if (K == 1u) {
    let v = z[i];
    let pr = 1.0 / (1.0 + exp(-v));
    loss[i] = w * (softplus(v) - f32(y) * v);
    d[i] = w * (pr - f32(y)) / norm;
    return;
  }
  let o = i * K;
  var mx = z[o];
  for (var c = 1u; c < K; c++) { mx = max(mx, z[o + c]); }
  var s = 0.0;
  for (var c = 0u; c < K; c++) { s += exp(z[o + c] - mx); }
  let lse = mx + log(s);
  loss[i] = w * (lse - z[o + y]);
  for (var c = 0u; c < K; c++) { d[o + c] = w * (exp(z[o + c] - lse) - select(0.0, 1.0, c == y)) / norm; }
}
`;

/**
 * The rows of a batch from the resident data: the r-th row of batch b is row π(b·B + r) of the
 * epoch's permutation π (a keyed Feistel network over the next power of 4 with cycle-walking, a
 * bijection on 0 … n−1 with nothing stored), or row start + r without shuffling. The data sits in
 * up to four chunk buffers of \`rpc\` rows each (one binding may not hold it all); chunks past the
 * four bound here are gathered by another dispatch with another \`base\`.
 */
export const GATHER = /* wgsl */ `
${STATE}
struct P { F: u32, S: u32, rpc: u32, base: u32,
           n: u32, bits: u32, shuffle: u32, pad: u32,
           k0: u32, k1: u32, k2: u32, k3: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> st: State;
@group(0) @binding(2) var<storage, read> d0: array<f32>;
@group(0) @binding(3) var<storage, read> d1: array<f32>;
@group(0) @binding(4) var<storage, read> d2: array<f32>;
@group(0) @binding(5) var<storage, read> d3: array<f32>;
@group(0) @binding(6) var<storage, read_write> x: array<f32>;
@group(0) @binding(7) var<storage, read_write> yw: array<f32>;
fn mix(v: u32, k: u32) -> u32 {
  var h = v ^ k;
  h = (h ^ (h >> 16u)) * 0x7feb352du;
  h = (h ^ (h >> 15u)) * 0x846ca68bu;
  return h ^ (h >> 16u);
}
fn feistel(v: u32) -> u32 {
  let half = p.bits / 2u;
  let mask = (1u << half) - 1u;
  var l = v >> half; var r = v & mask;
  let keys = array<u32, 4>(p.k0, p.k1, p.k2, p.k3);
  for (var q = 0u; q < 4u; q++) { let t = r; r = l ^ (mix(r, keys[q]) & mask); l = t; }
  return (l << half) | r;
}
fn perm(i: u32) -> u32 {
  var v = i;
  loop { v = feistel(v); if (v < p.n) { return v; } }
}
fn value(c: u32, at: u32) -> f32 {
  switch c { case 0u: { return d0[at]; } case 1u: { return d1[at]; } case 2u: { return d2[at]; } default: { return d3[at]; } }
}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let e = gid.x + gid.y * nw.x * 256u;
  let r = e / p.S; let f = e % p.S;
  if (r >= st.m) { return; }
  var row = st.start + r;
  if (p.shuffle != 0u) { row = perm(row); }
  let chunk = row / p.rpc;
  if (chunk < p.base || chunk >= p.base + 4u) { return; }
  let v = value(chunk - p.base, (row % p.rpc) * p.S + f);
  if (f < p.F) { x[r * p.F + f] = v; } else { yw[2u * r + (f - p.F)] = v; }
}
`;

/**
 * One optimiser step over every parameter of the network at once (weights and biases live in one
 * flat buffer): Adam in PyTorch's form, or SGD with momentum; \`decay\` holds each parameter's L2
 * factor (0 for biases). Padding between tensors has gradient 0 and stays 0.
 */
export const OPTIM = /* wgsl */ `
${STATE}
struct P { count: u32, adam: u32, lr: f32, momentum: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> st: State;
@group(0) @binding(2) var<storage, read_write> w: array<f32>;
@group(0) @binding(3) var<storage, read> g: array<f32>;
@group(0) @binding(4) var<storage, read_write> m1: array<f32>;
@group(0) @binding(5) var<storage, read_write> m2: array<f32>;
@group(0) @binding(6) var<storage, read> decay: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * 256u;
  if (i >= p.count) { return; }
  let t = f32(st.t);
  let gi = g[i] + decay[i] * w[i];
  if (p.adam != 0u) {
    let b1 = 0.9; let b2 = 0.999;
    let mi = b1 * m1[i] + (1.0 - b1) * gi;
    let vi = b2 * m2[i] + (1.0 - b2) * gi * gi;
    m1[i] = mi; m2[i] = vi;
    let c1 = 1.0 - pow(b1, t);
    let c2 = sqrt(1.0 - pow(b2, t));
    w[i] -= (p.lr / c1) * mi / (sqrt(vi) / c2 + 1e-8);
  } else {
    var vi = gi;
    if (st.t > 1u) { vi = p.momentum * m1[i] + gi; }
    m1[i] = vi;
    w[i] -= p.lr * vi;
  }
}
`;

/** The next batch: index, first row, rows, step. One thread. */
export const TICK = /* wgsl */ `
${STATE}
struct P { n: u32, B: u32, steps: u32, pad: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> st: State;
@compute @workgroup_size(1)
fn main() {
  st.batch += 1u;
  st.start = st.batch * p.B;
  st.m = min(p.B, p.n - min(p.n, st.start));
  st.t += p.steps;
}
`;

/** out[outOff + j] = Σ_z part[z·count + j] for j < count, z in order: the split products' sum. */
export const SUMZ = /* wgsl */ `
struct P { count: u32, splits: u32, outOff: u32, pad: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> part: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let j = gid.x + gid.y * nw.x * 256u;
  if (j >= p.count) { return; }
  var s = 0.0;
  for (var z = 0u; z < p.splits; z++) { s += part[z * p.count + j]; }
  out[p.outOff + j] = s;
}
`;

/**
 * Inverted dropout's mask, drawn from nothing stored: unit j of row i (the row's place in the
 * epoch, start + i) of a hidden layer is kept when the top 24 bits of a counter-based hash of
 * (the layer's key, the epoch, the row, the unit) fall below \`thresh\` (the keep probability
 * × 2²⁴), and a kept value is multiplied by \`scale\` (1 / keep, rounded to float32 as the CPU's
 * mask holds it). Mode 0: y = x ⊙ mask (the layer's output, kept apart from the activations the
 * backward pass needs); mode 1: y ⊙= mask (a gradient, in place; x is not read). The same key,
 * epoch and row give the same mask in the forward and the backward pass.
 */
export const DROP = /* wgsl */ `
${STATE}
struct P { h: u32, mode: u32, key: u32, epoch: u32, thresh: u32, scale: f32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> st: State;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
fn hash(v: u32) -> u32 {
  var h = v;
  h = (h ^ (h >> 16u)) * 0x7feb352du;
  h = (h ^ (h >> 15u)) * 0x846ca68bu;
  return h ^ (h >> 16u);
}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let e = gid.x + gid.y * nw.x * 256u;
  let i = e / p.h; let j = e % p.h;
  if (i >= st.m) { return; }
  let r = hash(hash(hash(hash(p.key) ^ p.epoch) ^ (st.start + i)) ^ j);
  var k = 0.0;
  if ((r >> 8u) < p.thresh) { k = p.scale; }
  if (p.mode == 0u) { y[e] = x[e] * k; } else { y[e] = y[e] * k; }
}
`;

/** What the batch norm kernels share: their parameters and the activation. */
const BN_HEAD = /* wgsl */ `
${STATE}
${ACT}
struct P { h: u32, act: u32, gammaOff: u32, betaOff: u32,
           meanOff: u32, varOff: u32, eps: f32, momentum: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> st: State;
`;

/**
 * Batch norm in training, one workgroup per unit j over the batch's m rows of z (the layer's
 * product): the batch mean, then the mean square deviation from it (two passes, each a strided sum
 * per thread and a tree over the workgroup: a fixed order), 1/σ kept for the backward pass, the
 * running averages updated (the variance's with m − 1, as the CPU does), and every row's
 * ẑ = (z − mean)/σ kept and act(γ·ẑ + β) written.
 */
export const BNFWD = /* wgsl */ `
${BN_HEAD}
@group(0) @binding(2) var<storage, read> z: array<f32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@group(0) @binding(5) var<storage, read_write> zhat: array<f32>;
@group(0) @binding(6) var<storage, read_write> a: array<f32>;
@group(0) @binding(7) var<storage, read_write> inv: array<f32>;
var<workgroup> part: array<f32, 256>;
fn tree(t: u32) {
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (t < s) { part[t] += part[t + s]; }
    workgroupBarrier();
  }
}
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let j = wid.x; let t = lid.x; let h = p.h; let m = st.m;
  var s = 0.0;
  for (var i = t; i < m; i += 256u) { s += z[i * h + j]; }
  part[t] = s;
  tree(t);
  let mean = part[0] / f32(m);
  workgroupBarrier();
  var q = 0.0;
  for (var i = t; i < m; i += 256u) { let d = z[i * h + j] - mean; q += d * d; }
  part[t] = q;
  tree(t);
  let sq = part[0];
  let variance = sq / f32(m);
  let is = 1.0 / sqrt(variance + p.eps);
  if (t == 0u) {
    inv[j] = is;
    stats[p.meanOff + j] = p.momentum * stats[p.meanOff + j] + (1.0 - p.momentum) * mean;
    var unbiased = variance;
    if (m > 1u) { unbiased = sq / f32(m - 1u); }
    stats[p.varOff + j] = p.momentum * stats[p.varOff + j] + (1.0 - p.momentum) * unbiased;
  }
  let gamma = w[p.gammaOff + j]; let beta = w[p.betaOff + j];
  for (var i = t; i < m; i += 256u) {
    let zh = (z[i * h + j] - mean) * is;
    zhat[i * h + j] = zh;
    a[i * h + j] = act(p.act, gamma * zh + beta);
  }
}
`;

/** Batch norm in inference (validation): act(s·z + t) with s = γ/√(running variance + ε), t = β − s·running mean. */
export const BNINF = /* wgsl */ `
${BN_HEAD}
@group(0) @binding(2) var<storage, read> z: array<f32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;
@group(0) @binding(5) var<storage, read_write> a: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let e = gid.x + gid.y * nw.x * 256u;
  let i = e / p.h; let j = e % p.h;
  if (i >= st.m) { return; }
  let s = w[p.gammaOff + j] / sqrt(stats[p.varOff + j] + p.eps);
  let t = w[p.betaOff + j] - s * stats[p.meanOff + j];
  a[e] = act(p.act, s * z[e] + t);
}
`;

/**
 * Batch norm's backward pass, one workgroup per unit j: from g (the gradient of γ·ẑ + β, B × h)
 * the gradients of β (Σ g) and γ (Σ g·ẑ), trees over the workgroup, then g becomes the gradient of
 * z in place: γ/(σ·m) · (m·g − Σ g − ẑ·Σ g·ẑ).
 */
export const BNBWD = /* wgsl */ `
${BN_HEAD}
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> zhat: array<f32>;
@group(0) @binding(4) var<storage, read> inv: array<f32>;
@group(0) @binding(5) var<storage, read_write> g: array<f32>;
@group(0) @binding(6) var<storage, read_write> grads: array<f32>;
var<workgroup> pb: array<f32, 256>;
var<workgroup> pg: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let j = wid.x; let t = lid.x; let h = p.h; let m = st.m;
  var sb = 0.0; var sg = 0.0;
  for (var i = t; i < m; i += 256u) { let v = g[i * h + j]; sb += v; sg += v * zhat[i * h + j]; }
  pb[t] = sb; pg[t] = sg;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (t < s) { pb[t] += pb[t + s]; pg[t] += pg[t + s]; }
    workgroupBarrier();
  }
  let dBeta = pb[0]; let dGamma = pg[0];
  if (t == 0u) { grads[p.betaOff + j] = dBeta; grads[p.gammaOff + j] = dGamma; }
  let k = w[p.gammaOff + j] * inv[j] / f32(m);
  let fm = f32(m);
  for (var i = t; i < m; i += 256u) {
    let o = i * h + j;
    g[o] = k * (fm * g[o] - dBeta - zhat[o] * dGamma);
  }
}
`;
