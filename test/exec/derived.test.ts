/**
 * Derived histograms (`histogram NAME = EXPR`): after a run, every histogram output split by sample
 * or group holds NAME beside the splits, per region and per systematic copy. The expected contents
 * and variances are computed here by hand from the operands' histograms read back from the written
 * ROOT file (contents Σ c·h, variances Σ c²·σ²).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { execute } from "../../runtime/exec/index.js";
import { readHistogram } from "../../runtime/io/index.js";
import { copyExample, planOf } from "../helpers/examples.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-derived-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ANALYSIS = `analysis derived { lumi 50 /pb }
sample single_top { files "data/single_top.root" tree "events" class signal weight EventWeight }
sample ww { files "data/ww.root" tree "events" class background weight EventWeight }
sample wz { files "data/wz.root" tree "events" class background weight EventWeight }
sample zz { files "data/zz.root" tree "events" class background weight EventWeight }
group diboson = wz, zz
region two_jets = NJet >= 2
region one_jet = NJet == 1
systematic ww_scale for ww { weight up 1.2 down 0.9 }
systematic lumi { normalisation 1.025 }
histogram pseudodata = (single_top + ww) / 2 + diboson
histogram contrast = 3 * ww - single_top * 0.5
output {
  histogram NJet in two_jets, one_jet by sample bins 6 0 .. 6 to "out/by-sample.root"
  histogram NJet as njet_groups in two_jets by group bins 6 0 .. 6 to "out/by-group.root"
  histogram NJet as njet_all in two_jets bins 6 0 .. 6 to "out/by-group.root"
}
`;

type Hist = { values: Float64Array; variances: Float64Array };

describe("derived histograms", () => {
  it("are linear combinations of the splits, in every region and systematic copy, with variances Σ c²σ²", async () => {
    const dir = copyExample(tmp, "single-top");
    writeFileSync(path.join(dir, "derived.hep"), ANALYSIS);
    const plan = await planOf(path.join(dir, "derived.hep"));
    const bySample = plan.nodes.find((n) => n.kind === "histogram" && n.name === "NJet");
    expect(bySample?.kind === "histogram" && bySample.derived).toEqual([
      { name: "pseudodata", splits: { single_top: 0.5, ww: 0.5, wz: 1, zz: 1 } },
      { name: "contrast", splits: { ww: 3, single_top: -0.5 } },
    ]);
    const unsplit = plan.nodes.find((n) => n.kind === "histogram" && n.name === "njet_all");
    expect(unsplit?.kind === "histogram" && unsplit.derived).toBeUndefined();
    await execute(plan, { analysisDir: dir, versions: { hepc: "test" }, threads: 1, cache: false });

    const read = async (file: string, key: string): Promise<Hist> => {
      const h = await readHistogram(path.join(dir, file), key);
      expect(h.variancesWithFlow, key).toBeDefined();
      return { values: h.valuesWithFlow, variances: h.variancesWithFlow! };
    };
    const expectCombination = async (file: string, dirName: string, name: string, derived: string, terms: Array<[string, number]>) => {
      const got = await read(file, `${dirName}/${name}/${derived}`);
      const parts = await Promise.all(terms.map(async ([split, c]) => ({ c, h: await read(file, `${dirName}/${name}/${split}`) })));
      const values = Array.from(got.values, (_, b) => parts.reduce((a, p) => a + p.c * p.h.values[b], 0));
      const variances = Array.from(got.variances, (_, b) => parts.reduce((a, p) => a + p.c * p.c * p.h.variances[b], 0));
      expect(values.some((v) => v !== 0), `${dirName}/${name}/${derived} is not empty`).toBe(true);
      Array.from(got.values).forEach((v, b) => expect(v, `${derived} bin ${b}`).toBeCloseTo(values[b], 9));
      Array.from(got.variances).forEach((v, b) => expect(v, `${derived} variance bin ${b}`).toBeCloseTo(variances[b], 9));
    };
    const pseudo: Array<[string, number]> = [["single_top", 0.5], ["ww", 0.5], ["wz", 1], ["zz", 1]];
    for (const region of ["two_jets", "one_jet"]) {
      for (const name of ["NJet", "NJet_ww_scaleUp", "NJet_ww_scaleDown", "NJet_lumiUp", "NJet_lumiDown"]) {
        await expectCombination("out/by-sample.root", region, name, "pseudodata", pseudo);
        await expectCombination("out/by-sample.root", region, name, "contrast", [["ww", 3], ["single_top", -0.5]]);
      }
    }
    // split by group, the group is one split
    await expectCombination("out/by-group.root", "two_jets", "njet_groups", "pseudodata", [["single_top", 0.5], ["ww", 0.5], ["diboson", 1]]);
    // a copy moves the derived histogram as it moves its operands: ww_scale up is ww × 1.2
    const up = await read("out/by-sample.root", "two_jets/NJet_ww_scaleUp/contrast");
    const ww = await read("out/by-sample.root", "two_jets/NJet/ww");
    const st = await read("out/by-sample.root", "two_jets/NJet/single_top");
    Array.from(up.values).forEach((v, b) => expect(v).toBeCloseTo(3 * 1.2 * ww.values[b] - 0.5 * st.values[b], 9));
    // nothing is written into the histogram that is not split
    await expect(readHistogram(path.join(dir, "out/by-group.root"), "two_jets/njet_all/pseudodata")).rejects.toThrow();
  });
});
