/** The helpers generated kernels carry (runtime/columns/prelude.ts). */
import { describe, expect, it } from "vitest";
import { preludeFunctions } from "../../runtime/columns/prelude.js";

const { __mod, __dphi } = preludeFunctions();

/** A seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("__mod and __dphi", () => {
  it("floor modulo: the sign of the divisor, never -0, NaN for 0", () => {
    expect(__mod(-7, 5)).toBe(3);
    expect(__mod(7, -5)).toBe(-3);
    expect(__mod(-7, -5)).toBe(-2);
    expect(__mod(-1.5, 1)).toBe(0.5);
    expect(Object.is(__mod(-4, 2), 0)).toBe(true);
    expect(__mod(5, 0)).toBeNaN();
    for (let e = -20; e < 20; e++) {
      const m = __mod(e, 5);
      expect(m).toBeGreaterThanOrEqual(0);
      expect(m).toBeLessThan(5);
      expect(Math.abs((e - m) % 5)).toBe(0);
    }
  });

  it("wraps into [-π, π] and leaves that range alone", () => {
    for (const d of [0, 1, -1, Math.PI, -Math.PI, 3.1, -3.1]) expect(__dphi(d)).toBe(d);
    expect(__dphi(Math.PI + 0.5)).toBeCloseTo(-Math.PI + 0.5, 14);
    expect(__dphi(-Math.PI - 0.5)).toBeCloseTo(Math.PI - 0.5, 14);
    expect(__dphi(7 * Math.PI)).toBeCloseTo(-Math.PI, 12);
    const r = rng(3);
    for (let k = 0; k < 10_000; k++) {
      const d = (r() - 0.5) * 40;
      const w = __dphi(d);
      expect(w).toBeGreaterThanOrEqual(-Math.PI);
      expect(w).toBeLessThanOrEqual(Math.PI);
      expect(Math.abs(Math.sin(w) - Math.sin(d))).toBeLessThan(1e-12);
    }
    expect(__dphi(NaN)).toBeNaN();
  });
});
