/**
 * runtime/source: bytes, nothing else.
 *
 * In:  a path to a local file.
 * Out: positioned reads of byte ranges (`read(offset, length)`), the file's size, close().
 *
 * Knows nothing about ROOT: no headers, no compression, no trees. Errors here are `SourceError`s
 * that say which file and which byte range; the io layer wraps them with ROOT context.
 * Must not import runtime/io, compiler/, lsp/ or cli/.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";

export type SourceErrorCode = "missing" | "unreadable" | "directory" | "short-read" | "closed";

export class SourceError extends Error {
  override readonly name = "SourceError";
  constructor(
    message: string,
    readonly path: string,
    readonly code: SourceErrorCode,
  ) {
    super(message);
  }
}

/** A random-access byte source. Reads never return fewer bytes than asked: they throw instead. */
export interface ByteSource {
  readonly path: string;
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Bytes read so far: lets tests and benchmarks check that only what was asked for was read. */
  readonly bytesRead: number;
  /** Changes whenever the file does (device, inode, size, modification time): a cache key. */
  readonly identity: string;
  close(): Promise<void>;
}

export class FileSource implements ByteSource {
  private fh: FileHandle | null;
  bytesRead = 0;

  private constructor(
    readonly path: string,
    fh: FileHandle,
    readonly size: number,
    readonly identity: string,
  ) {
    this.fh = fh;
  }

  static async open(path: string): Promise<FileSource> {
    let fh: FileHandle;
    try {
      fh = await open(path, "r");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT") throw new SourceError(`no such file: ${path}`, path, "missing");
      if (code === "EISDIR") throw new SourceError(`is a directory, not a file: ${path}`, path, "directory");
      throw new SourceError(`cannot open ${path}: ${(e as Error).message}`, path, "unreadable");
    }
    const st = await fh.stat();
    if (st.isDirectory()) {
      await fh.close();
      throw new SourceError(`is a directory, not a file: ${path}`, path, "directory");
    }
    return new FileSource(path, fh, st.size, `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const fh = this.handle();
    if (offset < 0 || length < 0 || !Number.isSafeInteger(offset) || !Number.isSafeInteger(length)) {
      throw new SourceError(`invalid byte range ${offset}+${length} in ${this.path}`, this.path, "short-read");
    }
    if (offset + length > this.size) {
      throw new SourceError(
        `${this.path} is truncated: needed bytes ${offset}..${offset + length} but the file has ${this.size}`,
        this.path,
        "short-read",
      );
    }
    // A fresh ArrayBuffer per read (not Buffer's shared pool) so callers may transfer it to a worker.
    const out = new Uint8Array(new ArrayBuffer(length));
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(out, got, length - got, offset + got);
      if (bytesRead === 0) {
        throw new SourceError(
          `${this.path} is truncated: read ${got} of ${length} bytes at offset ${offset}`,
          this.path,
          "short-read",
        );
      }
      got += bytesRead;
    }
    this.bytesRead += length;
    return out;
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    if (fh) await fh.close();
  }

  private handle(): FileHandle {
    if (!this.fh) throw new SourceError(`${this.path} was already closed`, this.path, "closed");
    return this.fh;
  }
}

export async function openSource(path: string): Promise<ByteSource> {
  return FileSource.open(path);
}

/** Opens a file for synchronous reads; failures are SourceErrors naming it. */
export function openSyncOrFail(path: string): number {
  try {
    return openSync(path, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SourceError(`cannot open ${path}: ${(e as Error).message}`, path, code === "ENOENT" ? "missing" : "unreadable");
  }
}

/** Fills `out` from `offset` of an open file; a file that ends first is a short read of `path`. */
export function readFullySync(fd: number, path: string, out: Uint8Array, offset: number): Uint8Array {
  let got = 0;
  while (got < out.length) {
    const n = readSync(fd, out, got, out.length - got, offset + got);
    if (n === 0) throw new SourceError(`${path} is truncated: read ${got} of ${out.length} bytes at offset ${offset}`, path, "short-read");
    got += n;
  }
  return out;
}

/**
 * One synchronous positioned read into a fresh buffer, opening and closing the file around it.
 * For worker threads, which read their own baskets so the bytes never cross threads twice.
 */
export function readRangeSync(path: string, offset: number, length: number, scratch?: Uint8Array): Uint8Array {
  const fd = openSyncOrFail(path);
  try {
    // With a scratch buffer big enough, the bytes land there (a view is returned): a worker reading
    // basket after basket then allocates nothing per read.
    const out = scratch && scratch.length >= length ? scratch.subarray(0, length) : new Uint8Array(new ArrayBuffer(length));
    return readFullySync(fd, path, out, offset);
  } finally {
    closeSync(fd);
  }
}
