/**
 * Damaged copies of real files: whatever jsroot meets inside them (bad byte counts, offsets past
 * the end, records that are not there), the reader answers with a RootIoError in its own words,
 * naming the file; no JavaScript engine or jsroot text reaches the message. And a branch whose
 * record is damaged is one unreadable branch, not an unreadable tree.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as jsroot from "jsroot";
import { afterAll, describe, expect, it } from "vitest";
import { openRoot, RootIoError } from "../../runtime/io/index.js";
import { openJsFile, readObject } from "../../runtime/io/jsfile.js";
import { buildTreeMeta } from "../../runtime/io/tree.js";
import { openSource } from "../../runtime/source/index.js";

const fixture = (rel: string): string => fileURLToPath(new URL(`../fixtures/root/${rel}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "hepc-io-damaged-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Texts of JavaScript engines and of jsroot's internals, which say nothing to a user about a file. */
const RAW =
  /Cannot read propert|is not a function|is not defined|of undefined|of null|\(reading '|outside the bounds|Offset is outside|Invalid typed array|Invalid array length|call stack|DataView|Missmatch|bytecount expected|Did not found|Not found streamer|is not iterable|RangeError|TypeError/;

/** Where the file's own records are: key list, streamer information, the trees, the header. */
async function regions(file: string): Promise<Record<string, [number, number]>> {
  const jf = await jsroot.openFile(file);
  const out: Record<string, [number, number]> = {
    "key list": [Number(jf.fSeekKeys), Number(jf.fNbytesKeys ?? 64)],
    "streamer information": [Number(jf.fSeekInfo), Number(jf.fNbytesInfo)],
    header: [0, Number(jf.fBEGIN) + 64],
  };
  for (const k of jf.fKeys) if (k.fClassName === "TTree") out[`TTree ${k.fName}`] = [Number(k.fSeekKey), Number(k.fNbytes)];
  return out;
}

/** Opens, lists, and reads every listed branch of every tree; returns every error met. */
async function everything(path: string): Promise<unknown[]> {
  const errors: unknown[] = [];
  try {
    const f = await openRoot(path);
    try {
      for (const o of f.objects()) {
        if (o.className !== "TTree") continue;
        try {
          const t = await f.tree(o.path);
          const readable = t.branches.filter((b) => b.kind !== "unsupported").map((b) => b.name);
          await f.read(o.path, readable);
        } catch (e) {
          errors.push(e);
        }
      }
    } finally {
      await f.close();
    }
  } catch (e) {
    errors.push(e);
  }
  return errors;
}

describe("damaged files give the reader's named errors", () => {
  const files = ["scikit-hep-testdata/uproot-HZZ-zlib.root", "scikit-hep-testdata-objects/uproot-mc10events.root", "scikit-hep-testdata-objects/uproot-issue213.root"];
  for (const rel of files) {
    it(`${rel}: flipped bytes in its records, and cuts, never show jsroot's or the engine's text`, async () => {
      const file = fixture(rel);
      const src = readFileSync(file);
      let seed = 20261204;
      const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
      const cases: { what: string; bytes: Buffer }[] = [];
      for (const [name, [at, n]] of Object.entries(await regions(file))) {
        for (let i = 0; i < 12; i++) {
          const p = at + Math.floor(rnd() * n);
          const len = 1 + Math.floor(rnd() * 8);
          const b = Buffer.from(src);
          for (let k = 0; k < len && p + k < b.length; k++) b[p + k] ^= 1 + Math.floor(rnd() * 255);
          cases.push({ what: `${name}: ${len} bytes flipped at ${p}`, bytes: b });
        }
      }
      for (let i = 1; i < 10; i++) cases.push({ what: `cut to ${i}/10`, bytes: src.subarray(0, Math.floor((src.length * i) / 10)) });

      let named = 0;
      for (const [k, c] of cases.entries()) {
        const path = join(tmp, `${rel.replace(/\W/g, "_")}-${k}.root`);
        writeFileSync(path, c.bytes);
        for (const e of await everything(path)) {
          expect(e, `${c.what}: ${String(e)}`).toBeInstanceOf(RootIoError);
          const err = e as RootIoError;
          expect(err.message, c.what).not.toMatch(RAW);
          expect(err.file, c.what).toBe(path);
          named++;
        }
      }
      // Most of these files are damaged beyond reading: the check above ran on real errors.
      expect(named).toBeGreaterThan(cases.length / 2);
    });
  }

  it("the errors say what was being read", async () => {
    const file = fixture("scikit-hep-testdata/uproot-HZZ-zlib.root");
    const jf = await jsroot.openFile(file);
    const src = Buffer.from(readFileSync(file));
    // The key list's first bytes: its own record length and the number of keys.
    const keys = Number(jf.fSeekKeys) + Number(jf.fKeys[0]?.fKeylen ?? 0);
    for (let k = 0; k < 8; k++) src[keys + k] ^= 0xa5;
    const path = join(tmp, "keys.root");
    writeFileSync(path, src);
    const errors = await everything(path);
    expect(errors).toHaveLength(1);
    expect((errors[0] as RootIoError).message).toMatch(/^.*keys\.root: damaged ROOT file: cannot read the ROOT file's directory: /);
  });
});

describe("a file ROOT left without streamer information", () => {
  it("is named as such, not with jsroot's refusal", async () => {
    // uproot-issue70.root: 434 bytes, its header's fSeekInfo is 0.
    const path = fixture("scikit-hep-testdata-objects/uproot-issue70.root");
    const errors = await everything(path);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RootIoError);
    expect((errors[0] as RootIoError).message).toBe(`${path}: the file has no streamer information: it holds no objects, or it was not closed by ROOT`);
  });
});

describe("a damaged branch record", () => {
  it("is one unsupported branch with its reason; the tree's other branches keep their interpretation", async () => {
    const file = fixture("scikit-hep-testdata/uproot-HZZ-zlib.root");
    const js = await openJsFile(await openSource(file));
    try {
      const clean = buildTreeMeta(js, await readObject(js, "events;1"), "events");
      const tree = await readObject(js, "events;1");
      const victim = tree.fBranches.arr.find((b: { fName: string }) => b.fName === "Jet_Px");
      // What a record jsroot half-parsed looks like to the code that reads it.
      Object.defineProperty(victim, "fLeaves", { get: () => null });
      Object.defineProperty(victim, "fBasketSeek", {
        get: () => {
          throw new RangeError("Offset is outside the bounds of the DataView");
        },
      });
      const meta = buildTreeMeta(js, tree, "events");
      const hurt = meta.byName.get("Jet_Px")!;
      expect(hurt.info.kind).toBe("unsupported");
      expect(hurt.info.unsupportedReason).toMatch(/record in the file is damaged/);
      expect(hurt.info.unsupportedReason).not.toMatch(RAW);
      const others = meta.branches.filter((b) => b.info.name !== "Jet_Px");
      expect(others.map((b) => b.info)).toEqual(clean.branches.filter((b) => b.info.name !== "Jet_Px").map((b) => b.info));
      expect(others.map((b) => b.interp)).toEqual(clean.branches.filter((b) => b.info.name !== "Jet_Px").map((b) => b.interp));
      expect(meta.byName.get("Jet_Py")?.info.kind).toBe("jagged");
    } finally {
      await js.source.close();
    }
  });
});
