/**
 * A curve's ROC (roc.ts: arrays made only when read) read without its arrays gives what the
 * arrays give, bit for bit: rejection and efficiencies interpolated off it, and the points
 * sklearn's drop_intermediate rule keeps; with negative weights (ε going back), ties, and curves
 * with and without the shared +∞ threshold slot.
 */
import { describe, expect, it } from "vitest";
import { significance } from "../../runtime/evaluate/significance.js";
import { asimovZ } from "../../runtime/evaluate/significance.js";
import { backgroundEfficiencyAt, binaryCurve, dropIntermediate, rankDescending, rankedCurve, rejectionAt, roc, signalEfficiencyAt, significanceScan, type Roc } from "../../runtime/evaluate/index.js";

function lcg(seed: number) {
  let x = seed;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
}

function same(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

describe("a curve's ROC read without its arrays", () => {
  for (const [name, n, ties, negative] of [["spread scores", 5000, 0, 0.05], ["many ties", 3000, 40, 0.1], ["equal weights", 2000, 0, 0], ["tiny", 3, 0, 0]] as const) {
    it(`gives the arrays' figures and dropped points (${name})`, () => {
      const u = lcg(n + ties);
      const label = Uint8Array.from({ length: n }, (_, i) => (i < 2 ? i : u() < 0.4 ? 1 : 0));
      const score = Float64Array.from(label, (l) => {
        const x = (l ? 0.3 : -0.3) + 2 * (u() - 0.5);
        return ties ? Math.round(x * ties) / ties : Math.fround(x);
      });
      const weight = Float64Array.from({ length: n }, () => (negative && u() < negative ? -0.3 : name === "equal weights" ? 1 : 0.5 + u()));
      const isS = (i: number) => label[i] === 1;
      for (const curve of [rankedCurve(score, weight, isS).curve, binaryCurve(score, weight, rankDescending(score), isS)]) {
        const lazy = roc(curve) as Roc;
        expect("reason" in lazy).toBe(false);
        // the readers on the curve first, before any array exists
        const targets = [1e-4, 0.001, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1];
        const got = targets.map((t) => [rejectionAt(lazy, t), signalEfficiencyAt(lazy, t), backgroundEfficiencyAt(lazy, t)]);
        const dropped = dropIntermediate(lazy);
        // then on plain arrays (the readers' array path)
        const plain: Roc = { fpr: Float64Array.from(lazy.fpr), tpr: Float64Array.from(lazy.tpr), thresholds: Float64Array.from(lazy.thresholds) };
        expect(lazy.fpr).toBe(lazy.fpr); // made once
        expect([lazy.fpr[0], lazy.tpr[0], lazy.thresholds[0], lazy.fpr.length]).toEqual([0, 0, Infinity, curve.thresholds.length + 1]);
        for (let k = 0; k < curve.thresholds.length; k++) {
          if (!Object.is(lazy.fpr[k + 1], curve.fp[k] / curve.totalB) || !Object.is(lazy.thresholds[k + 1], curve.thresholds[k])) throw new Error(`point ${k + 1}`);
        }
        const want = targets.map((t) => [rejectionAt(plain, t), signalEfficiencyAt(plain, t), backgroundEfficiencyAt(plain, t)]);
        expect(got).toEqual(want);
        for (let j = 0; j < got.length; j++) for (let q = 0; q < 3; q++) if (typeof want[j][q] === "number") expect(Object.is(got[j][q], want[j][q])).toBe(true);
        const wantDropped = dropIntermediate(plain);
        expect([same(dropped.fpr, wantDropped.fpr), same(dropped.tpr, wantDropped.tpr), same(dropped.thresholds, wantDropped.thresholds)]).toEqual([true, true, true]);
        if (name === "equal weights") expect(dropped.fpr.length).toBeLessThan(lazy.fpr.length); // the rule drops points here
      }
    });
  }
});

describe("significance scans", () => {
  it("give each kind's figure at every point, NaN where it is undefined (b ≤ 0, s + b ≤ 0, s < 0)", () => {
    const u = lcg(11);
    const n = 3000;
    const label = Uint8Array.from({ length: n }, () => (u() < 0.4 ? 1 : 0));
    const score = Float64Array.from(label, (l) => Math.fround((l ? 0.5 : -0.5) + 2 * (u() - 0.5)));
    // large negative signal weights, so that s, and s + b with b > 0, go negative along the curve
    const weight = Float64Array.from(label, (l) => (l && u() < 0.4 ? -3 : 0.5 + u()));
    const c = rankedCurve(score, weight, (i) => label[i] === 1).curve;
    let undefinedSeen = 0, negativeSeen = 0;
    for (const [kind, relUnc] of [["s_sqrt_b", 0], ["s_sqrt_s_b", 0], ["asimov", 0], ["asimov", 0.2], ["asimov", -1]] as const) {
      const scan = significanceScan(c, kind, { relUnc });
      expect(scan.thresholds.length).toBe(c.thresholds.length);
      for (let k = 0; k < c.thresholds.length; k++) {
        const z = significance(kind, c.tp[k], c.fp[k], relUnc);
        const want = typeof z === "number" ? z : NaN;
        if (!Object.is(scan.valueAt(k), want)) throw new Error(`${kind} ${relUnc}, point ${k}: ${scan.valueAt(k)} and ${want}`);
        if (Number.isNaN(want)) undefinedSeen++;
        if (c.fp[k] > 0 && c.tp[k] + c.fp[k] <= 0) negativeSeen++;
      }
    }
    expect(undefinedSeen).toBeGreaterThan(0);
    expect(negativeSeen).toBeGreaterThan(0);
  });

  it("find the best point a scan of every point finds (the first of the largest values), with and without a minimum background", () => {
    let checked = 0;
    // a signal fraction of 30% and of 1% (s ≪ b: the Asimov Z within a hair of s/√b)
    for (const seed of [3, 5, 8, 13]) {
      const u = lcg(seed);
      const n = 4000;
      const label = Uint8Array.from({ length: n }, () => (u() < (seed > 5 ? 0.01 : 0.3) ? 1 : 0));
      const score = Float64Array.from(label, (l) => Math.fround((l ? 0.6 : -0.6) + 2 * (u() - 0.5)));
      // negative signal weights in half the cases: deficits along the curve
      const weight = Float64Array.from(label, (l) => (seed % 2 && l && u() < 0.3 ? -2 : 0.2 + u()));
      const c = rankedCurve(score, weight, (i) => label[i] === 1).curve;
      for (const [kind, relUnc] of [["s_sqrt_b", 0], ["s_sqrt_s_b", 0], ["asimov", 0], ["asimov", 0.3]] as const) {
        for (const minBackground of [0, 25]) {
          let bestK = -1, bestV = -Infinity;
          for (let k = 0; k < c.tp.length; k++) {
            const z = significance(kind, c.tp[k], c.fp[k], relUnc);
            if (typeof z === "number" && z > bestV && c.fp[k] >= minBackground) [bestK, bestV] = [k, z];
          }
          const best = significanceScan(c, kind, { relUnc, minBackground }).best;
          expect(best).toEqual(bestK < 0 ? expect.objectContaining({ value: null }) : { threshold: c.thresholds[bestK], value: bestV, s: c.tp[bestK], b: c.fp[bestK] });
          checked++;
        }
      }
    }
    expect(checked).toBe(32);
    // by hand: the second point's s/√b (0.8998) is barely above the first point's Z_A (0.8790)
    // and its own Z_A (0.885) wins; a bound without its margin would pass it over
    const c = { thresholds: Float64Array.of(0.9, 0.8), tp: Float64Array.of(1, 16.19), fp: Float64Array.of(1, 323.9), totalS: 16.19, totalB: 323.9, nS: 2, nB: 2 };
    const z = [asimovZ(1, 1) as number, asimovZ(16.19, 323.9) as number];
    expect(z[1]).toBeGreaterThan(z[0]);
    expect(16.19 / Math.sqrt(323.9) - z[0]).toBeLessThan(0.03);
    expect(significanceScan(c, "asimov").best).toEqual({ threshold: 0.8, value: z[1], s: 16.19, b: 323.9 });
  });
});
