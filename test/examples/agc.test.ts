/**
 * examples/agc, the AGC ttbar analysis, run and checked histogram by histogram (every sample,
 * nominal and varied) against test/examples/agc_reference.py: the AGC's selection, trijets
 * (itertools.combinations), weight variations, jet energy scale and resolution (the smearing's
 * Philox draws written again from the paper, keyed as hepc documents) and alternative samples,
 * in plain Python over the input columns as hepc's reader gives them. Needs python3 (no
 * packages); skipped without it.
 * Also: the same histograms for 1 and 2 threads and another chunk size, and fit inputs that hold
 * those histograms.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { execute } from "../../runtime/exec/index.js";
import { openRoot } from "../../runtime/io/index.js";
import { planOf } from "../helpers/examples.js";
import { randomCall } from "../helpers/philox.js";
import { repoPath } from "../helpers/repo.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-agc-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const python = spawnSync("python3", ["-c", "import itertools, json, math"], { encoding: "utf8" });
// CI installs python3 and sets HEPC_TEST_PYTHON=1 (.ci/run): the check is then required
const required = process.env.HEPC_TEST_PYTHON === "1";
if (python.status !== 0 && !required) console.warn("examples/agc: python3 is absent; the independent check is skipped (apt-get install python3)");

/** examples/agc and the CMS file it reads from examples/nanoaod, side by side as in the repository. */
function copyAgc(): string {
  const root = mkdtempSync(path.join(tmp, "ex-"));
  const skip = (src: string) => path.basename(src) === ".hepc" || path.basename(src) === "out";
  cpSync(repoPath("examples", "agc"), path.join(root, "agc"), { recursive: true, filter: (src) => !skip(src) });
  mkdirSync(path.join(root, "nanoaod"));
  cpSync(repoPath("examples", "nanoaod", "data"), path.join(root, "nanoaod", "data"), { recursive: true });
  return path.join(root, "agc");
}

const BRANCHES = [
  "Jet_pt", "Jet_eta", "Jet_phi", "Jet_mass", "Jet_btagCSVV2", "Jet_jetId",
  "Electron_pt", "Electron_eta", "Electron_cutBased", "Electron_sip3d",
  "Muon_pt", "Muon_eta", "Muon_tightId", "Muon_sip3d", "Muon_pfRelIso04_all",
];

/** A file's columns as lists per event (numbers; bools as 0/1). */
async function eventLists(file: string): Promise<Record<string, number[][]>> {
  const f = await openRoot(file);
  try {
    const cols = await f.read("Events", BRANCHES);
    const out: Record<string, number[][]> = {};
    for (const [name, c] of cols) {
      if (c.kind !== "jagged") throw new Error(`${name} is not jagged`);
      const v = Array.from(c.values as ArrayLike<number>, Number);
      out[name] = Array.from({ length: c.offsets.length - 1 }, (_, i) => v.slice(c.offsets[i], c.offsets[i + 1]));
    }
    return out;
  } finally {
    await f.close();
  }
}

type Hists = Record<string, { sumw: number[]; sumw2: number[]; entries: number }>;

type Sample = [name: string, xsec: number | null, files: string[]];

/** The reference's histograms for samples (name, xsec or null, files relative to `dir`). */
async function reference(dir: string, samples: Sample[], gauss: { site: number; seed: number }): Promise<Hists> {
  const spec = {
    lumi: 3378,
    seed: gauss.seed,
    scale: [["jes", 1.03, 0.97]],
    smear: [["jer", gauss.site, 0.05]],
    alternatives: [
      ["ttbar_scale", "ttbar", "ttbar_scaleup", "ttbar_scaledown"],
      ["ttbar_me", "ttbar", "ttbar_ME_var", null],
      ["ttbar_ps", "ttbar", "ttbar_PS_var", null],
    ],
    samples: [] as unknown[],
  };
  for (const [name, xsec, files] of samples) spec.samples.push({ name, xsec, files: await Promise.all(files.map((f) => eventLists(path.join(dir, f)))) });
  const input = path.join(dir, "reference-input.json");
  writeFileSync(input, JSON.stringify(spec));
  const r = spawnSync("python3", [repoPath("test", "examples", "agc_reference.py"), input], { encoding: "utf8", maxBuffer: 1 << 28 });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Hists;
}

async function run(file: string, threads: number, chunkSize?: number) {
  const plan = await planOf(file);
  const ex = await execute(plan, { analysisDir: path.dirname(file), versions: { hepc: "test" }, threads, cache: false, ...(chunkSize ? { chunkSize } : {}) });
  return { plan, histograms: ex.result.histograms };
}

const close = (a: number[], b: number[], what: string) => {
  expect(a.length, what).toBe(b.length);
  a.forEach((x, i) => expect(Math.abs(x - b[i]), `${what} bin ${i}: ${x} vs ${b[i]}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b[i]))));
};

/** Every histogram of the run equals the reference's (zero where the reference has no event), and the reference has none the run lacks. */
function compare(got: Awaited<ReturnType<typeof run>>["histograms"], want: Hists): void {
  const keys = new Set(got.map((h) => h.key));
  for (const k of Object.keys(want)) expect(keys.has(k), `hepc wrote ${k}`).toBe(true);
  for (const h of got) {
    const w = want[h.key] ?? { sumw: new Array(h.data.sumw.length).fill(0), sumw2: new Array(h.data.sumw.length).fill(0), entries: 0 };
    close(h.data.sumw, w.sumw, `${h.key} sumw`);
    close(h.data.sumw2, w.sumw2, `${h.key} sumw2`);
  }
}

const SAMPLES: Sample[] = [
  ["ttbar", 729.84, ["data/ttbar.root", "../nanoaod/data/nanoAOD_2015_CMS_Open_Data_ttbar.root"]],
  ["single_top_s_chan", 3.2944, ["data/single_top_s_chan.root"]],
  ["single_top_t_chan", 234.79365, ["data/single_top_t_chan.root"]],
  ["single_top_tW", 75.842, ["data/single_top_tW.root"]],
  ["wjets", 15487.164, ["data/wjets.root"]],
  ["data", null, ["data/data.root"]],
  ...["ttbar_scaledown", "ttbar_scaleup", "ttbar_ME_var", "ttbar_PS_var"].map((s): Sample => [s, 729.84, [`data/${s}.root`]]),
];
const SYSTEMATICS = ["btag_var_0", "btag_var_1", "btag_var_2", "btag_var_3", "scale_var", "lumi", "jes", "jer", "ttbar_scale", "ttbar_me", "ttbar_ps"];

describe("examples/agc", () => {
  it.skipIf(python.status !== 0 && !required)("every histogram, nominal and varied, equals an independent computation", async () => {
    const dir = copyAgc();
    const { plan, histograms: got } = await run(path.join(dir, "analysis.hep"), 1);
    const want = await reference(dir, SAMPLES, randomCall(plan));
    // 6 processes (the alternative ttbar samples are variations, not processes) × 2 regions × (nominal + 2 × 11)
    expect(new Set(got.map((h) => h.split))).toEqual(new Set(["ttbar", "single_top_s_chan", "single_top_t_chan", "single_top_tW", "wjets", "data"]));
    expect(new Set(got.map((h) => h.data.name))).toEqual(new Set(["ht", "m_bjj"].flatMap((o) => [o, ...SYSTEMATICS.flatMap((s) => [`${o}_${s}Up`, `${o}_${s}Down`])])));
    expect(got.length).toBe(6 * 2 * 23);
    // the regions are not empty for the signal and the pseudo-data, and the variations move them
    for (const k of ["r4j1b/ht/ttbar", "r4j2b/m_bjj/ttbar", "r4j1b/ht/data", "r4j2b/m_bjj/data", "r4j2b/m_bjj/wjets"]) expect(want[k]?.entries, k).toBeGreaterThan(0);
    for (const s of ["jes", "jer", "ttbar_scale", "ttbar_me"]) expect(want[`r4j2b/m_bjj_${s}Up/ttbar`].sumw, s).not.toEqual(want["r4j2b/m_bjj/ttbar"].sumw);
    compare(got, want);
  });

  it("the same histograms with 1 and 2 threads and another chunk size; fit inputs hold them", async () => {
    const dir = copyAgc();
    const one = (await run(path.join(dir, "analysis.hep"), 1)).histograms;
    const two = (await run(path.join(dir, "analysis.hep"), 2, 700)).histograms;
    expect(two.map((h) => h.key)).toEqual(one.map((h) => h.key));
    two.forEach((h, i) => {
      expect(h.data.sumw, h.key).toEqual(one[i].data.sumw);
      expect(h.data.sumw2, h.key).toEqual(one[i].data.sumw2);
    });
    // the pyhf workspace, channels HT in 4j1b and m_bjj in 4j2b: the templates are the run's histograms without under/overflow
    const ws = JSON.parse(readFileSync(path.join(dir, "out", "workspace.json"), "utf8"));
    expect(ws.channels.map((c: { name: string }) => c.name)).toEqual(["r4j1b_ht", "r4j2b_m_bjj"]);
    const channel = ws.channels.find((c: { name: string }) => c.name === "r4j2b_m_bjj");
    const sumw = (key: string) => one.find((h) => h.key === key)!.data.sumw.slice(1, -1);
    const ttbar = channel.samples.find((s: { name: string }) => s.name === "ttbar");
    close(ttbar.data, sumw("r4j2b/m_bjj/ttbar"), "workspace ttbar");
    const btag0 = ttbar.modifiers.find((m: { name: string }) => m.name === "btag_var_0");
    close(btag0.data.hi_data, sumw("r4j2b/m_bjj_btag_var_0Up/ttbar"), "workspace btag_var_0 up");
    close(btag0.data.lo_data, sumw("r4j2b/m_bjj_btag_var_0Down/ttbar"), "workspace btag_var_0 down");
    expect(ttbar.modifiers.find((m: { name: string }) => m.name === "lumi")).toMatchObject({ type: "normsys", data: { hi: 1.03 } });
    close(ws.observations.find((o: { name: string }) => o.name === "r4j2b_m_bjj").data, sumw("r4j2b/m_bjj/data"), "workspace observation");
    // the alternative samples vary ttbar: a histosys of their copies, not processes of their own
    const scale = ttbar.modifiers.find((m: { name: string }) => m.name === "ttbar_scale");
    close(scale.data.hi_data, sumw("r4j2b/m_bjj_ttbar_scaleUp/ttbar"), "workspace ttbar_scale up");
    close(scale.data.lo_data, sumw("r4j2b/m_bjj_ttbar_scaleDown/ttbar"), "workspace ttbar_scale down");
    expect(channel.samples.map((s: { name: string }) => s.name).sort()).toEqual(["single_top_s_chan", "single_top_tW", "single_top_t_chan", "ttbar", "wjets"]);
    const card = readFileSync(path.join(dir, "out", "datacard.txt"), "utf8");
    // both channels, each with its processes in the order ttbar, single_top_s_chan, single_top_tW, single_top_t_chan, wjets
    expect(card).toMatch(/^process(\s+ttbar\s+single_top_s_chan\s+single_top_tW\s+single_top_t_chan\s+wjets){2}$/m);
    expect(card).toMatch(/^scale_var\s+shape(\s+-\s+-\s+-\s+-\s+1){2}$/m);
    for (const s of ["jes", "jer"]) expect(card).toMatch(new RegExp(`^${s}\\s+shape(\\s+1\\s+1\\s+1\\s+1\\s+1){2}$`, "m"));
    for (const s of ["ttbar_scale", "ttbar_me", "ttbar_ps"]) expect(card).toMatch(new RegExp(`^${s}\\s+shape(\\s+1\\s+-\\s+-\\s+-\\s+-){2}$`, "m"));
  });
});
