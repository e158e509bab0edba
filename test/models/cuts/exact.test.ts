/** Hand-worked boxes: data small enough that every gap is a threshold and the optimum is known. */
import { describe, expect, it } from "vitest";
import { fitCuts, type CutsModelJson } from "../../../runtime/models/cuts/index.js";
import { CLASSES, fold, rng } from "./helpers.js";

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

// One feature: signal at x = 1 … 10; background at 1.5 (left, removable only with the signal at 1)
// and at 9.5 (right, only with the signal at 10). At target 0.9 one signal event may go: the box
// removes the side with more background weight.
const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1.5, 1.5, 1.5, 1.5, 1.5, 9.5];
const xl = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
const sided = (w: number[]) => fitCuts(fold(xs.map((x) => [x]), xl, w), { efficiencies: [0.9] }, { classes: CLASSES }).toJSON();
const ones = xs.map(() => 1);

describe("cut_and_count: weights", () => {
  it("unweighted, cuts away the side with more background events", () => {
    const w = ones.slice(0, 13).concat([0.25, 0.25, 1]); // left: 3 + 2 × 0.25 = 3.5, right: 1
    expect(cutsOf(sided(w), 0)).toEqual([[0, 1.8, null]]);
  });

  it("weighted, cuts away the side with more background weight", () => {
    const w = ones.slice(0, 15).concat([6]); // left: 5 × 1, right: 6
    const m = sided(w);
    expect(cutsOf(m, 0)).toEqual([[0, null, 9.3]]);
    // the cut sits in the gap between 9 and the background at 9.5, and the signal at 10 goes too
    expect(m.boxes[0].train).toMatchObject({ signal: 9, background: 5, signalEfficiency: 0.9 });
  });

  it("sums negative weights with their sign (not |w|)", () => {
    // left: 3 × (+1) and 2 × (−1) = +1 net, right: +2. By |w| the left (5) would go; by sign the right.
    const w = ones.slice(0, 13).concat([-1, -1, 2]);
    const m = sided(w);
    expect(cutsOf(m, 0)).toEqual([[0, null, 9.3]]);
    expect(m.boxes[0].train.background).toBe(1);
  });
});

/** Every interval of one feature's sorted values (and no cut), by brute force. */
function bruteForce1D(x: number[], label: number[], w: number[], need: number, score: (s: number, b: number) => number): number {
  const v = [...new Set(x)].sort((a, b) => a - b);
  let best = -Infinity;
  for (let a = 0; a < v.length; a++) {
    for (let c = a; c < v.length; c++) {
      let s = 0;
      let b = 0;
      x.forEach((xi, i) => {
        if (xi >= v[a] && xi <= v[c]) {
          if (label[i] === 1) s += w[i];
          else b += w[i];
        }
      });
      if (s >= need) best = Math.max(best, score(s, b));
    }
  }
  return best;
}

describe("cut_and_count: the optimum in one feature, against a brute force over every interval", () => {
  // with every gap a threshold, refinement tries every interval: the optimum is exact in 1D
  const r = rng(7);
  const n = 300;
  const label = Array.from({ length: n }, (_, i) => (i < 100 ? 1 : 0));
  const x = label.map((l) => Math.round((l ? 1 + r.normal() : -0.5 + 2 * r.normal()) * 1000) / 1000);
  const w = label.map(() => Math.round((0.5 + r.u()) * 64) / 64);
  const sTot = w.reduce((a, wi, i) => a + (label[i] ? wi : 0), 0);

  it("rejection: least background at each target", () => {
    const m = fitCuts(fold(x.map((v) => [v]), label, w), { efficiencies: [0.8, 0.5], steps: 1000, tolerance: 1 }, { classes: CLASSES }).toJSON();
    m.boxes.forEach((box) => {
      const best = -bruteForce1D(x, label, w, box.target * sTot - 1e-9, (_s, b) => -b);
      expect(box.train.background).toBeCloseTo(best, 9);
    });
  });

  it("significance: highest s/√(s+b) among the boxes keeping the target", () => {
    const m = fitCuts(fold(x.map((v) => [v]), label, w), { efficiencies: [0.3], steps: 1000, optimise: "significance" }, { classes: CLASSES }).toJSON();
    const best = bruteForce1D(x, label, w, 0.3 * sTot - 1e-9, (s, b) => s / Math.sqrt(s + b));
    expect(m.boxes[0].train.significance).toBeCloseTo(best, 9);
    expect(m.boxes[0].train.signalEfficiency!).toBeGreaterThanOrEqual(0.3);
  });
});
