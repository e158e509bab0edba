/**
 * Conformance: every tree and every branch of every fixture file, read by us and compared with
 * what uproot 5 read from the same file (test/fixtures/root/reference/*.json).
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openRoot, readHistogram, RootIoError, type Column, type Dtype } from "../../runtime/io/index.js";

const ROOT = new URL("../fixtures/root/", import.meta.url);
const FOLDERS = ["scikit-hep-testdata", "cms-hep-tutorial"];

const DTYPE_NAME: Record<Dtype, string> = {
  bool: "bool", i1: "int8", u1: "uint8", i2: "int16", u2: "uint16", i4: "int32", u4: "uint32",
  i8: "int64", u8: "uint64", f4: "float32", f8: "float64",
};

/**
 * Branches we deliberately do not turn into columns, with the C++ type we report for them.
 * "unread" branches of the reference (uproot could not make numbers of them either) are checked
 * from the reference itself; these are the ones the reference leaves out altogether.
 */
const UNSUPPORTED: Record<string, Record<string, Record<string, string>>> = {
  ...Object.fromEntries(
    ["", "-lz4", "-lzma", "-uncompressed", "-zlib", "-zstd"].map((v) => [`uproot-Zmumu${v}.root`, { events: { Type: "char*" } }]),
  ),
  "uproot-nesteddirs.root": {
    "one/tree": { three: "char*" },
    "one/two/tree": { Str: "char*" },
    "three/tree": {
      "evt/Beg": "TString",
      "evt/Str": "TString",
      "evt/StdStr": "std::string",
      "evt/StlVecStr": "std::vector<std::string>",
      "evt/End": "TString",
    },
  },
  "uproot-small-flat-tree.root": { tree: { Str: "char*" } },
  "uproot-HZZ-objects.root": {
    events: {
      jetp4: "std::vector<TLorentzVector>",
      muonp4: "std::vector<TLorentzVector>",
      electronp4: "std::vector<TLorentzVector>",
      photonp4: "std::vector<TLorentzVector>",
      MET: "TVector2",
      MC_bquarkhadronic: "TVector3",
      MC_bquarkleptonic: "TVector3",
      MC_wdecayb: "TVector3",
      MC_wdecaybbar: "TVector3",
      MC_lepton: "TVector3",
      MC_neutrino: "TVector3",
    },
  },
  "uproot-vectorVectorDouble.root": { t: { x: "std::vector<std::vector<double>>" } },
  "uproot-stl_containers.root": {
    tree: {
      string: "std::string",
      tstring: "TString",
      vector_string: "std::vector<std::string>",
      vector_tstring: "std::vector<TString>",
      vector_vector_int32: "std::vector<std::vector<int32_t>>",
      vector_vector_string: "std::vector<std::vector<std::string>>",
      vector_vector_tstring: "std::vector<std::vector<TString>>",
      vector_set_int32: "std::vector<std::set<int32_t>>",
      vector_set_string: "std::vector<std::set<std::string>>",
      set_int32: "std::set<int32_t>",
      set_string: "std::set<std::string>",
      map_int32_int16: "std::map<int32_t,int16_t>",
      map_int32_vector_int16: "std::map<int32_t,std::vector<int16_t>>",
      map_int32_vector_string: "std::map<int32_t,std::vector<std::string>>",
      map_int32_set_int16: "std::map<int32_t,std::set<int16_t>>",
      map_int32_set_string: "std::map<int32_t,std::set<std::string>>",
      map_string_int16: "std::map<std::string,int16_t>",
      map_string_vector_int16: "std::map<std::string,std::vector<int16_t>>",
      map_string_vector_string: "std::map<std::string,std::vector<std::string>>",
      map_string_set_int16: "std::map<std::string,std::set<int16_t>>",
      map_string_set_string: "std::map<std::string,std::set<std::string>>",
      map_int32_vector_vector_int16: "std::map<int32_t,std::vector<std::vector<int16_t>>>",
      map_int32_vector_set_int16: "std::map<int32_t,std::vector<std::set<int16_t>>>",
      map_string_string: "std::map<std::string,std::string>",
      map_string_tstring: "std::map<std::string,TString>",
    },
  },
};

/**
 * Where we knowingly differ from uproot, and why. Each entry is checked: the difference must be
 * exactly the one described, so a change on either side shows up.
 * - evt/N is declared `int N` in the Event class (streamer type kCounter); uproot reports uint32.
 *   We keep the declared type; the values are the same counts.
 */
const DTYPE_DIFFERENCES: Record<string, { ours: Dtype; oursTypename: string }> = {
  "uproot-nesteddirs.root:three/tree/evt/N": { ours: "i4", oursTypename: "int32_t" },
};

/**
 * Float16_t with a range: ROOT computes xmin + n/factor in double and rounds once to float
 * (TBufferFile::ReadWithFactor takes double arguments); uproot 5 does the arithmetic in float32 and
 * can land one float32 ulp away. Those branches are compared to float32 precision.
 */
const FLOAT16_RTOL = 2.4e-7;
/** Double32_t with a range: the same formula in double, evaluated in a different order; last bits differ. */
const DOUBLE32_RTOL = 1e-12;
/**
 * Double32_t[-2.71,10,32]: for 32 bits ROOT scales by 0xffffffff (TStreamerElement::GetRange),
 * uproot 5 by 2^32, a relative difference of 2.3e-10 of the distance from xmin. We follow ROOT; we
 * compare within that difference.
 */
const LABEL_RTOL: Record<string, number> = {
  "uproot-double32-float16.root:tree/double32_32": 3e-9,
};

/**
 * Columns we read that the reference does not have: the leaves of leaf-list branches, which uproot
 * reads as one struct (it could not make numbers of it, "unread") and we as one column per leaf.
 * Their values are checked against jsroot in reader.test.ts.
 */
const EXTRA_COLUMNS: Record<string, Record<string, string[]>> = {
  "uproot-leaflist.root": { tree: ["leaflist.x", "leaflist.y", "leaflist.z"] },
};

interface RefBranch {
  kind: "flat" | "jagged" | "fixed" | "unread";
  typename: string;
  dtype?: string;
  entries?: number;
  sum?: number;
  min?: number;
  max?: number;
  head?: unknown[];
  tail?: number[];
  counts_head?: number[];
  counts_sum?: number;
  shape?: number[];
  why?: string;
}
interface RefObject {
  class: string;
  entries?: number;
  branches?: Record<string, RefBranch>;
  bins?: number;
  sum_with_flow?: number;
  values_head?: number[];
}

function files(): { folder: string; name: string; path: string }[] {
  const out = [];
  for (const folder of FOLDERS) {
    const dir = fileURLToPath(new URL(`${folder}/`, ROOT));
    for (const name of readdirSync(dir).filter((n) => n.endsWith(".root")).sort()) out.push({ folder, name, path: dir + name });
  }
  return out;
}

function reference(name: string): { objects: Record<string, RefObject> } {
  return JSON.parse(readFileSync(new URL(`reference/${name}.json`, ROOT), "utf8"));
}

const num = (x: number | bigint | boolean): number => Number(x);

/** The reference writes non-finite numbers as strings ("nan", "inf", "-inf"). */
function refNumber(x: unknown): number {
  if (typeof x === "number") return x;
  if (x === "nan") return NaN;
  if (x === "inf") return Infinity;
  if (x === "-inf") return -Infinity;
  throw new Error(`unexpected reference value ${JSON.stringify(x)}`);
}

function closeTo(actual: number, expectedRaw: unknown, what: string, rtol = 1e-9): void {
  const expected = refNumber(expectedRaw);
  if (Number.isNaN(expected)) {
    if (!Number.isNaN(actual)) expect.fail(`${what}: got ${actual}, expected NaN`);
    return;
  }
  if (actual === expected) return;
  const tol = rtol * Math.max(1, Math.abs(expected));
  if (!(Math.abs(actual - expected) <= tol)) expect.fail(`${what}: got ${actual}, expected ${expected}`);
}

function closeToAll(actual: number[], expected: unknown[], what: string, rtol: number): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  actual.forEach((a, i) => closeTo(a, expected[i], `${what}[${i}]`, rtol));
}

function sum(values: ArrayLike<number | bigint>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += Number(values[i]);
  return s;
}

function row(col: Column, i: number): number[] {
  if (col.kind === "jagged") return Array.from(col.values.subarray(col.offsets[i], col.offsets[i + 1]) as ArrayLike<number | bigint>, num);
  if (col.kind === "fixed") {
    const w = col.shape.reduce((a, b) => a * b, 1);
    return Array.from(col.values.subarray(i * w, (i + 1) * w) as ArrayLike<number | bigint>, num);
  }
  return [num(col.values[i] as number)];
}

function checkColumn(label: string, col: Column, ref: RefBranch): void {
  expect(col.kind, `${label} kind`).toBe(ref.kind);
  const diff = DTYPE_DIFFERENCES[label];
  if (diff) expect(col.dtype, `${label} dtype (known difference)`).toBe(diff.ours);
  else expect(DTYPE_NAME[col.dtype], `${label} dtype`).toBe(ref.dtype);
  // Exact for everything ROOT stores as is; float32 precision for Float16 (see FLOAT16_RTOL).
  const rtol = LABEL_RTOL[label] ?? (ref.typename.startsWith("Float16_t") ? FLOAT16_RTOL : ref.typename.startsWith("Double32_t") ? DOUBLE32_RTOL : 0);
  if (col.kind === "flat") {
    const v = col.values as ArrayLike<number | bigint>;
    expect(v.length, `${label} entries`).toBe(ref.entries);
    closeTo(sum(v), ref.sum, `${label} sum`, Math.max(rtol, 1e-9));
    let mn = Infinity;
    let mx = -Infinity;
    for (let i = 0; i < v.length; i++) {
      const x = Number(v[i]);
      // numpy's min/max propagate NaN
      if (Number.isNaN(x)) mn = mx = NaN;
      else if (x < mn) mn = x;
      else if (x > mx) mx = x;
    }
    if (ref.min !== undefined) closeTo(mn, ref.min, `${label} min`, rtol);
    if (ref.max !== undefined) closeTo(mx, ref.max, `${label} max`, rtol);
    const head = Array.from({ length: Math.min(ref.head!.length, v.length) }, (_, i) => Number(v[i]));
    closeToAll(head, ref.head!, `${label} head`, rtol);
    const tail = Array.from({ length: ref.tail!.length }, (_, i) => Number(v[v.length - ref.tail!.length + i]));
    closeToAll(tail, ref.tail!, `${label} tail`, rtol);
  } else if (col.kind === "jagged") {
    const n = col.offsets.length - 1;
    expect(n, `${label} entries`).toBe(ref.entries);
    expect(col.offsets[0]).toBe(0);
    expect(col.offsets[n], `${label} counts_sum`).toBe(ref.counts_sum);
    expect(col.values.length).toBe(col.offsets[n]);
    const counts = Array.from({ length: ref.counts_head!.length }, (_, i) => col.offsets[i + 1] - col.offsets[i]);
    expect(counts, `${label} counts_head`).toEqual(ref.counts_head);
    closeTo(sum(col.values as ArrayLike<number | bigint>), ref.sum, `${label} sum`, Math.max(rtol, 1e-9));
    (ref.head as number[][]).forEach((r, i) => closeToAll(row(col, i).slice(0, r.length), r, `${label} row ${i}`, rtol));
  } else {
    expect(col.shape, `${label} shape`).toEqual(ref.shape);
    const w = col.shape.reduce((a, b) => a * b, 1);
    expect(col.values.length / w, `${label} entries`).toBe(ref.entries);
    closeTo(sum(col.values as ArrayLike<number | bigint>), ref.sum, `${label} sum`, Math.max(rtol, 1e-9));
    (ref.head as number[][]).forEach((r, i) => closeToAll(row(col, i).slice(0, r.length), r, `${label} row ${i}`, rtol));
  }
}

describe("conformance with uproot 5", () => {
  for (const file of files()) {
    it(`${file.folder}/${file.name}`, async () => {
      const ref = reference(file.name);
      const f = await openRoot(file.path);
      try {
        const objects = f.objects();
        const refTrees = Object.entries(ref.objects).filter(([, o]) => o.class === "TTree");
        const ourTrees = [...new Set(objects.filter((o) => o.className === "TTree").map((o) => o.path))].sort();
        expect(ourTrees, "trees in the file").toEqual(refTrees.map(([p]) => p).sort());

        for (const [path, o] of Object.entries(ref.objects)) {
          if (/^TH1/.test(o.class)) {
            const h = await readHistogram(file.path, path);
            expect(h.className).toBe(o.class);
            expect(h.edges.length - 1).toBe(o.bins);
            closeTo(sum(h.valuesWithFlow), o.sum_with_flow, `${path} sum_with_flow`);
            expect(Array.from(h.valuesWithFlow.slice(0, o.values_head!.length))).toEqual(o.values_head);
          }
        }

        for (const [treePath, t] of refTrees) {
          const info = await f.tree(treePath);
          expect(info.entries, `${treePath} entries`).toBe(t.entries);
          const refBranches = t.branches ?? {};
          const expectedUnsupported = UNSUPPORTED[file.name]?.[treePath] ?? {};
          const ours = new Map(info.branches.map((b) => [b.name, b]));

          // Every branch we list is either in the reference or deliberately unsupported, and back.
          const extra = EXTRA_COLUMNS[file.name]?.[treePath] ?? [];
          expect([...ours.keys()].sort()).toEqual([...Object.keys(refBranches), ...Object.keys(expectedUnsupported), ...extra].sort());
          for (const name of extra) expect(ours.get(name)?.kind).not.toBe("unsupported");

          const readable = Object.entries(refBranches).filter(([, b]) => b.kind !== "unread");
          const cols = await f.read(treePath, readable.map(([n]) => n));
          for (const [name, rb] of readable) {
            const label = `${file.name}:${treePath}/${name}`;
            const b = ours.get(name)!;
            expect(b.typename, `${label} typename`).toBe(DTYPE_DIFFERENCES[label]?.oursTypename ?? rb.typename);
            expect(b.kind, `${label} kind`).toBe(rb.kind);
            expect(b.entries).toBe(t.entries);
            if (b.kind === "jagged" && !b.typename.startsWith("std::vector")) expect(b.countBranch, `${label} count branch`).toBeTruthy();
            checkColumn(label, cols.get(name)!, rb);
          }

          const refused = [
            ...Object.entries(refBranches).filter(([, b]) => b.kind === "unread").map(([n, b]) => [n, b.typename] as const),
            ...Object.entries(expectedUnsupported),
          ];
          for (const [name, typename] of refused) {
            const b = ours.get(name)!;
            expect(b.kind, `${name} kind`).toBe("unsupported");
            expect(b.dtype).toBeNull();
            expect(b.typename, `${name} typename`).toBe(typename);
            expect(b.unsupportedReason).toBeTruthy();
            const err = await f.read(treePath, [name]).then(
              () => null,
              (e: unknown) => e,
            );
            expect(err, `${name} must not be readable`).toBeInstanceOf(RootIoError);
            expect((err as RootIoError).branch).toBe(name);
            expect((err as RootIoError).message).toContain(`'${name}'`);
            expect((err as RootIoError).message).toContain(typename);
          }
        }
      } finally {
        await f.close();
      }
    });
  }
});
