/** Reading behaviour beyond conformance: entry ranges across baskets, chains, partial reads, workers. */
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as jsroot from "jsroot";
import * as jsrootTree from "jsroot/tree";
import { afterAll, describe, expect, it } from "vitest";
import { configureDecodePool, openRoot, readChain, readTreeSchema, type Column } from "../../runtime/io/index.js";
import { configureThreads, threadPool } from "../../runtime/threads/index.js";

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/root/${name}`, import.meta.url));
const DY = fixture("scikit-hep-testdata/uproot-small-dy-withoffsets.root");
const HZZ = fixture("scikit-hep-testdata/uproot-HZZ.root");

function rows(c: Column): number[][] {
  if (c.kind === "jagged") {
    return Array.from({ length: c.offsets.length - 1 }, (_, i) =>
      Array.from(c.values.subarray(c.offsets[i], c.offsets[i + 1]) as ArrayLike<number | bigint>, Number),
    );
  }
  const w = c.kind === "fixed" ? c.shape.reduce((a, b) => a * b, 1) : 1;
  return Array.from({ length: c.values.length / w }, (_, i) =>
    Array.from(c.values.subarray(i * w, (i + 1) * w) as ArrayLike<number | bigint>, Number),
  );
}

describe("entry ranges", () => {
  it("slices across basket boundaries give the same rows as a full read", async () => {
    const f = await openRoot(DY);
    try {
      const info = await f.tree("tree");
      expect(info.branches.find((b) => b.name === "Jet_pt")?.baskets).toBeGreaterThan(1);
      const names = ["nJet", "Jet_pt", "Jet_jetId", "MET_pt", "event"];
      const full = await f.read("tree", names);
      for (const [start, stop] of [[0, 501], [150, 450], [199, 201], [200, 400], [500, 501], [7, 7], [0, 1]]) {
        const part = await f.read("tree", names, { start, stop });
        for (const n of names) {
          expect(rows(part.get(n)!), `${n} ${start}:${stop}`).toEqual(rows(full.get(n)!).slice(start, stop));
        }
        const jet = part.get("Jet_pt")!;
        if (jet.kind !== "jagged") throw new Error("Jet_pt should be jagged");
        expect(jet.offsets[0]).toBe(0);
        expect(jet.offsets.length).toBe(stop - start + 1);
        // counts agree with the count branch
        const nJet = part.get("nJet")!.values as Uint32Array;
        for (let i = 0; i < stop - start; i++) expect(jet.offsets[i + 1] - jet.offsets[i]).toBe(nJet[i]);
      }
    } finally {
      await f.close();
    }
  });

  it("a range past the end is clipped", async () => {
    const f = await openRoot(DY);
    try {
      const c = await f.read("tree", ["MET_pt"], { start: 490, stop: 10_000 });
      expect(c.get("MET_pt")!.values.length).toBe(11);
    } finally {
      await f.close();
    }
  });
});

describe("leaf lists", () => {
  it("read one column per leaf, with the values jsroot reads", async () => {
    const file = fixture("scikit-hep-testdata/uproot-leaflist.root");
    const jf = await jsroot.openFile(file);
    const sel = new jsrootTree.TSelector();
    sel.addBranch("leaflist");
    const expected: { x: number; y: number; z: number }[] = [];
    sel.Process = function (this: { tgtobj: { leaflist: { x: number; y: number; z: number } } }) {
      expected.push({ ...this.tgtobj.leaflist });
    };
    await jsrootTree.treeProcess(await jf.readObject("tree"), sel);
    expect(expected).toHaveLength(5);

    const f = await openRoot(file);
    try {
      const info = await f.tree("tree");
      expect(info.branches.map((b) => [b.name, b.typename, b.kind, b.leafListOf ?? ""])).toEqual([
        ["leaflist", "struct {double x; int32_t y; int8_t z;}", "unsupported", ""],
        ["leaflist.x", "double", "flat", "leaflist"],
        ["leaflist.y", "int32_t", "flat", "leaflist"],
        ["leaflist.z", "int8_t", "flat", "leaflist"],
      ]);
      const cols = await f.read("tree", ["leaflist.x", "leaflist.y", "leaflist.z"]);
      expect(Array.from(cols.get("leaflist.x")!.values as Float64Array)).toEqual(expected.map((e) => e.x));
      expect(Array.from(cols.get("leaflist.y")!.values as Int32Array)).toEqual(expected.map((e) => e.y));
      expect(Array.from(cols.get("leaflist.z")!.values as Int8Array)).toEqual(expected.map((e) => e.z));
      const part = await f.read("tree", ["leaflist.y"], { start: 2, stop: 4 });
      expect(Array.from(part.get("leaflist.y")!.values as Int32Array)).toEqual([3, 4]);
    } finally {
      await f.close();
    }
  });
});

describe("chains", () => {
  it("reads several files as one, with a range across the file boundary", async () => {
    const a = fixture("cms-hep-tutorial/qcd.root");
    const b = fixture("cms-hep-tutorial/zz.root");
    const names = ["NJet", "Jet_Px", "EventWeight"];
    const [fa, fb] = [await openRoot(a), await openRoot(b)];
    const ra = await fa.read("events", names);
    const rb = await fb.read("events", names);
    await fa.close();
    await fb.close();
    const chain = await readChain([a, b], "events", names);
    for (const n of names) expect(rows(chain.get(n)!)).toEqual([...rows(ra.get(n)!), ...rows(rb.get(n)!)]);
    const mid = await readChain([a, b], "events", names, { start: 100, stop: 200 });
    for (const n of names) expect(rows(mid.get(n)!)).toEqual([...rows(ra.get(n)!), ...rows(rb.get(n)!)].slice(100, 200));
  });

  it("refuses an empty chain", async () => {
    await expect(readChain([], "events", ["NJet"])).rejects.toThrow(/at least one file/);
  });

  it("names the file of a chain that lacks a branch", async () => {
    await expect(readChain([HZZ, fixture("scikit-hep-testdata/uproot-HZZ-objects.root")], "events", ["NJet"])).rejects.toThrow(
      /uproot-HZZ-objects.root.*no branch 'NJet'/,
    );
  });
});

describe("reads only what is asked", () => {
  it("schema reads touch a small part of the file", async () => {
    const f = await openRoot(HZZ);
    try {
      await f.tree("events");
      const afterMeta = f.bytesRead;
      expect(afterMeta).toBeLessThan(statSync(HZZ).size / 4);
      await f.read("events", ["NJet"]);
      const oneBranch = f.bytesRead - afterMeta;
      const info = await f.tree("events");
      expect(oneBranch).toBe(info.branches.find((b) => b.name === "NJet")!.compressedBytes);
    } finally {
      await f.close();
    }
  });

  it("readTreeSchema gives the same metadata as opening the file", async () => {
    const a = await readTreeSchema(HZZ, "events");
    const f = await openRoot(HZZ);
    const b = await f.tree("events");
    await f.close();
    expect(a).toEqual(b);
    const px = a.branches.find((x) => x.name === "Jet_Px")!;
    expect(px).toMatchObject({ typename: "float[]", kind: "jagged", dtype: "f4", countBranch: "NJet", entries: 2421, compression: "ZLIB-1" });
    expect(px.uncompressedBytes).toBeGreaterThan(px.compressedBytes);
  });
});

// The worker path runs compiled code from dist/ (the thread entry of runtime/threads and the decode
// handler, see runtime/io/pool.ts). `npm test` builds first; a plain `vitest run` without a build
// skips this, saying so.
const distWorker = new URL("../../dist/runtime/io/decode-worker.js", import.meta.url);
const distEntry = new URL("../../dist/runtime/threads/worker.js", import.meta.url);
const haveDist = existsSync(fileURLToPath(distWorker)) && existsSync(fileURLToPath(distEntry));

describe.skipIf(!haveDist)("worker threads (compiled dist/ worker)", () => {
  afterAll(async () => {
    await configureDecodePool({ workerUrl: null, threads: 0 });
    await configureThreads({ entry: null });
  });

  it("give exactly the columns of in-thread decoding, for every codec and kind", async () => {
    const cases: [string, string][] = [
      ["scikit-hep-testdata/uproot-HZZ-zlib.root", "events"],
      ["scikit-hep-testdata/uproot-HZZ-lz4.root", "events"],
      ["scikit-hep-testdata/uproot-HZZ-zstd.root", "events"],
      ["scikit-hep-testdata/uproot-HZZ-lzma.root", "events"],
      ["scikit-hep-testdata/uproot-HZZ-uncompressed.root", "events"],
      ["scikit-hep-testdata/uproot-nesteddirs.root", "three/tree"],
      ["scikit-hep-testdata/uproot-double32-float16.root", "tree"],
      ["scikit-hep-testdata/uproot-small-dy-withoffsets.root", "tree"],
    ];
    const readAll = async (): Promise<Map<string, number[][]>> => {
      const out = new Map<string, number[][]>();
      for (const [file, tree] of cases) {
        const f = await openRoot(fixture(file));
        const info = await f.tree(tree);
        const names = info.branches.filter((b) => b.kind !== "unsupported").map((b) => b.name);
        const cols = await f.read(tree, names, { start: 3, stop: info.entries - 2 });
        for (const [n, c] of cols) out.set(`${file}:${n}`, rows(c));
        await f.close();
      }
      return out;
    };
    await configureDecodePool({ workerUrl: null, threads: 0 });
    const here = await readAll();
    await configureThreads({ entry: distEntry });
    const pool = await configureDecodePool({ workerUrl: distWorker, threads: 2, threadsFromBytes: 0 });
    expect(pool.threaded).toBe(true);
    const threaded = await readAll();
    expect(pool.workerJobs).toBeGreaterThan(100);
    expect(threadPool().live().length).toBe(2);
    expect([...threaded.keys()]).toEqual([...here.keys()]);
    for (const [k, v] of here) expect(threaded.get(k), k).toEqual(v);
  });
});
