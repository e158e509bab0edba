/**
 * Bad input: every failure is a RootIoError that names what it can (file, tree, branch, basket),
 * and damaged data is an error, never numbers.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as jsroot from "jsroot";
import { afterAll, describe, expect, it } from "vitest";
import { openRoot, readTreeSchema, RootIoError } from "../../runtime/io/index.js";

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/root/scikit-hep-testdata/${name}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "hepc-io-errors-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function failure(p: Promise<unknown>): Promise<RootIoError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, "expected the call to fail").toBeInstanceOf(RootIoError);
  return e as RootIoError;
}

/** Byte position and size of a branch's first basket, found with jsroot (an independent reader). */
async function firstBasket(file: string, tree: string, branch: string): Promise<{ seek: number; bytes: number }> {
  const f = await jsroot.openFile(file);
  const t = await f.readObject(tree);
  const b = t.fBranches.arr.find((x: { fName: string }) => x.fName === branch);
  return { seek: Number(b.fBasketSeek[0]), bytes: Number(b.fBasketBytes[0]) };
}

describe("files that cannot be opened", () => {
  it("names a missing file", async () => {
    const path = join(tmp, "nope.root");
    const e = await failure(openRoot(path));
    expect(e.file).toBe(path);
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/no such file/);
  });

  it("says a text file is not ROOT", async () => {
    const path = join(tmp, "notes.root");
    writeFileSync(path, "these are not the bytes you are looking for\n");
    const e = await failure(openRoot(path));
    expect(e.message).toMatch(/not a ROOT file/);
    expect(e.file).toBe(path);
  });

  it("says an empty file is not ROOT", async () => {
    const path = join(tmp, "empty.root");
    writeFileSync(path, "");
    expect((await failure(openRoot(path))).message).toMatch(/not a ROOT file/);
  });

  it.each([0.5, 0.9, 0.999])("says a file cut to %s of its size is truncated", async (fraction) => {
    const src = readFileSync(fixture("uproot-HZZ-zlib.root"));
    const path = join(tmp, `cut-${fraction}.root`);
    writeFileSync(path, src.subarray(0, Math.floor(src.length * fraction)));
    const e = await failure(openRoot(path));
    expect(e.message).toMatch(/truncated/);
    expect(e.file).toBe(path);
  });

  it("names a directory given as a file", async () => {
    const e = await failure(openRoot(tmp));
    expect(e.message).toMatch(/directory/);
  });
});

describe("corrupted baskets", () => {
  // Flipping bytes inside a compressed basket must fail the zlib (adler32), xz (CRC) or LZ4 (XXH64)
  // checksum, or the zstd frame's own structure; it must never produce a column.
  // Known limit: ROOT writes zstd frames without a content checksum, so damage confined to a
  // frame's raw literal bytes cannot be detected by any reader; the flip below lands in the
  // entropy-coded part of the frame, which is what a damaged disk block most often hits.
  for (const algo of ["zlib", "lz4", "zstd", "lzma"]) {
    it(`${algo}: flipped payload bytes give an error naming tree, branch and basket`, async () => {
      const src = fixture(`uproot-HZZ-${algo}.root`);
      const { seek, bytes } = await firstBasket(src, "events", "Jet_Px");
      const buf = Buffer.from(readFileSync(src));
      // Past the key (~80 bytes) and the 9-byte compression header, in the middle of the payload.
      for (let k = 0; k < 8; k++) buf[seek + Math.floor(bytes * 0.6) + k] ^= 0x5a;
      const path = join(tmp, `flipped-${algo}.root`);
      writeFileSync(path, buf);
      const f = await openRoot(path);
      try {
        const ok = await f.read("events", ["Jet_Py"]);
        expect(ok.get("Jet_Py")?.kind).toBe("jagged"); // other branches are unharmed
        const e = await failure(f.read("events", ["Jet_Px"]));
        expect(e.tree).toBe("events");
        expect(e.branch).toBe("Jet_Px");
        expect(e.basket).toBe(0);
        expect(e.message).toMatch(/corrupted basket/);
        expect(e.message).toContain("'Jet_Px'");
      } finally {
        await f.close();
      }
    });
  }

  it("a damaged compression header is named", async () => {
    const src = fixture("uproot-HZZ-zlib.root");
    const { seek } = await firstBasket(src, "events", "Jet_Px");
    const buf = Buffer.from(readFileSync(src));
    const dv = new DataView(buf.buffer, buf.byteOffset);
    const keylen = dv.getInt16(seek + 14);
    buf.write("QQ", seek + keylen, "latin1");
    const path = join(tmp, "bad-header.root");
    writeFileSync(path, buf);
    const f = await openRoot(path);
    try {
      const e = await failure(f.read("events", ["Jet_Px"]));
      expect(e.message).toMatch(/unknown compression header 'QQ'/);
    } finally {
      await f.close();
    }
  });

  it("uncompressed: a basket whose key disagrees with the branch table is an error", async () => {
    const src = fixture("uproot-HZZ-uncompressed.root");
    const { seek } = await firstBasket(src, "events", "Jet_Px");
    const buf = Buffer.from(readFileSync(src));
    const dv = new DataView(buf.buffer, buf.byteOffset);
    dv.setInt32(seek + 6, dv.getInt32(seek + 6) + 4); // fObjlen
    const path = join(tmp, "bad-objlen.root");
    writeFileSync(path, buf);
    const f = await openRoot(path);
    try {
      const e = await failure(f.read("events", ["Jet_Px"]));
      expect(e.branch).toBe("Jet_Px");
      expect(e.message).toMatch(/corrupted basket/);
    } finally {
      await f.close();
    }
  });

  it("a basket beyond the end of a file cut after its header is reported as truncated", async () => {
    const src = fixture("uproot-HZZ-zlib.root");
    const { seek, bytes } = await firstBasket(src, "events", "Jet_Px");
    const path = join(tmp, "short-basket.root");
    copyFileSync(src, path);
    const buf = Buffer.from(readFileSync(src));
    // Zero the basket's bytes instead of cutting the file, so metadata stays readable.
    buf.fill(0, seek, seek + bytes);
    writeFileSync(path, buf);
    const f = await openRoot(path);
    try {
      const e = await failure(f.read("events", ["Jet_Px"]));
      expect(e.branch).toBe("Jet_Px");
      expect(e.basket).toBe(0);
    } finally {
      await f.close();
    }
  });
});

describe("damaged metadata", () => {
  async function damaged(what: "tree" | "streamers"): Promise<string> {
    const src = fixture("uproot-HZZ-zlib.root");
    const jf = await jsroot.openFile(src);
    const [seek, n] =
      what === "tree"
        ? (() => {
            const key = jf.fKeys.find((k: { fName: string }) => k.fName === "events");
            return [Number(key.fSeekKey), Number(key.fNbytes)];
          })()
        : [Number(jf.fSeekInfo), Number(jf.fNbytesInfo)];
    const buf = Buffer.from(readFileSync(src));
    for (let k = 0; k < 16; k++) buf[seek + Math.floor(n / 2) + k] ^= 0x33;
    const path = join(tmp, `damaged-${what}.root`);
    writeFileSync(path, buf);
    return path;
  }

  it("a damaged TTree object is an error naming the tree", async () => {
    const path = await damaged("tree");
    const e = await failure(readTreeSchema(path, "events"));
    expect(e.tree).toBe("events");
    expect(e.message).toMatch(/cannot read object 'events;1'/);
  });

  it("damaged streamer information is an error, not a tree without branches", async () => {
    const path = await damaged("streamers");
    const e = await failure(readTreeSchema(path, "events"));
    expect(e.file).toBe(path);
    expect(e.message).toMatch(/streamer information cannot be read/);
  });
});

describe("names that are not there", () => {
  it("a missing tree lists near names", async () => {
    const f = await openRoot(fixture("uproot-HZZ.root"));
    try {
      const e = await failure(f.read("evnts", ["Jet_Px"]));
      expect(e.tree).toBe("evnts");
      expect(e.suggestions).toEqual(["events"]);
      expect(e.message).toMatch(/no tree 'evnts'.*did you mean 'events'\?/);
    } finally {
      await f.close();
    }
  });

  it("a missing tree in nested directories suggests the full path", async () => {
    const e = await failure(readTreeSchema(fixture("uproot-nesteddirs.root"), "one/two/tre"));
    expect(e.suggestions?.[0]).toBe("one/two/tree");
  });

  it("a histogram is not a tree", async () => {
    const e = await failure(readTreeSchema(fixture("uproot-histograms.root"), "one"));
    expect(e.message).toMatch(/'one' is a TH1F, not a TTree/);
  });

  it("a missing branch suggests by edit distance, case-insensitively", async () => {
    const f = await openRoot(fixture("uproot-HZZ.root"));
    try {
      const e = await failure(f.read("events", ["muon_px"]));
      expect(e.branch).toBe("muon_px");
      expect(e.suggestions?.[0]).toBe("Muon_Px");
      expect(e.message).toContain("did you mean 'Muon_Px'");
      const e2 = await failure(f.read("events", ["Jet_Pxx"]));
      expect(e2.suggestions?.[0]).toBe("Jet_Px");
    } finally {
      await f.close();
    }
  });

  it("an unsupported branch names the branch and its C++ type", async () => {
    const f = await openRoot(fixture("uproot-HZZ-objects.root"));
    try {
      const e = await failure(f.read("events", ["eventweight", "jetp4"]));
      expect(e.branch).toBe("jetp4");
      expect(e.message).toContain("'jetp4'");
      expect(e.message).toContain("std::vector<TLorentzVector>");
    } finally {
      await f.close();
    }
  });

  it("an invalid entry range is refused", async () => {
    const f = await openRoot(fixture("uproot-HZZ.root"));
    try {
      const e = await failure(f.read("events", ["NJet"], { start: 10, stop: 5 }));
      expect(e.message).toMatch(/invalid entry range 10:5/);
    } finally {
      await f.close();
    }
  });
});
