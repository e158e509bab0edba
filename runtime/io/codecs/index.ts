/**
 * ROOT's compression framing: a compressed object is one or more blocks, each a 9-byte header
 * (2-byte algorithm tag, method byte, 3-byte little-endian compressed size, 3-byte uncompressed size)
 * followed by the payload. Tags: "ZL" zlib, "CS" ROOT's old deflate, "XZ" xz/LZMA, "L4" LZ4 (payload
 * starts with an 8-byte XXH64 of the rest), "ZS" zstd.
 *
 * Native codecs (node:zlib) are preferred; zstd uses node:zlib when the runtime has it, else fzstd.
 */
import * as zlib from "node:zlib";
import { decompress as fzstdDecompress } from "fzstd";
import { lz4DecodeBlock, xxh64 } from "./lz4.js";
import { xzDecode } from "./xz.js";

export class DecompressError extends Error {
  override readonly name = "DecompressError";
}

const HEADER = 9;

type ZstdSync = (buf: Uint8Array) => Buffer;
const nativeZstd: ZstdSync | undefined = (zlib as unknown as { zstdDecompressSync?: ZstdSync }).zstdDecompressSync;

/** Algorithm of the first block, for display ("ZLIB", "LZ4"...), or "none" when not compressed. */
export function blockAlgorithm(src: Uint8Array): string {
  if (src.length < HEADER) return "none";
  const tag = String.fromCharCode(src[0], src[1]);
  return { ZL: "ZLIB", CS: "ZLIB-old", XZ: "LZMA", L4: "LZ4", ZS: "ZSTD" }[tag] ?? "none";
}

/**
 * Decompresses a ROOT-compressed buffer into exactly `expected` bytes.
 * `src` holds the compressed blocks and nothing else. Throws DecompressError on any mismatch, so a
 * damaged basket is an error and never a buffer of plausible numbers.
 */
export function rootDecompress(src: Uint8Array, expected: number): Uint8Array {
  // The common case, one zlib block for the whole basket: hand back zlib's own buffer (it starts at
  // offset 0 of a fresh ArrayBuffer, so it is aligned) instead of copying it once more.
  if (src.length >= HEADER && src[0] === 0x5a && src[1] === 0x4c) {
    const csize = src[3] | (src[4] << 8) | (src[5] << 16);
    const usize = src[6] | (src[7] << 8) | (src[8] << 16);
    if (usize === expected && HEADER + csize === src.length && src[2] === 8) {
      let res: Buffer;
      try {
        res = zlib.inflateSync(src.subarray(HEADER), { chunkSize: Math.max(1024, expected + 64) });
      } catch (e) {
        throw new DecompressError(`zlib block 0 failed to decompress: ${(e as Error).message}`);
      }
      if (res.length !== expected) throw new DecompressError(`zlib block gave ${res.length} bytes, expected ${expected}`);
      if (res.byteOffset === 0) return new Uint8Array(res.buffer, 0, expected);
      return new Uint8Array(res);
    }
  }
  const out = new Uint8Array(new ArrayBuffer(expected));
  let s = 0;
  let o = 0;
  let block = 0;
  while (o < expected) {
    if (s + HEADER > src.length) {
      throw new DecompressError(`compressed data ends after ${o} of ${expected} bytes (block ${block})`);
    }
    const t0 = src[s];
    const t1 = src[s + 1];
    const method = src[s + 2];
    const csize = src[s + 3] | (src[s + 4] << 8) | (src[s + 5] << 16);
    const usize = src[s + 6] | (src[s + 7] << 8) | (src[s + 8] << 16);
    const tag = String.fromCharCode(t0, t1);
    const start = s + HEADER;
    const end = start + csize;
    if (end > src.length) {
      throw new DecompressError(`compressed block ${block} (${tag}) claims ${csize} bytes but only ${src.length - start} remain`);
    }
    if (o + usize > expected) {
      throw new DecompressError(`compressed block ${block} (${tag}) would decompress past the expected ${expected} bytes`);
    }
    const payload = src.subarray(start, end);
    const dst = out.subarray(o, o + usize);
    try {
      decodeBlock(tag, method, payload, dst);
    } catch (e) {
      if (e instanceof DecompressError) throw e;
      throw new DecompressError(`${algorithmName(tag)} block ${block} failed to decompress: ${(e as Error).message}`);
    }
    s = end;
    o += usize;
    block++;
  }
  return out;
}

function algorithmName(tag: string): string {
  return { ZL: "zlib", CS: "old-style deflate", XZ: "LZMA", L4: "LZ4", ZS: "zstd" }[tag] ?? `'${tag}'`;
}

function decodeBlock(tag: string, method: number, payload: Uint8Array, dst: Uint8Array): void {
  switch (tag) {
    case "ZL": {
      if (method !== 8) throw new DecompressError(`zlib block with unknown method ${method}`);
      copyExact(zlib.inflateSync(payload, { chunkSize: Math.max(1024, dst.length + 64) }), dst, "zlib");
      return;
    }
    case "CS": {
      copyExact(zlib.inflateRawSync(payload, { chunkSize: Math.max(1024, dst.length + 64) }), dst, "deflate");
      return;
    }
    case "ZS": {
      if (nativeZstd) copyExact(nativeZstd(payload), dst, "zstd");
      else {
        // fzstd writes straight into dst; it throws when the frame is larger than dst.
        const res = fzstdDecompress(payload, dst);
        if (res.length !== dst.length) throw new DecompressError(`zstd block gave ${res.length} bytes, expected ${dst.length}`);
        if (res.buffer !== dst.buffer || res.byteOffset !== dst.byteOffset) dst.set(res);
      }
      return;
    }
    case "L4": {
      if (payload.length < 8) throw new DecompressError("LZ4 block shorter than its checksum");
      const want = new DataView(payload.buffer, payload.byteOffset, 8).getBigUint64(0, false);
      const body = payload.subarray(8);
      if (xxh64(body) !== want) throw new DecompressError("LZ4 block checksum mismatch (the data is corrupted)");
      lz4DecodeBlock(body, dst);
      return;
    }
    case "XZ": {
      xzDecode(payload, dst);
      return;
    }
    default:
      throw new DecompressError(
        `unknown compression header '${printable(tag)}' (expected ZL, CS, XZ, L4 or ZS)`,
      );
  }
}

function printable(s: string): string {
  return [...s].map((c) => (c >= " " && c <= "~" ? c : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)).join("");
}

function copyExact(res: Uint8Array, dst: Uint8Array, what: string): void {
  if (res.length !== dst.length) {
    throw new DecompressError(`${what} block gave ${res.length} bytes, expected ${dst.length}`);
  }
  dst.set(res);
}
