/**
 * Training end to end: a learnable problem reaches a high AUC on fresh events, the same seed
 * gives the same JSON, early stopping keeps the best epoch's weights, divergence is HEP6060 with
 * its epoch, bad options and data are HEP6063, and a stored model scores as the fitted one.
 */
import { describe, expect, it } from "vitest";
import { MODEL_RUNTIMES } from "../../../runtime/models/index.js";
import { fitMlp, kernelBackend, MlpError, MlpModel } from "../../../runtime/models/mlp/index.js";
import { partLoss } from "../../../runtime/models/mlp/train.js";
import { auc, fold, lcg, ring } from "./data.js";

const ctx = (seed = 7) => ({ seed, threads: 1, classes: ["background", "signal"] });

describe("mlp training", () => {
  it("is registered as the mlp model kind", () => {
    expect(MODEL_RUNTIMES.mlp).toBeDefined();
  });

  it("learns a ring: held-out AUC above 0.97, losses fall, the backend is named", async () => {
    const train = ring(6000, 1);
    const test = ring(3000, 2);
    const rounds: number[] = [];
    const m = await MODEL_RUNTIMES.mlp.fit(fold(train, ring(1000, 3)), { layers: [32, 32], epochs: 30, batch: 64, learning_rate: 0.01, patience: 0 }, { ...ctx(), onRound: (r) => rounds.push(r) });
    const p = m.predict(test.columns, test.n);
    expect(auc(p, test.label, test.weight)).toBeGreaterThan(0.97);
    expect(rounds).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(m.curves!.train.length).toBe(30);
    expect(m.curves!.train[29]).toBeLessThan(m.curves!.train[0] * 0.5);
    expect((m.toJSON() as { backend: string }).backend).toBe(kernelBackend());
    expect(kernelBackend()).toBe("hepc-wasm-simd"); // Node 20 has WebAssembly SIMD
  });

  it("three classes with softmax: each class's score ranks it first", async () => {
    const d = ring(4000, 4);
    // class 2: far out on the first feature
    for (let i = 0; i < d.n; i++) if (d.columns[0][i] > 1.2) d.label[i] = 2;
    const m = await fitMlp(fold(d), { layers: [16], epochs: 25, batch: 32, learning_rate: 0.01, optimiser: "sgd", momentum: 0.9, schedule: "cosine" }, { ...ctx(), classes: ["a", "b", "c"] });
    const t = ring(2000, 5);
    for (let i = 0; i < t.n; i++) if (t.columns[0][i] > 1.2) t.label[i] = 2;
    const p = m.predict(t.columns, t.n);
    for (let c = 0; c < 3; c++) {
      const s = Float64Array.from({ length: t.n }, (_, i) => p[i * 3 + c]);
      expect(auc(s, Int32Array.from(t.label, (l) => (l === c ? 1 : 0)))).toBeGreaterThan(0.95);
    }
    for (let i = 0; i < t.n; i++) expect(p[i * 3] + p[i * 3 + 1] + p[i * 3 + 2]).toBeCloseTo(1, 12);
  });

  it("the same seed gives the same JSON; another seed other weights", async () => {
    const d = fold(ring(1500, 6), ring(300, 7));
    const opts = { layers: [8, 8], epochs: 4, batch: 50, dropout: 0.2, batch_norm: true, l2: 1e-3 };
    const a = JSON.stringify((await fitMlp(d, opts, ctx(3))).toJSON());
    const b = JSON.stringify((await fitMlp(d, opts, ctx(3))).toJSON());
    const c = JSON.stringify((await fitMlp(d, opts, ctx(4))).toJSON());
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it("early stopping keeps the weights of the epoch with the lowest validation loss", async () => {
    // the validation labels are noise: the validation loss soon rises while the training loss falls
    const train = ring(400, 8);
    const valid = ring(400, 9);
    const r = lcg(1);
    for (let i = 0; i < valid.n; i++) valid.label[i] = r() < 0.5 ? 1 : 0;
    const m = await fitMlp(fold(train, valid), { layers: [64, 64], epochs: 200, batch: 16, learning_rate: 0.01, patience: 3 }, ctx());
    const v = m.curves!.valid;
    const best = v.indexOf(Math.min(...v)) + 1;
    expect(m.bestIteration).toBe(best);
    expect(v.length).toBe(best + 3); // stopped after 3 epochs without improvement
    expect(v.length).toBeLessThan(200);
    // the kept network scores the validation part exactly as at the best epoch, not the last
    expect(partLoss(m.net, valid)).toBe(v[best - 1]);
    expect(v[v.length - 1]).toBeGreaterThan(v[best - 1]);
  });

  it("a stored model loads and scores exactly as the fitted one", async () => {
    const d = ring(800, 10);
    const m = await fitMlp(fold(d), { layers: [8], epochs: 2, batch: 64, batch_norm: true }, ctx());
    const json = JSON.parse(JSON.stringify(m.toJSON()));
    const back = MODEL_RUNTIMES.mlp.load(json);
    expect(Array.from(back.predict(d.columns, d.n))).toEqual(Array.from(m.predict(d.columns, d.n)));
    expect(JSON.stringify(back.toJSON())).toBe(JSON.stringify(json));
  });

  it("missing values (NaN) are trained and scored as 0", async () => {
    const d = ring(600, 11);
    const withNaN = ring(600, 11);
    for (let i = 0; i < d.n; i += 3) {
      withNaN.columns[2][i] = NaN;
      d.columns[2][i] = 0;
    }
    const opts = { layers: [8], epochs: 2, batch: 32 };
    const a = await fitMlp(fold(d), opts, ctx());
    const b = await fitMlp(fold(withNaN), opts, ctx());
    expect(JSON.stringify(b.toJSON())).toBe(JSON.stringify(a.toJSON()));
    expect(Array.from(b.predict(withNaN.columns, d.n))).toEqual(Array.from(a.predict(d.columns, d.n)));
  });
});

describe("bad input", () => {
  it("a diverging network stops with HEP6060 naming the epoch", async () => {
    const d = ring(500, 12);
    for (let i = 0; i < d.n; i++) d.columns[0][i] *= 1e30; // inputs that overflow float32 products
    const err = await fitMlp(fold(d), { layers: [16], epochs: 5, batch: 50, learning_rate: 10, optimiser: "sgd" }, ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MlpError);
    expect((err as MlpError).code).toBe("HEP6060");
    expect((err as MlpError).args.epoch).toBe(1);
  });

  it("a run interrupted during training stops with HEP6005 (the executor's interrupted run)", async () => {
    const ac = new AbortController();
    let epochs = 0;
    const fit = fitMlp(fold(ring(500, 15)), { layers: [8], epochs: 50, batch: 50 }, { ...ctx(), signal: ac.signal, onRound: () => ++epochs === 2 && ac.abort() });
    await expect(fit).rejects.toMatchObject({ code: "HEP6005" });
    expect(epochs).toBe(2);
  });

  it("options out of range, one class, labels outside the classes: HEP6063", async () => {
    const d = fold(ring(100, 13));
    const code = async (opts: object, c = ctx()) => ((await fitMlp(d, opts, c).catch((e: unknown) => e)) as MlpError).code;
    expect(await code({ activation: "swish" })).toBe("HEP6063");
    expect(await code({ layers: [0] })).toBe("HEP6063");
    expect(await code({ dropout: 1 })).toBe("HEP6063");
    expect(await code({}, { ...ctx(), classes: ["only"] })).toBe("HEP6063");
    d.label[5] = 2;
    expect(await code({ epochs: 1 })).toBe("HEP6063");
  });

  it("a damaged stored model is HEP6061, columns of another width HEP6062", async () => {
    const m = await fitMlp(fold(ring(100, 14)), { layers: [4], epochs: 1 }, ctx());
    const j = m.toJSON() as { network: { hidden: Array<{ W: string }> } };
    const broken = structuredClone(j);
    broken.network.hidden[0].W = broken.network.hidden[0].W.slice(0, 8);
    expect(() => MlpModel.fromJSON(broken)).toThrow(expect.objectContaining({ code: "HEP6061" }));
    expect(() => MlpModel.fromJSON({ format: "other" })).toThrow(expect.objectContaining({ code: "HEP6061" }));
    expect(() => m.predict([new Float32Array(3)], 3)).toThrow(expect.objectContaining({ code: "HEP6062" }));
  });
});
