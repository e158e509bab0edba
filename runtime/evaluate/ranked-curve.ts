/**
 * The ranking and the cumulative curve of a binary split in one sort: what evaluateModel needs
 * of every binary model (the ranking for folds, bins, the bootstrap, separation and confusion
 * matrices; the curve for the ROC, AUC, working points and significances).
 *
 * Why this design (bench/evaluate.ts, 10M events; bench/README.md has the figures): the earlier
 * one ranked indices (an LSD radix sort, 16-bit digits over the 64 bits of a float64) and then
 * read score, weight and class in ranked order. A read in ranked order is a random access per
 * event per column; on the development machine (4 KiB pages, no huge pages) each costs a cache
 * and a TLB miss, and they were half the time. Here the sort carries each event's weight and
 * class with its key, so the curve is a sequential scan of sorted records and the scores come
 * back from the keys, with no gather at all. And the sort does little:
 *  - keys are the scores' varying bits only (keys.ts): float32-valued scores in (0, 1) need ~26
 *    bits, one word; full-precision ones ~54, two words;
 *  - one scatter of 16-byte records (24 with two-word keys) into 2048 buckets by the key's top
 *    11 bits, a number of write streams that caches and TLBs keep up with;
 *  - each bucket (~5,000 events at 10M) then stays in cache while it is sorted and scanned: the
 *    sort runs on one 32-bit word per event (the next bits of the key above the event's position
 *    in the bucket), 8-bit LSD passes, so the records never move again; events whose keys agree
 *    on those bits (full-precision scores now and then, crowded buckets) are put in order after,
 *    comparing whole keys.
 * Fresh memory is a good part of what is left (the records, the order, the curve's three arrays:
 * ~0.45 ms per MB in page faults on that machine), which is why nothing else is allocated per
 * event.
 *
 * Exactly rankDescending and binaryCurve over it: the scatter and the passes are stable counting
 * sorts starting from index order and the fix-up keeps position order among equal keys, so ties
 * stay in increasing index; the curve's sums run in that order, so every point has the same bits
 * (test/evaluate/ranked-curve.test.ts checks it against the general path). Two flag bits ride in
 * the index, so 2^30 events or more take the general path (order.ts).
 */
import type { BinaryCurve } from "./curve.js";
import { keyCodec, maskWords, sameBits, type KeyCodec } from "./keys.js";
import type { Selector } from "./select.js";
import { giveBack, lend } from "./scratch.js";

/**
 * Bits of the first digit and of the in-bucket digits. 2048 buckets: as many write streams as the
 * scatter can keep in cache and TLB (10 and 12 measured no better, 9 left buckets that need three
 * in-bucket passes); 256 counts per in-bucket digit stay in the first-level cache.
 */
const TOP = 11;
const DIGIT = 8;
const SIGNAL = 1 << 30;
const KEPT = 2 ** 31;
const INDEX = SIGNAL - 1;
/** Runs of events whose keys agree on the bits sorted in a bucket: longer ones get a comparison sort (an insertion sort is quadratic). */
const SHORT_RUN = 16;
/** One score in this many makes the sampled codec (a bit only rare scores have costs a second count). */
const SAMPLE = 64;

/**
 * @param weight null: the ranking alone (no curve)
 * @param isSignal the signal events (with weight)
 * @param keep the events that enter the curve (all when null); every event is in the order
 * @param into where to write the order (score.length long; every element is written), or null
 *   for a new array
 * @returns null where the fast path does not apply (2^30 events or more)
 */
export function rankWithCurve(
  score: Float64Array, weight: Float64Array | null, isSignal: Selector | null, keep: Selector | null,
  into: Uint32Array | null = null,
): { order: Uint32Array; curve: BinaryCurve | null } | null {
  const n = score.length;
  if (n >= SIGNAL) return null;
  if (into && into.length !== n) throw new RangeError(`rankWithCurve: an order of ${into.length} for ${n} events`);
  // The codec from a sample of the scores, checked against all of them in the first pass (which
  // reads them anyway); a bit the sample missed means a second first pass with the exact codec.
  const sampled = keyCodec(score, SAMPLE);
  const checked = countBuckets(score, sampled);
  const codec = checked ? sampled : keyCodec(score);
  const next = checked ?? countBuckets(score, codec)!;
  // Keys of B bits in two words, kh (bits 32 and up; 0 when B ≤ 32) and kl. The key arithmetic
  // is keys.ts's keyOf and decodeKey, inlined in the loops below.
  const B = codec.bits, s = codec.shift, width = codec.width, wide = B > 32;
  const [maskHi, maskLo] = maskWords(width);
  // a negative score's key is its magnitude plus 2^width when the sign varies
  const halfHi = codec.signVaries && width >= 32 ? 2 ** (width - 32) : 0;
  const halfLo = codec.signVaries && width < 32 ? 2 ** width : 0;
  const sHi = s - 32, sLo = 31 - s, upper = s >= 32;
  const bits = new Uint32Array(score.buffer, score.byteOffset, 2 * n);
  // the first digit: the key's top tb bits, from bit `R` up (R: the bits left to sort in a bucket)
  const tb = Math.min(TOP, B), nb = 2 ** tb, R = B - tb;
  const tHi = R - 32, tLo = 31 - R, topInHi = R >= 32;
  // records: [weight f64 | kl u32 | index, signal and kept flags u32 (| kh u32 | unused)]
  const RS = wide ? 6 : 4, FS = RS >> 1;

  let largest = 0;
  for (let d = 0; d < nb; d++) {
    largest = Math.max(largest, next[d + 1]);
    next[d + 1] += next[d];
  }
  const start = next.slice();

  // pass 2: the records into their buckets (memory kept between calls: scratch.ts)
  const recordBuf = lend(8 * FS * n);
  const room = Math.max(1, largest);
  const wordBuf = lend(8 * room);
  const F = new Float64Array(recordBuf, 0, FS * n);
  const U = new Uint32Array(recordBuf, 0, RS * n);
  let kept = 0;
  // the tests as data (select.ts); Number() of a comparison is its 0 or 1, no branch
  const sigV = isSignal?.values ?? null, sigIs = isSignal?.is ?? 0;
  const keepV = keep?.values ?? null, keepIs = keep?.is ?? 0;
  for (let i = 0; i < n; i++) {
    let h = bits[2 * i + 1];
    const l = bits[2 * i];
    if ((h & 0x7fffffff) === 0 && l === 0) h = 0;
    let mh: number, ml: number;
    if (upper) { mh = 0; ml = ((h & 0x7fffffff) >>> sHi) & maskLo; } else { mh = ((h & 0x7fffffff) >>> s) & maskHi; ml = ((l >>> s) | ((h << sLo) << 1)) & maskLo; }
    let kh: number, kl: number;
    if (h >>> 31) { kh = (mh >>> 0) + halfHi; kl = (ml >>> 0) + halfLo; } else { kh = (~mh & maskHi) >>> 0; kl = (~ml & maskLo) >>> 0; }
    const j = next[topInHi ? kh >>> tHi : (kl >>> R) | ((kh << tLo) << 1)]++;
    U[RS * j + 2] = kl;
    if (wide) U[RS * j + 4] = kh;
    if (weight) {
      const w = weight[i];
      const k = keepV === null ? 1 : Number(keepV[i] === keepIs);
      F[FS * j] = w;
      U[RS * j + 3] = i + Number(sigV![i] === sigIs) * SIGNAL + k * KEPT;
      kept += k & Number(w !== 0);
    } else U[RS * j + 3] = i;
  }

  // each bucket: sorted in cache by its remaining bits, then scanned while still in cache
  let W = new Uint32Array(wordBuf, 0, room);
  let W2 = new Uint32Array(wordBuf, 4 * room, room);
  const counts = new Uint32Array(4 << DIGIT);
  const order = into ?? new Uint32Array(n);
  // the thresholds with a slot for +Infinity in front (roc's first point), sharing memory
  const th = weight ? new Float64Array(kept + 1) : null;
  const tp = weight ? new Float64Array(kept) : null;
  const fp = weight ? new Float64Array(kept) : null;
  const one = new Float64Array(1);
  const oneBits = new Uint32Array(one.buffer);
  const { zeroHi, zeroLo, signVaries, sign, baseHi, baseLo } = codec;
  let sumS = 0, sumB = 0, m = 0, nS = 0, nB = 0, prevHi = -1, prevLo = -1;
  for (let d = 0; d < nb; d++) {
    const a = start[d], len = start[d + 1] - a;
    if (len === 0) continue;
    // The bucket is sorted on W, one 32-bit word per event: the top P of the key's R remaining
    // bits above the event's position in the bucket (the low `lb` bits), so the 16- or 24-byte
    // records never move; a word is a quarter of a record. Where the key has bits below those
    // P (wide keys, crowded buckets), events that agree on the P bits are put in order after.
    const lb = len === 1 ? 0 : 32 - Math.clz32(len - 1);
    const lbMask = lb === 0 ? 0 : 2 ** lb - 1;
    const P = Math.min(R, 32 - lb), lo = R - P;
    if (len > 1 && P > 0) {
      const maskP = 2 ** P - 1, pHi = lo - 32, pLo = 31 - lo, prefixInHi = lo >= 32;
      const passes = Math.ceil(P / DIGIT), dw = Math.ceil(P / passes), dm = 2 ** dw - 1;
      counts.fill(0, 0, passes << dw);
      for (let r = 0; r < len; r++) {
        const q = RS * (a + r);
        const kl = U[q + 2], kh = wide ? U[q + 4] : 0;
        const prefix = (prefixInHi ? kh >>> pHi : (kl >>> lo) | ((kh << pLo) << 1)) & maskP;
        W[r] = ((prefix << lb) | r) >>> 0;
        for (let p = 0; p < passes; p++) counts[(p << dw) + ((prefix >>> (p * dw)) & dm)]++;
      }
      for (let p = 0; p < passes; p++) {
        const base = p << dw, sh = lb + p * dw;
        // a digit every key of the bucket shares moves nothing
        if (counts[base + ((W[0] >>> sh) & dm)] === len) continue;
        let sum = 0;
        for (let e = 0; e <= dm; e++) {
          const t = counts[base + e];
          counts[base + e] = sum;
          sum += t;
        }
        for (let r = 0; r < len; r++) {
          const x = W[r];
          W2[counts[base + ((x >>> sh) & dm)]++] = x;
        }
        const t = W; W = W2; W2 = t;
      }
      if (lo > 0) sortRuns(W, len, lb, lbMask, U, RS, a, wide);
    } else for (let r = 0; r < len; r++) W[r] = r;
    if (!weight) {
      for (let r = 0; r < len; r++) order[a + r] = U[RS * (a + (W[r] & lbMask)) + 3];
      continue;
    }
    for (let r = 0; r < len; r++) {
      const q = a + (W[r] & lbMask);
      const v = U[RS * q + 3];
      order[a + r] = v & INDEX;
      const w = F[FS * q];
      if (v < KEPT || w === 0) continue;
      const kl = U[RS * q + 2], kh = wide ? U[RS * q + 4] : 0;
      if (kl !== prevLo || kh !== prevHi) {
        if (m > 0) { tp![m - 1] = sumS; fp![m - 1] = sumB; }
        let x: number;
        if (kl === zeroLo && kh === zeroHi) x = score[v & INDEX]; // ±0 as the first event of its tie has it
        else {
          let neg: number, mh: number, ml: number;
          if (signVaries && (halfHi > 0 ? kh >= halfHi : kl >= halfLo)) { neg = 1; mh = kh - halfHi; ml = kl - halfLo; } else if (signVaries || !sign) { neg = 0; mh = (~kh & maskHi) >>> 0; ml = (~kl & maskLo) >>> 0; } else { neg = 1; mh = kh; ml = kl; }
          let wh: number, wl: number;
          if (upper) { wh = (ml << sHi) >>> 0; wl = 0; } else if (s === 0) { wh = mh; wl = ml; } else { wh = ((mh << s) | (ml >>> (32 - s))) >>> 0; wl = (ml << s) >>> 0; }
          oneBits[1] = (baseHi | wh | (neg << 31)) >>> 0;
          oneBits[0] = (baseLo | wl) >>> 0;
          x = one[0];
        }
        th![m + 1] = x;
        m++;
        prevHi = kh;
        prevLo = kl;
      }
      if (v & SIGNAL) { sumS += w; nS++; } else { sumB += w; nB++; }
    }
  }
  // (an exception before here loses the two buffers to the collector, which is all it costs)
  giveBack(recordBuf);
  giveBack(wordBuf);
  if (!weight) return { order, curve: null };
  if (m > 0) { tp![m - 1] = sumS; fp![m - 1] = sumB; }
  th![0] = Infinity;
  return {
    order,
    curve: {
      thresholds: th!.subarray(1, m + 1), tp: tp!.subarray(0, m), fp: fp!.subarray(0, m),
      totalS: sumS, totalB: sumB, nS, nB, withInfinity: th!.subarray(0, m + 1),
    },
  };
}

/**
 * Puts in key order each run of W (a bucket sorted on the top bits of its keys) whose words agree
 * on those bits, comparing whole keys from the records; stable, as a run is in position order.
 * Runs are short where keys are spread (full-precision scores: a pair now and then), so mostly an
 * insertion sort; a long run (many scores within a hair of each other) gets a comparison sort.
 */
function sortRuns(W: Uint32Array, len: number, lb: number, lbMask: number, U: Uint32Array, RS: number, a: number, wide: boolean): void {
  const greater = (x: number, y: number) => {
    const qx = RS * (a + (x & lbMask)), qy = RS * (a + (y & lbMask));
    const hx = wide ? U[qx + 4] : 0, hy = wide ? U[qy + 4] : 0;
    if (hx !== hy) return hx > hy;
    return U[qx + 2] > U[qy + 2];
  };
  let r0 = 0;
  while (r0 < len) {
    const prefix = W[r0] >>> lb;
    let r1 = r0 + 1;
    while (r1 < len && W[r1] >>> lb === prefix) r1++;
    if (r1 - r0 > SHORT_RUN) {
      const run = Array.from(W.subarray(r0, r1));
      run.sort((x, y) => (greater(x, y) ? 1 : greater(y, x) ? -1 : (x & lbMask) - (y & lbMask)));
      W.set(run, r0);
    } else {
      for (let x = r0 + 1; x < r1; x++) {
        const wx = W[x];
        let y = x - 1;
        while (y >= r0 && greater(W[y], wx)) {
          W[y + 1] = W[y];
          y--;
        }
        W[y + 1] = wx;
      }
    }
    r0 = r1;
  }
}

/**
 * The first pass: how many events per bucket (next[d + 1] for bucket d), with the codec's keys,
 * or null when some score has a varying bit the codec does not know (a sampled codec).
 */
function countBuckets(score: Float64Array, codec: KeyCodec): Uint32Array | null {
  const n = score.length;
  const B = codec.bits, s = codec.shift, width = codec.width;
  const [maskHi, maskLo] = maskWords(width);
  const halfHi = codec.signVaries && width >= 32 ? 2 ** (width - 32) : 0;
  const halfLo = codec.signVaries && width < 32 ? 2 ** width : 0;
  const sHi = s - 32, sLo = 31 - s, upper = s >= 32;
  const bits = new Uint32Array(score.buffer, score.byteOffset, 2 * n);
  const tb = Math.min(TOP, B), nb = 2 ** tb, R = B - tb;
  const tHi = R - 32, tLo = 31 - R, topInHi = R >= 32;
  const h0 = codec.h0, l0 = codec.l0;
  let dh = 0, dl = 0;
  const next = new Uint32Array(nb + 1);
  for (let i = 0; i < n; i++) {
    let h = bits[2 * i + 1];
    const l = bits[2 * i];
    if ((h & 0x7fffffff) === 0 && l === 0) h = 0;
    dh |= h ^ h0;
    dl |= l ^ l0;
    let mh: number, ml: number;
    if (upper) { mh = 0; ml = ((h & 0x7fffffff) >>> sHi) & maskLo; } else { mh = ((h & 0x7fffffff) >>> s) & maskHi; ml = ((l >>> s) | ((h << sLo) << 1)) & maskLo; }
    let kh: number, kl: number;
    if (h >>> 31) { kh = (mh >>> 0) + halfHi; kl = (ml >>> 0) + halfLo; } else { kh = (~mh & maskHi) >>> 0; kl = (~ml & maskLo) >>> 0; }
    // a key outside the codec's bits is garbage; the check below throws the counts away then
    next[((topInHi ? kh >>> tHi : (kl >>> R) | ((kh << tLo) << 1)) & (nb - 1)) + 1]++;
  }
  return sameBits(codec, dh, dl) ? next : null;
}
