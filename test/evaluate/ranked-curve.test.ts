/**
 * The ranking's fast path (ranked-curve.ts: keys of the scores' varying bits, a bucket scatter,
 * in-cache sorts, the curve from the sorted records) against the general path (an LSD sort of
 * the float64 bits, then binaryCurve's reads in ranked order) and against a comparison sort:
 * the same order and the same curve, bit for bit (-0 thresholds included), for float32-valued and
 * full float64 scores, mixed signs, ties, ±0, zero weights and events kept out of the curve.
 */
import { describe, expect, it } from "vitest";
import { binaryCurve, rankDescending, rankedCurve, restrict, roc, type Roc } from "../../runtime/evaluate/index.js";
import { decodeKey, keyCodec, keyOf } from "../../runtime/evaluate/keys.js";
import { rankDescendingLsd } from "../../runtime/evaluate/order.js";

function lcg(seed: number) {
  let x = seed;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
}

type Kind = "f32" | "f32 mixed signs" | "ties and ±0" | "f64" | "f64, clustered" | "integers" | "large f32" | "negative f32" | "one value" | "32-bit keys, crowded";
/** Score generators, and whether their keys need more than 32 bits (two words). */
const KINDS: Record<Kind, [(u: () => number, sig: boolean) => number, boolean]> = {
  "f32": [(u, s) => Math.fround(1 / (1 + Math.exp(-((s ? 0.7 : -0.7) + 3 * (u() - 0.5))))), false],
  "f32 mixed signs": [(u, s) => Math.fround((s ? 0.3 : -0.3) + 2 * (u() - 0.5)), false],
  "ties and ±0": [(u, s) => [0, -0, 0.5, -0.5, 1, -1, 0.25][Math.floor(u() * 7)] * (s ? 1 : 1), false],
  "f64": [(u, s) => (s ? 1 : 0) + u() + u() * 2 ** -32, true],
  // 90% of the events within 2^-30 of 1: keys that agree on every bit a bucket sorts on, so long
  // runs put in order by whole keys (a comparison sort)
  "f64, clustered": [(u) => (u() < 0.9 ? 1 + Math.floor(u() * 2 ** 20) * 2 ** -50 : 4 * u()), true],
  "integers": [(u, s) => Math.floor(u() * 2000) - (s ? 500 : 1500), false],
  "large f32": [(u) => Math.fround((u() - 0.5) * 1e30), false],
  "negative f32": [(u) => -Math.fround(1 + u()), false],
  "one value": [() => 0.125, false],
  // 32 varying bits (the sign, the exponent's lowest bit, 30 mantissa bits), 90% of the events
  // sharing the top 11: a bucket too full for key and position to share a word, so the records
  // themselves are sorted there
  "32-bit keys, crowded": [(u) => (u() < 0.9 ? 1 + Math.floor(u() * 2 ** 21) / 2 ** 30 : (u() < 0.5 ? -1 : 0.5) * (1 + Math.floor(u() * 2 ** 30) / 2 ** 30)), false],
};

/** The first index where two arrays differ (Object.is), or null. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `at ${i}: ${a[i]} and ${b[i]}`;
  return null;
}

function events(n: number, seed: number, kind: Kind) {
  const u = lcg(seed);
  const signal = Uint8Array.from({ length: n }, () => (u() < 0.4 ? 1 : 0));
  const score = Float64Array.from(signal, (s) => KINDS[kind][0](u, s === 1));
  for (let k = 0; k < n / 20; k++) score[Math.floor(u() * n)] = score[Math.floor(u() * n)]; // more ties
  const weight = Float64Array.from({ length: n }, () => (u() < 0.05 ? 0 : u() < 0.07 ? -0.5 * u() : Math.fround(0.5 + u())));
  const keep = Uint8Array.from({ length: n }, () => (u() < 0.8 ? 1 : 0));
  return { signal, score, weight, keep };
}

describe("rankDescending and rankedCurve", () => {
  for (const kind of Object.keys(KINDS) as Kind[]) {
    it(`give the general path's order and curve, bit for bit (${kind})`, () => {
      for (const n of [0, 1, 2, 3, 50, 20000]) {
        const ev = events(n, n + kind.length, kind);
        const isSignal = (i: number) => ev.signal[i] === 1;
        const general = rankDescendingLsd(ev.score);
        expect(firstDifference(general, Array.from(ev.score.keys()).sort((a, b) => ev.score[b] - ev.score[a] || a - b))).toBeNull();
        expect(firstDifference(rankDescending(ev.score), general)).toBeNull();
        if (n >= 50) expect(keyCodec(ev.score).bits > 32).toBe(KINDS[kind][1]);
        // the signal and the kept events as functions, and as data (select.ts: what evaluateModel gives)
        for (const [keep, asData] of [[undefined, false], [(i: number) => ev.keep[i] === 1, false], [undefined, true], [(i: number) => ev.keep[i] === 1, true]] as const) {
          const want = binaryCurve(ev.score, ev.weight, keep ? restrict(general, keep) : general, isSignal);
          const got = asData
            ? rankedCurve(ev.score, ev.weight, { values: ev.signal, is: 1 }, keep ? { values: ev.keep, is: 1 } : undefined)
            : rankedCurve(ev.score, ev.weight, isSignal, keep);
          expect(firstDifference(got.order, general)).toBeNull();
          expect(firstDifference(got.curve.thresholds, want.thresholds)).toBeNull();
          expect(firstDifference(got.curve.tp, want.tp)).toBeNull();
          expect(firstDifference(got.curve.fp, want.fp)).toBeNull();
          expect([got.curve.totalS, got.curve.totalB, got.curve.nS, got.curve.nB]).toEqual([want.totalS, want.totalB, want.nS, want.nB]);
          if (want.nS > 0 && want.nB > 0 && want.totalS > 0 && want.totalB > 0) {
            const [r1, r2] = [roc(got.curve) as Roc, roc(want) as Roc];
            expect([firstDifference(r1.fpr, r2.fpr), firstDifference(r1.tpr, r2.tpr), firstDifference(r1.thresholds, r2.thresholds)]).toEqual([null, null, null]);
            expect(firstDifference(r1.thresholds, [Infinity, ...want.thresholds])).toBeNull();
          }
        }
      }
    });
  }

  it("finds a bit that varies only in scores its sampled key codec did not see", () => {
    // one score in 64 makes the sampled codec: here they are all 0.5, the others are not
    for (const odd of [0.5 + 2 ** -52, 0.25, -0.5, 3, 0]) {
      const score = Float64Array.from({ length: 1000 }, (_, i) => (i % 64 === 0 ? 0.5 : i === 777 ? odd : 0.5 - 2 ** -30 * (i % 5)));
      const weight = Float64Array.from(score, (_, i) => 1 + (i % 3));
      const isSignal = (i: number) => i % 2 === 0;
      const general = rankDescendingLsd(score);
      const got = rankedCurve(score, weight, isSignal);
      const want = binaryCurve(score, weight, general, isSignal);
      expect(firstDifference(got.order, general)).toBeNull();
      expect([firstDifference(got.curve.thresholds, want.thresholds), firstDifference(got.curve.tp, want.tp), firstDifference(got.curve.fp, want.fp)]).toEqual([null, null, null]);
    }
  });

  it("reports a tie of -0 and +0 at the score its first event has", () => {
    const score = Float64Array.of(0.5, -0, 0, -0.25, 0);
    const weight = Float64Array.of(1, 1, 2, 1, 0);
    const { order, curve } = rankedCurve(score, weight, (i) => i % 2 === 0);
    expect(Array.from(order)).toEqual([0, 1, 2, 4, 3]);
    expect(Array.from(curve.thresholds)).toEqual([0.5, -0, -0.25]);
    expect(Array.from(curve.tp)).toEqual([1, 3, 3]);
    expect(Array.from(curve.fp)).toEqual([0, 1, 2]);
    // the first event of weight ≠ 0 in the tie makes the threshold
    const c2 = rankedCurve(score, Float64Array.of(1, 0, 2, 1, 1), (i) => i % 2 === 0).curve;
    expect(Object.is(c2.thresholds[1], 0)).toBe(true);
  });
});

describe("score keys", () => {
  it("order like the scores and decode to them, for the scores they were made from", () => {
    const u = lcg(5);
    const sets: [Float64Array, number][] = [
      [Float64Array.from({ length: 200 }, () => Math.fround(u())), 23],
      [Float64Array.from({ length: 200 }, () => Math.fround((u() < 0.5 ? -1 : 1) * (0.5 + u()))), 0],
      [Float64Array.from({ length: 200 }, () => Math.floor(u() * 50) - 25), 0],
      [Float64Array.from({ length: 200 }, () => u()), 33],
      [Float64Array.from({ length: 200 }, () => (u() - 0.5) * 10 ** (60 * u() - 30)), 64],
      [Float64Array.of(-3, 3), 1],
      [Float64Array.of(2, 2, 2), 0],
    ];
    const out = new Float64Array(1), outBits = new Uint32Array(out.buffer);
    for (const [s, atLeast] of sets) {
      const c = keyCodec(s);
      expect(c.bits).toBeGreaterThanOrEqual(atLeast);
      expect(c.bits).toBeLessThanOrEqual(64);
      const bits = new Uint32Array(s.buffer);
      const keys = Array.from(s, (_, i) => keyOf(c, bits[2 * i + 1], bits[2 * i]));
      const wrong: string[] = [];
      for (let i = 0; i < s.length; i++) {
        const [kh, kl] = keys[i];
        if (!(kh * 2 ** 32 + kl < 2 ** c.bits || (c.bits === 0 && kh === 0 && kl === 0))) wrong.push(`key ${kh}:${kl} of ${s[i]} has over ${c.bits} bits`);
        if (s[i] !== 0 && decodeKey(c, kh, kl, out, outBits) !== s[i]) wrong.push(`${s[i]} decodes to ${out[0]}`);
        for (let j = 0; j < s.length; j++) {
          const byKey = Math.sign(keys[j][0] - kh) || Math.sign(keys[j][1] - kl);
          if (byKey !== Math.sign(s[i] - s[j])) wrong.push(`${s[i]} vs ${s[j]}`);
        }
      }
      expect(wrong).toEqual([]);
    }
  });
});
