/**
 * A realistic ReportInput, built the way the executor builds one: scored events (seeded, from
 * overlapping Gaussians) evaluated by runtime/evaluate and turned into a metrics document.
 * A binary tau-ID-like BDT with a reference discriminant, 3 folds, working points flat in
 * pt × |η| bins (the last pt bin holds no events), and a 3-class MLP.
 */
import { buildMetricsDocument, evaluateModel, type EvaluateSpec, type EvaluationResult, type ScoredEvents } from "../../runtime/evaluate/index.js";
import type { ReportInput } from "../../report/index.js";

function rng(seed: number) {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return { u, gauss };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export const PT_EDGES = [20, 30, 50, 100, 500];
export const ETA_EDGES = [0, 1.5, 2.5];
export const FEATURE_BINS = 30;
export const SCORE_BINS = 40;

export interface Fixture { input: ReportInput; results: EvaluationResult[] }

export function binaryEvents(n: number, seed = 1): { ev: ScoredEvents; ref: ScoredEvents; pt: Float64Array; eta: Float64Array } {
  const r = rng(seed);
  const label = new Int32Array(n), weight = new Float64Array(n), fold = new Int32Array(n), train = new Uint8Array(n);
  const bdt = new Float64Array(n), cut = new Float64Array(n), pt = new Float64Array(n), eta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = r.u() < 0.4 ? 1 : 0;
    label[i] = s ? 0 : 1; // class 0: tau (signal), 1: jet
    weight[i] = s ? 1 : 0.5 + r.u();
    fold[i] = i % 3;
    train[i] = r.u() < 0.5 ? 1 : 0;
    pt[i] = Math.min(99.9, 20 + (s ? 25 : 12) * -Math.log(1 - r.u()));
    eta[i] = Math.min(2.49, Math.abs(r.gauss() * 1.2));
    const sep = s ? 1.6 : -1.0;
    bdt[i] = sigmoid(sep + r.gauss() * 1.1 + (train[i] ? (s ? 0.15 : -0.15) : 0));
    cut[i] = sigmoid((s ? 0.9 : -0.6) + r.gauss() * 1.2);
  }
  const vars = [pt, eta];
  return { ev: { scores: [bdt], label, weight, fold, train, vars }, ref: { scores: [cut], label, weight, fold, vars }, pt, eta };
}

function multiclassEvents(n: number, seed = 7): ScoredEvents {
  const r = rng(seed);
  const label = new Int32Array(n), weight = new Float64Array(n), fold = new Int32Array(n), train = new Uint8Array(n);
  const s = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  for (let i = 0; i < n; i++) {
    const c = Math.floor(r.u() * 3);
    label[i] = c; weight[i] = 1; fold[i] = i % 2; train[i] = r.u() < 0.5 ? 1 : 0;
    const z = [0, 1, 2].map((k) => (k === c ? 1.3 : 0) + r.gauss());
    const m = Math.max(...z), e = z.map((v) => Math.exp(v - m)), t = e[0] + e[1] + e[2];
    for (let k = 0; k < 3; k++) s[k][i] = e[k] / t;
  }
  return { scores: s, label, weight, fold, train };
}

function histogram(values: Float64Array, label: Int32Array, weight: Float64Array, cls: number, edges: number[]) {
  const nb = edges.length - 1, sumw = new Array(nb).fill(0), sumw2 = new Array(nb).fill(0);
  for (let i = 0; i < values.length; i++) {
    if (label[i] !== cls) continue;
    const x = values[i];
    if (x < edges[0] || x >= edges[nb]) continue;
    const k = Math.min(nb - 1, Math.floor(((x - edges[0]) / (edges[nb] - edges[0])) * nb));
    sumw[k] += weight[i]; sumw2[k] += weight[i] * weight[i];
  }
  return { sumw, sumw2 };
}

function curve(rounds: number, start: number, end: number, gap: number, seed: number) {
  const r = rng(seed);
  const train = Array.from({ length: rounds }, (_, k) => end + (start - end) * Math.exp(-k / 12) + r.u() * 0.002);
  const valid = train.map((v, k) => v + gap * (1 - Math.exp(-k / 20)) + r.u() * 0.004);
  return { train, valid };
}

export function buildFixture(nBinary = 12_000, nMulti = 6_000): Fixture {
  const { ev, ref, pt, eta } = binaryEvents(nBinary);
  const bins = [{ variable: "tau_pt", edges: PT_EDGES }, { variable: "tau_abseta", edges: ETA_EDGES }];
  const wps = [{ name: "Loose", target: 0.9 }, { name: "Medium", target: 0.7 }, { name: "Tight", target: 0.5 }];
  const base: EvaluateSpec = { model: "bdt", region: "SR", classes: ["tau", "jet"], signal: 0, kind: "binary", bins, workingPoints: wps, flatWorkingPoints: true, bootstrap: { replicates: 50, seed: 3 }, histogramBins: SCORE_BINS };
  const results: EvaluationResult[] = [];
  for (const [events, spec] of [[ev, base], [ref, { ...base, model: "cut_based" }], [multiclassEvents(nMulti), { model: "mlp", region: "SR", classes: ["ttH", "ttbar", "wjets"], kind: "multiclass", bootstrap: false, histogramBins: SCORE_BINS } as EvaluateSpec]] as const) {
    const res = evaluateModel(events, spec);
    if ("error" in res) throw new Error(res.error.message);
    results.push(res);
  }
  const doc = buildMetricsDocument(results, { maxCurvePoints: 400 });
  const ptEdges = Array.from({ length: FEATURE_BINS + 1 }, (_, k) => 20 + k * 4);
  const etaEdges = Array.from({ length: FEATURE_BINS + 1 }, (_, k) => (k * 2.5) / FEATURE_BINS);
  const bdtCurves = [0, 1, 2].map((f) => ({ fold: f, ...curve(80, 0.69, 0.42, 0.03, 10 + f), bestIteration: 60 + f }));
  const mlpCurves = [0, 1].map((f) => {
    const c = curve(25, 1.1, 0.75, 0.05, 20 + f);
    return { fold: f, train: c.train, valid: c.valid.map((v, k) => (k % 5 === 4 ? null : v)) };
  });
  const input: ReportInput = {
    analysis: { name: "tau_id", title: "Tau identification", source: "examples/tau-id/analysis.hep", planHash: "5f0c2a9be1d34c7a8e6b00f1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f" },
    inputs: [
      { path: "data/tau_signal.root", size: 48_213_776, sha256: "9a1f2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9" },
      { path: "data/qcd_jets.root", size: 120_884_001, mtime: "2026-11-30T12:00:00Z" },
    ],
    tools: { hepc: "0.1.0", node: "20.19.0", vega: "6", "vega-lite": "6" },
    units: { tau_pt: "GeV" },
    cutflows: [{
      name: "cutflow.json", regions: ["SR", "CR_empty"],
      samples: [
        { sample: "tau_signal", class: "tau", entries: 50_000, selected: { raw: 31_000, weighted: 31_000, sumw2: 31_000 }, regions: { SR: { raw: 4_800, weighted: 4_800, sumw2: 4_800 }, CR_empty: { raw: 0, weighted: 0, sumw2: 0 } } },
        { sample: "qcd_jets", class: "jet", entries: 200_000, selected: { raw: 90_000, weighted: 91_234.5, sumw2: 100_211.25 }, regions: { SR: { raw: 7_200, weighted: 7_190.25, sumw2: 7_900.5 }, CR_empty: { raw: 0, weighted: 0, sumw2: 0 } } },
      ],
    }],
    features: [
      { feature: "tau_pt", region: "SR", edges: ptEdges, classes: [0, 1].map((c) => ({ class: c === 0 ? "tau" : "jet", ...histogram(pt, ev.label, ev.weight, c, ptEdges) })) },
      { feature: "tau_abseta", region: "SR", edges: etaEdges, classes: [0, 1].map((c) => ({ class: c === 0 ? "tau" : "jet", ...histogram(eta, ev.label, ev.weight, c, etaEdges) })) },
      { feature: "tau_pt", region: "CR_empty", edges: ptEdges, classes: ["tau", "jet"].map((c) => ({ class: c, sumw: new Array(FEATURE_BINS).fill(0), sumw2: new Array(FEATURE_BINS).fill(0) })) },
    ],
    models: [
      { name: "bdt", kind: "gbdt", classes: ["tau", "jet"], loss: "Log loss", step: "round", training: bdtCurves, metrics: doc, reference: "cut_based" },
      { name: "cut_based", kind: "score", classes: ["tau", "jet"], training: [], metrics: doc },
      { name: "mlp", kind: "mlp", classes: ["ttH", "ttbar", "wjets"], loss: "Cross-entropy", step: "epoch", training: mlpCurves, metrics: doc },
      { name: "broken", kind: "onnx", classes: ["a", "b"], training: [], metrics: null, metricsReason: "the model's output has 3 columns, the train block 2 classes" },
    ],
  };
  return { input, results };
}
