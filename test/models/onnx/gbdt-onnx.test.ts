import { InferenceSession, Tensor } from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { trainGbdt, type GbdtModel } from "../../../runtime/models/gbdt/index.js";
import { gbdtToOnnx } from "../../../runtime/models/onnx/index.js";
import { LOG_FLOOR, type FittedScaler } from "../../../runtime/train/types.js";
import { foldData, random, synthetic } from "../gbdt/helpers.js";

/** The scaling contract of runtime/train/types.ts, in double, rounded to float32; NaN stays NaN. */
function scale(s: FittedScaler, x: number): number {
  if (x !== x) return NaN;
  const fx = s.fn === "log" ? Math.log(Math.max(x, LOG_FLOOR)) : x;
  return Math.fround(Math.min(Math.max(s.a * fx + s.b, s.lo), s.hi));
}

const scalerKinds = (F: number, r: () => number): FittedScaler[] =>
  Array.from({ length: F }, (_, f): FittedScaler => {
    if (f % 4 === 3) return { kind: "log", fn: "log", a: 1, b: 0, lo: -Infinity, hi: Infinity };
    if (f % 4 === 1) return { kind: "manual", fn: "identity", a: 0.5 + r(), b: r() - 0.5, lo: -2, hi: 2 };
    return { kind: "normal", fn: "identity", a: 1 / (0.8 + 0.4 * r()), b: 0.1 * (r() - 0.5), lo: -Infinity, hi: Infinity };
  });

async function runOnnx(bytes: Uint8Array, raw: Float32Array[], n: number): Promise<Record<string, Float64Array>> {
  const F = raw.length;
  const x = new Float64Array(n * F);
  for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) x[i * F + f] = raw[f][i];
  const session = await InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const out = await session.run({ features: new Tensor("float64", x, [n, F]) });
  const res: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(out)) res[k] = v.data as Float64Array;
  return res;
}

describe("ONNX export of the gbdt", () => {
  for (const classes of [2, 3]) {
    it(`agrees with hepc's scores to 1e-6 on every row (${classes} classes, 3 folds, missing values, scaling)`, async () => {
      const F = 9;
      const n = 6000;
      const raw = synthetic(n, F, 40 + classes, classes, 0.15);
      const fold = Int32Array.from({ length: n }, (_, i) => i % 3);
      const r = random(3);
      const models: GbdtModel[] = [];
      const scalers: FittedScaler[][] = [];
      for (let k = 0; k < 3; k++) {
        const s = scalerKinds(F, r);
        const idx = Array.from({ length: n }, (_, i) => i).filter((i) => fold[i] !== k);
        const cols = raw.columns.map((c, f) => Float32Array.from(idx, (i) => scale(s[f], c[i])));
        const m = await trainGbdt(foldData(cols, idx.map((i) => raw.label[i]), idx.map((i) => raw.weight[i])), { trees: 25, depth: 5, learningRate: 0.3 }, { threads: 1 });
        models.push(m);
        scalers.push(s);
      }
      const bytes = gbdtToOnnx(models, scalers, Array.from({ length: F }, (_, f) => `x${f}`));
      const out = await runOnnx(bytes, raw.columns, n);
      const k = classes === 2 ? 1 : classes;
      const mean = new Float64Array(n * k);
      let worst = 0;
      for (let f = 0; f < 3; f++) {
        const cols = raw.columns.map((c, j) => Float32Array.from(c, (x) => scale(scalers[f][j], x)));
        const p = models[f].predict(cols, n);
        const o = out[`score_fold${f}`];
        expect(o.length).toBe(n * k);
        for (let i = 0; i < n * k; i++) {
          worst = Math.max(worst, Math.abs(o[i] - p[i]));
          mean[i] += p[i];
        }
      }
      for (let i = 0; i < n * k; i++) worst = Math.max(worst, Math.abs(out.score[i] - mean[i] / 3));
      if (process.env.HEPC_TEST_VERBOSE) console.log(`worst difference ${worst}`);
      expect(worst).toBeLessThanOrEqual(1e-6);
      // Missing values and both default directions were exercised.
      expect(raw.columns[2].some((x) => Number.isNaN(x))).toBe(true);
      const dirs = new Set(models.flatMap((m) => m.trees.flatMap((t) => Array.from(t.defaultLeft).filter((_, i) => t.feature[i] === 2))));
      expect(dirs).toEqual(new Set([0, 1]));
    });
  }

  it("a single model without scalers has one output, `score`", async () => {
    const d = synthetic(2000, 4, 50);
    const m = await trainGbdt(foldData(d.columns, d.label, d.weight), { trees: 10 }, { threads: 1 });
    const out = await runOnnx(gbdtToOnnx([m], [[]], ["a", "b", "c", "d"]), d.columns, 2000);
    expect(Object.keys(out)).toEqual(["score"]);
    const p = m.predict(d.columns, 2000);
    for (let i = 0; i < 2000; i++) expect(Math.abs(out.score[i] - p[i])).toBeLessThanOrEqual(1e-6);
  });
});
