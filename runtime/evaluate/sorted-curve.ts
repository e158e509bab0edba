/**
 * NOT USED by evaluateModel: an alternative design of the curve, kept because bench/evaluate.ts
 * measures it against the ranked gathers on the same events (and checks they agree). At 10M
 * float32-valued scores on the 2-core development machine it was slower (8.3 s against 5.2 s for
 * ranking, curve and bins; bench/README.md): the record scatter costs more than the gathers it
 * saves. Exact, so a caller that needs a curve without a ranking may still use it.
 *
 * The cumulative curve of a binary split straight from the event columns: one LSD radix sort that
 * carries each event's weight and class with its key, then one sequential scan. No index array,
 * no gather: the ranked-order reads of binaryCurve (a random access per event per column, or an
 * inverse permutation) are what dominates it on large inputs, and they are gone.
 *
 * Exactly binaryCurve(score, weight, rankDescending(score) restricted to `keep`, isSignal): the
 * same order (decreasing score, ties in increasing index, as an LSD radix sort is stable and
 * starts from index order; -0 ranks with +0), the same float64 sums in that order, so the same
 * bits (test/evaluate/sorted-curve.test.ts checks it).
 *
 * Keys: when every kept score is a float32 value (models and ROOT branches write float32), the
 * float32 bit pattern is an exact order-preserving 32-bit key, sorted in three passes of 11 bits
 * over 16-byte records (weight, key, class) in one buffer: each pass scatters into 2048 write
 * streams, which caches and TLBs keep up with (16-bit digits over separate arrays, 65536 × 3
 * streams, spent most of their time in cache misses: measured with node --cpu-prof). Otherwise
 * the float64 bit pattern over separate arrays: up to four 16-bit passes, skipping digits where
 * every key agrees (the slower, rarer path).
 */
import type { BinaryCurve } from "./curve.js";

/**
 * @param signal 1 where the event is signal (any other value: background)
 * @param keep when given, only events with keep[i] = 1 enter the curve
 */
export function sortedCurve(score: Float64Array, weight: Float64Array, signal: Uint8Array, keep?: Uint8Array): BinaryCurve {
  const N = score.length;
  // the kept events of weight ≠ 0 (zero weights make no point, as in binaryCurve), float32 or not
  let n = 0;
  let all32 = true;
  for (let i = 0; i < N; i++) {
    if ((keep && keep[i] !== 1) || weight[i] === 0) continue;
    n++;
    if (all32 && Math.fround(score[i]) !== score[i]) all32 = false;
  }
  if (all32) return float32Curve(score, weight, signal, keep, n);
  let w = new Float64Array(n);
  let f = new Uint8Array(n);
  // float32: the key in `hi` alone; float64: `hi` and `lo`
  let hi: Uint32Array = new Uint32Array(n);
  let lo: Uint32Array = all32 ? new Uint32Array(0) : new Uint32Array(n);
  let m = 0;
  const one = new Float32Array(1);
  const oneBits = new Uint32Array(one.buffer);
  const bits = new Uint32Array(score.buffer, score.byteOffset, 2 * N);
  for (let i = 0; i < N; i++) {
    if ((keep && keep[i] !== 1) || weight[i] === 0) continue;
    let h: number, l = 0;
    if (all32) {
      one[0] = score[i];
      h = oneBits[0];
      if (h === 0x80000000) h = 0; // -0 ranks with +0
    } else {
      h = bits[2 * i + 1];
      l = bits[2 * i];
      if (h === 0x80000000 && l === 0) h = 0;
    }
    // order-preserving map to unsigned (flip negatives, set the sign bit of positives), then
    // complemented, so that ascending keys are descending scores
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else h = (h | 0x80000000) >>> 0;
    hi[m] = ~h >>> 0;
    if (!all32) lo[m] = ~l >>> 0;
    w[m] = weight[i];
    f[m] = signal[i] === 1 ? 1 : 0;
    m++;
  }
  let w2 = new Float64Array(n);
  let f2 = new Uint8Array(n);
  let hi2: Uint32Array = new Uint32Array(n);
  let lo2: Uint32Array = all32 ? new Uint32Array(0) : new Uint32Array(n);
  const count = new Uint32Array(65536);
  // least significant digit first: lo's two (float64 only), then hi's two
  const passes: Array<["lo" | "hi", number]> = all32 ? [["hi", 0], ["hi", 16]] : [["lo", 0], ["lo", 16], ["hi", 0], ["hi", 16]];
  for (const [which, shift] of passes) {
    const key = which === "lo" ? lo : hi;
    count.fill(0);
    for (let k = 0; k < n; k++) count[(key[k] >>> shift) & 0xffff]++;
    if (trivial(count, n)) continue;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const t = count[d];
      count[d] = sum;
      sum += t;
    }
    const moveLo = !all32; // the scan compares whole keys
    for (let k = 0; k < n; k++) {
      const j = count[(key[k] >>> shift) & 0xffff]++;
      w2[j] = w[k];
      f2[j] = f[k];
      hi2[j] = hi[k];
      if (moveLo) lo2[j] = lo[k];
    }
    [w, w2] = [w2, w];
    [f, f2] = [f2, f];
    [hi, hi2] = [hi2, hi];
    if (moveLo) [lo, lo2] = [lo2, lo];
  }
  // the scan: one point per distinct key; the thresholds over the spare weight buffer
  const th = w2;
  const tp = new Float64Array(n);
  const fp = new Float64Array(n);
  let s = 0, b = 0, points = 0, nS = 0, nB = 0;
  let prevHi = -1, prevLo = -1;
  const dbl = new Float64Array(1);
  const dblBits = new Uint32Array(dbl.buffer);
  for (let k = 0; k < n; k++) {
    const kh = hi[k];
    const kl = all32 ? 0 : lo[k];
    if (kh !== prevHi || kl !== prevLo) {
      if (points > 0) { tp[points - 1] = s; fp[points - 1] = b; }
      th[points] = all32 ? fromKey32(kh, one, oneBits) : fromKey64(kh, kl, dbl, dblBits);
      points++;
      prevHi = kh;
      prevLo = kl;
    }
    if (f[k] === 1) { s += w[k]; nS++; } else { b += w[k]; nB++; }
  }
  if (points > 0) { tp[points - 1] = s; fp[points - 1] = b; }
  return { thresholds: th.subarray(0, points), tp: tp.subarray(0, points), fp: fp.subarray(0, points), totalS: s, totalB: b, nS, nB };
}

function trivial(c: Uint32Array, n: number): boolean {
  for (let d = 0; d < 65536; d++) if (c[d] !== 0) return c[d] === n;
  return true;
}

/** The score a float32 key came from (the map above, undone). */
function fromKey32(key: number, one: Float32Array, bits: Uint32Array): number {
  const h = ~key >>> 0;
  bits[0] = h & 0x80000000 ? (h & 0x7fffffff) >>> 0 : ~h >>> 0;
  return one[0];
}

function fromKey64(kh: number, kl: number, dbl: Float64Array, bits: Uint32Array): number {
  let h = ~kh >>> 0;
  let l = ~kl >>> 0;
  if (h & 0x80000000) h = (h & 0x7fffffff) >>> 0;
  else {
    h = ~h >>> 0;
    l = ~l >>> 0;
  }
  bits[0] = l;
  bits[1] = h;
  return dbl[0];
}

function allAgree(c: Uint32Array, n: number): boolean {
  for (let d = 0; d < c.length; d++) if (c[d] !== 0) return c[d] === n;
  return true;
}

/** Order-preserving unsigned key of a float32 value, complemented: ascending keys are descending scores. */
function key32(bits: number): number {
  let h = bits === 0x80000000 ? 0 : bits; // -0 ranks with +0
  h = h & 0x80000000 ? ~h >>> 0 : (h | 0x80000000) >>> 0;
  return ~h >>> 0;
}

const DIGITS: ReadonlyArray<readonly [number, number]> = [[0, 2047], [11, 2047], [22, 1023]];

/** sortedCurve for float32-valued scores: records [weight f64 | key u32 | signal u32], three 11-bit passes. */
function float32Curve(score: Float64Array, weight: Float64Array, signal: Uint8Array, keep: Uint8Array | undefined, n: number): BinaryCurve {
  let F = new Float64Array(2 * n);
  let U = new Uint32Array(F.buffer);
  let F2 = new Float64Array(2 * n);
  let U2 = new Uint32Array(F2.buffer);
  const one = new Float32Array(1);
  const oneBits = new Uint32Array(one.buffer);
  const counts = DIGITS.map(([, mask]) => new Uint32Array(mask + 1));
  const [c0, c1, c2] = counts;
  let m = 0;
  for (let i = 0; i < score.length; i++) {
    if ((keep && keep[i] !== 1) || weight[i] === 0) continue;
    one[0] = score[i];
    const k = key32(oneBits[0]);
    F[2 * m] = weight[i];
    U[4 * m + 2] = k;
    U[4 * m + 3] = signal[i] === 1 ? 1 : 0;
    c0[k & 2047]++;
    c1[(k >>> 11) & 2047]++;
    c2[k >>> 22]++;
    m++;
  }
  // a plain loop, not a callback: the swapped buffers must stay locals for the JIT
  for (let p = 0; p < DIGITS.length; p++) {
    const [shift, mask] = DIGITS[p];
    const c = counts[p];
    if (allAgree(c, n)) continue;
    let sum = 0;
    for (let d = 0; d <= mask; d++) {
      const t = c[d];
      c[d] = sum;
      sum += t;
    }
    for (let r = 0; r < n; r++) {
      const k = U[4 * r + 2];
      const j = c[(k >>> shift) & mask]++;
      F2[2 * j] = F[2 * r];
      U2[4 * j + 2] = k;
      U2[4 * j + 3] = U[4 * r + 3];
    }
    const tf = F; F = F2; F2 = tf;
    const tu = U; U = U2; U2 = tu;
  }
  // the scan; thresholds and tp over the spare buffer's two halves, fp fresh
  const th = F2.subarray(0, n);
  const tp = F2.subarray(n, 2 * n);
  const fp = new Float64Array(n);
  let s = 0, b = 0, points = 0, nS = 0, nB = 0, prev = -1;
  for (let r = 0; r < n; r++) {
    const k = U[4 * r + 2];
    if (k !== prev) {
      if (points > 0) { tp[points - 1] = s; fp[points - 1] = b; }
      th[points] = fromKey32(k, one, oneBits);
      points++;
      prev = k;
    }
    const w = F[2 * r];
    if (U[4 * r + 3] === 1) { s += w; nS++; } else { b += w; nB++; }
  }
  if (points > 0) { tp[points - 1] = s; fp[points - 1] = b; }
  return { thresholds: th.subarray(0, points), tp: tp.subarray(0, points), fp: fp.subarray(0, points), totalS: s, totalB: b, nS, nB };
}
