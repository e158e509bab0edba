/**
 * Folds, validation and test parts: which rows each fold's model trains and validates on, the
 * seeded draws (same seed, same split; any chunking and order of the rows, same result), and the
 * per-fold fits seeing only their own training part.
 */
import { describe, expect, it } from "vitest";
import { prepareTraining, unitDraw, type Prepared, type SampleRows, type TrainSpec } from "../../runtime/train/index.js";
import { axisExpr, chunked, folds, lcg, rows, scaleSpec, trainSpec } from "./make.js";

const scale = scaleSpec([
  ["x", { kind: "normal" }],
  ["y", { kind: "none" }],
]);

/** Two samples of n events each, entries 0…n−1, fold = entry % k, features drawn from a fixed stream. */
function sampleData(n: number, k: number, seed = 3): SampleRows[] {
  const rnd = lcg(seed);
  const make = (sample: string, cls: string, shift: number) => {
    const x = Array.from({ length: n }, () => rnd() * 10 + shift);
    const y = Array.from({ length: n }, () => rnd());
    const pt = Array.from({ length: n }, () => rnd() * 100);
    return rows({ sample, class: cls, features: [x, y], weight: Array.from({ length: n }, () => 0.5 + rnd()), fold: Array.from({ length: n }, (_, i) => i % k), axes: [pt] });
  };
  return [make("sig", "signal", 2), make("bkg", "background", 0)];
}

function ok(r: SampleRows[], over: Partial<TrainSpec>): Prepared {
  // The data pass hands one column per reweighting axis: none without reweighting.
  if (!over.reweight) r = r.map((x) => ({ ...x, reweightAxes: [] }));
  const out = prepareTraining(r, trainSpec(over), scale);
  expect(out.problems.filter((p) => p.severity === "error")).toEqual([]);
  return out.value!;
}

describe("folds", () => {
  it("trains fold k's model on the other folds and scores fold k", () => {
    const p = ok(sampleData(30, 3), { folds: folds(3) });
    expect(p.folds.map((f) => f.fold)).toEqual([0, 1, 2]);
    // 60 events, 20 per fold: each model trains on the other 40.
    expect(p.folds.map((f) => f.n)).toEqual([40, 40, 40]);
    expect(p.summary.folds.map((f) => f.scored)).toEqual([20, 20, 20]);
    expect(Array.from(p.dataset.fold.slice(0, 6))).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it("fits each fold's weights and scalers on its training part alone", () => {
    // Fold 0's model must equal a model without folds trained on the rows of folds 1 and 2 only.
    const all = sampleData(40, 3);
    const rw = { mode: "flat", target: null, axes: [{ expr: axisExpr("pt"), edges: [0, 25, 50, 75, 100] }] };
    const p = ok(all, { folds: folds(3), balance: "classes", reweight: rw });
    const keep = (r: SampleRows) => {
      const idx = Array.from(r.fold.keys()).filter((i) => r.fold[i] !== 0);
      return rows({ sample: r.sample, class: r.class, entry: idx.map((i) => r.entry[i]), weight: idx.map((i) => r.weight[i]), fold: idx.map(() => 0), features: r.features.map((c) => idx.map((i) => c[i])), axes: r.reweightAxes.map((c) => idx.map((i) => c[i])) });
    };
    const alone = ok(all.map(keep), { balance: "classes", reweight: rw }).folds[0];
    expect(Array.from(p.folds[0].weight)).toEqual(Array.from(alone.weight));
    expect(p.folds[0].scalers).toEqual(alone.scalers);
    expect(p.folds[0].columns).toEqual(alone.columns);
    // …and differs from the fits of the other folds.
    expect(p.folds[1].scalers[0].fitted!.mean).not.toBe(p.folds[0].scalers[0].fitted!.mean);
  });
});

describe("validation and test parts", () => {
  it("draws the same validation part for the same seed, another for another seed", () => {
    const a = ok(sampleData(500, 2), { validation: 0.2, seed: 11 });
    const b = ok(sampleData(500, 2), { validation: 0.2, seed: 11 });
    const c = ok(sampleData(500, 2), { validation: 0.2, seed: 12 });
    expect(a.dataset.valid).toEqual(b.dataset.valid);
    expect(a.dataset.valid).not.toEqual(c.dataset.valid);
    const frac = a.dataset.valid.reduce((s, v) => s + v, 0) / a.dataset.n;
    expect(frac).toBeGreaterThan(0.15);
    expect(frac).toBeLessThan(0.25);
    expect(a.folds[0].valid.n + a.folds[0].n).toBe(1000);
  });

  it("draws each event's part from (seed, sample, entry) alone", () => {
    // The same events, once among many others and once alone: the same parts.
    const all = sampleData(200, 2);
    const p = ok(all, { validation: 0.3, test: { fraction: 0.2 } });
    const some = (r: SampleRows) => rows({ sample: r.sample, class: r.class, entry: [7, 50, 51, 120], features: r.features.map((c) => [c[7], c[50], c[51], c[120]]), weight: [1, 1, 1, 1] });
    const q = ok(all.map(some), { validation: 0.3, test: { fraction: 0.2 } });
    for (const s of ["sig", "bkg"]) {
      const at = (x: Prepared, entries: number[]) => entries.map((e) => x.dataset.entry.findIndex((v, i) => v === e && x.dataset.samples[x.dataset.sample[i]] === s));
      const ip = at(p, [7, 50, 51, 120]);
      const iq = at(q, [7, 50, 51, 120]);
      expect(ip.map((i) => p.dataset.valid[i])).toEqual(iq.map((i) => q.dataset.valid[i]));
      expect(ip.map((i) => p.dataset.test[i])).toEqual(iq.map((i) => q.dataset.test[i]));
    }
  });

  it("gives the same result for any chunking and order of the rows", () => {
    const rw = { mode: "flat", target: null, axes: [{ expr: axisExpr("pt"), edges: [0, 50, 100] }] };
    const over: Partial<TrainSpec> = { folds: folds(4), validation: 0.25, test: { fraction: 0.1 }, balance: "classes", reweight: rw };
    const whole = ok(sampleData(300, 4), over);
    for (const size of [1, 7, 64]) {
      const cut = ok(chunked(sampleData(300, 4), size), over);
      expect(cut.folds).toEqual(whole.folds);
      expect(cut.dataset).toEqual(whole.dataset);
      expect(cut.summary).toEqual(whole.summary);
    }
  });

  it("keeps the test part out of training and validation in every fold", () => {
    const p = ok(sampleData(300, 3), { folds: folds(3), validation: 0.2, test: { fraction: 0.25 } });
    const d = p.dataset;
    const nTest = d.test.reduce((s, v) => s + v, 0);
    expect(nTest).toBeGreaterThan(100);
    expect(nTest).toBeLessThan(200);
    for (let i = 0; i < d.n; i++) expect(d.test[i] && d.valid[i]).toBeFalsy();
    for (const [k, f] of p.folds.entries()) {
      let train = 0;
      let valid = 0;
      for (let i = 0; i < d.n; i++) {
        if (d.test[i] || d.fold[i] === k) continue;
        if (d.valid[i]) valid++;
        else train++;
      }
      expect([f.n, f.valid.n]).toEqual([train, valid]);
    }
  });

  it("takes the test part from a test expression", () => {
    const r = sampleData(10, 2);
    for (const s of r) s.test = Uint8Array.from({ length: 10 }, (_, i) => (i < 3 ? 1 : 0));
    const p = ok(r, { test: { expr: { op: "const", type: "bool", value: true } } });
    expect(p.summary.events.test).toBe(6);
    expect(p.folds[0].n).toBe(14);
  });

  it("without folds trains one model on everything outside the validation and test parts", () => {
    const p = ok(sampleData(100, 1), { validation: 0.1, test: { fraction: 0.1 } });
    expect(p.folds.length).toBe(1);
    expect(p.folds[0].fold).toBe(-1);
    const d = p.dataset;
    expect(p.folds[0].n).toBe(d.test.reduce((s, v, i) => s + (v || d.valid[i] ? 0 : 1), 0));
    expect(Array.from(d.fold).every((f) => f === -1)).toBe(true);
  });

  it("draws uniformly: a fifth of 100 000 entries below 0.2", () => {
    let below = 0;
    for (let e = 0; e < 100_000; e++) if (unitDraw(5, 1, 12345, e) < 0.2) below++;
    expect(below / 100_000).toBeCloseTo(0.2, 2);
  });
});
