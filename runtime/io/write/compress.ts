/**
 * ROOT's compressed-record framing. A record's payload is split into blocks of at most
 * 2^24-1 bytes (the sizes in the header are 3 bytes); each block is a 9-byte header
 * ("ZL", method 8, compressed size, uncompressed size, both little-endian) followed by a zlib
 * stream. Readers tell compressed from stored records only by comparing the on-disk size with
 * the uncompressed size, so a payload that does not shrink must be stored as is.
 */
import { deflate, deflateSync } from "node:zlib";
import { promisify } from "node:util";

const deflateAsync = promisify(deflate);

export interface Compression {
  algorithm: "zlib";
  level: number;
}

const MAX_BLOCK = 0xffffff;
const HEADER = 9;

/** ROOT's fCompress encoding: 100 * algorithm + level (algorithm 1 = zlib); 0 = uncompressed. */
export function compressionSetting(c: Compression): number {
  return c.level === 0 ? 0 : 100 + c.level;
}

export function validateCompression(c: Compression): void {
  if (c.algorithm !== "zlib") throw new Error(`hepc ROOT writer: unsupported compression algorithm ${String(c.algorithm)}`);
  if (!Number.isInteger(c.level) || c.level < 0 || c.level > 9)
    throw new Error(`hepc ROOT writer: zlib level must be an integer 0..9, got ${c.level}`);
}

function frame(blocks: { raw: number; z: Uint8Array }[], total: number): Uint8Array | null {
  let size = 0;
  for (const b of blocks) {
    if (b.z.length >= b.raw || b.z.length > MAX_BLOCK) return null;
    size += HEADER + b.z.length;
  }
  if (size >= total) return null;
  const out = new Uint8Array(size);
  let p = 0;
  for (const b of blocks) {
    out[p] = 0x5a; // 'Z'
    out[p + 1] = 0x4c; // 'L'
    out[p + 2] = 8; // deflate
    out[p + 3] = b.z.length & 0xff;
    out[p + 4] = (b.z.length >>> 8) & 0xff;
    out[p + 5] = (b.z.length >>> 16) & 0xff;
    out[p + 6] = b.raw & 0xff;
    out[p + 7] = (b.raw >>> 8) & 0xff;
    out[p + 8] = (b.raw >>> 16) & 0xff;
    out.set(b.z, p + HEADER);
    p += HEADER + b.z.length;
  }
  return out;
}

function blocksOf(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += MAX_BLOCK) out.push(data.subarray(i, Math.min(data.length, i + MAX_BLOCK)));
  return out;
}

/** Returns the framed compressed payload, or the input itself when compression does not pay. */
export async function compressRecord(data: Uint8Array, c: Compression): Promise<Uint8Array> {
  if (c.level === 0 || data.length === 0) return data;
  const blocks = await Promise.all(
    // One output chunk per block: the default 16 KiB chunks cost a thread-pool round trip each.
    blocksOf(data).map(async (raw) => ({
      raw: raw.length,
      z: new Uint8Array(await deflateAsync(raw, { level: c.level, chunkSize: Math.max(16384, raw.length + 1024) })),
    })),
  );
  return frame(blocks, data.length) ?? data;
}

export function compressRecordSync(data: Uint8Array, c: Compression): Uint8Array {
  if (c.level === 0 || data.length === 0) return data;
  const blocks = blocksOf(data).map((raw) => ({ raw: raw.length, z: new Uint8Array(deflateSync(raw, { level: c.level, ...windowFor(raw.length) })) }));
  return frame(blocks, data.length) ?? data;
}

/**
 * A window no larger than the record (zlib's 32 KiB window and its hash tables are ~256 KiB
 * allocated per call, which a few-KiB histogram does not need: garbage collections dominated
 * writing hundreds of them). Readers inflate with the largest window, which takes any smaller.
 */
function windowFor(bytes: number): { windowBits?: number; memLevel?: number } {
  if (bytes >= 1 << 15) return {};
  const bits = Math.max(9, 32 - Math.clz32(bytes));
  return { windowBits: bits, memLevel: Math.max(1, Math.min(8, bits - 7)) };
}
