/**
 * The report's page and plots from a realistic ReportInput (fixture.ts: evaluations computed by
 * runtime/evaluate), without a browser: self-contained, no NaN, figures that agree with the
 * metrics, bad input said in words. The browser test (browser.test.ts) checks the drawing.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { renderPng, renderReport, type ReportInput, type ReportOutput } from "../../report/index.js";
import { REPO_ROOT } from "../helpers/repo.js";
import { buildFixture } from "./fixture.js";

type Row = Record<string, number | string>;
interface Layer { name?: string; data?: { values: Row[] }; layer?: Layer[]; vconcat?: Layer[] }

function layers(spec: object): Layer[] {
  const s = spec as Layer;
  return [...(s.layer ?? []), ...(s.vconcat ?? []).flatMap((v) => v.layer ?? [])];
}
const rowsOf = (spec: object, name: string) => {
  const l = layers(spec).find((x) => x.name === name);
  return l?.data?.values ?? (l ? (spec as Layer).data?.values ?? [] : []);
};

/** Strings, finite numbers, booleans and null, in plain objects and arrays: what JSON keeps as it is. */
function plainData(x: unknown, where: string): void {
  if (x === null || typeof x === "string" || typeof x === "boolean") return;
  if (typeof x === "number") { expect(Number.isFinite(x), where).toBe(true); return; }
  expect(typeof x, where).toBe("object");
  expect([Object.prototype, Array.prototype]).toContain(Object.getPrototypeOf(x));
  for (const [k, v] of Object.entries(x as object)) plainData(v, `${where}.${k}`);
}

let fixture: ReturnType<typeof buildFixture>;
let out: ReportOutput;
beforeAll(async () => {
  fixture = buildFixture();
  out = await renderReport(fixture.input);
}, 60_000);

const plot = (name: string) => {
  const p = out.plots.find((x) => x.name === name);
  if (!p) throw new Error(`no plot ${name} among ${out.plots.map((x) => x.name).join(", ")}`);
  return p;
};

describe("the analysis header's metadata", () => {
  it("is listed in the Run table when the header has any, and absent otherwise", async () => {
    const { input } = await buildFixture();
    const plain = await renderReport(input);
    expect(plain.html).not.toContain("Experiment");
    const withMeta: ReportInput = { ...input, analysis: { ...input.analysis, metadata: { name: "tau_id", experiment: "CMS", sqrts: "13 TeV", doi: "10.1088/1748-0221/17/07/P07023", arxiv: "2201.08458" } } };
    const out = await renderReport(withMeta);
    for (const text of ["Experiment", "CMS", "13 TeV", "10.1088/1748-0221/17/07/P07023", "2201.08458", "arXiv"]) expect(out.html).toContain(text);
  });
});

describe("the page", () => {
  it("is self-contained: no script, stylesheet, font or image fetched from anywhere", () => {
    const html = out.html;
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|src=/i);
    // url() only to the page's own clip paths
    for (const m of html.matchAll(/url\(([^)]*)\)/g)) expect(m[1]).toMatch(/^#[A-Za-z0-9_-]+$/);
    // the only URLs are SVG's XML namespaces, which are names, not requests
    const urls = html.match(/https?:\/\/[^"' )]+/g) ?? [];
    expect(new Set(urls)).toEqual(new Set(["http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"]));
  });

  it("has no NaN or Infinity anywhere, in text or in drawing", () => {
    expect(out.html).not.toMatch(/NaN|Infinity/);
    for (const p of out.plots) expect(p.svg, p.name).not.toMatch(/NaN|Infinity/);
  });

  it("shows the plan hash, the inputs with size and hash, the tools and every section", () => {
    const { input } = fixture;
    expect(out.html).toContain(input.analysis.planHash);
    expect(out.html).toContain("data/tau_signal.root");
    expect(out.html).toContain("48.2 MB");
    expect(out.html).toContain(input.inputs[0].sha256);
    expect(out.html).toContain("2026-11-30T12:00:00Z");
    for (const id of ["provenance", "cutflows", "features", "model_bdt", "model_cut_based", "model_mlp", "model_broken"]) expect(out.html).toContain(`<section id="${id}">`);
    // weighted cutflow with its uncertainty √Σw²
    expect(out.html).toContain(`7190 ± ${Number(Math.sqrt(7900.5).toPrecision(3))}`);
  });

  it("embeds every plot inline, each with a file-safe unique name, an SVG that stands alone and a plain-data spec", () => {
    const names = out.plots.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const p of out.plots) {
      expect(p.name).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(p.svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(out.html).toContain(p.svg);
      plainData(p.spec, p.name);
    }
  });

  it("renders the same page twice (nothing depends on time or order)", async () => {
    const again = await renderReport(fixture.input);
    expect(again.html).toBe(out.html);
    // ids (clip paths) are unique over the page
    const ids = [...out.html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("escapes names from the analysis", async () => {
    const input: ReportInput = { ...fixture.input, analysis: { ...fixture.input.analysis, title: "<b>ttH</b> & co" }, models: [{ ...fixture.input.models[3], name: "x<script>alert(1)</script>" }], features: [] };
    const r = await renderReport(input);
    expect(r.html).toContain("&lt;b&gt;ttH&lt;/b&gt; &amp; co");
    expect(r.html).not.toContain("<script>");
  });
});

describe("figures agree with the metrics", () => {
  it("draws the ROC as rejection 1/ε_b against ε_s, from the document's curve, with the reference", () => {
    const spec = plot("roc_bdt_SR").spec;
    const rows = rowsOf(spec, "curves");
    const series = [...new Set(rows.map((r) => r.series as string))];
    expect(series).toHaveLength(2);
    expect(series[0]).toMatch(/^bdt \(AUC 0\.9\d\d\)$/);
    expect(series[1]).toMatch(/^cut_based \(AUC 0\.8\d\d\)$/);
    const doc = fixture.input.models[0].metrics!;
    const roc = doc.curves.find((c) => c.model === "bdt" && c.kind === "roc" && c.fold === "all" && c.bin === null) as { x: number[]; y: number[] };
    const expected = roc.x.flatMap((fpr, k) => (fpr > 0 && roc.y[k] > 0 ? [{ eff: roc.y[k], rej: 1 / fpr }] : []));
    expect(rows.filter((r) => r.series === series[0]).map((r) => ({ eff: r.eff, rej: r.rej }))).toEqual(expected);
  });

  it("the ratio panel matches the rejections runtime/evaluate read off the full curves", () => {
    const ratio = rowsOf(plot("roc_bdt_SR").spec, "ratio");
    const doc = fixture.input.models[0].metrics!;
    for (const at of [0.5, 0.7, 0.9]) {
      const rej = (m: string) => (doc.figures.find((f) => f.model === m && f.metric === "rejection" && f.fold === "all" && f.bin === null && (f.at as { signal_efficiency: number }).signal_efficiency === at)!.value as number);
      const near = ratio.reduce((a, b) => (Math.abs((b.eff as number) - at) < Math.abs((a.eff as number) - at) ? b : a));
      expect(Math.abs((near.eff as number) - at)).toBeLessThan(0.01);
      expect((near.ratio as number) / (rej("bdt") / rej("cut_based"))).toBeCloseTo(1, 1);
    }
  });

  it("normalises each class's histogram to unit sum, with errors √Σw²/Σw", () => {
    const rows = rowsOf(plot("feature_tau_pt_SR").spec, "bars");
    const h = fixture.input.features[0];
    for (const c of h.classes) {
      const mine = rows.filter((r) => r.series === c.class);
      expect(mine).toHaveLength(h.edges.length - 1);
      const total = c.sumw.reduce((a, b) => a + b, 0);
      expect(mine.reduce((a, r) => a + (r.y as number), 0)).toBeCloseTo(1, 12);
      mine.forEach((r, k) => expect((r.yhi as number) - (r.y as number)).toBeCloseTo(Math.sqrt(c.sumw2[k]) / total, 12));
    }
  });

  it("shows the KS result beside the train vs held-out scores, from the document", () => {
    const doc = fixture.input.models[0].metrics!;
    const d = doc.figures.find((f) => f.model === "bdt" && f.metric === "ks_d" && f.class === "tau" && f.fold === "all")!.value as number;
    expect(out.html).toContain(`tau: D = ${Number(d.toPrecision(3))}`);
    expect(rowsOf(plot("scores_bdt_SR").spec, "points").length).toBeGreaterThan(0);
    // multiclass: class c's test is on output c, so each score plot names only its own class
    const title = (plot("scores_mlp_SR_ttbar").spec as { title: { subtitle: string } }).title.subtitle;
    expect(title).toMatch(/KS ttbar: D = /);
    expect(title).not.toMatch(/ttH: D|wjets: D/);
  });

  it("plots efficiencies per bin with their Clopper–Pearson intervals, leaving out the empty bin", () => {
    const rows = rowsOf(plot("efficiency_bdt_SR_signal_tau_abseta0").spec, "points");
    const effs = fixture.input.models[0].metrics!.efficiencies.filter((e) => e.model === "bdt" && e.class === "signal" && e.thresholds === "overall" && e.working_point === "Medium" && (e.bin as { ranges: { lo: number }[] }).ranges[1].lo === 0);
    expect(effs).toHaveLength(4);
    const drawn = rows.filter((r) => r.series === "Medium" && r.model === "bdt");
    expect(drawn).toHaveLength(3); // 100–500 GeV holds no events
    for (const r of drawn) {
      const e = effs.find((x) => (x.bin as { ranges: { lo: number }[] }).ranges[0].lo === r.lo)!;
      expect(r.y).toBe(e.value);
      expect(r.ylo).toBe((e.interval as { lo: number }).lo);
      expect(r.yhi).toBe((e.interval as { hi: number }).hi);
    }
  });
});

describe("bad input", () => {
  it("says why a model has no evaluation, and why a feature is not drawn", () => {
    expect(out.html).toContain("No evaluation of broken: the model&#x27;s output has 3 columns, the train block 2 classes.");
    expect(out.html).toContain("tau_pt in CR_empty: no events in any class.");
  });

  it("writes an empty bin as 'no events', never a number", () => {
    const table = out.html.slice(out.html.indexOf("Per bin"));
    const row = table.slice(table.indexOf("100 – 500"), table.indexOf("</tr>", table.indexOf("100 – 500")));
    expect(row).toContain("0 / 0");
    expect((row.match(/>no events</g) ?? []).length).toBe(3 * 2 + 3); // ε_s and ε_b per working point, and the flat thresholds
  });

  it("renders a run with nothing in it, and models whose curves or histograms are all missing", async () => {
    const empty: ReportInput = {
      analysis: { name: "empty", source: "a.hep", planHash: "0" }, inputs: [], tools: {}, cutflows: [], features: [{ feature: "x", edges: [0, 1, 2], classes: [{ class: "s", sumw: [0, 0], sumw2: [0, 0] }] }],
      models: [
        { name: "m", kind: "gbdt", classes: ["s", "b"], training: [{ fold: 0, train: [null, null], valid: [null, null] }], metrics: fixture.input.models[0].metrics },
        { name: "ghost", kind: "gbdt", classes: ["s", "b"], training: [], metrics: fixture.input.models[0].metrics, reference: "nowhere" },
      ],
    };
    empty.features.push(
      { feature: "y", edges: [0, 1, 2], classes: [{ class: "s", sumw: [1, 2, 3], sumw2: [1, 2, 3] }] },
      { feature: "z", edges: [0, 2, 1], classes: [{ class: "s", sumw: [1, 2], sumw2: [1, 2] }] },
    );
    const r = await renderReport(empty);
    expect(r.html).toContain("y: not drawn: class s has not one value per bin (2 bins).");
    expect(r.html).toContain("z: not drawn: the bin edges are not increasing finite numbers.");
    expect(r.plots).toEqual([]);
    expect(r.html).not.toMatch(/NaN|Infinity/);
    expect(r.html).toContain("No cutflow in this run.");
    expect(r.html).toContain("No input files recorded.");
    expect(r.html).toContain("x: no events in any class.");
    expect(r.html).toContain("Training curves: no loss values recorded.");
    expect(r.html).toContain("No evaluation of m: the metrics document has no record of this model.");
    expect(r.html).toContain("Reference nowhere is not among the run&#x27;s models; drawn without it.");
  });
});

describe("loading and outputs", () => {
  it("imports vega and vega-lite only dynamically (importing the report loads neither)", () => {
    const dir = path.join(REPO_ROOT, "report");
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".ts"))) {
      const src = readFileSync(path.join(dir, f), "utf8");
      expect(src, f).not.toMatch(/^\s*import[^(]*from\s+["'](vega|vega-lite|canvas)["']/m);
    }
  });

  it("draws a plot as PNG through the canvas package", async () => {
    const png = await renderPng(plot("roc_bdt_SR").spec);
    // @napi-rs/canvas is installed as `canvas` (jsroot's): a PNG must come back here
    expect(png).not.toBeNull();
    expect([...png!.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png!.length).toBeGreaterThan(10_000);
  });
});
