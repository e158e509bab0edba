/** Confusion matrices and multiclass AUCs against sklearn. */
import { describe, expect, it } from "vitest";
import { argmaxConfusion, binaryConfusion } from "../../runtime/evaluate/confusion.js";
import { oneVsOne, oneVsRest } from "../../runtime/evaluate/multiclass.js";
import { rankDescending } from "../../runtime/evaluate/order.js";
import { REF } from "./ref.js";

const M = REF.multiclass;
const scores = M.scores.map((s) => Float64Array.from(s));
const label = Int32Array.from(M.label);
const weight = Float64Array.from(M.weight);
const all = Uint32Array.from(label.keys());

function sameMatrix(actual: (number | null)[][], expected: number[][]) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, t) => row.forEach((v, p) => expect(v ?? 0).toBeCloseTo(expected[t][p], 12)));
}

describe(`against sklearn ${REF.versions.sklearn}`, () => {
  it("one-vs-rest AUC per class, macro and weighted (sample weights)", () => {
    const r = oneVsRest(scores, label, weight, scores.map((s) => rankDescending(s)));
    r.perClass.forEach((a, c) => expect(a as number).toBeCloseTo(M.ovr_per_class_weighted[c], 12));
    expect(r.macro as number).toBeCloseTo(M.ovr_macro_weighted, 12);
    expect(r.weighted as number).toBeCloseTo(M.ovr_weighted_weighted, 12);
  });

  it("one-vs-one AUC per pair, macro and weighted (unit weights: sklearn has no weighted ovo)", () => {
    const unit = new Float64Array(label.length).fill(1);
    const r = oneVsOne(scores, label, unit, scores.map((s) => rankDescending(s)));
    expect(r.pairs.map((p) => [p.a, p.b])).toEqual(M.ovo_pairs_unweighted.map((p) => [p.a, p.b]));
    r.pairs.forEach((p, k) => expect(p.auc as number).toBeCloseTo(M.ovo_pairs_unweighted[k].auc, 12));
    expect(r.macro as number).toBeCloseTo(M.ovo_macro_unweighted, 12);
    expect(r.weighted as number).toBeCloseTo(M.ovo_weighted_unweighted, 12);
  });

  it("argmax confusion matrix: weighted, by truth, by prediction", () => {
    const c = argmaxConfusion(scores, label, weight, all);
    sameMatrix(c.matrix, M.confusion_argmax.none);
    sameMatrix(c.byTruth, M.confusion_argmax.true);
    sameMatrix(c.byPrediction, M.confusion_argmax.pred);
  });

  for (const ref of REF.binary) {
    it(`${ref.name}: binary confusion at 0.5`, () => {
      const s = Float64Array.from(ref.score);
      const w = ref.weight ? Float64Array.from(ref.weight) : new Float64Array(s.length).fill(1);
      const c = binaryConfusion(s, Int32Array.from(ref.label), w, Uint32Array.from(s.keys()), 0.5, 1, 0);
      sameMatrix(c.matrix, ref["confusion_at_0.5"].none);
      sameMatrix(c.byTruth, ref["confusion_at_0.5"].true);
      sameMatrix(c.byPrediction, ref["confusion_at_0.5"].pred);
    });
  }
});

describe("confusion by hand", () => {
  it("an empty true class has null fractions, not 0 or NaN", () => {
    const c = argmaxConfusion([Float64Array.from([0.9, 0.2]), Float64Array.from([0.1, 0.8]), Float64Array.from([0, 0])], Int32Array.from([0, 1]), Float64Array.from([2, 3]), Uint32Array.from([0, 1]));
    expect(c.matrix).toEqual([[2, 0, 0], [0, 3, 0], [0, 0, 0]]);
    expect(c.byTruth).toEqual([[1, 0, 0], [0, 1, 0], [null, null, null]]);
    expect(c.byPrediction).toEqual([[1, 0, null], [0, 1, null], [0, 0, null]]);
  });
});
