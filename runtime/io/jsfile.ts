/**
 * The jsroot adapter: jsroot reads keys, directories, streamer information and TTree/TBranch
 * objects through our ByteSource (a FileProxy), so metadata costs a few small positioned reads and
 * never the whole file. Whatever jsroot throws or logs comes out of here as a RootIoError naming
 * the file and what was being read; nothing else in the reader calls jsroot.
 */
// jsroot/io, not the "jsroot" entry point: the latter also loads all of jsroot's drawing code.
import * as jsroot from "jsroot/io";
import type { ByteSource } from "../source/index.js";
import { SourceError } from "../source/index.js";
import { rootDecompress } from "./codecs/index.js";
import { RootIoError } from "./errors.js";

export interface ObjectInfo {
  path: string;
  className: string;
  title: string;
  cycle: number;
}

/** jsroot's objects as they come (jsroot ships no types). */
/* eslint-disable @typescript-eslint/no-explicit-any */
export type JsObj = any;

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

/**
 * What a jsroot failure says about the file, in the reader's words. jsroot's own texts ("Cannot
 * read properties of null (reading 'fName')", "Offset is outside the bounds of the DataView",
 * "Missmatch in TBranch:12 bytecount ...") describe its internals, not the file, so they never reach
 * the message; the original error stays attached as the RootIoError's `cause`.
 */
export function jsrootDamage(error: unknown, logged: readonly string[] = []): string {
  const said = [error instanceof Error ? error.message : String(error ?? ""), ...logged].join("\n");
  if (/bytecount/i.test(said)) return "a record's stored length does not match its contents";
  if (/unzip|inflate|decompress/i.test(said)) return "its compressed bytes do not decompress";
  if (error instanceof RangeError || /outside the bounds|out of range|invalid (typed )?array length/i.test(said)) {
    return "a size or position stored in the file points outside its data";
  }
  if (/class with tag|streamer (info )?for|streamer infos?/i.test(said)) return "it refers to a class the file does not describe";
  if (error instanceof TypeError) return "a record it refers to is missing or malformed";
  return "its bytes are not what ROOT writes there";
}

/** Any failure while jsroot read `what`, as a RootIoError naming the file and what was being read. */
export function jsrootError(what: string, error: unknown, logged: readonly string[], ctx: { file: string; tree?: string; branch?: string }): RootIoError {
  if (error instanceof RootIoError) return error;
  if (error instanceof SourceError) return new RootIoError(`truncated or damaged ROOT file: ${error.message}`, ctx, { cause: error });
  return new RootIoError(`damaged ROOT file: cannot read ${what}: ${jsrootDamage(error, logged)}`, ctx, { cause: error });
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
  const seekFree = large ? Number(dv.getBigInt64(20)) : dv.getUint32(16);
  if (end > src.size || seekFree > src.size) {
    throw new RootIoError(`truncated ROOT file: its header says it ends at byte ${end}, but it has only ${src.size} bytes`, { file });
  }
  const seekInfo = large ? (head.length >= 53 ? Number(dv.getBigInt64(45)) : -1) : dv.getUint32(37);
  if (seekInfo === 0) {
    // jsroot refuses such a file; ROOT writes the record when it closes a file it wrote objects to.
    throw new RootIoError("the file has no streamer information: it holds no objects, or it was not closed by ROOT", { file });
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
  // jsroot reads the top directory's keys, then the streamer information; it may open a file whose
  // streamer information it could not read, but nothing in such a file can be trusted.
  const said = [r.error instanceof Error ? r.error.message : "", ...r.logged].join("\n");
  const streamers = (r.value && Number(r.value.fSeekInfo) > 0 && !r.value.fStreamerInfos) || (!r.value && /streamer ?info/i.test(said));
  if (streamers && !(r.error instanceof SourceError)) {
    throw new RootIoError(`damaged ROOT file: its streamer information cannot be read (${jsrootDamage(r.error, r.logged)})`, { file: source.path }, { cause: r.error });
  }
  if (r.error !== undefined || !r.value) throw jsrootError("the ROOT file's directory", r.error, r.logged, { file: source.path });
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
          throw jsrootError(`directory '${path}'`, r.error, r.logged, { file: f.source.path });
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
  if (r.error !== undefined || !r.value) throw jsrootError(`object '${path}'`, r.error, r.logged, { file: f.source.path, ...ctx });
  return r.value;
}
