/**
 * Sort keys of scores: the fewest bits that order a given set of float64 scores exactly.
 *
 * A float64 orders like its sign and magnitude bits. Bits that every score shares carry no order:
 * scores that were float32 (what models and ROOT branches write) have 29 zero low bits, and scores
 * in (0, 1) share the sign and the exponent's top bits. One pass over the bits finds the window of
 * magnitude bits that vary; when that window (plus one bit when the sign varies) fits 32 bits,
 * every score maps to an unsigned 32-bit key, ascending keys being descending scores, and the map
 * is undone exactly from the key (the shared bits are kept aside). A radix sort then moves 4 bytes
 * of key per event in as few passes as the varying bits need, instead of 8 bytes over all 64.
 *
 * -0 and +0 get the same key (they are equal scores); `decode` gives +0 for it, so a caller that
 * must report the score as written reads it from the event instead (`zeroKey`).
 */

export interface KeyCodec {
  /** Number of key bits (0: every score is equal). At most 32 when `fits`. */
  bits: number;
  /** false: the varying bits do not fit a 32-bit key (full-precision float64 scores, mostly). */
  fits: boolean;
  /** The lowest varying magnitude bit (0–62) and the mask of the window's bits. */
  shift: number;
  mask: number;
  /** 1 when positive and negative scores both occur (the key's top bit is then the sign). */
  signVaries: number;
  /** The sign of every score when it does not vary. */
  sign: number;
  /** The bits every score shares, sign and window cleared (high word, low word). */
  baseHi: number;
  baseLo: number;
  /** The key of ±0 when a magnitude of zero is representable in the window, else -1. */
  zeroKey: number;
}

/** The codec of these scores (finite; NaN has no place in an order). */
export function keyCodec(score: Float64Array): KeyCodec {
  const n = score.length;
  const bits = new Uint32Array(score.buffer, score.byteOffset, 2 * n);
  let h0 = 0, l0 = 0, dh = 0, dl = 0;
  if (n > 0) {
    h0 = bits[1];
    l0 = bits[0];
    if ((h0 & 0x7fffffff) === 0 && l0 === 0) h0 = 0;
  }
  // the bits that differ from the first score's, over all scores (word 2i is the low half on
  // little-endian hosts, which are all Node 20 ships for)
  for (let i = 0; i < n; i++) {
    let h = bits[2 * i + 1];
    const l = bits[2 * i];
    if ((h & 0x7fffffff) === 0 && l === 0) h = 0; // -0 is +0
    dh |= h ^ h0;
    dl |= l ^ l0;
  }
  const signVaries = dh >>> 31;
  const mh = (dh & 0x7fffffff) >>> 0, ml = dl >>> 0;
  let shift = 0, top = -1;
  if (ml !== 0) shift = 31 - Math.clz32(ml & -ml);
  else if (mh !== 0) shift = 63 - Math.clz32(mh & -mh);
  if (mh !== 0) top = 63 - Math.clz32(mh);
  else if (ml !== 0) top = 31 - Math.clz32(ml);
  const width = top - shift + 1; // 0 when every magnitude is equal
  const bitsNeeded = width + signVaries;
  const fits = bitsNeeded <= 32;
  const mask = width >= 32 ? -1 : width === 0 ? 0 : (2 ** width - 1) | 0;
  // the shared bits: the first score's, window and sign cleared
  let baseHi = (h0 & 0x7fffffff) >>> 0, baseLo = l0 >>> 0;
  if (width > 0 && fits) {
    const [wh, wl] = place(mask >>> 0, shift);
    baseHi = (baseHi & ~wh) >>> 0;
    baseLo = (baseLo & ~wl) >>> 0;
  }
  const codec: KeyCodec = { bits: bitsNeeded, fits, shift, mask, signVaries, sign: h0 >>> 31, baseHi, baseLo, zeroKey: -1 };
  // zero has magnitude bits all clear: representable when the shared bits are clear too
  if (fits && baseHi === 0 && baseLo === 0) codec.zeroKey = keyOf(codec, 0, 0);
  return codec;
}

/** A magnitude of the window (bits above `shift`) placed back at its bits: [high word, low word]. */
function place(mag: number, shift: number): [number, number] {
  if (shift >= 32) return [(mag << (shift - 32)) >>> 0, 0];
  if (shift === 0) return [0, mag >>> 0];
  return [(mag >>> (32 - shift)) >>> 0, (mag << shift) >>> 0];
}

/**
 * The key of a score's bits (high word, low word), for a codec that fits. The hot loops inline
 * this very expression rather than calling it (see ranked-curve.ts); this is the reference.
 */
export function keyOf(c: KeyCodec, h: number, l: number): number {
  if ((h & 0x7fffffff) === 0 && l === 0) h = 0;
  const s = c.shift;
  const mag = (s >= 32 ? (h & 0x7fffffff) >>> (s - 32) : (l >>> s) | ((h << (31 - s)) << 1)) & c.mask;
  if (h >>> 31) return c.signVaries ? (mag >>> 0) + 2 ** (c.bits - 1) : mag >>> 0;
  return (~mag & c.mask) >>> 0;
}

/** The score of a key (the inverse of keyOf; +0 for the key of ±0). */
export function decodeKey(c: KeyCodec, key: number, out: Float64Array, outBits: Uint32Array): number {
  let neg: number, mag: number;
  if (c.signVaries) {
    const half = 2 ** (c.bits - 1);
    neg = key >= half ? 1 : 0;
    mag = neg ? key - half : (~key & c.mask) >>> 0;
  } else {
    neg = c.sign;
    mag = neg ? key : (~key & c.mask) >>> 0;
  }
  const [wh, wl] = place(mag, c.shift);
  outBits[1] = (c.baseHi | wh | (neg << 31)) >>> 0;
  outBits[0] = (c.baseLo | wl) >>> 0;
  return out[0];
}
