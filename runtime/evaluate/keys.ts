/**
 * Sort keys of scores: the fewest bits that order a given set of float64 scores exactly.
 *
 * A float64 orders like its sign and magnitude bits. Bits that every score shares carry no order:
 * scores that were float32 (what models and ROOT branches write) have 29 zero low bits, and scores
 * in (0, 1) share the sign and the exponent's top bits. One pass over the bits finds the window of
 * magnitude bits that vary; every score maps to an unsigned key of that many bits (plus one when
 * the sign varies), ascending keys being descending scores, and the map is undone exactly from
 * the key (the shared bits are kept aside). A key has at most 64 bits, held as two 32-bit words;
 * float32-valued scores in (0, 1) need ~26, so a radix sort moves one word per event in as few
 * passes as the varying bits need, instead of two words over all 64 bits.
 *
 * -0 and +0 get the same key (they are equal scores); `decodeKey` gives +0 for it, so a caller
 * that must report the score as written reads it from the event instead (`zeroHi`, `zeroLo`).
 */

export interface KeyCodec {
  /** Number of key bits (0: every score is equal), at most 64. */
  bits: number;
  /** The lowest varying magnitude bit (0–62) and the number of varying magnitude bits. */
  shift: number;
  width: number;
  /** 1 when positive and negative scores both occur (the key's top bit is then the sign). */
  signVaries: number;
  /** The sign of every score when it does not vary. */
  sign: number;
  /** The bits every score shares, sign and window cleared (high word, low word). */
  baseHi: number;
  baseLo: number;
  /** The key of ±0 when a magnitude of zero is representable in the window, else -1 and -1. */
  zeroHi: number;
  zeroLo: number;
  /** The first score's bits (±0 as +0) and the bits where some score differs from them. */
  h0: number;
  l0: number;
  dh: number;
  dl: number;
}

/**
 * The codec of these scores (finite; NaN has no place in an order), from every `step`-th score: a
 * caller that samples checks the bits of all the scores against the sample's (`sameBits`) in a
 * pass it makes anyway, and asks again with step 1 when they differ.
 */
export function keyCodec(score: Float64Array, step = 1): KeyCodec {
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
  for (let i = 0; i < n; i += step) {
    let h = bits[2 * i + 1];
    const l = bits[2 * i];
    if ((h & 0x7fffffff) === 0 && l === 0) h = 0; // -0 is +0
    dh |= h ^ h0;
    dl |= l ^ l0;
  }
  return codecOf(h0, l0, dh >>> 0, dl >>> 0);
}

/** Whether the bits differing from the first score's (dh, dl, over all scores) are the codec's. */
export function sameBits(c: KeyCodec, dh: number, dl: number): boolean {
  return c.dh === dh >>> 0 && c.dl === dl >>> 0;
}

function codecOf(h0: number, l0: number, dh: number, dl: number): KeyCodec {
  const signVaries = dh >>> 31;
  const mh = (dh & 0x7fffffff) >>> 0, ml = dl >>> 0;
  let shift = 0, top = -1;
  if (ml !== 0) shift = 31 - Math.clz32(ml & -ml);
  else if (mh !== 0) shift = 63 - Math.clz32(mh & -mh);
  if (mh !== 0) top = 63 - Math.clz32(mh);
  else if (ml !== 0) top = 31 - Math.clz32(ml);
  const width = top - shift + 1; // 0 when every magnitude is equal
  // the shared bits: the first score's, window and sign cleared
  const [wh, wl] = place(...maskWords(width), shift);
  const codec: KeyCodec = {
    bits: width + signVaries, shift, width, signVaries, sign: h0 >>> 31,
    baseHi: (h0 & 0x7fffffff & ~wh) >>> 0, baseLo: (l0 & ~wl) >>> 0, zeroHi: -1, zeroLo: -1,
    h0: h0 >>> 0, l0: l0 >>> 0, dh, dl,
  };
  // zero has magnitude bits all clear: representable when the shared bits are clear too
  if (codec.baseHi === 0 && codec.baseLo === 0) [codec.zeroHi, codec.zeroLo] = keyOf(codec, 0, 0);
  return codec;
}

/** All ones in the low `width` bits of a 64-bit number: [high word, low word]. */
export function maskWords(width: number): [number, number] {
  if (width <= 0) return [0, 0];
  if (width < 32) return [0, 2 ** width - 1];
  return [2 ** (width - 32) - 1, 0xffffffff];
}

/** A window's magnitude [high word, low word] placed back at its bits (from `shift` up). */
function place(mh: number, ml: number, shift: number): [number, number] {
  if (shift >= 32) return [(ml << (shift - 32)) >>> 0, 0];
  if (shift === 0) return [mh >>> 0, ml >>> 0];
  return [((mh << shift) | (ml >>> (32 - shift))) >>> 0, (ml << shift) >>> 0];
}

/**
 * The key [high word, low word] of a score's bits (high word, low word). The hot loops of
 * ranked-curve.ts inline this very arithmetic rather than calling it; this is the reference.
 */
export function keyOf(c: KeyCodec, h: number, l: number): [number, number] {
  if ((h & 0x7fffffff) === 0 && l === 0) h = 0;
  const s = c.shift;
  const [maskHi, maskLo] = maskWords(c.width);
  // the window's bits, shifted down: magnitude >> s, masked
  let mh: number, ml: number;
  if (s >= 32) [mh, ml] = [0, ((h & 0x7fffffff) >>> (s - 32)) & maskLo];
  else [mh, ml] = [((h & 0x7fffffff) >>> s) & maskHi, ((l >>> s) | ((h << (31 - s)) << 1)) & maskLo];
  if (h >>> 31) {
    // negative: a larger magnitude is a lower score, a larger key; above every positive key
    if (!c.signVaries) return [mh >>> 0, ml >>> 0];
    return c.width >= 32 ? [(mh >>> 0) + 2 ** (c.width - 32), ml >>> 0] : [0, (ml >>> 0) + 2 ** c.width];
  }
  return [(~mh & maskHi) >>> 0, (~ml & maskLo) >>> 0];
}

/** The score of a key (the inverse of keyOf; +0 for the key of ±0). */
export function decodeKey(c: KeyCodec, kh: number, kl: number, out: Float64Array, outBits: Uint32Array): number {
  const [maskHi, maskLo] = maskWords(c.width);
  let neg: number, mh: number, ml: number;
  if (c.signVaries && (c.width >= 32 ? kh >= 2 ** (c.width - 32) : kl >= 2 ** c.width)) {
    neg = 1;
    [mh, ml] = c.width >= 32 ? [kh - 2 ** (c.width - 32), kl] : [0, kl - 2 ** c.width];
  } else if (c.signVaries || !c.sign) {
    neg = 0;
    [mh, ml] = [(~kh & maskHi) >>> 0, (~kl & maskLo) >>> 0];
  } else {
    neg = 1;
    [mh, ml] = [kh, kl];
  }
  const [wh, wl] = place(mh, ml, c.shift);
  outBits[1] = (c.baseHi | wh | (neg << 31)) >>> 0;
  outBits[0] = (c.baseLo | wl) >>> 0;
  return out[0];
}
