/**
 * The WebAssembly SIMD product (runtime/models/mlp/simd.wat) against the TypeScript one on the
 * shapes the trainer uses it for: the forward product with bias and fused relu, the kernel's
 * gradient (A transposed), the input gradient; rows not a multiple of 4. They sum in different
 * precisions (float32 lanes, double locals), so they agree to float32 rounding.
 */
import { describe, expect, it } from "vitest";
import { activateBackward, columnSums, gemm } from "../../../runtime/models/mlp/kernels.js";
import { activationBackward, Arena, colSums, kernelBackend, mm } from "../../../runtime/models/mlp/simd.js";
import { lcg } from "./data.js";

describe("SIMD product", () => {
  it("is available on Node 20", () => {
    expect(kernelBackend()).toBe("hepc-wasm-simd");
  });

  const cases: Array<[string, number, number, number, "row" | "transposed", boolean, boolean]> = [
    ["forward 256×28 · 28×64, bias, relu", 256, 64, 28, "row", true, true],
    ["forward 13×5 · 5×16, no bias", 13, 16, 5, "row", false, false],
    ["forward 7 rows · 64×8, bias", 7, 8, 64, "row", true, false],
    ["kernel gradient (28×256 as A transposed) · 256×64", 28, 64, 256, "transposed", false, false],
    ["kernel gradient, 30 rows of batch", 9, 24, 30, "transposed", false, false],
  ];
  for (const [name, m, n, p, layout, withBias, relu] of cases)
    it(name, () => {
      const r = lcg(m * 1000 + n * 10 + p);
      const arena = Arena.create(m * p + p * n + 2 * m * n + n, 8)!;
      const A = arena.alloc(m * p);
      const B = arena.alloc(p * n);
      const C = arena.alloc(m * n);
      const bias = withBias ? arena.alloc(n) : null;
      for (const a of [A, B, bias]) if (a) for (let i = 0; i < a.length; i++) a[i] = 2 * r() - 1;
      // A(i, q): row-major m × p, or the transpose of a row-major p × m
      const [aR, aC] = layout === "row" ? [p, 1] : [1, m];
      mm(arena, m, n, p, A, aR, aC, B, n, 1, C, bias, relu);
      const want = new Float32Array(m * n);
      gemm(m, n, p, A, aR, aC, B, n, 1, want, bias, relu);
      let worst = 0;
      for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(C[i] - want[i]));
      expect(worst).toBeLessThan(1e-5 * Math.sqrt(p));
      // the SIMD path was taken (not the TypeScript one): sums differ from double-precision ones somewhere
      if (p >= 28) expect(Array.from(C)).not.toEqual(Array.from(want));
      if (relu) expect(Math.min(...C)).toBe(0);
    });

  it("operands outside the arena take the TypeScript product", () => {
    const arena = Arena.create(64, 4)!;
    const A = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const B = arena.alloc(8).fill(1);
    const C = arena.alloc(8);
    mm(arena, 1, 8, 8, A, 8, 1, Float32Array.from({ length: 64 }, () => 1), 8, 1, C, null);
    expect(Array.from(C)).toEqual(new Array(8).fill(36));
    expect(B.length).toBe(8);
  });

  it("relu's gradient and column sums equal the TypeScript ones exactly", () => {
    const r = lcg(77);
    const m = 37;
    const n = 24;
    const arena = Arena.create(5 * m * n, 8)!;
    const A = arena.alloc(m * n);
    const G = arena.alloc(m * n);
    const out = arena.alloc(m * n);
    const sums = arena.alloc(n);
    for (let i = 0; i < m * n; i++) {
      A[i] = r() < 0.4 ? 0 : 2 * r() - 1;
      G[i] = 2 * r() - 1;
    }
    activationBackward(arena, "relu", A, G, out, m * n);
    const want = new Float32Array(m * n);
    activateBackward("relu", A, G, want, m * n);
    expect(Array.from(out)).toEqual(Array.from(want));
    colSums(arena, m, n, G, sums);
    const wantSums = new Float32Array(n);
    columnSums(m, n, G, wantSums);
    // both add in row order into float32
    expect(Array.from(sums)).toEqual(Array.from(wantSums));
  });
});
