/**
 * Jagged branches (`x[n]/F` with a count branch) written by runtime/io/write, read back by two
 * independent readers: the project's own (runtime/io) and jsroot's generic one, which knows the
 * layout only from the StreamerInfo and the fLeafCount reference we write. Then a real file's jagged
 * branches (uproot-HZZ.root: Jet_* counted by NJet) are copied through the writer and summarised in
 * the layout of test/fixtures/root/reference: what we read back from our copy must equal what
 * uproot read from the original. (No Python uproot is packaged for the systems CI runs on, so the
 * reference readings stand in for it.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as jsroot from "jsroot";
import { createRootFile, openRoot, type Column, type Dtype } from "../../runtime/io/index.js";

let dir: string;
let logged: string[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hepc-jagged-"));
  logged = [];
  // jsroot reports byte-count mismatches only on the console: any message fails the test
  for (const m of ["log", "warn", "error"] as const) vi.spyOn(console, m).mockImplementation((...a: unknown[]) => void logged.push(a.map(String).join(" ")));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
  expect(logged).toEqual([]);
});

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Random lists: `n` entries of 0..maxLen values (many empty), as offsets + values. */
function lists(n: number, maxLen: number, seed: number) {
  const r = rng(seed);
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + (r() < 0.3 ? 0 : Math.floor(r() * (maxLen + 1)));
  const total = offsets[n];
  return {
    offsets,
    f4: Float32Array.from({ length: total }, () => (r() - 0.5) * 300),
    f8: Float64Array.from({ length: total }, () => (r() - 0.5) * 1e12),
    i4: Int32Array.from({ length: total }, () => Math.floor((r() - 0.5) * 2 ** 31)),
    bool: Uint8Array.from({ length: total }, () => (r() < 0.5 ? 1 : 0)),
    i8: BigInt64Array.from({ length: total }, () => BigInt(Math.floor((r() - 0.5) * 2 ** 40))),
  };
}

function perEntry<T>(offsets: ArrayLike<number>, values: ArrayLike<T>): T[][] {
  const out: T[][] = [];
  for (let i = 0; i + 1 < offsets.length; i++) out.push(Array.from({ length: offsets[i + 1] - offsets[i] }, (_, k) => values[offsets[i] + k]));
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

async function jsrootRead(path: string, tree: string, names: string[]): Promise<{ tree: Any; cols: Record<string, unknown[]> }> {
  const f: Any = await jsroot.openFile(path);
  const t: Any = await f.readObject(tree);
  const cols: Record<string, unknown[]> = Object.fromEntries(names.map((n) => [n, []]));
  const sel = new jsroot.TSelector();
  for (const n of names) sel.addBranch(n);
  sel.Process = function (this: Any) {
    for (const n of names) {
      const v = this.tgtobj[n];
      cols[n].push(ArrayBuffer.isView(v) || Array.isArray(v) ? Array.from(v as ArrayLike<unknown>) : v);
    }
  };
  await jsroot.treeProcess(t, sel);
  return { tree: t, cols };
}

describe("ROOT writer: jagged branches", () => {
  it("writes lists with a shared count branch across many baskets, read back by runtime/io and by jsroot", async () => {
    const n = 5003;
    const L = lists(n, 7, 5);
    const path = join(dir, "jagged.root");
    const w = await createRootFile(path);
    const t = w.tree("skim", "jagged", [
      { name: "run", dtype: "i4" },
      { name: "nJet", dtype: "i4" },
      { name: "Jet_pt", dtype: "f4", counter: "nJet" },
      { name: "Jet_e", dtype: "f8", counter: "nJet" },
      { name: "Jet_id", dtype: "i4", counter: "nJet" },
      { name: "Jet_tag", dtype: "bool", counter: "nJet" },
    ], { basketEntries: 400 });
    const run = Int32Array.from({ length: n }, (_, i) => i * 3);
    // chunk edges deliberately away from basket edges; the count column is left out (derived)
    let at = 0;
    for (const step of [1, 399, 1000, 17, 2000, 1586]) {
      const b = at, e = Math.min(n, at + step);
      const o = L.offsets.subarray(b, e + 1);
      await t.append({ run: run.subarray(b, e), Jet_pt: { offsets: o, values: L.f4 }, Jet_e: { offsets: o, values: L.f8 }, Jet_id: { offsets: o, values: L.i4 }, Jet_tag: { offsets: o, values: L.bool } });
      at = e;
    }
    expect(at).toBe(n);
    await w.close();

    const f = await openRoot(path);
    try {
      const info = await f.tree("skim");
      expect(info.entries).toBe(n);
      const byName = new Map(info.branches.map((b) => [b.name, b]));
      expect(byName.get("Jet_pt")).toMatchObject({ kind: "jagged", dtype: "f4", countBranch: "nJet", typename: "float[]", baskets: 13 });
      expect(byName.get("nJet")).toMatchObject({ kind: "flat", dtype: "i4" });
      const cols = await f.read("skim", ["run", "nJet", "Jet_pt", "Jet_e", "Jet_id", "Jet_tag"]);
      const jag = (k: string) => cols.get(k) as Extract<Column, { kind: "jagged" }>;
      for (const [k, v] of [["Jet_pt", L.f4], ["Jet_e", L.f8], ["Jet_id", L.i4], ["Jet_tag", L.bool]] as const) {
        expect(jag(k).kind).toBe("jagged");
        expect(Array.from(jag(k).offsets)).toEqual(Array.from(L.offsets));
        expect(Array.from(jag(k).values as ArrayLike<number>)).toEqual(Array.from(v as ArrayLike<number>));
      }
      expect(Array.from(cols.get("nJet")!.values as Int32Array)).toEqual(Array.from({ length: n }, (_, i) => L.offsets[i + 1] - L.offsets[i]));
      // a range cutting through baskets
      const part = await f.read("skim", ["Jet_e"], { start: 390, stop: 1234 });
      const pj = part.get("Jet_e") as Extract<Column, { kind: "jagged" }>;
      expect(perEntry(pj.offsets, pj.values as Float64Array)).toEqual(perEntry(L.offsets, L.f8).slice(390, 1234));
    } finally {
      await f.close();
    }

    const { tree, cols } = await jsrootRead(path, "skim", ["nJet", "Jet_pt", "Jet_e", "Jet_id", "Jet_tag"]);
    const leaf = (name: string) => tree.fBranches.arr.find((b: Any) => b.fName === name).fLeaves.arr[0];
    expect(leaf("Jet_pt").fLeafCount.fName).toBe("nJet");
    expect(leaf("Jet_pt").fTitle).toBe("Jet_pt[nJet]");
    expect(tree.fBranches.arr.find((b: Any) => b.fName === "Jet_pt").fTitle).toBe("Jet_pt[nJet]/F");
    expect(leaf("nJet").fIsRange).toBe(true);
    expect(leaf("nJet").fMaximum).toBe(Math.max(...Array.from({ length: n }, (_, i) => L.offsets[i + 1] - L.offsets[i])));
    expect(cols.Jet_pt).toEqual(perEntry(L.offsets, L.f4));
    expect(cols.Jet_e).toEqual(perEntry(L.offsets, L.f8));
    expect(cols.Jet_id).toEqual(perEntry(L.offsets, L.i4));
    expect((cols.Jet_tag as unknown[][]).map((e) => e.map((x) => (x ? 1 : 0)))).toEqual(perEntry(L.offsets, L.bool));
  });

  it("writes a large output (hundreds of thousands of entries, default baskets) that reads back whole", async () => {
    const n = 300_000;
    const L = lists(n, 5, 9);
    const path = join(dir, "large.root");
    const w = await createRootFile(path);
    const t = w.tree("t", "", [{ name: "n", dtype: "i4" }, { name: "x", dtype: "f4", counter: "n" }, { name: "big", dtype: "i8", counter: "n" }]);
    for (let a = 0; a < n; a += 65_536) {
      const o = L.offsets.subarray(a, Math.min(n, a + 65_536) + 1);
      await t.append({ x: { offsets: o, values: L.f4 }, big: { offsets: o, values: L.i8 } });
    }
    await w.close();
    const f = await openRoot(path);
    try {
      const info = await f.tree("t");
      expect(info.branches.find((b) => b.name === "x")!.baskets).toBe(Math.ceil(n / 16384));
      const cols = await f.read("t", ["x", "big"]);
      const x = cols.get("x") as Extract<Column, { kind: "jagged" }>;
      expect(Array.from(x.offsets)).toEqual(Array.from(L.offsets));
      expect(Array.from(x.values as Float32Array)).toEqual(Array.from(L.f4));
      expect(Array.from(cols.get("big")!.values as BigInt64Array)).toEqual(Array.from(L.i8));
    } finally {
      await f.close();
    }
  });

  it("refuses a count column that disagrees, a count column declared after its lists, and flat data for a jagged column", async () => {
    const w = await createRootFile(join(dir, "bad.root"));
    expect(() => w.tree("late", "", [{ name: "x", dtype: "f4", counter: "n" }, { name: "n", dtype: "i4" }])).toThrow(/count column "n" declared before it/);
    expect(() => w.tree("wide", "", [{ name: "n", dtype: "f8" }, { name: "x", dtype: "f4", counter: "n" }])).toThrow(/must be a flat i4 column/);
    const t = w.tree("t", "", [{ name: "n", dtype: "i4" }, { name: "x", dtype: "f4", counter: "n" }]);
    await expect(t.append({ n: [1, 2], x: { offsets: [0, 1, 2], values: [1, 2] } })).rejects.toThrow(/entry 1 of "x" has 1 values but its count column "n" says 2/);
    await expect(t.append({ n: [1, 1], x: [1, 2] })).rejects.toThrow(/is jagged/);
    await w.abort();
    expect(await import("node:fs/promises").then((fs) => fs.readdir(dir))).toEqual([]);
  });

  it("copies uproot-HZZ.root's jets and muons and reads back exactly what uproot read from the original", async () => {
    const src = new URL("../fixtures/root/scikit-hep-testdata/uproot-HZZ.root", import.meta.url);
    const ref = JSON.parse(await readFile(new URL("../fixtures/root/reference/uproot-HZZ.root.json", import.meta.url), "utf8")).objects.events.branches;
    const groups: Record<string, string[]> = { NJet: ["Jet_Px", "Jet_E", "Jet_btag", "Jet_ID"], NMuon: ["Muon_Px", "Muon_Charge"] };
    const names = Object.entries(groups).flatMap(([c, fs]) => [c, ...fs]);
    const input = await openRoot(src.pathname);
    let orig: Map<string, Column>;
    let info;
    try {
      info = await input.tree("events");
      orig = await input.read("events", names);
    } finally {
      await input.close();
    }
    const dtypeOf = (n: string) => info.branches.find((b) => b.name === n)!.dtype as Dtype;
    const path = join(dir, "hzz-copy.root");
    const w = await createRootFile(path);
    const t = w.tree("events", "copy", names.map((n) => {
      const counter = Object.entries(groups).find(([, fs]) => fs.includes(n))?.[0];
      return { name: n, dtype: dtypeOf(n) as never, ...(counter ? { counter } : {}) };
    }), { basketEntries: 500 });
    const cols: Record<string, Any> = {};
    for (const n of names) {
      const c = orig.get(n)!;
      cols[n] = c.kind === "jagged" ? { offsets: c.offsets, values: c.values } : c.values;
    }
    await t.append(cols);
    await w.close();

    const back = await openRoot(path);
    try {
      const binfo = await back.tree("events");
      const read = await back.read("events", names);
      for (const n of names) {
        const r = ref[n];
        const c = read.get(n)!;
        const b = binfo.branches.find((x) => x.name === n)!;
        expect({ n, kind: c.kind, typename: b.typename, entries: b.entries }).toEqual({ n, kind: r.kind, typename: r.typename, entries: r.entries });
        const vals = Array.from(c.values as ArrayLike<number>, Number);
        const sum = vals.reduce((a, x) => a + x, 0);
        if (c.kind === "jagged") {
          const counts = Array.from({ length: c.offsets.length - 1 }, (_, i) => c.offsets[i + 1] - c.offsets[i]);
          expect(counts.slice(0, 10)).toEqual(r.counts_head);
          expect(counts.reduce((a, x) => a + x, 0)).toBe(r.counts_sum);
          expect(perEntry(c.offsets, vals).slice(0, r.head.length)).toEqual(r.head);
        } else {
          expect(vals.slice(0, 5)).toEqual(r.head);
          expect(vals.slice(-5)).toEqual(r.tail);
          expect([Math.min(...vals), Math.max(...vals)]).toEqual([r.min, r.max]);
        }
        expect(sum).toBeCloseTo(r.sum, 6);
      }
    } finally {
      await back.close();
    }
  });
});
