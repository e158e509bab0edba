/**
 * exec/fit-outputs.ts gathering channels from a run's histograms: splits as processes (samples or
 * groups), data-class splits as the observation, and systematic copies (NAME_SYSTUp/Down, as the
 * histograms runner names them) kept only for the processes their `for` list covers. The plan and
 * results are written out by hand here: they stand for a run with systematics declared.
 */
import { describe, expect, it } from "vitest";
import { fitInput } from "../../runtime/exec/fit-outputs.js";
import type { HistogramResult, RunResult } from "../../runtime/exec/types.js";
import type { Plan, WriteNode } from "../../plan/types.js";
import { buildWorkspace, writeDatacard } from "../../runtime/fit/index.js";
import { pyhfErrors } from "./validate.js";

const origin = { file: "a.hep", line: 1, column: 1 };
const read = (sample: string, klass: string) => ({ kind: "read", id: `read:${sample}`, origin, inputs: [], sample, tree: "t", files: [], branches: [], class: klass });
const hist = {
  kind: "histogram", id: "histogram:out/h.root/m", origin, inputs: [], name: "m", vars: [], edges: [[0, 1, 2]], regions: ["sr"], by: "group", weighted: true,
  systematics: [
    { name: "scale", samples: ["tt"], weight: { up: null, down: null } },
    { name: "lumi", samples: null, normalisation: 1.02 },
  ],
};
const write = { kind: "write", id: "write:out/card.txt", origin, inputs: [hist.id], path: "out/card.txt", format: "datacard", observables: ["m"], regions: ["sr"] } as unknown as WriteNode;
const plan = { analysis: { name: "a", title: null, lumi: null, seed: 1 }, groups: { top: ["tt"], ewk: ["w", "z"], observed: ["d"] }, nodes: [read("tt", "signal"), read("w", "background"), read("z", "background"), read("d", "data"), hist, write] } as unknown as Plan;

const h = (split: string, name: string, inner: [number, number]): HistogramResult =>
  ({ node: hist.id, origin, file: "out/h.root", key: `sr/${name}/${split}`, region: "sr", split, data: { name, edges: [[0, 1, 2]], sumw: [9, ...inner, 9], sumw2: [0, ...inner, 0], entries: 1, skipped: 0, stats: { sumw: 0, sumw2: 0, sumwx: 0, sumwx2: 0 } } }) as HistogramResult;
const copies = (split: string, nom: [number, number], scale: [number, number], scaleDown: [number, number]) => [
  h(split, "m", nom),
  h(split, "m_scaleUp", scale),
  h(split, "m_scaleDown", scaleDown),
  h(split, "m_lumiUp", [nom[0] * 1.02, nom[1] * 1.02]),
  h(split, "m_lumiDown", [nom[0] / 1.02, nom[1] / 1.02]),
];
const result = { histograms: [...copies("top", [4, 2], [5, 3], [3, 1]), ...copies("ewk", [10, 6], [10, 6], [10, 6]), ...copies("observed", [13, 9], [13, 9], [13, 9])] } as unknown as RunResult;

describe("gathering a fit's channels", () => {
  const input = fitInput(plan, result, write);
  it("makes groups the processes, the all-data group the observation, all-signal groups the signal", () => {
    const [c] = input.channels;
    expect(c.name).toBe("sr_m");
    expect(c.processes.map((p) => [p.name, p.signal])).toEqual([["top", true], ["ewk", false]]);
    expect(c.data?.sumw).toEqual([13, 9]); // the flow bins (9) left out
    expect(c.processes[0].nominal.sumw).toEqual([4, 2]);
  });
  it("keeps a weight systematic only for the samples of its `for`, a normalisation for all", () => {
    const [top, ewk] = input.channels[0].processes;
    expect([...top.variations.keys()]).toEqual(["scale", "lumi"]);
    expect([...ewk.variations.keys()]).toEqual(["lumi"]);
    expect(top.variations.get("scale")).toEqual({ up: { sumw: [5, 3], sumw2: [5, 3] }, down: { sumw: [3, 1], sumw2: [3, 1] } });
    expect(input.systematics).toEqual([{ name: "scale", kind: "shape" }, { name: "lumi", kind: "normalisation", factor: 1.02 }]);
  });
  it("writes shape and lnN lines and histosys and normsys modifiers from them", () => {
    const card = writeDatacard(input, "card.shapes.root", "t");
    expect(card).toMatch(/^scale\s+shape\s+1\s+-$/m);
    expect(card).toMatch(/^lumi\s+lnN\s+1\.02\s+1\.02$/m);
    expect(card).toMatch(/^observation\s+22$/m);
    const ws = buildWorkspace(input, "a");
    expect(pyhfErrors(ws)).toEqual([]);
    expect(ws.channels[0].samples[0].modifiers.map((m) => m.type)).toEqual(["normfactor", "histosys", "normsys"]);
    expect(ws.channels[0].samples[1].modifiers.map((m) => m.type)).toEqual(["normsys"]);
  });
});
