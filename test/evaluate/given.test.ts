/**
 * Working points derived given another discriminator's working point (TauMLTools' derive_wp):
 * thresholds computed among the events whose other score passes the other threshold, on a case
 * worked by hand.
 */
import { describe, expect, it } from "vitest";
import { deriveWorkingPoints, rankDescending } from "../../runtime/evaluate/index.js";

//                 event:   0     1     2     3     4     5     6
const a = Float64Array.of(0.9, 0.8, 0.7, 0.6, 0.5, 0.95, 0.4); // this discriminator
const b = Float64Array.of(0.8, 0.2, 0.9, 0.7, 0.6, 0.9, 0.1); // the other one
const w = Float64Array.of(1, 2, 1, 1, 1, 1, 1);
const signal = [true, true, true, true, true, false, false];

const derive = (given: boolean, targets: number[]) =>
  deriveWorkingPoints(
    { score: a, weight: w, order: rankDescending(a), isSignal: (i) => signal[i], where: "test", ...(given ? { given: { name: "other.Loose", score: b, threshold: 0.6 } } : {}) },
    targets.map((target, k) => ({ name: `wp${k}`, target })),
  );

describe("working points given another working point", () => {
  it("uses only the events passing the other threshold", () => {
    // b ≥ 0.6 keeps signal events 0, 2, 3, 4 (weight 4 of 6) and background event 5.
    // Ranked by a: 0 (0.9), 2 (0.7), 3 (0.6), 4 (0.5): efficiencies 1/4, 2/4, 3/4, 4/4.
    const [half, threeQuarters, all] = derive(true, [0.5, 0.75, 0.9]);
    expect(half.overall).toEqual({ threshold: 0.7, signalEfficiency: 0.5, backgroundEfficiency: 1 });
    expect(threeQuarters.overall).toEqual({ threshold: 0.6, signalEfficiency: 0.75, backgroundEfficiency: 1 });
    expect(all.overall).toEqual({ threshold: 0.5, signalEfficiency: 1, backgroundEfficiency: 1 });
    expect(half.given).toEqual({ name: "other.Loose", threshold: 0.6, signalEfficiency: 4 / 6 });
  });

  it("differs from the working point over all events", () => {
    // all signal: 0 (0.9, w 1), 1 (0.8, w 2), 2, 3, 4: efficiencies 1/6, 3/6, 4/6, 5/6, 6/6;
    // background 5 (0.95) passes every threshold, 6 (0.4) none
    const [half] = derive(false, [0.5]);
    expect(half.overall).toEqual({ threshold: 0.8, signalEfficiency: 0.5, backgroundEfficiency: 0.5 });
    expect(half.given).toBeUndefined();
  });

  it("reports a target no event passing the other working point reaches, never NaN", () => {
    const none = deriveWorkingPoints(
      { score: a, weight: w, order: rankDescending(a), isSignal: (i) => signal[i], where: "test", given: { name: "other.Tight", score: b, threshold: 2 } },
      [{ name: "Loose", target: 0.9 }],
    );
    expect(none[0].overall).toEqual({ value: null, reason: "no signal events" });
    expect(none[0].given!.signalEfficiency).toBe(0);
    expect(none[0].issues.map((i) => i.code)).toEqual(["HEP6053"]);
  });
});
