/**
 * Systematic variations: weight variations (two- and one-sided), normalisations and `for`
 * restrictions give every histogram NAME_SYSTUp / NAME_SYSTDown copies, filled in the same pass;
 * each copy is checked bin by bin against sums written here over the reader's columns.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { execute, RunError } from "../../runtime/exec/index.js";
import { openRoot } from "../../runtime/io/index.js";
import { copyExample, planOf } from "../helpers/examples.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-syst-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ANALYSIS = `analysis syst { lumi 50 /pb }
sample single_top { files "data/single_top.root" tree "events" class signal weight EventWeight }
sample ww { files "data/ww.root" tree "events" class background weight EventWeight }
group bkg = ww
region two_jets = NJet >= 2
systematic jetw for single_top { weight up 1 + 0.1 * NJet down 1 - 0.05 * NJet }
systematic onesided for bkg { weight up 1.2 }
systematic lumi { normalisation 1.025 }
output { histogram NJet in two_jets by sample bins 6 0 .. 6 to "out/syst.root" }
`;

async function columns(file: string): Promise<{ njet: number[]; w: number[] }> {
  const f = await openRoot(file);
  try {
    const c = await f.read("events", ["NJet", "EventWeight"]);
    return { njet: Array.from(c.get("NJet")!.values as ArrayLike<number>, Number), w: Array.from(c.get("EventWeight")!.values as ArrayLike<number>, Number) };
  } finally {
    await f.close();
  }
}

/** sumw per bin (under- and overflow included, as the runner keeps them) of NJet in [0, 6) with NJet >= 2. */
function direct(njet: number[], w: number[], factor: (n: number) => number): number[] {
  const out = new Array(8).fill(0);
  njet.forEach((n, i) => {
    if (n < 2) return;
    out[n >= 6 ? 7 : n + 1] += w[i] * factor(n);
  });
  return out;
}

describe("systematic variations", () => {
  it("fill Up/Down copies of every histogram: weights, one-sided mirrors, normalisations, for", async () => {
    const dir = copyExample(tmp, "single-top");
    writeFileSync(path.join(dir, "syst.hep"), ANALYSIS);
    const plan = await planOf(path.join(dir, "syst.hep"));
    const h = plan.nodes.find((n) => n.kind === "histogram")!;
    expect(h.kind === "histogram" && h.systematics?.map((s) => s.name)).toEqual(["jetw", "onesided", "lumi"]);
    const ex = await execute(plan, { analysisDir: dir, versions: { hepc: "test" }, threads: 1, cache: false });
    const get = (name: string, sample: string) => {
      const r = ex.result.histograms.find((x) => x.key === `two_jets/${name}/${sample}`);
      expect(r, `${name}/${sample}`).toBeDefined();
      return r!.data.sumw;
    };
    const st = await columns(path.join(dir, "data/single_top.root"));
    const ww = await columns(path.join(dir, "data/ww.root"));
    const close = (a: number[], b: number[]) => a.forEach((x, i) => expect(Math.abs(x - b[i]), `bin ${i}: ${x} vs ${b[i]}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b[i]))));
    const nomST = direct(st.njet, st.w, () => 1);
    const nomWW = direct(ww.njet, ww.w, () => 1);
    expect(nomST.some((x) => x > 0) && nomWW.some((x) => x > 0)).toBe(true);
    close(get("NJet", "single_top"), nomST);
    close(get("NJet", "ww"), nomWW);
    // jetw varies single_top only; ww's copies are its nominal
    close(get("NJet_jetwUp", "single_top"), direct(st.njet, st.w, (n) => 1 + 0.1 * n));
    close(get("NJet_jetwDown", "single_top"), direct(st.njet, st.w, (n) => 1 - 0.05 * n));
    close(get("NJet_jetwUp", "ww"), nomWW);
    close(get("NJet_jetwDown", "ww"), nomWW);
    // onesided: ww (through its group) up ×1.2, down mirrored: 2·nominal − up = ×0.8
    close(get("NJet_onesidedUp", "ww"), nomWW.map((x) => 1.2 * x));
    close(get("NJet_onesidedDown", "ww"), nomWW.map((x) => 0.8 * x));
    close(get("NJet_onesidedUp", "single_top"), nomST);
    // lumi: every sample ×1.025 up, ÷1.025 down
    close(get("NJet_lumiUp", "single_top"), nomST.map((x) => 1.025 * x));
    close(get("NJet_lumiDown", "ww"), nomWW.map((x) => x / 1.025));
    // the copies go to the output file with the nominal
    expect(ex.result.histograms.filter((x) => x.key.startsWith("two_jets/NJet")).length).toBe(2 * 7);
  });
});

describe("a varied weight that is not a finite number", () => {
  it("stops the run naming the sample, the file, the entry and the systematic's line; nothing is written", async () => {
    const dir = copyExample(tmp, "single-top");
    // log(NJet - 1): -Infinity at one jet, NaN without jets; only single_top is varied
    const text = ANALYSIS.replace("systematic jetw for single_top { weight up 1 + 0.1 * NJet down 1 - 0.05 * NJet }", "systematic jetw for single_top { weight up 1 + 0.1 * NJet down 1 + log(NJet - 1) }").replace("region two_jets = NJet >= 2", "region two_jets = NJet >= 0");
    expect(text).toContain("log(NJet - 1)");
    writeFileSync(path.join(dir, "syst.hep"), text);
    const plan = await planOf(path.join(dir, "syst.hep"));
    const st = await columns(path.join(dir, "data/single_top.root"));
    const first = st.njet.findIndex((n) => n <= 1);
    expect(first).toBeGreaterThanOrEqual(0);
    for (const [threads, chunkSize] of [[1, 100000], [2, 50]] as const) {
      const err = await execute(plan, { analysisDir: dir, versions: { hepc: "test" }, threads, chunkSize, cache: false }).then(() => null, (e: unknown) => e);
      expect(err, `${threads} threads`).toBeInstanceOf(RunError);
      const e = err as RunError;
      expect(e.code).toBe("HEP6125");
      expect(e.message).toBe(`sample 'single_top': the weight of systematic 'jetw' (down) is ${Math.log(st.njet[first] - 1)} at entry ${first} of data/single_top.root`);
      // the systematic's declaration: line 6 of the analysis
      expect(e.origin?.line).toBe(text.split("\n").findIndex((l) => l.startsWith("systematic jetw")) + 1);
      expect(e.origin?.file).toContain("syst.hep");
      expect(existsSync(path.join(dir, "out"))).toBe(false);
    }
  });
});
