/**
 * The ranking's fast path (ranked-curve.ts: keys of the scores' varying bits, a bucket scatter,
 * in-cache sorts, the curve from the sorted records) against the general path (an LSD sort of
 * the float64 bits, then binaryCurve's reads in ranked order) and against a comparison sort:
 * the same order and the same curve, bit for bit (-0 thresholds included), for float32-valued and
 * full float64 scores, mixed signs, ties, ±0, zero weights and events kept out of the curve.
 * Each case runs twice: the sort in WebAssembly (wasm/rank.c, what runs) and its TypeScript twin
 * (ranked-curve.ts, where the WebAssembly declines).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryCurve, rankDescending, rankedCurve, restrict, roc, type Roc } from "../../runtime/evaluate/index.js";
import { decodeKey, keyCodec, keyOf } from "../../runtime/evaluate/keys.js";
import { rankDescendingLsd } from "../../runtime/evaluate/order.js";
import { useWasmEvaluation } from "../../runtime/evaluate/wasm/arena.js";
import { events, firstDifference, KINDS, lcg, type Kind } from "../helpers/scores.js";

for (const path of ["WebAssembly", "TypeScript"] as const)
describe(`rankDescending and rankedCurve (${path})`, () => {
  beforeAll(() => useWasmEvaluation(path === "WebAssembly"));
  afterAll(() => useWasmEvaluation(true));
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
