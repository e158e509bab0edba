/**
 * The codecs on their own, against data made by the reference tools (xz and lz4 command-line
 * programs, see test/fixtures/root/SOURCES.md) and against published check values.
 */
import { readFileSync } from "node:fs";
import { deflateSync, deflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DecompressError, rootDecompress } from "../../runtime/io/codecs/index.js";
import { lz4DecodeBlock, xxh64 } from "../../runtime/io/codecs/lz4.js";
import { crc32, crc64, xzDecode } from "../../runtime/io/codecs/xz.js";

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../fixtures/root/codecs/${name}`, import.meta.url)));

/** The bytes the fixtures were made from (floats, random stretches, repeats), regenerated here. */
function sample(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = 12345;
  const dv = new DataView(out.buffer);
  let i = 0;
  while (i < n) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const mode = (i >> 16) % 5 === 1 ? 1 : (i >> 16) % 2 === 0 ? 0 : 2;
    if (mode === 0 && i + 4 <= n) {
      dv.setFloat32(i, Math.round((s / 2 ** 32) * 1000) / 8);
      i += 4;
    } else if (mode === 1) out[i++] = s >>> 24;
    else {
      out[i] = out[Math.max(0, i - 1 - (s % 300))] ^ (s % 7 === 0 ? 1 : 0);
      i++;
    }
  }
  return out;
}
const SAMPLE = sample(300_000);
const ascii = (t: string): Uint8Array => new TextEncoder().encode(t);

/** A ROOT compression block: 2-byte tag, method, 3-byte little-endian sizes, payload. */
function rootBlock(tag: string, method: number, payload: Uint8Array, usize: number): Uint8Array {
  const out = new Uint8Array(9 + payload.length);
  out[0] = tag.charCodeAt(0);
  out[1] = tag.charCodeAt(1);
  out[2] = method;
  for (let k = 0; k < 3; k++) {
    out[3 + k] = (payload.length >> (8 * k)) & 0xff;
    out[6 + k] = (usize >> (8 * k)) & 0xff;
  }
  out.set(payload, 9);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe("check values", () => {
  it("CRC32, CRC64/XZ and XXH64 give the published values for '123456789' and friends", () => {
    expect(crc32(ascii("123456789"))).toBe(0xcbf43926);
    const c = crc64(ascii("123456789"));
    expect(c.hi.toString(16) + c.lo.toString(16).padStart(8, "0")).toBe("995dc9bbdf1939fa");
    expect(xxh64(new Uint8Array(0))).toBe(0xef46db3751d8e999n);
    expect(xxh64(ascii("abc"))).toBe(0x44bc2cf5ad770999n);
    // Inputs of 32 bytes and more (the striped path) are covered by the LZ4 baskets of the
    // conformance test, whose stored checksums must match for the files to read at all.
  });
});

describe("xz/LZMA2", () => {
  it.each(["sample-crc64.xz", "sample-crc32.xz"])("decodes %s made by xz(1), chunk after chunk", (name) => {
    const out = new Uint8Array(SAMPLE.length);
    xzDecode(fixture(name), out);
    expect(Buffer.compare(Buffer.from(out), Buffer.from(SAMPLE))).toBe(0);
  });

  it("refuses a stream with a flipped byte or a wrong expected size", () => {
    const src = fixture("sample-crc64.xz");
    for (const at of [40, Math.floor(src.length / 2), src.length - 30]) {
      const bad = src.slice();
      bad[at] ^= 0x20;
      expect(() => xzDecode(bad, new Uint8Array(SAMPLE.length)), `flip at ${at}`).toThrow(/xz:/);
    }
    expect(() => xzDecode(src, new Uint8Array(SAMPLE.length - 1))).toThrow(/xz:/);
    expect(() => xzDecode(src, new Uint8Array(SAMPLE.length + 1))).toThrow(/xz:/);
  });
});

describe("LZ4", () => {
  /** The blocks inside an lz4(1) frame are the raw blocks ROOT stores. */
  function frameBlocks(frame: Uint8Array): { data: Uint8Array; compressed: boolean }[] {
    const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    expect(dv.getUint32(0, true)).toBe(0x184d2204);
    const flg = frame[4];
    let p = 6 + (flg & 0x08 ? 8 : 0) + 1;
    const blocks = [];
    for (;;) {
      const size = dv.getUint32(p, true);
      p += 4;
      if (size === 0) break;
      const len = size & 0x7fffffff;
      blocks.push({ data: frame.subarray(p, p + len), compressed: (size & 0x80000000) === 0 });
      p += len + (flg & 0x10 ? 4 : 0);
    }
    return blocks;
  }

  it("decodes the blocks lz4(1) wrote", () => {
    const blocks = frameBlocks(fixture("sample.lz4"));
    expect(blocks.some((b) => b.compressed)).toBe(true);
    const out = new Uint8Array(SAMPLE.length);
    let o = 0;
    for (const b of blocks) {
      const len = Math.min(out.length - o, b.compressed ? out.length - o : b.data.length);
      if (b.compressed) {
        // one block holds everything here (300 kB < the frame's block size)
        lz4DecodeBlock(b.data, out.subarray(o, o + len));
      } else out.set(b.data, o);
      o += len;
    }
    expect(Buffer.compare(Buffer.from(out), Buffer.from(SAMPLE))).toBe(0);
  });

  it("refuses a block decoding to the wrong size or pointing before its start", () => {
    const [b] = frameBlocks(fixture("sample.lz4"));
    expect(() => lz4DecodeBlock(b.data, new Uint8Array(SAMPLE.length + 5))).toThrow(/LZ4/);
    expect(() => lz4DecodeBlock(b.data, new Uint8Array(SAMPLE.length - 5))).toThrow(/LZ4/);
    // token: 1 literal, then a match at offset 9 with only 1 byte of output so far
    expect(() => lz4DecodeBlock(new Uint8Array([0x10, 0x41, 0x09, 0x00, 0x00]), new Uint8Array(10))).toThrow(/offset/);
  });

  it("in a ROOT block, the checksum guards the data", () => {
    const [b] = frameBlocks(fixture("sample.lz4"));
    const sum = new Uint8Array(8);
    new DataView(sum.buffer).setBigUint64(0, xxh64(b.data), false);
    const block = rootBlock("L4", 1, concat(sum, b.data), SAMPLE.length);
    expect(Buffer.compare(Buffer.from(rootDecompress(block, SAMPLE.length)), Buffer.from(SAMPLE))).toBe(0);
    const bad = block.slice();
    bad[bad.length - 100] ^= 1;
    expect(() => rootDecompress(bad, SAMPLE.length)).toThrow(/checksum/);
  });
});

describe("ROOT block framing", () => {
  it("joins several blocks of different algorithms into one buffer", () => {
    const a = SAMPLE.subarray(0, 100_000);
    const b = SAMPLE.subarray(100_000, 180_000);
    const c = SAMPLE.subarray(180_000);
    const buf = concat(rootBlock("ZL", 8, deflateSync(a), a.length), rootBlock("CS", 8, deflateRawSync(b), b.length), rootBlock("ZL", 8, deflateSync(c), c.length));
    expect(Buffer.compare(Buffer.from(rootDecompress(buf, SAMPLE.length)), Buffer.from(SAMPLE))).toBe(0);
  });

  it("names what is wrong with a bad block", () => {
    const a = SAMPLE.subarray(0, 1000);
    const good = rootBlock("ZL", 8, deflateSync(a), a.length);
    expect(() => rootDecompress(good, 999)).toThrow(DecompressError);
    expect(() => rootDecompress(good, 1001)).toThrow(/ends after 1000 of 1001 bytes/);
    expect(() => rootDecompress(good.subarray(0, good.length - 3), 1000)).toThrow(/claims/);
    const unknown = good.slice();
    unknown[0] = 0x51;
    expect(() => rootDecompress(unknown, 1000)).toThrow(/unknown compression header 'QL'/);
    const lie = rootBlock("ZL", 8, deflateSync(a), 900);
    expect(() => rootDecompress(lie, 900)).toThrow(/zlib/);
  });
});
