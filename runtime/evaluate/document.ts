/**
 * metrics.json: every figure of a run's evaluations as flat records, each with its model, region,
 * fold and bin (metrics.schema.json). Curves are thinned for the file (ROC by sklearn's
 * drop_intermediate rule, then every curve to at most `maxCurvePoints` points, evenly by index,
 * first and last kept); figures are computed on the full curves before that. Every number is
 * finite: an undefined figure is null with its reason, an infinite threshold (the ROC point above
 * the highest score) is null.
 */
import type { EvalIssue } from "./issues.js";
import { CurvePr } from "./pr.js";
import { dropIntermediate } from "./roc.js";
import type { EvaluationResult, Where } from "./evaluate.js";
import type { BinInfo } from "./bins.js";
import type { Figure } from "./types.js";

export interface MetricsDocument {
  format: "hepc-metrics/1";
  /** The analysis header's metadata (name, experiment, sqrts, doi, arxiv), when it has any. */
  analysis?: Record<string, string>;
  models: Record<string, unknown>[];
  figures: Record<string, unknown>[];
  curves: Record<string, unknown>[];
  confusion: Record<string, unknown>[];
  working_points: Record<string, unknown>[];
  efficiencies: Record<string, unknown>[];
  histograms: Record<string, unknown>[];
  issues: { code: string; severity: string; message: string }[];
}

export interface DocumentOptions {
  maxCurvePoints?: number;
  /** Issues found outside the evaluations (e.g. a model that failed), appended. */
  issues?: EvalIssue[];
  /** The analysis header's metadata; left out of the document when empty. */
  analysis?: Record<string, string>;
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function figure(f: Figure): { value: number | null; reason?: string } {
  if (typeof f !== "number") return { value: null, reason: f.reason };
  return Number.isFinite(f) ? { value: f } : { value: null, reason: `not a finite number (${f})` };
}

function binJson(bin: BinInfo | null) {
  return bin ? { index: bin.index, ranges: bin.ranges.map((r) => ({ ...r })) } : null;
}

function thinIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, k) => k);
  const out: number[] = [];
  for (let j = 0; j < max; j++) out.push(Math.round((j * (n - 1)) / (max - 1)));
  return out;
}

export function buildMetricsDocument(results: EvaluationResult[], opts: DocumentOptions = {}): MetricsDocument {
  const max = Math.max(2, opts.maxCurvePoints ?? 1000);
  const doc: MetricsDocument = { format: "hepc-metrics/1", ...(opts.analysis && Object.keys(opts.analysis).length ? { analysis: opts.analysis } : {}), models: [], figures: [], curves: [], confusion: [], working_points: [], efficiencies: [], histograms: [], issues: [] };
  for (const r of results) {
    const base = (where: Where) => ({ model: r.model, region: r.region, fold: where.fold, bin: binJson(where.bin) });
    const axes = r.bins ? axesOf(r.bins) : null;
    doc.models.push({ model: r.model, region: r.region, kind: r.kind, classes: [...r.classes], signal: r.signal === null ? null : r.classes[r.signal], folds: r.folds, bins: axes });
    // x and y: the values, or the functions that compute the k-th (a significance scan's, a
    // precision–recall curve's), over the thresholds' points
    const curve = (where: Where, kind: string, x: ArrayLike<number> | ((k: number) => number), y: ArrayLike<number | null> | ((k: number) => number), th: ArrayLike<number>, extra: Record<string, unknown> = {}) => {
      const idx = thinIndices(th.length, max);
      const xAt = typeof x === "function" ? x : (k: number) => x[k];
      const yAt = typeof y === "function" ? y : (k: number) => y[k];
      doc.curves.push({
        ...base(where), kind, ...extra,
        x: idx.map((k) => finite(xAt(k)) ?? 0), y: idx.map((k) => { const v = yAt(k); return v === null ? null : finite(v); }), thresholds: idx.map((k) => finite(th[k])), points: th.length,
      });
    };
    for (const s of r.sections) {
      const b = base(s.where);
      if (s.kind === "binary") {
        doc.figures.push({ ...b, metric: "signal_weight", value: s.counts.signal.sumW }, { ...b, metric: "background_weight", value: s.counts.background.sumW });
        doc.figures.push({ ...b, metric: "signal_events", value: s.counts.signal.n }, { ...b, metric: "background_events", value: s.counts.background.n });
        const aucFig: Record<string, unknown> = { ...b, metric: "auc", ...figure(s.auc) };
        if (s.aucInterval && !("reason" in s.aucInterval)) {
          aucFig.interval = { ...s.aucInterval.interval };
          aucFig.bootstrap = { method: s.aucInterval.method, replicates: s.aucInterval.replicates, skipped: s.aucInterval.skipped, seed: s.aucInterval.seed };
        }
        doc.figures.push(aucFig);
        doc.figures.push({ ...b, metric: "average_precision", ...figure(s.averagePrecision) });
        doc.figures.push({ ...b, metric: "separation", ...figure(s.separation) });
        for (const x of s.rejection) doc.figures.push({ ...b, metric: "rejection", at: { signal_efficiency: x.at }, ...figure(x.value) });
        for (const x of s.signalEfficiency) doc.figures.push({ ...b, metric: "signal_efficiency", at: { background_efficiency: x.at }, ...figure(x.value) });
        for (const sig of s.significance) {
          const extra = sig.kind === "asimov" ? { kind: sig.kind, background_uncertainty: sig.scan.relUnc } : { kind: sig.kind };
          for (const a of sig.at) doc.figures.push({ ...b, metric: "significance", ...extra, at: { threshold: a.threshold }, ...figure(a.value) });
          const best = sig.scan.best;
          if (best.value === null) doc.figures.push({ ...b, metric: "best_significance", ...extra, value: null, reason: (best as { reason: string }).reason });
          else {
            const bb = best as { threshold: number; value: number; s: number; b: number };
            doc.figures.push({ ...b, metric: "best_significance", ...extra, value: bb.value, at: { threshold: bb.threshold }, s: bb.s, b: bb.b });
          }
          // an undefined point (NaN) is null here, as every non-finite number is
          curve(s.where, "significance", sig.scan.thresholds, sig.scan.valueAt, sig.scan.thresholds, { significance: sig.kind });
        }
        if (!("reason" in s.roc)) {
          const d = dropIntermediate(s.roc);
          curve(s.where, "roc", d.fpr, d.tpr, d.thresholds);
        }
        const pr = s.pr;
        if (pr instanceof CurvePr) curve(s.where, "pr", (k) => pr.recallAt(k), (k) => pr.precisionAt(k), pr.thresholds);
        else if (!("reason" in pr)) curve(s.where, "pr", pr.recall, pr.precision, pr.thresholds);
        const names = [r.classes[r.signal!], r.classes.length === 2 ? r.classes[1 - r.signal!] : "rest"];
        for (const c of s.confusion) {
          doc.confusion.push({ ...b, prediction: { threshold: c.threshold }, classes: names, matrix: c.matrix.matrix, by_truth: c.matrix.byTruth, by_prediction: c.matrix.byPrediction });
        }
      } else {
        s.ovr.perClass.forEach((f, c) => doc.figures.push({ ...b, metric: "ovr_auc", class: r.classes[c], ...figure(f) }));
        doc.figures.push({ ...b, metric: "ovr_auc", average: "macro", ...figure(s.ovr.macro) }, { ...b, metric: "ovr_auc", average: "weighted", ...figure(s.ovr.weighted) });
        for (const p of s.ovo.pairs) doc.figures.push({ ...b, metric: "ovo_auc", class: r.classes[p.a], vs: r.classes[p.b], ...figure(p.auc) });
        doc.figures.push({ ...b, metric: "ovo_auc", average: "macro", ...figure(s.ovo.macro) }, { ...b, metric: "ovo_auc", average: "weighted", ...figure(s.ovo.weighted) });
        doc.confusion.push({ ...b, prediction: "argmax", classes: [...r.classes], matrix: s.confusion.matrix, by_truth: s.confusion.byTruth, by_prediction: s.confusion.byPrediction });
      }
      // classes named against each other (`auc A vs B`): a figure and a curve per pair
      for (const p of s.pairs) {
        const names = { class: r.classes[p.a], vs: p.b < 0 ? "rest" : r.classes[p.b] };
        doc.figures.push({ ...b, metric: "pair_auc", ...names, ...figure(p.auc) });
        if (!("reason" in p.roc)) {
          const d = dropIntermediate(p.roc);
          curve(s.where, "roc", d.fpr, d.tpr, d.thresholds, names);
        }
      }
    }
    for (const o of r.overtraining) {
      const b = { ...base({ fold: o.fold, bin: null }), class: r.classes[o.class] };
      if ("reason" in o.ks) {
        doc.figures.push({ ...b, metric: "ks_d", value: null, reason: o.ks.reason }, { ...b, metric: "ks_p", value: null, reason: o.ks.reason });
      } else {
        const nEff = [o.ks.nEffA, o.ks.nEffB];
        doc.figures.push({ ...b, metric: "ks_d", value: o.ks.d, n_eff: nEff }, { ...b, metric: "ks_p", value: o.ks.pValue, n_eff: nEff });
      }
    }
    for (const wp of r.workingPoints) {
      const given = wp.given ? { given: { name: wp.given.name, threshold: wp.given.threshold, signal_efficiency: wp.given.signalEfficiency } } : {};
      const entry = (bin: BinInfo | null, t: typeof wp.overall) => ({
        ...base({ fold: "all", bin }), name: wp.name, target: wp.target, ...given,
        ...("reason" in t ? { threshold: null, reason: t.reason } : { threshold: t.threshold, signal_efficiency: t.signalEfficiency, background_efficiency: t.backgroundEfficiency }),
      });
      doc.working_points.push(entry(null, wp.overall));
      wp.bins?.forEach((t, k) => doc.working_points.push(entry(r.bins![k], t)));
    }
    for (const e of r.efficiencies) {
      e.bins.forEach((x, k) => {
        const b = { ...base({ fold: "all", bin: r.bins![k] }), working_point: e.workingPoint, thresholds: e.thresholds, class: e.class };
        if ("reason" in x) doc.efficiencies.push({ ...b, value: null, reason: x.reason });
        else doc.efficiencies.push({ ...b, value: x.value, interval: { ...x.interval }, n_eff: x.nEff, k_eff: x.kEff, n: x.n, k: x.k });
      });
    }
    for (const h of r.histograms) {
      doc.histograms.push({ ...base({ fold: "all", bin: null }), class: r.classes[h.class], output: r.classes[h.output], sample: h.sample, edges: h.edges, sumw: h.sumw, sumw2: h.sumw2 });
    }
    for (const i of r.issues) doc.issues.push({ code: i.code, severity: i.severity, message: i.message });
  }
  for (const i of opts.issues ?? []) doc.issues.push({ code: i.code, severity: i.severity, message: i.message });
  return doc;
}

function axesOf(bins: BinInfo[]): { variable: string; edges: number[] }[] {
  const n = bins[0].ranges.length;
  const out: { variable: string; edges: number[] }[] = [];
  for (let a = 0; a < n; a++) {
    const edges = new Set<number>();
    for (const b of bins) { edges.add(b.ranges[a].lo); edges.add(b.ranges[a].hi); }
    out.push({ variable: bins[0].ranges[a].variable, edges: [...edges].sort((x, y) => x - y) });
  }
  return out;
}

