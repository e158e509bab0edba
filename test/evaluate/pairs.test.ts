/**
 * Classes named against each other (`auc A vs B`, `roc vs rest`): the pair's AUC against a
 * brute-force weighted Mann–Whitney over the two classes' events, one-vs-rest pairs against
 * sklearn's one-vs-rest AUCs, and the metrics document naming them (schema-valid).
 */
import { describe, expect, it } from "vitest";
import { buildMetricsDocument, evaluateModel, REST, validateMetrics, type EvaluationResult } from "../../runtime/evaluate/index.js";
import { classPairs } from "../../runtime/exec/runners/evaluate.js";
import type { EvaluateNode } from "../../plan/types.js";
import { REF } from "./ref.js";

const M = REF.multiclass;
const scores = M.scores.map((s) => Float64Array.from(s));
const label = Int32Array.from(M.label);
const weight = Float64Array.from(M.weight);
const classes = M.scores.map((_, c) => `c${c}`);

function pairAuc(score: Float64Array, a: number, b: number): number {
  let num = 0, wa = 0, wb = 0;
  for (let i = 0; i < score.length; i++) {
    if (label[i] === a) wa += weight[i];
    else if (b === REST || label[i] === b) wb += weight[i];
  }
  for (let i = 0; i < score.length; i++) {
    if (label[i] !== a) continue;
    for (let j = 0; j < score.length; j++) {
      if (label[j] === a || (b !== REST && label[j] !== b)) continue;
      num += weight[i] * weight[j] * (score[i] > score[j] ? 1 : score[i] === score[j] ? 0.5 : 0);
    }
  }
  return num / (wa * wb);
}

describe("class pairs", () => {
  const pairs = [{ a: 2, b: 0 }, { a: 0, b: 2 }, { a: 1, b: REST }];
  const r = evaluateModel({ scores, label, weight }, { model: "m", region: "r", classes, kind: "multiclass", pairs, bootstrap: false }) as EvaluationResult;

  it("A vs B: A's score, A against B on the two classes' events; A vs rest: sklearn's one-vs-rest", () => {
    const s = r.sections[0];
    if (s.kind !== "multiclass") throw new Error("multiclass expected");
    expect(s.pairs.map((p) => [p.a, p.b])).toEqual(pairs.map((p) => [p.a, p.b]));
    expect(s.pairs[0].auc as number).toBeCloseTo(pairAuc(scores[2], 2, 0), 12);
    expect(s.pairs[1].auc as number).toBeCloseTo(pairAuc(scores[0], 0, 2), 12);
    expect(s.pairs[2].auc as number).toBeCloseTo(M.ovr_per_class_weighted[1], 12);
    expect(s.pairs[2].auc as number).toBeCloseTo(pairAuc(scores[1], 1, REST), 12);
  });

  it("are written as pair_auc figures and ROC curves with their classes", () => {
    const doc = buildMetricsDocument([r]);
    expect(validateMetrics(doc)).toEqual({ ok: true });
    const figs = doc.figures.filter((f) => f.metric === "pair_auc").map((f) => [f.class, f.vs]);
    expect(figs).toEqual([["c2", "c0"], ["c0", "c2"], ["c1", "rest"]]);
    expect(doc.curves.filter((c) => c.kind === "roc").map((c) => [c.class, c.vs])).toEqual(figs);
  });

  it("a binary model compares its signal with one background class only", () => {
    const l = Int32Array.from(label, (x) => (x === 2 ? 2 : x)); // classes 0 and 1 background, 2 signal
    const b = evaluateModel({ scores: [scores[2]], label: l, weight }, { model: "m", region: "r", classes, kind: "binary", signal: 2, pairs: [{ a: 2, b: 1 }], bootstrap: false }) as EvaluationResult;
    const s = b.sections[0];
    if (s.kind !== "binary") throw new Error("binary expected");
    expect(s.pairs[0].auc as number).toBeCloseTo(pairAuc(scores[2], 2, 1), 12);
    const bad = evaluateModel({ scores: [scores[2]], label: l, weight }, { model: "m", region: "r", classes, kind: "binary", signal: 2, pairs: [{ a: 1, b: 2 }], bootstrap: false });
    expect("error" in bad && bad.error.code).toBe("HEP6050");
  });

  it("are expanded from the metrics as written", () => {
    const node = (metrics: EvaluateNode["metrics"]) => ({ metrics }) as EvaluateNode;
    expect(classPairs(node([{ name: "auc", at: null, vs: "rest" }]), ["a", "b", "s"], true)).toEqual([{ a: 0, b: REST }, { a: 1, b: REST }, { a: 2, b: REST }]);
    expect(classPairs(node([{ name: "roc", at: null, vs: "a" }, { name: "auc", at: null, of: "b", vs: "a" }]), ["a", "b", "s"], true)).toEqual([{ a: 2, b: 0 }, { a: 1, b: 0 }]);
    expect(classPairs(node([{ name: "auc", at: null, vs: "pairs" }]), ["a", "b", "s"], false)).toEqual([{ a: 2, b: 0 }, { a: 2, b: 1 }]);
    expect(classPairs(node([{ name: "auc", at: null, vs: "rest" }, { name: "auc", at: null }]), ["b", "s"], false)).toEqual([]);
  });
});
