/**
 * The ranking and the cumulative curve of a binary split in one sort: what evaluateModel needs
 * of every binary model (the ranking for folds, bins, the bootstrap, separation and confusion
 * matrices; the curve for the ROC, AUC, working points and significances).
 *
 * Why this design (bench/evaluate.ts, 10M events, bench/README.md for the figures): the earlier
 * one ranked indices (an LSD radix sort, 16-bit digits over the 64 bits of a float64) and then
 * read score, weight and class in ranked order. A read in ranked order is a random access per
 * event per column; on this hardware (4 KiB pages, no huge pages) each costs a cache and a TLB
 * miss, and they were half the time. Here the sort carries each event's weight and class with its
 * key, so the curve is a sequential scan of the sorted records and the scores come back from the
 * keys, with no gather at all. And the sort does little: keys are the scores' varying bits only
 * (keys.ts: float32-valued scores in (0, 1) need ~26 bits), one scatter of 16-byte records into
 * 2048 buckets by the key's top 11 bits (a number of write streams caches and TLBs keep up
 * with), then each bucket, small enough to stay in cache, sorted by its remaining bits with
 * 8-bit LSD passes and scanned at once, while it is still in cache.
 *
 * Exactly rankDescending and binaryCurve over it: every pass is a stable counting sort starting
 * from index order, so ties stay in increasing index; the curve's sums run in that order, so
 * every point has the same bits (test/evaluate/ranked-curve.test.ts checks it). Applies when the
 * key fits 32 bits and there are fewer than 2^30 events (two flag bits ride in the index); else
 * null, and callers take the general path (order.ts's LSD sort, curve.ts's ranked reads).
 */
import type { BinaryCurve } from "./curve.js";
import { keyCodec } from "./keys.js";

/** Bits of the first digit (the scatter into buckets) and of the in-bucket digits. */
const TOP = 11;
const DIGIT = 8;
const SIGNAL = 1 << 30;
const KEPT = 2 ** 31;
const INDEX = SIGNAL - 1;

/**
 * @param weight null: the ranking alone (no curve)
 * @param isSignal whether event i is signal (with weight)
 * @param keep the events that enter the curve (all when null); every event is in the order
 * @returns null where the fast path does not apply
 */
export function rankWithCurve(
  score: Float64Array, weight: Float64Array | null, isSignal: ((i: number) => boolean) | null, keep: ((i: number) => boolean) | null,
): { order: Uint32Array; curve: BinaryCurve | null } | null {
  const n = score.length;
  if (n >= SIGNAL) return null;
  const codec = keyCodec(score);
  if (!codec.fits) return null;
  const B = codec.bits, s = codec.shift, mask = codec.mask, half = codec.signVaries ? 2 ** (B - 1) : 0;
  const hiShift = s - 32, loShift = 31 - s, wide = s >= 32;
  const bits = new Uint32Array(score.buffer, score.byteOffset, 2 * n);
  const tb = Math.min(TOP, B), tsh = B - tb, nb = 2 ** tb;

  // pass 1: how many events per bucket (the key expression is the one in keys.ts, inlined)
  const next = new Uint32Array(nb + 1);
  for (let i = 0; i < n; i++) {
    let h = bits[2 * i + 1];
    const l = bits[2 * i];
    if ((h & 0x7fffffff) === 0 && l === 0) h = 0;
    const mag = (wide ? (h & 0x7fffffff) >>> hiShift : (l >>> s) | ((h << loShift) << 1)) & mask;
    const key = h >>> 31 ? (mag >>> 0) + half : (~mag & mask) >>> 0;
    next[(key >>> tsh) + 1]++;
  }
  let largest = 0;
  for (let d = 0; d < nb; d++) {
    largest = Math.max(largest, next[d + 1]);
    next[d + 1] += next[d];
  }
  const start = next.slice();

  // pass 2: records [weight f64 | key u32 | index, signal and kept flags u32] into buckets
  let F = new Float64Array(2 * n);
  let U = new Uint32Array(F.buffer);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    let h = bits[2 * i + 1];
    const l = bits[2 * i];
    if ((h & 0x7fffffff) === 0 && l === 0) h = 0;
    const mag = (wide ? (h & 0x7fffffff) >>> hiShift : (l >>> s) | ((h << loShift) << 1)) & mask;
    const key = h >>> 31 ? (mag >>> 0) + half : (~mag & mask) >>> 0;
    const j = next[key >>> tsh]++;
    U[4 * j + 2] = key;
    if (weight) {
      const w = weight[i];
      const k = keep === null || keep(i);
      F[2 * j] = w;
      U[4 * j + 3] = i + (isSignal!(i) ? SIGNAL : 0) + (k ? KEPT : 0);
      if (k && w !== 0) kept++;
    } else U[4 * j + 3] = i;
  }

  // each bucket: sorted in cache by its remaining bits, then scanned while still in cache
  const R = tsh, remMask = R === 0 ? 0 : (2 ** R - 1) | 0;
  const passes = R === 0 ? 0 : Math.ceil(R / DIGIT);
  const dw = passes === 0 ? 0 : Math.ceil(R / passes);
  const dm = 2 ** dw - 1;
  const counts = new Uint32Array(Math.max(1, passes) << dw);
  const room = Math.max(1, largest);
  let W = new Uint32Array(room);
  let W2 = new Uint32Array(room);
  let F2: Float64Array<ArrayBuffer> | null = null;
  let U2: Uint32Array<ArrayBuffer> | null = null;
  const order = new Uint32Array(n);
  // the thresholds with a slot for +Infinity in front (roc's first point), sharing memory
  const th = weight ? new Float64Array(kept + 1) : null;
  const tp = weight ? new Float64Array(kept) : null;
  const fp = weight ? new Float64Array(kept) : null;
  const one = new Float64Array(1);
  const oneBits = new Uint32Array(one.buffer);
  const zeroKey = codec.zeroKey, signVaries = codec.signVaries, sign = codec.sign, baseHi = codec.baseHi, baseLo = codec.baseLo;
  let sumS = 0, sumB = 0, m = 0, nS = 0, nB = 0, prev = -1;
  for (let d = 0; d < nb; d++) {
    const a = start[d], len = start[d + 1] - a;
    if (len === 0) continue;
    // The scan below reads the bucket's records in the order of W: a record's position in the
    // bucket in the low `lb` bits of each word. Mostly the sort itself runs on W, one 32-bit word
    // per event (the remaining key bits above the position), and the 16-byte records never
    // move; a word moves a quarter of a record's bytes. When key and position do not fit one
    // word (a bucket of more than 2^(32−R) events), the records themselves are sorted.
    const lb = len === 1 ? 0 : 32 - Math.clz32(len - 1);
    const lbMask = lb === 0 ? 0 : (2 ** lb - 1) | 0;
    let qa = a;
    let swapped = false;
    if (R + lb <= 32) {
      if (passes > 0 && len > 1) counts.fill(0);
      for (let r = 0; r < len; r++) {
        const rem = U[4 * (a + r) + 2] & remMask;
        W[r] = ((rem << lb) | r) >>> 0;
        if (len > 1) for (let p = 0; p < passes; p++) counts[(p << dw) + ((rem >>> (p * dw)) & dm)]++;
      }
      if (len > 1) {
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
      }
    } else {
      if (F2 === null) {
        F2 = new Float64Array(2 * room);
        U2 = new Uint32Array(F2.buffer);
      }
      let src = a, dst = 0;
      counts.fill(0);
      for (let r = a; r < a + len; r++) {
        const key = U[4 * r + 2];
        for (let p = 0; p < passes; p++) counts[(p << dw) + ((key >>> (p * dw)) & dm)]++;
      }
      for (let p = 0; p < passes; p++) {
        const base = p << dw, sh = p * dw;
        if (counts[base + ((U[4 * src + 2] >>> sh) & dm)] === len) continue;
        let sum = 0;
        for (let e = 0; e <= dm; e++) {
          const t = counts[base + e];
          counts[base + e] = sum;
          sum += t;
        }
        for (let r = 0; r < len; r++) {
          const q = src + r;
          const key = U[4 * q + 2];
          const j = dst + counts[base + ((key >>> sh) & dm)]++;
          F2[2 * j] = F[2 * q];
          U2![4 * j + 2] = key;
          U2![4 * j + 3] = U[4 * q + 3];
        }
        // the sorted records are now in the other buffer: swap the roles
        const tF = F; F = F2; F2 = tF;
        const tU = U; U = U2!; U2 = tU;
        const t = src; src = dst; dst = t;
        swapped = !swapped;
      }
      for (let r = 0; r < len; r++) W[r] = r;
      qa = src;
    }
    if (!weight) {
      for (let r = 0; r < len; r++) order[a + r] = U[4 * (qa + (W[r] & lbMask)) + 3];
    } else {
      for (let r = 0; r < len; r++) {
        const q = qa + (W[r] & lbMask);
        const v = U[4 * q + 3];
        order[a + r] = v & INDEX;
        const w = F[2 * q];
        if (v < KEPT || w === 0) continue;
        const key = U[4 * q + 2];
        if (key !== prev) {
          if (m > 0) { tp![m - 1] = sumS; fp![m - 1] = sumB; }
          let x: number;
          if (key === zeroKey) x = score[v & INDEX]; // ±0 as the first event of its tie has it
          else {
            // decodeKey of keys.ts, inlined
            let neg: number, mag: number;
            if (signVaries) {
              neg = key >= half ? 1 : 0;
              mag = neg ? key - half : (~key & mask) >>> 0;
            } else {
              neg = sign;
              mag = neg ? key : (~key & mask) >>> 0;
            }
            let wh: number, wl: number;
            if (wide) { wh = (mag << hiShift) >>> 0; wl = 0; } else if (s === 0) { wh = 0; wl = mag; } else { wh = mag >>> (32 - s); wl = (mag << s) >>> 0; }
            oneBits[1] = (baseHi | wh | (neg << 31)) >>> 0;
            oneBits[0] = (baseLo | wl) >>> 0;
            x = one[0];
          }
          th![m + 1] = x;
          m++;
          prev = key;
        }
        if (v & SIGNAL) { sumS += w; nS++; } else { sumB += w; nB++; }
      }
    }
    // the bucket's records may have ended in the scratch buffer: put the roles back
    if (swapped) {
      const tF = F; F = F2!; F2 = tF;
      const tU = U; U = U2!; U2 = tU;
    }
  }
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
