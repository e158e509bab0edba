/**
 * `output datacard` / `output workspace` on the CMS tutorial samples: golden files
 * (test/baselines/fit; HEPC_ACCEPT=1 rewrites them), each template and observation checked against
 * the histograms the same run writes through `output histogram` (read back from ROOT, an
 * independent path), the workspace validated against pyhf's schema, and an empty channel stopping
 * the run with nothing written.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as jsroot from "jsroot";
import { afterAll, describe, expect, it } from "vitest";
import { execute, RunError } from "../../runtime/exec/index.js";
import { readHistogram } from "../../runtime/io/index.js";
import { copyExample, planOf } from "../helpers/examples.js";
import { repoPath } from "../helpers/repo.js";
import { pyhfErrors } from "../fit/validate.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-fit-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const analysis = (zzClass: string, extra = "") => `analysis fit_demo { lumi 50 /pb seed 1 }
sample single_top { files "data/single_top.root" tree "events" class signal weight EventWeight }
sample ww { files "data/ww.root" tree "events" class background weight EventWeight }
sample wz { files "data/wz.root" tree "events" class background weight EventWeight }
sample zz { files "data/zz.root" tree "events" class ${zzClass} weight EventWeight }
object muons = Muon where pt > 25 GeV and abs(eta) < 2.1
object jets = Jet where pt > 30 GeV and abs(eta) < 2.4
region presel = triggerIsoMu24 and count(muons) == 1 and count(jets) >= 2
region sr = presel and count(jets where btag > 1.74) >= 1
region cr = presel and count(jets where btag > 1.74) == 0
region none = presel and count(jets) < 0
output {
  histogram ht(jets) as ht in sr, cr${extra ? ", none" : ""} by sample bins 5 0 .. 500 to "out/shapes.root"
  histogram muons[0].pt as mu_pt in sr, cr${extra ? ", none" : ""} by sample bins 4 25 .. 225 to "out/shapes.root"
  datacard "out/datacard.txt" for ht, mu_pt in sr, cr${extra}
  workspace "out/ws.json" for ht, mu_pt in sr, cr${extra}
}
`;

async function runAnalysis(text: string, dir = copyExample(tmp, "single-top")): Promise<string> {
  writeFileSync(path.join(dir, "fit.hep"), text);
  const plan = await planOf(path.join(dir, "fit.hep"));
  await execute(plan, { analysisDir: dir, versions: { hepc: "test" }, threads: 1, cache: false });
  return dir;
}

function golden(name: string, actual: string): void {
  const file = repoPath("test", "baselines", "fit", name);
  if (process.env.HEPC_ACCEPT === "1") writeFileSync(file, actual);
  expect(actual, `differs from test/baselines/fit/${name}; HEPC_ACCEPT=1 rewrites it`).toBe(readFileSync(file, "utf8"));
}

const inner = (v: Float64Array) => Array.from(v.subarray(1, v.length - 1));
const close = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b[i]))));
};

const CHANNELS = [["sr", "ht"], ["cr", "ht"], ["sr", "mu_pt"], ["cr", "mu_pt"]] as const;

describe("fit outputs without data samples (Asimov observation)", async () => {
  const dir = await runAnalysis(analysis("background"));
  const card = readFileSync(path.join(dir, "out/datacard.txt"), "utf8");
  const ws = JSON.parse(readFileSync(path.join(dir, "out/ws.json"), "utf8"));

  it("matches the golden datacard and workspace", () => {
    golden("asimov.datacard.txt", card);
    golden("asimov.ws.json", JSON.stringify(ws, null, 2) + "\n");
  });

  it("writes the templates and data_obs the shapes line names, equal to the run's histograms", async () => {
    expect(card).toContain("shapes * * datacard.shapes.root $CHANNEL/$PROCESS $CHANNEL/$PROCESS_$SYSTEMATIC");
    const shapes = path.join(dir, "out/datacard.shapes.root");
    const observations: number[] = [];
    for (const [region, obs] of CHANNELS) {
      const ch = `${region}_${obs}`;
      let asimov = new Array<number>(0);
      for (const p of ["single_top", "ww", "wz", "zz"]) {
        const want = inner((await readHistogram(path.join(dir, "out/shapes.root"), `${region}/${obs}/${p}`)).valuesWithFlow);
        const got = inner((await readHistogram(shapes, `${ch}/${p}`)).valuesWithFlow);
        close(got, want);
        asimov = asimov.length ? asimov.map((x, i) => x + want[i]) : want;
        close(ws.channels.find((c: { name: string }) => c.name === ch).samples.find((s: { name: string }) => s.name === p).data, want);
      }
      close(inner((await readHistogram(shapes, `${ch}/data_obs`)).valuesWithFlow), asimov);
      close(ws.observations.find((o: { name: string }) => o.name === ch).data, asimov);
      observations.push(asimov.reduce((a, b) => a + b, 0));
    }
    const line = card.split("\n").find((l) => l.startsWith("observation"))!.split(/\s+/).slice(1).map(Number);
    close(line, observations.map((x) => Number(x.toPrecision(10))));
    expect(card).toMatch(/^# observation: .*Asimov/m);
  });

  it("the shapes file opens in jsroot (an independent reader) with combine's layout", async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const jf: any = await jsroot.openFile(path.join(dir, "out/datacard.shapes.root"));
    const h = await jf.readObject("sr_ht/single_top");
    expect(h._typename).toBe("TH1D");
    const want = inner((await readHistogram(path.join(dir, "out/shapes.root"), "sr/ht/single_top")).valuesWithFlow);
    close(Array.from(h.fArray as ArrayLike<number>).slice(1, 6), want);
    expect((await jf.readObject("cr_mu_pt/data_obs"))._typename).toBe("TH1D");
  });

  it("is a valid pyhf workspace with mu on the signal only", () => {
    expect(pyhfErrors(ws)).toEqual([]);
    for (const c of ws.channels) for (const s of c.samples) expect(s.modifiers.some((m: { name: string }) => m.name === "mu")).toBe(s.name === "single_top");
    expect(ws.measurements[0].config.poi).toBe("mu");
  });
});

describe("fit outputs with a data sample", async () => {
  const dir = await runAnalysis(analysis("data"));
  const card = readFileSync(path.join(dir, "out/datacard.txt"), "utf8");
  const ws = JSON.parse(readFileSync(path.join(dir, "out/ws.json"), "utf8"));

  it("observes the data samples' sum and leaves them out of the processes", async () => {
    golden("data.datacard.txt", card);
    expect(card).not.toContain("Asimov");
    expect(pyhfErrors(ws)).toEqual([]);
    for (const [region, obs] of CHANNELS) {
      const zz = inner((await readHistogram(path.join(dir, "out/shapes.root"), `${region}/${obs}/zz`)).valuesWithFlow);
      close(ws.observations.find((o: { name: string }) => o.name === `${region}_${obs}`).data, zz);
      expect(ws.channels.find((c: { name: string }) => c.name === `${region}_${obs}`).samples.map((s: { name: string }) => s.name)).toEqual(["single_top", "ww", "wz"]);
    }
  });
});

describe("an empty channel", () => {
  it("stops the run with HEP6110 naming the channel, and writes neither file", async () => {
    const dir = copyExample(tmp, "single-top");
    const err = await runAnalysis(analysis("background", ", none"), dir).then(() => null, (e) => e);
    expect(err).toBeInstanceOf(RunError);
    expect((err as RunError).code).toBe("HEP6110");
    expect((err as Error).message).toContain("none_ht");
    expect(existsSync(path.join(dir, "out", "datacard.txt"))).toBe(false);
    expect(existsSync(path.join(dir, "out", "ws.json"))).toBe(false);
  });
});

describe("fit outputs with systematics declared in the analysis", async () => {
  // a weight variation on the background samples only (two-sided), a one-sided one on all, and a normalisation
  const systematics = `
systematic btag for ww, wz { weight up 1 + 0.05 * count(jets where btag > 1.74) down 1 - 0.05 * count(jets where btag > 1.74) }
systematic musf { weight up 1.02 }
systematic lumi { normalisation 1.025 }
`;
  const dir = await runAnalysis(analysis("background") + systematics);
  const card = readFileSync(path.join(dir, "out/datacard.txt"), "utf8");
  const ws = JSON.parse(readFileSync(path.join(dir, "out/ws.json"), "utf8"));
  const row = (name: string) => card.split("\n").find((l) => l.startsWith(name + " "))!.trim().split(/\s+/);

  it("lists shape lines where a variation applies and lnN for a normalisation", () => {
    expect(card).toMatch(/^kmax 3\b/m);
    // the processes are single_top, ww, wz, zz in every channel (4 channels)
    expect(row("btag").slice(1)).toEqual(["shape", ...Array(4).fill(["-", "1", "1", "-"]).flat()]);
    expect(row("musf").slice(1)).toEqual(["shape", ...Array(16).fill("1")]);
    expect(row("lumi").slice(1)).toEqual(["lnN", ...Array(16).fill("1.025")]);
  });

  it("writes the Up/Down templates the shapes line names, equal to the run's own varied histograms", async () => {
    const shapes = path.join(dir, "out/datacard.shapes.root");
    for (const [region, obs] of CHANNELS) {
      // btag varies ww and wz only: single_top has no btag templates (its datacard entry is "-")
      for (const [p, varied] of [["ww", ["btag", "musf"]], ["single_top", ["musf"]]] as const) {
        for (const s of varied) {
          for (const d of ["Up", "Down"]) {
            const want = inner((await readHistogram(path.join(dir, "out/shapes.root"), `${region}/${obs}_${s}${d}/${p}`)).valuesWithFlow);
            const got = inner((await readHistogram(shapes, `${region}_${obs}/${p}_${s}${d}`)).valuesWithFlow);
            close(got, want);
          }
        }
      }
    }
  });

  it("is a valid pyhf workspace whose histosys data are the varied templates, and whose normsys is the normalisation", async () => {
    expect(pyhfErrors(ws)).toEqual([]);
    const ch = ws.channels.find((c: { name: string }) => c.name === "sr_ht");
    const ww = ch.samples.find((s: { name: string }) => s.name === "ww");
    const btag = ww.modifiers.find((m: { name: string }) => m.name === "btag");
    expect(btag.type).toBe("histosys");
    close(btag.data.hi_data, inner((await readHistogram(path.join(dir, "out/shapes.root"), "sr/ht_btagUp/ww")).valuesWithFlow));
    close(btag.data.lo_data, inner((await readHistogram(path.join(dir, "out/shapes.root"), "sr/ht_btagDown/ww")).valuesWithFlow));
    const top = ch.samples.find((s: { name: string }) => s.name === "single_top");
    expect(top.modifiers.some((m: { name: string }) => m.name === "btag")).toBe(false);
    const lumi = top.modifiers.find((m: { name: string }) => m.name === "lumi");
    expect(lumi).toEqual({ name: "lumi", type: "normsys", data: { hi: 1.025, lo: 1 / 1.025 } });
  });
});

describe("fit outputs with declared pseudodata and no data samples", async () => {
  // the pseudodata: the signal at half strength on top of the backgrounds, one of them varied
  const pseudo = `
systematic lumi { normalisation 1.025 }
histogram pseudodata = 0.5 * single_top + ww + (wz + zz) * 1.1
histogram other = ww - wz
`;
  const dir = await runAnalysis(analysis("background") + pseudo);
  const card = readFileSync(path.join(dir, "out/datacard.txt"), "utf8");
  const ws = JSON.parse(readFileSync(path.join(dir, "out/ws.json"), "utf8"));

  it("matches the golden datacard and workspace, which say the observation is the pseudodata", () => {
    golden("pseudodata.datacard.txt", card);
    golden("pseudodata.ws.json", JSON.stringify(ws, null, 2) + "\n");
    expect(card).toMatch(/^# observation: no data samples \(class data\) for every channel: the pseudodata \(histogram pseudodata\)$/m);
    expect(card).not.toContain("Asimov");
    expect(ws.measurements[0].name).toBe("fit_demo (observations: pseudodata 'pseudodata')");
    expect(pyhfErrors(ws)).toEqual([]);
  });

  it("observes the pseudodata, computed here from the processes' histograms, and keeps derived histograms out of the processes", async () => {
    const shapes = path.join(dir, "out/datacard.shapes.root");
    const observations: number[] = [];
    for (const [region, obs] of CHANNELS) {
      const ch = `${region}_${obs}`;
      const of = async (p: string) => inner((await readHistogram(path.join(dir, "out/shapes.root"), `${region}/${obs}/${p}`)).valuesWithFlow);
      const [st, ww, wz, zz] = await Promise.all(["single_top", "ww", "wz", "zz"].map(of));
      const want = st.map((_, i) => 0.5 * st[i] + ww[i] + 1.1 * (wz[i] + zz[i]));
      const asimov = st.map((_, i) => st[i] + ww[i] + wz[i] + zz[i]);
      expect(want.some((x, i) => Math.abs(x - asimov[i]) > 1e-6), "the pseudodata differs from the Asimov sum").toBe(true);
      close(inner((await readHistogram(shapes, `${ch}/data_obs`)).valuesWithFlow), want);
      close(ws.observations.find((o: { name: string }) => o.name === ch).data, want);
      expect(ws.channels.find((c: { name: string }) => c.name === ch).samples.map((s: { name: string }) => s.name)).toEqual(["single_top", "ww", "wz", "zz"]);
      observations.push(want.reduce((a, b) => a + b, 0));
    }
    const line = card.split("\n").find((l) => l.startsWith("observation"))!.split(/\s+/).slice(1).map(Number);
    close(line, observations.map((x) => Number(x.toPrecision(10))));
    expect(card.split("\n").find((l) => l.startsWith("process"))).not.toMatch(/pseudodata|other/);
  });

  it("a pseudodata negative in a bin stops the run with HEP6126 naming the channel and bin, and writes neither file", async () => {
    const d = copyExample(tmp, "single-top");
    const err = await runAnalysis(analysis("background") + "histogram pseudodata = 0.01 * single_top - ww\n", d).then(() => null, (e) => e);
    expect(err).toBeInstanceOf(RunError);
    expect((err as RunError).code).toBe("HEP6126");
    expect((err as Error).message).toMatch(/^datacard channel 'sr_ht': the pseudodata is -[0-9.e-]+ in bin \d, and an observation cannot be negative$/);
    expect(existsSync(path.join(d, "out", "datacard.txt"))).toBe(false);
    expect(existsSync(path.join(d, "out", "ws.json"))).toBe(false);
  });

  it("still observes the data samples when there are some", async () => {
    const withData = await runAnalysis(analysis("data") + pseudo.replace("(wz + zz) * 1.1", "wz * 1.1"));
    const c = readFileSync(path.join(withData, "out/datacard.txt"), "utf8");
    expect(c).not.toContain("# observation:");
    const w = JSON.parse(readFileSync(path.join(withData, "out/ws.json"), "utf8"));
    expect(w.measurements[0].name).toBe("fit_demo");
    const zz = inner((await readHistogram(path.join(withData, "out/shapes.root"), "sr/ht/zz")).valuesWithFlow);
    close(w.observations.find((o: { name: string }) => o.name === "sr_ht").data, zz);
  });
});

describe("fit outputs with a different observable per region (groups of channels)", async () => {
  const text = analysis("background").replace(
    'datacard "out/datacard.txt" for ht, mu_pt in sr, cr',
    'datacard "out/datacard.txt" for ht in sr, mu_pt in cr\n  datacard "out/both.txt" for ht, mu_pt in sr, cr',
  ).replace('workspace "out/ws.json" for ht, mu_pt in sr, cr', 'workspace "out/ws.json" for ht in sr, mu_pt in cr');
  const dir = await runAnalysis(text);
  const card = readFileSync(path.join(dir, "out/datacard.txt"), "utf8");
  const both = readFileSync(path.join(dir, "out/both.txt"), "utf8");
  const ws = JSON.parse(readFileSync(path.join(dir, "out/ws.json"), "utf8"));
  const bins = (c: string) => c.split("\n").find((l) => l.startsWith("bin "))!.trim().split(/\s+/).slice(1);

  it("has exactly the channels the groups name, in order", () => {
    expect(bins(card)).toEqual(["sr_ht", "cr_mu_pt"]);
    expect(ws.channels.map((c: { name: string }) => c.name)).toEqual(["sr_ht", "cr_mu_pt"]);
    expect(pyhfErrors(ws)).toEqual([]);
  });

  it("gives each channel what the cross product gives it", () => {
    // the observation of a channel is the same whichever other channels the card holds
    const obs = (c: string) => {
      const names = bins(c);
      const values = c.split("\n").find((l) => l.startsWith("observation"))!.trim().split(/\s+/).slice(1);
      return Object.fromEntries(names.map((n, k) => [n, Number(values[k])]));
    };
    expect(bins(both)).toEqual(["sr_ht", "cr_ht", "sr_mu_pt", "cr_mu_pt"]);
    expect(obs(card).sr_ht).toBe(obs(both).sr_ht);
    expect(obs(card).cr_mu_pt).toBe(obs(both).cr_mu_pt);
  });
});
