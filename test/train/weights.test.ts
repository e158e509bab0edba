/**
 * Training weights against numbers worked by hand (the arithmetic is in the comments): balance,
 * class weights, negative-weight policies, flat reweighting in one and two variables, `to` a
 * target, merged reweighting groups and the cap on the factors.
 */
import { describe, expect, it } from "vitest";
import { prepareTraining, type Prepared, type SampleRows, type TrainSpec } from "../../runtime/train/index.js";
import { axisExpr, folds, lcg, rows, scaleSpec, trainSpec } from "./make.js";

const scale = scaleSpec([["x", { kind: "none" }]]);

function prepare(r: SampleRows[], over: Partial<TrainSpec>): Prepared {
  const out = prepareTraining(r, trainSpec(over), scale);
  const errors = out.problems.filter((p) => p.severity === "error");
  expect(errors).toEqual([]);
  return out.value!;
}

/** Dataset weights by sample, in entry order. */
function weightsOf(p: Prepared, sample: string): number[] {
  const si = p.dataset.samples.indexOf(sample);
  return Array.from(p.dataset.weight).filter((_, i) => p.dataset.sample[i] === si);
}

const close = (got: number[], want: number[]) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 12));
};

describe("balance and class weights", () => {
  // signal: 2 events of weight 1 (total 2); background: 3 events of weight 2 (total 6).
  const data = () => [rows({ sample: "sig", class: "signal", weight: [1, 1] }), rows({ sample: "bkg", class: "background", weight: [2, 2, 2] })];

  it("without balancing, scales all weights so their mean is 1", () => {
    // 5 events, total 8: × 5/8.
    const p = prepare(data(), {});
    close(weightsOf(p, "sig"), [0.625, 0.625]);
    close(weightsOf(p, "bkg"), [1.25, 1.25, 1.25]);
    // The matrix's rows in class order: background's 3, then signal's 2.
    close(Array.from(p.folds[0].weight), [1.25, 1.25, 1.25, 0.625, 0.625]);
    expect(p.folds[0].fold).toBe(-1);
  });

  it("`balance classes` gives each class the same total", () => {
    // × 1/2 and × 1/6 make both totals 1; × 5/2 makes the mean 1: 1.25 and 0.8333…
    const p = prepare(data(), { balance: "classes" });
    close(weightsOf(p, "sig"), [1.25, 1.25]);
    close(weightsOf(p, "bkg"), [5 / 6, 5 / 6, 5 / 6]);
    expect(p.summary.classes.map((c) => c.sumAfter)).toEqual([expect.closeTo(2.5, 12), expect.closeTo(2.5, 12)]);
    // Summaries in class order: background, then signal.
    expect(p.summary.classes.map((c) => c.sumBefore)).toEqual([6, 2]);
  });

  it("class weights set the ratio of the balanced totals", () => {
    // balanced totals 1 and 1, × 3 and × 1 → 3 and 1, × 5/4: signal 3.75 (1.875 each), background 1.25.
    const p = prepare(data(), { balance: "classes", classWeights: { signal: 3 } });
    close(weightsOf(p, "sig"), [1.875, 1.875]);
    close(weightsOf(p, "bkg"), [1.25 / 3, 1.25 / 3, 1.25 / 3]);
  });

  it("class weights multiply the event weights without balancing", () => {
    // signal 2 × 2 = 4, background 6: total 10 over 5 events → × 1/2.
    const p = prepare(data(), { classWeights: { signal: 2 } });
    close(weightsOf(p, "sig"), [1, 1]);
    close(weightsOf(p, "bkg"), [1, 1, 1]);
  });
});

describe("negative weights", () => {
  const data = () => [rows({ sample: "sig", class: "signal", weight: [2, -1, 1] }), rows({ sample: "bkg", class: "background", weight: [1, 1] })];

  it("keep: signed weights, the total of 4 over 5 events → × 5/4", () => {
    const p = prepare(data(), { negativeWeights: "keep" });
    close(weightsOf(p, "sig"), [2.5, -1.25, 1.25]);
    close(weightsOf(p, "bkg"), [1.25, 1.25]);
    expect(p.summary.events.negative).toBe(1);
  });

  it("keep is the default", () => {
    close(weightsOf(prepare(data(), {}), "sig"), [2.5, -1.25, 1.25]);
  });

  it("abs: |w|, total 6 over 5 events → × 5/6", () => {
    const p = prepare(data(), { negativeWeights: "abs" });
    close(weightsOf(p, "sig"), [5 / 3, 5 / 6, 5 / 6]);
    close(weightsOf(p, "bkg"), [5 / 6, 5 / 6]);
  });

  it("drop: weight 0 in the dataset and out of the training matrix; total 5 over 4 events → × 4/5", () => {
    const p = prepare(data(), { negativeWeights: "drop" });
    close(weightsOf(p, "sig"), [1.6, 0, 0.8]);
    close(weightsOf(p, "bkg"), [0.8, 0.8]);
    expect(p.folds[0].n).toBe(4);
    // The matrix's rows in class order: background's [0.8, 0.8], then signal's [1.6, 0.8] (−1 dropped).
    close(Array.from(p.folds[0].weight), [0.8, 0.8, 1.6, 0.8].map(Math.fround));
  });
});

/** Sum of final weights per class and bin (an independent binning of the axis values). */
function binSums(p: Prepared, r: SampleRows[], edges: number[][]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const nb = edges.map((e) => e.length - 1);
  for (const s of r) {
    const w = weightsOf(p, s.sample);
    const sums = out.get(s.class) ?? new Array(nb.reduce((a, b) => a * b, 1)).fill(0);
    for (let i = 0; i < w.length; i++) {
      let b = 0;
      edges.forEach((e, a) => {
        const x = s.reweightAxes[a][i];
        let k = e.findIndex((_, j) => j < e.length - 1 && x >= e[j] && x < e[j + 1]);
        if (x < e[0]) k = 0;
        if (x >= e[e.length - 1]) k = e.length - 2;
        b = b * nb[a] + k;
      });
      sums[b] += w[i];
    }
    out.set(s.class, sums);
  }
  return out;
}

describe("reweight flat", () => {
  const edges = [0, 10, 20];
  const rw = (over: object = {}) => ({ reweight: { mode: "flat", target: null, axes: [{ expr: axisExpr("pt"), edges }], ...over } });
  // signal pt [1, 2, 3, 15]: bins hold 3 and 1 → factors (4/2)/3 = 2/3 and (4/2)/1 = 2.
  // background pt [5, 12, 14, 16]: bins hold 1 and 3 → factors 2 and 2/3. Totals stay 4 and 4.
  const data = () => [
    rows({ sample: "sig", class: "signal", axes: [[1, 2, 3, 15]] }),
    rows({ sample: "bkg", class: "background", axes: [[5, 12, 14, 16]] }),
  ];

  it("in one variable: each class holds the same weight in every bin", () => {
    const r = data();
    const p = prepare(r, rw());
    close(weightsOf(p, "sig"), [2 / 3, 2 / 3, 2 / 3, 2]);
    close(weightsOf(p, "bkg"), [2, 2 / 3, 2 / 3, 2 / 3]);
    for (const sums of binSums(p, r, [edges]).values()) close(sums, [2, 2]);
  });

  it("puts values below the first edge in the first bin and above the last in the last", () => {
    // signal pt [-1, 5, 25]: bins hold 2 and 1 → factors 0.75 and 1.5.
    const r = [rows({ sample: "sig", class: "signal", axes: [[-1, 5, 25]] }), rows({ sample: "bkg", class: "background", axes: [[5, 15, 30]] })];
    const p = prepare(r, rw());
    // background: bins hold 1 and 2 → 1.5, 0.75, 0.75. Totals 3 and 3: no scaling.
    close(weightsOf(p, "sig"), [0.75, 0.75, 1.5]);
    close(weightsOf(p, "bkg"), [1.5, 0.75, 0.75]);
  });

  it("in two variables (the first slowest): flat in every 2D bin", () => {
    // signal in bins (0,0)×2, (0,1)×1, (1,0)×1, (1,1)×4: factors 8/4/H = 1, 2, 2, 0.5.
    const e2 = [
      [0, 1, 2],
      [0, 10, 20],
    ];
    const sig = rows({ sample: "sig", class: "signal", axes: [
      [0.5, 0.5, 0.5, 1.5, 1.5, 1.5, 1.5, 1.5],
      [5, 5, 15, 5, 15, 15, 15, 15],
    ] });
    const bkg = rows({ sample: "bkg", class: "background", axes: [
      [0.5, 0.5, 1.5, 1.5],
      [5, 15, 5, 15],
    ] });
    const p = prepare([sig, bkg], { reweight: { mode: "flat", target: null, axes: e2.map((edges, i) => ({ expr: axisExpr(`a${i}`), edges })) } });
    // totals 8 and 4, 12 events → no scaling.
    close(weightsOf(p, "sig"), [1, 1, 2, 2, 0.5, 0.5, 0.5, 0.5]);
    close(weightsOf(p, "bkg"), [1, 1, 1, 1]);
    const sums = binSums(p, [sig, bkg], e2);
    close(sums.get("signal")!, [2, 2, 2, 2]);
    close(sums.get("background")!, [1, 1, 1, 1]);
  });

  it("merged classes are flattened together, not each on its own", () => {
    // b pt [1, 15] and bb pt [2, 3, 4] as one group: bins hold 4 and 1 → factors 5/2/4 = 0.625 and 2.5.
    // light pt [1, 15]: already flat, factor 1. Total 7 over 7 events: no scaling.
    const r = [
      rows({ sample: "b", class: "b", axes: [[1, 15]] }),
      rows({ sample: "bb", class: "bb", axes: [[2, 3, 4]] }),
      rows({ sample: "light", class: "light", axes: [[1, 15]] }),
    ];
    const p = prepare(r, { classes: { b: ["b"], bb: ["bb"], light: ["light"] }, ...rw({ merge: [["b", "bb"]] }) });
    close(weightsOf(p, "b"), [0.625, 2.5]);
    close(weightsOf(p, "bb"), [0.625, 0.625, 0.625]);
    close(weightsOf(p, "light"), [1, 1]);
    expect(p.dataset.label[p.dataset.sample.indexOf(p.dataset.samples.indexOf("light"))]).toBe(2);
    // Each on its own, b would be flat already (factor 1).
    const apart = prepare(r, { classes: { b: ["b"], bb: ["bb"], light: ["light"] }, ...rw() });
    close(weightsOf(apart, "b"), [1, 1]);
  });

  it("caps the factors at maxWeight, then restores the mean", () => {
    // factors 2/3, 2 → 1.5: signal 2 + 1.5 = 3.5, background 3.5; 8 events / 7 → × 8/7.
    const p = prepare(data(), rw({ maxWeight: 1.5 }));
    close(weightsOf(p, "sig"), [2 / 3, 2 / 3, 2 / 3, 1.5].map((w) => (w * 8) / 7));
    close(weightsOf(p, "bkg"), [1.5, 2 / 3, 2 / 3, 2 / 3].map((w) => (w * 8) / 7));
  });

  it("with balance: flat, then equal totals", () => {
    // flat factors as above with background weights doubled: its total 8 vs 4 → balanced to 4 each.
    const r = [rows({ sample: "sig", class: "signal", axes: [[1, 2, 3, 15]] }), rows({ sample: "bkg", class: "background", axes: [[5, 12, 14, 16]], weight: [2, 2, 2, 2] })];
    const p = prepare(r, { balance: "classes", ...rw() });
    close(weightsOf(p, "sig"), [2 / 3, 2 / 3, 2 / 3, 2]);
    close(weightsOf(p, "bkg"), [2, 2 / 3, 2 / 3, 2 / 3]);
  });
});

describe("reweight to a target", () => {
  const edges = [0, 10, 20];
  // signal pt [1, 2, 15]: shape 2/3, 1/3. background pt [5, 12, 13, 14]: bins hold 1 and 3, total 4.
  // factors (2/3)·4/1 = 8/3 and (1/3)·4/3 = 4/9: bins then hold 8/3 and 4/3 (2 : 1). Signal unchanged.
  const data = () => [rows({ sample: "sig", class: "signal", axes: [[1, 2, 15]] }), rows({ sample: "bkg", class: "background", axes: [[5, 12, 13, 14]] })];

  it("gives each class the target class's shape and keeps the target as it is", () => {
    const p = prepare(data(), { reweight: { mode: "to", target: "signal", axes: [{ expr: axisExpr("pt"), edges }] } });
    close(weightsOf(p, "sig"), [1, 1, 1]);
    close(weightsOf(p, "bkg"), [8 / 3, 4 / 9, 4 / 9, 4 / 9]);
  });

  it("takes a sample alone in its class as that class", () => {
    const p = prepare(data(), { reweight: { mode: "to", target: "sig", axes: [{ expr: axisExpr("pt"), edges }] } });
    expect(weightsOf(p, "sig")).toEqual([1, 1, 1]);
    close(weightsOf(p, "bkg"), [8 / 3, 4 / 9, 4 / 9, 4 / 9]);
  });

  it("takes a sample as the target", () => {
    // The target is sample sigA (pt [1, 15]: shape 1/2, 1/2); class signal = sigA + sigB is reshaped too.
    const r = [
      rows({ sample: "sigA", class: "signal", axes: [[1, 15]] }),
      rows({ sample: "sigB", class: "signal", axes: [[2, 3]] }),
      rows({ sample: "bkg", class: "background", axes: [[5, 12, 13, 14]] }),
    ];
    const p = prepare(r, { classes: { signal: ["sigA", "sigB"], background: ["bkg"] }, reweight: { mode: "to", target: "sigA", axes: [{ expr: axisExpr("pt"), edges }] } });
    // signal bins hold 3 and 1 (total 4) → factors (1/2)·4/3 = 2/3 and 2; background 1 and 3 → 2 and 2/3.
    close(weightsOf(p, "sigA"), [2 / 3, 2]);
    close(weightsOf(p, "sigB"), [2 / 3, 2 / 3]);
    close(weightsOf(p, "bkg"), [2, 2 / 3, 2 / 3, 2 / 3]);
  });
});

describe("on random data, checked by an independent binning", () => {
  it("flat in 2D with balancing: every (class, bin) holds the same weight, in every fold", () => {
    const rnd = lcg(99);
    const e2 = [
      [0, 30, 60, 120, 500],
      [0, 1.2, 2.5],
    ];
    const make = (sample: string, cls: string, n: number, slope: number) =>
      rows({
        sample,
        class: cls,
        weight: Array.from({ length: n }, () => 0.1 + rnd()),
        axes: [Array.from({ length: n }, () => 10 + rnd() * slope), Array.from({ length: n }, () => rnd() * 2.5)],
        fold: Array.from({ length: n }, (_, i) => i % 3),
      });
    const r = [make("a", "a", 400, 200), make("b", "b", 300, 400), make("c", "c", 500, 150)];
    const p = prepare(r, { classes: { a: ["a"], b: ["b"], c: ["c"] }, folds: folds(3), balance: "classes", reweight: { mode: "flat", target: null, axes: e2.map((edges, i) => ({ expr: axisExpr(`v${i}`), edges })) } });
    const sums = binSums(p, r, e2);
    // 1200 events of weight 1 on average, balanced: each class 400, spread over its 8 bins: 50.
    for (const [, s] of sums) close(s, new Array(8).fill(50));
    // Each fold's model too (its training part: the other two folds), via its own weights.
    expect(p.folds.length).toBe(3);
    for (const f of p.folds) {
      const perClass = [0, 0, 0];
      for (let j = 0; j < f.n; j++) perClass[f.label[j]] += f.weight[j];
      // (float32 weights: equal to about 1e-6 relative)
      perClass.forEach((s) => expect(Math.abs(s / (f.n / 3) - 1)).toBeLessThan(1e-5));
    }
  });
});
