/**
 * Score models (`model NAME = score(EXPR)`): an existing discriminant built from branches,
 * evaluated, given working points and written like a trained model's score, checked against the
 * same figures computed here straight from the ROOT branches (a weighted AUC by comparing every
 * signal–background pair, a working point by sorting by hand).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { execute } from "../../runtime/exec/index.js";
import { openRoot } from "../../runtime/io/index.js";
import type { EvaluationResult } from "../../runtime/evaluate/index.js";
import { copyExample, planOf } from "../helpers/examples.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-score-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SAMPLES = ["single_top", "ww", "wz", "zz"] as const;
const HEADER = `analysis scored {
  lumi 50 /pb
  seed 3
}
sample single_top { files "data/single_top.root" tree "events" class signal weight EventWeight }
sample ww { files "data/ww.root" tree "events" class ww weight EventWeight }
sample wz { files "data/wz.root" tree "events" class wz weight EventWeight }
sample zz { files "data/zz.root" tree "events" class zz weight EventWeight }
define met = hypot(MET_px, MET_py)
region trig = triggerIsoMu24
`;

/** The single-top example's data with `source` as its analysis. */
function analysisDir(source: string, binary = false): string {
  const dir = copyExample(tmp, "single-top");
  // binary: one background class, so that a trained model has one score
  const header = binary ? HEADER.replace(/class (ww|wz|zz)/g, "class background") : HEADER;
  writeFileSync(path.join(dir, "analysis.hep"), header + source);
  return dir;
}

async function run(dir: string) {
  const plan = await planOf(path.join(dir, "analysis.hep"));
  return execute(plan, { analysisDir: dir, versions: { hepc: "test" }, chunkSize: 1000, threads: 1 });
}

interface Ev {
  sample: string;
  entry: number;
  met: number;
  njet: number;
  trig: boolean;
  w: number;
}

async function events(dir: string): Promise<Ev[]> {
  const out: Ev[] = [];
  for (const s of SAMPLES) {
    const f = await openRoot(path.join(dir, "data", `${s}.root`));
    const cols = await f.read("events", ["MET_px", "MET_py", "NJet", "triggerIsoMu24", "EventWeight"]);
    await f.close();
    const get = (b: string) => Array.from(cols.get(b)!.values as ArrayLike<number>, Number);
    const [px, py, nj, trig, w] = ["MET_px", "MET_py", "NJet", "triggerIsoMu24", "EventWeight"].map(get);
    for (let i = 0; i < px.length; i++) out.push({ sample: s, entry: i, met: Math.hypot(px[i], py[i]), njet: nj[i], trig: trig[i] !== 0, w: w[i] });
  }
  return out;
}

/** Weighted Mann–Whitney over every signal–background pair (ties count ½). */
function pairAuc(sig: { s: number; w: number }[], bkg: { s: number; w: number }[]): number {
  let num = 0, ws = 0, wb = 0;
  for (const a of sig) ws += a.w;
  for (const b of bkg) wb += b.w;
  for (const a of sig) for (const b of bkg) num += a.w * b.w * (a.s > b.s ? 1 : a.s === b.s ? 0.5 : 0);
  return num / (ws * wb);
}

/** The highest score t with Σw_s(score ≥ t) / Σw_s ≥ target, by sorting here. */
function threshold(sig: { s: number; w: number }[], target: number): number {
  const sorted = [...sig].sort((a, b) => b.s - a.s);
  const total = sorted.reduce((a, e) => a + e.w, 0);
  let kept = 0;
  for (let k = 0; k < sorted.length; k++) {
    kept += sorted[k].w;
    if (k + 1 < sorted.length && sorted[k + 1].s === sorted[k].s) continue; // a threshold keeps all of a tie
    if (kept / total >= target) return sorted[k].s;
  }
  return NaN;
}

function overall(r: EvaluationResult) {
  const s = r.sections.find((x) => x.where.fold === "all" && x.where.bin === null);
  if (!s || s.kind !== "binary") throw new Error("no overall binary section");
  return s;
}

describe("score models", () => {
  it("evaluate a discriminant from branches against chosen background classes, with working points, in predictions and in regions", async () => {
    const dir = analysisDir(`
model met_vs_ww = score(met / (met + 40)) { background [ww] }
model njet = score(NJet)
evaluate met_vs_ww, njet {
  in trig
  metrics auc, roc
  working_points { Loose 0.9 Medium 0.7 }
  reference njet
}
region hi_met = trig and met_vs_ww > 0.5
region medium = trig and met_vs_ww >= met_vs_ww.Medium
output {
  predictions "out/pred" friend keyed entry
  histogram met_vs_ww in hi_met bins 10 0 .. 1 to "out/h.root"
  cutflow in trig, medium to "out/cutflow.json"
}
`);
    const ex = await run(dir);
    const evs = await events(dir);
    const score = (e: Ev) => e.met / (e.met + 40);
    const inTrig = evs.filter((e) => e.trig && e.w !== 0); // events of zero weight count nowhere

    const met = ex.result.evaluations.find((r) => r.model === "met_vs_ww")!;
    expect(met.classes).toEqual(["ww", "signal"]);
    const sig = inTrig.filter((e) => e.sample === "single_top").map((e) => ({ s: score(e), w: e.w }));
    const ww = inTrig.filter((e) => e.sample === "ww").map((e) => ({ s: score(e), w: e.w }));
    const sec = overall(met);
    expect(sec.counts.signal.n).toBe(sig.length);
    expect(sec.counts.background.n).toBe(ww.length); // wz and zz are left out
    expect(sec.auc as number).toBeCloseTo(pairAuc(sig, ww), 10) // sums in another order;
    const medium = met.workingPoints.find((w) => w.name === "Medium")!;
    expect("threshold" in medium.overall && medium.overall.threshold).toBe(threshold(sig, 0.7));
    expect(met.overtraining).toEqual([]); // nothing was trained on

    // every class but the signal is background by default; NJet's ties count half
    const nj = overall(ex.result.evaluations.find((r) => r.model === "njet")!);
    const njBkg = inTrig.filter((e) => e.sample !== "single_top").map((e) => ({ s: e.njet, w: e.w }));
    expect(nj.auc as number).toBeCloseTo(pairAuc(inTrig.filter((e) => e.sample === "single_top").map((e) => ({ s: e.njet, w: e.w })), njBkg), 10);

    // the friend trees hold the discriminant per entry, and a region reading it selects the same events
    for (const s of SAMPLES) {
      const f = await openRoot(path.join(dir, "out/pred", s, `${s}.root`));
      const cols = await f.read("predictions", ["met_vs_ww", "njet"]);
      await f.close();
      const mine = evs.filter((e) => e.sample === s);
      expect(Array.from(cols.get("met_vs_ww")!.values as Float64Array)).toEqual(mine.map(score));
      expect(Array.from(cols.get("njet")!.values as Float64Array)).toEqual(mine.map((e) => e.njet));
    }
    const h = ex.result.histograms.find((x) => x.key.endsWith("met_vs_ww"))!;
    expect(h.data.entries).toBe(evs.filter((e) => e.trig && score(e) > 0.5).length);

    // a region cut at the working point's threshold keeps what the working point says it keeps
    const t = threshold(sig, 0.7);
    const flow = ex.result.cutflows[0].samples.find((x) => x.sample === "single_top")!;
    expect(flow.regions.medium.raw).toBe(evs.filter((e) => e.sample === "single_top" && e.trig && score(e) >= t).length);
    expect(flow.regions.medium.weighted / flow.regions.trig.weighted).toBeCloseTo("threshold" in medium.overall ? medium.overall.signalEfficiency : NaN, 12);
  });

  it("a trained model's working point, derived by its evaluation, cuts a region in the pass after it", async () => {
    const dir = analysisDir(`
features f { met normal NJet categorical }
model bdt = gbdt(f) { trees 8 depth 3 }
train bdt { on trig folds 2 by entry % 2 }
evaluate bdt {
  in trig
  metrics auc
  working_points { Loose 0.9 Tight 0.5 }
}
region tight = trig and bdt >= bdt.Tight
output {
  predictions "out/pred" friend
  cutflow in trig, tight to "out/cutflow.json"
}
`, true);
    const ex = await run(dir);
    // training, then scoring with the evaluation, then the region at the threshold
    expect(ex.result.stages.map((s) => s.stage)).toEqual(["pass 1", "fit 1", "pass 2", "merge 2", "pass 3", "merge 3"]);
    const wp = ex.result.evaluations[0].workingPoints.find((w) => w.name === "Tight")!;
    if ("reason" in wp.overall) throw new Error(wp.overall.reason);
    const flow = ex.result.cutflows[0].samples;
    let inTight = 0, inTrig = 0, raw = 0;
    const evs = await events(dir);
    for (const s of ["single_top", "ww", "wz", "zz"]) {
      const f = await openRoot(path.join(dir, "out/pred", s, `${s}.root`));
      const bdt = Array.from((await f.read("predictions", ["bdt"])).get("bdt")!.values as Float64Array);
      await f.close();
      const mine = evs.filter((e) => e.sample === s);
      const kept = mine.filter((e, i) => e.trig && bdt[i] >= wp.overall.threshold);
      expect(flow.find((x) => x.sample === s)!.regions.tight.raw).toBe(kept.length);
      if (s === "single_top") {
        inTight = kept.reduce((a, e) => a + e.w, 0);
        inTrig = mine.filter((e) => e.trig).reduce((a, e) => a + e.w, 0);
        raw = kept.length;
      }
    }
    expect(raw).toBeGreaterThan(0);
    expect(inTight / inTrig).toBeCloseTo(wp.overall.signalEfficiency, 10);
    expect(wp.overall.signalEfficiency).toBeGreaterThanOrEqual(0.5);
  });

  it("derives working points given another discriminator's working point (TauMLTools' derive_wp), as a hand-sorted computation does", async () => {
    const dir = analysisDir(`
model vs_ww = score(met / (met + 40)) { background [ww] }
model vs_wz = score(NJet) { background [wz] }
evaluate vs_wz {
  in trig
  working_points { VLoose 0.98 Loose 0.8 }
}
evaluate vs_ww {
  in trig
  working_points { Loose 0.9 Medium 0.6 } given vs_wz.Loose
}
region medium = trig and vs_wz >= vs_wz.Loose and vs_ww >= vs_ww.Medium
output {
  cutflow in trig, medium to "out/cutflow.json"
}
`);
    const ex = await run(dir);
    const evs = (await events(dir)).filter((e) => e.trig && e.w !== 0);
    const sig = evs.filter((e) => e.sample === "single_top");
    const tLoose = threshold(sig.map((e) => ({ s: e.njet, w: e.w })), 0.8);
    const wz = ex.result.evaluations.find((r) => r.model === "vs_wz")!;
    expect(wz.workingPoints.map((w) => "threshold" in w.overall && w.overall.threshold)).toEqual([threshold(sig.map((e) => ({ s: e.njet, w: e.w })), 0.98), tLoose]);

    // vs_ww's thresholds: among the signal passing vs_wz's Loose threshold only
    const passing = sig.filter((e) => e.njet >= tLoose).map((e) => ({ s: e.met / (e.met + 40), w: e.w }));
    const ww = ex.result.evaluations.find((r) => r.model === "vs_ww")!;
    for (const [name, target] of [["Loose", 0.9], ["Medium", 0.6]] as const) {
      const wp = ww.workingPoints.find((w) => w.name === name)!;
      if ("reason" in wp.overall) throw new Error(wp.overall.reason);
      expect(wp.overall.threshold).toBe(threshold(passing, target));
      expect(wp.given).toEqual({ name: "vs_wz.Loose", threshold: tLoose, signalEfficiency: expect.any(Number) });
      expect(wp.given!.signalEfficiency).toBeCloseTo(passing.reduce((a, e) => a + e.w, 0) / sig.reduce((a, e) => a + e.w, 0), 12);
    }
    // both working points together keep 60% of the signal that passes vs_wz's, as derived
    const medium = ww.workingPoints.find((w) => w.name === "Medium")!.overall as { threshold: number; signalEfficiency: number };
    const flow = ex.result.cutflows[0].samples.find((x) => x.sample === "single_top")!;
    const kept = passing.filter((e) => e.s >= medium.threshold).reduce((a, e) => a + e.w, 0);
    expect(flow.regions.medium.weighted).toBeCloseTo(kept, 9);
    expect(kept / passing.reduce((a, e) => a + e.w, 0)).toBeCloseTo(medium.signalEfficiency, 12);
  });

  it("a working point no threshold reaches stops a run that needs it, before anything is written, and is reported null (not NaN) otherwise", async () => {
    const source = (use: boolean) => `
model disc = score(met / (met + 40)) { background [ww] }
region empty = trig and NJet > 1000
evaluate disc {
  in empty
  working_points { Loose 0.9 }
}
${use ? "region cut = trig and disc > disc.Loose" : "region cut = trig"}
output {
  cutflow in trig, cut to "out/cutflow.json"
}
`;
    const needed = analysisDir(source(true));
    await expect(run(needed)).rejects.toMatchObject({ code: "HEP6055", args: { model: "disc", name: "Loose", reason: "no signal events" } });
    expect(readdirSync(needed)).not.toContain("out");

    const unused = analysisDir(source(false));
    const ex = await run(unused);
    const r = ex.result.evaluations[0];
    expect(r.workingPoints[0].overall).toEqual({ value: null, reason: "no signal events" });
    expect(r.issues.map((i) => i.code).sort()).toEqual(["HEP6051", "HEP6053"]);
    expect(JSON.stringify(ex.result.evaluations)).not.toContain("NaN");
  });
});
