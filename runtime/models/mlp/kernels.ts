/**
 * Dense-network arithmetic on Float32Arrays: one blocked matrix product (forward, both gradients)
 * and the activations with their derivatives. The product keeps a 4 × 4 block of the result in
 * locals (doubles) over the whole inner dimension, so each step loads 8 values for 16 products and
 * every sum runs in one fixed order: results depend on the shapes alone, never on timing.
 */
import type { Activation } from "./options.js";

/**
 * C[i·n + j] = bias[j] + Σ_q A(i, q) · B(q, j) (then max(0, ·) with `relu`) for i < m, j < n, q < p, where A(i, q) is
 * A[i·aR + q·aC] and B(q, j) is B[q·bR + j·bC]: the strides select a matrix or its transpose.
 */
export function gemm(m: number, n: number, p: number, A: Float32Array, aR: number, aC: number, B: Float32Array, bR: number, bC: number, C: Float32Array, bias: Float32Array | null, relu = false): void {
  // relu fused into the store: the result is clamped at 0 as it is written, saving a pass
  const lo = relu ? 0 : -Infinity;
  const m4 = m - (m & 3);
  const n4 = n - (n & 3);
  for (let i = 0; i < m4; i += 4) {
    const a0 = i * aR;
    const a1 = a0 + aR;
    const a2 = a1 + aR;
    const a3 = a2 + aR;
    for (let j = 0; j < n4; j += 4) {
      const b0 = j * bC;
      const b1 = b0 + bC;
      const b2 = b1 + bC;
      const b3 = b2 + bC;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let q = 0, qa = 0, qb = 0; q < p; q++, qa += aC, qb += bR) {
        const x0 = A[a0 + qa];
        const x1 = A[a1 + qa];
        const x2 = A[a2 + qa];
        const x3 = A[a3 + qa];
        const y0 = B[qb + b0];
        const y1 = B[qb + b1];
        const y2 = B[qb + b2];
        const y3 = B[qb + b3];
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
      }
      const d0 = bias ? bias[j] : 0;
      const d1 = bias ? bias[j + 1] : 0;
      const d2 = bias ? bias[j + 2] : 0;
      const d3 = bias ? bias[j + 3] : 0;
      let o = i * n + j;
      C[o] = Math.max(lo, c00 + d0); C[o + 1] = Math.max(lo, c01 + d1); C[o + 2] = Math.max(lo, c02 + d2); C[o + 3] = Math.max(lo, c03 + d3);
      o += n;
      C[o] = Math.max(lo, c10 + d0); C[o + 1] = Math.max(lo, c11 + d1); C[o + 2] = Math.max(lo, c12 + d2); C[o + 3] = Math.max(lo, c13 + d3);
      o += n;
      C[o] = Math.max(lo, c20 + d0); C[o + 1] = Math.max(lo, c21 + d1); C[o + 2] = Math.max(lo, c22 + d2); C[o + 3] = Math.max(lo, c23 + d3);
      o += n;
      C[o] = Math.max(lo, c30 + d0); C[o + 1] = Math.max(lo, c31 + d1); C[o + 2] = Math.max(lo, c32 + d2); C[o + 3] = Math.max(lo, c33 + d3);
    }
    for (let j = n4; j < n; j++) {
      const b0 = j * bC;
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let q = 0, qa = 0, qb = 0; q < p; q++, qa += aC, qb += bR) {
        const y = B[qb + b0];
        c0 += A[a0 + qa] * y;
        c1 += A[a1 + qa] * y;
        c2 += A[a2 + qa] * y;
        c3 += A[a3 + qa] * y;
      }
      const d = bias ? bias[j] : 0;
      C[i * n + j] = Math.max(lo, c0 + d);
      C[(i + 1) * n + j] = Math.max(lo, c1 + d);
      C[(i + 2) * n + j] = Math.max(lo, c2 + d);
      C[(i + 3) * n + j] = Math.max(lo, c3 + d);
    }
  }
  for (let i = m4; i < m; i++) {
    const a0 = i * aR;
    for (let j = 0; j < n; j++) {
      const b0 = j * bC;
      let c = 0;
      for (let q = 0, qa = 0, qb = 0; q < p; q++, qa += aC, qb += bR) c += A[a0 + qa] * B[qb + b0];
      C[i * n + j] = Math.max(lo, c + (bias ? bias[j] : 0));
    }
  }
}

/** Column sums of an m × n row-major matrix (a bias gradient), summed in row order. */
export function columnSums(m: number, n: number, D: Float32Array, out: Float32Array): void {
  out.fill(0);
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) out[j] += D[o + j];
  }
}

const SELU_L = 1.0507009873554805;
const SELU_A = 1.6732632423543772;

/** A = f(Z) over `len` values (in place allowed). */
export function activate(act: Activation, Z: Float32Array, A: Float32Array, len: number): void {
  switch (act) {
    case "relu":
      for (let i = 0; i < len; i++) A[i] = Z[i] > 0 ? Z[i] : 0;
      return;
    case "elu":
      for (let i = 0; i < len; i++) A[i] = Z[i] > 0 ? Z[i] : Math.expm1(Z[i]);
      return;
    case "selu":
      for (let i = 0; i < len; i++) A[i] = Z[i] > 0 ? SELU_L * Z[i] : SELU_L * SELU_A * Math.expm1(Z[i]);
      return;
    case "tanh":
      for (let i = 0; i < len; i++) A[i] = Math.tanh(Z[i]);
      return;
    case "sigmoid":
      for (let i = 0; i < len; i++) A[i] = 1 / (1 + Math.exp(-Z[i]));
      return;
  }
}

/**
 * dZ = dA · f′, with f′ written in terms of the activation's output A (every activation here
 * allows it), so the pre-activations need not be kept.
 */
export function activateBackward(act: Activation, A: Float32Array, dA: Float32Array, dZ: Float32Array, len: number): void {
  switch (act) {
    case "relu":
      for (let i = 0; i < len; i++) dZ[i] = A[i] > 0 ? dA[i] : 0;
      return;
    case "elu":
      for (let i = 0; i < len; i++) dZ[i] = A[i] > 0 ? dA[i] : dA[i] * (A[i] + 1);
      return;
    case "selu":
      for (let i = 0; i < len; i++) dZ[i] = A[i] > 0 ? dA[i] * SELU_L : dA[i] * (A[i] + SELU_L * SELU_A);
      return;
    case "tanh":
      for (let i = 0; i < len; i++) dZ[i] = dA[i] * (1 - A[i] * A[i]);
      return;
    case "sigmoid":
      for (let i = 0; i < len; i++) dZ[i] = dA[i] * A[i] * (1 - A[i]);
      return;
  }
}

/** ln(1 + e^z) without overflow. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}
