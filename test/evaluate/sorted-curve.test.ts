/**
 * sortedCurve (one radix sort carrying weights and classes) against binaryCurve over
 * rankDescending (the index ranking): the same points and the same sums, bit for bit, for
 * float32-valued and full float64 scores, with ties, negative, zero and kept-out events.
 */
import { describe, expect, it } from "vitest";
import { binaryCurve, rankDescending, restrict } from "../../runtime/evaluate/index.js";
import { sortedCurve } from "../../runtime/evaluate/sorted-curve.js";

function lcg(seed: number) {
  let x = seed;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
}

function events(n: number, seed: number, kind: "f32" | "f64" | "ties") {
  const u = lcg(seed);
  const signal = Uint8Array.from({ length: n }, () => (u() < 0.4 ? 1 : 0));
  const score = Float64Array.from(signal, (s) => {
    const x = (s ? 0.7 : -0.7) + 1.5 * (u() - 0.5) * 2;
    if (kind === "ties") return Math.round(x * 8) / 8; // a few distinct values, negative ones and zero
    return kind === "f32" ? Math.fround(1 / (1 + Math.exp(-x))) : x * 1e3 + 1e-9 * u();
  });
  const weight = Float64Array.from({ length: n }, () => (u() < 0.05 ? 0 : u() < 0.07 ? -0.5 * u() : 0.5 + u()));
  const keep = Uint8Array.from({ length: n }, () => (u() < 0.8 ? 1 : 0));
  return { signal, score, weight, keep };
}

const plain = (a: ArrayLike<number>) => Array.from(a, (x) => (x === 0 ? 0 : x)); // -0 and +0 make one threshold

describe("sortedCurve", () => {
  for (const kind of ["f32", "f64", "ties"] as const) {
    it(`is binaryCurve over the ranking, bit for bit (${kind} scores)`, () => {
      const ev = events(20000, kind.length * 7 + 1, kind);
      for (const keep of [undefined, ev.keep]) {
        const order = keep ? restrict(rankDescending(ev.score), (i) => keep[i] === 1) : rankDescending(ev.score);
        const want = binaryCurve(ev.score, ev.weight, order, (i) => ev.signal[i] === 1);
        const got = sortedCurve(ev.score, ev.weight, ev.signal, keep);
        expect(plain(got.thresholds)).toEqual(plain(want.thresholds));
        expect(Array.from(got.tp)).toEqual(Array.from(want.tp));
        expect(Array.from(got.fp)).toEqual(Array.from(want.fp));
        expect([got.totalS, got.totalB, got.nS, got.nB]).toEqual([want.totalS, want.totalB, want.nS, want.nB]);
      }
    });
  }

  it("handles no events, one event, and -0 beside +0", () => {
    expect(sortedCurve(new Float64Array(0), new Float64Array(0), new Uint8Array(0)).thresholds.length).toBe(0);
    const c = sortedCurve(Float64Array.of(-0, 0, 0.5, -1e300), Float64Array.of(1, 2, 1, 1), Uint8Array.of(1, 0, 1, 0));
    expect(plain(c.thresholds)).toEqual([0.5, 0, -1e300]);
    expect(Array.from(c.tp)).toEqual([1, 2, 2]);
    expect(Array.from(c.fp)).toEqual([0, 2, 3]);
  });
});
