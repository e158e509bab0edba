/**
 * cut_and_count as a model kind: nesting, determinism, the score, storage, the validation part,
 * bad input (HEP6070–HEP6073) and the options as the checker sees them.
 */
import { describe, expect, it } from "vitest";
import { MODEL_RUNTIMES } from "../../../runtime/models/index.js";
import { CutsError, CutsModel, cutsToHep, fitCuts, passMask, type CutsModelJson } from "../../../runtime/models/cuts/index.js";
import { compileText, summary } from "../../helpers/compile.js";
import { CLASSES, fold, rng } from "./helpers.js";

/** Three features, the signal shifted in each, with weights of both signs in the background. */
function cloud(seed: number, n: number, shift = 1) {
  const r = rng(seed);
  const rows: number[][] = [];
  const label: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = i % 3 === 0 ? 1 : 0;
    rows.push([r.normal() + shift * s, 2 * r.normal() - shift * s, r.u() * 10 + (s ? 3 * r.u() : 0)]);
    label.push(s);
    weight.push(s ? 1 : r.u() < 0.1 ? -0.5 : 1 + r.u());
  }
  return { rows, label, weight };
}

const TARGETS = [0.95, 0.8, 0.6, 0.4, 0.2];

describe("cut_and_count: nesting", () => {
  const c = cloud(3, 3000);
  const data = fold(c.rows, c.label, c.weight);
  const probe = cloud(4, 20000, 0);
  const probeData = fold(probe.rows, probe.label);

  it("with nested true, every box lies inside the box of every looser target", () => {
    const m = fitCuts(data, { efficiencies: TARGETS, nested: true }, { classes: CLASSES }).toJSON();
    expect(m.nested).toBe(true);
    for (let k = 1; k < m.boxes.length; k++) {
      for (const [cols, n] of [[data.columns, data.n], [probeData.columns, probeData.n]] as const) {
        const tight = passMask(m.boxes[k], cols, n);
        const loose = passMask(m.boxes[k - 1], cols, n);
        for (let i = 0; i < n; i++) if (tight[i]) expect(loose[i]).toBe(1);
      }
      // cut by cut: a looser box's bound on a feature is absent or no tighter
      for (const cut of m.boxes[k - 1].cuts) {
        const t = m.boxes[k].cuts.find((x) => x.feature === cut.feature)!;
        expect(t).toBeDefined();
        if (cut.scaledAbove !== null) expect(t.scaledAbove!).toBeGreaterThanOrEqual(cut.scaledAbove);
        if (cut.scaledBelow !== null) expect(t.scaledBelow!).toBeLessThanOrEqual(cut.scaledBelow);
      }
    }
  });

  it("every box keeps its target and comes within the tolerance of it; the independent boxes reject at least as much as the nested ones here", () => {
    const free = fitCuts(data, { efficiencies: TARGETS }, { classes: CLASSES }).toJSON();
    const nested = fitCuts(data, { efficiencies: TARGETS, nested: true }, { classes: CLASSES }).toJSON();
    for (const m of [free, nested]) {
      m.boxes.forEach((b) => {
        expect(b.train.signalEfficiency!).toBeGreaterThanOrEqual(b.target - 1e-9);
        expect(b.train.signalEfficiency!).toBeLessThanOrEqual(b.target + 0.05);
      });
    }
    free.boxes.forEach((b, k) => expect(b.train.rejection!).toBeGreaterThanOrEqual(nested.boxes[k].train.rejection! - 0.02));
  });

  it("without nesting, a tighter target never keeps more background weight than a looser one", () => {
    for (const seed of [10, 11, 12]) {
      const c2 = cloud(seed, 2000, 0.7);
      const m = fitCuts(fold(c2.rows, c2.label, c2.weight), { efficiencies: [0.9, 0.7, 0.5, 0.3, 0.2, 0.1] }, { classes: CLASSES }).toJSON();
      for (let k = 1; k < m.boxes.length; k++) expect(m.boxes[k].train.background).toBeLessThanOrEqual(m.boxes[k - 1].train.background + 1e-9);
    }
  });
});

describe("cut_and_count: determinism", () => {
  it("gives the same model whatever the thread count and seed, and when fitted again", async () => {
    const c = cloud(5, 2000);
    const data = fold(c.rows, c.label, c.weight);
    const kind = MODEL_RUNTIMES.cut_and_count;
    const a = await kind.fit(data, { efficiencies: [0.9, 0.5] }, { seed: 1, threads: 1, classes: CLASSES });
    const b = await kind.fit(data, { efficiencies: [0.9, 0.5] }, { seed: 99, threads: 8, classes: CLASSES });
    expect(JSON.stringify(b.toJSON())).toBe(JSON.stringify(a.toJSON()));
    // the order of the targets in the option does not matter
    const c2 = await kind.fit(data, { efficiencies: [0.5, 0.9, 0.5] }, { seed: 1, threads: 2, classes: CLASSES });
    expect(JSON.stringify(c2.toJSON())).toBe(JSON.stringify(a.toJSON()));
  });
});

/** Weighted pairwise AUC of a score for label 1 against label 0 (ties count one half). */
function auc(score: Float64Array, label: Int32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < score.length; i++) {
    if (label[i] !== 1) continue;
    for (let j = 0; j < score.length; j++) {
      if (label[j] !== 0) continue;
      num += score[i] > score[j] ? 1 : score[i] === score[j] ? 0.5 : 0;
      den += 1;
    }
  }
  return num / den;
}

describe("cut_and_count: the score", () => {
  const c = cloud(6, 900);
  const data = fold(c.rows, c.label);

  it("is the fraction of boxes passed when the signal has label 1", () => {
    const m = fitCuts(data, { efficiencies: [0.9, 0.6, 0.3], nested: true }, { classes: ["background", "signal"] });
    const score = m.predict(data.columns, data.n);
    const masks = m.json.boxes.map((b) => passMask(b, data.columns, data.n));
    for (let i = 0; i < data.n; i++) expect(score[i]).toBe((masks[0][i] + masks[1][i] + masks[2][i]) / 3);
    expect(auc(score, data.label)).toBeGreaterThan(0.7);
    // with nested boxes a threshold k/K on the score selects box k exactly
    for (let k = 0; k < 3; k++) for (let i = 0; i < data.n; i++) expect(score[i] >= (k + 1) / 3 - 1e-12 ? 1 : 0).toBe(masks[k][i]);
  });

  it("is oriented to label 1 when the signal has label 0, so a higher score is still more like label 1", () => {
    const swapped = Int32Array.from(data.label, (l) => 1 - l);
    const data0 = { ...data, label: swapped };
    const m = fitCuts(data0, { efficiencies: [0.9, 0.6, 0.3] }, { classes: ["signal", "background"] });
    expect(m.json.signal).toEqual({ label: 0, class: "signal" });
    const score = m.predict(data0.columns, data0.n);
    const passed = m.json.boxes.map((b) => passMask(b, data0.columns, data0.n));
    for (let i = 0; i < data0.n; i++) expect(score[i]).toBe(1 - (passed[0][i] + passed[1][i] + passed[2][i]) / 3);
    expect(auc(score, swapped)).toBeGreaterThan(0.7);
    // the boxes select the signal class: they keep its efficiency
    expect(m.json.boxes[1].train.signalEfficiency!).toBeGreaterThanOrEqual(0.6);
  });

  it("the signal option picks the class; without it a class named signal, else label 1", () => {
    expect(fitCuts(data, { efficiencies: [0.5], signal: "b" }, { classes: ["a", "b"] }).json.signal).toEqual({ label: 1, class: "b" });
    expect(fitCuts(data, { efficiencies: [0.5] }, { classes: ["a", "b"] }).json.signal).toEqual({ label: 1, class: "b" });
    expect(fitCuts({ ...data, label: Int32Array.from(data.label, (l) => 1 - l) }, { efficiencies: [0.5], signal: "a" }, { classes: ["a", "b"] }).json.signal).toEqual({ label: 0, class: "a" });
  });
});

describe("cut_and_count: storage and the validation part", () => {
  const c = cloud(8, 1500);
  const v = cloud(9, 600);
  const data = fold(c.rows, c.label, c.weight, undefined, { rows: v.rows, label: v.label, weight: v.weight });

  it("reports each box on the validation part, as an independent count gives", () => {
    const m = fitCuts(data, { efficiencies: [0.8, 0.4] }, { classes: CLASSES }).toJSON();
    for (const box of m.boxes) {
      let s = 0;
      let b = 0;
      let sAll = 0;
      v.rows.forEach((x, i) => {
        const inside = box.cuts.every((cut) => (cut.above === null || x[cut.feature] > cut.above) && (cut.below === null || x[cut.feature] < cut.below));
        if (v.label[i] === 1) sAll += v.weight[i];
        if (!inside) return;
        if (v.label[i] === 1) s += v.weight[i];
        else b += v.weight[i];
      });
      expect(box.validation!.signal).toBeCloseTo(s, 4);
      expect(box.validation!.background).toBeCloseTo(b, 4);
      expect(box.validation!.signalEfficiency!).toBeCloseTo(s / sAll, 6);
    }
    expect(fitCuts(fold(c.rows, c.label), { efficiencies: [0.5] }, { classes: CLASSES }).json.boxes[0].validation).toBeNull();
  });

  it("loads from its JSON and scores the same; a damaged record or wrong columns are HEP6072 and HEP6073", () => {
    const m = fitCuts(data, { efficiencies: [0.8, 0.4] }, { classes: CLASSES });
    const loaded = MODEL_RUNTIMES.cut_and_count.load(JSON.parse(JSON.stringify(m.toJSON())));
    expect(loaded.predict(data.columns, data.n)).toEqual(m.predict(data.columns, data.n));
    expect(cutsToHep(loaded, ["a", "b", "c"])).toEqual(cutsToHep(m.json, ["a", "b", "c"]));
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof CutsError ? e.code : String(e);
      }
      return "no error";
    };
    expect(code(() => CutsModel.load({ ...m.json, format: "hepc-cuts/0" }))).toBe("HEP6072");
    expect(code(() => CutsModel.load({ ...m.json, boxes: [{ ...m.json.boxes[0], cuts: [{ feature: 7 }] }] } as unknown as CutsModelJson))).toBe("HEP6072");
    expect(code(() => m.predict(data.columns.slice(0, 2), data.n))).toBe("HEP6073");
  });
});

describe("cut_and_count: bad input", () => {
  const error = (f: () => unknown): CutsError => {
    try {
      f();
    } catch (e) {
      if (e instanceof CutsError) return e;
      throw e;
    }
    throw new Error("no error");
  };

  it("a target no box reaches is HEP6070, naming the target", () => {
    // four signal events: the smallest efficiency above zero is 0.25
    const rows = [[1], [2], [3], [4], [1.5], [2.5], [3.5], [0]];
    const e = error(() => fitCuts(fold(rows, [1, 1, 1, 1, 0, 0, 0, 0]), { efficiencies: [0.5, 0.1] }, { classes: CLASSES }));
    expect(e.code).toBe("HEP6070");
    expect(e.args).toMatchObject({ target: 0.1, reached: 0.25, where: "the training events" });
    // a wider tolerance accepts it
    expect(fitCuts(fold(rows, [1, 1, 1, 1, 0, 0, 0, 0]), { efficiencies: [0.1], tolerance: 0.2 }, { classes: CLASSES }).json.boxes[0].train.signalEfficiency).toBe(0.25);
  });

  it("more than two classes, an unknown signal class, a total weight that is not positive, a bad option are HEP6071", () => {
    const d = fold([[1], [2], [3]], [0, 1, 2]);
    expect(error(() => fitCuts(d, {}, { classes: ["a", "b", "c"] })).code).toBe("HEP6071");
    const two = fold([[1], [2], [3], [4]], [0, 1, 0, 1], [1, 1, 1, -2]);
    expect(error(() => fitCuts(two, {}, { classes: ["x", "y"], })).args.detail).toMatch(/signal \('y'\) weights .* sum to -1/);
    expect(error(() => fitCuts(two, { signal: "z" }, { classes: ["x", "y"] })).args.detail).toMatch(/'z' is not a class/);
    expect(error(() => fitCuts(two, { efficiencies: [1.5] }, { classes: ["x", "y"] })).code).toBe("HEP6071");
  });
});

describe("cut_and_count: options as the checker sees them", () => {
  const HEADER = `analysis t { lumi 50 /pb }
sample st {
  files "../../../examples/single-top/data/single_top.root"
  tree "events"
  class signal
}
sample ww {
  files "../../../examples/single-top/data/ww.root"
  tree "events"
  class background
}
features f { NJet }
region r = NJet > 0
`;
  const errors = async (options: string) => {
    const c = await compileText(`${HEADER}model m = cut_and_count(f) { ${options} }\ntrain m { on r }\n`);
    return summary(c).filter((_, i) => c.diagnostics[i].severity === "error");
  };

  it("accepts the options and refuses values out of bounds", async () => {
    expect(await errors("steps 40 efficiencies [0.9, 0.7, 0.5] optimise significance tolerance 0.1 nested true signal signal")).toEqual([]);
    expect(await errors("efficiencies [0.9, 1.5]")).toEqual(["HEP4006@14:43"]);
    expect(await errors("efficiencies []")).toEqual(["HEP4006@14:43"]);
    expect(await errors("optimise purity")).toEqual(["HEP4006@14:39"]);
  });
});
