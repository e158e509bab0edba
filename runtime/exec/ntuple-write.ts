/**
 * An ntuple's rows written to its staged path, in the format its ending names:
 *
 * - `.root`: one file, one TTree per sample, named after the sample (`uproot.open(f)["ttbar"]`,
 *   `ROOT.RDataFrame("ttbar", f)`), with the samples' trees in plan order. Columns: float →
 *   double (`/D`, the precision hepc computes in), int → Long64_t (`/L`), bool → Bool_t (`/O`); a
 *   list column is a jagged branch `x[nX]` after its count branch `nX` (Int_t), as NanoAOD writes
 *   them, which uproot reads as a jagged array and RDataFrame as an RVec.
 * - `.arrow` / `.feather`: one Arrow IPC file (Feather v2 is the same format) holding every sample's
 *   rows, samples in plan order, with a dictionary-encoded `sample` column first; list columns are
 *   Arrow List columns (no count column: the lists carry their lengths), pandas and polars read it.
 * - `.parquet`: the same table as Parquet, encoded by parquet-wasm (arrow-rs's Parquet writer
 *   compiled to WebAssembly, shipped inside the npm package: nothing is downloaded or built at
 *   install) from the table's Arrow IPC stream; loaded only when a Parquet ntuple is written.
 *
 * ROOT files are written by runtime/io's writer into the staging directory and only renamed into
 * place there when complete; the run's publishing step then copies them to the analysis folder.
 */
import type { FileStamp } from "../io/index.js";
import { createRootFile, type ColumnDtype, type TreeColumnSpec } from "../io/index.js";
import { atomicWrite } from "./cache.js";
import type { NtupleResult } from "./runners/ntuple.js";

const DTYPE: Record<"float" | "int" | "bool", ColumnDtype> = { float: "f8", int: "i8", bool: "bool" };

/** The tree's branches in order: each count branch just before the first list it counts. */
export function ntupleBranches(columns: NtupleResult["columns"]): TreeColumnSpec[] {
  const specs: TreeColumnSpec[] = [];
  const counted = new Set<string>();
  for (const c of columns) {
    if (c.counter && !counted.has(c.counter)) {
      specs.push({ name: c.counter, dtype: "i4" });
      counted.add(c.counter);
    }
    specs.push({ name: c.name, dtype: DTYPE[c.type], ...(c.counter ? { counter: c.counter } : {}) });
  }
  return specs;
}

/** Float64 values as the column's dtype (ints exact: the runner refused missing ones). */
function typed(values: Float64Array, type: "float" | "int" | "bool"): Float64Array | BigInt64Array | Uint8Array {
  if (type === "float") return values;
  if (type === "bool") return Uint8Array.from(values, (v) => (v ? 1 : 0));
  return BigInt64Array.from(values, (v) => BigInt(v));
}

export async function writeNtupleRoot(nt: NtupleResult, file: string, stamp: FileStamp, title: string): Promise<void> {
  const out = await createRootFile(file, { stamp });
  try {
    const specs = ntupleBranches(nt.columns);
    for (const s of nt.samples) {
      const tree = out.tree(s.sample, `${title} (sample ${s.sample})`, specs);
      if (s.rows === 0) continue;
      const cols: Record<string, Parameters<typeof tree.append>[0][string]> = {};
      nt.columns.forEach((c, k) => {
        const v = typed(s.columns[k].values, c.type);
        cols[c.name] = c.counter ? { offsets: s.columns[k].offsets!, values: v } : v;
      });
      await tree.append(cols);
    }
    await out.close();
  } catch (e) {
    await out.abort();
    throw e;
  }
}

/** The rows as Arrow IPC bytes (`file`: .arrow/.feather; `stream`: what parquet-wasm reads): `sample`, then the columns. */
export async function ntupleArrowBytes(nt: NtupleResult, format: "file" | "stream" = "file"): Promise<Uint8Array> {
  const A = await import("apache-arrow");
  const rows = nt.samples.reduce((a, s) => a + s.rows, 0);
  const codes = new Int32Array(rows);
  let at = 0;
  nt.samples.forEach((s, k) => {
    codes.fill(k, at, at + s.rows);
    at += s.rows;
  });
  const columns: Record<string, ReturnType<typeof A.makeVector>> = {};
  // dictionary id given: apache-arrow otherwise numbers dictionaries per process (bytes would differ)
  columns.sample = A.makeVector(A.makeData({ type: new A.Dictionary(new A.Utf8(), new A.Int32(), 0), length: rows, nullCount: 0, data: codes, dictionary: A.vectorFromArray(nt.samples.map((s) => s.sample), new A.Utf8()) }));
  nt.columns.forEach((c, k) => {
    const parts = nt.samples.map((s) => s.columns[k]);
    const total = parts.reduce((a, p) => a + p.values.length, 0);
    const joined = new Float64Array(total);
    let o = 0;
    for (const p of parts) {
      joined.set(p.values, o);
      o += p.values.length;
    }
    const child = c.type === "float" ? A.makeData({ type: new A.Float64(), length: total, nullCount: 0, data: joined })
      : c.type === "int" ? A.makeData({ type: new A.Int64(), length: total, nullCount: 0, data: BigInt64Array.from(joined, (v) => BigInt(v)) })
      : A.makeData({ type: new A.Bool(), length: total, nullCount: 0, data: packBits(joined) });
    if (!c.counter) {
      columns[c.name] = A.makeVector(child as never);
      return;
    }
    const offsets = new Int32Array(rows + 1);
    let r = 0;
    let base = 0;
    for (const p of parts) {
      const off = p.offsets!;
      for (let i = 1; i < off.length; i++) offsets[++r] = base + off[i];
      base += p.values.length;
    }
    const type = new A.List(new A.Field("item", child.type, false));
    columns[c.name] = A.makeVector(A.makeData({ type, length: rows, nullCount: 0, valueOffsets: offsets, child: child as never }));
  });
  return A.tableToIPC(new A.Table(columns), format);
}

/** Booleans as Arrow's bit-packed validity-style buffer (least significant bit first). */
function packBits(values: Float64Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 8));
  for (let i = 0; i < values.length; i++) if (values[i]) out[i >> 3] |= 1 << (i & 7);
  return out;
}

export async function writeNtupleArrow(nt: NtupleResult, file: string): Promise<void> {
  atomicWrite(file, await ntupleArrowBytes(nt));
}

export async function ntupleParquetBytes(nt: NtupleResult): Promise<Uint8Array> {
  const ipc = await ntupleArrowBytes(nt, "stream");
  const m = await import("parquet-wasm");
  // a CommonJS package: its exports arrive as the default export of the ES module
  const pq = ("default" in m ? m.default : m) as typeof m;
  // writeParquet takes the wasm table over and frees it
  return pq.writeParquet(pq.Table.fromIPCStream(ipc));
}

export async function writeNtupleParquet(nt: NtupleResult, file: string): Promise<void> {
  atomicWrite(file, await ntupleParquetBytes(nt));
}
