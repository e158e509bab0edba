/**
 * Shape variations (`vary`), families and alternative samples on the shipped CMS NanoAOD file:
 * every copy is checked bin by bin against histograms filled here, in plain loops over the
 * reader's branches (the jets selected again from the varied pt, HT and the MET recomputed; the
 * jet-resolution smearing drawn from the documented Philox key, written independently in
 * test/helpers/philox.ts); the same bits for 1 and 2 threads and any chunk size; `hepc plan`
 * lists what each variation touches.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HistogramNode, Plan } from "../../plan/types.js";
import { randomStream } from "../../runtime/columns/index.js";
import { execute } from "../../runtime/exec/index.js";
import { openRoot } from "../../runtime/io/index.js";
import { copyExample, planOf } from "../helpers/examples.js";
import { expectedDraw, randomCall } from "../helpers/philox.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-vary-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FILE = "data/nanoAOD_2015_CMS_Open_Data_ttbar.root";
const ANALYSIS = `analysis vary { lumi 1 /fb seed 11 }
sample ttbar { files "${FILE}" tree "Events" class signal }
sample ttbar_up { files "${FILE}" tree "Events" class signal weight 1.5 }
object jets = Jet where pt > 30 GeV and abs(eta) < 2.4
define ht = ht(jets)
define njets = count(jets)
region two_jets = njets >= 2
region two_jets_met = two_jets and MET_pt > 30
systematic jes { vary Jet.pt up 1.03 * Jet.pt down 0.97 * Jet.pt }
systematic jer { vary Jet.pt up pt * gauss(1, 0.1) }
systematic met_shift { vary MET_pt up MET_pt + 10 down MET_pt - 10 }
systematic jes_met {
  vary Jet.pt up 1.03 * Jet.pt down 0.97 * Jet.pt
  vary MET_pt up MET_pt + 5 down MET_pt - 5
}
systematic lead[i in 0 .. 1] { weight up 1 + 0.001 * jets[i].pt ?? 1 }
systematic generator for ttbar { samples up ttbar_up }
output {
  histogram ht in two_jets bins 20 0 .. 1000 to "out/v.root"
  histogram MET_pt as met bins 20 0 .. 200 to "out/v.root"
  cutflow in two_jets with systematics to "out/cutflow.json"
  cutflow steps two_jets_met with systematics to "out/steps.json"
}
`;

interface Events {
  n: number;
  pt: number[][];
  eta: number[][];
  met: number[];
}

async function readEvents(file: string): Promise<Events> {
  const f = await openRoot(file);
  try {
    const c = await f.read("Events", ["Jet_pt", "Jet_eta", "MET_pt"]);
    const jag = (b: string) => {
      const col = c.get(b)!;
      if (col.kind !== "jagged") throw new Error(`${b} is not jagged`);
      const out: number[][] = [];
      for (let i = 0; i + 1 < col.offsets.length; i++) out.push(Array.from(col.values.subarray(col.offsets[i], col.offsets[i + 1]) as ArrayLike<number>, Number));
      return out;
    };
    const met = Array.from(c.get("MET_pt")!.values as ArrayLike<number>, Number);
    return { n: met.length, pt: jag("Jet_pt"), eta: jag("Jet_eta"), met };
  } finally {
    await f.close();
  }
}

/** sumw per bin, under- and overflow included (the runner's layout), of uniform bins. */
function fill(values: Array<{ x: number; w: number }>, bins: number, lo: number, hi: number): number[] {
  const out = new Array(bins + 2).fill(0);
  for (const { x, w } of values) {
    if (Number.isNaN(x)) continue;
    const b = x < lo ? 0 : x >= hi ? bins + 1 : 1 + Math.floor(((x - lo) / (hi - lo)) * bins);
    out[b] += w;
  }
  return out;
}

/** HT of the selected jets in events with two or more, the jets' pt given by `ptOf`; weights by `w`. */
function htHist(ev: Events, ptOf: (i: number, j: number) => number, w: (i: number, pts: number[]) => number = () => 1): number[] {
  const vals: Array<{ x: number; w: number }> = [];
  for (let i = 0; i < ev.n; i++) {
    const sel: number[] = [];
    ev.pt[i].forEach((_, j) => {
      const pt = ptOf(i, j);
      if (pt > 30 && Math.abs(ev.eta[i][j]) < 2.4) sel.push(pt);
    });
    if (sel.length >= 2) vals.push({ x: sel.reduce((a, b) => a + b, 0), w: w(i, sel) });
  }
  return fill(vals, 20, 0, 1000);
}

describe("shape variations, families and alternative samples", () => {
  let dir: string;
  let plan: Plan;
  let ev: Events;
  beforeAll(async () => {
    dir = copyExample(tmp, "nanoaod");
    writeFileSync(path.join(dir, "vary.hep"), ANALYSIS);
    plan = await planOf(path.join(dir, "vary.hep"));
    ev = await readEvents(path.join(dir, FILE));
  });

  it("says what each variation touches", () => {
    const h = plan.nodes.find((n): n is HistogramNode => n.kind === "histogram" && n.name === "ht")!;
    const touches = Object.fromEntries(h.systematics!.filter((s) => s.vary).map((s) => [s.name, s.vary!.touches]));
    expect(touches.jes).toEqual(["cutflow:out/cutflow.json", "cutflow:out/steps.json", "define:ht", "define:jets", "define:njets", "filter:two_jets", "filter:two_jets_met", "histogram:out/v.root/ht"]);
    expect(touches.met_shift).toEqual(["cutflow:out/steps.json", "filter:two_jets_met", "histogram:out/v.root/met"]);
    // two inputs varied together touch what either does
    expect(touches.jes_met).toEqual([...touches.jes, "histogram:out/v.root/met"].sort());
    expect(h.systematics!.map((s) => s.name)).toEqual(["jes", "jer", "met_shift", "jes_met", "lead_0", "lead_1", "generator"]);
  });

  it("fills every copy as a direct computation over the reader's values does", async () => {
    const ex = await execute(plan, { analysisDir: dir, versions: { hepc: "test" }, threads: 1, cache: false });
    const get = (key: string) => {
      const r = ex.result.histograms.find((x) => x.key === key);
      expect(r, key).toBeDefined();
      return Array.from(r!.data.sumw);
    };
    const close = (key: string, want: number[]) => {
      const got = get(key);
      expect(got.length).toBe(want.length);
      got.forEach((x, i) => expect(Math.abs(x - want[i]), `${key} bin ${i}: ${x} vs ${want[i]}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want[i]))));
    };
    const nominal = htHist(ev, (i, j) => ev.pt[i][j]);
    expect(nominal.reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
    close("two_jets/ht", nominal);
    const up = htHist(ev, (i, j) => 1.03 * ev.pt[i][j]);
    expect(up).not.toEqual(nominal);
    close("two_jets/ht_jesUp", up);
    close("two_jets/ht_jesDown", htHist(ev, (i, j) => 0.97 * ev.pt[i][j]));
    // jer: each jet smeared by its own draw, keyed by the element's index in the event's Jet list
    const h = plan.nodes.find((n): n is HistogramNode => n.kind === "histogram" && n.name === "ht")!;
    const { site, seed } = randomCall(h.systematics!.find((s) => s.name === "jer")!.vary!.inputs[0].up);
    const stream = randomStream("ttbar");
    const smeared = htHist(ev, (i, j) => ev.pt[i][j] * expectedDraw("gauss", 1, 0.1, i, j, site, seed, stream));
    close("two_jets/ht_jerUp", smeared);
    // one-sided: mirrored
    close("two_jets/ht_jerDown", nominal.map((x, b) => 2 * x - smeared[b]));
    // the MET variation leaves HT as it is, and shifts the MET
    close("two_jets/ht_met_shiftUp", nominal);
    const met = (d: number) => fill(ev.met.map((m) => ({ x: m + d, w: 1 })), 20, 0, 200);
    close("all/met", met(0));
    close("all/met_met_shiftUp", met(10));
    close("all/met_met_shiftDown", met(-10));
    close("all/met_jesUp", met(0));
    // both inputs of one systematic in the same copies
    close("two_jets/ht_jes_metUp", up);
    close("all/met_jes_metUp", met(5));
    close("all/met_jes_metDown", met(-5));
    // a family: one member per index, the index a number in its weight
    close("two_jets/ht_lead_0Up", htHist(ev, (i, j) => ev.pt[i][j], (_, pts) => 1 + 0.001 * pts[0]));
    close("two_jets/ht_lead_1Up", htHist(ev, (i, j) => ev.pt[i][j], (_, pts) => 1 + 0.001 * pts[1]));
    // the alternative sample is not a process: the nominal is ttbar's alone, the Up copy ttbar_up's
    close("two_jets/ht_generatorUp", nominal.map((x) => 1.5 * x));
    close("two_jets/ht_generatorDown", nominal.map((x) => 0.5 * x));
  });

  it("counts the cutflow in every variation (with systematics)", async () => {
    const ex = await execute(plan, { analysisDir: dir, versions: { hepc: "test" }, threads: 2, cache: false });
    const cf = ex.result.cutflows[0];
    // the alternative sample has no row of its own: its counts are ttbar's generator variation
    expect(cf.samples.map((s) => s.sample)).toEqual(["ttbar"]);
    const v = cf.samples[0].variations!;
    const passing = (f: number) => ev.pt.filter((pts, i) => pts.filter((pt, j) => f * pt > 30 && Math.abs(ev.eta[i][j]) < 2.4).length >= 2).length;
    expect(cf.samples[0].regions.two_jets.raw).toBe(passing(1));
    expect(v.jesUp.regions.two_jets.raw).toBe(passing(1.03));
    expect(v.jesDown.regions.two_jets.raw).toBe(passing(0.97));
    expect(passing(1.03)).not.toBe(passing(1));
    // a MET variation changes no count; a weight variation changes the weighted ones only
    expect(v.met_shiftUp.regions.two_jets).toEqual(cf.samples[0].regions.two_jets);
    expect(v.lead_0Up.regions.two_jets.raw).toBe(passing(1));
    expect(v.lead_0Up.regions.two_jets.weighted).toBeGreaterThan(passing(1));
    expect(v.generatorUp.regions.two_jets.weighted).toBeCloseTo(1.5 * passing(1), 9);
    expect(v.generatorDown.regions.two_jets.weighted).toBeCloseTo(0.5 * passing(1), 9);
    expect(Object.keys(v)).toEqual(["jesUp", "jesDown", "jerUp", "jerDown", "met_shiftUp", "met_shiftDown", "jes_metUp", "jes_metDown", "lead_0Up", "lead_0Down", "lead_1Up", "lead_1Down", "generatorUp", "generatorDown"]);
  });

  it("counts a step cutflow in every variation, each step selected again in the variation's world", async () => {
    const ex = await execute(plan, { analysisDir: dir, versions: { hepc: "test" }, threads: 1, cache: false });
    const cf = ex.result.cutflows.find((c) => c.steps === "two_jets_met")!;
    const [first, second] = cf.regions;
    const steps = (f: number, dmet: number) => {
      const n = (i: number) => ev.pt[i].filter((pt, j) => f * pt > 30 && Math.abs(ev.eta[i][j]) < 2.4).length;
      const one = ev.pt.map((_, i) => n(i) >= 2);
      return [one.filter(Boolean).length, one.filter((ok, i) => ok && ev.met[i] + dmet > 30).length];
    };
    const row = (v: { regions: Record<string, { raw: number }> }) => [v.regions[first].raw, v.regions[second].raw];
    const s = cf.samples[0];
    expect(row(s)).toEqual(steps(1, 0));
    expect(row(s.variations!.jesUp)).toEqual(steps(1.03, 0));
    expect(row(s.variations!.jesDown)).toEqual(steps(0.97, 0));
    expect(row(s.variations!.met_shiftUp)).toEqual(steps(1, 10));
    expect(row(s.variations!.jes_metDown)).toEqual(steps(0.97, -5));
    expect(steps(1.03, 0)).not.toEqual(steps(1, 0));
    expect(steps(1, 10)[1]).not.toBe(steps(1, 0)[1]);
  });

  it("gives the same bits for 1 and 2 threads and any chunk size", async () => {
    const run = async (threads: number, chunkSize?: number) => {
      const ex = await execute(plan, { analysisDir: dir, versions: { hepc: "test" }, threads, cache: false, ...(chunkSize ? { chunkSize } : {}) });
      return ex.result.histograms.map((r) => [r.key, Array.from(r.data.sumw)]);
    };
    const one = await run(1);
    expect(await run(2, 37)).toEqual(one);
    expect(await run(1, 5)).toEqual(one);
  });
});
