/**
 * The runtime on real data, checked against numbers computed independently: straight from the
 * reader's columns with plain loops, or from what uproot read (test/fixtures/root/reference).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync, statSync, openSync, writeSync, closeSync, readdirSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openRoot, readHistogram } from "../../runtime/io/index.js";
import { execute, RunError } from "../../runtime/exec/index.js";
import type { HistogramResult, RunProgress } from "../../runtime/exec/index.js";
import { runCli } from "../helpers/cli-io.js";
import { copyExample as copyExampleInto, planOf } from "../helpers/examples.js";
import { repoPath } from "../helpers/repo.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-run-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const copyExample = (name: string): string => copyExampleInto(tmp, name);

async function runIn(dir: string, opts: { chunkSize?: number; threads?: number; cache?: boolean; file?: string } = {}) {
  const plan = await planOf(path.join(dir, opts.file ?? "analysis.hep"));
  return execute(plan, { analysisDir: dir, versions: { hepc: "test" }, chunkSize: opts.chunkSize, threads: opts.threads, cache: opts.cache });
}

function hist(results: HistogramResult[], key: string): HistogramResult {
  const h = results.find((r) => r.key === key);
  if (!h) throw new Error(`no histogram ${key}; have ${results.map((r) => r.key).join(", ")}`);
  return h;
}

/** Zmumu's branches as plain arrays, for independent computations. */
async function zmumuColumns() {
  const f = await openRoot(repoPath("examples/zmumu/data/uproot-Zmumu.root"));
  const cols = await f.read("events", ["M", "Q1", "Q2", "pt1", "pt2", "eta1", "eta2"]);
  await f.close();
  const get = (b: string) => Array.from(cols.get(b)!.values as ArrayLike<number>);
  return { M: get("M"), Q1: get("Q1"), Q2: get("Q2"), pt1: get("pt1"), pt2: get("pt2"), eta1: get("eta1"), eta2: get("eta2") };
}

describe("hepc run on the Z→μμ example", () => {
  it("fills the histogram of the file's own mass branch exactly as a direct loop does, and writes it where ROOT users find it", async () => {
    const dir = copyExample("zmumu");
    const ex = await runIn(dir);
    const c = await zmumuColumns();
    const good = c.M.map((_, i) => c.Q1[i] * c.Q2[i] < 0 && c.pt1[i] > 20 && c.pt2[i] > 20 && Math.abs(c.eta1[i]) < 2.4 && Math.abs(c.eta2[i]) < 2.4);
    const expected = new Array(62).fill(0);
    for (let i = 0; i < c.M.length; i++) {
      if (!good[i]) continue;
      const m = c.M[i];
      expected[m < 60 ? 0 : m >= 120 ? 61 : Math.floor(m - 60) + 1]++;
    }
    const h = hist(ex.result.histograms, "good/m_file");
    expect(h.data.sumw).toEqual(expected);
    expect(h.data.entries).toBe(good.filter(Boolean).length);

    // hepc's own dimuon mass agrees with the producers' M, event by event up to rounding at bin edges.
    const mll = hist(ex.result.histograms, "good/mll");
    const diff = mll.data.sumw.reduce((a, v, i) => a + Math.abs(v - expected[i]), 0);
    expect(diff).toBeLessThanOrEqual(2);

    // Published at the declared path, readable by the project's reader as a TH1.
    const out = path.join(dir, "out/zmumu.root");
    expect(existsSync(out)).toBe(true);
    const back = await readHistogram(out, "good/m_file");
    expect(Array.from(back.valuesWithFlow)).toEqual(expected);
    expect(JSON.parse(readFileSync(path.join(dir, "out/cutflow.json"), "utf8")).cutflows[0].samples[0].regions.good.raw).toBe(good.filter(Boolean).length);
  });

  it("counts the cutflow like a direct loop", async () => {
    const dir = copyExample("zmumu");
    const ex = await runIn(dir);
    const c = await zmumuColumns();
    const os = c.M.filter((_, i) => c.Q1[i] * c.Q2[i] < 0).length;
    const flow = ex.result.cutflows[0].samples[0];
    expect(flow.entries).toBe(2304);
    expect(flow.selected.raw).toBe(2304);
    expect(flow.regions.opposite_sign.raw).toBe(os);
    expect(flow.regions.z_window.raw).toBeLessThanOrEqual(flow.regions.good.raw);
    expect(flow.regions.z_window.raw).toBeGreaterThan(0);
  });

  it("gives the same bits for any chunk size and thread count", async () => {
    const dir = copyExample("zmumu");
    const a = await runIn(dir, { chunkSize: 100_000, threads: 1, cache: false });
    const b = await runIn(dir, { chunkSize: 97, threads: 2, cache: false });
    const c = await runIn(dir, { chunkSize: 1000, threads: 2, cache: false });
    expect(JSON.stringify(b.result.histograms)).toBe(JSON.stringify(a.result.histograms));
    expect(JSON.stringify(c.result.histograms)).toBe(JSON.stringify(a.result.histograms));
    expect(JSON.stringify(b.result.cutflows)).toBe(JSON.stringify(a.result.cutflows));
  });

  it("recomputes only what a change affects: a binning edit reads nothing, a cut edit reads the sample again", async () => {
    const dir = copyExample("zmumu");
    const file = path.join(dir, "analysis.hep");
    const text = readFileSync(file, "utf8");
    expect((await runIn(dir)).result.samples[0].read).toBe(true);
    expect((await runIn(dir)).result.samples[0].read).toBe(false);
    writeFileSync(file, text.replace("histogram ptll in z_window bins 40 0 .. 200", "histogram ptll in z_window bins 10 0 .. 200"));
    const rebinned = await runIn(dir);
    expect(rebinned.result.samples[0].read).toBe(false);
    expect(hist(rebinned.result.histograms, "z_window/ptll").data.edges[0]).toHaveLength(11);
    writeFileSync(file, text.replace("abs(mll - 91.19) < 15", "abs(mll - 91.19) < 5"));
    const recut = await runIn(dir);
    expect(recut.result.samples[0].read).toBe(true);
    const fresh = await runIn(dir, { cache: false });
    expect(JSON.stringify(recut.result.histograms)).toBe(JSON.stringify(fresh.result.histograms));
  });

  it("does not reuse a histogram's values cached for a narrower region when the region widens", async () => {
    // A histogram's variables are computed only within its regions: values cached for a tight
    // window are missing for the events a wider one adds.
    const dir = copyExample("zmumu");
    const file = path.join(dir, "analysis.hep");
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.replace("abs(mll - 91.19) < 15", "abs(mll - 91.19) < 5"));
    const tight = await runIn(dir);
    writeFileSync(file, text);
    const wide = await runIn(dir);
    const fresh = await runIn(dir, { cache: false });
    expect(JSON.stringify(wide.result.histograms)).toBe(JSON.stringify(fresh.result.histograms));
    expect(hist(wide.result.histograms, "z_window/ptll").data.entries).toBeGreaterThan(hist(tight.result.histograms, "z_window/ptll").data.entries);
  });

  it("keeps a run directory with the plan, inputs, versions, outputs and log", async () => {
    const dir = copyExample("zmumu");
    const ex = await runIn(dir);
    for (const f of ["plan.json", "inputs.json", "versions.json", "log.txt", "summary.json", "outputs/out/zmumu.root", "outputs/out/cutflow.json"]) {
      expect(existsSync(path.join(ex.runDir, f)), f).toBe(true);
    }
  });
});

describe("hepc run on NanoAOD: object counts against uproot", () => {
  it("the number of muons per event, summed, is what uproot counted", async () => {
    const dir = copyExample("nanoaod");
    writeFileSync(
      path.join(dir, "counts.hep"),
      `analysis counts { seed 1 }
sample ttbar { files "data/nanoAOD_2015_CMS_Open_Data_ttbar.root" tree "Events" class signal }
output {
  histogram count(Muon) as n_muon bins 50 0 .. 50 to "out/counts.root"
  histogram count(Jet) as n_jet bins 50 0 .. 50 to "out/counts.root"
  histogram count(Tau) as n_tau bins 50 0 .. 50 to "out/counts.root"
}
`,
    );
    const ex = await runIn(dir, { file: "counts.hep" });
    const reference = JSON.parse(readFileSync(repoPath("test/fixtures/root/reference/nanoAOD_2015_CMS_Open_Data_ttbar.root.json"), "utf8")).objects.Events.branches;
    for (const [name, branch] of [["n_muon", "Muon_pt"], ["n_jet", "Jet_pt"], ["n_tau", "Tau_pt"]]) {
      const h = hist(ex.result.histograms, `all/${name}`);
      const total = h.data.sumw.reduce((a, v, i) => a + (i >= 1 && i <= 50 ? v * (i - 1) : 0), 0);
      expect(total, name).toBe(reference[branch].counts_sum);
      expect(h.data.entries).toBe(reference[branch].entries);
    }
  });

  it("runs the NanoAOD example end to end", async () => {
    const dir = copyExample("nanoaod");
    const ex = await runIn(dir);
    const flow = ex.result.cutflows[0].samples[0];
    expect(flow.entries).toBe(200);
    expect(flow.regions.mutau_pair.raw).toBeLessThanOrEqual(flow.regions.one_muon.raw);
    expect(flow.regions.one_muon.raw).toBeGreaterThan(10);
    expect(flow.regions.two_jets.raw).toBeGreaterThan(0);
    // one_muon by a direct loop over the reader's columns
    const f = await openRoot(path.join(dir, "data/nanoAOD_2015_CMS_Open_Data_ttbar.root"));
    const names = ["HLT_IsoMu22", "Muon_pt", "Muon_eta", "Muon_isGlobal", "Muon_isPFcand", "Muon_pfRelIso04_all", "Electron_pt", "Electron_eta", "Electron_cutBased"];
    const cols = await f.read("Events", names);
    await f.close();
    const list = (b: string, i: number): number[] => {
      const c = cols.get(b)!;
      if (c.kind !== "jagged") throw new Error(`${b} should be jagged`);
      return Array.from(c.values.subarray(c.offsets[i], c.offsets[i + 1]) as ArrayLike<number>, Number);
    };
    let oneMuon = 0;
    for (let i = 0; i < 200; i++) {
      const [pt, eta, glb, pf, iso] = ["Muon_pt", "Muon_eta", "Muon_isGlobal", "Muon_isPFcand", "Muon_pfRelIso04_all"].map((b) => list(b, i));
      const muons = pt.filter((p, m) => p > 20 && Math.abs(eta[m]) < 2.4 && glb[m] && pf[m] && iso[m] < 0.15).length;
      const [ept, eeta, eid] = ["Electron_pt", "Electron_eta", "Electron_cutBased"].map((b) => list(b, i));
      const electrons = ept.filter((p, e) => p > 20 && Math.abs(eeta[e]) < 2.5 && eid[e] >= 3).length;
      if (Number(cols.get("HLT_IsoMu22")!.values[i]) && muons === 1 && electrons === 0) oneMuon++;
    }
    expect(flow.regions.one_muon.raw).toBe(oneMuon);
    expect(flow.regions.two_jets.raw).toBeLessThanOrEqual(flow.regions.one_muon.raw);
  });
});

describe("long chains", () => {
  it("open a file at a time (descriptors do not grow with the chain) and report progress by file", async () => {
    const dir = copyExample("zmumu");
    const n = 40;
    // distinct files (copies), so that nothing is shared between them
    for (let k = 0; k < n; k++) cpSync(path.join(dir, "data/uproot-Zmumu.root"), path.join(dir, `data/z${k}.root`));
    const files = Array.from({ length: n }, (_, k) => `"data/z${k}.root"`).join(", ");
    writeFileSync(path.join(dir, "chain.hep"), `analysis chain { seed 1 }
sample z { files ${files} tree "events" class data }
region os = Q1 * Q2 < 0
output {
  histogram M in os bins 60 60 .. 120 to "out/m.root"
  cutflow in os to "out/cutflow.json"
}
`);
    const plan = await planOf(path.join(dir, "chain.hep"));
    const openData = (): number => {
      if (!existsSync("/proc/self/fd")) return 0;
      let count = 0;
      for (const fd of readdirSync("/proc/self/fd")) {
        try {
          if (/[\\/]data[\\/]z\d+\.root$/.test(readlinkSync(`/proc/self/fd/${fd}`))) count++;
        } catch {
          // closed meanwhile
        }
      }
      return count;
    };
    let most = 0;
    const events: RunProgress[] = [];
    const ex = await execute(plan, {
      analysisDir: dir,
      versions: {},
      threads: 1,
      chunkSize: 1000,
      cache: false,
      onProgress: (p) => {
        events.push(p);
        most = Math.max(most, openData());
      },
    });
    // two handles of the executor (the file being planned and the next one) and the reading
    // thread's few open files; never the whole chain
    expect(most).toBeLessThanOrEqual(10);
    if (existsSync("/proc/self/fd")) expect(most).toBeGreaterThan(0); // the count sees the files at all
    expect(ex.result.samples[0].entries).toBe(2304 * n);
    expect(events.map((e) => e.file)).toEqual([...events.map((e) => e.file)].sort((a, b) => a! - b!));
    expect(events[0]).toMatchObject({ file: 1, files: n, estimated: true });
    expect(events.at(-1)).toMatchObject({ done: 2304 * n, total: 2304 * n, file: n, files: n });
    expect(events.at(-1)!.estimated).toBeUndefined();
  });
});

describe("bad input at run time: reported with the .hep line, nothing written", () => {
  it("a file that changed since the plan was made is refused", async () => {
    const dir = copyExample("zmumu");
    const plan = await runCli(["plan", "analysis.hep"], dir);
    expect(plan.code).toBe(0);
    writeFileSync(path.join(dir, "plan.json"), plan.out);
    appendFileSync(path.join(dir, "data/uproot-Zmumu.root"), Buffer.alloc(4));
    const r = await runCli(["run", "plan.json"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("HEP6004");
    expect(r.err).toContain("analysis.hep:");
    expect(existsSync(path.join(dir, "out"))).toBe(false);
  });

  it("a corrupted basket names the sample, the file and the sample's line; no output appears", async () => {
    const dir = copyExample("zmumu");
    const f = path.join(dir, "data/uproot-Zmumu.root");
    // Flip bytes in the middle of the file, where the baskets are.
    const size = statSync(f).size;
    const fd = openSync(f, "r+");
    writeSync(fd, Buffer.alloc(64, 0x5a), 0, 64, Math.floor(size / 3));
    closeSync(fd);
    const r = await runCli(["run", "analysis.hep"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/HEP6002|HEP2007/);
    expect(existsSync(path.join(dir, "out"))).toBe(false);
  });

  it("a NaN weight stops the run with the entry and the weight's line", async () => {
    const dir = copyExample("zmumu");
    const file = path.join(dir, "analysis.hep");
    writeFileSync(file, readFileSync(file, "utf8").replace('class data\n', "class data\n  weight sqrt(Q1)\n"));
    const r = await runCli(["run", "analysis.hep"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("HEP6003");
    expect(r.err).toMatch(/entry \d+ of data\/uproot-Zmumu\.root/);
    expect(r.err).toContain("weight sqrt(Q1)");
    expect(existsSync(path.join(dir, "out"))).toBe(false);
  });

  it("an interrupted run writes nothing", async () => {
    const dir = copyExample("zmumu");
    const plan = await planOf(path.join(dir, "analysis.hep"));
    const controller = new AbortController();
    const run = execute(plan, { analysisDir: dir, versions: {}, chunkSize: 100, cache: false, signal: controller.signal, onProgress: (p) => p.done > 500 && controller.abort() });
    await expect(run).rejects.toBeInstanceOf(RunError);
    await expect(run).rejects.toMatchObject({ code: "HEP6005" });
    expect(existsSync(path.join(dir, "out"))).toBe(false);
  });
});

describe("the README's main command", () => {
  it("hepc run examples/zmumu prints a cutflow and where the histograms went", async () => {
    const dir = copyExample("zmumu");
    const r = await runCli(["run", "analysis.hep"], dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/cutflow/);
    expect(r.out).toMatch(/z_window\s+\d+/);
    expect(r.out).toContain("wrote out/zmumu.root");
  });
});
