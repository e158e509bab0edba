/*
 * The per-bin sums of efficiency.ts's binSums (efficiencies in bins at a working point), compiled
 * to WebAssembly with rank.c and bootstrap.c (wasm/efficiency.ts runs it).
 *
 * Why: the loop adds into a slot chosen per event (class, bin, pass or fail), five additions an
 * event; in TypeScript it took ~12 ns an event (10M events: ~0.12 s, a quarter of the bench's
 * evaluation), here ~3.3 ns. The same additions in the same order, so every sum has its bits
 * (test/evaluate/binned.test.ts checks them against a plain loop, as it does the TypeScript path).
 */
#include <stdint.h>

typedef uint32_t u32;
typedef int32_t i32;
typedef uint8_t u8;

/* What the caller fills in (byte offsets into memory); the order of the fields is
 * wasm/efficiency.ts's E. */
typedef struct {
  u32 score, weight;     /* f64[n] */
  u32 bin;               /* i32[n]: the flattened bin, negative for none */
  u32 first, firstSize;  /* the first class: values (u8 or i32) equal to firstIs */
  i32 firstIs;
  u32 nBins;
  u32 thr;               /* f64[nBins + 1]: per slot b + 1 the threshold (NaN: none; slot 0 none) */
  u32 sums;              /* f64[2 (nBins + 1) 8] in and out (zeros to start) */
} SumArgs;

_Static_assert(sizeof(SumArgs) == 36, "SumArgs layout");

#define SLOT 8

/* Events [from, to), in their order; called in chunks (rank.c says why). */
__attribute__((export_name("bin_sums"))) void binSums(SumArgs *a, u32 from, u32 to) {
  const double *score = (const double *)a->score, *weight = (const double *)a->weight;
  const i32 *bin = (const i32 *)a->bin;
  const u32 first = a->first, firstSize = a->firstSize;
  const i32 firstIs = a->firstIs;
  const u32 S = a->nBins + 1;
  const double *thr = (const double *)a->thr;
  double *sums = (double *)a->sums;
  for (u32 i = from; i < to; i++) {
    const i32 bi = bin[i];
    const u32 b = (u32)((bi < -1 ? -1 : bi) + 1); /* any negative bin is none */
    const u32 isFirst = firstSize == 1 ? ((const u8 *)first)[i] == (u32)firstIs : ((const i32 *)first)[i] == firstIs;
    const u32 s = (b + S * (1 - isFirst)) * SLOT;
    const double w = weight[i];
    sums[s] += w;
    sums[s + 1] += w * w;
    sums[s + 2] += 1;
    const u32 p = s + 4 + (score[i] >= thr[b]);
    sums[p] += w;
    sums[p + 2] += 1;
  }
}
