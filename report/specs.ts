/**
 * Vega-lite specs of the report's plots, data inline. Pure: building a spec needs neither vega
 * nor a DOM, so the specs are also what the report saves for interactive use.
 *
 * Conventions (as in ROOT/matplotlib plots of HEP papers): a frame around the plot, axis titles
 * with units in brackets, rejection (1/ε_b) on a log axis, histograms normalised to unit sum per
 * class so shapes compare, statistical errors √Σw² as bars. Marks that a reader (and the browser
 * test) counts are named: `curves` (one line per curve), `bars` (one rect per bin and class),
 * `points` (one point per measured value).
 */
import { OKABE_ITO } from "./palette.js";

export type Spec = Record<string, unknown>;

const WIDTH = 440;
const HEIGHT = 280;

export const CONFIG = {
  font: "Helvetica, Arial, sans-serif",
  background: "white",
  padding: 8,
  view: { stroke: "#333", strokeWidth: 1 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal", grid: true, gridColor: "#e4e4e4", tickColor: "#333", domainColor: "#333", labelColor: "#222", titleColor: "#111", ticks: true },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: "normal", labelLimit: 320, symbolStrokeWidth: 2 },
  title: { fontSize: 13, fontWeight: "bold", anchor: "start", subtitleFontSize: 11, subtitleColor: "#444" },
  range: { category: OKABE_ITO },
  // no ARIA attributes on every mark: a third of the SVG's size; the page's figures carry their titles
  aria: false,
};

function top(title: string, body: Spec, subtitle?: string): Spec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: subtitle ? { text: title, subtitle } : title,
    config: CONFIG,
    ...body,
  };
}

/** An axis title with its unit, "p_T [GeV]". */
export function withUnit(name: string, unit?: string): string {
  return unit ? `${name} [${unit}]` : name;
}

/** Where a legend goes: inside, in a corner the data leave empty, or outside on the right. */
export type LegendPlace = "top-right" | "bottom-left" | "bottom-right" | "right";

function colour(field: string, title: string, domain: string[], place: LegendPlace = "right"): Spec {
  const legend = place === "right" ? { orient: "right" } : { orient: place, fillColor: "rgba(255,255,255,0.9)", padding: 4 };
  return { field, type: "nominal", title, scale: { domain, range: OKABE_ITO.slice(0, Math.max(1, domain.length)) }, legend };
}

export interface HistSeries { label: string; edges: number[]; sumw: number[]; sumw2: number[] }

/** Rows of a histogram normalised to unit sum; null when the series has no (positive) weight. */
export function normalisedRows(s: HistSeries): Array<{ series: string; lo: number; hi: number; mid: number; y: number; ylo: number; yhi: number }> | null {
  let total = 0;
  for (const w of s.sumw) total += w;
  if (!(total > 0) || !Number.isFinite(total)) return null;
  return s.sumw.map((w, k) => {
    const e = Math.sqrt(Math.max(0, s.sumw2[k] ?? 0)) / total;
    const y = w / total;
    return { series: s.label, lo: s.edges[k], hi: s.edges[k + 1], mid: (s.edges[k] + s.edges[k + 1]) / 2, y, ylo: y - e, yhi: y + e };
  });
}

/**
 * Overlaid histograms (translucent bars with a coloured outline) with error bars, one series per
 * class. `points` series are drawn as markers with error bars instead (training-fold scores).
 */
export function histogramSpec(opts: { title: string; subtitle?: string; xTitle: string; bars: HistSeries[]; points?: HistSeries[]; colourTitle: string; domain: string[] }): Spec {
  const barRows = opts.bars.flatMap((s) => normalisedRows(s) ?? []);
  const pointRows = (opts.points ?? []).flatMap((s) => normalisedRows(s) ?? []);
  const x = { field: "lo", type: "quantitative", title: opts.xTitle, scale: { zero: false, nice: false } };
  const y = { field: "y", type: "quantitative", title: "Fraction of events / bin" };
  const col = colour("series", opts.colourTitle, opts.domain);
  const layer: Spec[] = [
    { name: "bars", data: { values: barRows }, mark: { type: "rect", fillOpacity: 0.28, strokeWidth: 1.5 }, encoding: { x, x2: { field: "hi" }, y, y2: { datum: 0 }, color: col, stroke: col } },
    { name: "errors", data: { values: barRows }, mark: { type: "rule", strokeWidth: 1 }, encoding: { x: { field: "mid", type: "quantitative" }, y: { field: "ylo", type: "quantitative" }, y2: { field: "yhi" }, color: col } },
  ];
  if (pointRows.length) {
    layer.push(
      { name: "point_errors", data: { values: pointRows }, mark: { type: "rule", strokeWidth: 1 }, encoding: { x: { field: "mid", type: "quantitative" }, y: { field: "ylo", type: "quantitative" }, y2: { field: "yhi" }, color: col } },
      { name: "points", data: { values: pointRows }, mark: { type: "point", filled: true, size: 22 }, encoding: { x: { field: "mid", type: "quantitative" }, y: { field: "y", type: "quantitative" }, color: col } },
    );
  }
  return top(opts.title, { width: WIDTH, height: HEIGHT, layer }, opts.subtitle);
}

export interface LossRow { step: number; loss: number; fold: string; part: "train" | "valid" }

export function trainingSpec(opts: { title: string; stepTitle: string; lossTitle: string; rows: LossRow[]; folds: string[]; best: Array<{ fold: string; step: number }> }): Spec {
  const col = colour("fold", "Fold", opts.folds, "top-right");
  const layer: Spec[] = [
    {
      name: "curves", data: { values: opts.rows }, mark: { type: "line", strokeWidth: 1.6 },
      encoding: {
        x: { field: "step", type: "quantitative", title: opts.stepTitle, axis: { tickMinStep: 1 } },
        y: { field: "loss", type: "quantitative", title: opts.lossTitle, scale: { zero: false } },
        color: col,
        strokeDash: { field: "part", type: "nominal", title: "Part", scale: { domain: ["train", "valid"], range: [[1, 0], [5, 3]] }, legend: { orient: "top-right", fillColor: "rgba(255,255,255,0.85)", padding: 4 } },
        detail: { field: "part" },
      },
    },
  ];
  if (opts.best.length) layer.push({ name: "best", data: { values: opts.best }, mark: { type: "rule", strokeDash: [2, 2], opacity: 0.7 }, encoding: { x: { field: "step", type: "quantitative" }, color: col } });
  return top(opts.title, { width: WIDTH, height: HEIGHT, layer }, "solid: training part, dashed: validation part; dotted rule: round kept");
}

export interface RocSeries { label: string; tpr: number[]; fpr: number[] }

/** Rejection 1/ε_b against ε_s: points with ε_b = 0 (infinite rejection) or ε_s = 0 are left out. */
function rejectionRows(s: RocSeries) {
  const rows: Array<{ series: string; eff: number; rej: number }> = [];
  for (let k = 0; k < s.tpr.length; k++) if (s.fpr[k] > 0 && s.tpr[k] > 0) rows.push({ series: s.label, eff: s.tpr[k], rej: 1 / s.fpr[k] });
  return rows;
}

/** ε_b of a ROC at signal efficiency t, linear between points (the ROC is monotone in both). */
export function fprAt(s: RocSeries, t: number): number | null {
  for (let k = 1; k < s.tpr.length; k++) {
    if (s.tpr[k] >= t && s.tpr[k - 1] <= t) {
      const d = s.tpr[k] - s.tpr[k - 1];
      return d > 0 ? s.fpr[k - 1] + ((t - s.tpr[k - 1]) / d) * (s.fpr[k] - s.fpr[k - 1]) : s.fpr[k - 1];
    }
  }
  return null;
}

/** The ROC as background rejection vs signal efficiency (log y), with a ratio to the reference. */
export function rocSpec(opts: { title: string; subtitle?: string; series: RocSeries[]; reference: RocSeries | null }): Spec {
  const all = opts.reference ? [...opts.series, opts.reference] : opts.series;
  const rows = all.flatMap(rejectionRows);
  const domain = all.map((s) => s.label);
  const x = { field: "eff", type: "quantitative", title: "Signal efficiency ε_s", scale: { domain: [0, 1] } };
  const main: Spec = {
    width: WIDTH, height: HEIGHT,
    layer: [{
      name: "curves", data: { values: rows }, mark: { type: "line", strokeWidth: 2, clip: true },
      encoding: {
        x: opts.reference ? { ...x, title: null } : x,
        y: { field: "rej", type: "quantitative", title: "Background rejection 1/ε_b", scale: { type: "log" }, axis: { format: "~g" } },
        color: colour("series", "Model", domain, "top-right"), order: { field: "eff", type: "quantitative" },
      },
    }],
  };
  if (!opts.reference) return top(opts.title, main, opts.subtitle);
  const ref = opts.reference;
  const ratio: Array<{ series: string; eff: number; ratio: number }> = [];
  for (const s of opts.series) {
    for (let k = 0; k < s.tpr.length; k++) {
      const t = s.tpr[k];
      const r = fprAt(ref, t);
      if (!(t > 0 && s.fpr[k] > 0) || r === null || !(r > 0)) continue;
      ratio.push({ series: s.label, eff: t, ratio: r / s.fpr[k] });
    }
  }
  const panel: Spec = {
    width: WIDTH, height: 90,
    layer: [
      { data: { values: [{ one: 1 }] }, mark: { type: "rule", color: "#666", strokeDash: [4, 3] }, encoding: { y: { field: "one", type: "quantitative" } } },
      {
        name: "ratio", data: { values: ratio }, mark: { type: "line", strokeWidth: 2, clip: true },
        encoding: {
          x,
          y: { field: "ratio", type: "quantitative", title: `Rejection / ${ref.label.split(" ")[0]}`, scale: { zero: false } },
          color: colour("series", "Model", domain, "top-right"), order: { field: "eff", type: "quantitative" },
        },
      },
    ],
  };
  return top(opts.title, { vconcat: [main, panel], spacing: 6, resolve: { scale: { color: "shared" } } }, opts.subtitle);
}

export interface XYSeries { label: string; x: number[]; y: (number | null)[] }

export function curveSpec(opts: { title: string; subtitle?: string; xTitle: string; yTitle: string; series: XYSeries[]; colourTitle: string; xDomain?: [number, number]; yDomain?: [number, number]; marks?: Array<{ series: string; x: number; y: number }>; legend?: LegendPlace }): Spec {
  const rows = opts.series.flatMap((s) => s.x.flatMap((x, k) => (s.y[k] === null || !Number.isFinite(s.y[k] as number) || !Number.isFinite(x) ? [] : [{ series: s.label, x, y: s.y[k] as number, k }])));
  const domain = opts.series.map((s) => s.label);
  const col = colour("series", opts.colourTitle, domain, opts.legend);
  const layer: Spec[] = [{
    name: "curves", data: { values: rows }, mark: { type: "line", strokeWidth: 2, clip: true },
    encoding: {
      x: { field: "x", type: "quantitative", title: opts.xTitle, ...(opts.xDomain ? { scale: { domain: opts.xDomain } } : {}) },
      y: { field: "y", type: "quantitative", title: opts.yTitle, ...(opts.yDomain ? { scale: { domain: opts.yDomain } } : {}) },
      color: col, order: { field: "k", type: "quantitative" },
    },
  }];
  if (opts.marks?.length) layer.push({ name: "best", data: { values: opts.marks }, mark: { type: "point", shape: "diamond", filled: true, size: 70 }, encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" }, color: col } });
  return top(opts.title, { width: WIDTH, height: HEIGHT, layer }, opts.subtitle);
}

export interface EffRow { series: string; model: string; lo: number; hi: number; mid: number; y: number; ylo: number; yhi: number }

/** Efficiency per bin of a variable: a point at the bin centre, horizontal bar the bin, vertical bar the interval. */
export function efficiencySpec(opts: { title: string; subtitle?: string; xTitle: string; yTitle: string; rows: EffRow[]; domain: string[]; models: string[]; log: boolean }): Spec {
  const col = colour("series", "Working point", opts.domain);
  const x = { field: "mid", type: "quantitative", title: opts.xTitle, scale: { zero: false, nice: false } };
  const yScale = opts.log ? { type: "log" } : { domain: [0, 1.05] };
  return top(opts.title, {
    width: WIDTH, height: HEIGHT,
    data: { values: opts.rows },
    layer: [
      { name: "xbars", mark: { type: "rule", strokeWidth: 1.2, clip: true }, encoding: { x: { field: "lo", type: "quantitative", title: opts.xTitle, scale: { zero: false, nice: false } }, x2: { field: "hi" }, y: { field: "y", type: "quantitative" }, color: col } },
      { name: "ybars", mark: { type: "rule", strokeWidth: 1.2, clip: true }, encoding: { x, y: { field: "ylo", type: "quantitative", scale: yScale }, y2: { field: "yhi" }, color: col } },
      {
        name: "points", mark: { type: "point", filled: true, size: 45 },
        encoding: {
          x, y: { field: "y", type: "quantitative", title: opts.yTitle, scale: yScale, ...(opts.log ? { axis: { format: "~g" } } : {}) }, color: col,
          shape: { field: "model", type: "nominal", title: "Model", scale: { domain: opts.models, range: ["circle", "square", "triangle-up", "diamond"] }, legend: opts.models.length > 1 ? { orient: "right" } : null },
        },
      },
    ],
  }, opts.subtitle);
}
