/** The helpers generated kernels carry (runtime/columns/prelude.ts). */
import { describe, expect, it } from "vitest";
import { preludeFunctions } from "../../runtime/columns/prelude.js";

const { __mod, __dphi, __atan2, __cosh } = preludeFunctions();

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

describe("__atan2 and __cosh: fdlibm's algorithms without data-dependent branches", () => {
  const r = rng(11);
  const gauss = () => Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
  const words = new Float64Array(1);
  const halves = new Uint32Array(words.buffer);
  /** Any double at all: random sign, exponent and mantissa (NaNs, infinities and subnormals included). */
  const anyDouble = () => {
    halves[0] = (r() * 2 ** 32) >>> 0;
    halves[1] = (r() * 2 ** 32) >>> 0;
    return words[0];
  };
  const SPECIAL = [0, -0, 1, -1, 2, 0.5, Infinity, -Infinity, NaN, 5e-324, -5e-324, 1e-300, 1e300, Math.PI, 7 / 16, 11 / 16, 19 / 16, 39 / 16, 22, 0.34657359027997264];
  /** Arguments where the result differs from Math's, with the first few shown. */
  const mismatches = (f: (...a: number[]) => number, g: (...a: number[]) => number, args: () => number[], n: number) => {
    const bad: string[] = [];
    let count = 0;
    for (let k = 0; k < n; k++) {
      const a = args();
      if (!Object.is(f(...a), g(...a))) {
        count++;
        if (bad.length < 3) bad.push(`${a.join(", ")}: ${f(...a)} vs ${g(...a)}`);
      }
    }
    return { count, bad };
  };

  it("atan2: the same bits as Math.atan2 on every quadrant, reduction interval and magnitude", () => {
    const cases: Array<[string, () => number[]]> = [
      ["physics-like", () => [gauss(), gauss()]],
      ["any magnitude", () => [(r() - 0.5) * 10 ** (r() * 40 - 20), (r() - 0.5) * 10 ** (r() * 40 - 20)]],
      ["any double", () => [anyDouble(), anyDouble()]],
      ["special values", () => [SPECIAL[Math.floor(r() * SPECIAL.length)], SPECIAL[Math.floor(r() * SPECIAL.length)]]],
      ["near the interval edges", () => [SPECIAL[13 + Math.floor(r() * 4)] * (1 + (r() - 0.5) * 1e-12) * (r() < 0.5 ? -1 : 1), r() < 0.5 ? -1 : 1]],
    ];
    for (const [name, args] of cases) expect(mismatches(__atan2, Math.atan2, args, 200_000), name).toEqual({ count: 0, bad: [] });
  });

  it("cosh: the same bits as Math.cosh near 0, across 0.5 ln2, up to overflow and beyond", () => {
    const cases: Array<[string, () => number[]]> = [
      ["physics-like", () => [gauss()]],
      ["wide", () => [(r() - 0.5) * 1500]],
      ["small", () => [(r() - 0.5) * 2 ** -(r() * 60)]],
      ["any double", () => [anyDouble()]],
      ["special values", () => [SPECIAL[Math.floor(r() * SPECIAL.length)]]],
      ["near 0.5 ln2 and 22", () => [(r() < 0.5 ? 0.34657359027997264 : 22) * (1 + (r() - 0.5) * 1e-9)]],
    ];
    for (const [name, args] of cases) expect(mismatches(__cosh, Math.cosh, args, 200_000), name).toEqual({ count: 0, bad: [] });
  });
});
