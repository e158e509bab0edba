/**
 * Bad training input: each a named error (no value) or a warning (with a value), with the sample
 * and entry where one applies, and never a NaN weight.
 */
import { describe, expect, it } from "vitest";
import { prepareTraining, type SampleRows, type TrainProblem, type TrainSpec } from "../../runtime/train/index.js";
import { axisExpr, folds, rows, scaleSpec, trainSpec } from "./make.js";

const scale = scaleSpec([["x", { kind: "normal" }]]);

function run(r: SampleRows[], over: Partial<TrainSpec> = {}, s = scale) {
  return prepareTraining(r, trainSpec(over), s);
}

const codes = (ps: TrainProblem[]) => ps.map((p) => p.code);
const sig = (over: object = {}) => rows({ sample: "sig", class: "signal", features: [[1, 2, 3, 4]], ...over });
const bkg = (over: object = {}) => rows({ sample: "bkg", class: "background", features: [[2, 3, 4, 5]], ...over });

describe("errors", () => {
  it("a single class in the training region", () => {
    const out = run([sig(), rows({ sample: "bkg", class: "background", n: 0, features: [[]] })]);
    expect(out.value).toBeNull();
    expect(codes(out.problems)).toEqual(["HEP6010"]);
    expect(out.problems[0].message).toBe("the training events hold only events of class 'signal': every class needs training events");
  });

  it("a class without events in one fold's training part", () => {
    // background only in fold 1: fold 1's model trains on fold 0, which has no background.
    const out = run([sig({ fold: [0, 1, 0, 1] }), bkg({ fold: [1, 1, 1, 1] })], { folds: folds(2) });
    expect(codes(out.problems)).toEqual(["HEP6010"]);
    expect(out.problems[0].message).toMatch(/^fold 1's training events \(the other folds\) hold only events of class 'signal'/);
  });

  it("an empty region", () => {
    const out = run([rows({ sample: "sig", class: "signal", n: 0, features: [[]] })]);
    expect(codes(out.problems)).toEqual(["HEP6011"]);
    expect(run([]).problems[0].code).toBe("HEP6011");
  });

  it("every event in the test part", () => {
    const out = run([sig({ test: [1, 1, 1, 1] }), bkg({ test: [1, 1, 1, 1] })], { test: { expr: { op: "const", type: "bool", value: true } } });
    expect(codes(out.problems)).toEqual(["HEP6011"]);
  });

  it("an empty fold", () => {
    const out = run([sig({ fold: [0, 1, 0, 1] }), bkg({ fold: [0, 1, 1, 0] })], { folds: folds(3) });
    expect(codes(out.problems)).toEqual(["HEP6012"]);
    expect(out.problems[0].message).toMatch(/^fold 2 holds no events/);
  });

  it("a fold value that is not an integer, out of range or missing, with sample and entry", () => {
    const out = run([sig({ fold: [0, 1.5, 0, 1], entry: [10, 11, 12, 13] }), bkg({ fold: [0, 1, 2, NaN] })], { folds: folds(2) });
    expect(out.value).toBeNull();
    // Reported in row order: class order (background, then signal last), so bkg first.
    expect(out.problems.map((p) => p.message)).toEqual([
      "sample 'bkg': the fold expression is 2 at entry 2, not an integer in 0 … 1",
      "sample 'sig': the fold expression is 1.5 at entry 11, not an integer in 0 … 1",
    ]);
  });

  it("an infinite feature value, with feature, sample and entry", () => {
    const out = run([sig({ features: [[1, Infinity, 3, -Infinity]], entry: [5, 6, 7, 8] }), bkg()]);
    expect(out.value).toBeNull();
    expect(out.problems.map((p) => p.message)).toEqual(["feature 'x' is +inf at entry 6 of sample 'sig' (and at 1 more entry of that sample)"]);
  });

  it("an infinite value in the test part is an error too (those events are scored)", () => {
    const out = run([sig({ features: [[1, 2, 3, -Infinity]], test: [0, 0, 0, 1] }), bkg({ test: [0, 0, 0, 0] })], { test: { expr: { op: "const", type: "bool", value: true } } });
    expect(codes(out.problems)).toEqual(["HEP6014"]);
  });

  it("a feature missing for every training event", () => {
    const out = run([sig({ features: [[NaN, NaN, NaN, NaN]] }), bkg({ features: [[NaN, NaN, NaN, NaN]] })]);
    expect(codes(out.problems)).toEqual(["HEP6016"]);
    expect(out.problems[0].message).toBe("feature 'x' is missing (NaN) for every training event");
  });

  it("an event weight that is not finite", () => {
    const out = run([sig({ weight: [1, NaN, 1, 1] }), bkg()]);
    expect(codes(out.problems)).toEqual(["HEP6018"]);
    expect(out.problems[0].message).toBe("the training data cannot be prepared: sample 'sig': the event weight is NaN at entry 1");
  });

  it("a class that cannot be balanced (its weights sum to a negative number)", () => {
    const out = run([sig({ weight: [1, -3, 1, -1] }), bkg()], { balance: "classes" });
    expect(codes(out.problems)).toEqual(["HEP6018"]);
    expect(out.problems[0].message).toMatch(/class 'signal' has a total weight of -2 in the training events, so it cannot be balanced/);
  });

  it("class weights, merge groups and targets naming unknown classes", () => {
    expect(run([sig(), bkg()], { classWeights: { signl: 2 } }).problems[0].message).toMatch(/'signl', which is not a class/);
    expect(run([sig(), bkg()], { classWeights: { signal: -1 } }).problems[0].code).toBe("HEP6018");
    const rw = { axes: [{ expr: axisExpr("pt"), edges: [0, 1] }] };
    expect(run([sig(), bkg()], { reweight: { mode: "flat", target: null, merge: [["signal", "bkg"]], ...rw } }).problems[0].message).toMatch(/'bkg', which is not a class/);
    expect(run([sig(), bkg()], { reweight: { mode: "to", target: "data", ...rw } }).problems[0].message).toMatch(/target 'data' is neither a class nor a sample/);
  });

  it("a sample the plan does not put in a class", () => {
    const out = run([sig(), bkg(), rows({ sample: "other", class: "background", features: [[1]] })]);
    expect(out.problems.map((p) => p.message)).toEqual(["the training data cannot be prepared: sample 'other' is in no class of this training"]);
  });
});

describe("warnings", () => {
  it("a constant feature", () => {
    const out = run([sig({ features: [[2, 2, NaN, 2]] }), bkg({ features: [[2, 2, 2, 2]] })]);
    expect(out.value).not.toBeNull();
    expect(out.problems.map((p) => [p.code, p.severity, p.message])).toEqual([["HEP6015", "warning", "feature 'x' is constant (2 wherever present) over the training events"]]);
  });

  it("reweighting bins that are empty or hold one class, named by their edges, with no NaN weight", () => {
    const s = rows({ sample: "sig", class: "signal", features: [[1, 2, 3]], axes: [[5, 15, 25]] });
    const b = rows({ sample: "bkg", class: "background", features: [[1, 2, 3]], axes: [[5, 25, 26]] });
    const out = run([s, b], { reweight: { mode: "flat", target: null, axes: [{ expr: axisExpr("pt"), edges: [0, 10, 20, 30, 40] }] } });
    expect(out.value).not.toBeNull();
    expect(out.problems.map((p) => p.message)).toEqual([
      "reweighting bin pt [10, 20): only class 'signal' has events there, so the classes differ in it however they are weighted",
      "reweighting bin pt [30, 40]: no training events fall in it",
    ]);
    expect(Array.from(out.value!.dataset.weight).every(Number.isFinite)).toBe(true);
  });

  it("a 2D bin is named by both axes", () => {
    const s = rows({ sample: "sig", class: "signal", features: [[1, 2]], axes: [[0.5, 1.5], [5, 5]] });
    const b = rows({ sample: "bkg", class: "background", features: [[1, 2]], axes: [[0.5, 1.5], [5, 15]] });
    const out = run([s, b], { reweight: { mode: "flat", target: null, axes: [{ expr: { op: "call", type: "float", fn: "abs", args: [axisExpr("eta")] }, edges: [0, 1, 2] }, { expr: axisExpr("pt"), edges: [0, 10, 20] }] } });
    // (0.5, 15) holds nothing, (1.5, 5) signal only, (1.5, 15) background only.
    expect(out.problems.map((p) => p.args.bin)).toEqual(["abs(eta) [0, 1) × pt [10, 20]", "abs(eta) [1, 2] × pt [0, 10)", "abs(eta) [1, 2] × pt [10, 20]"]);
  });

  it("`to`: bins where the target has no events zero the others' events there, and say so", () => {
    const s = rows({ sample: "sig", class: "signal", features: [[1, 2]], axes: [[5, 6]] });
    const b = rows({ sample: "bkg", class: "background", features: [[1, 2, 3]], axes: [[5, 15, 16]], entry: [3, 4, 9] });
    const out = run([s, b], { reweight: { mode: "to", target: "signal", axes: [{ expr: axisExpr("pt"), edges: [0, 10, 20] }] } });
    expect(out.value).not.toBeNull();
    expect(out.problems.map((p) => p.message)).toEqual([
      "reweighting bin pt [10, 20]: the target 'signal' has no weight there: the events of class 'background' there get weight 0",
      "2 training events of sample 'bkg' get weight 0 (first at entry 4): their reweighting bin has no weight of the target (or of their own class)",
    ]);
    const w = Array.from(out.value!.dataset.weight);
    expect(w.every(Number.isFinite)).toBe(true);
    // Rows in class order: bkg's 3 (entries 3, 4, 9) come before sig's 2.
    expect(w.slice(0, 3)).toEqual([expect.any(Number), 0, 0]);
    // The zero-weight events are out of the training matrix.
    expect(out.value!.folds[0].n).toBe(3);
  });

  it("a missing reweighting variable gives weight 0 and a warning naming the first entry", () => {
    const s = rows({ sample: "sig", class: "signal", features: [[1, 2, 3]], axes: [[5, NaN, 15]] });
    const b = rows({ sample: "bkg", class: "background", features: [[1, 2]], axes: [[5, 15]] });
    const out = run([s, b], { reweight: { mode: "flat", target: null, axes: [{ expr: axisExpr("pt"), edges: [0, 10, 20] }] } });
    expect(out.problems.map((p) => p.message)).toEqual(["1 training events of sample 'sig' get weight 0 (first at entry 1): a reweighting variable is missing (NaN) for them"]);
    // Rows in class order: bkg's 2, then sig's 3, so sig's entry 1 is row 3.
    expect(out.value!.dataset.weight[3]).toBe(0);
  });

  it("with balancing, a class whose reweighted weights are all zero is an error, not NaN", () => {
    const s = rows({ sample: "sig", class: "signal", features: [[1, 2]], axes: [[5, 6]] });
    const b = rows({ sample: "bkg", class: "background", features: [[1, 2]], axes: [[15, 16]] });
    const out = run([s, b], { balance: "classes", reweight: { mode: "to", target: "signal", axes: [{ expr: axisExpr("pt"), edges: [0, 10, 20] }] } });
    expect(out.value).toBeNull();
    expect(codes(out.problems)).toContain("HEP6018");
  });
});
