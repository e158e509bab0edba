/** ROC, AUC, precision–recall and average precision against sklearn and against curves by hand. */
import { describe, expect, it } from "vitest";
import { binaryCurve } from "../../runtime/evaluate/curve.js";
import { rankDescending } from "../../runtime/evaluate/order.js";
import { averagePrecision, precisionRecall } from "../../runtime/evaluate/pr.js";
import { auc, backgroundEfficiencyAt, dropIntermediate, rejectionAt, roc, signalEfficiencyAt, type Roc } from "../../runtime/evaluate/roc.js";
import { closeArrays, REF } from "./ref.js";

function curveOf(score: number[], label: number[], weight: number[] | null) {
  const s = Float64Array.from(score);
  const w = weight ? Float64Array.from(weight) : new Float64Array(score.length).fill(1);
  const l = Int32Array.from(label);
  return binaryCurve(s, w, rankDescending(s), (i) => l[i] === 1);
}

describe("ranking", () => {
  it("orders scores descending, ties by index, -0 with +0, negatives below", () => {
    const s = Float64Array.from([0.5, -1, 0, -0, 3, 0.5, -1e-300, 1e300, -Infinity, 0.25]);
    const o = Array.from(rankDescending(s));
    expect(o).toEqual([7, 4, 0, 5, 9, 2, 3, 6, 1, 8]);
  });

  it("agrees with a comparison sort on random float64 and float32 scores", () => {
    let x = 12345;
    const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (const f32 of [false, true]) {
      const s = new Float64Array(5000);
      for (let i = 0; i < s.length; i++) s[i] = f32 ? Math.fround(rnd() * 4 - 2) : (rnd() - 0.5) * 1e3 * rnd();
      for (let i = 0; i < 200; i++) s[i * 7] = s[i * 3]; // ties
      const mine = Array.from(rankDescending(s));
      const ref = Array.from(s.keys()).sort((a, b) => s[b] - s[a] || a - b);
      expect(mine).toEqual(ref);
    }
  });
});

describe("ROC and AUC by hand", () => {
  // scores 0.9 (S, w1), 0.8 (B, w1), 0.8 (S, w2) tied, 0.3 (B, w3), 0.3 (S, w1) tied, 0.1 (B, w1)
  // S total 4, B total 5. Points: (0,0) → ≥0.9 (0, 1/4) → ≥0.8 (1/5, 3/4) → ≥0.3 (4/5, 1) → ≥0.1 (1, 1)
  // AUC = ½[(1/5)(1/4+3/4) + (3/5)(3/4+1) + (1/5)(2)] = ½[0.2 + 1.05 + 0.4] = 0.825
  const score = [0.9, 0.8, 0.8, 0.3, 0.3, 0.1];
  const label = [1, 0, 1, 0, 1, 0];
  const weight = [1, 1, 2, 3, 1, 1];
  const c = curveOf(score, label, weight);

  it("moves tied events together", () => {
    const r = roc(c) as Roc;
    expect(Array.from(r.fpr)).toEqual([0, 0, 1 / 5, 4 / 5, 1]);
    expect(Array.from(r.tpr)).toEqual([0, 1 / 4, 3 / 4, 1, 1]);
    expect(Array.from(r.thresholds)).toEqual([Infinity, 0.9, 0.8, 0.3, 0.1]);
    expect(auc(c)).toBeCloseTo(0.825, 15);
  });

  it("reads efficiencies and rejection off the curve by linear interpolation", () => {
    const r = roc(c);
    // ε_s = 0.5 lies halfway between (0, 1/4) and (1/5, 3/4): ε_b = 0.1, rejection 10
    expect(backgroundEfficiencyAt(r, 0.5)).toBeCloseTo(0.1, 15);
    expect(rejectionAt(r, 0.5)).toBeCloseTo(10, 12);
    // ε_s = 0.25 is reached at ε_b = 0: rejection unbounded, reported with a reason
    expect(rejectionAt(r, 0.25)).toMatchObject({ value: null });
    // ε_b = 0.5 between (1/5, 3/4) and (4/5, 1): ε_s = 3/4 + (0.3/0.6)·(1/4) = 0.875
    expect(signalEfficiencyAt(r, 0.5)).toBeCloseTo(0.875, 15);
    expect(signalEfficiencyAt(r, 1.5)).toMatchObject({ value: null });
  });

  it("gives a reason, never NaN, without signal or background", () => {
    const onlyB = curveOf([0.1, 0.2], [0, 0], [1, 1]);
    expect(auc(onlyB)).toEqual({ value: null, reason: "no signal events" });
    const negS = curveOf([0.1, 0.2, 0.3], [1, 1, 0], [1, -2, 1]);
    expect(auc(negS)).toMatchObject({ value: null, reason: expect.stringContaining("signal weight -1") });
  });

  it("reports the signed area when negative weights make ε_b go back", () => {
    // B: 0.9 (w 2), 0.5 (w -1), total 1; S: 0.7 (w 1). ε_b: 0 → 2 (≥0.9) → 2 (≥0.7) → 1 (≥0.5)
    const c2 = curveOf([0.9, 0.7, 0.5], [0, 1, 0], [2, 1, -1]);
    const r = roc(c2) as Roc;
    expect(Array.from(r.fpr)).toEqual([0, 2, 2, 1]);
    expect(Array.from(r.tpr)).toEqual([0, 0, 1, 1]);
    // trapezoids: (2-0)(0+0)/2 + 0 + (1-2)(1+1)/2 = -1
    expect(auc(c2)).toBe(-1);
  });
});

describe("against sklearn " + REF.versions.sklearn, () => {
  for (const ref of REF.binary) {
    it(`${ref.name}: roc_curve, roc_auc_score, precision_recall_curve, average_precision_score`, () => {
      const c = curveOf(ref.score, ref.label, ref.weight);
      const r = roc(c) as Roc;
      expect(closeArrays(r.fpr, ref.roc.fpr)).toBeNull();
      expect(closeArrays(r.tpr, ref.roc.tpr)).toBeNull();
      expect(closeArrays(r.thresholds.subarray(1), ref.roc.thresholds, 0)).toBeNull();
      const d = dropIntermediate(r);
      expect(closeArrays(d.fpr, ref.roc_dropped.fpr)).toBeNull();
      expect(closeArrays(d.tpr, ref.roc_dropped.tpr)).toBeNull();
      expect(auc(c) as number).toBeCloseTo(ref.auc, 12);

      const pr = precisionRecall(c);
      if ("value" in pr) throw new Error(pr.reason);
      // sklearn: reversed (recall decreasing) with (precision 1, recall 0) appended
      expect(closeArrays([...pr.precision].reverse().concat(1), ref.pr.precision)).toBeNull();
      expect(closeArrays([...pr.recall].reverse().concat(0), ref.pr.recall)).toBeNull();
      expect(closeArrays([...pr.thresholds].reverse(), ref.pr.thresholds, 0)).toBeNull();
      expect(averagePrecision(c) as number).toBeCloseTo(ref.ap, 12);
    });
  }
});
