/**
 * Runs of the language's conveniences on the Z→μμ example: a `histograms` block (its file and
 * defaults shared by its entries), histogram titles written into the TH1 and its axes, and the
 * analysis header's metadata written as TNamed objects, all read back from the ROOT files with
 * the project's reader (jsroot); the metadata in metrics.json, valid against its schema.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildMetricsDocument, validateMetrics } from "../../runtime/evaluate/index.js";
import { analysisMetadata, execute, METADATA_DIR } from "../../runtime/exec/index.js";
import { readHistogram } from "../../runtime/io/index.js";
import { openJsFile, readObject } from "../../runtime/io/jsfile.js";
import { openSource } from "../../runtime/source/index.js";
import { copyExample, planOf } from "../helpers/examples.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-conveniences-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(dir: string) {
  const plan = await planOf(path.join(dir, "analysis.hep"));
  return { plan, ex: await execute(plan, { analysisDir: dir, versions: { hepc: "test" } }) };
}

describe("histograms blocks and titles", () => {
  it("a block's entries fill like the same histograms written one by one, and titles reach the TH1 and its axes", async () => {
    const dir = copyExample(tmp, "zmumu");
    appendFileSync(path.join(dir, "analysis.hep"), `
output {
  histograms in good to "out/baseline.root" {
    M as m_block title "m(μμ);m_{μμ} [GeV];Events" bins mass_bins
    mll as mll_sr in z_window bins mass_bins
    pt1 as pt_lead title "leading muon" bins 20 0 .. 200
  }
}
`);
    const { plan, ex } = await run(dir);
    // the block's defaults: its file for all, its region unless an entry names its own
    const nodes = plan.nodes.filter((n) => n.kind === "histogram" && n.id.startsWith("histogram:out/baseline.root/"));
    expect(nodes.map((n) => [n.kind === "histogram" && n.name, n.kind === "histogram" && n.regions])).toEqual([["m_block", ["good"]], ["mll_sr", ["z_window"]], ["pt_lead", ["good"]]]);
    const byKey = (k: string) => ex.result.histograms.find((h) => h.key === k)!;
    // the same variable, binning and region as the example's own `histogram M as m_file in good`
    expect(byKey("good/m_block").data.sumw).toEqual(byKey("good/m_file").data.sumw);

    const file = path.join(dir, "out/baseline.root");
    const m = await readHistogram(file, "good/m_block");
    expect(m.title).toBe("m(μμ)");
    expect(m.xtitle).toBe("m_{μμ} [GeV]");
    expect(m.ytitle).toBe("Events");
    expect(Array.from(m.valuesWithFlow)).toEqual(byKey("good/m_file").data.sumw);
    // a title without axes: the axis keeps the variable's name, as with no title
    const pt = await readHistogram(file, "good/pt_lead");
    expect([pt.title, pt.xtitle, pt.ytitle]).toEqual(["leading muon", "pt_lead", ""]);
    // no title written: hepc's default, the name and region
    const z = await readHistogram(file, "z_window/mll_sr");
    expect([z.title, z.xtitle]).toEqual(["mll_sr (z_window)", "mll_sr"]);
  });
});

describe("analysis metadata", () => {
  it("experiment, sqrts, doi and arxiv reach the plan (sqrts in GeV), the ROOT files as TNamed, and metrics.json", async () => {
    const dir = copyExample(tmp, "zmumu");
    const file = path.join(dir, "analysis.hep");
    writeFileSync(file, readFileSync(file, "utf8").replace("  seed 1\n", '  seed 1\n  experiment "CMS"\n  sqrts 7 TeV\n  doi "10.7483/OPENDATA.CMS.RZ34.QR6N"\n  arxiv "1012.2466"\n'));
    const { plan } = await run(dir);
    expect(plan.analysis).toMatchObject({ name: "zmumu", experiment: "CMS", sqrts: 7000, doi: "10.7483/OPENDATA.CMS.RZ34.QR6N", arxiv: "1012.2466" });

    const source = await openSource(path.join(dir, "out/zmumu.root"));
    try {
      const js = await openJsFile(source);
      const read = async (k: string) => {
        const o = await readObject(js, `${METADATA_DIR}/${k}`);
        return [o._typename, o.fName, o.fTitle];
      };
      expect(await read("experiment")).toEqual(["TNamed", "experiment", "CMS"]);
      expect(await read("sqrts")).toEqual(["TNamed", "sqrts", "7 TeV"]);
      expect(await read("doi")).toEqual(["TNamed", "doi", "10.7483/OPENDATA.CMS.RZ34.QR6N"]);
      expect(await read("arxiv")).toEqual(["TNamed", "arxiv", "1012.2466"]);
      expect(await read("name")).toEqual(["TNamed", "name", "zmumu"]);
    } finally {
      await source.close();
    }
    // the histograms are still there, next to the metadata
    expect((await readHistogram(path.join(dir, "out/zmumu.root"), "good/m_file")).entries).toBeGreaterThan(0);

    const doc = buildMetricsDocument([], { analysis: analysisMetadata(plan) });
    expect(doc.analysis).toEqual({ name: "zmumu", experiment: "CMS", sqrts: "7 TeV", doi: "10.7483/OPENDATA.CMS.RZ34.QR6N", arxiv: "1012.2466" });
    expect(validateMetrics(JSON.parse(JSON.stringify(doc)))).toEqual({ ok: true });
    // without metadata the document is as before
    expect("analysis" in buildMetricsDocument([], { analysis: {} })).toBe(false);
  });
});
