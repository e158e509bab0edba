/**
 * Decoder for the xz container with one LZMA2 filter, which is what ROOT's "XZ" blocks hold
 * (liblzma's easy encoder). Written here because npm's options were either native bindings or
 * streaming-only wasm, and a basket decoder must be synchronous and run inside worker threads.
 *
 * The whole output is in memory (ROOT tells the size up front), so the output buffer doubles as the
 * LZMA dictionary and no sliding window is needed.
 */

const CRC32_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array, start = 0, end = data.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC32_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// CRC-64/XZ (ECMA-182, reflected) on two 32-bit halves: BigInt per byte would be needlessly slow.
const CRC64_LO = new Uint32Array(256);
const CRC64_HI = new Uint32Array(256);
(() => {
  const polyLo = 0xd7870f42;
  const polyHi = 0xc96c5795;
  for (let n = 0; n < 256; n++) {
    let lo = n;
    let hi = 0;
    for (let k = 0; k < 8; k++) {
      const bit = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (bit) {
        lo = (lo ^ polyLo) >>> 0;
        hi = (hi ^ polyHi) >>> 0;
      }
    }
    CRC64_LO[n] = lo;
    CRC64_HI[n] = hi;
  }
})();

export function crc64(data: Uint8Array): { lo: number; hi: number } {
  let lo = 0xffffffff;
  let hi = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    const idx = (lo ^ data[i]) & 0xff;
    lo = (((lo >>> 8) | (hi << 24)) ^ CRC64_LO[idx]) >>> 0;
    hi = ((hi >>> 8) ^ CRC64_HI[idx]) >>> 0;
  }
  return { lo: (lo ^ 0xffffffff) >>> 0, hi: (hi ^ 0xffffffff) >>> 0 };
}

function readVarint(src: Uint8Array, pos: { p: number }, end: number): number {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 9; i++) {
    if (pos.p >= end) throw new Error("xz: truncated block header");
    const b = src[pos.p++];
    v += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return v;
    mul *= 128;
  }
  throw new Error("xz: bad variable-length integer");
}

/** Decodes an xz stream (single block, LZMA2 filter) into `out`, which must be filled exactly. */
export function xzDecode(src: Uint8Array, out: Uint8Array): void {
  const magic = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
  if (src.length < 12 + 12) throw new Error("xz: stream too short");
  for (let i = 0; i < 6; i++) if (src[i] !== magic[i]) throw new Error("xz: bad stream magic");
  if (src[6] !== 0 || (src[7] & 0xf0) !== 0) throw new Error("xz: unsupported stream flags");
  const checkType = src[7] & 0x0f;
  const headerCrc = src[8] | (src[9] << 8) | (src[10] << 16) | (src[11] << 24);
  if (crc32(src, 6, 8) !== headerCrc >>> 0) throw new Error("xz: stream header CRC mismatch");

  let p = 12;
  let written = 0;
  // Blocks follow until the index (a zero byte where a block header size would be).
  while (p < src.length && src[p] !== 0) {
    const hdrSize = (src[p] + 1) * 4;
    const hdrEnd = p + hdrSize;
    if (hdrEnd > src.length) throw new Error("xz: truncated block header");
    const storedCrc = (src[hdrEnd - 4] | (src[hdrEnd - 3] << 8) | (src[hdrEnd - 2] << 16) | (src[hdrEnd - 1] << 24)) >>> 0;
    if (crc32(src, p, hdrEnd - 4) !== storedCrc) throw new Error("xz: block header CRC mismatch");
    const flags = src[p + 1];
    const pos = { p: p + 2 };
    if (flags & 0x40) readVarint(src, pos, hdrEnd);
    if (flags & 0x80) readVarint(src, pos, hdrEnd);
    const nFilters = (flags & 3) + 1;
    if (nFilters !== 1) throw new Error("xz: filter chains (BCJ, delta) are not supported, only LZMA2");
    const filterId = readVarint(src, pos, hdrEnd);
    const propsSize = readVarint(src, pos, hdrEnd);
    if (filterId !== 0x21 || propsSize !== 1) throw new Error(`xz: unsupported filter 0x${filterId.toString(16)}`);
    p = hdrEnd;
    const blockStart = written;
    const res = lzma2Decode(src, p, out, written);
    p = res.srcPos;
    written = res.outPos;
    while (p & 3) {
      if (src[p++] !== 0) throw new Error("xz: non-zero block padding");
    }
    const checkSize = checkType === 0 ? 0 : checkType === 1 ? 4 : checkType === 4 ? 8 : checkType === 10 ? 32 : -1;
    if (checkSize < 0) throw new Error(`xz: unknown check type ${checkType}`);
    if (p + checkSize > src.length) throw new Error("xz: truncated block check");
    const block = out.subarray(blockStart, written);
    if (checkType === 1) {
      const want = (src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24)) >>> 0;
      if (crc32(block) !== want) throw new Error("xz: CRC32 of decompressed data does not match");
    } else if (checkType === 4) {
      const c = crc64(block);
      const lo = (src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24)) >>> 0;
      const hi = (src[p + 4] | (src[p + 5] << 8) | (src[p + 6] << 16) | (src[p + 7] << 24)) >>> 0;
      if (c.lo !== lo || c.hi !== hi) throw new Error("xz: CRC64 of decompressed data does not match");
    }
    p += checkSize;
  }
  if (written !== out.length) throw new Error(`xz: decoded ${written} bytes, expected ${out.length}`);
}

// Probability model layout inside one Uint16Array.
const kNumStates = 12;
const IS_MATCH = 0;
const IS_REP = IS_MATCH + (kNumStates << 4);
const IS_REP_G0 = IS_REP + kNumStates;
const IS_REP_G1 = IS_REP_G0 + kNumStates;
const IS_REP_G2 = IS_REP_G1 + kNumStates;
const IS_REP0_LONG = IS_REP_G2 + kNumStates;
const POS_SLOT = IS_REP0_LONG + (kNumStates << 4);
const SPEC_POS = POS_SLOT + (4 << 6);
const ALIGN = SPEC_POS + 115;
const LEN_CODER = ALIGN + 16;
const LEN_SIZE = 2 + (16 << 3) + (16 << 3) + 256;
const REP_LEN_CODER = LEN_CODER + LEN_SIZE;
const LITERAL = REP_LEN_CODER + LEN_SIZE;

class LzmaState {
  probs: Uint16Array = new Uint16Array(0);
  lc = 0;
  lp = 0;
  pb = 0;
  state = 0;
  rep0 = 0;
  rep1 = 0;
  rep2 = 0;
  rep3 = 0;
  // range coder
  range = 0;
  code = 0;
  src: Uint8Array = new Uint8Array(0);
  sp = 0;
  srcEnd = 0;

  setProps(b: number): void {
    if (b > 224) throw new Error("xz: bad LZMA properties");
    this.lc = b % 9;
    b = (b / 9) | 0;
    this.lp = b % 5;
    this.pb = (b / 5) | 0;
    if (this.lc + this.lp > 4) throw new Error("xz: LZMA2 requires lc + lp <= 4");
  }

  resetState(): void {
    const n = LITERAL + (0x300 << (this.lc + this.lp));
    if (this.probs.length !== n) this.probs = new Uint16Array(n);
    this.probs.fill(1024);
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
  }

  initRange(src: Uint8Array, start: number, end: number): void {
    this.src = src;
    this.sp = start;
    this.srcEnd = end;
    if (end - start < 5 || src[start] !== 0) throw new Error("xz: bad range coder start");
    this.range = 0xffffffff;
    this.code = ((src[start + 1] << 24) | (src[start + 2] << 16) | (src[start + 3] << 8) | src[start + 4]) >>> 0;
    this.sp = start + 5;
    if (this.code === this.range) throw new Error("xz: corrupt range coder state");
  }

  bit(i: number): number {
    const probs = this.probs;
    const p = probs[i];
    const bound = (this.range >>> 11) * p;
    let b: number;
    if (this.code < bound) {
      this.range = bound;
      probs[i] = p + ((2048 - p) >>> 5);
      b = 0;
    } else {
      this.range = (this.range - bound) >>> 0;
      this.code = (this.code - bound) >>> 0;
      probs[i] = p - (p >>> 5);
      b = 1;
    }
    if (this.range < 0x1000000) {
      if (this.sp >= this.srcEnd) throw new Error("xz: LZMA chunk ends early");
      this.range = (this.range << 8) >>> 0;
      this.code = ((this.code << 8) | this.src[this.sp++]) >>> 0;
    }
    return b;
  }

  direct(n: number): number {
    let r = 0;
    for (let i = 0; i < n; i++) {
      this.range = this.range >>> 1;
      let b = 0;
      if (this.code >= this.range) {
        this.code = (this.code - this.range) >>> 0;
        b = 1;
      }
      r = ((r << 1) | b) >>> 0;
      if (this.range < 0x1000000) {
        if (this.sp >= this.srcEnd) throw new Error("xz: LZMA chunk ends early");
        this.range = (this.range << 8) >>> 0;
        this.code = ((this.code << 8) | this.src[this.sp++]) >>> 0;
      }
    }
    return r;
  }

  tree(base: number, nbits: number): number {
    let m = 1;
    for (let i = 0; i < nbits; i++) m = (m << 1) | this.bit(base + m);
    return m - (1 << nbits);
  }

  reverseTree(base: number, nbits: number): number {
    let m = 1;
    let sym = 0;
    for (let i = 0; i < nbits; i++) {
      const b = this.bit(base + m);
      m = (m << 1) | b;
      sym |= b << i;
    }
    return sym;
  }

  len(base: number, posState: number): number {
    if (this.bit(base) === 0) return this.tree(base + 2 + (posState << 3), 3);
    if (this.bit(base + 1) === 0) return 8 + this.tree(base + 2 + 128 + (posState << 3), 3);
    return 16 + this.tree(base + 2 + 256, 8);
  }

  /** Decodes LZMA symbols until `outEnd`; the chunk's compressed bytes end at `srcEnd`. */
  decode(out: Uint8Array, outPos: number, outEnd: number, dictStart: number): number {
    const pbMask = (1 << this.pb) - 1;
    const lpMask = (1 << this.lp) - 1;
    const lc = this.lc;
    let state = this.state;
    while (outPos < outEnd) {
      const posState = outPos & pbMask;
      if (this.bit(IS_MATCH + (state << 4) + posState) === 0) {
        const prev = outPos > dictStart ? out[outPos - 1] : 0;
        const base = LITERAL + 0x300 * (((outPos & lpMask) << lc) + (prev >>> (8 - lc)));
        let sym = 1;
        if (state >= 7) {
          if (this.rep0 + 1 > outPos - dictStart) throw new Error("xz: match distance beyond dictionary");
          let match = out[outPos - this.rep0 - 1];
          do {
            const mb = (match >>> 7) & 1;
            match <<= 1;
            const b = this.bit(base + ((1 + mb) << 8) + sym);
            sym = (sym << 1) | b;
            if (mb !== b) break;
          } while (sym < 0x100);
        }
        while (sym < 0x100) sym = (sym << 1) | this.bit(base + sym);
        out[outPos++] = sym - 0x100;
        state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }
      let len: number;
      if (this.bit(IS_REP + state) === 0) {
        this.rep3 = this.rep2;
        this.rep2 = this.rep1;
        this.rep1 = this.rep0;
        len = this.len(LEN_CODER, posState);
        state = state < 7 ? 7 : 10;
        const lenState = len < 3 ? len : 3;
        const slot = this.tree(POS_SLOT + (lenState << 6), 6);
        let dist: number;
        if (slot < 4) dist = slot;
        else {
          const nd = (slot >>> 1) - 1;
          dist = ((2 | (slot & 1)) << nd) >>> 0;
          if (slot < 14) dist += this.reverseTree(SPEC_POS + dist - slot, nd);
          else {
            dist = (dist + ((this.direct(nd - 4) << 4) >>> 0)) >>> 0;
            dist += this.reverseTree(ALIGN, 4);
          }
        }
        if (dist === 0xffffffff) throw new Error("xz: unexpected end marker inside LZMA2 chunk");
        this.rep0 = dist;
      } else {
        if (this.bit(IS_REP_G0 + state) === 0) {
          if (this.bit(IS_REP0_LONG + (state << 4) + posState) === 0) {
            if (this.rep0 + 1 > outPos - dictStart) throw new Error("xz: match distance beyond dictionary");
            state = state < 7 ? 9 : 11;
            out[outPos] = out[outPos - this.rep0 - 1];
            outPos++;
            continue;
          }
        } else {
          let dist: number;
          if (this.bit(IS_REP_G1 + state) === 0) dist = this.rep1;
          else {
            if (this.bit(IS_REP_G2 + state) === 0) dist = this.rep2;
            else {
              dist = this.rep3;
              this.rep3 = this.rep2;
            }
            this.rep2 = this.rep1;
          }
          this.rep1 = this.rep0;
          this.rep0 = dist;
        }
        len = this.len(REP_LEN_CODER, posState);
        state = state < 7 ? 8 : 11;
      }
      len += 2;
      const from = outPos - this.rep0 - 1;
      if (from < dictStart) throw new Error("xz: match distance beyond dictionary");
      if (outPos + len > outEnd) throw new Error("xz: match runs past the chunk");
      for (let k = 0; k < len; k++) out[outPos + k] = out[from + k];
      outPos += len;
    }
    this.state = state;
    return outPos;
  }
}

function lzma2Decode(src: Uint8Array, p: number, out: Uint8Array, outPos: number): { srcPos: number; outPos: number } {
  const st = new LzmaState();
  let dictStart = outPos;
  let needProps = true;
  for (;;) {
    if (p >= src.length) throw new Error("xz: LZMA2 stream truncated");
    const control = src[p++];
    if (control === 0) return { srcPos: p, outPos };
    if (control === 1 || control === 2) {
      if (p + 2 > src.length) throw new Error("xz: LZMA2 stream truncated");
      const size = ((src[p] << 8) | src[p + 1]) + 1;
      p += 2;
      if (control === 1) dictStart = outPos;
      if (p + size > src.length || outPos + size > out.length) throw new Error("xz: uncompressed LZMA2 chunk exceeds the expected size");
      out.set(src.subarray(p, p + size), outPos);
      p += size;
      outPos += size;
      continue;
    }
    if (control < 0x80) throw new Error(`xz: bad LZMA2 control byte 0x${control.toString(16)}`);
    if (p + 4 > src.length) throw new Error("xz: LZMA2 stream truncated");
    const unpacked = ((control & 0x1f) << 16) + (src[p] << 8) + src[p + 1] + 1;
    const packed = (src[p + 2] << 8) + src[p + 3] + 1;
    p += 4;
    const reset = (control >>> 5) & 3;
    if (reset === 3) dictStart = outPos;
    if (reset >= 2) {
      st.setProps(src[p++]);
      needProps = false;
    } else if (needProps) throw new Error("xz: LZMA2 chunk without properties");
    if (reset >= 1) st.resetState();
    if (p + packed > src.length) throw new Error("xz: LZMA2 chunk truncated");
    if (outPos + unpacked > out.length) throw new Error("xz: LZMA2 chunk exceeds the expected size");
    st.initRange(src, p, p + packed);
    outPos = st.decode(out, outPos, outPos + unpacked, dictStart);
    p += packed;
  }
}
