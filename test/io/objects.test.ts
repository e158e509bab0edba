/**
 * Files ROOT wrote with split objects: TObject's members, split TClonesArrays (the top branch
 * counts, the members are jagged by it), and Double32_t/Float16_t ranges written with expressions.
 *
 * Where the expected values come from is said at each test: values uproot 5's own test suite
 * asserts for these files (tests/test_0016_interpretations.py, test_0438_TClonesArray_is_not_AsGrouped.py,
 * test_1477_custom_interpretation.py), jsroot's object reading of the same entries (an independent
 * reader, which streams the split object back whole), or values derived by hand with the rule stated.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import * as jsroot from "jsroot";
import * as jsrootTree from "jsroot/tree";
import { afterAll, describe, expect, it } from "vitest";
import { openRoot, readTreeSchema, type Column } from "../../runtime/io/index.js";
import { elementStorage, packedStorage, parseRange } from "../../runtime/io/range.js";

const objects = (name: string): string => fileURLToPath(new URL(`../fixtures/root/scikit-hep-testdata-objects/${name}`, import.meta.url));
const sktd = (name: string): string => fileURLToPath(new URL(`../fixtures/root/scikit-hep-testdata/${name}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "hepc-io-objects-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const values = (c: Column | undefined): number[] => Array.from(c!.values as ArrayLike<number | bigint>, Number);
const rows = (c: Column | undefined): number[][] => {
  if (c?.kind !== "jagged") throw new Error("not jagged");
  return Array.from({ length: c.offsets.length - 1 }, (_, i) => values(c).slice(c.offsets[i], c.offsets[i + 1]));
};

describe("TObject-derived classes split into members", () => {
  it("fUniqueID and fBits (kBits) are uint32 columns", async () => {
    const file = objects("uproot-issue-1229.root");
    const info = await readTreeSchema(file, "tree");
    const byName = new Map(info.branches.map((b) => [b.name, b]));
    expect(byName.get("branch/TObject/fBits")).toMatchObject({ kind: "flat", dtype: "u4", typename: "uint32_t" });
    expect(byName.get("branch/TObject/fUniqueID")).toMatchObject({ kind: "flat", dtype: "u4", typename: "uint32_t" });
    const f = await openRoot(file);
    try {
      const cols = await f.read("tree", ["branch/TObject/fBits", "branch/TObject/fUniqueID"]);
      // One entry of a TFoo made with `new`: fUniqueID is TObject's default 0; fBits is
      // kNotDeleted (0x02000000), which every live TObject carries; ROOT leaves kIsOnHeap
      // (0x01000000) out when it writes. jsroot reads the same bits (checked below).
      expect(values(cols.get("branch/TObject/fBits"))).toEqual([0x02000000]);
      expect(values(cols.get("branch/TObject/fUniqueID"))).toEqual([0]);
      const js = await jsrootObjects(file, "tree", "branch");
      expect(js.map((o) => o.fBits)).toEqual([0x02000000]);
    } finally {
      await f.close();
    }
  });
});

/** Each entry's object of a top-level split branch, as jsroot streams it back (independent reader). */
async function jsrootObjects(file: string, tree: string, branch: string): Promise<Record<string, any>[]> {
  const jf = await jsroot.openFile(file);
  const sel = new jsrootTree.TSelector();
  sel.addBranch(branch);
  const out: Record<string, any>[] = [];
  sel.Process = function (this: { tgtobj: Record<string, any> }) {
    // jsroot fills the same object for every entry: keep a copy of each.
    out.push(JSON.parse(JSON.stringify(this.tgtobj[branch], (_k, v) => (typeof v === "bigint" ? Number(v) : v))));
  };
  await jsrootTree.treeProcess(await jf.readObject(tree), sel);
  return out;
}

describe("split TClonesArray branches", () => {
  it("the top branch counts the elements; members are jagged by it (values uproot 5's tests assert)", async () => {
    const file = objects("uproot-mc10events.root");
    const info = await readTreeSchema(file, "Events");
    const byName = new Map(info.branches.map((b) => [b.name, b]));
    expect(byName.get("Muon")).toMatchObject({ kind: "flat", dtype: "i4", typename: "int32_t" });
    expect(byName.get("Muon")!.unsupportedReason).toBeUndefined();
    expect(byName.get("Muon/Muon.q")).toMatchObject({ kind: "jagged", dtype: "i4", typename: "int32_t[]", countBranch: "Muon" });
    expect(byName.get("Muon/Muon.pt")).toMatchObject({ kind: "jagged", dtype: "f4", countBranch: "Muon" });
    const f = await openRoot(file);
    try {
      const cols = await f.read("Events", ["Muon", "Muon.q", "Muon/Muon.pt", "Info/evtNum"]);
      // test_0438_TClonesArray_is_not_AsGrouped.py: tree["Muon"] is [1, 0, 3, 3, 0, 1, 5, 0, 1, 0].
      const counts = [1, 0, 3, 3, 0, 1, 5, 0, 1, 0];
      expect(values(cols.get("Muon"))).toEqual(counts);
      // test_0016_interpretations.py (test_compressed): basket 0 of Muon.q holds these big-endian
      // int32s at byte offsets [0, 4, 4, 16, 28, 28, 32, 52, 52, 56, 56], i.e. the counts above.
      const q = [-1, -1, -1, 1, 1, -1, -1, -1, 1, -1, -1, -1, -1, 1];
      expect(values(cols.get("Muon.q"))).toEqual(q);
      expect(rows(cols.get("Muon.q")).map((r) => r.length)).toEqual(counts);
      expect(rows(cols.get("Muon/Muon.pt")).map((r) => r.length)).toEqual(counts);
      // test_1477_custom_interpretation.py: Info/evtNum, a uint32 member of a split class.
      expect(values(cols.get("Info/evtNum"))).toEqual([
        135353219, 135353222, 135353225, 135353230, 135353239, 135353242, 135353244, 135353247, 135353252, 135353256,
      ]);
    } finally {
      await f.close();
    }
  });

  it("a TClonesArray member of a split class, with TObject-derived elements, reads as jsroot streams it", async () => {
    const file = objects("uproot-issue213.root");
    const f = await openRoot(file);
    try {
      const info = await f.tree("T");
      const byName = new Map(info.branches.map((b) => [b.name, b]));
      expect(byName.get("eventPack/fMCHits")).toMatchObject({ kind: "flat", dtype: "i4" });
      const members = ["fUniqueID", "fBits", "fEvtID", "fScinID", "fTrackID", "fEneDep", "fTime"].map((m) => `eventPack/fMCHits/fMCHits.${m}`);
      for (const m of members) expect(byName.get(m)).toMatchObject({ kind: "jagged", countBranch: "eventPack/fMCHits" });
      expect(byName.get("eventPack/fMCHits/fMCHits.fBits")).toMatchObject({ dtype: "u4", typename: "uint32_t[]" });
      // The TVector3 members stay unsupported; they do not make their neighbours unreadable.
      expect(byName.get("eventPack/fMCHits/fMCHits.fPosition")?.kind).toBe("unsupported");

      const names = ["eventPack/fMCHits", "eventPack/TObject/fBits", "eventPack/fEvtIndex", ...members];
      const cols = await f.read("T", names);
      const js = await jsrootObjects(file, "T", "eventPack");
      expect(js).toHaveLength(info.entries);
      expect(values(cols.get("eventPack/fMCHits"))).toEqual(js.map((o) => o.fMCHits.length));
      expect(values(cols.get("eventPack/TObject/fBits"))).toEqual(js.map((o) => o.fBits));
      expect(values(cols.get("eventPack/fEvtIndex"))).toEqual(js.map((o) => o.fEvtIndex));
      for (const m of members) {
        const field = m.split(".").pop()!;
        expect(rows(cols.get(m)), m).toEqual(js.map((o) => o.fMCHits.map((h: Record<string, number>) => h[field])));
      }
      // Not a check that cannot fail: the file has hits, and several per event somewhere.
      expect(values(cols.get("eventPack/fMCHits")).reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
    } finally {
      await f.close();
    }
  });

  it("a split std::vector of TObject-derived objects reads the same way, as jsroot streams it", async () => {
    const file = objects("uproot-issue74.root");
    const f = await openRoot(file);
    try {
      const info = await f.tree("Events");
      const byName = new Map(info.branches.map((b) => [b.name, b]));
      expect(byName.get("MyEvent/ayes")).toMatchObject({ kind: "flat", dtype: "i4" });
      expect(byName.get("MyEvent/ayes/ayes.start_ns")).toMatchObject({ kind: "jagged", dtype: "f4", countBranch: "MyEvent/ayes" });
      const names = ["MyEvent/ayes", "MyEvent/bees", "MyEvent/ayes/ayes.start_ns", "MyEvent/ayes/ayes.end_ns", "MyEvent/bees/bees.driftTime", "MyEvent/TObject/fBits", "MyEvent/eventID"];
      const cols = await f.read("Events", names);
      const js = await jsrootObjects(file, "Events", "MyEvent");
      expect(js).toHaveLength(1000);
      expect(values(cols.get("MyEvent/ayes"))).toEqual(js.map((o) => o.ayes.length));
      expect(values(cols.get("MyEvent/bees"))).toEqual(js.map((o) => o.bees.length));
      expect(rows(cols.get("MyEvent/ayes/ayes.start_ns"))).toEqual(js.map((o) => o.ayes.map((a: { start_ns: number }) => a.start_ns)));
      expect(rows(cols.get("MyEvent/ayes/ayes.end_ns"))).toEqual(js.map((o) => o.ayes.map((a: { end_ns: number }) => a.end_ns)));
      expect(rows(cols.get("MyEvent/bees/bees.driftTime"))).toEqual(js.map((o) => o.bees.map((b: { driftTime: number }) => b.driftTime)));
      expect(values(cols.get("MyEvent/TObject/fBits"))).toEqual(js.map((o) => o.fBits));
      expect(values(cols.get("MyEvent/eventID"))).toEqual(js.map((o) => o.eventID));
    } finally {
      await f.close();
    }
  });

  it("hepc inspect shows the members as jagged by the top branch", async () => {
    const { main } = await import("../../cli/main.js");
    let out = "";
    const io = { stdout: (t: string) => void (out += t), stderr: () => undefined, isTTY: false, cwd: process.cwd() };
    expect(await main(["inspect", objects("uproot-mc10events.root"), "Events"], io)).toBe(0);
    const line = (name: string): string[] => out.split("\n").find((l) => l.startsWith(`${name} `))!.trim().split(/\s{2,}/);
    expect(line("Muon").slice(0, 3)).toEqual(["Muon", "int32_t", "flat"]);
    expect(line("Muon/Muon.pt").slice(0, 3)).toEqual(["Muon/Muon.pt", "float[]", "jagged[Muon]"]);
  });
});

describe("Double32_t/Float16_t ranges with expressions", () => {
  it("bounds are read as ROOT's TStreamerElement::GetRange reads them", () => {
    const pi = Math.PI;
    const cases: [string, { xmin: number; xmax: number; nbits: number } | null][] = [
      ["[-pi,pi,10]", { xmin: -pi, xmax: pi, nbits: 10 }],
      ["[0, 2pi]", { xmin: 0, xmax: 2 * pi, nbits: 32 }],
      ["[0,twopi,12]", { xmin: 0, xmax: 2 * pi, nbits: 12 }],
      ["[0,2*pi,12]", { xmin: 0, xmax: 2 * pi, nbits: 12 }],
      ["[-pi/2, pi/2, 8]", { xmin: -pi / 2, xmax: pi / 2, nbits: 8 }],
      ["[0,PI/4]", { xmin: 0, xmax: pi / 4, nbits: 32 }],
      // ROOT looks for the few forms it knows inside the text: "3*pi" is pi.
      ["[-3*pi,3*pi,8]", { xmin: -pi, xmax: pi, nbits: 8 }],
      // Numbers as sscanf("%lg") reads them: the longest numeric prefix, 0 when there is none.
      ["[ -1.5e2 , 10abc , 16 ]", { xmin: -150, xmax: 10, nbits: 16 }],
      ["[x,1,4]", { xmin: 0, xmax: 1, nbits: 4 }],
      // nbits outside 2..32 is 32.
      ["[0,1,40]", { xmin: 0, xmax: 1, nbits: 32 }],
      ["[0,1,1]", { xmin: 0, xmax: 1, nbits: 32 }],
      // A first bracket without a comma is an array dimension.
      ["fArr[3] [0,1,10]", { xmin: 0, xmax: 1, nbits: 10 }],
      ["fArr[3]", null],
      ["a plain comment", null],
    ];
    for (const [title, expected] of cases) expect(parseRange(title), title).toEqual(expected);
  });

  it("storage follows from the range as ROOT's WriteDouble32/WriteFloat16 decide it", () => {
    expect(packedStorage("d32", "[-pi,pi,32]")).toEqual({ stored: "range", xmin: -Math.PI, factor: 0xffffffff / (2 * Math.PI), nbits: 32 });
    expect(packedStorage("f16", "[-pi,pi,10]")).toEqual({ stored: "range", xmin: -Math.PI, factor: 1024 / (2 * Math.PI), nbits: 10 });
    expect(packedStorage("d32", "[0,0,10]")).toEqual({ stored: "bits", nbits: 10 });
    expect(packedStorage("d32", "[10,0,8]")).toEqual({ stored: "bits", nbits: 8 });
    expect(packedStorage("d32", "[0,0,20]")).toEqual({ stored: "float" });
    expect(packedStorage("f16", "[0,0,20]")).toEqual({ stored: "bits", nbits: 12 });
    expect(packedStorage("d32", undefined)).toEqual({ stored: "float" });
    expect(packedStorage("f16", "no range")).toEqual({ stored: "bits", nbits: 12 });
    // Without a range ROOT keeps the bound where the bit count goes (TStreamerElement::GetRange,
    // then ReadDouble32's nbits = (Int_t)fXmin): "[3,1]" is a float truncated to 3 bits, and
    // "[100,50]" one that neither ROOT nor we can read back.
    expect(packedStorage("d32", "[3,1]")).toEqual({ stored: "bits", nbits: 3 });
    expect(packedStorage("d32", "[100,50]")).toMatch(/truncated to 100 bits/);
  });

  it("members of split classes use the title only when the element has kHasRange", () => {
    const title = "[-pi,pi,16] an angle";
    expect(elementStorage("d32", { fTitle: title, fBits: 0x03000040 })).toEqual(packedStorage("d32", title));
    expect(elementStorage("d32", { fTitle: title, fBits: 0x03000000 })).toEqual({ stored: "float" });
    expect(elementStorage("f16", { fTitle: title, fBits: 0x03000000 })).toEqual({ stored: "bits", nbits: 12 });
    // Version-3 streamer elements carry the numbers themselves.
    expect(elementStorage("d32", { fTitle: "", fBits: 0, fXmin: -1, fFactor: 1000 })).toEqual({ stored: "range", xmin: -1, factor: 1000, nbits: 32 });
    expect(elementStorage("d32", { fTitle: "", fBits: 0, fXmin: 10.1, fFactor: 0 })).toEqual({ stored: "bits", nbits: 10 });
    expect(elementStorage("d32", undefined)).toEqual({ stored: "float" });
  });

  /**
   * No small file ROOT wrote with expression ranges is at hand, so one is made from
   * uproot-double32-float16.root (ROOT 6, ranges [-2.71,10,nbits]): its TTree record is
   * inflated, the annotations are rewritten with expressions of the same length, and it is
   * deflated back into its place. The stored integers are unchanged, so each value under the new
   * range follows from uproot's reading under the old one (the reference file): the integer is
   * u = round((v + 2.71) * 2^nbits / 12.71), and the value xmin + u * (xmax - xmin) / 2^nbits.
   */
  it("a file whose annotations use pi reads with the ranges they mean", async () => {
    const src = sktd("uproot-double32-float16.root");
    const edits: [string, string, number, number][] = [
      ["[-2.71,10,20]", "[-pi, 2pi,20]", -Math.PI, 2 * Math.PI],
      ["[-2.71,10,10]", "[-pi/2,pi,10]", -Math.PI / 2, Math.PI],
      ["[-2.71,10,3]", "[-3*pi,0 ,3]", -Math.PI, 0],
    ];
    const path = join(tmp, "double32-pi.root");
    writeFileSync(path, await rewriteTreeRecord(src, "tree", edits.map(([a, b]) => [a, b])));

    const ref = JSON.parse(readFileSync(new URL("../fixtures/root/reference/uproot-double32-float16.root.json", import.meta.url), "utf8"))
      .objects.tree.branches as Record<string, { head: number[]; tail: number[]; entries: number }>;
    const f = await openRoot(path);
    try {
      const info = await f.tree("tree");
      for (const b of info.branches) expect(b.kind, b.name).not.toBe("unsupported");
      const cases: [string, number, number, number, boolean][] = [
        ["double32_20", 20, ...edits[0].slice(2) as [number, number], false],
        ["double32_10", 10, ...edits[1].slice(2) as [number, number], false],
        ["float16_10", 10, ...edits[1].slice(2) as [number, number], true],
        ["double32_3", 3, ...edits[2].slice(2) as [number, number], false],
      ];
      const cols = await f.read("tree", cases.map((c) => c[0]));
      for (const [name, nbits, xmin, xmax, isFloat] of cases) {
        const r = ref[name];
        const steps = 2 ** nbits;
        const expected = (v: number): number => {
          const u = Math.round(((v + 2.71) * steps) / 12.71);
          const x = xmin + (u * (xmax - xmin)) / steps;
          return isFloat ? Math.fround(x) : x;
        };
        const got = values(cols.get(name));
        expect(got).toHaveLength(r.entries);
        const pick = [...got.slice(0, r.head.length), ...got.slice(got.length - r.tail.length)];
        const want = [...r.head, ...r.tail].map(expected);
        const rtol = isFloat ? 2.4e-7 : 1e-12;
        pick.forEach((g, i) => expect(Math.abs(g - want[i]), `${name}[${i}]: ${g} vs ${want[i]}`).toBeLessThanOrEqual(rtol * Math.max(1, Math.abs(want[i]))));
        // and they are not the old range's values
        expect(pick.some((g, i) => Math.abs(g - [...r.head, ...r.tail][i]) > 1e-3)).toBe(true);
      }
      // An untouched branch of the same file still reads the old range.
      const untouched = await f.read("tree", ["double32_30"]);
      values(untouched.get("double32_30"))
        .slice(0, 5)
        .forEach((g, i) => expect(Math.abs(g - ref.double32_30.head[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(ref.double32_30.head[i]))));
    } finally {
      await f.close();
    }
  });
});

/**
 * The bytes of `file` with the named key's record inflated, edited (same-length replacements of
 * every occurrence) and deflated back into the same place; the rest of the key is zero-filled.
 */
async function rewriteTreeRecord(file: string, keyName: string, edits: [string, string][]): Promise<Buffer> {
  const jf = await jsroot.openFile(file);
  const key = jf.fKeys.find((k: { fName: string }) => k.fName === keyName);
  const seek = Number(key.fSeekKey);
  const start = seek + Number(key.fKeylen);
  const end = seek + Number(key.fNbytes);
  const buf = Buffer.from(readFileSync(file));
  const body = buf.subarray(start, end);
  expect(body.subarray(0, 2).toString("latin1"), "one zlib block").toBe("ZL");
  const csize = body[3] | (body[4] << 8) | (body[5] << 16);
  const usize = body[6] | (body[7] << 8) | (body[8] << 16);
  expect(usize).toBe(Number(key.fObjlen));
  const record = Buffer.from(zlib.inflateSync(body.subarray(9, 9 + csize)));
  let text = record.toString("latin1");
  for (const [from, to] of edits) {
    expect(to.length).toBe(from.length);
    expect(text.includes(from), from).toBe(true);
    text = text.split(from).join(to);
  }
  const packed = zlib.deflateSync(Buffer.from(text, "latin1"), { level: 9 });
  expect(9 + packed.length, "the edited record fits its key").toBeLessThanOrEqual(body.length);
  const header = Buffer.from([0x5a, 0x4c, 8, packed.length & 0xff, (packed.length >> 8) & 0xff, packed.length >> 16, usize & 0xff, (usize >> 8) & 0xff, usize >> 16]);
  body.fill(0);
  header.copy(body, 0);
  packed.copy(body, 9);
  return buf;
}
