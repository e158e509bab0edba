/** Bins, efficiencies with Clopper–Pearson intervals, and working points (overall, flat in bins, given another). */
import { afterEach, describe, expect, it } from "vitest";
import { assignBins, binInfo, checkAxes, findBin } from "../../runtime/evaluate/bins.js";
import { clopperPearson, weightedEfficiency } from "../../runtime/evaluate/clopper-pearson.js";
import { binaryCurve } from "../../runtime/evaluate/curve.js";
import { classEfficienciesInBins, efficiencyInBins } from "../../runtime/evaluate/efficiency.js";
import { rankDescending } from "../../runtime/evaluate/order.js";
import { deriveWorkingPoints, thresholdFor } from "../../runtime/evaluate/working-points.js";
import { useWasmEvaluation } from "../../runtime/evaluate/wasm/arena.js";

afterEach(() => useWasmEvaluation(true));

describe("bins", () => {
  it("[lo, hi): the last edge, below the first and NaN are in no bin", () => {
    const e = [0, 10, 20, 50];
    expect([-1, 0, 9.99, 10, 49.9, 50, NaN].map((x) => findBin(e, x))).toEqual([-1, 0, 0, 1, 2, -1, -1]);
  });
  it("two variables flatten as ix + nx·iy", () => {
    const axes = [{ variable: "pt", edges: [0, 10, 20] }, { variable: "abs_eta", edges: [0, 1.5, 2.5] }];
    const b = assignBins(axes, [Float64Array.from([5, 15, 15, 25]), Float64Array.from([0.5, 0.5, 2, 1])]);
    expect(Array.from(b)).toEqual([0, 1, 3, -1]);
    expect(binInfo(axes)[3].ranges).toEqual([{ variable: "pt", lo: 10, hi: 20 }, { variable: "abs_eta", lo: 1.5, hi: 2.5 }]);
    expect(checkAxes([{ variable: "x", edges: [1, 1] }])).toMatch(/not increasing/);
  });
  it("assigns every value the bin findBin gives: at, just beside and between edges, outside, NaN", () => {
    let x = 3;
    const u = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
    const edgeSets = [
      [20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100, 120, 140, 160, 200, 250, 300, 400, 600, 1000],
      [-2.5, -1e-9, 0, 1e-9, 0.1, 0.1000000000000001, 7],
      [0, 1],
      [-1e300, 0, 1e300],
      [1, 1 + 2 ** -40, 1 + 2 ** -39],
      // the table's cell arithmetic rounds these values one step above the bin they are in
      [0.3, 1, 1.7],
      [0.1, 5.1, 10.1, 15.1, 20.1],
      // a range whose width overflows (every value takes findBin), and more bins than a byte holds
      [-1e308, 0, 1e308],
      Array.from({ length: 301 }, (_, k) => k * k * 0.01),
    ];
    const bits = new Float64Array(1), word = new BigInt64Array(bits.buffer);
    const ulp = (v: number, by: bigint) => ((bits[0] = v), (word[0] += v >= 0 ? by : -by), bits[0]);
    for (const edges of edgeSets) {
      const lo = edges[0], hi = edges[edges.length - 1];
      const vals: number[] = [NaN, -Infinity, Infinity];
      for (const e of edges) if (e !== 0) vals.push(e, ulp(e, -1n), ulp(e, -2n), ulp(e, 1n));
      for (let k = 0; k < 3000; k++) vals.push(lo + (hi - lo) * (1.2 * u() - 0.1), lo + (hi - lo) * u() ** 6);
      const got = assignBins([{ variable: "v", edges }], [Float64Array.from(vals)]);
      const wrong = vals.filter((v, i) => got[i] !== findBin(edges, v));
      expect(wrong).toEqual([]);
    }
  });
});

describe("efficiency in bins", () => {
  it("counts per bin with exact intervals for unit weights, and reports empty bins", () => {
    // bin 0: scores 0.1 0.6 0.7 0.9 (3 of 4 pass 0.5); bin 1: 0.2 (0 of 1); bin 2: none
    const score = Float64Array.from([0.1, 0.6, 0.7, 0.9, 0.2, 0.95]);
    const bin = Int32Array.from([0, 0, 0, 0, 1, -1]);
    const eff = efficiencyInBins(score, new Float64Array(6).fill(1), bin, 3, 0.5, () => true, null, 0.95);
    const [b0, b1, b2] = eff.bins;
    if ("reason" in b0 || "reason" in b1) throw new Error("defined bins expected");
    expect(b0.value).toBe(0.75);
    expect(b0.interval).toEqual(clopperPearson(3, 4, 0.95));
    expect(b1.value).toBe(0);
    expect(b1.interval.lo).toBe(0);
    expect(b1.interval.hi).toBeCloseTo(0.975, 12); // k = 0, n = 1: 1 − α/2
    expect(b2).toEqual({ value: null, reason: "no events" });
  });
});

describe("both classes in one pass", () => {
  it("equals the efficiencies of each class computed alone", () => {
    let x = 5;
    const u = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const n = 2000;
    const score = Float64Array.from({ length: n }, u);
    const weight = Float64Array.from({ length: n }, () => (u() < 0.1 ? -0.3 : 0.2 + u()));
    const bin = Int32Array.from({ length: n }, () => Math.floor(u() * 5) - 1);
    const sig = Uint8Array.from({ length: n }, () => (u() < 0.4 ? 1 : 0));
    const isS = (i: number) => sig[i] === 1;
    for (const th of [0.4, [0.1, null, 0.5, 0.9]] as const) {
      const both = classEfficienciesInBins(score, weight, bin, 4, th as number | (number | null)[], isS, null, 0.9);
      expect(both.signal).toEqual(efficiencyInBins(score, weight, bin, 4, th as number | (number | null)[], isS, null, 0.9));
      expect(both.background).toEqual(efficiencyInBins(score, weight, bin, 4, th as number | (number | null)[], (i) => !isS(i), null, 0.9));
    }
  });
});

describe("efficiency sums", () => {
  /** The sums as a plain loop with branches adds them, per class and bin in the events' order. */
  function reference(score: Float64Array, weight: Float64Array, bin: Int32Array, nb: number, th: number | (number | null)[], isS: (i: number) => boolean, events: Uint32Array | null) {
    const sums = [0, 1].map(() => Array.from({ length: nb }, () => ({ sw: 0, sw2: 0, sp: 0, n: 0, np: 0 })));
    const count = events ? events.length : score.length;
    for (let k = 0; k < count; k++) {
      const i = events ? events[k] : k;
      if (bin[i] < 0) continue;
      const t = typeof th === "number" ? th : th[bin[i]];
      const c = sums[isS(i) ? 0 : 1][bin[i]];
      c.sw += weight[i];
      c.sw2 += weight[i] * weight[i];
      c.n++;
      if (t !== null && score[i] >= t) { c.sp += weight[i]; c.np++; }
    }
    return sums;
  }
  // in index order the sums run in WebAssembly (wasm/efficiency.c) where it serves: both paths
  for (const path of ["WebAssembly", "TypeScript"] as const)
  it(`every sum has the bits of a loop per class and bin, in index order or a given order (${path})`, () => {
    useWasmEvaluation(path === "WebAssembly");
    let x = 11;
    const u = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const n = 5000, nb = 6;
    // float64 weights of varied magnitude, some negative, so a sum in another order has other bits
    const weight = Float64Array.from({ length: n }, () => (u() < 0.1 ? -1 : 1) * (u() * 10 ** (3 * u() - 1)));
    const score = Float64Array.from({ length: n }, () => Math.floor(u() * 50) / 50);
    const bin = Int32Array.from({ length: n }, () => Math.floor(u() * (nb + 1)) - 1);
    const sig = Uint8Array.from({ length: n }, () => (u() < 0.4 ? 1 : 0));
    const isS = (i: number) => sig[i] === 1;
    const shuffled = Uint32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(u() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    for (const events of [null, shuffled, shuffled.subarray(0, 1000)]) {
      for (const th of [0.5, [0.1, null, 0.5, 0.9, 1, 0]] as (number | (number | null)[])[]) {
        const both = classEfficienciesInBins(score, weight, bin, nb, th, isS, events, 0.9);
        const ref = reference(score, weight, bin, nb, th, isS, events);
        // the signal given as data (select.ts), as evaluateModel gives it (bytes or labels): the same figures
        expect(classEfficienciesInBins(score, weight, bin, nb, th, { values: sig, is: 1 }, events, 0.9)).toEqual(both);
        expect(classEfficienciesInBins(score, weight, bin, nb, th, { values: Int32Array.from(sig, (v) => 7 - v), is: 6 }, events, 0.9)).toEqual(both);
        for (const [c, got] of [both.signal, both.background].entries()) {
          for (let b = 0; b < nb; b++) {
            const r = ref[c][b], e = got.bins[b];
            if (typeof th !== "number" && th[b] === null) { expect(e).toEqual({ value: null, reason: "no threshold in this bin" }); continue; }
            // a figure of the sums alone (value Σw passing / Σw, nEff from Σw and Σw²): other bits of a sum show
            expect(e).toEqual(weightedOf(r));
          }
        }
      }
    }
    function weightedOf(r: { sw: number; sw2: number; sp: number; n: number; np: number }) {
      return weightedEfficiency(r.sp, r.sw, r.sw2, r.np, r.n, 0.9);
    }
    useWasmEvaluation(true);
  });
});

describe("working points", () => {
  // ten signal events 0.1 … 1.0 and ten background 0.05 … 0.5, unit weights
  const s = Array.from({ length: 10 }, (_, i) => (i + 1) / 10);
  const b = Array.from({ length: 10 }, (_, i) => (i + 1) / 20);
  const score = Float64Array.from([...s, ...b]);
  const weight = new Float64Array(20).fill(1);
  const isS = (i: number) => i < 10;
  const order = rankDescending(score);

  it("the tightest threshold keeping at least the target", () => {
    const c = binaryCurve(score, weight, order, isS);
    expect(thresholdFor(c, 0.3)).toEqual({ threshold: 0.8, signalEfficiency: 0.3, backgroundEfficiency: 0 });
    // 0.35 needs 4 of 10: ≥ 0.7
    expect(thresholdFor(c, 0.35)).toMatchObject({ threshold: 0.7, signalEfficiency: 0.4 });
    // 0.95 needs all 10: ≥ 0.1, which keeps 9 of the 10 background events (0.1, 0.15 … 0.5)
    expect(thresholdFor(c, 0.95)).toMatchObject({ threshold: 0.1, signalEfficiency: 1, backgroundEfficiency: 0.9 });
  });

  it("agrees with a brute-force search on random weighted data", () => {
    let x = 99;
    const u = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const n = 3000;
    const sc = Float64Array.from({ length: n }, () => Math.round(u() * 200) / 200);
    const w = Float64Array.from({ length: n }, () => 0.5 + u());
    const sig = Uint8Array.from({ length: n }, () => (u() < 0.5 ? 1 : 0));
    const c = binaryCurve(sc, w, rankDescending(sc), (i) => sig[i] === 1);
    const total = sc.reduce((a, _, i) => a + (sig[i] ? w[i] : 0), 0);
    const candidates = [...new Set(sc)].sort((p, q) => q - p);
    for (const target of [0.05, 0.3, 0.5, 0.77, 0.99]) {
      const best = candidates.find((t) => sc.reduce((a, v, i) => a + (sig[i] && v >= t ? w[i] : 0), 0) / total >= target);
      expect((thresholdFor(c, target) as { threshold: number }).threshold).toBe(best);
    }
  });

  it("targets outside (0, 1) are errors, unreachable ones warnings; never NaN", () => {
    const wps = deriveWorkingPoints({ score, weight, order, isSignal: isS, where: "bdt in SR" }, [
      { name: "Zero", target: 0 },
      { name: "Big", target: 1.2 },
      { name: "Medium", target: 0.5 },
    ]);
    expect(wps[0].issues.map((i) => i.code)).toEqual(["HEP6052"]);
    expect(wps[0].overall).toMatchObject({ value: null });
    expect(wps[1].issues[0].message).toBe("working point 'Big': target signal efficiency 1.2 is outside (0, 1)");
    expect(wps[2].overall).toMatchObject({ threshold: 0.6, signalEfficiency: 0.5 });
    const none = deriveWorkingPoints({ score, weight, order, isSignal: () => false, where: "bdt in SR" }, [{ name: "Loose", target: 0.9 }]);
    expect(none[0].issues.map((i) => i.code)).toEqual(["HEP6053"]);
    expect(none[0].overall).toEqual({ value: null, reason: "no signal events" });
  });

  it("flat in bins: one threshold per bin, each keeping the target in its bin", () => {
    // bin by index parity: even events (signal 0.1, 0.3, …) and odd events
    const bin = Int32Array.from({ length: 20 }, (_, i) => i % 2);
    const [wp] = deriveWorkingPoints({ score, weight, order, isSignal: isS, bins: { bin, count: 2 }, where: "x" }, [{ name: "Loose", target: 0.6 }]);
    const t = wp.bins!.map((x) => (x as { threshold: number }).threshold);
    // even signal: 0.1 0.3 0.5 0.7 0.9 → 3 of 5 at ≥ 0.5; odd: 0.2 … 1.0 → ≥ 0.6
    expect(t).toEqual([0.5, 0.6]);
    const eff = efficiencyInBins(score, weight, bin, 2, t, isS, null);
    for (const e of eff.bins) expect((e as { value: number }).value).toBeGreaterThanOrEqual(0.6);
  });

  it("given another discriminator's working point: derived on the events it keeps", () => {
    // the other discriminator keeps signal events 0..5 (scores 0.1 … 0.6) and all background
    const other = Float64Array.from({ length: 20 }, (_, i) => (i < 10 ? (i < 6 ? 1 : 0) : 1));
    const [wp] = deriveWorkingPoints(
      { score, weight, order, isSignal: isS, given: { name: "vs_mu.Loose", score: other, threshold: 0.5 }, where: "x" },
      [{ name: "Medium", target: 0.5 }],
    );
    // among 0.1 … 0.6, half (3) at ≥ 0.4
    expect(wp.overall).toMatchObject({ threshold: 0.4, signalEfficiency: 0.5 });
    expect(wp.given).toEqual({ name: "vs_mu.Loose", threshold: 0.5, signalEfficiency: 0.6 });
  });
});
