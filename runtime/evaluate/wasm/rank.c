/*
 * The ranking of scored events, the weighted cumulative curve of a binary split, and the
 * held-out events laid out in ranked order, in one sort: ranked-curve.ts's algorithm, compiled to
 * WebAssembly (wasm/rank.ts runs it; bytes.ts holds the module with the other C files, rebuilt by
 * scripts/build-wasm.sh).
 *
 * Why C: the same loops in TypeScript ran at 2.5-4x the time of these (a prototype's count,
 * scatter, in-bucket sorts and scan of 10M events: ~0.45 s in TypeScript, 0.14 s in WebAssembly,
 * 0.13 s natively; bench/evaluate.ts's ranking and curve, copies in and out included: 0.67 s
 * through the TypeScript twin, 0.32 s here): V8 checks every typed-array index and keeps 64-bit
 * keys in two words, and the in-bucket passes and the scan are where that shows. And the records here carry each event's class, bin and fold too, so the held-out events
 * come out in ranked order with everything evaluateModel reads of them, where before they were
 * gathered afterwards with one random read per event (~1.4 s at 10M, dense.ts).
 *
 * The algorithm and its exactness are ranked-curve.ts's (its comment says why each step is as
 * it is): keys are the scores' varying bits; one stable scatter into 2^11 buckets by the key's top
 * bits; each bucket sorted in cache on one word per event (the next key bits above the event's
 * position in the bucket), then scanned. Ties keep increasing index, and the sums run in ranked
 * order, so every output has the bits of the TypeScript path (test/evaluate/rank-wasm.test.ts).
 *
 * No libc: built with clang --target=wasm32 -nostdlib; memory is the caller's (imported).
 */
#include <stdint.h>

typedef uint64_t u64;
typedef uint32_t u32;
typedef int32_t i32;
typedef uint8_t u8;

#define SIGNAL (1u << 30)
#define KEPT (1u << 31)
#define INDEX (SIGNAL - 1)
#define TOP 11
#define DIGIT 8
#define SHORT_RUN 16
#define MAGNITUDE 0x7fffffffffffffffull
#define NEGATIVE_ZERO 0x8000000000000000ull

/* What the caller fills in (byte offsets into memory; 0 where absent) and what comes back. The
 * order of the fields is wasm.ts's A; the static asserts pin the layout. */
typedef struct {
  u32 n;
  u32 score, weight;                /* f64[n]; weight 0: the ranking alone */
  u32 sig, sigSize;                 /* the signal: values (u8 or i32) equal to sigIs */
  u32 keep, keepSize;               /* the events that enter the curve and the layout */
  u32 label, bin, fold;             /* i32[n], carried into the layout (label 0: no layout) */
  i32 sigIs, keepIs;
  u32 records;                      /* room for n records of 32 bytes */
  u32 words;                        /* room for 2n words */
  u32 order;                        /* u32[n] out: input indices, by decreasing score */
  u32 th, tp, fp;                   /* curve out: f64[n + 1] (th[0] = +inf), f64[n], f64[n] */
  u32 dScore, dWeight, dLabel, dTwo, dOrig, dBin, dFold; /* layout out, held-out events */
  u32 m, nS, nB, held;              /* out: curve points and events; events laid out */
  u32 declined;                     /* out: 1 where a score is -0 (the TypeScript path keeps its sign) */
  double totalS, totalB;            /* out */
} Args;

_Static_assert(sizeof(Args) == 136, "Args layout");
_Static_assert(__builtin_offsetof(Args, m) == 100, "Args layout");
_Static_assert(__builtin_offsetof(Args, totalS) == 120, "Args layout");

#define AT(T, base, off) (*(T *)((u8 *)(base) + (off)))

static inline int clz32(u32 x) { return __builtin_clz(x); }

typedef struct {
  int shift, width, signVaries, bits, negativeZero;
  u64 mask, half, base, sign0;
} Codec;

/* The varying bits of all the scores (keys.ts: the fewest bits that order them exactly), and
 * the bits they share (`base`), from which a key gives its score back. */
static Codec codecOf(const u64 *bits, u32 n) {
  Codec c = {0, 0, 0, 0, 0, 0, 0, 0, 0};
  if (n == 0) return c;
  const u64 b0 = (bits[0] & MAGNITUDE) == 0 ? 0 : bits[0];
  u64 d = 0, nz = 0;
  for (u32 i = 0; i < n; i++) {
    const u64 b = bits[i];
    nz |= b == NEGATIVE_ZERO;
    d |= ((b & MAGNITUDE) == 0 ? 0 : b) ^ b0;
  }
  const u64 m = d & MAGNITUDE;
  c.negativeZero = (int)nz;
  c.signVaries = (int)(d >> 63);
  if (m != 0) {
    c.shift = __builtin_ctzll(m);
    c.width = 64 - __builtin_clzll(m) - c.shift;
  }
  c.mask = c.width == 0 ? 0 : (1ull << c.width) - 1;
  c.half = c.signVaries ? 1ull << c.width : 0;
  c.bits = c.width + c.signVaries;
  c.base = b0 & MAGNITUDE & ~(c.mask << c.shift);
  c.sign0 = b0 >> 63;
  return c;
}

/* Ascending keys are descending scores: a positive score's key is its window complemented; a
 * negative one's its magnitude, above every positive key when the sign varies. (rank() declines
 * scores with a -0.) */
static inline u64 keyOf(const Codec *c, u64 b) {
  const u64 mag = ((b & MAGNITUDE) >> c->shift) & c->mask;
  return (b >> 63) ? mag + c->half : (~mag & c->mask);
}

/* The score of a key (keyOf's inverse; +0 for zero's key). */
static inline double scoreOf(const Codec *c, u64 key) {
  u64 neg, mag;
  if (c->signVaries && key >= c->half) { neg = 1; mag = key - c->half; }
  else if (c->signVaries || !c->sign0) { neg = 0; mag = ~key & c->mask; }
  else { neg = 1; mag = key; }
  const u64 b = c->base | (mag << c->shift) | (neg << 63);
  double x;
  __builtin_memcpy(&x, &b, 8);
  return x;
}

static inline int selected(u32 values, u32 size, u32 i, i32 is) {
  return size == 1 ? ((const u8 *)values)[i] == (u32)is : ((const i32 *)values)[i] == is;
}

/*
 * A record's form, constant in each instantiation of the loops below (always_inline):
 *  - narrow keys (32 bits or fewer, float32-valued scores): ranking [key | index] 8 bytes; curve
 *    [weight f64 | key | index] 16; layout [weight | key | index | label | bin | fold] 32;
 *  - wide keys: ranking [key u64 | index] 16; curve [weight | key u64 | index] 24; layout
 *    [weight | key u64 | index | label | bin | fold] 32.
 * The index word carries the signal (bit 30) and kept (bit 31) flags.
 */
typedef struct { u32 S, oW, oK, oV, oL, oB, oF; int wide, withWeight, withLayout; } Form;

static inline __attribute__((always_inline)) u64 keyAt(const Form f, const u8 *r) {
  return f.wide ? AT(u64, r, f.oK) : AT(u32, r, f.oK);
}

/* Stable merge sort of W[0..len) by (key, position); T is scratch. */
static inline __attribute__((always_inline)) void mergeSort(const Form f, u32 *W, u32 *T, u32 len, const u8 *rec, u32 lbMask) {
  for (u32 width = 1; width < len; width *= 2) {
    for (u32 lo = 0; lo < len; lo += 2 * width) {
      const u32 mid = lo + width < len ? lo + width : len, hi = lo + 2 * width < len ? lo + 2 * width : len;
      u32 a = lo, b = mid, t = lo;
      while (a < mid && b < hi) {
        const u32 x = W[a], y = W[b];
        const u64 kx = keyAt(f, rec + f.S * (x & lbMask)), ky = keyAt(f, rec + f.S * (y & lbMask));
        if (ky < kx || (ky == kx && (y & lbMask) < (x & lbMask))) T[t++] = W[b++];
        else T[t++] = W[a++];
      }
      while (a < mid) T[t++] = W[a++];
      while (b < hi) T[t++] = W[b++];
    }
    for (u32 k = 0; k < len; k++) W[k] = T[k];
  }
}

/* Puts each run of W whose words agree on their sorted bits in whole-key order (stable). */
static inline __attribute__((always_inline)) void sortRuns(const Form f, u32 *W, u32 *T, u32 len, int lb, u32 lbMask, const u8 *rec) {
  u32 r0 = 0;
  while (r0 < len) {
    const u32 prefix = W[r0] >> lb;
    u32 r1 = r0 + 1;
    while (r1 < len && (W[r1] >> lb) == prefix) r1++;
    if (r1 - r0 > SHORT_RUN) mergeSort(f, W + r0, T, r1 - r0, rec, lbMask);
    else {
      for (u32 x = r0 + 1; x < r1; x++) {
        const u32 wx = W[x];
        const u64 kx = keyAt(f, rec + f.S * (wx & lbMask));
        u32 y = x;
        while (y > r0 && keyAt(f, rec + f.S * (W[y - 1] & lbMask)) > kx) {
          W[y] = W[y - 1];
          y--;
        }
        W[y] = wx;
      }
    }
    r0 = r1;
  }
}

/*
 * One call's state, in memory (not locals): the work is cut into calls of a chunk of events or
 * one bucket each, so that the engine's optimising compiler serves all but the first few. Why:
 * V8 runs a WebAssembly function first from its baseline compiler and swaps in optimised code
 * for later calls only (it has no on-stack replacement for WebAssembly), and a sort that ran as
 * one call ran baseline code throughout the first time: ~0.35 s against ~0.21 s at 10M events.
 */
typedef struct {
  Codec c;
  int R;
  u32 n;
  const u64 *bits;
  const double *weight;
  u32 sig, sigSize, keep, keepSize;
  i32 sigIs, keepIs;
  const i32 *label, *bin, *fold;
  u8 *rec;
  u32 *W, *W2, *order;
  double *th, *tp, *fp, *dScore, *dWeight;
  i32 *dLabel, *dTwo, *dBin, *dFold;
  u32 *dOrig;
  double sumS, sumB;
  u32 m, nS, nB, held;
  u64 prev;
} State;

static State st;
static u32 next[(1 << TOP) + 1], start[(1 << TOP) + 1];
static u32 counts[4 << DIGIT];

#define CHUNK 65536

/* pass 1 over events [from, to): events per bucket */
__attribute__((noinline)) static void countRange(u32 from, u32 to) {
  const Codec c = st.c;
  const int R = st.R;
  const u64 *bits = st.bits;
  for (u32 i = from; i < to; i++) next[(u32)(keyOf(&c, bits[i]) >> R) + 1]++;
}

/* pass 2 over events [from, to): the records into their buckets, in index order (stable) */
static inline __attribute__((always_inline)) void scatterRange(const Form f, u32 from, u32 to) {
  /* everything in locals: stores through the records could alias the state, and the compiler
   * would read it again per event */
  const Codec c = st.c;
  const int R = st.R;
  const u64 *bits = st.bits;
  const double *weight = st.weight;
  const u32 sig = st.sig, sigSize = st.sigSize, keep = st.keep, keepSize = st.keepSize;
  const i32 sigIs = st.sigIs, keepIs = st.keepIs;
  const i32 *label = st.label, *bin = st.bin, *fold = st.fold;
  u8 *rec = st.rec;
  for (u32 i = from; i < to; i++) {
    const u64 key = keyOf(&c, bits[i]);
    u8 *r = rec + f.S * next[(u32)(key >> R)]++;
    if (f.wide) AT(u64, r, f.oK) = key;
    else AT(u32, r, f.oK) = (u32)key;
    if (!f.withWeight) {
      AT(u32, r, f.oV) = i;
      continue;
    }
    const u32 k = keep ? (u32)selected(keep, keepSize, i, keepIs) : 1;
    const u32 s = sig ? (u32)selected(sig, sigSize, i, sigIs) : 0;
    AT(u32, r, f.oV) = i | (s << 30) | (k << 31);
    AT(double, r, f.oW) = weight[i];
    if (f.withLayout) {
      AT(i32, r, f.oL) = label[i];
      AT(i32, r, f.oB) = bin ? bin[i] : 0;
      AT(i32, r, f.oF) = fold ? fold[i] : 0;
    }
  }
}

/* bucket d: sorted in cache by its remaining bits, then scanned while still in cache */
static inline __attribute__((always_inline)) void bucket(const Form f, u32 d) {
  const u32 base = start[d], len = start[d + 1] - base;
  if (len == 0) return;
  const Codec c = st.c;
  const int R = st.R;
  u8 *const bucket = st.rec + f.S * base;
  u32 *W = st.W, *W2 = st.W2;
  /* The bucket is sorted on W, one word per event: the top P of the key's R remaining bits above
   * the event's position in the bucket (the low lb bits), so the records never move; where the
   * key has bits below those P, events that agree on them are put in order after. */
  const int lb = len == 1 ? 0 : 32 - clz32(len - 1);
  const u32 lbMask = lb == 0 ? 0 : (1u << lb) - 1;
  const int P = R < 32 - lb ? R : 32 - lb, lo = R - P;
  if (len > 1 && P > 0) {
    const u32 maskP = (1u << P) - 1; /* P < 32: lb ≥ 1 here */
    const int passes = (P + DIGIT - 1) / DIGIT, dw = (P + passes - 1) / passes;
    const u32 dm = (1u << dw) - 1;
    for (int e = 0; e < (passes << dw); e++) counts[e] = 0;
    for (u32 r = 0; r < len; r++) {
      const u32 prefix = (u32)(keyAt(f, bucket + f.S * r) >> lo) & maskP;
      W[r] = (prefix << lb) | r;
      for (int p = 0; p < passes; p++) counts[(p << dw) + ((prefix >> (p * dw)) & dm)]++;
    }
    for (int p = 0; p < passes; p++) {
      u32 *cn = counts + (p << dw);
      const int sh = lb + p * dw;
      if (cn[(W[0] >> sh) & dm] == len) continue; /* a digit every key shares moves nothing */
      u32 sum = 0;
      for (u32 e = 0; e <= dm; e++) {
        const u32 t = cn[e];
        cn[e] = sum;
        sum += t;
      }
      for (u32 r = 0; r < len; r++) {
        const u32 x = W[r];
        W2[cn[(x >> sh) & dm]++] = x;
      }
      u32 *t = W; W = W2; W2 = t;
    }
    if (lo > 0) sortRuns(f, W, W2, len, lb, lbMask, bucket);
  } else for (u32 r = 0; r < len; r++) W[r] = r; /* one event, or every key of the bucket equal */

  u32 *const order = st.order + base;
  if (!f.withWeight) {
    for (u32 r = 0; r < len; r++) order[r] = AT(u32, bucket + f.S * (W[r] & lbMask), f.oV);
    return;
  }
  double *const th = st.th, *const tp = st.tp, *const fp = st.fp;
  double *const dScore = st.dScore, *const dWeight = st.dWeight;
  i32 *const dLabel = st.dLabel, *const dTwo = st.dTwo, *const dBin = st.dBin, *const dFold = st.dFold;
  u32 *const dOrig = st.dOrig;
  double sumS = st.sumS, sumB = st.sumB;
  u32 m = st.m, nS = st.nS, nB = st.nB, held = st.held;
  u64 prev = st.prev;
  for (u32 r = 0; r < len; r++) {
    const u8 *q = bucket + f.S * (W[r] & lbMask);
    const u32 v = AT(u32, q, f.oV);
    order[r] = v & INDEX;
    if (!(v & KEPT)) continue;
    const u64 key = keyAt(f, q);
    const double w = AT(double, q, f.oW);
    if (f.withLayout) {
      dScore[held] = scoreOf(&c, key);
      dWeight[held] = w;
      dLabel[held] = AT(i32, q, f.oL);
      dTwo[held] = (v & SIGNAL) ? 0 : 1;
      dOrig[held] = v & INDEX;
      if (dBin) dBin[held] = AT(i32, q, f.oB);
      if (dFold) dFold[held] = AT(i32, q, f.oF);
      held++;
    }
    if (w == 0 || !th) continue;
    if (m == 0 || key != prev) {
      if (m > 0) { tp[m - 1] = sumS; fp[m - 1] = sumB; }
      th[m + 1] = scoreOf(&c, key);
      m++;
      prev = key;
    }
    /* the class without a branch (it is close to random from one event to the next): adding
     * w·0 = ±0 leaves a sum's bits as they are (a sum is never -0: x + -x is +0) */
    const u32 sg = (v >> 30) & 1;
    sumS += w * (double)sg;
    sumB += w * (double)(1 - sg);
    nS += sg;
    nB += 1 - sg;
  }
  st.sumS = sumS;
  st.sumB = sumB;
  st.m = m;
  st.nS = nS;
  st.nB = nB;
  st.held = held;
  st.prev = prev;
  st.W = W;
  st.W2 = W2;
}

static const Form NARROW_RANK = {8, 0, 0, 4, 0, 0, 0, 0, 0, 0};
static const Form NARROW_CURVE = {16, 0, 8, 12, 0, 0, 0, 0, 1, 0};
static const Form NARROW_LAYOUT = {32, 0, 8, 12, 16, 20, 24, 0, 1, 1};
static const Form WIDE_RANK = {16, 0, 0, 8, 0, 0, 0, 1, 0, 0};
static const Form WIDE_CURVE = {24, 0, 8, 16, 0, 0, 0, 1, 1, 0};
static const Form WIDE_LAYOUT = {32, 0, 8, 16, 20, 24, 28, 1, 1, 1};

/* Each form's two loops as functions of their own, called per chunk and per bucket. */
typedef struct {
  void (*scatter)(u32 from, u32 to);
  void (*bucket)(u32 d);
} Loops;
#define LOOPS(NAME, FORM) \
  __attribute__((noinline)) static void scatter_##NAME(u32 from, u32 to) { scatterRange(FORM, from, to); } \
  __attribute__((noinline)) static void bucket_##NAME(u32 d) { bucket(FORM, d); }
LOOPS(narrowRank, NARROW_RANK)
LOOPS(narrowCurve, NARROW_CURVE)
LOOPS(narrowLayout, NARROW_LAYOUT)
LOOPS(wideRank, WIDE_RANK)
LOOPS(wideCurve, WIDE_CURVE)
LOOPS(wideLayout, WIDE_LAYOUT)
static const Loops FORMS[2][3] = {
  {{scatter_narrowRank, bucket_narrowRank}, {scatter_narrowCurve, bucket_narrowCurve}, {scatter_narrowLayout, bucket_narrowLayout}},
  {{scatter_wideRank, bucket_wideRank}, {scatter_wideCurve, bucket_wideCurve}, {scatter_wideLayout, bucket_wideLayout}},
};

__attribute__((export_name("rank"))) void rank(Args *a) {
  const u32 n = a->n;
  const Codec c = codecOf((const u64 *)a->score, n);
  a->declined = (u32)c.negativeZero;
  if (c.negativeZero) return;
  const int B = c.bits, tb = B < TOP ? B : TOP;
  const u32 nb = 1u << tb;
  const State s0 = {
    .c = c, .R = B - tb, .n = n, .bits = (const u64 *)a->score, .weight = (const double *)a->weight,
    .sig = a->sig, .sigSize = a->sigSize, .keep = a->keep, .keepSize = a->keepSize, .sigIs = a->sigIs, .keepIs = a->keepIs,
    .label = (const i32 *)a->label, .bin = (const i32 *)a->bin, .fold = (const i32 *)a->fold,
    .rec = (u8 *)a->records, .W = (u32 *)a->words, .order = (u32 *)a->order,
    .th = (double *)a->th, .tp = (double *)a->tp, .fp = (double *)a->fp,
    .dScore = (double *)a->dScore, .dWeight = (double *)a->dWeight, .dLabel = (i32 *)a->dLabel, .dTwo = (i32 *)a->dTwo,
    .dBin = (i32 *)a->dBin, .dFold = (i32 *)a->dFold, .dOrig = (u32 *)a->dOrig,
  };
  st = s0;
  const Loops loops = FORMS[c.bits > 32][a->weight == 0 ? 0 : a->label == 0 ? 1 : 2];

  for (u32 d = 0; d <= nb; d++) next[d] = 0;
  for (u32 i = 0; i < n; i += CHUNK) countRange(i, n - i < CHUNK ? n : i + CHUNK);
  u32 largest = 0;
  for (u32 d = 0; d < nb; d++) {
    if (next[d + 1] > largest) largest = next[d + 1];
    next[d + 1] += next[d];
  }
  for (u32 d = 0; d <= nb; d++) start[d] = next[d];
  st.W2 = st.W + largest;

  for (u32 i = 0; i < n; i += CHUNK) loops.scatter(i, n - i < CHUNK ? n : i + CHUNK);
  for (u32 d = 0; d < nb; d++) loops.bucket(d);

  if (st.th) {
    if (st.m > 0) { st.tp[st.m - 1] = st.sumS; st.fp[st.m - 1] = st.sumB; }
    st.th[0] = __builtin_inf();
  }
  a->m = st.m;
  a->nS = st.nS;
  a->nB = st.nB;
  a->held = st.held;
  a->totalS = st.sumS;
  a->totalB = st.sumB;
}
