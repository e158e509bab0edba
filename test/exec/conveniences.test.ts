/**
 * Runs of the conveniences of issue 17 on the Z→μμ example: a `histograms` block (its file and
 * defaults shared by its entries) and histogram titles written into the TH1 and its axes, read
 * back from the ROOT file with the project's reader (jsroot).
 */
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { execute } from "../../runtime/exec/index.js";
import { readHistogram } from "../../runtime/io/index.js";
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
