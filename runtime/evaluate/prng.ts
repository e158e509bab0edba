/**
 * A counter-based pseudo-random generator: the uniform for (seed, stream, counter) is a pure
 * function of the three, so a bootstrap replicate's weight for event i is the same however events
 * are chunked, ordered or split across threads. The mixer is MurmurHash3's 32-bit finaliser
 * (fmix32), chained over the three words with two different salts to give two 32-bit words, of
 * which 53 bits make the uniform. Not cryptographic; ample for resampling weights.
 */

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform in (0, 1) from (seed, stream, counter), all non-negative integers below 2^32. */
export function uniformAt(seed: number, stream: number, counter: number): number {
  // two independent 32-bit words from differently salted keys
  let a = fmix32(seed ^ 0x9e3779b9);
  a = fmix32(a ^ Math.imul(stream + 1, 0x632be5ab));
  a = fmix32(a ^ Math.imul(counter + 1, 0x85157af5));
  let b = fmix32((seed + 0x7f4a7c15) >>> 0);
  b = fmix32(b ^ Math.imul(counter ^ 0x5bd1e995, 0x27d4eb2f));
  b = fmix32(b ^ Math.imul(stream ^ 0x1b873593, 0x165667b1));
  b = fmix32(b ^ a);
  // 53 bits: 32 of a, 21 of b; +0.5 keeps it strictly inside (0, 1)
  return ((a * 2097152 + (b >>> 11)) + 0.5) / 9007199254740992;
}

/** Cumulative Poisson(1) probabilities P(K <= k), k = 0..: inverse-CDF sampling. */
export const POISSON1_CDF: readonly number[] = (() => {
  const out: number[] = [];
  let p = Math.exp(-1), c = 0;
  for (let k = 0; k < 20; k++) {
    c += p;
    out.push(c);
    p /= k + 1;
  }
  return out;
})();

/** A Poisson(1) draw from a uniform. */
export function poisson1(u: number): number {
  for (let k = 0; k < POISSON1_CDF.length; k++) if (u < POISSON1_CDF[k]) return k;
  return POISSON1_CDF.length;
}
