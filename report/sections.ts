/**
 * The report's sections from a ReportInput: which tables and plots, in which order. Pure (specs,
 * not SVG): render.ts draws the plots.
 */
import { fmtNum, metricsOf, overall, type CurveRec, type EfficiencyRec, type FigureRec, type ModelMetrics } from "./metrics.js";
import { curveSpec, efficiencySpec, histogramSpec, rocSpec, trainingSpec, withUnit, type EffRow, type LossRow, type RocSeries } from "./specs.js";
import type { ReportInput, ReportModel } from "./types.js";
import { cell, slug, type Block, type Cell, type Section, type Table } from "./view.js";

export function buildSections(input: ReportInput): Section[] {
  const units = input.units ?? {};
  const sections: Section[] = [provenance(input), cutflows(input), features(input, units)];
  const names = new Set<string>();
  for (const m of input.models) sections.push(modelSection(input, m, units, names));
  return sections;
}

const METADATA_LABELS: Record<string, string> = { experiment: "Experiment", sqrts: "√s", doi: "DOI", arxiv: "arXiv" };

function provenance(input: ReportInput): Section {
  const a = input.analysis;
  const blocks: Block[] = [{
    table: {
      kv: true,
      head: [],
      rows: [
        [cell("Analysis"), cell(a.name)],
        ...Object.entries(a.metadata ?? {}).filter(([k]) => k !== "name").map(([k, v]) => [cell(METADATA_LABELS[k] ?? k), cell(v, k === "doi" || k === "arxiv" ? "mono" : undefined)]),
        [cell("Source"), cell(a.source, "mono")],
        [cell("Plan hash"), cell(a.planHash, "mono")],
        ...(a.generated ? [[cell("Run at"), cell(a.generated)]] : []),
        ...Object.entries(input.tools).map(([k, v]) => [cell(k), cell(v, "mono")]),
      ],
    },
  }];
  blocks.push(input.inputs.length
    ? { table: { caption: "Input files", head: ["File", "Size", "SHA-256 / modified"], rows: input.inputs.map((f) => [cell(f.path, "mono"), cell(bytes(f.size), "num"), cell(f.sha256 ?? f.mtime ?? "—", "mono small")]) } }
    : { note: "No input files recorded." });
  return { id: "provenance", title: "Run", blocks };
}

function bytes(n: number): string {
  if (!Number.isFinite(n)) return "—";
  const u = ["B", "kB", "MB", "GB", "TB"];
  let k = 0, x = n;
  while (x >= 1000 && k < u.length - 1) { x /= 1000; k++; }
  return `${k === 0 ? x : x.toFixed(1)} ${u[k]}`;
}

function cutflows(input: ReportInput): Section {
  const blocks: Block[] = [];
  for (const c of input.cutflows) {
    const head = ["Step", ...c.samples.map((s) => (s.class ? `${s.sample} (${s.class})` : s.sample))];
    const countCell = (n: { raw: number; weighted: number; sumw2: number } | undefined): Cell =>
      n ? cell(`${fmtNum(n.raw)}`, "num", undefined) : cell("—", "num");
    const wCell = (n: { raw: number; weighted: number; sumw2: number } | undefined): Cell =>
      n ? cell(`${fmtNum(n.weighted)} ± ${fmtNum(Math.sqrt(Math.max(0, n.sumw2)), 3)}`, "num") : cell("—", "num");
    const rows: Cell[][] = [[cell("all entries"), ...c.samples.map((s) => cell(fmtNum(s.entries), "num"))]];
    rows.push([cell("sample selection"), ...c.samples.map((s) => countCell(s.selected))]);
    for (const r of c.regions) rows.push([cell(`region ${r}`), ...c.samples.map((s) => countCell(s.regions[r]))]);
    blocks.push({ table: { caption: `${c.name}: raw events`, head, rows } });
    const wrows: Cell[][] = [[cell("sample selection"), ...c.samples.map((s) => wCell(s.selected))]];
    for (const r of c.regions) wrows.push([cell(`region ${r}`), ...c.samples.map((s) => wCell(s.regions[r]))]);
    blocks.push({ table: { caption: `${c.name}: weighted events (± √Σw²)`, head, rows: wrows } });
  }
  if (!blocks.length) blocks.push({ note: "No cutflow in this run." });
  return { id: "cutflows", title: "Cutflows", blocks };
}

function features(input: ReportInput, units: Record<string, string>): Section {
  const blocks: Block[] = [];
  const seen = new Set<string>();
  for (const h of input.features) {
    const classes = h.classes.map((c) => c.class);
    const series = h.classes.map((c) => ({ label: c.class, edges: h.edges, sumw: c.sumw, sumw2: c.sumw2 }));
    const empty = h.classes.filter((c) => !(c.sumw.reduce((a, b) => a + b, 0) > 0)).map((c) => c.class);
    const title = `${h.feature}${h.region ? ` in ${h.region}` : ""}`;
    const misshapen = h.classes.filter((c) => c.sumw.length !== h.edges.length - 1 || c.sumw2.length !== c.sumw.length).map((c) => c.class);
    if (misshapen.length || !h.edges.every((e, k) => Number.isFinite(e) && (k === 0 || e > h.edges[k - 1]))) {
      blocks.push({ warn: `${title}: not drawn: ${misshapen.length ? `class ${misshapen.join(", ")} has not one value per bin (${h.edges.length - 1} bins)` : "the bin edges are not increasing finite numbers"}.` });
      continue;
    }
    if (empty.length === h.classes.length || h.edges.length < 2) {
      blocks.push({ warn: `${title}: no events in any class.` });
      continue;
    }
    let name = slug("feature", h.feature, h.region ?? "");
    for (let k = 2; seen.has(name); k++) name = slug("feature", h.feature, h.region ?? "", String(k));
    seen.add(name);
    blocks.push({
      plot: {
        name, title,
        spec: histogramSpec({ title, subtitle: "each class normalised to unit sum", xTitle: withUnit(h.feature, units[h.feature]), bars: series, colourTitle: "Class", domain: classes }),
        caption: empty.length ? `No events in class ${empty.join(", ")} (not drawn).` : undefined,
      },
    });
  }
  if (!blocks.length) blocks.push({ note: "No input-feature histograms in this run." });
  return { id: "features", title: "Input features per class", blocks };
}

function modelSection(input: ReportInput, m: ReportModel, units: Record<string, string>, names: Set<string>): Section {
  const unique = (...parts: string[]) => {
    let n = slug(...parts);
    for (let k = 2; names.has(n); k++) n = slug(...parts, String(k));
    names.add(n);
    return n;
  };
  const blocks: Block[] = [{ note: `Kind ${m.kind}; classes ${m.classes.join(", ") || "—"}${m.reference ? `; reference ${m.reference}` : ""}.` }];
  blocks.push(...training(m, unique));
  const refModel = m.reference ? input.models.find((x) => x.name === m.reference) ?? null : null;
  if (m.reference && !refModel) blocks.push({ warn: `Reference ${m.reference} is not among the run's models; drawn without it.` });
  const evaluations = metricsOf(m.metrics, m.name);
  if (!evaluations.length) {
    blocks.push({ warn: `No evaluation of ${m.name}: ${m.metricsReason ?? (m.metrics ? "the metrics document has no record of this model" : "no metrics document")}.` });
    return { id: slug("model", m.name), title: `Model ${m.name}`, blocks };
  }
  for (const ev of evaluations) {
    const ref = refModel ? metricsOf(refModel.metrics, refModel.name).find((r) => r.entry.region === ev.entry.region) ?? metricsOf(refModel.metrics, refModel.name)[0] ?? null : null;
    if (refModel && !ref) blocks.push({ warn: `Reference ${refModel.name} has no evaluation; drawn without it.` });
    blocks.push({ heading: `${m.name} in region ${ev.entry.region}` });
    if (ev.entry.kind === "binary") blocks.push(...binary(m, ev, ref, refModel?.name ?? null, units, unique));
    else blocks.push(...multiclass(m, ev, unique));
    blocks.push(...scores(m, ev, unique));
    const issues = (m.metrics?.issues ?? []).filter((i) => i.message.includes(`'${m.name}'`));
    if (issues.length) blocks.push({ table: { caption: "Issues", head: ["Code", "Severity", "Message"], rows: issues.map((i) => [cell(i.code, "mono"), cell(i.severity), cell(i.message)]) } });
  }
  return { id: slug("model", m.name), title: `Model ${m.name}`, blocks };
}

function training(m: ReportModel, unique: (...p: string[]) => string): Block[] {
  const rows: LossRow[] = [];
  for (const c of m.training) {
    for (const part of ["train", "valid"] as const) {
      c[part].forEach((v, k) => { if (v !== null && Number.isFinite(v)) rows.push({ step: k + 1, loss: v, fold: `fold ${c.fold}`, part }); });
    }
  }
  if (!rows.length) return m.training.length ? [{ note: "Training curves: no loss values recorded." }] : [];
  const folds = [...new Set(m.training.map((c) => `fold ${c.fold}`))];
  const best = m.training.filter((c) => c.bestIteration !== undefined).map((c) => ({ fold: `fold ${c.fold}`, step: c.bestIteration! + 1 }));
  const step = m.step === "epoch" ? "Epoch" : "Boosting round";
  return [{ plot: { name: unique("training", m.name), title: `Training curves of ${m.name}`, spec: trainingSpec({ title: `Training curves of ${m.name}`, stepTitle: step, lossTitle: m.loss ?? "Loss", rows, folds, best }) } }];
}

function fig(figs: FigureRec[], pred: (f: FigureRec) => boolean): FigureRec | undefined {
  return figs.find(pred);
}

function figText(f: FigureRec | undefined, digits = 4): Cell {
  if (!f) return cell("—", "num");
  if (f.value === null) return cell("undefined", "num na", f.reason);
  const iv = f.interval ? ` [${fmtNum(f.interval.lo, digits)}, ${fmtNum(f.interval.hi, digits)}]` : "";
  return cell(fmtNum(f.value, digits) + iv, "num");
}

function rocOf(ev: ModelMetrics, label: string): RocSeries | null {
  // the model's own ROC, not one of a class pair (`roc A vs B`)
  const c = ev.curves.find((r) => r.kind === "roc" && r.vs === undefined && overall(r));
  return c ? { label, fpr: c.x, tpr: c.y.map((v) => v ?? 0) } : null;
}

function aucLabel(name: string, ev: ModelMetrics): string {
  const a = fig(ev.figures, (f) => f.metric === "auc" && overall(f));
  return a && a.value !== null ? `${name} (AUC ${fmtNum(a.value, 3)})` : name;
}

function binary(m: ReportModel, ev: ModelMetrics, ref: ModelMetrics | null, refName: string | null, units: Record<string, string>, unique: (...p: string[]) => string): Block[] {
  const out: Block[] = [];
  const region = ev.entry.region;
  const figs = ev.figures;
  const sig = ev.entry.signal ?? ev.entry.classes[0];
  // summary: overall and per fold
  const folds: (number | "all")[] = ["all", ...Array.from({ length: ev.entry.folds > 1 ? ev.entry.folds : 0 }, (_, k) => k)];
  const rejections = [...new Set(figs.filter((f) => f.metric === "rejection").map((f) => f.at!.signal_efficiency!))];
  const head = ["Fold", "Signal / background events", "AUC", "Average precision", "Separation", ...rejections.map((e) => `1/ε_b at ε_s = ${e}`), "Best Z (Asimov)"];
  const rows = folds.map((fold) => {
    const at = (f: FigureRec) => f.fold === fold && f.bin === null;
    const s = fig(figs, (f) => at(f) && f.metric === "signal_events"), b = fig(figs, (f) => at(f) && f.metric === "background_events");
    const best = fig(figs, (f) => at(f) && f.metric === "best_significance" && f.kind === "asimov");
    return [
      cell(fold === "all" ? "all (held-out)" : String(fold)),
      cell(`${fmtNum(s?.value)} / ${fmtNum(b?.value)}`, "num"),
      figText(fig(figs, (f) => at(f) && f.metric === "auc")),
      figText(fig(figs, (f) => at(f) && f.metric === "average_precision")),
      figText(fig(figs, (f) => at(f) && f.metric === "separation")),
      ...rejections.map((e) => figText(fig(figs, (f) => at(f) && f.metric === "rejection" && f.at?.signal_efficiency === e), 3)),
      best && best.value !== null ? cell(`${fmtNum(best.value, 3)} at score ${fmtNum(best.at?.threshold, 3)}`, "num") : figText(best),
    ];
  });
  const aucAll = fig(figs, (f) => f.metric === "auc" && overall(f));
  out.push({ table: { caption: `Figures of ${m.name} (signal ${sig})${aucAll?.interval ? `; AUC interval: bootstrap, ${Math.round(aucAll.interval.cl * 100)}% CL` : ""}`, head, rows } });

  const mine = rocOf(ev, aucLabel(m.name, ev));
  const theirs = ref && refName ? rocOf(ref, aucLabel(refName, ref)) : null;
  if (mine) {
    const title = `ROC of ${m.name} in ${region}`;
    out.push({ plot: { name: unique("roc", m.name, region), title, spec: rocSpec({ title, subtitle: theirs ? `ratio: rejection of ${m.name} over ${refName} at equal ε_s` : undefined, series: [mine], reference: theirs }) } });
  } else out.push({ warn: `No ROC curve for ${m.name} in ${region}: ${fig(figs, (f) => f.metric === "auc" && overall(f))?.reason ?? "no curve recorded"}.` });

  const prOf = (e: ModelMetrics, label: string) => { const c = e.curves.find((r) => r.kind === "pr" && overall(r)); return c ? { label, x: c.x, y: c.y } : null; };
  const pr = [prOf(ev, m.name), ref && refName ? prOf(ref, refName) : null].filter((x): x is NonNullable<typeof x> => x !== null);
  if (pr.length) {
    const title = `Precision–recall of ${m.name} in ${region}`;
    out.push({ plot: { name: unique("pr", m.name, region), title, spec: curveSpec({ title, xTitle: "Recall (signal efficiency)", yTitle: "Precision (signal purity)", series: pr, colourTitle: "Model", xDomain: [0, 1], yDomain: [0, 1], legend: "bottom-left" }) } });
  }

  const scans = ev.curves.filter((c): c is CurveRec => c.kind === "significance" && overall(c));
  if (scans.some((c) => c.y.some((v) => v !== null))) {
    const label = (k?: string) => (k === "s_sqrt_b" ? "s/√b" : k === "s_sqrt_s_b" ? "s/√(s+b)" : "Asimov Z");
    const marks = figs.filter((f) => f.metric === "best_significance" && overall(f) && f.value !== null && f.at?.threshold !== undefined).map((f) => ({ series: label(f.kind), x: f.at!.threshold!, y: f.value! }));
    const title = `Significance scan of ${m.name} in ${region}`;
    out.push({ plot: { name: unique("significance", m.name, region), title, spec: curveSpec({ title, subtitle: "weighted events passing score ≥ threshold; ◆ the best", xTitle: "Score threshold", yTitle: "Significance Z", series: scans.map((c) => ({ label: label(c.significance), x: c.x, y: c.y })), colourTitle: "Formula", marks }) } });
  }

  for (const c of ev.confusion.filter(overall)) out.push({ table: confusionTable(c.classes, c.by_truth, `Confusion at score ≥ ${typeof c.prediction === "object" ? fmtNum(c.prediction.threshold) : "argmax"}, normalised by truth (rows: true class)`) });

  out.push(...workingPoints(m, ev, ref, refName, units, unique));
  return out;
}

function confusionTable(classes: string[], byTruth: (number | null)[][], caption: string): Table {
  return {
    caption,
    head: ["true \\ predicted", ...classes],
    rows: byTruth.map((row, i) => [cell(classes[i]), ...row.map((v, j) => cell(v === null ? "no events" : fmtNum(v, 3), `num ${v === null ? "na" : i === j ? "diag" : ""}`.trim()))]),
  };
}

function multiclass(m: ReportModel, ev: ModelMetrics, _unique: (...p: string[]) => string): Block[] {
  const figs = ev.figures.filter(overall);
  const classes = ev.entry.classes;
  const out: Block[] = [];
  out.push({
    table: {
      caption: `One-vs-rest AUC of ${m.name} (each class against all others; held-out events)`,
      head: ["Class", "AUC vs rest"],
      rows: [
        ...classes.map((c) => [cell(c), figText(fig(figs, (f) => f.metric === "ovr_auc" && f.class === c && !f.average))]),
        [cell("macro average"), figText(fig(figs, (f) => f.metric === "ovr_auc" && f.average === "macro"))],
        [cell("weighted average"), figText(fig(figs, (f) => f.metric === "ovr_auc" && f.average === "weighted"))],
      ],
    },
  });
  const pairs = figs.filter((f) => f.metric === "ovo_auc" && !f.average);
  if (pairs.length) out.push({ table: { caption: "One-vs-one AUC (score of the first class, events of the two classes)", head: ["Class", "vs", "AUC"], rows: pairs.map((f) => [cell(f.class ?? ""), cell(f.vs ?? ""), figText(f)]) } });
  for (const c of ev.confusion.filter(overall)) out.push({ table: confusionTable(c.classes, c.by_truth, "Confusion (predicted: the highest score), normalised by truth (rows: true class)") });
  return out;
}

function scores(m: ReportModel, ev: ModelMetrics, unique: (...p: string[]) => string): Block[] {
  const out: Block[] = [];
  const classes = ev.entry.classes;
  const outputs = [...new Set(ev.histograms.map((h) => h.output))];
  for (const o of outputs) {
    const hs = ev.histograms.filter((h) => h.output === o);
    const test = hs.filter((h) => h.sample === "test").map((h) => ({ label: h.class, edges: h.edges, sumw: h.sumw, sumw2: h.sumw2 }));
    const train = hs.filter((h) => h.sample === "train").map((h) => ({ label: h.class, edges: h.edges, sumw: h.sumw, sumw2: h.sumw2 }));
    const empty = [...test, ...train].filter((s) => !(s.sumw.reduce((a, b) => a + b, 0) > 0));
    const ks = classes.map((c) => {
      const d = fig(ev.figures, (f) => f.metric === "ks_d" && f.class === c && f.fold === "all");
      const p = fig(ev.figures, (f) => f.metric === "ks_p" && f.class === c && f.fold === "all");
      return { c, d, p };
    }).filter((k) => k.d || k.p);
    // a multiclass model's KS test of class c is on output c (runtime/evaluate/evaluate.ts)
    const ksHere = ev.entry.kind === "binary" ? ks : ks.filter((k) => k.c === o);
    const ksText = ksHere.map((k) => `${k.c}: D = ${fmtNum(k.d?.value, 3)}, p = ${fmtNum(k.p?.value, 3)}`).join("; ");
    const scoreName = ev.entry.kind === "binary" ? `score (${ev.entry.signal ?? classes[0]})` : `score ${o}`;
    const title = `${m.name} ${scoreName}: training folds vs held-out`;
    if (!test.length && !train.length) continue;
    out.push({
      plot: {
        name: unique("scores", m.name, ev.entry.region, ev.entry.kind === "binary" ? "" : o), title,
        spec: histogramSpec({ title, subtitle: train.length ? `bars: held-out events; points: training folds${ksText ? `. KS ${ksText}` : ""}` : "held-out events", xTitle: `Classifier ${scoreName}`, bars: test, points: train, colourTitle: "Class", domain: classes }),
        caption: empty.length ? `No events: ${empty.map((s) => s.label).join(", ")} (not drawn).` : undefined,
      },
    });
    if (ks.length && o === outputs[0]) {
      out.push({
        table: {
          caption: `Overtraining: weighted Kolmogorov–Smirnov test, training-fold vs held-out scores${ev.entry.kind === "binary" ? "" : " (each class on its own score)"} (a small p-value flags a difference)`,
          head: ["Class", "D", "p-value", "Effective events (train, held-out)"],
          rows: ks.map((k) => [cell(k.c), figText(k.d, 3), k.p && k.p.value !== null && k.p.value < 0.01 ? cell(fmtNum(k.p.value, 3), "num flag") : figText(k.p, 3), cell(k.d?.n_eff ? k.d.n_eff.map((x) => fmtNum(x, 4)).join(", ") : "—", "num")]),
        },
      });
    }
  }
  return out;
}

/** A reason that says a bin is empty (runtime/evaluate words it "no signal events", "no events", …). */
function noEvents(reason: string | undefined): boolean {
  return /\bno\b(\s\w+)?\s+events?\b|total \w+ weight 0\b/i.test(reason ?? "");
}

function effCell(e: EfficiencyRec | undefined): Cell {
  if (!e) return cell("—", "num");
  if (e.value === null) return cell(noEvents(e.reason) ? "no events" : "undefined", "num na", e.reason);
  return cell(`${fmtNum(e.value, 3)} [${fmtNum(e.interval?.lo, 3)}, ${fmtNum(e.interval?.hi, 3)}]`, "num");
}

function workingPoints(m: ReportModel, ev: ModelMetrics, ref: ModelMetrics | null, refName: string | null, units: Record<string, string>, unique: (...p: string[]) => string): Block[] {
  const out: Block[] = [];
  const wps = ev.workingPoints.filter((w) => w.bin === null);
  if (!wps.length) return out;
  out.push({
    table: {
      caption: `Working points of ${m.name} (held-out events of all folds)`,
      head: ["Name", "Target ε_s", "Threshold", "ε_s", "ε_b", "1/ε_b", "Given"],
      rows: wps.map((w) => [
        cell(w.name), cell(fmtNum(w.target), "num"),
        w.threshold === null ? cell("not reached", "num na", w.reason) : cell(fmtNum(w.threshold, 5), "num"),
        cell(fmtNum(w.signal_efficiency, 4), "num"), cell(fmtNum(w.background_efficiency, 4), "num"),
        cell(w.background_efficiency && w.background_efficiency > 0 ? fmtNum(1 / w.background_efficiency, 4) : "—", "num"),
        cell(w.given ? `${w.given.name} ≥ ${fmtNum(w.given.threshold, 4)}` : ""),
      ]),
    },
  });
  const axes = ev.entry.bins;
  if (!axes || !axes.length) return out;
  const names = wps.map((w) => w.name);
  const binned = ev.efficiencies.filter((e) => e.bin !== null);
  // efficiency vs the first bin variable (one plot per slice of the second, if any)
  const v0 = axes[0].variable, v1 = axes[1]?.variable;
  const slices: Array<{ lo: number; hi: number } | null> = v1 ? axes[1].edges.slice(0, -1).map((lo, k) => ({ lo, hi: axes[1].edges[k + 1] })) : [null];
  const refEff = ref && refName ? ref.efficiencies.filter((e) => e.bin !== null && e.thresholds === "overall") : [];
  const models = refEff.length ? [m.name, refName!] : [m.name];
  for (const cls of ["signal", "background"] as const) {
    for (const slice of slices) {
      const inSlice = (e: EfficiencyRec) => !slice || e.bin!.ranges[1].lo === slice.lo;
      const rowsOf = (effs: EfficiencyRec[], model: string): EffRow[] => effs
        .filter((e) => e.class === cls && e.thresholds === "overall" && inSlice(e) && e.value !== null && names.includes(e.working_point))
        .map((e) => {
          const r = e.bin!.ranges[0];
          return { series: e.working_point, model, lo: r.lo, hi: r.hi, mid: (r.lo + r.hi) / 2, y: e.value!, ylo: e.interval?.lo ?? e.value!, yhi: e.interval?.hi ?? e.value! };
        });
      let rows = [...rowsOf(binned, m.name), ...rowsOf(refEff, refName ?? "")];
      const log = cls === "background";
      if (log) {
        // a log axis cannot show 0: the interval's lower end is drawn down to the axis floor
        rows = rows.filter((r) => r.y > 0);
        const floor = Math.min(...rows.map((r) => r.y)) / 10;
        rows = rows.map((r) => ({ ...r, ylo: Math.max(r.ylo, floor) }));
      }
      if (!rows.length) continue;
      const where = slice ? `, ${fmtNum(slice.lo)} ≤ ${v1} < ${fmtNum(slice.hi)}${units[v1!] ? ` ${units[v1!]}` : ""}` : "";
      const title = `${cls === "signal" ? "Signal" : "Background"} efficiency of ${m.name} vs ${v0}${where}`;
      out.push({
        plot: {
          name: unique("efficiency", m.name, ev.entry.region, cls, slice ? `${v1}${slices.indexOf(slice)}` : ""), title,
          spec: efficiencySpec({ title, subtitle: `overall thresholds; Clopper–Pearson ${Math.round((binned[0]?.interval?.cl ?? 0.6827) * 1000) / 10}% intervals${log ? "; zero efficiencies not drawn on the log axis" : ""}`, xTitle: withUnit(v0, units[v0]), yTitle: cls === "signal" ? "Signal efficiency ε_s" : "Background efficiency ε_b", rows, domain: names, models, log }),
        },
      });
    }
  }
  // per-bin table
  const bins = [...new Map(ev.figures.filter((f) => f.bin !== null && f.fold === "all").map((f) => [f.bin!.index, f.bin!])).values()].sort((a, b) => a.index - b.index);
  const flat = ev.workingPoints.filter((w) => w.bin !== null);
  const head = [...axes.map((a) => withUnit(a.variable, units[a.variable])), "Signal / background events", "AUC", ...names.map((n) => `${n}: ε_s`), ...names.map((n) => `${n}: ε_b`), ...(flat.length ? names.map((n) => `${n}: flat threshold`) : [])];
  const rows = bins.map((b) => {
    const at = (f: { fold: number | "all"; bin: { index: number } | null }) => f.fold === "all" && f.bin?.index === b.index;
    const s = fig(ev.figures, (f) => at(f) && f.metric === "signal_events"), bk = fig(ev.figures, (f) => at(f) && f.metric === "background_events");
    const eff = (n: string, cls: string) => effCell(binned.find((e) => at(e) && e.working_point === n && e.class === cls && e.thresholds === "overall"));
    return [
      ...b.ranges.map((r) => cell(`${fmtNum(r.lo)} – ${fmtNum(r.hi)}`, "num")), cell(`${fmtNum(s?.value)} / ${fmtNum(bk?.value)}`, (s?.value ?? 0) === 0 && (bk?.value ?? 0) === 0 ? "num na" : "num"),
      figText(fig(ev.figures, (f) => at(f) && f.metric === "auc")),
      ...names.map((n) => eff(n, "signal")), ...names.map((n) => eff(n, "background")),
      ...(flat.length ? names.map((n) => { const w = flat.find((x) => at(x) && x.name === n); return w ? (w.threshold === null ? cell(noEvents(w.reason) ? "no events" : "not reached", "num na", w.reason) : cell(fmtNum(w.threshold, 4), "num")) : cell("—", "num"); }) : []),
    ];
  });
  if (rows.length) out.push({ table: { caption: `Per bin (held-out events of all folds; efficiencies at the overall thresholds with Clopper–Pearson intervals)`, head, rows } });
  return out;
}
