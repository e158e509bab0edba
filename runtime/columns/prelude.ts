/**
 * The helpers every generated kernel carries at the top of its source. They are plain JavaScript
 * in a string, not TypeScript functions, because the kernel's source must be self-contained: it is
 * rebuilt from text in worker threads (`kernelFromSource`) with nothing else in scope.
 *
 * Small helpers (__mod, __dphi) are inlined by V8's optimising compiler; they exist so that the
 * generated loops stay readable.
 */

export const PRELUDE = String.raw`
const PI = Math.PI;
const TWO_PI = 2 * Math.PI;

/** Floor modulo (Python's %): the result has the sign of the divisor; x % 0 is NaN. */
function __mod(a, b) {
  const r = a % b;
  if (r === 0) return 0;
  return (r < 0) !== (b < 0) ? r + b : r;
}

/** An angle difference wrapped into [-PI, PI]. */
function __dphi(d) {
  if (d > PI || d < -PI) d = d - TWO_PI * Math.floor((d + PI) / TWO_PI);
  return d;
}

/** A scratch array twice as long, with the old contents. */
function __grow(a) {
  const b = new a.constructor(a.length * 2);
  b.set(a);
  return b;
}

/** Offsets (n + 1, from 0) from per-event counts, for collections read through their count branch only. */
function __offsets(counts, n) {
  const o = new Int32Array(n + 1);
  let t = 0;
  for (let i = 0; i < n; i++) {
    o[i] = t;
    t += Number(counts[i]);
  }
  o[n] = t;
  return o;
}

/** A kernel's check of its columns failed: the data disagree with the plan (named, so that callers on any thread can tell it from a bug). */
function __check(ok, message) {
  if (!ok) {
    const e = new Error("hepc kernel: " + message);
    e.name = "KernelDataError";
    throw e;
  }
}

// ---- atan2 and cosh ------------------------------------------------------------------------------
// V8 computes Math.atan2 and Math.cosh with fdlibm's algorithms, whose branches on the range of
// the argument are taken at random on real data: a mispredicted branch each costs more than the
// arithmetic. __atan2 and __cosh are the same algorithms in plain arithmetic (polynomial
// coefficients, reduction intervals and thresholds are fdlibm's), written so that the data-
// dependent choices are table lookups instead of branches where that pays. They give the same
// bits as Math.atan2 and Math.cosh on Node 20 (test/columns/prelude.test.ts compares millions of
// arguments), and being plain IEEE arithmetic, the same bits on every engine. Arguments outside
// the common range (zeros, infinities, NaN, extreme ratios or magnitudes) go to Math.* itself.

/** A double from its high and low 32-bit words (fdlibm's thresholds are high words). */
function __fromWords(hi, lo) {
  const v = new DataView(new ArrayBuffer(8));
  v.setUint32(0, hi);
  v.setUint32(4, lo);
  return v.getFloat64(0);
}
// atan's reduction: |x| < 7/16 as it is, then x' = (P|x| - Q) / (R + S|x|) on [7/16, 11/16),
// [11/16, 19/16), [19/16, 39/16) and beyond, with atan(x) = hi - ((x' s - lo) - x'). The first
// interval is the same formula with P = R = 1, Q = S = hi = lo = 0, to the bit.
const __AT_EDGE = [__fromWords(0x3fdc0000, 0), __fromWords(0x3fe60000, 0), __fromWords(0x3ff30000, 0), __fromWords(0x40038000, 0)];
const __AT_E0 = __AT_EDGE[0], __AT_E1 = __AT_EDGE[1], __AT_E2 = __AT_EDGE[2], __AT_E3 = __AT_EDGE[3];
const __AT_P = new Float64Array([1, 2, 1, 1, 0]);
const __AT_Q = new Float64Array([0, 1, 1, 1.5, 1]);
const __AT_R = new Float64Array([1, 2, 1, 1, 0]);
const __AT_S = new Float64Array([0, 1, 1, 1.5, 1]);
const __AT_HI = new Float64Array([0, 4.63647609000806093515e-01, 7.85398163397448278999e-01, 9.82793723247329054082e-01, 1.57079632679489655800e+00]);
const __AT_LO = new Float64Array([0, 2.26987774529616870924e-17, 3.06161699786838301793e-17, 1.39033110312309984516e-17, 6.12323399573676603587e-17]);
const __AT_A0 = 3.33333333333329318027e-01, __AT_A1 = -1.99999999998764832476e-01, __AT_A2 = 1.42857142725034663711e-01;
const __AT_A3 = -1.11111104054623557880e-01, __AT_A4 = 9.09088713343650656196e-02, __AT_A5 = -7.69187620504482999495e-02;
const __AT_A6 = 6.66107313738753120669e-02, __AT_A7 = -5.83357013379057348645e-02, __AT_A8 = 4.97687799461593236017e-02;
const __AT_A9 = -3.65315727442169155270e-02, __AT_A10 = 1.62858201153657823623e-02;
const __PI_LO = 1.2246467991473531772e-16;
const __SIGN = new Float64Array([1, -1]);
const __PICK = new Float64Array(2);

/** Math.atan2(y, x), without branches on the quadrant or the reduction interval. */
function __atan2(y, x) {
  const a = Math.abs(y / x);
  // |y/x| in (2^-27, 2^50): both finite and non-zero, and none of fdlibm's special cases
  if (!(a > 7.450580596923828e-9 && a < 1125899906842624)) return Math.atan2(y, x);
  const id = ((a >= __AT_E0) | 0) + ((a >= __AT_E1) | 0) + ((a >= __AT_E2) | 0) + ((a >= __AT_E3) | 0);
  const r = (__AT_P[id] * a - __AT_Q[id]) / (__AT_R[id] + __AT_S[id] * a);
  const z = r * r;
  const w = z * z;
  const s1 = z * (__AT_A0 + w * (__AT_A2 + w * (__AT_A4 + w * (__AT_A6 + w * (__AT_A8 + w * __AT_A10)))));
  const s2 = w * (__AT_A1 + w * (__AT_A3 + w * (__AT_A5 + w * (__AT_A7 + w * __AT_A9))));
  const t = __AT_HI[id] - ((r * (s1 + s2) - __AT_LO[id]) - r);
  // x > 0: ±t; x < 0: ±(π - t), with π's low part (negation is exact)
  __PICK[0] = t;
  __PICK[1] = PI - (t - __PI_LO);
  return __PICK[(x < 0) | 0] * __SIGN[(y < 0) | 0];
}

const __HALF_LN2 = __fromWords(0x3fd62e43, 0);
const __LN2_HI = 6.93147180369123816490e-01, __LN2_LO = 1.90821492927058770002e-10, __INV_LN2 = 1.44269504088896338700e+00;
const __EP1 = 1.66666666666666019037e-01, __EP2 = -2.77777777770155933842e-03, __EP3 = 6.61375632143793436117e-05;
const __EP4 = -1.65339022054652515390e-06, __EP5 = 4.13813679705723846039e-08;
const __EQ1 = -3.33333333333331316428e-02, __EQ2 = 1.58730158725481460165e-03, __EQ3 = -7.93650757867487942473e-05;
const __EQ4 = 4.00821782732936239552e-06, __EQ5 = -2.01099218183624371326e-07;
/** 2^k at [k + 1022], k in [-1022, 1023]. */
const __POW2 = (() => {
  const t = new Float64Array(2046);
  for (let k = 0, p = 1; k <= 1023; k++, p *= 2) t[k + 1022] = p;
  for (let k = 0, p = 1; k >= -1022; k--, p /= 2) t[k + 1022] = p;
  return t;
})();

/**
 * Math.cosh(x). Below 0.5 ln2 from expm1 (its unreduced branch), above from exp; the two are
 * chosen by a branch, which measured faster than computing both.
 */
function __cosh(x) {
  const ax = Math.abs(x);
  // |x| in (2^-27, 22), and not 1 (fdlibm's exp returns e itself there)
  if (!(ax > 7.450580596923828e-9 && ax < 22) || ax === 1) return Math.cosh(x);
  if (ax < __HALF_LN2) {
    const hfx = 0.5 * ax;
    const hxs = ax * hfx;
    const r1 = 1 + hxs * (__EQ1 + hxs * (__EQ2 + hxs * (__EQ3 + hxs * (__EQ4 + hxs * __EQ5))));
    const tt = 3 - r1 * hfx;
    const t = ax - (ax * (hxs * ((r1 - tt) / (6 - ax * tt))) - hxs);
    const w = 1 + t;
    return 1 + (t * t) / (w + w);
  }
  const k = (__INV_LN2 * ax + 0.5) | 0;
  const hi = ax - k * __LN2_HI;
  const lo = k * __LN2_LO;
  const r = hi - lo;
  const rr = r * r;
  const c = r - rr * (__EP1 + rr * (__EP2 + rr * (__EP3 + rr * (__EP4 + rr * __EP5))));
  const e = (1 - ((lo - (r * c) / (2 - c)) - hi)) * __POW2[k + 1022];
  return 0.5 * e + 0.5 / e;
}

// ---- random numbers ------------------------------------------------------------------------------
// Philox-4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC11):
// a pure function of a 128-bit counter and a 64-bit key, so that any event's numbers are computed
// alone, the same on any thread and in any chunk. Counter: (entry low 32 bits, entry high bits,
// element position or 0xffffffff per event, call site); key: (analysis seed, sample).
const __ph = new Uint32Array(4);

/**
 * The high 32 bits of the 64-bit product of two uint32s: both split in 16-bit halves, whose four
 * products (each below 2^32) and carries are added in integers, without the divisions and floors
 * of a split of one factor only (a jet-resolution smearing draws once per jet: this is most of it).
 */
function __mulhi(a, b) {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const lh = al * bh, hl = ah * bl;
  const mid = ((al * bl) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/** Ten rounds on (c0, c1, c2, c3) with key (k0, k1): the four output words into __ph. */
function __philox(c0, c1, c2, c3, k0, k1) {
  for (let r = 0; r < 10; r++) {
    if (r > 0) {
      k0 = (k0 + 0x9e3779b9) >>> 0;
      k1 = (k1 + 0xbb67ae85) >>> 0;
    }
    const hi0 = __mulhi(0xd2511f53, c0), lo0 = Math.imul(0xd2511f53, c0) >>> 0;
    const hi1 = __mulhi(0xcd9e8d57, c2), lo1 = Math.imul(0xcd9e8d57, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  __ph[0] = c0; __ph[1] = c1; __ph[2] = c2; __ph[3] = c3;
}

/** 53 random bits of two words as a double in [0, 1). */
function __unit(a, b) {
  return ((a >>> 5) * 67108864 + (b >>> 6)) / 9007199254740992;
}

/** Uniform in [lo, hi). */
function __uniform(lo, hi, entry, el, site, k0, k1) {
  __philox(entry >>> 0, Math.floor(entry / 4294967296) >>> 0, el >>> 0, site, k0, k1);
  return lo + (hi - lo) * __unit(__ph[0], __ph[1]);
}

/** Normal of mean mu and width sigma: Box–Muller on the counter's four words (u1 in (0, 1], so log is finite). */
function __gauss(mu, sigma, entry, el, site, k0, k1) {
  __philox(entry >>> 0, Math.floor(entry / 4294967296) >>> 0, el >>> 0, site, k0, k1);
  const u1 = 1 - __unit(__ph[0], __ph[1]);
  const u2 = __unit(__ph[2], __ph[3]);
  return mu + sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(TWO_PI * u2);
}
`;

/** The prelude's functions, evaluated, for tests. */

/** The prelude's functions, evaluated, for tests. */
export function preludeFunctions(): Record<string, (...args: number[]) => number> {
  const names = [...PRELUDE.matchAll(/^function (\w+)/gm)].map((m) => m[1]);
  return new Function(`${PRELUDE}\nreturn { ${names.join(", ")} };`)();
}

/** Philox-4x32-10 of the prelude, for tests: the four output words of a counter and a key. */
export function philox(counter: readonly number[], key: readonly number[]): number[] {
  return new Function(`${PRELUDE}\n__philox(${[...counter, ...key].join(", ")});\nreturn Array.from(__ph);`)() as number[];
}
