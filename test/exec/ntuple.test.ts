/**
 * `output ntuple`: a run's skim of the CMS tutorial samples, read back by runtime/io and by jsroot
 * (two independent readers of the ROOT file), by apache-arrow and, for Parquet, by parquet-wasm's
 * reader (arrow-rs) turned back into Arrow, compared with the same selection
 * computed here directly from the input branches; byte-identical files for any thread count and
 * chunk size; an integer column with a missing value stops the run with nothing written.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as jsroot from "jsroot";
import { afterAll, describe, expect, it } from "vitest";
import { execute, RunError } from "../../runtime/exec/index.js";
import { openRoot, type Column } from "../../runtime/io/index.js";
import { copyExample, planOf } from "../helpers/examples.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-ntuple-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const haveDist = existsSync(fileURLToPath(new URL("../../dist/runtime/exec/chunk-worker.js", import.meta.url)));

const ANALYSIS = `analysis skim { lumi 50 /pb seed 1 }
sample single_top { files "data/single_top.root" tree "events" class signal weight EventWeight }
sample ww { files "data/ww.root" tree "events" class background weight EventWeight }
object muons = Muon where pt > 10
object jets = Jet where pt > 20
define lead_mu_pt = muons[0].pt
region one_mu = count(muons) >= 1
output ntuple "out/skim.root" in one_mu keep lead_mu_pt, count(jets) as njet, jets.pt, jets.E, muons.pt, muons.Charge, (jets where pt > 40).pt as hard_pt, entry, triggerIsoMu24
output ntuple "out/skim.arrow" in one_mu keep lead_mu_pt, jets.pt, muons.Charge
output ntuple "out/skim.parquet" in one_mu keep lead_mu_pt, jets.pt, muons.Charge
`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** The skim computed directly from the branches: per selected entry, the kept values. */
async function expected(file: string) {
  const f = await openRoot(file);
  try {
    const c = await f.read("events", ["Muon_Px", "Muon_Py", "Muon_Charge", "Jet_Px", "Jet_Py", "Jet_E", "triggerIsoMu24"]);
    const J = (k: string) => c.get(k) as Extract<Column, { kind: "jagged" }>;
    const n = J("Muon_Px").offsets.length - 1;
    const rows: Array<{ entry: number; lead: number; jpt: number[]; je: number[]; mpt: number[]; q: number[]; hard: number[]; trig: number }> = [];
    for (let i = 0; i < n; i++) {
      const mo = J("Muon_Px").offsets, jo = J("Jet_Px").offsets;
      const mpt: number[] = [], q: number[] = [], jpt: number[] = [], je: number[] = [];
      for (let k = mo[i]; k < mo[i + 1]; k++) {
        const pt = Math.sqrt(Number(J("Muon_Px").values[k]) ** 2 + Number(J("Muon_Py").values[k]) ** 2);
        if (pt > 10) (mpt.push(pt), q.push(Number(J("Muon_Charge").values[k])));
      }
      for (let k = jo[i]; k < jo[i + 1]; k++) {
        const pt = Math.sqrt(Number(J("Jet_Px").values[k]) ** 2 + Number(J("Jet_Py").values[k]) ** 2);
        if (pt > 20) (jpt.push(pt), je.push(Number(J("Jet_E").values[k])));
      }
      if (mpt.length >= 1) rows.push({ entry: i, lead: mpt[0], jpt, je, mpt, q, hard: jpt.filter((p) => p > 40), trig: Number(c.get("triggerIsoMu24")!.values[i]) });
    }
    return rows;
  } finally {
    await f.close();
  }
}

const lists = (c: Column): number[][] => {
  if (c.kind !== "jagged") throw new Error("not jagged");
  return Array.from({ length: c.offsets.length - 1 }, (_, i) => Array.from(c.values.subarray(c.offsets[i], c.offsets[i + 1]) as ArrayLike<number | bigint>, Number));
};
const close = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b[i]))));
};

describe("output ntuple", () => {
  const dir = copyExample(tmp, "single-top");
  writeFileSync(path.join(dir, "skim.hep"), ANALYSIS);
  const run = async (threads: number, chunkSize?: number, cache = false) => {
    const plan = await planOf(path.join(dir, "skim.hep"));
    await execute(plan, { analysisDir: dir, versions: { hepc: "test" }, threads, chunkSize, cache });
    return { root: readFileSync(path.join(dir, "out/skim.root")), arrow: readFileSync(path.join(dir, "out/skim.arrow")), parquet: readFileSync(path.join(dir, "out/skim.parquet")) };
  };

  it("writes a tree per sample of the selected events, in entry order, with flat and jagged columns", async () => {
    await run(1);
    const f = await openRoot(path.join(dir, "out/skim.root"));
    try {
      expect(f.objects().filter((o) => o.className === "TTree").map((o) => o.path)).toEqual(["single_top", "ww"]);
      for (const sample of ["single_top", "ww"]) {
        const want = await expected(path.join(dir, `data/${sample}.root`));
        const info = await f.tree(sample);
        expect(info.entries).toBe(want.length);
        expect(info.branches.map((b) => `${b.name}:${b.typename}${b.countBranch ? `[${b.countBranch}]` : ""}`)).toEqual([
          "lead_mu_pt:double", "njet:int64_t", "njets:int32_t", "jets_pt:double[][njets]", "jets_E:double[][njets]", "nmuons:int32_t", "muons_pt:double[][nmuons]",
          "muons_Charge:int64_t[][nmuons]", "nhard_pt:int32_t", "hard_pt:double[][nhard_pt]", "entry:int64_t", "triggerIsoMu24:bool",
        ]);
        const c = await f.read(sample, info.branches.map((b) => b.name));
        const num = (k: string) => Array.from(c.get(k)!.values as ArrayLike<number | bigint>, Number);
        expect(num("entry")).toEqual(want.map((r) => r.entry));
        close(num("lead_mu_pt"), want.map((r) => r.lead));
        expect(num("njet")).toEqual(want.map((r) => r.jpt.length));
        expect(num("njets")).toEqual(want.map((r) => r.jpt.length));
        expect(num("nhard_pt")).toEqual(want.map((r) => r.hard.length));
        close(lists(c.get("jets_pt")!).flat(), want.flatMap((r) => r.jpt));
        expect(lists(c.get("jets_pt")!).map((l) => l.length)).toEqual(want.map((r) => r.jpt.length));
        close(lists(c.get("jets_E")!).flat(), want.flatMap((r) => r.je));
        close(lists(c.get("muons_pt")!).flat(), want.flatMap((r) => r.mpt));
        expect(lists(c.get("muons_Charge")!)).toEqual(want.map((r) => r.q));
        close(lists(c.get("hard_pt")!).flat(), want.flatMap((r) => r.hard));
        expect(num("triggerIsoMu24")).toEqual(want.map((r) => r.trig));
      }
    } finally {
      await f.close();
    }

    // jsroot, knowing the layout only from what the file says
    const jf: Any = await jsroot.openFile(path.join(dir, "out/skim.root"));
    const tree: Any = await jf.readObject("ww");
    const got: Record<string, unknown[]> = { jets_pt: [], muons_Charge: [], entry: [] };
    const sel = new jsroot.TSelector();
    for (const k of Object.keys(got)) sel.addBranch(k);
    sel.Process = function (this: Any) {
      for (const k of Object.keys(got)) got[k].push(ArrayBuffer.isView(this.tgtobj[k]) || Array.isArray(this.tgtobj[k]) ? Array.from(this.tgtobj[k]) : this.tgtobj[k]);
    };
    await jsroot.treeProcess(tree, sel);
    const want = await expected(path.join(dir, "data/ww.root"));
    expect(got.entry).toEqual(want.map((r) => r.entry));
    expect(got.muons_Charge).toEqual(want.map((r) => r.q));
    close((got.jets_pt as number[][]).flat(), want.flatMap((r) => r.jpt));

    // the Arrow table: every sample's rows, samples in plan order, lists as List columns
    const A = await import("apache-arrow");
    const t = A.tableFromIPC(readFileSync(path.join(dir, "out/skim.arrow")));
    expect(t.schema.fields.map((x) => `${x.name}:${x.type}`)).toEqual(["sample:Dictionary<Int32, Utf8>", "lead_mu_pt:Float64", "jets_pt:List<Float64>", "muons_Charge:List<Int64>"]);
    const all = [...(await expected(path.join(dir, "data/single_top.root"))).map((r) => ({ s: "single_top", r })), ...want.map((r) => ({ s: "ww", r }))];
    expect(t.numRows).toBe(all.length);
    expect(t.getChild("sample")!.toArray()).toEqual(all.map((x) => x.s));
    const jl = t.getChild("jets_pt")!.toArray() as Any[];
    expect(jl.map((l) => l.length)).toEqual(all.map((x) => x.r.jpt.length));
    close(jl.flatMap((l) => Array.from(l as Float64Array)), all.flatMap((x) => x.r.jpt));
    const ql = t.getChild("muons_Charge")!.toArray() as Any[];
    expect(ql.map((l) => Array.from(l as BigInt64Array, Number))).toEqual(all.map((x) => x.r.q));

    // Parquet: the same table, read back by another implementation (arrow-rs's Parquet reader)
    const m = await import("parquet-wasm");
    const pq = ("default" in m ? m.default : m) as typeof m;
    const bytes = readFileSync(path.join(dir, "out/skim.parquet"));
    expect(bytes.subarray(0, 4).toString()).toBe("PAR1");
    const back = A.tableFromIPC(pq.readParquet(bytes).intoIPCStream());
    expect(back.numRows).toBe(all.length);
    expect(back.schema.fields.map((x) => x.name)).toEqual(["sample", "lead_mu_pt", "jets_pt", "muons_Charge"]);
    expect(Array.from(back.getChild("sample")!.toArray() as ArrayLike<string>, String)).toEqual(all.map((x) => x.s));
    expect(Array.from(back.getChild("lead_mu_pt")!.toArray() as Float64Array)).toEqual(Array.from(t.getChild("lead_mu_pt")!.toArray() as Float64Array));
    const pj = back.getChild("jets_pt")!.toArray() as Any[];
    expect(pj.map((l) => Array.from(l as Float64Array))).toEqual(jl.map((l) => Array.from(l as Float64Array)));
    const pqch = back.getChild("muons_Charge")!.toArray() as Any[];
    expect(pqch.map((l) => Array.from(l as BigInt64Array, Number))).toEqual(all.map((x) => x.r.q));
  });

  it.skipIf(!haveDist)("writes the same bytes for any thread count and chunk size, and with flat columns from the column cache", async () => {
    const one = await run(1);
    // the first run with the cache fills it; the second reads the flat columns from it (lists are computed again)
    for (const k of [0, 1]) {
      const cached = await run(1, 700, true);
      expect(cached.root.equals(one.root), `ROOT, cache run ${k}`).toBe(true);
      expect(cached.parquet.equals(one.parquet), `Parquet, cache run ${k}`).toBe(true);
    }
    for (const [threads, chunk] of [[2, 97], [3, 1000], [4, undefined]] as const) {
      const other = await run(threads, chunk);
      expect(other.root.equals(one.root), `ROOT, ${threads} threads, chunks of ${chunk ?? "default"}`).toBe(true);
      expect(other.arrow.equals(one.arrow), `Arrow, ${threads} threads, chunks of ${chunk ?? "default"}`).toBe(true);
      expect(other.parquet.equals(one.parquet), `Parquet, ${threads} threads, chunks of ${chunk ?? "default"}`).toBe(true);
    }
  });

  it("keeps an event in any of several regions once, and without regions every event of the sample's selection", async () => {
    const d = copyExample(tmp, "single-top");
    writeFileSync(path.join(d, "u.hep"), `analysis u { lumi 50 /pb }
sample ww { files "data/ww.root" tree "events" where NJet >= 1 }
region a = NMuon >= 2
region b = NElectron >= 1
output ntuple "out/u.root" in a, b keep entry, NMuon, NElectron
output ntuple "out/all.root" keep entry
`);
    await execute(await planOf(path.join(d, "u.hep")), { analysisDir: d, versions: {}, threads: 1, chunkSize: 500, cache: false });
    const src = await openRoot(path.join(d, "data/ww.root"));
    const raw = await src.read("events", ["NJet", "NMuon", "NElectron"]).finally(() => src.close());
    const v = (k: string) => Array.from(raw.get(k)!.values as Int32Array);
    const [nj, nm, ne] = [v("NJet"), v("NMuon"), v("NElectron")];
    const selected = nj.flatMap((x, i) => (x >= 1 ? [i] : []));
    const union = selected.filter((i) => nm[i] >= 2 || ne[i] >= 1);
    expect(union.length).toBeGreaterThan(0);
    expect(union.length).toBeLessThan(selected.length);
    const entries = async (file: string) => {
      const f = await openRoot(path.join(d, file));
      try {
        return Array.from((await f.read("ww", ["entry"])).get("entry")!.values as BigInt64Array, Number);
      } finally {
        await f.close();
      }
    };
    expect(await entries("out/u.root")).toEqual(union);
    expect(await entries("out/all.root")).toEqual(selected);
  });

  it("stops with HEP6080 on an integer column without a value, and writes nothing", async () => {
    const d = copyExample(tmp, "single-top");
    writeFileSync(path.join(d, "bad.hep"), `analysis bad { lumi 50 /pb }
sample ww { files "data/ww.root" tree "events" }
object muons = Muon where pt > 10
output ntuple "out/bad.root" keep muons[0].Charge as q
`);
    const plan = await planOf(path.join(d, "bad.hep"));
    const err = await execute(plan, { analysisDir: d, versions: {}, threads: 1, cache: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunError);
    expect((err as RunError).code).toBe("HEP6080");
    expect((err as RunError).message).toMatch(/ntuple column 'q' has no value for entry \d+ of .*ww\.root \(sample 'ww'\)/);
    expect(existsSync(path.join(d, "out"))).toBe(false);
  });
});
