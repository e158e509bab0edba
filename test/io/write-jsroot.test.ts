/**
 * Round trips through jsroot's generic reader: it decodes TTrees and histograms from the
 * StreamerInfo we write (it has no compiled layouts for them), so equal values back means
 * header, keys, directories, streamer descriptions and object bytes agree.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as jsroot from "jsroot";
import { createRootFile, type TreeColumnSpec } from "../../runtime/io/write/index.js";

let dir: string;
// jsroot repairs byte-count mismatches silently except for a console message; any message
// while reading our files fails the test.
let logged: string[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hepc-write-"));
  logged = [];
  for (const m of ["log", "warn", "error"] as const)
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
  expect(logged).toEqual([]);
});

/** Deterministic pseudo-random generator so failures are reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** Reads the named branches of a tree with a jsroot TSelector, entry by entry. */
async function readTree(tree: Any, names: string[]): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const n of names) out[n] = [];
  const sel = new jsroot.TSelector();
  for (const n of names) sel.addBranch(n);
  sel.Process = function (this: Any) {
    for (const n of names) out[n].push(this.tgtobj[n]);
  };
  await jsroot.treeProcess(tree, sel);
  return out;
}

/** jsroot 7's TBuffer.ntoi8 complements the low word with a signed 32-bit `~`. */
function asJsrootReadsInt64(v: bigint): bigint {
  const low = v & 0xffffffffn;
  return v < 0n && low < 0x80000000n ? v + 0x100000000n : v;
}

function makeColumns(n: number, seed: number) {
  const r = rng(seed);
  const cols = {
    f4: Float32Array.from({ length: n }, () => (r() - 0.5) * 1e3),
    f8: Float64Array.from({ length: n }, () => (r() - 0.5) * 1e9),
    i4: Int32Array.from({ length: n }, () => Math.floor((r() - 0.5) * 2 ** 32)),
    u4: Uint32Array.from({ length: n }, () => Math.floor(r() * 2 ** 32)),
    i8: BigInt64Array.from({ length: n }, () => BigInt(Math.floor((r() - 0.5) * 2 ** 52))),
    u8: BigUint64Array.from({ length: n }, () => BigInt(Math.floor(r() * 2 ** 53))),
    i2: Int16Array.from({ length: n }, () => Math.floor((r() - 0.5) * 2 ** 16)),
    u2: Uint16Array.from({ length: n }, () => Math.floor(r() * 2 ** 16)),
    i1: Int8Array.from({ length: n }, () => Math.floor((r() - 0.5) * 256)),
    u1: Uint8Array.from({ length: n }, () => Math.floor(r() * 256)),
    bool: Uint8Array.from({ length: n }, () => (r() < 0.3 ? 1 : 0)),
  };
  const specs: TreeColumnSpec[] = Object.keys(cols).map((k) => ({ name: `c_${k}`, dtype: k as TreeColumnSpec["dtype"] }));
  return { cols, specs };
}

function slice(cols: Record<string, ArrayLike<number | bigint> & { subarray(a: number, b: number): unknown }>, a: number, b: number) {
  const out: Record<string, ArrayLike<number | bigint>> = {};
  for (const [k, v] of Object.entries(cols)) out[`c_${k}`] = v.subarray(a, b) as ArrayLike<number | bigint>;
  return out;
}

describe("ROOT writer: trees read back by jsroot", () => {
  it("round-trips every numeric dtype across several baskets, in entry order", async () => {
    const n = 3517;
    const { cols, specs } = makeColumns(n, 7);
    const path = join(dir, "flat.root");
    const w = await createRootFile(path);
    const t = w.tree("events", "prediction friend", specs, { basketEntries: 1000 });
    // Chunk sizes deliberately misaligned with the basket size.
    let at = 0;
    for (const step of [1, 999, 1500, 17, 1000]) {
      await t.append(slice(cols as never, at, Math.min(n, at + step)));
      at = Math.min(n, at + step);
    }
    expect(at).toBe(n);
    await w.close();

    const f: Any = await jsroot.openFile(path);
    const tree: Any = await f.readObject("events");
    expect(tree._typename).toBe("TTree");
    expect(tree.fTitle).toBe("prediction friend");
    expect(tree.fEntries).toBe(n);
    expect(tree.fBranches.arr.map((b: Any) => b.fName)).toEqual(specs.map((s) => s.name));
    for (const br of tree.fBranches.arr) {
      // 3517 entries in baskets of 1000: 4 baskets starting at 0, 1000, 2000, 3000.
      expect(br.fWriteBasket).toBe(4);
      expect(Array.from(br.fBasketEntry).slice(0, 5)).toEqual([0, 1000, 2000, 3000, n]);
      expect(br.fEntries).toBe(n);
    }
    const leafClasses = tree.fBranches.arr.map((b: Any) => b.fLeaves.arr[0]._typename);
    expect(leafClasses).toEqual(["TLeafF", "TLeafD", "TLeafI", "TLeafI", "TLeafL", "TLeafL", "TLeafS", "TLeafS", "TLeafB", "TLeafB", "TLeafO"]);
    expect(tree.fBranches.arr.map((b: Any) => b.fLeaves.arr[0].fIsUnsigned)).toEqual([
      false, false, false, true, false, true, false, true, false, true, false,
    ]);

    const back = await readTree(tree, specs.map((s) => s.name));
    for (const [k, v] of Object.entries(cols)) {
      const got = back[`c_${k}`];
      expect(got.length).toBe(n);
      if (k === "i8" || k === "u8") {
        // jsroot returns 64-bit integers as JS numbers (our values stay within 2^53), and its
        // signed decoding is off by +2^32 for negatives whose low word is below 2^31.
        expect(got.map((x) => BigInt(x as number))).toEqual(Array.from(v as BigInt64Array, (x) => (k === "i8" ? asJsrootReadsInt64(x) : x)));
      } else if (k === "bool") {
        expect(got.map((x) => (x ? 1 : 0))).toEqual(Array.from(v as Uint8Array));
      } else {
        expect(got).toEqual(Array.from(v as Float64Array));
      }
    }
  });

  it("writes trees into subdirectories and accepts plain arrays and bigints", async () => {
    const path = join(dir, "friends.root");
    const w = await createRootFile(path, { compression: { algorithm: "zlib", level: 6 } });
    const t = w.tree("friends/deep/pred", "p", [
      { name: "score", dtype: "f8" },
      { name: "idx", dtype: "i8" },
    ]);
    const score = Array.from({ length: 50 }, (_, i) => i / 7);
    const idx = Array.from({ length: 50 }, (_, i) => BigInt(i) * 3n);
    await t.append({ score, idx });
    await w.close();

    const f: Any = await jsroot.openFile(path);
    const tree: Any = await f.readObject("friends/deep/pred");
    const back = await readTree(tree, ["score", "idx"]);
    expect(back.score).toEqual(score);
    expect(back.idx.map((x) => BigInt(x as number))).toEqual(idx);
  });

  it("writes an empty tree that reads back with zero entries", async () => {
    const path = join(dir, "empty.root");
    const w = await createRootFile(path);
    w.tree("t", "", [{ name: "x", dtype: "f4" }]);
    await w.close();
    const f: Any = await jsroot.openFile(path);
    const tree: Any = await f.readObject("t");
    expect(tree.fEntries).toBe(0);
    expect(tree.fBranches.arr[0].fWriteBasket).toBe(0);
  });
});

describe("ROOT writer: histograms read back by jsroot", () => {
  it("writes TH1F with fixed bins and TH1D with variable bins in directories, with sumw2 and flows", async () => {
    const path = join(dir, "hists.root");
    const w = await createRootFile(path);
    const r = rng(3);
    const fixedEdges = Float64Array.from({ length: 11 }, (_, i) => -5 + i);
    const fixedContents = Float64Array.from({ length: 12 }, () => Math.round(r() * 1000) / 8);
    const fixedSumw2 = Float64Array.from(fixedContents, (c) => c * 0.25);
    w.histogram({
      path: "sr/ht",
      title: "H_{T}",
      kind: "TH1F",
      edges: fixedEdges,
      contents: fixedContents,
      sumw2: fixedSumw2,
      entries: 1234,
      xtitle: "H_{T} [GeV]",
      stats: { sumw: 10, sumw2: 11, sumwx: 12, sumwx2: 13 },
    });
    const varEdges = Float64Array.from([0, 20, 30, 50, 100, 250.5]);
    const varContents = Float64Array.from({ length: 7 }, () => r() * 100);
    const varSumw2 = Float64Array.from({ length: 7 }, () => r() * 10);
    w.histogram({ path: "sr/sub/met", title: "MET", kind: "TH1D", edges: varEdges, contents: varContents, sumw2: varSumw2, entries: 99 });
    w.histogram({ path: "top", title: "top-level", kind: "TH1D", edges: fixedEdges, contents: fixedContents, sumw2: fixedSumw2, entries: 5 });
    await w.close();

    const f: Any = await jsroot.openFile(path);
    const ht: Any = await f.readObject("sr/ht");
    expect(ht._typename).toBe("TH1F");
    expect(ht.fName).toBe("ht");
    expect(ht.fTitle).toBe("H_{T}");
    expect(ht.fXaxis.fNbins).toBe(10);
    expect(ht.fXaxis.fXmin).toBe(-5);
    expect(ht.fXaxis.fXmax).toBe(5);
    expect(ht.fXaxis.fXbins).toHaveLength(0);
    expect(ht.fXaxis.fTitle).toBe("H_{T} [GeV]");
    expect(Array.from(ht.fArray)).toEqual(Array.from(fixedContents, (c) => Math.fround(c)));
    expect(Array.from(ht.fSumw2)).toEqual(Array.from(fixedSumw2));
    expect(ht.fEntries).toBe(1234);
    expect([ht.fTsumw, ht.fTsumw2, ht.fTsumwx, ht.fTsumwx2]).toEqual([10, 11, 12, 13]);
    expect(ht.fNcells).toBe(12);

    const met: Any = await f.readObject("sr/sub/met");
    expect(met._typename).toBe("TH1D");
    expect(Array.from(met.fXaxis.fXbins)).toEqual(Array.from(varEdges));
    expect(met.fXaxis.fNbins).toBe(5);
    expect(Array.from(met.fArray)).toEqual(Array.from(varContents));
    expect(Array.from(met.fSumw2)).toEqual(Array.from(varSumw2));
    // No stats given: computed from in-range bins at bin centres, as ROOT's ResetStats would.
    const centres = [10, 25, 40, 75, 175.25];
    const sumw = centres.reduce((s, _, i) => s + varContents[i + 1], 0);
    const sumwx = centres.reduce((s, x, i) => s + varContents[i + 1] * x, 0);
    expect(met.fTsumw).toBeCloseTo(sumw, 9);
    expect(met.fTsumwx).toBeCloseTo(sumwx, 9);
    expect(met.fTsumw2).toBeCloseTo(varSumw2.slice(1, 6).reduce((a, b) => a + b, 0), 9);

    const top: Any = await f.readObject("top");
    expect(Array.from(top.fArray)).toEqual(Array.from(fixedContents));
  });

  it("writes TH2D with variable y bins in ROOT's bin order", async () => {
    const path = join(dir, "h2.root");
    const w = await createRootFile(path);
    const xedges = Float64Array.from([0, 1, 2, 3]);
    const yedges = Float64Array.from([0, 10, 100]);
    const contents = Float64Array.from({ length: 5 * 4 }, (_, i) => i * 1.5);
    const sumw2 = Float64Array.from(contents, (c) => c * 2);
    w.histogram2d({ path: "d/h2", title: "2d", kind: "TH2D", xedges, yedges, contents, sumw2, entries: 20 });
    w.histogram2d({ path: "d/h2f", title: "2d float", kind: "TH2F", xedges, yedges, contents: Float64Array.from(contents, (c) => c + 0.1), sumw2, entries: 20 });
    await w.close();
    const f: Any = await jsroot.openFile(path);
    const h: Any = await f.readObject("d/h2");
    expect(h._typename).toBe("TH2D");
    expect(h.fXaxis.fNbins).toBe(3);
    expect(h.fYaxis.fNbins).toBe(2);
    expect(Array.from(h.fYaxis.fXbins)).toEqual([0, 10, 100]);
    expect(Array.from(h.fArray)).toEqual(Array.from(contents));
    expect(Array.from(h.fSumw2)).toEqual(Array.from(sumw2));
    // Stats computed from in-range bins: x centres 0.5, 1.5, 2.5; y centres 5, 55; bin = ix + 5*iy.
    let sumwxy = 0;
    for (let iy = 1; iy <= 2; iy++) for (let ix = 1; ix <= 3; ix++) sumwxy += contents[ix + 5 * iy] * (ix - 0.5) * (iy === 1 ? 5 : 55);
    expect(h.fTsumwxy).toBeCloseTo(sumwxy, 9);
    const hf: Any = await f.readObject("d/h2f");
    expect(hf._typename).toBe("TH2F");
    expect(Array.from(hf.fArray)).toEqual(Array.from(contents, (c) => Math.fround(c + 0.1)));
  });
});

describe("ROOT writer: atomic output", () => {
  it("leaves nothing behind on abort, and nothing at the destination before close", async () => {
    const path = join(dir, "aborted.root");
    const w = await createRootFile(path);
    const t = w.tree("t", "", [{ name: "x", dtype: "f8" }], { basketEntries: 10 });
    await t.append({ x: Float64Array.from({ length: 100 }, (_, i) => i) });
    expect(await readdir(dir)).not.toContain("aborted.root");
    await w.abort();
    expect(await readdir(dir)).toEqual([]);
  });
});
