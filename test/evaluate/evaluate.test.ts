/**
 * A whole evaluation: figures overall, per fold and per bin against an independent AUC (every
 * signal–background pair compared, weighted, in the test), the metrics document valid against its
 * schema, empty bins and one-class regions reported with reasons, never NaN.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildMetricsDocument, evaluateModel, validateMetrics, type EvaluationResult, type ScoredEvents } from "../../runtime/evaluate/index.js";

/** Weighted Mann–Whitney: Σ w_s w_b ([s > b] + ½[s = b]) / (Σw_s Σw_b), by brute force. */
function pairAuc(score: ArrayLike<number>, isS: (i: number) => boolean, weight: ArrayLike<number>, keep: (i: number) => boolean): number {
  const S: number[] = [], B: number[] = [];
  for (let i = 0; i < score.length; i++) if (keep(i) && weight[i] !== 0) (isS(i) ? S : B).push(i);
  let num = 0, ws = 0, wb = 0;
  for (const s of S) ws += weight[s];
  for (const b of B) wb += weight[b];
  for (const s of S) for (const b of B) num += weight[s] * weight[b] * (score[s] > score[b] ? 1 : score[s] === score[b] ? 0.5 : 0);
  return num / (ws * wb);
}

function lcg(seed: number) {
  let x = seed;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
}

function binaryEvents(n: number, seed: number): ScoredEvents {
  const u = lcg(seed);
  const label = Int32Array.from({ length: n }, () => (u() < 0.45 ? 0 : 1)); // class 0 is the signal
  const score = Float64Array.from(label, (l) => Math.round(Math.min(1, Math.max(0, (l === 0 ? 0.62 : 0.4) + 0.25 * (u() + u() - 1))) * 40) / 40);
  const weight = Float64Array.from({ length: n }, () => (u() < 0.06 ? -0.5 : 0.5 + u()));
  const fold = Int32Array.from({ length: n }, (_, i) => i % 3);
  const train = Uint8Array.from({ length: n }, () => (u() < 0.3 ? 1 : 0));
  const pt = Float64Array.from({ length: n }, () => 20 + 100 * u());
  const eta = Float64Array.from({ length: n }, () => 2.4 * u());
  return { scores: [score], label, weight, fold, train, vars: [pt, eta] };
}

describe("evaluateModel, binary", () => {
  const ev = binaryEvents(900, 3);
  const res = evaluateModel(ev, {
    model: "bdt", region: "SR", classes: ["sig", "bkg"], signal: 0, kind: "binary",
    bins: [{ variable: "pt", edges: [20, 50, 80, 120, 200] }, { variable: "abs_eta", edges: [0, 1.2, 2.4] }],
    workingPoints: [{ name: "Tight", target: 0.5 }, { name: "Loose", target: 0.9 }, { name: "Wrong", target: 1 }],
    flatWorkingPoints: true,
    bootstrap: { replicates: 50, seed: 3 },
    significance: { relUnc: 0.1 },
  }) as EvaluationResult;

  it("computes AUCs equal to an independent pairwise count, overall, per fold and per bin", () => {
    expect("error" in res).toBe(false);
    const s = ev.scores[0];
    const isS = (i: number) => ev.label[i] === 0;
    const heldOut = (i: number) => ev.train![i] === 0;
    for (const sec of res.sections) {
      if (sec.kind !== "binary") throw new Error("binary expected");
      const { fold, bin } = sec.where;
      const inBin = (i: number) => !bin || bin.ranges.every((r, a) => ev.vars![a][i] >= r.lo && ev.vars![a][i] < r.hi);
      const keep = (i: number) => heldOut(i) && (fold === "all" || ev.fold![i] === fold) && inBin(i);
      if (typeof sec.auc !== "number") {
        // only the empty pt bin (120–200) may lack an AUC
        expect(bin?.ranges[0].lo).toBe(120);
        continue;
      }
      expect(sec.auc).toBeCloseTo(pairAuc(s, isS, ev.weight, keep), 12);
    }
    // 1 overall + 3 folds, each with itself and 8 bins
    expect(res.sections.length).toBe(4 * 9);
  });

  it("writes a metrics document that validates, with every null explained", () => {
    const doc = buildMetricsDocument([res], { maxCurvePoints: 100 });
    const v = validateMetrics(doc);
    expect(v).toEqual({ ok: true });
    const text = JSON.stringify(doc);
    expect(text).not.toMatch(/NaN|Infinity/);
    for (const list of [doc.figures, doc.working_points, doc.efficiencies]) {
      for (const f of list) {
        const value = "value" in f ? f.value : f.threshold;
        if (value === null) expect(typeof f.reason).toBe("string");
      }
    }
    // the empty bin: reported, with its reason
    const empty = doc.figures.filter((f) => f.metric === "auc" && (f.bin as { ranges: { lo: number }[] } | null)?.ranges[0].lo === 120);
    expect(empty.length).toBe(8); // 2 η bins × (all + 3 folds)
    expect(empty.every((f) => f.value === null && f.reason === "no signal events")).toBe(true);
    expect(doc.issues.some((i) => i.code === "HEP6051" && i.message.includes("has no signal events"))).toBe(true);
    // the bad target: an error, and a null working point with its reason
    expect(doc.issues.filter((i) => i.code === "HEP6052").length).toBe(1);
    expect(doc.working_points.find((w) => w.name === "Wrong" && w.bin === null)).toMatchObject({ threshold: null, reason: "target 1 is outside (0, 1)" });
    // bootstrap interval around the AUC
    const overall = doc.figures.find((f) => f.metric === "auc" && f.fold === "all" && f.bin === null)!;
    const iv = overall.interval as { lo: number; hi: number };
    expect(iv.lo).toBeLessThan(overall.value as number);
    expect(iv.hi).toBeGreaterThan(overall.value as number);
    // the document is invalid when a figure has no model
    const broken = structuredClone(doc);
    delete (broken.figures[0] as Record<string, unknown>).model;
    expect(validateMetrics(broken).ok).toBe(false);
  });

  it("gives the overtraining test per class and fold, and efficiencies per bin for every working point", () => {
    expect(res.overtraining.length).toBe(2 * 4);
    for (const o of res.overtraining) expect("d" in o.ks).toBe(true);
    const tight = res.efficiencies.filter((e) => e.workingPoint === "Tight" && e.thresholds === "flat" && e.class === "signal");
    expect(tight.length).toBe(1);
    for (const [b, e] of tight[0].bins.entries()) {
      if ("reason" in e) expect(res.bins![b].ranges[0].lo).toBe(120);
      else expect(e.value).toBeGreaterThanOrEqual(0.5);
    }
  });

  it("is deterministic", () => {
    const again = evaluateModel(ev, {
      model: "bdt", region: "SR", classes: ["sig", "bkg"], signal: 0, kind: "binary",
      bins: [{ variable: "pt", edges: [20, 50, 80, 120, 200] }, { variable: "abs_eta", edges: [0, 1.2, 2.4] }],
      workingPoints: [{ name: "Tight", target: 0.5 }, { name: "Loose", target: 0.9 }, { name: "Wrong", target: 1 }],
      flatWorkingPoints: true, bootstrap: { replicates: 50, seed: 3 }, significance: { relUnc: 0.1 },
    }) as EvaluationResult;
    expect(JSON.stringify(buildMetricsDocument([again]))).toBe(JSON.stringify(buildMetricsDocument([res])));
  });
});

describe("evaluateModel, multiclass and bad input", () => {
  it("one-vs-rest, one-vs-one and argmax confusion per fold, in a valid document", () => {
    const u = lcg(9);
    const n = 300;
    const label = Int32Array.from({ length: n }, () => Math.floor(u() * 3));
    const raw = [0, 1, 2].map((c) => Float64Array.from(label, (l) => u() + (l === c ? 0.6 : 0)));
    const res = evaluateModel({ scores: raw, label, weight: new Float64Array(n).fill(1), fold: Int32Array.from({ length: n }, (_, i) => i % 2) }, {
      model: "dnn", region: "all", classes: ["tt", "w", "qcd"], kind: "multiclass", bootstrap: false,
    }) as EvaluationResult;
    expect(res.sections.length).toBe(3);
    const doc = buildMetricsDocument([res]);
    expect(validateMetrics(doc)).toEqual({ ok: true });
    const pair = doc.figures.find((f) => f.metric === "ovo_auc" && f.class === "tt" && f.vs === "w" && f.fold === "all")!;
    const inPair = (i: number) => label[i] === 0 || label[i] === 1;
    const ones = new Float64Array(n).fill(1);
    const expected = (pairAuc(raw[0], (i) => label[i] === 0, ones, inPair) + pairAuc(raw[1], (i) => label[i] === 1, ones, inPair)) / 2;
    expect(pair.value as number).toBeCloseTo(expected, 12);
  });

  it("refuses inconsistent input with HEP6050, without throwing", () => {
    const r = evaluateModel({ scores: [Float64Array.from([0.1, NaN])], label: Int32Array.from([0, 1]), weight: Float64Array.from([1, 1]) }, { model: "m", region: "r", classes: ["s", "b"], kind: "binary" });
    expect(r).toMatchObject({ error: { code: "HEP6050", message: "evaluation of model 'm' in region 'r': event 1 has score NaN in output 0" } });
    const r2 = evaluateModel({ scores: [Float64Array.from([0.1])], label: Int32Array.from([0, 1]), weight: Float64Array.from([1, 1]) }, { model: "m", region: "r", classes: ["s", "b"], kind: "binary" });
    expect(r2).toMatchObject({ error: { code: "HEP6050" } });
    const ok = { scores: [Float64Array.from([0.1, 0.2])], label: Int32Array.from([0, 1]), weight: Float64Array.from([1, 1]) };
    expect(evaluateModel(ok, { model: "m", region: "r", classes: ["s", "b"], kind: "binary", cl: 1.5 })).toMatchObject({ error: { code: "HEP6050", message: expect.stringContaining("confidence level 1.5") } });
    expect(evaluateModel(ok, { model: "m", region: "r", classes: ["s", "b"], kind: "binary", bins: [{ variable: "x", edges: [2, 1] }] })).toMatchObject({ error: { code: "HEP6050" } });
  });
});

describe("boundaries", () => {
  it("runtime/evaluate imports neither the executor, the checker, nor I/O", () => {
    const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../runtime/evaluate");
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".ts"))) {
      const imports = [...readFileSync(path.join(dir, f), "utf8").matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
      for (const i of imports) {
        expect(i, `${f} imports ${i}`).not.toMatch(/runtime\/exec|\.\.\/exec|compiler\/check|runtime\/io|^node:/);
      }
    }
  });
});
