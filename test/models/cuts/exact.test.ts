/** Hand-worked boxes: data small enough that every gap is a threshold and the optimum is known. */
import { describe, expect, it } from "vitest";
import { fitCuts, type CutsModelJson } from "../../../runtime/models/cuts/index.js";
import { CLASSES, fold } from "./helpers.js";

const cutsOf = (m: CutsModelJson, k: number) => m.boxes[k].cuts.map((c) => [c.feature, c.above, c.below]);

// Signal on the 4 × 4 grid x, y ∈ {3, 4, 5, 6}; background around it, each removable by one cut only.
const sig = [3, 4, 5, 6].flatMap((x) => [3, 4, 5, 6].map((y) => [x, y]));
const bkg = [
  [1, 4], [1, 5], [2, 3], // left: x > 2.5 removes them
  [8, 4], [9, 5], // right: x < 7
  [4, 0], [5, 1], // below: y > 2
  [4, 10], // above: y < 8
];
const rows = [...sig, ...bkg];
const label = [...sig.map(() => 1), ...bkg.map(() => 0)];

describe("cut_and_count: two separable features", () => {
  it("keeps all the signal with the tightest box: every cut in the gap next to the signal", () => {
    const m = fitCuts(fold(rows, label), { efficiencies: [1] }, { classes: CLASSES }).toJSON();
    expect(cutsOf(m, 0)).toEqual([
      [0, 2.5, 7],
      [1, 2, 8],
    ]);
    expect(m.boxes[0].train).toMatchObject({ events: 16, signal: 16, background: 0, signalEfficiency: 1, rejection: 1 });
  });

  it("halves the signal at no cost in rejection at target 0.5", () => {
    const m = fitCuts(fold(rows, label), { efficiencies: [1, 0.5] }, { classes: CLASSES }).toJSON();
    expect(m.boxes[1].train.signalEfficiency).toBe(0.5);
    expect(m.boxes[1].train.rejection).toBe(1);
  });
});
