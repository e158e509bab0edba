/*
 * The AUCs of a Poisson bootstrap's replicates (bootstrap.ts's replicateAuc, every replicate in
 * one pass), compiled to WebAssembly with rank.c (wasm/bootstrap.ts runs it).
 *
 * Why: a replicate is one pass over the ranked events drawing a Poisson(1) weight per event from a
 * counter-based hash (prng.ts), and the default 200 replicates of 10M events took ~80 s in
 * TypeScript (39 ns a draw), far more than the rest of an evaluation. Here the events are read once
 * and every replicate drawn per event: the hash's words that depend on the event alone or on the
 * replicate alone are computed once; four replicates' hashes at a time in SIMD lanes, and their
 * uniforms, Poisson draws and sums two at a time (11 ns a draw in scalar code, 6.7 in SIMD); no
 * branch on a draw (whether it is 0 is close to random, and that mispredicted branch was half the
 * time). The arithmetic per replicate is replicateAuc's, lane by lane in its order (WebAssembly
 * has no fused multiply-add to change a rounding), so every AUC has its bits
 * (test/evaluate/bootstrap-wasm.test.ts).
 */
#include <stdint.h>
#include <wasm_simd128.h>

typedef uint32_t u32;
typedef int32_t i32;

/* What the caller fills in (byte offsets into memory); the order of the fields is
 * wasm/bootstrap.ts's B. */
typedef struct {
  u32 n;
  u32 score, weight;     /* f64[n]: the events in ranked order */
  u32 cls;               /* i32[n]: signal where cls == sigIs */
  i32 sigIs;
  u32 orig;              /* u32[n]: each event's index in the input, the draw's counter */
  u32 seed, replicates;
  u32 cdf;               /* f64[CDF]: Poisson(1)'s cumulative probabilities (prng.ts) */
  u32 state;             /* room for the replicates' sums: 5 f64 and 2 u32 each */
  u32 out;               /* f64[replicates] out: the AUC, NaN where undefined */
  u32 pad;
  double prev;           /* between calls: the last score of weight ≠ 0 */
} BootArgs;

_Static_assert(sizeof(BootArgs) == 56, "BootArgs layout");
_Static_assert(__builtin_offsetof(BootArgs, prev) == 48, "BootArgs layout");

#define CDF 20

/* MurmurHash3's 32-bit finaliser (prng.ts fmix32). */
static inline u32 fmix32(u32 h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

/* The replicates' state in `state`: s, b, and their values at the last point (s', b'), the area
 * (f64); uniformAt's words that depend on the seed and the replicate alone (u32). No counts of the
 * events drawn: replicateAuc's "no signal (background) drawn" implies s = 0 (b = 0), which its
 * test s > 0 (b > 0) already rejects. */
typedef struct {
  double *S, *B, *Sp, *Bp, *Area;
  u32 *aR, *bR;
} State;

static State stateOf(BootArgs *a) {
  const u32 R = a->replicates;
  State t;
  t.S = (double *)a->state;
  t.B = t.S + R;
  t.Sp = t.B + R;
  t.Bp = t.Sp + R;
  t.Area = t.Bp + R;
  t.aR = (u32 *)(t.Area + R);
  t.bR = t.aR + R;
  return t;
}

/*
 * Three calls, the events in chunks between the first and the last: V8 swaps optimised code in
 * for a WebAssembly function's later calls only (no on-stack replacement), so one call over every
 * event would run its baseline code throughout.
 */
static inline v128_t fmix4(v128_t h) {
  h = wasm_v128_xor(h, wasm_u32x4_shr(h, 16));
  h = wasm_i32x4_mul(h, wasm_i32x4_splat((i32)0x85ebca6bu));
  h = wasm_v128_xor(h, wasm_u32x4_shr(h, 13));
  h = wasm_i32x4_mul(h, wasm_i32x4_splat((i32)0xc2b2ae35u));
  h = wasm_v128_xor(h, wasm_u32x4_shr(h, 16));
  return h;
}

__attribute__((export_name("bootstrap_begin"))) void bootstrapBegin(BootArgs *a) {
  const u32 R = a->replicates, seed = a->seed;
  const State t = stateOf(a);
  const u32 a0 = fmix32(seed ^ 0x9e3779b9u);
  for (u32 r = 0; r < R; r++) {
    t.S[r] = t.B[r] = t.Sp[r] = t.Bp[r] = t.Area[r] = 0;
    t.aR[r] = fmix32(a0 ^ ((r + 1) * 0x632be5abu));
    t.bR[r] = (r ^ 0x1b873593u) * 0x165667b1u;
  }
  a->prev = __builtin_nan("");
}

/* Events [from, to), in ranked order. */
__attribute__((export_name("bootstrap_events"))) void bootstrapEvents(BootArgs *a, u32 from, u32 to) {
  const u32 R = a->replicates;
  const double *ss = (const double *)a->score, *sw = (const double *)a->weight;
  const i32 *cls = (const i32 *)a->cls;
  const i32 sigIs = a->sigIs;
  const u32 *orig = (const u32 *)a->orig;
  const double *cdf = (const double *)a->cdf;
  const State t = stateOf(a);
  double *const S = t.S, *const B = t.B, *const Sp = t.Sp, *const Bp = t.Bp, *const Area = t.Area;
  const u32 *const aR = t.aR, *const bR = t.bR;
  const u32 b0 = fmix32(a->seed + 0x7f4a7c15u);
  const double c0 = cdf[0], c1 = cdf[1], c2 = cdf[2], c3 = cdf[3], c4 = cdf[4], c5 = cdf[5], c6 = cdf[6], c7 = cdf[7];
  const v128_t v0 = wasm_f64x2_splat(c0), v1 = wasm_f64x2_splat(c1), v2 = wasm_f64x2_splat(c2), v3 = wasm_f64x2_splat(c3);
  const v128_t v4 = wasm_f64x2_splat(c4), v5 = wasm_f64x2_splat(c5), v6 = wasm_f64x2_splat(c6), v7 = wasm_f64x2_splat(c7);
  const v128_t one = wasm_f64x2_splat(1.0), eight = wasm_f64x2_splat(8.0), k21 = wasm_f64x2_splat(2097152.0), half05 = wasm_f64x2_splat(0.5), k53 = wasm_f64x2_splat(0x1p-53);
  double prev = a->prev;
  for (u32 k = from; k < to; k++) {
    const double w = sw[k];
    if (w == 0) continue;
    const double x = ss[k];
    if (x != prev) {
      /* a new point: every replicate's trapezoid of the point before */
      for (u32 r = 0; r < R; r++) {
        Area[r] += (B[r] - Bp[r]) * (S[r] + Sp[r]);
        Sp[r] = S[r];
        Bp[r] = B[r];
      }
      prev = x;
    }
    /* uniformAt's words that depend on the event alone */
    const u32 i = orig[k];
    const u32 ca = (i + 1) * 0x85157af5u;
    const u32 bEvent = fmix32(b0 ^ ((i ^ 0x5bd1e995u) * 0x27d4eb2fu));
    const u32 signal = cls[k] == sigIs;
    const double sig = (double)signal, bkg = 1.0 - sig;
    const v128_t vca = wasm_i32x4_splat((i32)ca), vbe = wasm_i32x4_splat((i32)bEvent);
    const v128_t vw = wasm_f64x2_splat(w), vsig = wasm_f64x2_splat(sig), vbkg = wasm_f64x2_splat(bkg);
    /* Four replicates at a time: the hashes in i32 lanes, then the uniforms, draws and sums in
     * f64 lanes, two and two. Per lane the scalar loop's operations below, in its order. */
    u32 r = 0;
    for (; r + 4 <= R; r += 4) {
      const v128_t ha = fmix4(wasm_v128_xor(wasm_v128_load(aR + r), vca));
      const v128_t hb = wasm_u32x4_shr(fmix4(wasm_v128_xor(fmix4(wasm_v128_xor(vbe, wasm_v128_load(bR + r))), ha)), 11);
      for (int half = 0; half < 2; half++) {
        const v128_t hah = half ? wasm_i32x4_shuffle(ha, ha, 2, 3, 0, 1) : ha;
        const v128_t hbh = half ? wasm_i32x4_shuffle(hb, hb, 2, 3, 0, 1) : hb;
        const v128_t u = wasm_f64x2_mul(wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_mul(wasm_f64x2_convert_low_u32x4(hah), k21), wasm_f64x2_convert_low_u32x4(hbh)), half05), k53);
        /* the draw, as a double: 1.0 (a mask and'ed with 1.0's bits) for each cdf[j] u reaches */
        v128_t m = wasm_v128_and(wasm_f64x2_ge(u, v0), one);
        m = wasm_f64x2_add(m, wasm_v128_and(wasm_f64x2_ge(u, v1), one));
        m = wasm_f64x2_add(m, wasm_v128_and(wasm_f64x2_ge(u, v2), one));
        m = wasm_f64x2_add(m, wasm_v128_and(wasm_f64x2_ge(u, v3), one));
        m = wasm_f64x2_add(m, wasm_v128_and(wasm_f64x2_ge(u, v4), one));
        m = wasm_f64x2_add(m, wasm_v128_and(wasm_f64x2_ge(u, v5), one));
        m = wasm_f64x2_add(m, wasm_v128_and(wasm_f64x2_ge(u, v6), one));
        m = wasm_f64x2_add(m, wasm_v128_and(wasm_f64x2_ge(u, v7), one));
        if (wasm_v128_any_true(wasm_f64x2_eq(m, eight))) {
          /* u ≥ cdf[7]: one draw in ~10^5, the rest of the search lane by lane */
          double lanes[2] = {wasm_f64x2_extract_lane(m, 0), wasm_f64x2_extract_lane(m, 1)};
          const double us[2] = {wasm_f64x2_extract_lane(u, 0), wasm_f64x2_extract_lane(u, 1)};
          for (int l = 0; l < 2; l++) {
            u32 mm = (u32)lanes[l];
            if (mm == 8) while (mm < CDF && !(us[l] < cdf[mm])) mm++;
            lanes[l] = (double)mm;
          }
          m = wasm_f64x2_make(lanes[0], lanes[1]);
        }
        /* w·m to the event's class, w·m·0 = ±0 to the other (see the scalar loop) */
        const v128_t wm = wasm_f64x2_mul(vw, m);
        double *const s = S + r + 2 * half, *const b = B + r + 2 * half;
        wasm_v128_store(s, wasm_f64x2_add(wasm_v128_load(s), wasm_f64x2_mul(wm, vsig)));
        wasm_v128_store(b, wasm_f64x2_add(wasm_v128_load(b), wasm_f64x2_mul(wm, vbkg)));
      }
    }
    /* the replicates left over, one at a time */
    for (; r < R; r++) {
      const u32 ha = fmix32(aR[r] ^ ca);
      const u32 hb = fmix32(fmix32(bEvent ^ bR[r]) ^ ha);
      /* prng.ts's uniform: ÷ 2^53 is × 2^-53, exactly */
      const double u = ((double)ha * 2097152.0 + (double)(hb >> 11) + 0.5) * 0x1p-53;
      /* poisson1: the first k with u < cdf[k], which is how many of the increasing cdf[k] u
       * reaches; counted without branches over the first eight (u ≥ cdf[7] one time in ~10^5) */
      u32 m = (u >= c0) + (u >= c1) + (u >= c2) + (u >= c3) + (u >= c4) + (u >= c5) + (u >= c6) + (u >= c7);
      if (m == 8) while (m < CDF && !(u < cdf[m])) m++;
      /* w·m to the event's class's sum; w·m·0 = ±0 to the other's, and w·0 to both when m is 0,
       * which leave their bits as they are (a sum is never -0: x + -x is +0) */
      const double wm = w * (double)m;
      S[r] += wm * sig;
      B[r] += wm * bkg;
    }
  }
  a->prev = prev;
}

/* Each replicate's AUC into `out`: the last trapezoid, then area / 2sb. */
__attribute__((export_name("bootstrap_end"))) void bootstrapEnd(BootArgs *a) {
  const u32 R = a->replicates;
  const State t = stateOf(a);
  double *out = (double *)a->out;
  for (u32 r = 0; r < R; r++) {
    const double area = t.Area[r] + (t.B[r] - t.Bp[r]) * (t.S[r] + t.Sp[r]);
    const double s = t.S[r], b = t.B[r];
    out[r] = !(s > 0) || !(b > 0) ? __builtin_nan("") : area / (2 * s * b);
  }
}
