import { describe, expect, it } from "vitest";
import { binOf, GbdtError, logisticGradients, quantileCuts, softmaxGradients, softmaxProbabilities, trainGbdt } from "../../../runtime/models/gbdt/index.js";
import { foldData } from "./helpers.js";

const sigmoid = (m: number): number => 1 / (1 + Math.exp(-m));

describe("gbdt: exact small cases", () => {
  it("a stump on separable data has the split and leaf values worked by hand", async () => {
    // x = 1, 2, 3, 4 with y = 0, 0, 1, 1 and margin 0: p = 0.5, g = p − y = ±0.5, h = 0.25.
    // Cuts are 2, 3, 4 (each value its own bin); the best split is x < 3 with G_L = 1, H_L = 0.5,
    // G_R = −1, H_R = 0.5: gain = 1/1.5 + 1/1.5 − 0, leaves ∓1/1.5.
    const m = await trainGbdt(foldData([[1, 2, 3, 4]], [0, 0, 1, 1]), { trees: 1, depth: 1, learningRate: 1, lambda: 1, minChildWeight: 0 }, { threads: 1 });
    const t = m.trees[0];
    expect(Array.from(t.feature)).toEqual([0, -1, -1]);
    expect(t.threshold[0]).toBe(3);
    expect(t.gain[0]).toBeCloseTo(2 / 1.5, 12);
    expect(t.value[1]).toBeCloseTo(-1 / 1.5, 12);
    expect(t.value[2]).toBeCloseTo(1 / 1.5, 12);
    expect(Array.from(m.predict([Float32Array.from([0, 2.9, 3, 10])], 4))).toEqual([sigmoid(-1 / 1.5), sigmoid(-1 / 1.5), sigmoid(1 / 1.5), sigmoid(1 / 1.5)]);
    expect(m.importance).toEqual({ gain: [t.gain[0]], splits: [1] });
  });

  it("the logistic gradient and hessian are the derivatives of the weighted log loss", () => {
    const margin = Float64Array.from([0.3, -1.2, 2.5]);
    const label = Int32Array.from([1, 0, 1]);
    const weight = Float32Array.from([2, 0.5, -1]);
    const gh = new Float32Array(6);
    logisticGradients(margin, label, weight, gh, 3);
    const loss = (m: number, y: number, w: number): number => -w * (y ? Math.log(sigmoid(m)) : Math.log(1 - sigmoid(m)));
    const e = 1e-5;
    for (let i = 0; i < 3; i++) {
      const [m, y, w] = [margin[i], label[i], weight[i]];
      const d1 = (loss(m + e, y, w) - loss(m - e, y, w)) / (2 * e);
      const d2 = (loss(m + e, y, w) - 2 * loss(m, y, w) + loss(m - e, y, w)) / (e * e);
      expect(gh[2 * i]).toBeCloseTo(d1, 6);
      expect(gh[2 * i + 1]).toBeCloseTo(d2, 4);
    }
    // Negative weight: negative hessian, kept (leaves guard it).
    expect(gh[5]).toBeLessThan(0);
  });

  it("the softmax gradient is the derivative of the log loss; the hessian is XGBoost's 2p(1−p)", () => {
    const k = 3;
    const margin = Float64Array.from([0.2, -0.4, 1.1, 2, 0, -1]);
    const label = Int32Array.from([2, 0]);
    const weight = Float32Array.from([1.5, 1]);
    const prob = new Float64Array(6);
    softmaxProbabilities(margin, k, label, weight, prob, 2);
    const loss = (m: number[], y: number, w: number): number => {
      const s = m.reduce((a, x) => a + Math.exp(x), 0);
      return -w * (m[y] - Math.log(s));
    };
    const e = 1e-5;
    for (let c = 0; c < k; c++) {
      const gh = new Float32Array(4);
      softmaxGradients(prob, k, c, label, weight, gh, 2);
      for (let i = 0; i < 2; i++) {
        const m = Array.from(margin.subarray(i * k, i * k + k));
        const up = m.slice();
        up[c] += e;
        const down = m.slice();
        down[c] -= e;
        const d1 = (loss(up, label[i], weight[i]) - loss(down, label[i], weight[i])) / (2 * e);
        const d2 = (loss(up, label[i], weight[i]) - 2 * loss(m, label[i], weight[i]) + loss(down, label[i], weight[i])) / (e * e);
        expect(gh[2 * i]).toBeCloseTo(d1, 6);
        expect(gh[2 * i + 1]).toBeCloseTo(2 * d2, 4);
      }
    }
  });

  it("weighted quantile cuts, worked by hand", () => {
    // Eight unit weights, 4 bins: targets 2, 4, 6 of the weight below → cuts 3, 5, 7.
    expect(Array.from(quantileCuts([8, 7, 6, 5, 4, 3, 2, 1], null, 8, 4))).toEqual([3, 5, 7]);
    // Weights 4, 1, 1, 1, 1 on 1..5, 2 bins: half the weight (4) lies below 2 → one cut at 2.
    expect(Array.from(quantileCuts([1, 2, 3, 4, 5], [4, 1, 1, 1, 1], 5, 2))).toEqual([2]);
    // The sketch weighs |w|: a negative weight counts like a positive one.
    expect(Array.from(quantileCuts([1, 2, 3, 4, 5], [-4, 1, 1, 1, 1], 5, 2))).toEqual([2]);
    // Fewer distinct values than bins: every value its own bin; missing values are left out.
    expect(Array.from(quantileCuts([NaN, 1, 2, 2, 3], [1, 1, 1, 1, 1], 5, 255))).toEqual([2, 3]);
    // A repeated cut is dropped: six 1s then 2 and 3, 2 bins → the weight below 2 is 6 ≥ 4.
    expect(Array.from(quantileCuts([1, 1, 1, 1, 1, 1, 2, 3], null, 8, 2))).toEqual([2]);
    const cuts = Float32Array.from([2, 3]);
    expect([binOf(cuts, 1), binOf(cuts, 2), binOf(cuts, 2.5), binOf(cuts, 3), binOf(cuts, 9), binOf(cuts, NaN)]).toEqual([0, 1, 1, 2, 2, 255]);
  });

  it("missing values learn a default direction", async () => {
    // Missing rows are signal-like: they must go with the high x (right).
    const x = [1, 2, 3, 4, NaN, NaN];
    const right = await trainGbdt(foldData([x], [0, 0, 1, 1, 1, 1]), { trees: 1, depth: 1, learningRate: 1, minChildWeight: 0 }, { threads: 1 });
    expect(right.trees[0].defaultLeft[0]).toBe(0);
    expect(right.trees[0].threshold[0]).toBe(3);
    const p = right.predict([Float32Array.from([NaN, 1, 4])], 3);
    expect(p[0]).toBe(p[2]);
    expect(p[0]).toBeGreaterThan(0.5);
    // Missing rows background-like: left.
    const left = await trainGbdt(foldData([x], [0, 0, 1, 1, 0, 0]), { trees: 1, depth: 1, learningRate: 1, minChildWeight: 0 }, { threads: 1 });
    expect(left.trees[0].defaultLeft[0]).toBe(1);
    const q = left.predict([Float32Array.from([NaN, 1, 4])], 3);
    expect(q[0]).toBe(q[1]);
  });

  it("negative weights: gains and leaves follow the hand computation, and a node with H ≤ 0 gets 0", async () => {
    // w = 1, −0.5, 1, 1 on x = 1..4, y = 1, 1, 0, 0: g = (0.5 − y)·w, h = 0.25·w.
    const g = [-0.5, 0.25, 0.5, 0.5];
    const h = [0.25, -0.125, 0.25, 0.25];
    const sc = (G: number, H: number): number => (H <= 0 ? 0 : (G * G) / (H + 1));
    const G = g.reduce((a, b) => a + b);
    const H = h.reduce((a, b) => a + b);
    const gains = [1, 2, 3].map((s) => {
      const gl = g.slice(0, s).reduce((a, b) => a + b);
      const hl = h.slice(0, s).reduce((a, b) => a + b);
      return hl > 0 && H - hl > 0 ? sc(gl, hl) + sc(G - gl, H - hl) - sc(G, H) : -Infinity;
    });
    const bestAt = gains.indexOf(Math.max(...gains));
    expect(bestAt).toBe(0);
    const m = await trainGbdt(foldData([[1, 2, 3, 4]], [1, 1, 0, 0], [1, -0.5, 1, 1]), { trees: 1, depth: 1, learningRate: 1, minChildWeight: 0 }, { threads: 1 });
    const t = m.trees[0];
    expect(t.threshold[0]).toBe(2);
    expect(t.gain[0]).toBeCloseTo(gains[0], 12);
    expect(t.value[t.left[0]]).toBeCloseTo(-g[0] / (h[0] + 1), 12);
    expect(t.value[t.right[0]]).toBeCloseTo(-(G - g[0]) / (H - h[0] + 1), 12);
    // Total hessian 0 and every split leaving a side with H ≤ 0: one leaf of value 0, no NaN.
    const z = await trainGbdt(foldData([[1, 2, 3, 4]], [1, 1, 0, 0], [1, -3, 1, 1]), { trees: 3, depth: 2, minChildWeight: 0 }, { threads: 1 });
    for (const tree of z.trees) expect(Array.from(tree.value)).toEqual([0]);
    expect(Array.from(z.predict([Float32Array.from([1, 4])], 2))).toEqual([0.5, 0.5]);
  });

  it("rejects unusable data with HEP6020", async () => {
    await expect(trainGbdt(foldData([[1, 2]], [0, 3]), {}, { threads: 1, classes: 2 })).rejects.toMatchObject({ code: "HEP6020" });
    await expect(trainGbdt(foldData([[1, 2]], [0, 1], [1, NaN]), {}, { threads: 1 })).rejects.toBeInstanceOf(GbdtError);
    await expect(trainGbdt(foldData([[1, 2]], [0, 1]), { depth: 0 }, { threads: 1 })).rejects.toMatchObject({ code: "HEP6020" });
  });
});

describe("gbdt: the bin matrix", () => {
  it("bins float32 columns (prefix tables) exactly as the plain binary search does", async () => {
    const { binMatrix } = await import("../../../runtime/models/gbdt/index.js");
    const r = (await import("./helpers.js")).random(5);
    const n = 20000;
    const col = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const u = r();
      col[i] = u < 0.05 ? NaN : u < 0.1 ? (r() < 0.5 ? 0 : -0) : u < 0.12 ? (r() < 0.5 ? Infinity : -Infinity) : u < 0.5 ? 100 + r() * 0.01 : (r() - 0.5) * 1e4;
    }
    const cuts = quantileCuts(col, null, n, 255);
    // Some values equal a cut exactly, and many cuts share a 16-bit key prefix (100 .. 100.01).
    for (let i = 0; i < 50; i++) col[i] = cuts[(i * 7) % cuts.length];
    const bins = binMatrix([col, Float64Array.from(col)], [cuts, cuts], n);
    for (let i = 0; i < n; i++) {
      expect(bins[2 * i]).toBe(binOf(cuts, col[i]));
      expect(bins[2 * i + 1]).toBe(bins[2 * i]);
    }
  });
});
