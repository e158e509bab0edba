import { describe, expect, it } from "vitest";
import { buildWorkspace, type FitInput, shapeHistograms, writeDatacard } from "../../runtime/fit/index.js";
import { pyhfErrors } from "./validate.js";

const b = (sumw: number[]) => ({ sumw, sumw2: sumw.map((x) => x / 2) });

/** Two channels, a signal and two backgrounds, a weight variation on one background and a normalisation on all. */
function input(data: boolean): FitInput {
  const ch = (name: string, k: number) => ({
    name,
    edges: [0, 50, 100],
    processes: [
      { name: "ttbar", signal: true, nominal: b([4 * k, 2 * k]), variations: new Map([["lumi", { up: b([4.12 * k, 2.06 * k]), down: b([4 * k / 1.03, 2 * k / 1.03]) }]]) },
      { name: "wjets", signal: false, nominal: b([10, 5]), variations: new Map([["wjets_scale", { up: b([10.25, 5.125]), down: b([9.75, 4.875]) }], ["lumi", { up: b([10.3, 5.15]), down: b([10 / 1.03, 5 / 1.03]) }]]) },
      { name: "st", signal: false, nominal: b([1, 0.5]), variations: new Map([["lumi", { up: b([1.03, 0.515]), down: b([1 / 1.03, 0.5 / 1.03]) }]]) },
    ],
    data: data ? b([15, 9]) : null,
  });
  return {
    channels: [ch("r4j1b_mbjj", 1), ch("r4j2b_mbjj", 2)],
    systematics: [
      { name: "wjets_scale", kind: "shape" },
      { name: "lumi", kind: "normalisation", factor: 1.03 },
    ],
  };
}

describe("datacard", () => {
  it("has the counts, the shapes line, signal indices ≤ 0 and a shape and an lnN line", () => {
    const card = writeDatacard(input(false), "datacard.root", "test");
    expect(card).toContain("imax 2 number of channels");
    expect(card).toContain("jmax 2 number of processes minus one");
    expect(card).toContain("kmax 2 number of nuisance parameters");
    expect(card).toContain("shapes * * datacard.root $CHANNEL/$PROCESS $CHANNEL/$PROCESS_$SYSTEMATIC");
    const rows = card.split("\n").map((l) => l.split(/\s+/));
    expect(rows.find((r) => r[0] === "observation")).toEqual(["observation", "22.5", "28.5"]); // Asimov: 4+2+10+5+1+0.5, 8+4+10+5+1+0.5
    expect(card).toMatch(/^# observation: .*Asimov/m);
    const procs = rows.filter((r) => r[0] === "process");
    expect(procs[0].slice(1)).toEqual(["ttbar", "wjets", "st", "ttbar", "wjets", "st"]);
    expect(procs[1].slice(1)).toEqual(["0", "1", "2", "0", "1", "2"]);
    expect(rows.find((r) => r[0] === "wjets_scale")).toEqual(["wjets_scale", "shape", "-", "1", "-", "-", "1", "-"]);
    expect(rows.find((r) => r[0] === "lumi")).toEqual(["lumi", "lnN", "1.03", "1.03", "1.03", "1.03", "1.03", "1.03"]);
  });
  it("takes the observation from data when there is data, without the Asimov comment", () => {
    const card = writeDatacard(input(true), "datacard.root", "test");
    expect(card.split("\n").find((l) => l.startsWith("observation"))?.split(/\s+/)).toEqual(["observation", "24", "24"]);
    expect(card).not.toContain("Asimov");
  });
  it("names the histograms the shapes line points at, shape systematics only", () => {
    const paths = shapeHistograms(input(false), (n) => n === "wjets_scale").map((h) => h.path);
    expect(paths.slice(0, 6)).toEqual(["r4j1b_mbjj/ttbar", "r4j1b_mbjj/wjets", "r4j1b_mbjj/wjets_wjets_scaleUp", "r4j1b_mbjj/wjets_wjets_scaleDown", "r4j1b_mbjj/st", "r4j1b_mbjj/data_obs"]);
  });
});

describe("pyhf workspace", () => {
  it("is valid against pyhf's schema, with histosys, normsys and mu on the signal", () => {
    const ws = buildWorkspace(input(false), "agc");
    expect(pyhfErrors(ws)).toEqual([]);
    const w = ws.channels[0].samples.find((s) => s.name === "wjets")!;
    expect(w.modifiers).toEqual([
      { name: "wjets_scale", type: "histosys", data: { hi_data: [10.25, 5.125], lo_data: [9.75, 4.875] } },
      { name: "lumi", type: "normsys", data: { hi: 1.03, lo: 1 / 1.03 } },
    ]);
    expect(ws.channels[0].samples[0].modifiers[0]).toEqual({ name: "mu", type: "normfactor", data: null });
    expect(ws.observations[0]).toEqual({ name: "r4j1b_mbjj", data: [15, 7.5] });
    expect(ws.measurements[0].config.poi).toBe("mu");
    expect(ws.measurements[0].name).toContain("Asimov");
  });
  it("the schema check can fail: a modifier of an unknown type is rejected", () => {
    const ws = buildWorkspace(input(true), "agc") as unknown as { channels: Array<{ samples: Array<{ modifiers: unknown[] }> }> };
    expect(pyhfErrors(ws)).toEqual([]);
    ws.channels[0].samples[0].modifiers.push({ name: "x", type: "magic", data: null });
    expect(pyhfErrors(ws).length).toBeGreaterThan(0);
  });
});

describe("observations from pseudodata", () => {
  /** The first channel observes the pseudodata, the second has neither data nor pseudodata. */
  const mixed = (): FitInput => {
    const i = input(false);
    i.channels[0] = { ...i.channels[0], data: b([16, 8]), pseudodata: true };
    return i;
  };
  it("the datacard observes the pseudodata and says which channels observe what", () => {
    const card = writeDatacard(mixed(), "datacard.root", "test");
    expect(card.split("\n").find((l) => l.startsWith("observation"))?.split(/\s+/)).toEqual(["observation", "24", "28.5"]);
    expect(card).toContain("# observation: no data samples (class data) for r4j1b_mbjj: the pseudodata (histogram pseudodata)");
    expect(card).toContain("# observation: no data samples (class data) for r4j2b_mbjj: the Asimov sum of the nominal predictions");
    const obs = shapeHistograms(mixed(), () => false).find((h) => h.path === "r4j1b_mbjj/data_obs")!;
    expect(obs.bins).toEqual(b([16, 8])); // the pseudodata's own variances, not Poisson's
  });
  it("the workspace names them in its measurement, and stays valid against pyhf's schema", () => {
    const ws = buildWorkspace(mixed(), "agc");
    expect(pyhfErrors(ws)).toEqual([]);
    expect(ws.observations.map((o) => o.data)).toEqual([[16, 8], [8 + 10 + 1, 4 + 5 + 0.5]]);
    expect(ws.measurements[0].name).toBe("agc (observations: pseudodata 'pseudodata' in r4j1b_mbjj; Asimov sum of the nominal in r4j2b_mbjj)");
    const all = input(false);
    all.channels = all.channels.map((c) => ({ ...c, data: b([1, 1]), pseudodata: true }));
    expect(buildWorkspace(all, "agc").measurements[0].name).toBe("agc (observations: pseudodata 'pseudodata')");
  });
});
