/**
 * LZ4 block decoding and the XXH64 checksum ROOT stores in front of each LZ4 block.
 * ROOT writes raw LZ4 blocks (not the LZ4 frame format), so no external frame library fits.
 */

/** Decodes one raw LZ4 block into `out` (exactly `out.length` bytes expected); throws on any inconsistency. */
export function lz4DecodeBlock(src: Uint8Array, out: Uint8Array): void {
  const srcEnd = src.length;
  const outEnd = out.length;
  let s = 0;
  let o = 0;
  for (;;) {
    if (s >= srcEnd) throw new Error("LZ4 block ends before its last literal run");
    const token = src[s++];
    let litLen = token >>> 4;
    if (litLen === 15) {
      let b: number;
      do {
        if (s >= srcEnd) throw new Error("LZ4 literal length runs past the block");
        b = src[s++];
        litLen += b;
      } while (b === 255);
    }
    if (s + litLen > srcEnd || o + litLen > outEnd) throw new Error("LZ4 literal run exceeds the block or the expected size");
    out.set(src.subarray(s, s + litLen), o);
    s += litLen;
    o += litLen;
    if (s === srcEnd) break; // the last sequence has literals only
    if (s + 2 > srcEnd) throw new Error("LZ4 match offset truncated");
    const offset = src[s] | (src[s + 1] << 8);
    s += 2;
    if (offset === 0 || offset > o) throw new Error(`LZ4 match offset ${offset} points before the start of the output`);
    let matchLen = (token & 15) + 4;
    if ((token & 15) === 15) {
      let b: number;
      do {
        if (s >= srcEnd) throw new Error("LZ4 match length runs past the block");
        b = src[s++];
        matchLen += b;
      } while (b === 255);
    }
    if (o + matchLen > outEnd) throw new Error("LZ4 match runs past the expected size");
    let from = o - offset;
    if (offset >= matchLen) {
      out.copyWithin(o, from, from + matchLen);
      o += matchLen;
    } else {
      // Overlapping copy: repeats the last `offset` bytes, so it must go byte by byte.
      for (let k = 0; k < matchLen; k++) out[o++] = out[from++];
    }
  }
  if (o !== outEnd) throw new Error(`LZ4 block decoded to ${o} bytes, expected ${outEnd}`);
}

// XXH64 on BigInt: LZ4 baskets are rare and small next to zlib ones, and the checksum is what turns a
// flipped byte into an error instead of plausible garbage, so correctness wins over speed here.
const M64 = (1n << 64n) - 1n;
const P1 = 11400714785074694791n;
const P2 = 14029467366897019727n;
const P3 = 1609587929392839161n;
const P4 = 9650029242287828579n;
const P5 = 2870177450012600261n;

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & M64;
}
function round(acc: bigint, input: bigint): bigint {
  acc = (acc + input * P2) & M64;
  acc = rotl(acc, 31n);
  return (acc * P1) & M64;
}
function mergeRound(acc: bigint, val: bigint): bigint {
  acc ^= round(0n, val);
  return (acc * P1 + P4) & M64;
}

export function xxh64(data: Uint8Array, seed = 0n): bigint {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const len = data.length;
  let p = 0;
  let h: bigint;
  if (len >= 32) {
    let v1 = (seed + P1 + P2) & M64;
    let v2 = (seed + P2) & M64;
    let v3 = seed;
    let v4 = (seed - P1) & M64;
    const limit = len - 32;
    while (p <= limit) {
      v1 = round(v1, dv.getBigUint64(p, true));
      v2 = round(v2, dv.getBigUint64(p + 8, true));
      v3 = round(v3, dv.getBigUint64(p + 16, true));
      v4 = round(v4, dv.getBigUint64(p + 24, true));
      p += 32;
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & M64;
    h = mergeRound(h, v1);
    h = mergeRound(h, v2);
    h = mergeRound(h, v3);
    h = mergeRound(h, v4);
  } else {
    h = (seed + P5) & M64;
  }
  h = (h + BigInt(len)) & M64;
  while (p + 8 <= len) {
    h ^= round(0n, dv.getBigUint64(p, true));
    h = (rotl(h, 27n) * P1 + P4) & M64;
    p += 8;
  }
  if (p + 4 <= len) {
    h ^= (BigInt(dv.getUint32(p, true)) * P1) & M64;
    h = (rotl(h, 23n) * P2 + P3) & M64;
    p += 4;
  }
  while (p < len) {
    h ^= (BigInt(data[p]) * P5) & M64;
    h = (rotl(h, 11n) * P1) & M64;
    p++;
  }
  h ^= h >> 33n;
  h = (h * P2) & M64;
  h ^= h >> 29n;
  h = (h * P3) & M64;
  h ^= h >> 32n;
  return h;
}
