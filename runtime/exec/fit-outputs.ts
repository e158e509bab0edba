/**
 * `datacard` and `workspace` outputs: a run's histograms gathered into channels (each observable
 * in each region: REGION_OBSERVABLE) of processes (the histogram's splits: samples or groups), then
 * written by runtime/fit. Splits whose samples are all `class data` are the observation; without
 * them the derived histogram `pseudodata` (`histogram pseudodata = ...`), else the Asimov sum of
 * the nominal stands in (the files say so). Derived histograms are never processes. Under- and overflow are left
 * out: combine and pyhf fit the bins of the axis.
 */
import * as path from "node:path";
import type { HistogramNode, Plan, ReadNode, WriteNode } from "../../plan/types.js";
import { type Bins, buildWorkspace, type FitChannel, type FitInput, type FitProcess, type FitSystematic, PSEUDODATA, shapeHistograms, writeDatacard } from "../fit/index.js";
import { canonicalJson } from "../../plan/canonical.js";
import { DATA_CLASS } from "../../plan/classes.js";
import { createRootFile, type FileStamp } from "../io/index.js";
import { atomicWrite } from "./cache.js";
import { RunError } from "./errors.js";
import type { HistogramData } from "./histogram.js";
import type { WrittenOutput } from "./outputs.js";
import type { RunResult } from "./types.js";

/**
 * A systematic as the plan's histogram nodes carry it (plan/types.ts `SystematicIR` where the
 * systematics are declared); read structurally so that analyses without them need nothing.
 */
interface SystematicLike {
  name: string;
  samples: string[] | null;
  normalisation?: number;
}

const inner = (d: HistogramData): Bins => {
  const n = d.edges[0].length - 1;
  return { sumw: d.sumw.slice(1, n + 1), sumw2: d.sumw2.slice(1, n + 1) };
};

const add = (a: Bins | null, b: Bins): Bins => (a ? { sumw: a.sumw.map((v, i) => v + b.sumw[i]), sumw2: a.sumw2.map((v, i) => v + b.sumw2[i]) } : { sumw: b.sumw.slice(), sumw2: b.sumw2.slice() });

/** The channels of a fit output, from the plan and the run's histograms. */
export function fitInput(plan: Plan, result: RunResult, w: WriteNode): FitInput {
  const classOf = new Map(plan.nodes.filter((n): n is ReadNode => n.kind === "read").map((n) => [n.sample, n.class]));
  const hists = plan.nodes.filter((n): n is HistogramNode => n.kind === "histogram" && w.inputs.includes(n.id));
  const systematics = new Map<string, FitSystematic & { samples: string[] | null }>();
  for (const h of hists) {
    for (const s of ((h as { systematics?: SystematicLike[] }).systematics ?? [])) {
      if (!systematics.has(s.name)) systematics.set(s.name, { name: s.name, kind: s.normalisation !== undefined ? "normalisation" : "shape", ...(s.normalisation !== undefined ? { factor: s.normalisation } : {}), samples: s.samples });
    }
  }
  const channels: FitChannel[] = [];
  // the channels in order: the groups written, else every observable in every region
  const pairs = w.channels ?? (w.observables ?? []).flatMap((observable) => (w.regions ?? []).map((region) => ({ observable, region })));
  for (const { observable: o, region } of pairs) {
    const h = hists.find((x) => x.name === o)!;
    const members = (split: string) => (h.by === "group" ? (plan.groups[split] ?? []) : [split]);
    const name = `${region}_${o}`;
    const here = result.histograms.filter((r) => r.node === h.id && r.region === region && r.split !== null);
    // derived histograms are combinations of the processes, not processes of their own
    const derived = new Set((h.derived ?? []).map((d) => d.name));
    const splits = [...new Set(here.map((r) => r.split as string))].filter((s) => !derived.has(s));
    const processes: FitProcess[] = [];
    let data: Bins | null = null;
    for (const split of splits) {
      const of = (hname: string) => here.find((r) => r.split === split && r.data.name === hname);
      const nominal = of(h.name);
      if (!nominal) continue;
      const samples = members(split);
      if (samples.length && samples.every((s) => classOf.get(s) === DATA_CLASS)) {
        data = add(data, inner(nominal.data));
        continue;
      }
      const variations = new Map<string, { up: Bins; down: Bins }>();
      for (const s of systematics.values()) {
        const affects = !s.samples || s.samples.includes(split) || samples.some((x) => s.samples!.includes(x));
        const up = of(`${h.name}_${s.name}Up`);
        const down = of(`${h.name}_${s.name}Down`);
        if (affects && up && down) variations.set(s.name, { up: inner(up.data), down: inner(down.data) });
      }
      processes.push({ name: split, signal: samples.length > 0 && samples.every((s) => classOf.get(s) === "signal"), nominal: inner(nominal.data), variations });
    }
    const total = processes.reduce((a, p) => a + p.nominal.sumw.reduce((x, y) => x + y, 0), 0);
    if (!processes.length || total === 0) throw new RunError("HEP6110", { format: w.format, channel: name, region }, w.origin);
    // without data samples, the derived histogram `pseudodata` (its nominal) is the observation
    const pseudo = data ? undefined : derived.has(PSEUDODATA) ? here.find((r) => r.split === PSEUDODATA && r.data.name === h.name) : undefined;
    const observed = pseudo ? inner(pseudo.data) : data;
    const negative = pseudo ? observed!.sumw.findIndex((v) => v < 0) : -1;
    if (negative >= 0) throw new RunError("HEP6126", { format: w.format, channel: name, bin: negative + 1, value: String(observed!.sumw[negative]) }, w.origin);
    channels.push({ name, edges: h.edges[0], processes, data: observed, ...(pseudo ? { pseudodata: true } : {}) });
  }
  return { channels, systematics: [...systematics.values()].map(({ samples: _, ...s }) => s) };
}

/** Writes a fit output into the staging folder; returns the files written (relative path, staged path, objects). */
export async function stageFitOutput(plan: Plan, result: RunResult, w: WriteNode, stageDir: string, stampOf: (rel: string) => FileStamp): Promise<WrittenOutput[]> {
  const input = fitInput(plan, result, w);
  const staged = path.join(stageDir, w.path);
  const title = plan.analysis.title ?? plan.analysis.name;
  if (w.format === "workspace") {
    atomicWrite(staged, canonicalJson(buildWorkspace(input, plan.analysis.name)));
    return [{ path: w.path, staged, kind: "json", objects: input.channels.length }];
  }
  const shapesRel = `${w.path.replace(/\.[^./]*$/, "")}.shapes.root`;
  const shapesStaged = path.join(stageDir, shapesRel);
  const shapes = input.systematics.filter((s) => s.kind === "shape").map((s) => s.name);
  const hists = shapeHistograms(input, (n) => shapes.includes(n));
  const file = await createRootFile(shapesStaged, { stamp: stampOf(shapesRel) });
  try {
    for (const h of hists) {
      const pad = (xs: number[]) => Float64Array.from([0, ...xs, 0]);
      file.histogram({ path: h.path, title: h.path, kind: "TH1D", edges: Float64Array.from(h.edges), contents: pad(h.bins.sumw), sumw2: pad(h.bins.sumw2), entries: 0 });
    }
    await file.close();
  } catch (e) {
    await file.abort();
    throw e;
  }
  atomicWrite(staged, writeDatacard(input, path.posix.basename(shapesRel), `${title}: CMS combine datacard`));
  return [
    { path: w.path, staged, kind: "datacard", objects: input.channels.length },
    { path: shapesRel, staged: shapesStaged, kind: "root", objects: hists.length },
  ];
}
