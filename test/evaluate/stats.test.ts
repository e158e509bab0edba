/**
 * The statistics: incomplete beta and Clopper–Pearson against scipy and a published table,
 * Kolmogorov–Smirnov against scipy and by hand, the Asimov significance against the formula by
 * hand, separation and the bootstrap.
 */
import { describe, expect, it } from "vitest";
import { incompleteBeta, inverseIncompleteBeta, lnGamma } from "../../runtime/evaluate/beta.js";
import { bootstrapAuc } from "../../runtime/evaluate/bootstrap.js";
import { clopperPearson, weightedEfficiency } from "../../runtime/evaluate/clopper-pearson.js";
import { binaryCurve } from "../../runtime/evaluate/curve.js";
import { kolmogorovQ, weightedKs } from "../../runtime/evaluate/ks.js";
import { rankDescending } from "../../runtime/evaluate/order.js";
import { auc } from "../../runtime/evaluate/roc.js";
import { separation } from "../../runtime/evaluate/separation.js";
import { asimovZ, significanceAt, significanceScan, sOverSqrtB, sOverSqrtSB } from "../../runtime/evaluate/significance.js";
import { REF } from "./ref.js";

describe("incomplete beta", () => {
  it("ln Γ at integers and halves", () => {
    expect(lnGamma(1)).toBeCloseTo(0, 14);
    expect(lnGamma(6)).toBeCloseTo(Math.log(120), 13);
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(lnGamma(101)).toBeCloseTo(363.73937555556347, 10);
  });
  it("matches scipy.special.betainc", () => {
    for (const r of REF.incomplete_beta) expect(incompleteBeta(r.x, r.a, r.b)).toBeCloseTo(r.value, 12);
  });
  it("closed forms: I_x(1,1) = x, I_x(a,1) = x^a, inverse round-trips", () => {
    expect(incompleteBeta(0.37, 1, 1)).toBeCloseTo(0.37, 14);
    expect(incompleteBeta(0.6, 3.5, 1)).toBeCloseTo(0.6 ** 3.5, 14);
    for (const [p, a, b] of [[0.025, 3, 8], [0.975, 0.7, 12], [1e-6, 50, 2], [0.5, 1000, 1000]]) {
      const x = inverseIncompleteBeta(p, a, b);
      expect(incompleteBeta(x, a, b)).toBeCloseTo(p, 12);
    }
  });
});

describe("Clopper–Pearson", () => {
  it("agrees with the published table (95% CL)", () => {
    // Clopper & Pearson's exact limits as tabulated (e.g. Geigy Scientific Tables; NIST
    // handbook 7.2.4.1): n = 10, k = 0 → [0, 0.3085]; k = 5 → [0.1871, 0.8129]
    const a = clopperPearson(0, 10, 0.95);
    expect(a.lo).toBe(0);
    expect(a.hi).toBeCloseTo(0.3085, 4);
    const b = clopperPearson(5, 10, 0.95);
    expect(b.lo).toBeCloseTo(0.1871, 4);
    expect(b.hi).toBeCloseTo(0.8129, 4);
  });
  it(`agrees with scipy ${REF.versions.scipy} beta.ppf to 1e-10`, () => {
    for (const r of REF.clopper_pearson) {
      const i = clopperPearson(r.k, r.n, r.cl);
      expect(Math.abs(i.lo - r.lo)).toBeLessThan(1e-10);
      expect(Math.abs(i.hi - r.hi)).toBeLessThan(1e-10);
    }
  });
  it("weighted: effective entries, exact for unit weights, null with a reason otherwise", () => {
    const unit = weightedEfficiency(5, 10, 10, 5, 10, 0.95);
    if ("reason" in unit) throw new Error(unit.reason);
    expect(unit.interval.lo).toBeCloseTo(0.1871, 4);
    // 10 events of weight 2: Σw = 20, Σw² = 40, n_eff = 10, same interval as unit weights
    const doubled = weightedEfficiency(10, 20, 40, 5, 10, 0.95);
    if ("reason" in doubled) throw new Error(doubled.reason);
    expect(doubled.nEff).toBe(10);
    expect(doubled.interval.hi).toBeCloseTo(unit.interval.hi, 14);
    expect(weightedEfficiency(0, 0, 0, 0, 0)).toEqual({ value: null, reason: "no events" });
    expect(weightedEfficiency(1, -2, 5, 1, 3)).toMatchObject({ value: null });
  });
});

describe("Kolmogorov–Smirnov", () => {
  it(`unweighted: D as scipy ${REF.versions.scipy} ks_2samp, p as the asymptotic Kolmogorov distribution`, () => {
    for (const r of REF.ks) {
      const score = Float64Array.from([...r.a, ...r.b]);
      const weight = new Float64Array(score.length).fill(1);
      const order = rankDescending(score);
      const A = order.filter((i) => i < r.a.length), B = order.filter((i) => i >= r.a.length);
      const ks = weightedKs(score, weight, A, B);
      if ("reason" in ks) throw new Error(ks.reason);
      expect(ks.d).toBeCloseTo(r.d, 14);
      expect(ks.pValue).toBeCloseTo(r.p_kolmogorov, 10);
      // scipy's finite-n asymptotic p-value is close at these sizes
      expect(Math.abs(ks.pValue - r.p_scipy_asymp)).toBeLessThan(0.03);
    }
  });
  it("weighted by hand: ties move together, a weight 2 counts like two events", () => {
    // A = {1, 2, 3 (w 2)}, B = {2, 4}: F_A = 1/4, 1/2, 1 at 1, 2, 3; F_B = 1/2, 1 at 2, 4.
    // gaps 1/4, 0, 1/2, 0 → D = 1/2
    const score = Float64Array.from([1, 2, 3, 2, 4]);
    const weight = Float64Array.from([1, 1, 2, 1, 1]);
    const order = rankDescending(score);
    const ks = weightedKs(score, weight, order.filter((i) => i < 3), order.filter((i) => i >= 3));
    if ("reason" in ks) throw new Error(ks.reason);
    expect(ks.d).toBe(0.5);
    expect(ks.nEffA).toBeCloseTo(16 / 6, 14);
    expect(ks.nEffB).toBe(2);
    const z = Math.sqrt((16 / 6) * 2 / (16 / 6 + 2)) * 0.5;
    expect(ks.pValue).toBeCloseTo(kolmogorovQ(z), 15);
    expect(weightedKs(score, Float64Array.from([1, 1, -3, 1, 1]), order.filter((i) => i < 3), order.filter((i) => i >= 3))).toMatchObject({ value: null });
  });
  it("Kolmogorov Q: both series agree where they meet, and known values", () => {
    expect(kolmogorovQ(1.1799999)).toBeCloseTo(kolmogorovQ(1.18), 6);
    expect(kolmogorovQ(1.358)).toBeCloseTo(0.05, 3); // the 5% critical value
    expect(kolmogorovQ(0)).toBe(1);
  });
});

describe("significance", () => {
  it("Asimov Z against Cowan's formula written out by hand", () => {
    // no uncertainty: Z = √(2((s+b) ln(1+s/b) − s))
    const s = 10, b = 100;
    expect(asimovZ(s, b) as number).toBeCloseTo(Math.sqrt(2 * ((s + b) * Math.log(1 + s / b) - s)), 13);
    expect(asimovZ(s, b) as number).toBeCloseTo(0.98399, 5);
    // σ_b = 0.1·b = 10: Z = √(2[(s+b) ln((s+b)(b+σ²)/(b²+(s+b)σ²)) − (b²/σ²) ln(1+σ²s/(b(b+σ²)))])
    const v = 100;
    const byHand = Math.sqrt(2 * ((s + b) * Math.log(((s + b) * (b + v)) / (b * b + (s + b) * v)) - ((b * b) / v) * Math.log(1 + (v * s) / (b * (b + v)))));
    expect(asimovZ(s, b, 0.1) as number).toBeCloseTo(byHand, 12);
    expect(asimovZ(s, b, 0.1) as number).toBeCloseTo(0.6902, 4);
    // s ≪ b: tends to s/√b
    expect(asimovZ(1e-3, 1e6) as number).toBeCloseTo(1e-3 / 1e3, 12);
  });
  it("zero and negative background give a reason, never NaN", () => {
    expect(sOverSqrtB(3, 0)).toMatchObject({ value: null });
    expect(asimovZ(3, -1)).toMatchObject({ value: null });
    expect(sOverSqrtSB(-2, 1)).toMatchObject({ value: null });
    expect(sOverSqrtSB(3, 1)).toBe(1.5);
    expect(asimovZ(-1, 10) as number).toBeLessThan(0);
  });
  it("scans thresholds and reports the best", () => {
    // S: 0.9 (w 4), 0.5 (w 4); B: 0.7 (w 1), 0.2 (w 16)
    // ≥0.9: s 4 b 0 (undefined) · ≥0.7: 4/√1 = 4 · ≥0.5: 8/√1 = 8 · ≥0.2: 8/√17
    const score = Float64Array.from([0.9, 0.5, 0.7, 0.2]);
    const label = [1, 1, 0, 0];
    const c = binaryCurve(score, Float64Array.from([4, 4, 1, 16]), rankDescending(score), (i) => label[i] === 1);
    const scan = significanceScan(c, "s_sqrt_b");
    expect(Array.from({ length: scan.thresholds.length }, (_, k) => scan.valueAt(k))).toEqual([NaN, 4, 8, 8 / Math.sqrt(17)]);
    expect(scan.best).toEqual({ threshold: 0.5, value: 8, s: 8, b: 1 });
    expect(significanceAt(c, 0.6, "s_sqrt_b")).toBe(4);
    expect(significanceAt(c, 0.95, "asimov")).toMatchObject({ value: null });
    expect(significanceScan(c, "s_sqrt_b", { minBackground: 2 }).best).toMatchObject({ threshold: 0.2 });
  });
});

describe("separation", () => {
  const idx = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);
  it("0 for equal shapes, 1 for no overlap, a hand case between", () => {
    const lab = [1, 1, 0, 0];
    const same = separation(Float64Array.from([0, 1, 0, 1]), Float64Array.from([1, 1, 2, 2]), idx(4), (i) => lab[i] === 1, 2);
    expect(same).toBe(0);
    const apart = separation(Float64Array.from([0.9, 1, 0, 0.1]), Float64Array.from([1, 1, 1, 1]), idx(4), (i) => lab[i] === 1, 2);
    expect(apart).toBe(1);
    // 2 bins over [0, 1]: S = (1/4, 3/4), B = (3/4, 1/4): ½·2·(1/2)²/1 = 1/4
    const l8 = [1, 1, 1, 1, 0, 0, 0, 0];
    const mid = separation(Float64Array.from([0.1, 0.6, 0.7, 1, 0, 0.2, 0.3, 0.9]), new Float64Array(8).fill(1), idx(8), (i) => l8[i] === 1, 2);
    expect(mid).toBeCloseTo(0.25, 15);
  });
});

describe("bootstrap", () => {
  // 1000 S ~ N(1, 1), 1000 B ~ N(0, 1) from a fixed LCG
  let x = 7;
  const u = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const n = 1000;
  const score = Float64Array.from({ length: 2 * n }, (_, i) => gauss() + (i < n ? 1 : 0));
  const weight = new Float64Array(2 * n).fill(1);
  const order = rankDescending(score);
  const isS = (i: number) => i < n;

  it("is deterministic for a seed and changes with it", () => {
    const a = bootstrapAuc(score, weight, order, isS, { seed: 5, replicates: 100 });
    const b = bootstrapAuc(score, weight, order, isS, { seed: 5, replicates: 100 });
    const c = bootstrapAuc(score, weight, order, isS, { seed: 6, replicates: 100 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
  it("has the width of the Hanley–McNeil standard error", () => {
    const A = auc(binaryCurve(score, weight, order, isS)) as number;
    const r = bootstrapAuc(score, weight, order, isS, { seed: 11, replicates: 400 });
    if ("reason" in r) throw new Error(r.reason);
    expect(r.interval.lo).toBeLessThan(A);
    expect(r.interval.hi).toBeGreaterThan(A);
    const q1 = A / (2 - A), q2 = (2 * A * A) / (1 + A);
    const se = Math.sqrt((A * (1 - A) + (n - 1) * (q1 - A * A) + (n - 1) * (q2 - A * A)) / (n * n));
    const halfWidth = (r.interval.hi - r.interval.lo) / 2;
    expect(halfWidth / se).toBeGreaterThan(0.8);
    expect(halfWidth / se).toBeLessThan(1.25);
  });
});
