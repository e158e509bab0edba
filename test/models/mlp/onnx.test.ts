/**
 * The mlp's ONNX export run in onnxruntime-node: per fold and fold-averaged scores agree with
 * hepc's own (its scalers, then the network) to 1e-5 on every event, missing values included, for
 * a binary network and a three-class one with batch norm; the graph uses plain operators only.
 */
import { InferenceSession, Tensor } from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { MODEL_RUNTIMES } from "../../../runtime/models/index.js";
import { fitMlp, mlpToOnnx, type MlpModel } from "../../../runtime/models/mlp/index.js";
import { applyScalers } from "../../../runtime/train/scaling.js";
import type { FittedScaler } from "../../../runtime/train/types.js";
import { fold, lcg, ring } from "./data.js";

function scalersFor(F: number, r: () => number): FittedScaler[] {
  return Array.from({ length: F }, (_, f): FittedScaler => {
    if (f === 3) return { kind: "log", fn: "log", a: 0.7, b: -0.2, lo: -Infinity, hi: Infinity };
    if (f === 1) return { kind: "manual", fn: "identity", a: 0.5 + r(), b: r() - 0.5, lo: -1, hi: 1 };
    return { kind: "normal", fn: "identity", a: 1 / (0.8 + 0.4 * r()), b: 0.1 * (r() - 0.5), lo: -Infinity, hi: Infinity };
  });
}

describe("ONNX export of the mlp", () => {
  for (const [classes, opts] of [
    [2, { layers: [16, 8], activation: "relu" }],
    [3, { layers: [12], activation: "elu", batch_norm: true }],
    [2, { layers: [6, 6], activation: "selu" }],
    [2, { layers: [6], activation: "tanh" }],
    [2, { layers: [6], activation: "sigmoid", batch_norm: true }],
  ] as const) {
    it(`agrees with hepc's scores to 1e-5 (${classes} classes, ${opts.activation}${"batch_norm" in opts ? ", batch norm" : ""}, 3 folds, missing values, scaling)`, async () => {
      const F = 5;
      const n = 1500;
      const raw = ring(n, 21, F);
      const r = lcg(9);
      // positive values for the log feature, some missing values everywhere
      for (let i = 0; i < n; i++) raw.columns[3][i] = Math.exp(raw.columns[3][i]);
      for (let i = 0; i < n; i += 7) raw.columns[i % F][i] = NaN;
      if (classes === 3) for (let i = 0; i < n; i++) if (raw.columns[2][i] > 0.8) raw.label[i] = 2;
      const names = ["a", "b", "c", "d", "e"];
      const models: MlpModel[] = [];
      const scalers: FittedScaler[][] = [];
      for (let k = 0; k < 3; k++) {
        const s = scalersFor(F, r);
        const cols = applyScalers(raw.columns, s);
        const m = await fitMlp(fold({ columns: cols, label: raw.label, weight: raw.weight, n }), { ...opts, epochs: 2, batch: 64, learning_rate: 0.01 }, { seed: k, threads: 1, classes: ["x", "y", "z"].slice(0, classes) });
        models.push(m);
        scalers.push(s);
      }
      const bytes = mlpToOnnx(models, scalers, names);
      // the executor's route: the model kind's toOnnx over the folds as loaded from their JSON
      const loaded = models.map((m) => MODEL_RUNTIMES.mlp.load(JSON.parse(JSON.stringify(m.toJSON()))));
      expect(Buffer.from(MODEL_RUNTIMES.mlp.toOnnx!(loaded, scalers, names)).equals(Buffer.from(bytes))).toBe(true);
      const x = new Float64Array(n * F);
      for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) x[i * F + f] = raw.columns[f][i];
      const session = await InferenceSession.create(bytes, { logSeverityLevel: 3 });
      expect(session.inputNames).toEqual(["features"]);
      expect(session.outputNames).toEqual(["score", "score_fold0", "score_fold1", "score_fold2"]);
      const out = await session.run({ features: new Tensor("float64", x, [n, F]) });
      const k = classes === 2 ? 1 : classes;
      const mean = new Float64Array(n * k);
      let worst = 0;
      models.forEach((m, f) => {
        const p = m.predict(applyScalers(raw.columns, scalers[f]), n);
        const o = out[`score_fold${f}`].data as Float64Array;
        expect(o.length).toBe(n * k);
        for (let i = 0; i < n * k; i++) {
          worst = Math.max(worst, Math.abs(o[i] - p[i]));
          mean[i] += p[i] / 3;
        }
      });
      const score = out.score.data as Float64Array;
      for (let i = 0; i < n * k; i++) worst = Math.max(worst, Math.abs(score[i] - mean[i]));
      expect(worst).toBeLessThan(1e-5);
      // the scores vary: the comparison is not between constants
      expect(Math.max(...score) - Math.min(...score)).toBeGreaterThan(0.05);
    });
  }

  it("a single model has one output, `score`", async () => {
    const d = ring(300, 5, 3);
    const m = await fitMlp(fold(d), { layers: [4], epochs: 1 }, { seed: 1, threads: 1, classes: ["b", "s"] });
    const session = await InferenceSession.create(mlpToOnnx([m], [[]], ["u", "v", "w"]), { logSeverityLevel: 3 });
    expect(session.outputNames).toEqual(["score"]);
    const x = new Float64Array(300 * 3);
    for (let i = 0; i < 300; i++) for (let f = 0; f < 3; f++) x[i * 3 + f] = d.columns[f][i];
    const out = (await session.run({ features: new Tensor("float64", x, [300, 3]) })).score.data as Float64Array;
    const p = m.predict(d.columns, 300);
    for (let i = 0; i < 300; i++) expect(Math.abs(out[i] - p[i])).toBeLessThan(1e-5);
  });

  it("refuses folds that do not match the names", async () => {
    const m = await fitMlp(fold(ring(100, 5, 3)), { layers: [4], epochs: 1 }, { seed: 1, threads: 1, classes: ["b", "s"] });
    expect(() => mlpToOnnx([m], [[]], ["u", "v"])).toThrow(/takes 3 features, 2 are named/);
    expect(() => mlpToOnnx([], [], ["u"])).toThrow(/no fold models/);
  });
});
