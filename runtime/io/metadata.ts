/**
 * File and tree metadata through jsroot: keys, directories, streamer info, TTree/TBranch objects.
 * jsroot reads through our ByteSource (a FileProxy), so metadata costs a few small positioned
 * reads and never the whole file. This module decides, per branch, how its baskets become columns
 * (an `Interp`) or why they cannot (an unsupported reason naming the C++ type).
 */
// jsroot/io, not the "jsroot" entry point: the latter also loads all of jsroot's drawing code.
import * as jsroot from "jsroot/io";
import type { ByteSource } from "../source/index.js";
import { SourceError } from "../source/index.js";
import { DTYPE_SIZE, type Dtype, type Interp } from "./basket.js";
import { rootDecompress } from "./codecs/index.js";
import { RootIoError } from "./errors.js";

export interface BranchInfo {
  name: string;
  typename: string;
  dtype: Dtype | null;
  kind: "flat" | "jagged" | "fixed" | "unsupported";
  countBranch?: string;
  shape?: number[];
  unsupportedReason?: string;
  entries: number;
  baskets: number;
  compressedBytes: number;
  uncompressedBytes: number;
  compression?: string;
  title?: string;
  /** For a leaf of a leaf-list branch, read as a column of its own: that branch (whose baskets it shares). */
  leafListOf?: string;
}

export interface TreeInfo {
  file: string;
  path: string;
  entries: number;
  branches: BranchInfo[];
}

export interface ObjectInfo {
  path: string;
  className: string;
  title: string;
  cycle: number;
}

/** Where a basket's bytes are: in the file at `seek`, or already in memory inside the TBranch. */
export type BasketRef =
  | { index: number; first: number; stop: number; seek: number; bytes: number }
  | { index: number; first: number; stop: number; embedded: { payload: Uint8Array; keylen: number; last: number; nevbuf: number } };

export interface BranchMeta {
  info: BranchInfo;
  interp: Interp | null;
  baskets: BasketRef[];
}

export interface TreeMeta {
  path: string;
  entries: number;
  branches: BranchMeta[];
  byName: Map<string, BranchMeta>;
}

/** Minimal shapes of the jsroot objects we touch (jsroot ships no types). */
/* eslint-disable @typescript-eslint/no-explicit-any */
type JsObj = any;

// ---------------------------------------------------------------------------------------------
// Opening

class SourceProxy extends (jsroot.FileProxy as { new (): object }) {
  constructor(private readonly src: ByteSource) {
    super();
  }
  async openFile(): Promise<boolean> {
    return true;
  }
  getFileName(): string {
    return this.src.path;
  }
  getFileSize(): number {
    return this.src.size;
  }
  async readBuffer(pos: number, len: number): Promise<DataView> {
    const b = await this.src.read(pos, len);
    return new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
}

/**
 * jsroot reports problems on the console (sometimes after its promise has settled) and would print
 * them into the user's terminal or a language server's stream. A filter on the console methods
 * diverts messages whose call stack comes from jsroot's modules into the buffer of the running
 * `quietly` call (so they can explain an error), or drops them; everything else passes through.
 */
type ConsoleMethod = "log" | "warn" | "error" | "info" | "debug";
const FROM_JSROOT = /[\\/]jsroot[\\/](?:modules|build)[\\/]/;
const buffers: string[][] = [];
let filtering = false;

function filterJsrootConsole(): void {
  if (filtering) return;
  filtering = true;
  for (const m of ["log", "warn", "error", "info", "debug"] as ConsoleMethod[]) {
    const original = console[m];
    console[m] = function (this: Console, ...args: unknown[]) {
      if (FROM_JSROOT.test(new Error().stack ?? "")) {
        buffers[buffers.length - 1]?.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(" "));
        return;
      }
      return original.apply(this, args);
    };
  }
}

async function quietly<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: unknown; logged: string[] }> {
  filterJsrootConsole();
  const logged: string[] = [];
  buffers.push(logged);
  try {
    return { value: await fn(), logged };
  } catch (error) {
    return { error, logged };
  } finally {
    buffers.splice(buffers.lastIndexOf(logged), 1);
  }
}

function describe(error: unknown, logged: string[]): string {
  const msg = error instanceof Error ? error.message : String(error ?? "unknown error");
  const extra = logged.filter((l) => l && !msg.includes(l));
  return extra.length ? `${msg} (${extra.slice(0, 2).join("; ")})` : msg;
}

/** Checks the fixed file header ourselves first: clear errors for "not ROOT" and "truncated". */
async function checkHeader(src: ByteSource): Promise<void> {
  const file = src.path;
  if (src.size < 4) throw new RootIoError(`not a ROOT file (only ${src.size} bytes)`, { file });
  const head = await src.read(0, Math.min(src.size, 64));
  if (String.fromCharCode(head[0], head[1], head[2], head[3]) !== "root") {
    throw new RootIoError("not a ROOT file (it does not start with the 'root' magic bytes)", { file });
  }
  if (head.length < 41) throw new RootIoError(`truncated ROOT file: only ${src.size} bytes, shorter than its header`, { file });
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = dv.getInt32(4);
  const large = version > 1000000;
  const end = large ? Number(dv.getBigInt64(12)) : dv.getUint32(12);
  const seekFree = large ? Number(dv.getBigInt64(20)) : dv.getUint32(20);
  if (end > src.size || seekFree > src.size) {
    throw new RootIoError(`truncated ROOT file: its header says it ends at byte ${end}, but it has only ${src.size} bytes`, { file });
  }
}

export interface JsFile {
  js: JsObj;
  source: ByteSource;
}

/**
 * jsroot inflates the keys it reads (streamer information, TTree objects, histograms) with its own
 * JavaScript inflate, which took half the time of opening a file: thousands of files in a chain
 * are opened when an analysis is checked and run. Its TFile's `readObjBuffer` (the one method that
 * reads and inflates a key's object; internal, so this is checked by every metadata test) is
 * replaced, once the class is known from the first file opened, by one that inflates with the
 * reader's own codecs (node:zlib for zlib). Anything those refuse still goes to jsroot's own.
 */
let inflatePatched = false;
function useOwnInflate(file: JsObj): void {
  if (inflatePatched) return;
  inflatePatched = true;
  const proto = Object.getPrototypeOf(file);
  const original = proto?.readObjBuffer;
  if (typeof original !== "function" || typeof proto.readBuffer !== "function") return;
  proto.readObjBuffer = async function readObjBuffer(this: JsObj, key: JsObj): Promise<JsObj> {
    const stored = key.fNbytes - key.fKeylen;
    if (!(key.fObjlen > stored)) return original.call(this, key);
    const blob: DataView = await this.readBuffer([key.fSeekKey + key.fKeylen, stored]);
    let bytes: Uint8Array;
    try {
      bytes = rootDecompress(new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength), key.fObjlen);
    } catch {
      return original.call(this, key);
    }
    const buf = new (jsroot as unknown as { TBuffer: new (v: DataView, pos: number, file: JsObj) => JsObj }).TBuffer(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, this);
    buf.fTagOffset = key.fKeylen;
    return buf;
  };
}

export async function openJsFile(source: ByteSource): Promise<JsFile> {
  await checkHeader(source);
  const r = await quietly<JsObj>(() => jsroot.openFile(new SourceProxy(source)));
  if (r.value) useOwnInflate(r.value);
  // jsroot opens a file whose streamer information it could not read; nothing in it can be trusted.
  if (r.value && Number(r.value.fSeekInfo) > 0 && !r.value.fStreamerInfos) {
    const why = r.logged.find((l) => l) ?? "unreadable";
    throw new RootIoError(`damaged ROOT file: its streamer information cannot be read (${why})`, { file: source.path });
  }
  if (r.error !== undefined || !r.value) {
    if (r.error instanceof SourceError) {
      throw new RootIoError(`truncated or damaged ROOT file: ${r.error.message}`, { file: source.path }, { cause: r.error });
    }
    throw new RootIoError(`cannot read the ROOT file's directory: ${describe(r.error, r.logged)}`, { file: source.path }, { cause: r.error });
  }
  return { js: r.value, source };
}

// ---------------------------------------------------------------------------------------------
// Objects

const DIR_CLASSES = new Set(["TDirectory", "TDirectoryFile"]);

export async function listObjects(f: JsFile): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  const walk = async (keys: JsObj[], prefix: string, depth: number): Promise<void> => {
    for (const k of keys) {
      if (k.fClassName === "TList" && k.fName === "StreamerInfo" && prefix === "") continue;
      if (k.fClassName === "KeysList" || k.fClassName === "FreeSegments") continue;
      const path = prefix + k.fName;
      out.push({ path, className: k.fClassName, title: k.fTitle ?? "", cycle: k.fCycle });
      if (DIR_CLASSES.has(k.fClassName) && depth < 32) {
        const r = await quietly<JsObj>(() => f.js.readDirectory(`${path};${k.fCycle}`));
        if (r.error !== undefined || !r.value) {
          throw new RootIoError(`cannot read directory '${path}': ${describe(r.error, r.logged)}`, { file: f.source.path }, { cause: r.error });
        }
        await walk(r.value.fKeys ?? [], path + "/", depth + 1);
      }
    }
  };
  await walk(f.js.fKeys ?? [], "", 0);
  return out;
}

export async function readObject(f: JsFile, path: string, ctx: { tree?: string } = {}): Promise<JsObj> {
  const r = await quietly(() => f.js.readObject(path));
  if (r.error !== undefined || !r.value) {
    const cause = r.error;
    if (cause instanceof SourceError) {
      throw new RootIoError(`truncated or damaged ROOT file: ${cause.message}`, { file: f.source.path, ...ctx }, { cause });
    }
    throw new RootIoError(`cannot read object '${path}': ${describe(cause, r.logged)}`, { file: f.source.path, ...ctx }, { cause });
  }
  return r.value;
}

// ---------------------------------------------------------------------------------------------
// Trees and branches

const LEAF_DTYPE: Record<string, [Dtype, Dtype]> = {
  TLeafO: ["bool", "bool"],
  TLeafB: ["i1", "u1"],
  TLeafS: ["i2", "u2"],
  TLeafI: ["i4", "u4"],
  TLeafL: ["i8", "u8"],
  TLeafG: ["i8", "u8"],
  TLeafF: ["f4", "f4"],
  TLeafD: ["f8", "f8"],
  TLeafF16: ["f4", "f4"],
  TLeafD32: ["f8", "f8"],
};

export const DTYPE_CPP: Record<Dtype, string> = {
  bool: "bool", i1: "int8_t", u1: "uint8_t", i2: "int16_t", u2: "uint16_t", i4: "int32_t", u4: "uint32_t",
  i8: "int64_t", u8: "uint64_t", f4: "float", f8: "double",
};

const CPP_DTYPE: Record<string, Dtype> = {
  bool: "bool", Bool_t: "bool",
  char: "i1", Char_t: "i1", "signed char": "i1", int8_t: "i1",
  "unsigned char": "u1", UChar_t: "u1", uint8_t: "u1", Byte_t: "u1",
  short: "i2", Short_t: "i2", int16_t: "i2", "short int": "i2",
  "unsigned short": "u2", UShort_t: "u2", uint16_t: "u2", "unsigned short int": "u2",
  int: "i4", Int_t: "i4", int32_t: "i4",
  "unsigned int": "u4", unsigned: "u4", UInt_t: "u4", uint32_t: "u4",
  long: "i8", Long_t: "i8", "long long": "i8", Long64_t: "i8", int64_t: "i8", "long int": "i8",
  "unsigned long": "u8", ULong_t: "u8", "unsigned long long": "u8", ULong64_t: "u8", uint64_t: "u8",
  "unsigned long int": "u8",
  float: "f4", Float_t: "f4", double: "f8", Double_t: "f8",
};

/** ROOT streamer type codes for basic types (TVirtualStreamerInfo::EReadWrite). */
const STREAMER_BASIC: Record<number, Dtype | "d32" | "f16"> = {
  1: "i1", 2: "i2", 3: "i4", 4: "i8", 5: "f4", 6: "i4", 8: "f8", 9: "d32", 11: "u1", 12: "u2", 13: "u4",
  14: "u8", 16: "i8", 17: "u8", 18: "bool", 19: "f16",
};

function compressionName(c: number | undefined): string | undefined {
  if (c === undefined || c === null || c < 0) return undefined;
  const alg = Math.floor(c / 100);
  const level = c % 100;
  if (level === 0) return "none";
  const name = ({ 0: "ZLIB", 1: "ZLIB", 2: "LZMA", 3: "ZLIB-old", 4: "LZ4", 5: "ZSTD" } as Record<number, string>)[alg];
  return name ? `${name}-${level}` : `algorithm-${alg}-${level}`;
}

/** Dimensions in a title such as "x[3][4]" or "ArrayF32[10]"; counted dims ("[n]") are returned as names. */
function parseDims(title: string): (number | string)[] {
  const base = title.split("/")[0];
  const dims: (number | string)[] = [];
  const re = /\[([^\]]+)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(base))) dims.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
  return dims;
}

/**
 * Double32_t/Float16_t storage from a "[xmin,xmax(,nbits)]" annotation, following ROOT's
 * TStreamerElement::GetRange: a range stores scaled uint32s; no range with nbits stores a truncated
 * float (3 bytes); no annotation stores a float32 (Double32) or a 12-bit truncated float (Float16).
 */
function packedStorage(kind: "d32" | "f16", annotation: string | undefined): Pick<Interp, "stored" | "xmin" | "factor" | "nbits"> | string {
  const m = annotation ? /\[\s*([^,\]]+)\s*,\s*([^,\]]+)\s*(?:,\s*([^\]]+))?\]/.exec(annotation) : null;
  if (!m) return kind === "d32" ? { stored: "float" } : { stored: "bits", nbits: 12 };
  const xmin = Number(m[1]);
  const xmax = Number(m[2]);
  let nbits = m[3] !== undefined ? Number(m[3]) : 32;
  if (!Number.isFinite(xmin) || !Number.isFinite(xmax) || !Number.isFinite(nbits)) {
    return `range annotation '${annotation}' uses expressions this reader does not evaluate`;
  }
  if (nbits < 2) nbits = 2;
  if (nbits > 32) nbits = 32;
  if (xmin === 0 && xmax === 0) {
    if (kind === "d32" && m[3] === undefined) return { stored: "float" };
    return { stored: "bits", nbits };
  }
  if (xmax <= xmin) return kind === "d32" ? { stored: "float" } : { stored: "bits", nbits: 12 };
  const big = nbits < 32 ? 2 ** nbits : 0xffffffff;
  return { stored: "range", xmin, factor: big / (xmax - xmin), nbits };
}

interface Decision {
  typename: string;
  kind: BranchInfo["kind"];
  dtype: Dtype | null;
  interp: Interp | null;
  countLeaf?: string;
  shape?: number[];
  reason?: string;
}

function unsupported(typename: string, reason: string): Decision {
  return { typename, kind: "unsupported", dtype: null, interp: null, reason };
}

function plainInterp(kind: Interp["kind"], dtype: Dtype, perEntry: number, header = 0): Interp {
  return { kind, dtype, stored: "plain", perEntry, header };
}

function decideLeafBranch(b: JsObj): Decision {
  const leaves: JsObj[] = b.fLeaves?.arr ?? [];
  if (leaves.length === 0) return unsupported("(no leaves)", "branch has no leaves");
  if (leaves.length > 1) {
    const parts = leaves.map((l) => `${leafCpp(l)} ${l.fName};`).join(" ");
    const names = leaves.map((l) => `'${b.fName}.${l.fName}'`).join(", ");
    return unsupported(`struct {${parts}}`, `leaf list (several leaves in one branch); read its leaves as ${names}`);
  }
  const leaf = leaves[0];
  const t = leaf._typename as string;
  if (t === "TLeafC") return unsupported("char*", "string branch (TLeafC)");
  const dt = LEAF_DTYPE[t];
  if (!dt) return unsupported(t, `leaf type ${t} is not a number type`);
  const dtype = leaf.fIsUnsigned ? dt[1] : dt[0];
  let scalar = DTYPE_CPP[dtype];
  let interp = plainInterp("flat", dtype, 1);
  if (t === "TLeafD32" || t === "TLeafF16") {
    scalar = t === "TLeafD32" ? "Double32_t" : "Float16_t";
    const packed = packedStorage(t === "TLeafD32" ? "d32" : "f16", leaf.fTitle);
    if (typeof packed === "string") return unsupported(scalar, packed);
    interp = { ...interp, ...packed };
  }
  const dims = parseDims(leaf.fTitle && leaf.fTitle.includes("[") && !/^[df]\[/.test(leaf.fTitle) ? leaf.fTitle : b.fTitle ?? "");
  if (leaf.fLeafCount) {
    const fixedDims = dims.slice(1);
    if (fixedDims.length > 0 || leaf.fLen > 1) {
      return unsupported(`${scalar}[][${fixedDims.join("][")}]`, "counted array with extra fixed dimensions");
    }
    return { typename: `${scalar}[]`, kind: "jagged", dtype, interp: { ...interp, kind: "jagged", perEntry: 0 }, countLeaf: leaf.fLeafCount.fName };
  }
  if (leaf.fLen > 1) {
    const shape = dims.filter((d): d is number => typeof d === "number");
    const prod = shape.reduce((a, c) => a * c, 1);
    const finalShape = prod === leaf.fLen ? shape : [leaf.fLen];
    return {
      typename: `${scalar}${finalShape.map((d) => `[${d}]`).join("")}`,
      kind: "fixed",
      dtype,
      shape: finalShape,
      interp: { ...interp, kind: "fixed", perEntry: leaf.fLen },
    };
  }
  return { typename: scalar, kind: "flat", dtype, interp };
}

/**
 * The leaves of a leaf-list branch as columns of their own, named "branch.leaf": each entry holds
 * the leaves one after the other, so a leaf is a strided view of the entry bytes.
 */
function leafListColumns(b: JsObj, name: string): { info: Partial<BranchInfo> & Pick<BranchInfo, "name" | "typename" | "kind" | "dtype">; interp: Interp | null }[] {
  const leaves: JsObj[] = b.fLeaves.arr;
  const out: ReturnType<typeof leafListColumns> = [];
  let stride = 0;
  const sizes = leaves.map((l) => {
    const dt = LEAF_DTYPE[l._typename];
    const plain = dt && l._typename !== "TLeafD32" && l._typename !== "TLeafF16" && !l.fLeafCount;
    return plain ? DTYPE_SIZE[l.fIsUnsigned ? dt[1] : dt[0]] * Math.max(1, l.fLen) : null;
  });
  if (sizes.some((x) => x === null)) return out; // strings, counted or packed leaves: not as columns
  for (const x of sizes) stride += x!;
  let offset = 0;
  leaves.forEach((l, i) => {
    const dt = LEAF_DTYPE[l._typename];
    const dtype = l.fIsUnsigned ? dt[1] : dt[0];
    const len = Math.max(1, l.fLen);
    const base = { stored: "plain" as const, header: 0, dtype, stride, offset };
    const title = `${l.fName}${len > 1 ? `[${len}]` : ""}/${l._typename}`;
    out.push(
      len > 1
        ? {
            info: { name: `${name}.${l.fName}`, typename: `${DTYPE_CPP[dtype]}[${len}]`, kind: "fixed", dtype, shape: [len], title },
            interp: { ...base, kind: "fixed", perEntry: len },
          }
        : { info: { name: `${name}.${l.fName}`, typename: DTYPE_CPP[dtype], kind: "flat", dtype, title }, interp: { ...base, kind: "flat", perEntry: 1 } },
    );
    offset += sizes[i]!;
  });
  return out;
}

function leafCpp(l: JsObj): string {
  const dt = LEAF_DTYPE[l._typename];
  if (!dt) return l._typename === "TLeafC" ? "char*" : l._typename;
  const base = DTYPE_CPP[l.fIsUnsigned ? dt[1] : dt[0]];
  return l.fLen > 1 ? `${base}[${l.fLen}]` : base;
}

function normaliseCpp(t: string): string {
  return t.replace(/\s+/g, " ").replace(/\s*([<>,])\s*/g, "$1").trim();
}

/** uproot-style display of a C++ type: std:: prefixes and fixed-width integer names, recursively. */
function displayCpp(t: string): string {
  const n = normaliseCpp(t);
  const m = /^(?:std::)?(vector|set|map|unordered_map|unordered_set|list|deque|pair)<(.+)>$/.exec(n);
  if (m) {
    const args: string[] = [];
    let depth = 0;
    let cur = "";
    for (const ch of m[2]) {
      if (ch === "<") depth++;
      if (ch === ">") depth--;
      if (ch === "," && depth === 0) {
        args.push(cur);
        cur = "";
      } else cur += ch;
    }
    args.push(cur);
    return `std::${m[1]}<${args.map(displayCpp).join(",")}>`;
  }
  if (n === "string" || n === "std::string") return "std::string";
  const d = CPP_DTYPE[n];
  return d ? DTYPE_CPP[d] : n;
}

function decideElementBranch(b: JsObj, f: JsFile): Decision {
  const cls = normaliseCpp(b.fClassName ?? "");
  const subCount = b.fBranches?.arr?.length ?? 0;
  // A whole (split) object or collection: its numbers live in the sub-branches.
  if (b.fID === -1 || b.fID === -2 || b.fStreamerType === -1) {
    if (subCount > 0 || b.fID === -2) return unsupported(cls || "object", `object of class ${cls}; read its sub-branches instead`);
    const m = /^(?:std::)?vector<(.+)>$/.exec(cls);
    if (m) {
      const inner = normaliseCpp(m[1]);
      const dtype = CPP_DTYPE[inner];
      if (dtype) return { typename: `std::vector<${DTYPE_CPP[dtype]}>`, kind: "jagged", dtype, interp: plainInterp("jagged", dtype, 0, 10) };
      return unsupported(displayCpp(cls), `std::vector of ${displayCpp(inner)} is not a vector of numbers`);
    }
    if (cls === "string" || cls === "TString") return unsupported(cls === "string" ? "std::string" : "TString", "string branch");
    return unsupported(displayCpp(cls) || "object", `object of class ${cls}`);
  }
  // A member of a split class: the streamer element says what it is.
  const si = f.js.findStreamerInfo(b.fClassName, b.fClassVersion, b.fCheckSum) ?? f.js.findStreamerInfo(b.fClassName);
  const elem: JsObj = si?.fElements?.arr?.[b.fID];
  const st: number = b.fStreamerType;
  const typeName = normaliseCpp(elem?.fTypeName ?? "");
  if (subCount > 0) return unsupported(typeName || cls, `object member of type ${typeName || cls}; read its sub-branches instead`);
  const basicOf = (code: number): Dtype | "d32" | "f16" | undefined => {
    // kCounter (6) is "an int that counts something", signed or not: the element's type name decides.
    if (code === 6 && CPP_DTYPE[typeName.replace(/\*$/, "")]) return CPP_DTYPE[typeName.replace(/\*$/, "")];
    return STREAMER_BASIC[code];
  };
  const withBasic = (code: number, make: (scalar: string, interp: Interp, dtype: Dtype) => Decision): Decision => {
    const basic = basicOf(code);
    if (basic === undefined) return unsupported(typeName || `streamer type ${st}`, `streamer type ${st} (${typeName}) is not a number type`);
    if (basic === "d32" || basic === "f16") {
      const packed = packedStorage(basic, elem?.fTitle);
      if (typeof packed === "string") return unsupported(typeName, packed);
      const dtype: Dtype = basic === "d32" ? "f8" : "f4";
      return make(basic === "d32" ? "Double32_t" : "Float16_t", { ...plainInterp("flat", dtype, 1), ...packed }, dtype);
    }
    return make(DTYPE_CPP[basic], plainInterp("flat", basic, 1), basic);
  };
  const countLeaf: string | undefined = b.fLeaves?.arr?.[0]?.fLeafCount?.fName;
  if (st >= 1 && st <= 19 && st !== 7 && st !== 15 && st !== 10) {
    // A member of a split TClonesArray (fType 31) or split STL collection (41): one value per
    // element of the collection, elements of an entry stored back to back, no per-entry header.
    if (b.fType === 31 || b.fType === 41) {
      if (!countLeaf) return unsupported(typeName || cls, "member of a split collection without a count leaf");
      return withBasic(st, (scalar, interp, dtype) => ({
        typename: `${scalar}[]`,
        kind: "jagged",
        dtype,
        interp: { ...interp, kind: "jagged", perEntry: 0, header: 0 },
        countLeaf,
      }));
    }
    return withBasic(st, (scalar, interp, dtype) => ({ typename: scalar, kind: "flat", dtype, interp }));
  }
  if (b.fType === 31 || b.fType === 41) {
    return unsupported(displayCpp(typeName || cls), `member of type ${displayCpp(typeName || cls)} inside a split collection`);
  }
  if (st > 20 && st < 40 && st !== 27 && st !== 35 && st !== 30) {
    const len = elem?.fArrayLength || (b.fLeaves?.arr?.[0]?.fLen ?? 0);
    const shape: number[] = elem?.fArrayDim > 0 ? Array.from(elem.fMaxIndex as ArrayLike<number>).slice(0, elem.fArrayDim) : [len];
    return withBasic(st - 20, (scalar, interp, dtype) => ({
      typename: `${scalar}${shape.map((d) => `[${d}]`).join("")}`,
      kind: "fixed",
      dtype,
      shape,
      interp: { ...interp, kind: "fixed", perEntry: len },
    }));
  }
  if (st > 40 && st < 60 && st !== 47 && st !== 55 && st !== 50) {
    return withBasic(st - 40, (scalar, interp, dtype) => ({
      typename: `${scalar}[]`,
      kind: "jagged",
      dtype,
      interp: { ...interp, kind: "jagged", perEntry: 0, header: 1 },
      countLeaf,
    }));
  }
  if (st === 300 || st === 500) {
    const m = /^(?:std::)?vector<(.+)>$/.exec(typeName);
    if (m && CPP_DTYPE[normaliseCpp(m[1])]) {
      const dtype = CPP_DTYPE[normaliseCpp(m[1])];
      return { typename: `std::vector<${DTYPE_CPP[dtype]}>`, kind: "jagged", dtype, interp: plainInterp("jagged", dtype, 0, 10) };
    }
    return unsupported(displayCpp(typeName), `${displayCpp(typeName)} is not a std::vector of numbers`);
  }
  if (st === 65) return unsupported("TString", "string member (TString)");
  if (st === 15) return unsupported("TBits", "bit set (kBits)");
  return unsupported(displayCpp(typeName || cls), `member of type ${displayCpp(typeName || cls)} (streamer type ${st})`);
}

function basketRefs(b: JsObj, entries: number): BasketRef[] {
  const refs: BasketRef[] = [];
  const wb: number = b.fWriteBasket ?? 0;
  const seek = b.fBasketSeek ?? [];
  const bytes = b.fBasketBytes ?? [];
  const first = b.fBasketEntry ?? [];
  for (let i = 0; i < wb; i++) {
    const stop = i + 1 < first.length && (i + 1 < wb || Number(first[i + 1]) > 0) ? Number(first[i + 1]) : entries;
    refs.push({ index: i, first: Number(first[i]), stop, seek: Number(seek[i]), bytes: Number(bytes[i]) });
  }
  const embedded: JsObj[] = b.fBaskets?.arr ?? [];
  embedded.forEach((bk, k) => {
    if (!bk || bk._typename !== "TBasket") return;
    const start = k < first.length ? Number(first[k]) : refs.length ? refs[refs.length - 1].stop : 0;
    const buf = bk.fBufferRef;
    const dataLen = bk.fLast - bk.fKeylen;
    const data: Uint8Array = buf?.arr
      ? new Uint8Array(buf.arr.buffer, buf.arr.byteOffset, Math.min(buf.length ?? dataLen, dataLen))
      : new Uint8Array(0);
    // Rebuild the payload layout of a stored basket: data, then the entry-offset table.
    const offs: ArrayLike<number> | undefined = bk.fEntryOffset;
    const withTable = b.fEntryOffsetLen > 0 && offs && offs.length >= bk.fNevBuf;
    const payload = new Uint8Array(dataLen + (withTable ? 4 + 4 * bk.fNevBuf : 0));
    payload.set(data.subarray(0, dataLen));
    if (withTable) {
      const dv = new DataView(payload.buffer);
      dv.setInt32(dataLen, bk.fNevBuf);
      for (let i = 0; i < bk.fNevBuf; i++) dv.setInt32(dataLen + 4 + 4 * i, offs![i]);
    }
    refs.push({ index: k, first: start, stop: start + bk.fNevBuf, embedded: { payload, keylen: bk.fKeylen, last: bk.fLast, nevbuf: bk.fNevBuf } });
  });
  refs.sort((x, y) => x.first - y.first);
  return refs;
}

export function buildTreeMeta(f: JsFile, tree: JsObj, path: string): TreeMeta {
  if (!tree || !tree.fBranches || !Array.isArray(tree.fBranches.arr) || !Number.isFinite(Number(tree.fEntries))) {
    throw new RootIoError("the TTree object is damaged (no branch list)", { file: f.source.path, tree: path });
  }
  const entries = Number(tree.fEntries);
  const branches: BranchMeta[] = [];
  const leafOwner = new Map<string, string>();
  const pendingCounts: { meta: BranchMeta; leaf: string; parent: string }[] = [];

  const visit = (b: JsObj, parentPath: string): void => {
    const name = parentPath ? `${parentPath}/${b.fName}` : b.fName;
    const d = b._typename === "TBranchElement" || b._typename === "TBranchSTL" ? decideElementBranch(b, f) : decideLeafBranch(b);
    const baskets = basketRefs(b, Number(b.fEntries));
    let compressed = 0;
    // fTotBytes leaves out baskets still held inside the TBranch (written with the TTree itself).
    let uncompressed = Number(b.fTotBytes);
    for (const r of baskets) {
      if ("bytes" in r) compressed += r.bytes;
      else {
        compressed += r.embedded.payload.length + r.embedded.keylen;
        uncompressed += r.embedded.payload.length + r.embedded.keylen;
      }
    }
    const info: BranchInfo = {
      name,
      typename: d.typename,
      dtype: d.dtype,
      kind: d.kind,
      entries: Number(b.fEntries),
      baskets: baskets.length,
      compressedBytes: compressed,
      uncompressedBytes: uncompressed,
    };
    const comp = compressionName(b.fCompress);
    if (comp) info.compression = comp;
    if (b.fTitle) info.title = b.fTitle;
    if (d.shape) info.shape = d.shape;
    if (d.reason) info.unsupportedReason = d.reason;
    const meta: BranchMeta = { info, interp: d.interp, baskets };
    branches.push(meta);
    for (const l of b.fLeaves?.arr ?? []) if (!leafOwner.has(`${parentPath}|${l.fName}`)) leafOwner.set(`${parentPath}|${l.fName}`, name);
    if ((b.fLeaves?.arr?.length ?? 0) > 1 && b._typename === "TBranch") {
      for (const sub of leafListColumns(b, name)) {
        const subInfo: BranchInfo = { ...info, ...sub.info, leafListOf: name };
        delete subInfo.unsupportedReason;
        branches.push({ interp: sub.interp, baskets, info: subInfo });
      }
    }
    if (d.countLeaf) pendingCounts.push({ meta, leaf: d.countLeaf, parent: parentPath });
    for (const s of b.fBranches?.arr ?? []) visit(s, name);
  };
  for (const b of tree.fBranches?.arr ?? []) visit(b, "");
  // Count leaves are looked up next to the counted branch first, then anywhere (split objects).
  for (const { meta, leaf, parent } of pendingCounts) {
    let owner = leafOwner.get(`${parent}|${leaf}`);
    if (!owner) for (const [k, v] of leafOwner) if (k.endsWith(`|${leaf}`)) owner = owner ?? v;
    if (owner) meta.info.countBranch = owner;
  }
  const byName = new Map<string, BranchMeta>();
  for (const m of branches) byName.set(m.info.name, m);
  return { path, entries, branches, byName };
}
