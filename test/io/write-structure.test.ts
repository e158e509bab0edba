/**
 * Byte-level structure of written files, checked the way ROOT walks a file (TFile::Map: every
 * record is a TKey whose fNbytes leads to the next), plus the StreamerInfo contents, failure
 * handling and input validation.
 *
 * Set HEPC_ROOT_TESTDATA to a directory of ROOT-written files (scikit-hep-testdata's
 * src/skhep_testdata/data) to also compare our class descriptions with ROOT's own.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import * as jsroot from "jsroot";
import { createRootFile } from "../../runtime/io/write/index.js";
import { openRootWriter } from "../../runtime/io/write/writer.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

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

interface Key {
  pos: number;
  nbytes: number;
  version: number;
  objlen: number;
  keylen: number;
  cycle: number;
  seekKey: number;
  seekPdir: number;
  cls: string;
  name: string;
  title: string;
  end: number;
}

function readKey(b: Buffer, pos: number): Key {
  let o = pos;
  const nbytes = b.readInt32BE(o);
  const version = b.readInt16BE(o + 4);
  const objlen = b.readInt32BE(o + 6);
  const keylen = b.readInt16BE(o + 14);
  const cycle = b.readInt16BE(o + 16);
  const seekKey = b.readInt32BE(o + 18);
  const seekPdir = b.readInt32BE(o + 22);
  o += 26;
  const str = () => {
    let n = b[o++];
    if (n === 255) {
      n = b.readInt32BE(o);
      o += 4;
    }
    const s = b.toString("latin1", o, o + n);
    o += n;
    return s;
  };
  const cls = str();
  const name = str();
  const title = str();
  return { pos, nbytes, version, objlen, keylen, cycle, seekKey, seekPdir, cls, name, title, end: o };
}

function header(b: Buffer) {
  return {
    magic: b.toString("latin1", 0, 4),
    version: b.readInt32BE(4),
    begin: b.readInt32BE(8),
    end: b.readInt32BE(12),
    seekFree: b.readInt32BE(16),
    nbytesFree: b.readInt32BE(20),
    nfree: b.readInt32BE(24),
    nbytesName: b.readInt32BE(28),
    units: b.readUInt8(32),
    compress: b.readInt32BE(33),
    seekInfo: b.readInt32BE(37),
    nbytesInfo: b.readInt32BE(41),
  };
}

/** Uncompressed payload of a record (ROOT's "ZL" block framing). */
function payload(b: Buffer, k: Key): Buffer {
  const data = b.subarray(k.pos + k.keylen, k.pos + k.nbytes);
  if (k.nbytes - k.keylen === k.objlen) return data;
  const parts: Buffer[] = [];
  let o = 0;
  while (o < data.length) {
    expect(data.toString("latin1", o, o + 2)).toBe("ZL");
    const csize = data[o + 3] | (data[o + 4] << 8) | (data[o + 5] << 16);
    const usize = data[o + 6] | (data[o + 7] << 8) | (data[o + 8] << 16);
    const out = inflateSync(data.subarray(o + 9, o + 9 + csize));
    expect(out.length).toBe(usize);
    parts.push(out);
    o += 9 + csize;
  }
  return Buffer.concat(parts);
}

async function writeSample(path: string, level = 1) {
  const w = await createRootFile(path, { compression: { algorithm: "zlib", level } });
  const t = w.tree("sub/tree", "t", [
    { name: "a", dtype: "f4" },
    { name: "b", dtype: "i4" },
  ], { basketEntries: 300 });
  const n = 1000;
  await t.append({ a: Float32Array.from({ length: n }, (_, i) => i * 0.5), b: Int32Array.from({ length: n }, (_, i) => i % 17) });
  w.histogram({
    path: "h",
    title: "h",
    kind: "TH1D",
    edges: Float64Array.from([0, 1, 2]),
    contents: Float64Array.from([1, 2, 3, 4]),
    sumw2: Float64Array.from([1, 2, 3, 4]),
    entries: 10,
  });
  await w.close();
  return n;
}

describe("ROOT writer: file structure", () => {
  it("tiles the file with TKey records from fBEGIN to fEND, like TFile::Map walks it", async () => {
    const path = join(dir, "s.root");
    await writeSample(path);
    const b = await readFile(path);
    const h = header(b);
    expect(h.magic).toBe("root");
    expect(h.begin).toBe(100);
    expect(h.end).toBe(b.length);
    expect(h.units).toBe(4);
    expect(h.compress).toBe(101);

    const records: Key[] = [];
    for (let pos = h.begin; pos < h.end; ) {
      const k = readKey(b, pos);
      expect(k.nbytes).toBeGreaterThan(0);
      expect(k.seekKey).toBe(pos);
      // A TBasket's key also holds the basket header (version, sizes, entry count, flag).
      expect(k.keylen).toBe(k.end - pos + (k.cls === "TBasket" ? 19 : 0));
      records.push(k);
      pos += k.nbytes;
      if (pos === h.end) break;
      expect(pos).toBeLessThan(h.end);
    }
    const last = records[records.length - 1];
    expect(last.pos + last.nbytes).toBe(h.end);

    // The first record is the top directory; the last is the free-segments list.
    expect(records[0].cls).toBe("TFile");
    expect(h.nbytesName).toBe(records[0].keylen + (1 + "s.root".length) + 1);
    expect(last.pos).toBe(h.seekFree);
    expect(last.nbytes).toBe(h.nbytesFree);
    expect(h.nfree).toBe(1);
    const free = payload(b, last);
    expect(free.readInt16BE(0)).toBe(1);
    expect(free.readInt32BE(2)).toBe(h.end);
    expect(free.readInt32BE(6)).toBe(2_000_000_000);

    const si = records.find((k) => k.pos === h.seekInfo)!;
    expect(si.cls).toBe("TList");
    expect(si.name).toBe("StreamerInfo");
    expect(si.nbytes).toBe(h.nbytesInfo);

    // 1000 entries in baskets of 300 -> 4 baskets for each of the 2 branches.
    const baskets = records.filter((k) => k.cls === "TBasket");
    expect(baskets.map((k) => k.name).sort()).toEqual(["a", "a", "a", "a", "b", "b", "b", "b"]);
    const subdir = records.find((k) => k.cls === "TDirectory" && k.objlen === 60)!;
    expect(subdir.name).toBe("sub");
    for (const k of baskets) {
      expect(k.title).toBe("tree");
      expect(k.seekPdir).toBe(subdir.pos);
      const nevbuf = b.readInt32BE(k.end + 2 + 4 + 4);
      expect(nevbuf).toBe(k.name === "a" ? [300, 300, 300, 100][baskets.filter((x) => x.name === k.name).indexOf(k)] : nevbuf);
    }
    const classes = new Set(records.map((k) => k.cls));
    expect([...classes].sort()).toEqual(["TBasket", "TDirectory", "TFile", "TH1D", "TList", "TTree"]);
  });

  it("keeps directory records, keys lists and object keys consistent", async () => {
    const path = join(dir, "s.root");
    await writeSample(path);
    const b = await readFile(path);
    const top = readKey(b, 100);
    // Top directory record: name and title strings, then TDirectory v5.
    let o = top.end;
    o += 1 + b[o];
    o += 1 + b[o];
    const dirRecord = (at: number) => ({
      version: b.readInt16BE(at),
      nbytesKeys: b.readInt32BE(at + 10),
      nbytesName: b.readInt32BE(at + 14),
      seekDir: b.readInt32BE(at + 18),
      seekParent: b.readInt32BE(at + 22),
      seekKeys: b.readInt32BE(at + 26),
    });
    const d = dirRecord(o);
    expect(d.version).toBe(5);
    expect(d.seekDir).toBe(100);
    expect(d.seekParent).toBe(0);

    const listKeys = (rec: ReturnType<typeof dirRecord>) => {
      const lk = readKey(b, rec.seekKeys);
      expect(lk.nbytes).toBe(rec.nbytesKeys);
      expect(lk.seekPdir).toBe(rec.seekDir);
      const body = payload(b, lk);
      const n = body.readInt32BE(0);
      const keys: Key[] = [];
      let p = 4;
      for (let i = 0; i < n; i++) {
        const k = readKey(body, p);
        keys.push(k);
        p = k.end;
        // The copy in the list matches the record's own key header byte for byte.
        expect(b.subarray(k.seekKey, k.seekKey + k.keylen)).toEqual(body.subarray(k.pos, k.end));
        expect(k.seekPdir).toBe(rec.seekDir);
      }
      expect(p).toBe(body.length);
      return keys;
    };
    const topKeys = listKeys(d);
    expect(topKeys.map((k) => `${k.cls}:${k.name}`)).toEqual(["TH1D:h", "TList:StreamerInfo", "TDirectory:sub"]);
    const sub = topKeys[2];
    const sd = dirRecord(sub.seekKey + sub.keylen);
    expect(sd.seekDir).toBe(sub.seekKey);
    expect(sd.seekParent).toBe(100);
    expect(sd.nbytesName).toBe(sub.keylen);
    expect(listKeys(sd).map((k) => `${k.cls}:${k.name}`)).toEqual(["TTree:tree"]);
  });

  it("describes every class it writes, with base classes and checksums consistent", async () => {
    const path = join(dir, "s.root");
    await writeSample(path);
    const f: Any = await jsroot.openFile(path);
    const infos = new Map<string, Any>();
    for (const s of f.fStreamerInfos.arr) infos.set(s.fName, s);

    const seen = new Set<string>();
    const visited = new Set<object>();
    const walk = (o: Any) => {
      if (!o || typeof o !== "object" || ArrayBuffer.isView(o) || visited.has(o)) return;
      visited.add(o);
      if (typeof o._typename === "string") seen.add(o._typename);
      // "$"-prefixed members are jsroot's own links (to the TFile, parents), not streamed data.
      for (const [k, v] of Object.entries(o)) if (!k.startsWith("$")) walk(v);
    };
    walk(await f.readObject("sub/tree"));
    walk(await f.readObject("h"));
    for (const cls of seen) expect(infos.has(cls), `StreamerInfo for ${cls}`).toBe(true);
    expect([...seen]).toEqual(expect.arrayContaining(["TTree", "TBranch", "TLeafF", "TLeafI", "TObjArray", "TH1D", "TAxis", "TList"]));

    // Base classes resolve to listed classes with the version and checksum the derived class expects.
    // TArray* have hand-written streamers and are not described, by ROOT either.
    for (const s of infos.values()) {
      for (const e of s.fElements.arr) {
        if (e._typename !== "TStreamerBase" || e.fName.startsWith("TArray")) continue;
        const base = infos.get(e.fName);
        expect(base, `${s.fName} base ${e.fName}`).toBeDefined();
        expect(base.fClassVersion).toBe(e.fBaseVersion);
        expect(base.fCheckSum).toBe(e.fMaxIndex[1] >>> 0);
      }
    }
  });

  const testdata = process.env.HEPC_ROOT_TESTDATA;
  it.skipIf(!testdata)("matches the class descriptions in ROOT-written files (HEPC_ROOT_TESTDATA)", async () => {
    const files = ["nanoAOD_2015_CMS_Open_Data_ttbar.root", "uproot-leaflist.root", "uproot-histograms.root"]
      .map((n) => join(testdata!, n))
      .filter((p) => existsSync(p));
    expect(files.length).toBeGreaterThan(0);
    const path = join(dir, "all.root");
    const w = await createRootFile(path);
    const dtypes = ["f4", "f8", "i4", "i8", "i2", "i1", "bool"] as const;
    const t = w.tree("t", "", dtypes.map((d) => ({ name: d, dtype: d })));
    await t.append(Object.fromEntries(dtypes.map((d) => [d, d === "i8" ? [1n] : [1]])));
    await w.close();
    const ours: Any = await jsroot.openFile(path);
    // ROOT releases differ in cosmetic details of the same class version (checksums equal):
    // typedef spelling ("Int_t" vs "int") and the recorded size of pointer members.
    const typedefs: Record<string, string> = { Int_t: "int", Short_t: "short", Double_t: "double", Float_t: "float", Bool_t: "bool" };
    const norm = (e: Any) => {
      const { fTitle: _t, fUniqueID: _u, fBits: _b, fSize, fTypeName, ...rest } = e;
      const base = String(fTypeName).replace(/\*$/, "");
      const pointer = String(fTypeName).endsWith("*");
      return { ...rest, fTypeName: (typedefs[base] ?? base) + (pointer ? "*" : ""), fSize: pointer ? "pointer" : fSize };
    };
    let compared = 0;
    for (const p of files) {
      const theirs: Any = await jsroot.openFile(p);
      for (const s of theirs.fStreamerInfos.arr) {
        if (s._typename !== "TStreamerInfo") continue;
        const mine = ours.fStreamerInfos.arr.find((x: Any) => x.fName === s.fName && x.fClassVersion === s.fClassVersion);
        if (!mine) continue;
        expect(mine.fCheckSum, s.fName).toBe(s.fCheckSum);
        expect(mine.fElements.arr.map(norm), s.fName).toEqual(s.fElements.arr.map(norm));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(10);
  });
});

describe("ROOT writer: compression", () => {
  it("compresses baskets at level 1 and stores them as is at level 0, with identical values", async () => {
    const sizes: Record<number, number> = {};
    for (const level of [0, 1]) {
      const path = join(dir, `l${level}.root`);
      const n = await writeSample(path, level);
      const b = await readFile(path);
      expect(header(b).compress).toBe(level === 0 ? 0 : 101);
      let compressed = 0;
      for (let pos = 100; pos < b.length; ) {
        const k = readKey(b, pos);
        if (k.cls === "TBasket" && k.nbytes - k.keylen < k.objlen) compressed++;
        pos += k.nbytes;
      }
      expect(compressed).toBe(level === 0 ? 0 : 8);
      sizes[level] = (await stat(path)).size;
      const f: Any = await jsroot.openFile(path);
      const tree: Any = await f.readObject("sub/tree");
      const got: number[] = [];
      const sel = new jsroot.TSelector();
      sel.addBranch("b");
      sel.Process = function (this: Any) {
        got.push(this.tgtobj.b);
      };
      await jsroot.treeProcess(tree, sel);
      expect(got).toEqual(Array.from({ length: n }, (_, i) => i % 17));
    }
    expect(sizes[1]).toBeLessThan(sizes[0]);
  });
});

describe("ROOT writer: failures", () => {
  it("refuses to grow past the 32-bit seek limit and leaves no file behind", async () => {
    const path = join(dir, "big.root");
    // A 200 kB limit stands in for ROOT's 2 GB kStartBigFile; incompressible data fills it fast.
    const w = await openRootWriter(path, { compression: { algorithm: "zlib", level: 0 } }, 200_000);
    const t = w.tree("t", "", [{ name: "x", dtype: "f8" }], { basketEntries: 1000 });
    let error: unknown = null;
    try {
      for (let i = 0; i < 100; i++) await t.append({ x: Float64Array.from({ length: 1000 }, Math.random) });
      await w.close();
    } catch (e) {
      error = e;
    }
    expect(String(error)).toMatch(/64-bit seek pointers/);
    await w.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it("removes the temporary file when close fails", async () => {
    const path = join(dir, "fail.root");
    const w = await openRootWriter(path, undefined, 5_000);
    w.tree("t", "", [{ name: "x", dtype: "f8" }]);
    w.histogram({
      path: "h",
      title: "",
      kind: "TH1D",
      edges: Float64Array.from({ length: 2001 }, (_, i) => i),
      contents: Float64Array.from({ length: 2002 }, Math.random),
      sumw2: Float64Array.from({ length: 2002 }, Math.random),
      entries: 1,
    });
    await expect(w.close()).rejects.toThrow(/64-bit seek pointers/);
    expect(await readdir(dir)).toEqual([]);
  });

  it("rejects inconsistent input with errors naming the problem", async () => {
    const w = await createRootFile(join(dir, "v.root"));
    const t = w.tree("t", "", [
      { name: "x", dtype: "f4" },
      { name: "y", dtype: "i8" },
    ]);
    await expect(t.append({ x: [1, 2], y: [1n] })).rejects.toThrow(/"y" has 1 values, expected 2/);
    await expect(t.append({ x: [1] })).rejects.toThrow(/missing column "y"/);
    await expect(t.append({ x: [1], y: [1n], z: [0] })).rejects.toThrow(/no column "z"/);
    await expect(t.append({ x: [1], y: [1.5] })).rejects.toThrow(/non-integer/);
    expect(() => w.tree("t", "", [{ name: "x", dtype: "f4" }])).toThrow(/written twice/);
    expect(() => w.tree("u", "", [])).toThrow(/at least one column/);
    const h = { path: "h", title: "", kind: "TH1F" as const, edges: Float64Array.from([0, 1]), contents: new Float64Array(3), sumw2: new Float64Array(3), entries: 0 };
    expect(() => w.histogram({ ...h, contents: new Float64Array(2) })).toThrow(/contents has 2 values, expected 3/);
    expect(() => w.histogram({ ...h, edges: Float64Array.from([1, 0]) })).toThrow(/increase strictly/);
    expect(() => w.histogram({ ...h, path: "t/h" })).toThrow(/not a directory/);
    expect(() => w.histogram({ ...h, path: "h;2" })).toThrow(/must not contain ";"/);
    // The failed calls above must not have damaged the file.
    await t.append({ x: [3], y: [4n] });
    await w.close();
    const f: Any = await jsroot.openFile(join(dir, "v.root"));
    expect((await f.readObject("t")).fEntries).toBe(1);
  });
});
