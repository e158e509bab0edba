/**
 * Feature scaling: each kind against hand-computed values, weighted fits, missing values kept, and
 * a fold's scaler blind to the fold's own (held-out) events.
 */
import { describe, expect, it } from "vitest";
import { applyScalers, fitScaler, LOG_FLOOR, prepareTraining, scaleValue, type Scaling } from "../../runtime/train/index.js";
import { folds, rows, scaleSpec, trainSpec } from "./make.js";

const fit = (scaling: Scaling, x: number[], w = x.map(() => 1)) => fitScaler(scaling, x, x.map((_, i) => i), w);

describe("scaling kinds", () => {
  it("normal: weighted mean and standard deviation", () => {
    // x 0 and 10 with weights 3 and 1: mean 2.5, variance (3·6.25 + 56.25)/4 = 18.75.
    const s = fit({ kind: "normal" }, [0, 10], [3, 1]);
    expect(s.fitted!.mean).toBeCloseTo(2.5, 12);
    expect(s.fitted!.std).toBeCloseTo(Math.sqrt(18.75), 12);
    expect(scaleValue(s, 2.5)).toBeCloseTo(0, 12);
    expect(scaleValue(s, 2.5 + Math.sqrt(18.75))).toBeCloseTo(1, 12);
    expect([s.lo, s.hi]).toEqual([-Infinity, Infinity]);
  });

  it("normal clip N limits the result to [−N, N]", () => {
    const s = fit({ kind: "normal", clip: 2 }, [-1, 1]);
    expect(scaleValue(s, 100)).toBe(2);
    expect(scaleValue(s, -100)).toBe(-2);
    expect(scaleValue(s, 0.5)).toBeCloseTo(0.5, 12);
  });

  it("normal ignores missing values and keeps them missing", () => {
    const s = fit({ kind: "normal" }, [1, NaN, 3]);
    expect(s.fitted!.mean).toBe(2);
    expect(s.fitted!.std).toBe(1);
    expect(scaleValue(s, NaN)).toBeNaN();
  });

  it("normal of a constant only shifts it", () => {
    const s = fit({ kind: "normal" }, [4, 4, 4]);
    expect([s.a, s.b]).toEqual([1, -4]);
  });

  it("linear LO .. HI maps LO to 0 and HI to 1, and does not clamp", () => {
    const s = fit({ kind: "linear", low: 100, high: 300 }, [0]);
    expect(scaleValue(s, 100)).toBe(0);
    expect(scaleValue(s, 300)).toBe(1);
    expect(scaleValue(s, 200)).toBe(0.5);
    expect(scaleValue(s, 500)).toBe(2);
  });

  it("log: the natural logarithm, floored", () => {
    const s = fit({ kind: "log" }, [1]);
    expect(scaleValue(s, Math.E)).toBeCloseTo(1, 15);
    expect(scaleValue(s, 0)).toBe(Math.log(LOG_FLOOR));
    expect(scaleValue(s, -3)).toBe(Math.log(LOG_FLOOR));
  });

  it("categorical and none: the value itself", () => {
    expect(scaleValue(fit({ kind: "categorical" }, [0, 1, 2]), 2)).toBe(2);
    expect(scaleValue(fit({ kind: "none" }, [0, 1]), -7.5)).toBe(-7.5);
  });

  it("manual: clamp((x − shift) · scale, low, high)", () => {
    const s = fit({ kind: "manual", shift: 5, scale: 0.5, low: -1, high: 1 }, [0]);
    expect(scaleValue(s, 6)).toBe(0.5);
    expect(scaleValue(s, 100)).toBe(1);
    expect(scaleValue(s, -100)).toBe(-1);
    expect(scaleValue(fit({ kind: "manual", shift: 1, scale: 2 }, [0]), 11)).toBe(20);
  });

  it("applyScalers scales whole columns as the training matrix was scaled", () => {
    const p = prepareTraining(
      [rows({ sample: "sig", class: "signal", features: [[1, 2, 3]] }), rows({ sample: "bkg", class: "background", features: [[4, 5, NaN]] })],
      trainSpec(),
      scaleSpec([["x", { kind: "normal" }]]),
    ).value!;
    // The matrix's rows are in class order: bkg's [4, 5, NaN], then sig's [1, 2, 3].
    const cols = applyScalers([Float64Array.from([4, 5, NaN, 1, 2, 3])], p.folds[0].scalers);
    expect(cols[0]).toEqual(p.folds[0].columns[0]);
    // Weights: 6 events of weight 1, mean 1 already; the fit sees the five present values.
    expect(p.folds[0].scalers[0].fitted!.mean).toBe(3);
    expect(cols[0][2]).toBeNaN();
  });
});

describe("fitted on the training folds only", () => {
  // Fold 0 holds x = 1 and 3, fold 1 holds x = 1000 and 3000 (in both classes).
  const data = (heldOut: number) => [
    rows({ sample: "sig", class: "signal", features: [[1, heldOut]], fold: [0, 1] }),
    rows({ sample: "bkg", class: "background", features: [[3, heldOut * 3]], fold: [0, 1] }),
  ];
  const prep = (heldOut: number) => prepareTraining(data(heldOut), trainSpec({ folds: folds(2) }), scaleSpec([["x", { kind: "normal" }]])).value!;

  it("fold 1's scaler is fitted on fold 0's events", () => {
    const p = prep(1000);
    expect(p.folds[1].scalers[0].fitted!.mean).toBe(2);
    expect(p.folds[1].scalers[0].fitted!.std).toBe(1);
    expect(p.folds[0].scalers[0].fitted!.mean).toBe(2000);
  });

  it("a fold's scaler does not change when its held-out events do", () => {
    const a = prep(1000);
    const b = prep(-5e6);
    expect(b.folds[1].scalers).toEqual(a.folds[1].scalers);
    expect(b.folds[1].columns).toEqual(a.folds[1].columns);
    expect(b.folds[0].scalers).not.toEqual(a.folds[0].scalers);
  });
});
