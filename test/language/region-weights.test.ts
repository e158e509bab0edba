/**
 * Region weights and step cutflows, run on the single-top sample: every weighted figure is
 * checked against the same events counted without region weights (histograms of the weight's own
 * value give its sum, independently of the weighting code).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { execute } from "../../runtime/exec/index.js";
import { copyExample, planOf } from "../helpers/examples.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-region-weights-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ANALYSIS = `analysis rw { lumi 50 /pb }
sample st {
  files "data/single_top.root"
  tree "events"
  weight EventWeight
}
object muons = Muon where pt > 25 GeV
object jets = Jet where pt > 30 GeV
define nj = count(jets)
# weights: a constant on presel, a per-event one on sr (built on presel: both apply there)
region presel = triggerIsoMu24 and count(muons) == 1 { weight 2 }
region sr = presel and nj >= 2 and nj < 5 { weight 1 + 0.1 * nj }
region tight = sr and nj >= 3
# the same selections without weights, to compare with
region presel_u = triggerIsoMu24 and count(muons) == 1
region sr_u = presel_u and nj >= 2 and nj < 5
region step2_u = presel_u and nj >= 2
output {
  cutflow in presel, sr, tight, presel_u, sr_u, step2_u to "out/cf.json"
  cutflow steps sr to "out/steps.json"
  histogram nj in sr, tight bins 10 0 .. 10 to "out/h.root"
  histogram nj in sr_u bins 10 0 .. 10 to "out/u.root"
  histogram 1 + 0.1 * nj as w in sr_u bins 1 0 .. 100 to "out/u.root"
}
`;

async function run() {
  const dir = copyExample(tmp, "single-top");
  writeFileSync(path.join(dir, "rw.hep"), ANALYSIS);
  const plan = await planOf(path.join(dir, "rw.hep"));
  return { plan, ex: await execute(plan, { analysisDir: dir, versions: {}, threads: 1 }) };
}

describe("region weights", () => {
  it("weight the events of the region and of regions built on it, in cutflows and histograms", async () => {
    const { plan, ex } = await run();
    // the plan holds each region's weight in effect: sr's is presel's times its own
    const sr = plan.nodes.find((n) => n.id === "filter:sr");
    expect(sr?.kind === "filter" && JSON.stringify(sr.weight)).toContain('"fn":"*"');
    const cf = ex.result.cutflows.find((c) => c.file === "out/cf.json")!;
    const r = cf.samples[0].regions;
    expect(r.presel.raw).toBe(r.presel_u.raw);
    expect(r.presel.weighted).toBeCloseTo(2 * r.presel_u.weighted, 6);
    // in sr each event weighs EventWeight × 2 × (1 + 0.1 nj): the unweighted histogram of that factor,
    // filled with EventWeight, sums EventWeight × (1 + 0.1 nj)
    const factor = ex.result.histograms.find((h) => h.key === "sr_u/w")!.data;
    expect(r.sr.raw).toBe(r.sr_u.raw);
    expect(r.sr.weighted).toBeCloseTo(2 * factor.stats.sumwx, 6);
    const h = ex.result.histograms.find((x) => x.key === "sr/nj")!.data;
    const u = ex.result.histograms.find((x) => x.key === "sr_u/nj")!.data;
    // bin by bin: nj is the bin's value, so the weight there is 2 (1 + 0.1 nj)
    for (let b = 1; b <= 10; b++) expect(h.sumw[b]).toBeCloseTo(u.sumw[b] * 2 * (1 + 0.1 * (b - 1)), 6);
    // tight is built on sr: sr's weight (and presel's) apply there too
    const t = ex.result.histograms.find((x) => x.key === "tight/nj")!.data;
    for (let b = 1; b <= 10; b++) expect(t.sumw[b]).toBeCloseTo(b - 1 >= 3 ? h.sumw[b] : 0, 6);
  });

  it("`cutflow steps` lists the cumulative terms of a region, one row each, with the weights that apply from each row on", async () => {
    const { ex } = await run();
    const steps = ex.result.cutflows.find((c) => c.file === "out/steps.json")!;
    expect(steps.regions).toEqual(["presel", "nj >= 2", "nj < 5"]);
    const cf = ex.result.cutflows.find((c) => c.file === "out/cf.json")!.samples[0].regions;
    const s = steps.samples[0].regions;
    expect(s.presel).toEqual(cf.presel);
    expect(s["nj >= 2"].raw).toBe(cf.step2_u.raw);
    expect(s["nj >= 2"].weighted).toBeCloseTo(2 * cf.step2_u.weighted, 6);
    // the last row is the region itself, with its own weight
    expect(s["nj < 5"].raw).toBe(cf.sr.raw);
    expect(s["nj < 5"].weighted).toBeCloseTo(cf.sr.weighted, 6);
  });
});

describe("region weights in training", () => {
  it("multiply the training weights of the events of the training region", async () => {
    const analysis = (weight: string) => `analysis tw { lumi 50 /pb seed 5 }
sample st {
  files "data/single_top.root"
  tree "events"
  class signal
}
sample ww {
  files "data/ww.root"
  tree "events"
  class background
}
object jets = Jet where pt > 30 GeV
define nj = count(jets)
region presel = nj >= 1${weight}
features f { nj }
model bdt = gbdt(f) { trees 3 }
train bdt { on presel }
output {
  dataset "out/train.arrow"
}
`;
    const { tableFromIPC } = await import("apache-arrow");
    const { readFileSync } = await import("node:fs");
    const weights = async (weight: string) => {
      const dir = copyExample(tmp, "single-top");
      writeFileSync(path.join(dir, "tw.hep"), analysis(weight));
      await execute(await planOf(path.join(dir, "tw.hep")), { analysisDir: dir, versions: {}, threads: 1 });
      const t = tableFromIPC(readFileSync(path.join(dir, "out/train.arrow")));
      return { w: Array.from(t.getChild("weight")!.toArray() as Float64Array), nj: Array.from(t.getChild("nj")!.toArray() as Float64Array), label: Array.from(t.getChild("label")!.toArray() as Int32Array) };
    };
    const plain = await weights("");
    const weighted = await weights(" { weight 1 + nj }");
    expect(weighted.nj).toEqual(plain.nj);
    // training weights are normalised per class: within a class, each row's weight is the plain
    // one times its own (1 + nj), from the row's feature, up to one factor for the class
    for (const label of [0, 1]) {
      const rows = weighted.w.map((_, i) => i).filter((i) => weighted.label[i] === label);
      expect(rows.length).toBeGreaterThan(100);
      const factor = weighted.w[rows[0]] / (plain.w[rows[0]] * (1 + plain.nj[rows[0]]));
      for (const i of rows) expect(weighted.w[i] / (plain.w[i] * (1 + plain.nj[i]))).toBeCloseTo(factor, 9);
    }
    // and the weights are not all alike: the per-event factor is really there
    expect(new Set(weighted.nj).size).toBeGreaterThan(2);
  });
});
