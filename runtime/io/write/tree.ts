/**
 * TTrees of numeric branches, one TBranch with one TLeaf per column, written as baskets while data
 * arrives. All branches are flushed at the same entry boundaries, so every cluster holds
 * `basketEntries` entries (the last one fewer) and fAutoFlush can say so truthfully.
 *
 * A column is flat (one value per entry) or jagged (a variable number per entry, `x[n]/F` in
 * ROOT's words): a jagged column names its count column, an `i4` column of the same tree declared
 * before it, whose TLeaf its own TLeaf points to (fLeafCount), as ROOT's `Jet_pt[nJet]` branches
 * do; uproot, RDataFrame and jsroot read such a pair as a list per entry. Several jagged columns
 * may share one count column (fields of one collection). A jagged basket holds the values of its
 * entries, then ROOT's entry-offset table (int32 n + 1, then each entry's start counted from the
 * start of the key, then 0); its count leaf records the largest count in fMaximum, which ROOT uses
 * to size its reading buffer.
 *
 * The TTree record itself (branches, leaves, basket tables) is written once, at close, when the
 * basket tables are complete; until then only baskets are on disk.
 */
import { RBuffer, kObjectBits } from "./buffer.js";
import { compressRecord } from "./compress.js";
import { classChecksum } from "./streamers.js";
import { keyLength, writeKeyHeader, type Directory, type RootFileWriter } from "./file.js";

export type ColumnDtype = "f4" | "f8" | "i4" | "i8" | "u4" | "u8" | "i2" | "u2" | "i1" | "u1" | "bool";

export interface TreeColumnSpec {
  name: string;
  dtype: ColumnDtype;
  title?: string;
  /** Makes the column jagged: the name of its count column (an `i4` column declared before it). */
  counter?: string;
}

/** A jagged column's values for some entries: entry i holds values[offsets[i] .. offsets[i + 1]). */
export interface JaggedValues {
  offsets: ArrayLike<number>;
  values: ArrayLike<number | bigint>;
}

export type ColumnValues = ArrayLike<number | bigint> | JaggedValues;

export interface TreeWriter {
  /**
   * Appends entries: every flat column with one value per entry, every jagged one as offsets
   * (entries + 1, from any start) and values. A count column may be left out: it is then the
   * lengths of the jagged columns that use it (which must agree); given, they are checked against it.
   */
  append(columns: Record<string, ColumnValues>): Promise<void>;
}

function isJagged(v: ColumnValues): v is JaggedValues {
  return typeof v === "object" && v !== null && "offsets" in v && "values" in v && !ArrayBuffer.isView(v);
}

type Buf = Float32Array | Float64Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

interface LeafType {
  leafClass: string;
  letter: string;
  size: number;
  unsigned: boolean;
  make(n: number): Buf;
  /** fMinimum / fMaximum of the TLeaf subclass, in its own width. */
  writeRange(b: RBuffer): void;
}

const LEAF: Record<ColumnDtype, LeafType> = {
  f4: { leafClass: "TLeafF", letter: "F", size: 4, unsigned: false, make: (n) => new Float32Array(n), writeRange: (b) => (b.f32(0), b.f32(0)) },
  f8: { leafClass: "TLeafD", letter: "D", size: 8, unsigned: false, make: (n) => new Float64Array(n), writeRange: (b) => (b.f64(0), b.f64(0)) },
  i4: { leafClass: "TLeafI", letter: "I", size: 4, unsigned: false, make: (n) => new Int32Array(n), writeRange: (b) => (b.i32(0), b.i32(0)) },
  u4: { leafClass: "TLeafI", letter: "i", size: 4, unsigned: true, make: (n) => new Uint32Array(n), writeRange: (b) => (b.i32(0), b.i32(0)) },
  i8: { leafClass: "TLeafL", letter: "L", size: 8, unsigned: false, make: (n) => new BigInt64Array(n), writeRange: (b) => (b.i64(0), b.i64(0)) },
  u8: { leafClass: "TLeafL", letter: "l", size: 8, unsigned: true, make: (n) => new BigUint64Array(n), writeRange: (b) => (b.i64(0), b.i64(0)) },
  i2: { leafClass: "TLeafS", letter: "S", size: 2, unsigned: false, make: (n) => new Int16Array(n), writeRange: (b) => (b.i16(0), b.i16(0)) },
  u2: { leafClass: "TLeafS", letter: "s", size: 2, unsigned: true, make: (n) => new Uint16Array(n), writeRange: (b) => (b.i16(0), b.i16(0)) },
  i1: { leafClass: "TLeafB", letter: "B", size: 1, unsigned: false, make: (n) => new Int8Array(n), writeRange: (b) => (b.i8(0), b.i8(0)) },
  u1: { leafClass: "TLeafB", letter: "b", size: 1, unsigned: true, make: (n) => new Uint8Array(n), writeRange: (b) => (b.i8(0), b.i8(0)) },
  bool: { leafClass: "TLeafO", letter: "O", size: 1, unsigned: false, make: (n) => new Uint8Array(n), writeRange: (b) => (b.bool(false), b.bool(false)) },
};

export function leafClassOf(dtype: ColumnDtype): string {
  return LEAF[dtype].leafClass;
}

/** TObject bits ROOT sets on a TTree it writes. */
const kMustCleanup = 0x8;
/** TBranch bit (BIT 22) telling readers the baskets hold no object references to map. */
const kDoNotUseBufferMap = 0x00400000;

/** ROOT's default basket buffer is 32000 bytes; we report at least that, more for bigger baskets. */
const DEFAULT_BASKET_SIZE = 32000;
/** Entries per basket when not given: keeps an 8-byte branch's basket around 128 KiB. */
export const DEFAULT_BASKET_ENTRIES = 16384;
/** TBasket header inside the key: version, fBufferSize, fNevBufSize, fNevBuf, fLast, flag. */
const BASKET_HEADER = 2 + 4 + 4 + 4 + 4 + 1;

interface BranchState {
  spec: TreeColumnSpec;
  leaf: LeafType;
  /** Flat: one value per entry of the basket being filled; jagged: its values, `len` of them. */
  buf: Buf;
  /** Jagged only: the basket's entry offsets into `buf` (entries + 1) and its values so far. */
  off?: Int32Array;
  len: number;
  /** The count column's index, for a jagged column. */
  counter?: number;
  /** For a count column: the largest count written (its leaf's fMaximum). */
  maxCount: number;
  isCounter: boolean;
  basketBytes: number[];
  basketEntry: number[];
  basketSeek: number[];
  totBytes: number;
  zipBytes: number;
  maxBasketBytes: number;
}

function isBigBuf(b: Buf): b is BigInt64Array | BigUint64Array {
  return b instanceof BigInt64Array || b instanceof BigUint64Array;
}

/** Serialized big-endian basket payload for the first `n` values of `buf`. */
function bigEndian(buf: Buf, n: number, size: number): Uint8Array {
  const out = Buffer.from(new Uint8Array(buf.buffer, buf.byteOffset, n * size)); // copies
  if (size === 2) out.swap16();
  else if (size === 4) out.swap32();
  else if (size === 8) out.swap64();
  return out;
}

function fill(dst: Buf, at: number, src: ArrayLike<number | bigint>, from: number, count: number, dtype: ColumnDtype, name: string): void {
  if (isBigBuf(dst)) {
    if (src instanceof BigInt64Array || src instanceof BigUint64Array) {
      dst.set(src.subarray(from, from + count) as never, at);
      return;
    }
    for (let i = 0; i < count; i++) {
      const v = src[from + i];
      if (typeof v === "bigint") dst[at + i] = v;
      else {
        if (!Number.isInteger(v)) throw new Error(`hepc ROOT writer: column "${name}" (${dtype}) got non-integer ${v}`);
        dst[at + i] = BigInt(v);
      }
    }
    return;
  }
  if (dtype === "bool") {
    for (let i = 0; i < count; i++) dst[at + i] = src[from + i] ? 1 : 0;
    return;
  }
  if (ArrayBuffer.isView(src) && !(src instanceof BigInt64Array || src instanceof BigUint64Array) && !(src instanceof DataView)) {
    (dst as Float64Array).set((src as unknown as Float64Array).subarray(from, from + count), at);
    return;
  }
  for (let i = 0; i < count; i++) {
    const v = src[from + i];
    dst[at + i] = typeof v === "bigint" ? Number(v) : v;
  }
}

export class TreeWriterImpl implements TreeWriter {
  private readonly branches: BranchState[];
  private filled = 0;
  private entries = 0;
  private nBaskets = 0;
  /** Baskets being compressed and written; at most one set at a time per tree. */
  private inflight: Promise<void> = Promise.resolve();
  /** Serializes append/finish calls so concurrent callers cannot interleave entries. */
  private queue: Promise<void> = Promise.resolve();
  private finished = false;

  constructor(
    private readonly file: RootFileWriter,
    private readonly dir: Directory,
    private readonly name: string,
    private readonly title: string,
    columns: TreeColumnSpec[],
    private readonly basketEntries: number,
  ) {
    if (columns.length === 0) throw new Error(`hepc ROOT writer: tree "${name}" needs at least one column`);
    if (!Number.isInteger(basketEntries) || basketEntries < 1)
      throw new Error(`hepc ROOT writer: basketEntries must be a positive integer, got ${basketEntries}`);
    const seen = new Set<string>();
    this.branches = columns.map((spec) => {
      if (!spec.name || spec.name.includes("/")) throw new Error(`hepc ROOT writer: invalid column name "${spec.name}"`);
      if (seen.has(spec.name)) throw new Error(`hepc ROOT writer: column "${spec.name}" given twice in tree "${name}"`);
      seen.add(spec.name);
      const leaf = LEAF[spec.dtype];
      if (!leaf) throw new Error(`hepc ROOT writer: unsupported dtype ${String(spec.dtype)} for column "${spec.name}"`);
      return {
        spec,
        leaf,
        buf: leaf.make(spec.counter === undefined ? basketEntries : 1024),
        off: spec.counter === undefined ? undefined : new Int32Array(basketEntries + 1),
        len: 0,
        maxCount: 0,
        isCounter: false,
        basketBytes: [],
        basketEntry: [],
        basketSeek: [],
        totBytes: 0,
        zipBytes: 0,
        maxBasketBytes: 0,
      };
    });
    const index = new Map(this.branches.map((b, i) => [b.spec.name, i]));
    this.branches.forEach((b, i) => {
      if (b.spec.counter === undefined) return;
      const c = index.get(b.spec.counter);
      // The count leaf is written first so that the jagged leaf can refer back to it.
      if (c === undefined || c >= i)
        throw new Error(`hepc ROOT writer: jagged column "${b.spec.name}" needs its count column "${b.spec.counter}" declared before it in tree "${name}"`);
      const cb = this.branches[c];
      if (cb.spec.dtype !== "i4" || cb.spec.counter !== undefined)
        throw new Error(`hepc ROOT writer: count column "${cb.spec.name}" of "${b.spec.name}" must be a flat i4 column`);
      b.counter = c;
      cb.isCounter = true;
    });
  }

  append(columns: Record<string, ColumnValues>): Promise<void> {
    const run = this.queue.then(() => this.appendNow(columns));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async appendNow(input: Record<string, ColumnValues>): Promise<void> {
    this.file.checkOpen();
    if (this.finished) throw new Error(`hepc ROOT writer: tree "${this.name}" is already closed`);
    for (const key of Object.keys(input))
      if (!this.branches.some((b) => b.spec.name === key)) throw new Error(`hepc ROOT writer: tree "${this.name}" has no column "${key}"`);
    const columns = this.withCounts(input);
    let n = -1;
    for (const b of this.branches) {
      const col = columns[b.spec.name];
      if (col === undefined) throw new Error(`hepc ROOT writer: append to tree "${this.name}" is missing column "${b.spec.name}"`);
      if (b.off && !isJagged(col)) throw new Error(`hepc ROOT writer: column "${b.spec.name}" is jagged: give it offsets and values`);
      if (!b.off && isJagged(col)) throw new Error(`hepc ROOT writer: column "${b.spec.name}" is flat: give it one value per entry`);
      const len = isJagged(col) ? col.offsets.length - 1 : col.length;
      if (n < 0) n = len;
      else if (len !== n) throw new Error(`hepc ROOT writer: append to tree "${this.name}": column "${b.spec.name}" has ${len} ${isJagged(col) ? "entries" : "values"}, expected ${n}`);
    }
    if (n <= 0) return;

    let from = 0;
    while (from < n) {
      const take = Math.min(n - from, this.basketEntries - this.filled);
      for (const b of this.branches) {
        const col = columns[b.spec.name];
        if (isJagged(col)) this.fillJagged(b, col, from, take);
        else {
          fill(b.buf, this.filled, col, from, take, b.spec.dtype, b.spec.name);
          if (b.isCounter) for (let i = 0; i < take; i++) b.maxCount = Math.max(b.maxCount, Number(col[from + i]));
        }
      }
      this.filled += take;
      from += take;
      if (this.filled === this.basketEntries) await this.flush();
    }
  }

  /** The input with every left-out count column made from its jagged columns, and given ones checked. */
  private withCounts(input: Record<string, ColumnValues>): Record<string, ColumnValues> {
    const out: Record<string, ColumnValues> = { ...input };
    for (const b of this.branches) {
      if (b.counter === undefined) continue;
      const col = input[b.spec.name];
      if (col === undefined || !isJagged(col)) continue;
      const cname = this.branches[b.counter].spec.name;
      const counts = out[cname];
      const n = col.offsets.length - 1;
      if (counts === undefined) {
        const made = new Int32Array(Math.max(0, n));
        for (let i = 0; i < n; i++) made[i] = col.offsets[i + 1] - col.offsets[i];
        out[cname] = made;
        continue;
      }
      if (isJagged(counts)) continue; // reported as a flat column given offsets
      if (counts.length !== n) continue; // reported as a length mismatch
      for (let i = 0; i < n; i++) {
        if (Number(counts[i]) !== col.offsets[i + 1] - col.offsets[i])
          throw new Error(`hepc ROOT writer: tree "${this.name}": entry ${i} of "${b.spec.name}" has ${col.offsets[i + 1] - col.offsets[i]} values but its count column "${cname}" says ${String(counts[i])}`);
      }
    }
    return out;
  }

  /** Copies entries [from, from + take) of a jagged column into the basket being filled. */
  private fillJagged(b: BranchState, col: JaggedValues, from: number, take: number): void {
    const start = col.offsets[from];
    const stop = col.offsets[from + take];
    if (!(Number.isInteger(start) && Number.isInteger(stop) && start >= 0 && stop >= start && stop <= col.values.length))
      throw new Error(`hepc ROOT writer: jagged column "${b.spec.name}": offsets ${start}..${stop} do not fit its ${col.values.length} values`);
    const count = stop - start;
    if (b.len + count > b.buf.length) {
      const grown = b.leaf.make(Math.max(b.len + count, b.buf.length * 2));
      (grown as Float64Array).set(b.buf.subarray(0, b.len) as Float64Array);
      b.buf = grown;
    }
    const off = b.off!;
    for (let i = 0; i < take; i++) {
      const a = col.offsets[from + i];
      const e = col.offsets[from + i + 1];
      if (e < a) throw new Error(`hepc ROOT writer: jagged column "${b.spec.name}": offsets decrease at entry ${from + i}`);
      off[this.filled + i] = b.len + (a - start);
    }
    fill(b.buf, b.len, col.values, start, count, b.spec.dtype, b.spec.name);
    b.len += count;
    off[this.filled + take] = b.len;
  }

  /** Hands the full buffers to a background write and continues with fresh ones (double buffering). */
  private async flush(): Promise<void> {
    await this.inflight;
    this.file.checkOpen();
    const n = this.filled;
    if (n === 0) return;
    const first = this.entries;
    const payloads = this.branches.map((b) => (b.off ? this.jaggedPayload(b, n) : bigEndian(b.buf, n, b.leaf.size)));
    for (const b of this.branches) {
      if (b.off) b.len = 0; // the jagged payload is a copy: its buffer is reused
      else b.buf = b.leaf.make(this.basketEntries);
    }
    this.filled = 0;
    this.entries += n;
    this.nBaskets += 1;
    this.inflight = this.file.track(this.writeBaskets(payloads, n, first));
  }

  /** A jagged basket's payload: the values, then ROOT's entry-offset table (counted from the key's start). */
  private jaggedPayload(b: BranchState, n: number): Uint8Array {
    const keylen = keyLength("TBasket", b.spec.name, this.name) + BASKET_HEADER;
    const data = bigEndian(b.buf, b.len, b.leaf.size);
    const out = new Uint8Array(data.length + 4 + 4 * (n + 1));
    out.set(data, 0);
    const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
    dv.setInt32(data.length, n + 1);
    const off = b.off!;
    for (let i = 0; i < n; i++) dv.setInt32(data.length + 4 + 4 * i, keylen + off[i] * b.leaf.size);
    dv.setInt32(data.length + 4 + 4 * n, 0); // the slot ROOT keeps for the next entry
    return out;
  }

  private async writeBaskets(payloads: Uint8Array[], n: number, first: number): Promise<void> {
    const turn = this.file.takeTurn();
    let compressed: Uint8Array[];
    try {
      compressed = await Promise.all(payloads.map((p) => compressRecord(p, this.file.compression)));
      await turn.ready;
    } catch (e) {
      turn.release();
      throw e;
    }
    const now = this.file.now();
    const chunks: Uint8Array[] = [];
    const layout: { keylen: number; objlen: number; nbytes: number }[] = [];
    let total = 0;
    this.branches.forEach((b, i) => {
      const keylen = keyLength("TBasket", b.spec.name, this.name) + BASKET_HEADER;
      const nbytes = keylen + compressed[i].length;
      layout.push({ keylen, objlen: payloads[i].length, nbytes });
      total += nbytes;
    });
    let start: number;
    try {
      start = this.file.allocate(total);
    } finally {
      turn.release();
    }
    let at = start;
    this.branches.forEach((b, i) => {
      const { keylen, objlen, nbytes } = layout[i];
      const h = new RBuffer(0, keylen);
      writeKeyHeader(h, {
        className: "TBasket",
        name: b.spec.name,
        title: this.name,
        cycle: 1,
        seekKey: at,
        seekPdir: this.dir.seekDir,
        nbytes,
        objlen,
        keylen,
        datime: now,
      });
      // a jagged basket's data ends where its entry-offset table starts
      const dataEnd = b.off ? objlen - 4 - 4 * (n + 1) : objlen;
      h.i16(3); // TBasket class version
      h.i32(keylen + objlen); // fBufferSize
      h.i32(b.off ? n + 2 : b.leaf.size); // fNevBufSize: bytes per entry (fixed size), else the offset table's length
      h.i32(n); // fNevBuf
      h.i32(keylen + dataEnd); // fLast
      h.u8(0); // flag: header only (the offset table, if any, is in the payload)
      chunks.push(h.bytes(), compressed[i]);
      b.basketBytes.push(nbytes);
      b.basketEntry.push(first);
      b.basketSeek.push(at);
      b.totBytes += keylen + objlen;
      b.zipBytes += nbytes;
      b.maxBasketBytes = Math.max(b.maxBasketBytes, objlen);
      at += nbytes;
    });
    await this.file.writeAt(start, chunks);
  }

  /** Flushes the partial basket and writes the TTree record. Called by the file at close. */
  finish(): Promise<void> {
    const run = this.queue.then(async () => {
      if (this.finished) return;
      this.finished = true;
      await this.flush();
      await this.inflight;
      await this.file.addObject(this.dir, this.name, {
        className: "TTree",
        name: this.name,
        title: this.title,
        serialize: (keylen) => this.serialize(keylen),
      });
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  get numEntries(): number {
    return this.entries + this.filled;
  }

  private serialize(keylen: number): { bytes: Uint8Array; classes: Iterable<string> } {
    const b = new RBuffer(keylen, 4096 + this.branches.length * (512 + 24 * (this.nBaskets + 1)));
    const ioFeatures = classChecksum("ROOT::TIOFeatures");
    let totBytes = 0;
    let zipBytes = 0;
    for (const br of this.branches) {
      totBytes += br.totBytes;
      zipBytes += br.zipBytes;
    }
    const compress = this.file.compressSetting;

    const endTree = b.beginVersioned(20);
    this.tnamed(b, this.name, this.title, kObjectBits | kMustCleanup);
    let end = b.beginVersioned(2); // TAttLine
    b.i16(602);
    b.i16(1);
    b.i16(1);
    end();
    end = b.beginVersioned(2); // TAttFill
    b.i16(0);
    b.i16(1001);
    end();
    end = b.beginVersioned(2); // TAttMarker
    b.i16(1);
    b.i16(1);
    b.f32(1);
    end();
    b.i64(this.entries); // fEntries
    b.i64(totBytes);
    b.i64(zipBytes);
    b.i64(zipBytes); // fSavedBytes: everything is saved
    b.i64(zipBytes); // fFlushedBytes
    b.f64(1); // fWeight
    b.i32(0); // fTimerInterval
    b.i32(25); // fScanField
    b.i32(0); // fUpdate
    b.i32(1000); // fDefaultEntryOffsetLen
    b.i32(0); // fNClusterRange: one uniform cluster size, given by fAutoFlush
    b.i64(1_000_000_000_000); // fMaxEntries
    b.i64(1_000_000_000_000); // fMaxEntryLoop
    b.i64(0); // fMaxVirtualSize
    b.i64(-300_000_000); // fAutoSave
    b.i64(this.basketEntries); // fAutoFlush: entries per cluster
    b.i64(1_000_000); // fEstimate
    b.u8(0); // fClusterRangeEnd: no array
    b.u8(0); // fClusterSize: no array
    end = b.beginForeign(ioFeatures);
    b.u8(0);
    end();

    // fBranches
    const leafTags: number[] = [];
    end = b.beginVersioned(3);
    b.tobject();
    b.string("");
    b.i32(this.branches.length);
    b.i32(0);
    for (const br of this.branches) leafTags.push(this.writeBranch(b, br, compress, ioFeatures, leafTags));
    end();

    // fLeaves: the same TLeaf objects, by reference
    end = b.beginVersioned(3);
    b.tobject();
    b.string("");
    b.i32(leafTags.length);
    b.i32(0);
    for (const t of leafTags) b.objectRef(t);
    end();

    b.nullPointer(); // fAliases
    b.i32(0); // fIndexValues (TArrayD, empty)
    b.i32(0); // fIndex (TArrayI, empty)
    b.nullPointer(); // fTreeIndex
    b.nullPointer(); // fFriends
    b.nullPointer(); // fUserInfo
    b.nullPointer(); // fBranchRef
    endTree();

    const classes = new Set(b.classesUsed);
    classes.add("TTree");
    return { bytes: b.bytes(), classes };
  }

  private tnamed(b: RBuffer, name: string, title: string, bits = kObjectBits): void {
    const end = b.beginVersioned(1);
    b.tobject(bits);
    b.string(name);
    b.string(title);
    end();
  }

  private emptyObjArray(b: RBuffer): void {
    const end = b.beginVersioned(3);
    b.tobject();
    b.string("");
    b.i32(0);
    b.i32(0);
    end();
  }

  /** Writes one TBranch (through a base pointer) and returns the tag of its TLeaf. */
  private writeBranch(b: RBuffer, br: BranchState, compress: number, ioFeatures: number, leafTags: number[]): number {
    const nB = this.nBaskets;
    const any = b.beginObjectAny("TBranch");
    const endBranch = b.beginVersioned(13);
    const counter = br.counter === undefined ? undefined : this.branches[br.counter].spec.name;
    const dims = counter === undefined ? "" : `[${counter}]`;
    this.tnamed(b, br.spec.name, br.spec.title ?? `${br.spec.name}${dims}/${br.leaf.letter}`, kObjectBits | kDoNotUseBufferMap);
    let end = b.beginVersioned(2); // TAttFill
    b.i16(0);
    b.i16(1001);
    end();
    b.i32(compress); // fCompress
    b.i32(Math.max(DEFAULT_BASKET_SIZE, br.maxBasketBytes)); // fBasketSize
    b.i32(br.off ? 1000 : 0); // fEntryOffsetLen: ROOT's default for variable-size entries; fixed-size ones need none
    b.i32(nB); // fWriteBasket
    b.i64(this.entries); // fEntryNumber
    end = b.beginForeign(ioFeatures);
    b.u8(0);
    end();
    b.i32(0); // fOffset
    b.i32(nB + 1); // fMaxBaskets: one spare slot, fBasketEntry[nB] closes the last basket
    b.i32(0); // fSplitLevel
    b.i64(this.entries); // fEntries
    b.i64(0); // fFirstEntry
    b.i64(br.totBytes);
    b.i64(br.zipBytes);
    this.emptyObjArray(b); // fBranches

    // fLeaves: exactly one leaf
    end = b.beginVersioned(3);
    b.tobject();
    b.string("");
    b.i32(1);
    b.i32(0);
    const leaf = b.beginObjectAny(br.leaf.leafClass);
    const endLeafSub = b.beginVersioned(1);
    const endLeaf = b.beginVersioned(2);
    this.tnamed(b, br.spec.name, `${br.spec.name}${dims}`);
    b.i32(1); // fLen
    b.i32(br.leaf.size); // fLenType
    b.i32(0); // fOffset
    b.bool(br.isCounter); // fIsRange: a count leaf's fMaximum bounds the lists it counts
    b.bool(br.leaf.unsigned); // fIsUnsigned
    if (br.counter === undefined) b.nullPointer(); // fLeafCount
    else b.objectRef(leafTags[br.counter]);
    endLeaf();
    if (br.isCounter) {
      b.i32(0); // fMinimum
      b.i32(br.maxCount); // fMaximum: the largest count
    } else br.leaf.writeRange(b);
    endLeafSub();
    leaf.end();
    end();

    this.emptyObjArray(b); // fBaskets: every basket is on disk under its own key

    b.u8(1);
    for (let i = 0; i <= nB; i++) b.i32(i < nB ? br.basketBytes[i] : 0);
    b.u8(1);
    for (let i = 0; i <= nB; i++) b.i64(i < nB ? br.basketEntry[i] : this.entries);
    b.u8(1);
    for (let i = 0; i <= nB; i++) b.i64(i < nB ? br.basketSeek[i] : 0);
    b.string(""); // fFileName: baskets live in this file
    endBranch();
    any.end();
    b.use("TLeaf");
    return leaf.tag;
  }
}
