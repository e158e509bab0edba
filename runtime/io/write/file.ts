/**
 * File-level layout of a ROOT file: header, top directory record, TKeys, subdirectories,
 * StreamerInfo, keys lists, free-segments record.
 *
 * Everything is appended at the end of a temporary file in the destination's directory; the
 * records that depend on what was written (directory headers, keys lists, StreamerInfo, free
 * list, file header) are written at close, then the file is renamed into place. Only the 32-bit
 * ("small") record formats are produced, so the file must stay below ROOT's kStartBigFile.
 */
import { open, rename, unlink, type FileHandle } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { RBuffer } from "./buffer.js";
import { compressRecord, compressRecordSync, compressionSetting, validateCompression, type Compression } from "./compress.js";
import { serializeStreamerList, streamerClosure } from "./streamers.js";

/** Records up to this many bytes are compressed on the calling thread (writeKeyed). */
const SYNC_COMPRESS = 64 * 1024;

/** ROOT switches to 64-bit seek pointers at this offset; we refuse rather than write them. */
export const kStartBigFile = 2_000_000_000;

const FILE_VERSION = 62208; // ROOT 6.22/08: the release whose TTree/TBranch layouts we write
const BEGIN = 100;
const KEY_VERSION = 4; // small TKey (32-bit seeks)
const DIR_VERSION = 5; // small TDirectory record
const KEY_FIXED = 4 + 2 + 4 + 4 + 2 + 2 + 4 + 4;
/** TDirectory record: version, 2 datimes, nbytes keys/name, 3 seeks, UUID, and the 12 bytes ROOT reserves to grow seeks to 64 bits. */
const DIR_RECORD = 2 + 4 + 4 + 4 + 4 + 4 + 4 + 4 + 18 + 12;

const encoder = new TextEncoder();

export function strLen(s: string): number {
  const n = encoder.encode(s).length;
  return n < 255 ? 1 + n : 5 + n;
}

export function keyLength(className: string, name: string, title: string): number {
  return KEY_FIXED + strLen(className) + strLen(name) + strLen(title);
}

/**
 * TDatime packing: years since 1995 in the top 6 bits, then month, day, hour, minute, second.
 * ROOT records local time; a fixed date given for reproducible output is taken in UTC, so that the
 * bytes do not depend on the machine's time zone.
 */
export function datime(d = new Date(), utc = false): number {
  const [y, mo, day, h, mi, sec] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  // TDatime cannot say anything before 1995 (its year field is unsigned).
  if (y < 1995) return (1 << 22) | (1 << 17);
  return (((y - 1995) << 26) | ((mo + 1) << 22) | (day << 17) | (h << 12) | (mi << 6) | sec) >>> 0;
}

/**
 * What makes two writes of the same objects differ besides the objects: the dates of keys and
 * directories and the file's UUID. Given, they are used everywhere, and the same calls in the same
 * order give the same bytes; left out, the dates are the moment of writing and the UUID random.
 */
export interface FileStamp {
  date?: Date;
  /** 16 bytes. */
  uuid?: Uint8Array;
}

export interface KeyInfo {
  className: string;
  name: string;
  title: string;
  cycle: number;
  seekKey: number;
  seekPdir: number;
  nbytes: number;
  objlen: number;
  keylen: number;
  datime: number;
}

export function writeKeyHeader(b: RBuffer, k: KeyInfo): void {
  b.i32(k.nbytes);
  b.i16(KEY_VERSION);
  b.i32(k.objlen);
  b.u32(k.datime);
  b.i16(k.keylen);
  b.i16(k.cycle);
  b.i32(k.seekKey);
  b.i32(k.seekPdir);
  b.string(k.className);
  b.string(k.name);
  b.string(k.title);
}

export class Directory {
  readonly keys: KeyInfo[] = [];
  readonly children = new Map<string, Directory>();
  /** Location of the directory's TKey + record; for the top directory, BEGIN. */
  seekDir = 0;
  constructor(
    readonly name: string,
    readonly parent: Directory | null,
    readonly created: number,
  ) {}

  has(name: string): boolean {
    return this.keys.some((k) => k.name === name) || this.children.has(name);
  }
}

export interface ObjectPayload {
  className: string;
  name: string;
  title: string;
  /** Serializes the object given the key length (the displacement of in-record references). */
  serialize(keylen: number): { bytes: Uint8Array; classes: Iterable<string> };
}

export class RootFileWriter {
  readonly top: Directory;
  readonly compression: Compression;
  private end = 0;
  private failed: unknown = null;
  private closed = false;
  private readonly classes = new Set<string>();
  private readonly uuid: Uint8Array;
  private readonly fixedDate: number | null;
  private pending: Promise<unknown>[] = [];
  /**
   * Records are placed in the order they were asked for, not the order their compression finishes:
   * each takes a turn when asked and allocates only once the turns before it have.
   */
  private lastTurn: Promise<void> = Promise.resolve();

  private constructor(
    private readonly fh: FileHandle,
    readonly finalPath: string,
    readonly tempPath: string,
    compression: Compression,
    private readonly limit: number,
    stamp: FileStamp,
  ) {
    this.compression = compression;
    if (stamp.uuid && stamp.uuid.length !== 16) throw new Error("hepc ROOT writer: a file UUID has 16 bytes");
    this.uuid = stamp.uuid ?? randomBytes(16);
    this.fixedDate = stamp.date ? datime(stamp.date, true) : null;
    this.top = new Directory(basename(finalPath), null, this.now());
    this.top.seekDir = BEGIN;
    // Reserve the header and the top directory record; both are rewritten at close.
    this.end = BEGIN + this.topRecordLength();
  }

  static async create(path: string, compression: Compression, limit = kStartBigFile, stamp: FileStamp = {}): Promise<RootFileWriter> {
    validateCompression(compression);
    const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    const fh = await open(tmp, "wx");
    try {
      return new RootFileWriter(fh, path, tmp, compression, limit, stamp);
    } catch (e) {
      await fh.close();
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
  }

  /** The date recorded in keys and directories: the stamp's, or now. */
  now(): number {
    return this.fixedDate ?? datime();
  }

  /**
   * Takes the next turn to allocate: `ready` settles when every earlier turn has released.
   * Release in a finally: a turn never released would hold up every later record.
   */
  takeTurn(): { ready: Promise<void>; release: () => void } {
    const ready = this.lastTurn;
    let release!: () => void;
    this.lastTurn = new Promise<void>((r) => (release = r));
    return { ready, release };
  }

  get compressSetting(): number {
    return compressionSetting(this.compression);
  }

  private topRecordLength(): number {
    const name = this.top.name;
    return keyLength("TFile", name, "") + strLen(name) + strLen("") + DIR_RECORD;
  }

  checkOpen(): void {
    if (this.failed) throw new Error(`hepc ROOT writer: an earlier write failed (${String((this.failed as Error)?.message ?? this.failed)})`);
    if (this.closed) throw new Error("hepc ROOT writer: file already closed");
  }

  /** Reserves `n` bytes at the end of the file, refusing to cross into 64-bit territory. */
  allocate(n: number): number {
    const at = this.end;
    if (at + n >= this.limit) {
      throw new Error(
        `hepc ROOT writer: ${this.finalPath} would exceed ${this.limit} bytes; files needing 64-bit seek pointers (ROOT "big files") are not supported. Split the output into several files.`,
      );
    }
    this.end += n;
    return at;
  }

  /** Positional write; failures poison the writer so close() cannot produce a broken file. */
  async writeAt(pos: number, chunks: Uint8Array[]): Promise<void> {
    try {
      let p = pos;
      const total = chunks.reduce((s, c) => s + c.length, 0);
      if (chunks.length === 1) {
        const c = chunks[0];
        let off = 0;
        while (off < c.length) {
          const { bytesWritten } = await this.fh.write(c, off, c.length - off, p + off);
          off += bytesWritten;
        }
      } else {
        let written = 0;
        let rest = chunks;
        while (written < total) {
          const { bytesWritten } = await this.fh.writev(rest, p);
          written += bytesWritten;
          p += bytesWritten;
          if (written < total) {
            // Short write: drop what got out and continue with the remainder.
            let skip = bytesWritten;
            const next: Uint8Array[] = [];
            for (const c of rest) {
              if (skip >= c.length) skip -= c.length;
              else {
                next.push(skip ? c.subarray(skip) : c);
                skip = 0;
              }
            }
            rest = next;
          }
        }
      }
    } catch (e) {
      this.failed ??= e;
      throw e;
    }
  }

  fail(e: unknown): void {
    this.failed ??= e;
  }

  /** Finds or creates the directory chain for "a/b/name"; returns the directory and the leaf name. */
  resolve(path: string): { dir: Directory; name: string } {
    const parts = path.split("/").filter((p) => p.length > 0);
    if (parts.length === 0) throw new Error(`hepc ROOT writer: empty object path "${path}"`);
    // ";" separates a name from its cycle number in ROOT paths ("h;1").
    if (parts.some((p) => p.includes(";"))) throw new Error(`hepc ROOT writer: object path "${path}" must not contain ";"`);
    const name = parts.pop()!;
    let dir = this.top;
    for (const p of parts) {
      let child = dir.children.get(p);
      if (!child) {
        if (dir.keys.some((k) => k.name === p)) throw new Error(`hepc ROOT writer: "${p}" is an object, not a directory, in ${path}`);
        child = new Directory(p, dir, this.now());
        // Placed now so objects written into it carry the right fSeekPdir; filled in at close.
        child.seekDir = this.allocate(keyLength("TDirectory", p, p) + DIR_RECORD);
        dir.children.set(p, child);
      }
      dir = child;
    }
    if (dir.has(name)) throw new Error(`hepc ROOT writer: "${path}" written twice`);
    return { dir, name };
  }

  /** Claims a name early (trees register at creation, their key is written at close). */
  reserve(path: string): { dir: Directory; name: string } {
    const r = this.resolve(path);
    r.dir.keys.push({ className: "", name: r.name, title: "", cycle: 0, seekKey: 0, seekPdir: 0, nbytes: 0, objlen: 0, keylen: 0, datime: 0 });
    return r;
  }

  release(dir: Directory, name: string): void {
    const i = dir.keys.findIndex((k) => k.name === name && k.className === "");
    if (i >= 0) dir.keys.splice(i, 1);
  }

  useClasses(classes: Iterable<string>): void {
    for (const c of classes) this.classes.add(c);
  }

  /**
   * Writes a keyed record (compressed when it pays) and returns its key. `dir` null means the
   * record belongs to the file itself (StreamerInfo, keys lists are placed by the caller).
   */
  async writeKeyed(
    dir: Directory,
    className: string,
    name: string,
    title: string,
    payload: (keylen: number) => Uint8Array,
    opts: { compress?: boolean; cycle?: number } = {},
  ): Promise<KeyInfo> {
    const keylen = keyLength(className, name, title);
    const turn = this.takeTurn();
    let raw: Uint8Array, data: Uint8Array, seekKey: number;
    try {
      raw = payload(keylen);
      // ROOT leaves small records uncompressed; readers handle both. A record of a few KiB (a
      // histogram, a keys list) is compressed here: the thread pool's round trip would cost more
      // than the compression (a run with variations writes hundreds of histograms: bench/agc.ts).
      const compress = opts.compress !== false && raw.length > 256;
      data = !compress ? raw : raw.length <= SYNC_COMPRESS ? compressRecordSync(raw, this.compression) : await compressRecord(raw, this.compression);
      await turn.ready;
      seekKey = this.allocate(keylen + data.length);
    } finally {
      turn.release();
    }
    const nbytes = keylen + data.length;
    const key: KeyInfo = {
      className,
      name,
      title,
      cycle: opts.cycle ?? 1,
      seekKey,
      seekPdir: dir.seekDir,
      nbytes,
      objlen: raw.length,
      keylen,
      datime: this.now(),
    };
    const hb = new RBuffer(0, keylen);
    writeKeyHeader(hb, key);
    await this.writeAt(seekKey, [hb.bytes(), data]);
    return key;
  }

  /** Adds an object (histogram, tree metadata) to a directory. */
  async addObject(dir: Directory, name: string, obj: ObjectPayload): Promise<KeyInfo> {
    // The classes are noted when the object is serialized (at once, in call order), so that the
    // StreamerInfo lists them in an order that does not depend on which write finishes first.
    const key = await this.writeKeyed(dir, obj.className, name, obj.title, (keylen) => {
      const r = obj.serialize(keylen);
      this.useClasses(r.classes);
      return r.bytes;
    });
    const placeholder = dir.keys.findIndex((k) => k.name === name && k.className === "");
    if (placeholder >= 0) dir.keys[placeholder] = key;
    else dir.keys.push(key);
    return key;
  }

  track<T>(p: Promise<T>): Promise<T> {
    this.pending.push(p);
    p.catch((e) => this.fail(e));
    return p;
  }

  async flushPending(): Promise<void> {
    while (this.pending.length) {
      const ps = this.pending;
      this.pending = [];
      await Promise.all(ps);
    }
  }

  /**
   * Directories are written bottom-up: a directory's keys list must list its subdirectories'
   * keys, which point at their records, which point at their own keys lists.
   */
  private async writeDirectory(dir: Directory): Promise<KeyInfo | null> {
    for (const child of dir.children.values()) {
      const ck = await this.writeDirectory(child);
      dir.keys.push(ck!);
    }
    const now = this.now();
    const isTop = dir.parent === null;
    const dirClass = isTop ? "TFile" : "TDirectory";
    const dirTitle = isTop ? "" : dir.name;

    let recordKey: KeyInfo | null = null;
    if (!isTop) {
      const keylen = keyLength("TDirectory", dir.name, dir.name);
      recordKey = {
        className: "TDirectory",
        name: dir.name,
        title: dir.name,
        cycle: 1,
        seekKey: dir.seekDir,
        seekPdir: dir.parent!.seekDir,
        nbytes: keylen + DIR_RECORD,
        objlen: DIR_RECORD,
        keylen,
        datime: dir.created,
      };
    }

    for (const k of dir.keys) {
      if (k.className === "") throw new Error(`hepc ROOT writer: object "${k.name}" was reserved but never written`);
      k.seekPdir = dir.seekDir;
    }

    // Keys list: a TKey of the directory's class whose payload is the count and every key header.
    const listKeylen = keyLength(dirClass, dir.name, dirTitle);
    const body = new RBuffer(0, 4096);
    body.i32(dir.keys.length);
    for (const k of dir.keys) writeKeyHeader(body, k);
    const listBytes = body.bytes();
    const seekKeys = this.allocate(listKeylen + listBytes.length);
    const lk: KeyInfo = {
      className: dirClass,
      name: dir.name,
      title: dirTitle,
      cycle: 1,
      seekKey: seekKeys,
      seekPdir: dir.seekDir,
      nbytes: listKeylen + listBytes.length,
      objlen: listBytes.length,
      keylen: listKeylen,
      datime: now,
    };
    const lh = new RBuffer(0, listKeylen);
    writeKeyHeader(lh, lk);
    await this.writeAt(seekKeys, [lh.bytes(), listBytes]);

    const rec = new RBuffer(0, 256);
    let nbytesName: number;
    if (isTop) {
      const topKeylen = keyLength("TFile", dir.name, "");
      const objlen = strLen(dir.name) + strLen("") + DIR_RECORD;
      writeKeyHeader(rec, {
        className: "TFile",
        name: dir.name,
        title: "",
        cycle: 1,
        seekKey: BEGIN,
        seekPdir: 0,
        nbytes: topKeylen + objlen,
        objlen,
        keylen: topKeylen,
        datime: dir.created,
      });
      rec.string(dir.name);
      rec.string("");
      nbytesName = topKeylen + strLen(dir.name) + strLen("");
    } else {
      writeKeyHeader(rec, recordKey!);
      nbytesName = recordKey!.keylen;
    }
    rec.i16(DIR_VERSION);
    rec.u32(dir.created);
    rec.u32(now);
    rec.i32(lk.nbytes);
    rec.i32(nbytesName);
    rec.i32(dir.seekDir);
    rec.i32(dir.parent ? dir.parent.seekDir : 0);
    rec.i32(seekKeys);
    rec.i16(1);
    rec.raw(this.uuid);
    rec.raw(new Uint8Array(12));
    await this.writeAt(dir.seekDir, [rec.bytes()]);
    return recordKey;
  }

  async close(): Promise<void> {
    if (this.closed) throw new Error("hepc ROOT writer: file already closed");
    try {
      this.checkOpen();
      await this.flushPending();
      this.checkOpen();
      this.closed = true;

      // ROOT lists the StreamerInfo record among the top directory's keys, last.
      const si = await this.writeKeyed(this.top, "TList", "StreamerInfo", "Doubly linked list", (keylen) =>
        serializeStreamerList(streamerClosure(this.classes), keylen),
      );
      this.top.keys.push(si);
      await this.writeDirectory(this.top);

      // Free segments: one TFree covering [end, kStartBigFile]; it is itself the last record.
      const name = this.top.name;
      const freeKeylen = keyLength("TFile", name, "");
      const freeBody = 2 + 4 + 4;
      const seekFree = this.allocate(freeKeylen + freeBody);
      const fileEnd = this.end;
      const fb = new RBuffer(0, freeKeylen + freeBody);
      writeKeyHeader(fb, {
        className: "TFile",
        name,
        title: "",
        cycle: 1,
        seekKey: seekFree,
        seekPdir: BEGIN,
        nbytes: freeKeylen + freeBody,
        objlen: freeBody,
        keylen: freeKeylen,
        datime: this.now(),
      });
      fb.i16(1);
      fb.i32(fileEnd);
      fb.i32(kStartBigFile);
      await this.writeAt(seekFree, [fb.bytes()]);

      const h = new RBuffer(0, BEGIN);
      h.raw(encoder.encode("root"));
      h.i32(FILE_VERSION);
      h.i32(BEGIN);
      h.i32(fileEnd);
      h.i32(seekFree);
      h.i32(freeKeylen + freeBody);
      h.i32(1); // number of free segments
      h.i32(this.topRecordLength() - DIR_RECORD); // fNbytesName: top key + name + title
      h.u8(4); // fUnits: 4-byte seeks
      h.i32(this.compressSetting);
      h.i32(si.seekKey);
      h.i32(si.nbytes);
      h.i16(1);
      h.raw(this.uuid);
      h.raw(new Uint8Array(BEGIN - h.pos));
      await this.writeAt(0, [h.bytes()]);
      await this.fh.truncate(fileEnd);
      await this.fh.sync();
      await this.fh.close();
      await rename(this.tempPath, this.finalPath);
    } catch (e) {
      this.fail(e);
      await this.discard();
      throw e;
    }
  }

  private async discard(): Promise<void> {
    this.closed = true;
    await this.fh.close().catch(() => undefined);
    await unlink(this.tempPath).catch(() => undefined);
  }

  async abort(): Promise<void> {
    if (this.closed && !this.failed) {
      // Already renamed into place: abort after a successful close is a no-op.
      return;
    }
    this.fail(new Error("aborted"));
    // Let in-flight writes settle before removing the file they target.
    await Promise.allSettled(this.pending);
    await this.discard();
  }
}
