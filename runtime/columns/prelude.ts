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
/**
 * The rounds run in WebAssembly (runtime/columns/philox.wat, assembled to these bytes): its i64
 * multiplication gives the 64-bit products that JavaScript has to build from 16-bit halves, and a
 * call costs ~27 ns against ~60–100 ns (a jet-resolution smearing draws once per jet: this was
 * most of it). Instantiated on first use, so kernels that draw nothing carry only the bytes.
 * Reassembled with: npm install --no-save wabt, then wabt's parseWat(...).toBinary({}).
 */
const __phw = { p: null, w: null };

/** Ten rounds on (c0, c1, c2, c3) with key (k0, k1): the four output words into __phw.w. */
function __philox(c0, c1, c2, c3, k0, k1) {
  if (__phw.p === null) {
    const bytes = new Uint8Array([0,97,115,109,1,0,0,0,1,10,1,96,6,127,127,127,127,127,127,0,3,2,1,0,5,3,1,0,1,7,9,2,1,109,2,0,1,112,0,0,10,144,1,1,141,1,3,1,127,2,126,1,127,3,64,66,211,190,196,146,13,32,0,173,126,33,7,66,215,154,250,236,12,32,2,173,126,33,8,32,8,66,32,136,167,32,1,115,32,4,115,33,9,32,7,66,32,136,167,32,3,115,32,5,115,33,2,32,8,167,33,1,32,7,167,33,3,32,9,33,0,32,4,65,185,243,221,241,121,106,33,4,32,5,65,133,221,158,219,123,106,33,5,32,6,65,1,106,33,6,32,6,65,10,73,13,0,11,65,0,32,0,54,2,0,65,4,32,1,54,2,0,65,8,32,2,54,2,0,65,12,32,3,54,2,0,11]);
    const x = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports;
    __phw.p = x.p;
    __phw.w = new Uint32Array(x.m.buffer, 0, 4);
  }
  __phw.p(c0, c1, c2, c3, k0, k1);
}

/** 53 random bits of two words as a double in [0, 1). */
function __unit(a, b) {
  return ((a >>> 5) * 67108864 + (b >>> 6)) / 9007199254740992;
}

/** Uniform in [lo, hi). */
function __uniform(lo, hi, entry, el, site, k0, k1) {
  __philox(entry >>> 0, Math.floor(entry / 4294967296) >>> 0, el >>> 0, site, k0, k1);
  return lo + (hi - lo) * __unit(__phw.w[0], __phw.w[1]);
}

/** Normal of mean mu and width sigma: Box–Muller on the counter's four words (u1 in (0, 1], so log is finite). */
function __gauss(mu, sigma, entry, el, site, k0, k1) {
  __philox(entry >>> 0, Math.floor(entry / 4294967296) >>> 0, el >>> 0, site, k0, k1);
  const u1 = 1 - __unit(__phw.w[0], __phw.w[1]);
  const u2 = __unit(__phw.w[2], __phw.w[3]);
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
  return new Function(`${PRELUDE}\n__philox(${[...counter, ...key].join(", ")});\nreturn Array.from(__phw.w);`)() as number[];
}
