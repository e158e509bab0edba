import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureGbdtWorker, GbdtModel, trainGbdt } from "../../../runtime/models/gbdt/index.js";
import { configureThreads, threadPool } from "../../../runtime/threads/index.js";
import { auc, foldData, random, synthetic } from "./helpers.js";

// The threaded path needs the compiled job handler and thread entry (npm test builds dist/ before
// vitest runs).
const workerUrl = new URL("../../../dist/runtime/models/gbdt/worker.js", import.meta.url);
const entry = new URL("../../../dist/runtime/threads/worker.js", import.meta.url);
const haveDist = existsSync(fileURLToPath(workerUrl)) && existsSync(fileURLToPath(entry));

describe("gbdt: training", () => {
  beforeAll(async () => {
    configureGbdtWorker({ workerUrl: haveDist ? workerUrl : null });
    await configureThreads({ entry: haveDist ? entry : null });
  });
  afterAll(async () => {
    configureGbdtWorker({ workerUrl: undefined });
    await configureThreads({ entry: null });
  });

  it("learns a held-out part well and serialises canonically", async () => {
    const train = synthetic(6000, 8, 1);
    const test = synthetic(3000, 8, 2);
    const m = await trainGbdt(foldData(train.columns, train.label, train.weight), { trees: 40, depth: 4 }, { threads: 1 });
    const a = auc(m.predict(test.columns, 3000), test.label);
    expect(a).toBeGreaterThan(0.85);
    expect(m.curves.train.length).toBe(40);
    expect(m.curves.train[39]).toBeLessThan(m.curves.train[0]);
    const text = m.serialize();
    const back = GbdtModel.fromJSON(text);
    expect(back.serialize()).toBe(text);
    expect(Array.from(back.predict(test.columns, 3000))).toEqual(Array.from(m.predict(test.columns, 3000)));
    expect(() => GbdtModel.fromJSON('{"format":"other"}')).toThrow(/HEP6022/);
  });

  it("early stopping keeps the best iteration of the validation loss", async () => {
    // Validation labels are noise: the validation loss soon stops improving.
    const train = synthetic(3000, 6, 3);
    const valid = synthetic(1500, 6, 4);
    const r = random(9);
    valid.label = valid.label.map(() => (r() < 0.5 ? 1 : 0));
    valid.weight.fill(1);
    const rounds: number[] = [];
    const m = await trainGbdt(foldData(train.columns, train.label, train.weight, valid), { trees: 200, depth: 5, learningRate: 0.3, earlyStopping: 5 }, { threads: 1, onRound: (i) => rounds.push(i) });
    const v = m.curves.valid;
    expect(v.length).toBeLessThan(200);
    expect(v.length).toBe(m.bestIteration + 1 + 5);
    expect(Math.min(...v)).toBe(v[m.bestIteration]);
    expect(v.slice(m.bestIteration + 1).every((x) => x >= v[m.bestIteration])).toBe(true);
    expect(m.rounds).toBe(m.bestIteration + 1);
    expect(rounds).toEqual(v.map((_, i) => i));
    // The kept model scores the validation part with the best loss.
    const p = m.predict(valid.columns, 1500);
    let loss = 0;
    for (let i = 0; i < 1500; i++) loss -= Math.log(valid.label[i] ? p[i] : 1 - p[i]);
    expect(loss / 1500).toBeCloseTo(v[m.bestIteration], 6);
  });

  it("multiclass softmax: probabilities sum to 1 and beat chance", async () => {
    const train = synthetic(5000, 6, 5, 3);
    const test = synthetic(2000, 6, 6, 3);
    const m = await trainGbdt(foldData(train.columns, train.label, train.weight), { trees: 30, depth: 4 }, { threads: 1 });
    expect(m.trees.length).toBe(90);
    const p = m.predict(test.columns, 2000);
    let right = 0;
    for (let i = 0; i < 2000; i++) {
      const row = Array.from(p.subarray(3 * i, 3 * i + 3));
      expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
      if (row.indexOf(Math.max(...row)) === test.label[i]) right++;
    }
    expect(right / 2000).toBeGreaterThan(0.6);
  });

  it("is the same model, byte for byte, on 1, 2 and 3 threads", async () => {
    expect(haveDist, "build dist/ first (npm test does)").toBe(true);
    // More rows than one histogram block (16384), so the two threads share a node's blocks.
    for (const classes of [2, 3]) {
      const d = synthetic(40000, 7, 7 + classes, classes);
      const v = synthetic(5000, 7, 20 + classes, classes);
      const data = foldData(d.columns, d.label, d.weight, v);
      const params = { trees: 12, depth: 6, subsample: 0.8, colsample: 0.7, earlyStopping: 3, seed: 11 };
      const used: number[] = [];
      const one = await trainGbdt(data, params, { threads: 1, onStart: (s) => used.push(s.threads) });
      const two = await trainGbdt(data, params, { threads: 2, onStart: (s) => used.push(s.threads) });
      const three = await trainGbdt(data, params, { threads: 3, onStart: (s) => used.push(s.threads) });
      expect(used).toEqual([1, 2, 3]);
      expect(two.serialize()).toBe(one.serialize());
      expect(three.serialize()).toBe(one.serialize());
    }
    // The threads are the process's pool: three threads took two of them, and kept them.
    expect(threadPool().live()).toHaveLength(2);
  });

  it("stops with HEP6021 when a training thread dies, and trains on a fresh thread afterwards", async () => {
    expect(haveDist, "build dist/ first (npm test does)").toBe(true);
    const d = synthetic(40000, 5, 31);
    const data = foldData(d.columns, d.label, d.weight);
    // A stand-in handler whose thread exits on its first task.
    configureGbdtWorker({ workerUrl: new URL("../../fixtures/workers/gbdt-dies.mjs", import.meta.url) });
    try {
      const err = await trainGbdt(data, { trees: 3, depth: 3 }, { threads: 2 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: "GbdtError", code: "HEP6021" });
      expect((err as Error).message).toContain("exit code 9");
    } finally {
      configureGbdtWorker({ workerUrl });
    }
    const one = await trainGbdt(data, { trees: 3, depth: 3 }, { threads: 1 });
    const two = await trainGbdt(data, { trees: 3, depth: 3 }, { threads: 2 });
    expect(two.serialize()).toBe(one.serialize());
  });

  it("stops on an aborted signal", async () => {
    const d = synthetic(2000, 4, 8);
    const ac = new AbortController();
    const p = trainGbdt(foldData(d.columns, d.label, d.weight), { trees: 100 }, { threads: 1, signal: ac.signal, onRound: (i) => i === 2 && ac.abort(new Error("stop")) });
    await expect(p).rejects.toThrow("stop");
  });
});
