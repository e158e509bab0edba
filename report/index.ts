/**
 * The HTML report of a run.
 *
 * In: a ReportInput (types.ts), plain data the executor fills: the analysis and its plan hash,
 * the input files, tool versions, cutflows, input-feature histograms per class, and per model its
 * training curves and the metrics document of runtime/evaluate (buildMetricsDocument's output).
 * Out: one self-contained HTML page (inline CSS and SVG; no script, font or URL to fetch) and
 * every plot as a standalone SVG with its vega-lite spec, for the executor to write beside it
 * (report.html, report/roc_bdt.svg, report/roc_bdt.vl.json); renderPng draws a plot as PNG where
 * a canvas is installed.
 *
 * vega and vega-lite are loaded on the first render (render.ts), never by importing this module.
 * Must not import runtime/exec, cli/ or lsp/ (the executor calls this); reads plan/ and
 * runtime/evaluate types only. What the report shows: docs/report.md.
 */
import { pageHtml } from "./html.js";
import { renderSvg } from "./render.js";
import { buildSections } from "./sections.js";
import type { ReportInput, ReportOutput, ReportPlot } from "./types.js";

export type { ReportInput, ReportOutput, ReportPlot, ReportModel, ReportCutflow, ReportInputFile, FeatureHistogram, TrainingCurve, CutflowCount } from "./types.js";
export { renderPng, renderSvg } from "./render.js";

export async function renderReport(input: ReportInput): Promise<ReportOutput> {
  const sections = buildSections(input);
  const plots: ReportPlot[] = [];
  const drawn = [];
  for (const s of sections) {
    const blocks = [];
    for (const b of s.blocks) {
      if (!b.plot) { blocks.push(b); continue; }
      const svg = await renderSvg(b.plot.spec, b.plot.name);
      plots.push({ name: b.plot.name, title: b.plot.title, svg, spec: b.plot.spec });
      blocks.push({ ...b, plot: { ...b.plot, svg } });
    }
    drawn.push({ ...s, blocks });
  }
  return { html: pageHtml(input, drawn), plots };
}
