/**
 * Flat TTrees: one TBranch with one TLeaf per numeric column, written as baskets while data
 * arrives. All branches are flushed at the same entry boundaries, so every cluster holds
 * `basketEntries` entries (the last one fewer) and fAutoFlush can say so truthfully.
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
}

export interface TreeWriter {
  /** Appends entries; every column of the tree must be present with the same length. */
  append(columns: Record<string, ArrayLike<number | bigint>>): Promise<void>;
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
  buf: Buf;
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
        buf: leaf.make(basketEntries),
        basketBytes: [],
        basketEntry: [],
        basketSeek: [],
        totBytes: 0,
        zipBytes: 0,
        maxBasketBytes: 0,
      };
    });
  }

  append(columns: Record<string, ArrayLike<number | bigint>>): Promise<void> {
    const run = this.queue.then(() => this.appendNow(columns));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async appendNow(columns: Record<string, ArrayLike<number | bigint>>): Promise<void> {
    this.file.checkOpen();
    if (this.finished) throw new Error(`hepc ROOT writer: tree "${this.name}" is already closed`);
    let n = -1;
    for (const b of this.branches) {
      const col = columns[b.spec.name];
      if (col === undefined) throw new Error(`hepc ROOT writer: append to tree "${this.name}" is missing column "${b.spec.name}"`);
      if (n < 0) n = col.length;
      else if (col.length !== n)
        throw new Error(`hepc ROOT writer: append to tree "${this.name}": column "${b.spec.name}" has ${col.length} values, expected ${n}`);
    }
    for (const key of Object.keys(columns))
      if (!this.branches.some((b) => b.spec.name === key)) throw new Error(`hepc ROOT writer: tree "${this.name}" has no column "${key}"`);

    let from = 0;
    while (from < n) {
      const take = Math.min(n - from, this.basketEntries - this.filled);
      for (const b of this.branches) fill(b.buf, this.filled, columns[b.spec.name], from, take, b.spec.dtype, b.spec.name);
      this.filled += take;
      from += take;
      if (this.filled === this.basketEntries) await this.flush();
    }
  }

  /** Hands the full buffers to a background write and continues with fresh ones (double buffering). */
  private async flush(): Promise<void> {
    await this.inflight;
    this.file.checkOpen();
    const n = this.filled;
    if (n === 0) return;
    const first = this.entries;
    const payloads = this.branches.map((b) => bigEndian(b.buf, n, b.leaf.size));
    for (const b of this.branches) b.buf = b.leaf.make(this.basketEntries);
    this.filled = 0;
    this.entries += n;
    this.nBaskets += 1;
    this.inflight = this.file.track(this.writeBaskets(payloads, n, first));
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
      h.i16(3); // TBasket class version
      h.i32(keylen + objlen); // fBufferSize
      h.i32(b.leaf.size); // fNevBufSize: bytes per entry for fixed-size leaves
      h.i32(n); // fNevBuf
      h.i32(keylen + objlen); // fLast
      h.u8(0); // flag: header only, no entry-offset table (fixed-size entries)
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
    for (const br of this.branches) leafTags.push(this.writeBranch(b, br, compress, ioFeatures));
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
  private writeBranch(b: RBuffer, br: BranchState, compress: number, ioFeatures: number): number {
    const nB = this.nBaskets;
    const any = b.beginObjectAny("TBranch");
    const endBranch = b.beginVersioned(13);
    this.tnamed(b, br.spec.name, br.spec.title ?? `${br.spec.name}/${br.leaf.letter}`, kObjectBits | kDoNotUseBufferMap);
    let end = b.beginVersioned(2); // TAttFill
    b.i16(0);
    b.i16(1001);
    end();
    b.i32(compress); // fCompress
    b.i32(Math.max(DEFAULT_BASKET_SIZE, br.maxBasketBytes)); // fBasketSize
    b.i32(0); // fEntryOffsetLen: fixed-size entries need no offsets
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
    this.tnamed(b, br.spec.name, br.spec.name);
    b.i32(1); // fLen
    b.i32(br.leaf.size); // fLenType
    b.i32(0); // fOffset
    b.bool(false); // fIsRange
    b.bool(br.leaf.unsigned); // fIsUnsigned
    b.nullPointer(); // fLeafCount
    endLeaf();
    br.leaf.writeRange(b);
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
