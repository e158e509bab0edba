/**
 * Scores of every shape a ranking must order exactly (float32-valued and full float64, mixed
 * signs, ties and ±0, clustered keys, crowded buckets), with weights, signal and kept flags: the
 * fixtures of the ranking tests (ranked-curve.test.ts, rank-wasm.test.ts).
 */

export function lcg(seed: number) {
  let x = seed;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
}

export type Kind = "f32" | "f32 mixed signs" | "ties and ±0" | "f64" | "f64, clustered" | "integers" | "large f32" | "negative f32" | "one value" | "32-bit keys, crowded";
/** Score generators, and whether their keys need more than 32 bits (two words). */
export const KINDS: Record<Kind, [(u: () => number, sig: boolean) => number, boolean]> = {
  "f32": [(u, s) => Math.fround(1 / (1 + Math.exp(-((s ? 0.7 : -0.7) + 3 * (u() - 0.5))))), false],
  "f32 mixed signs": [(u, s) => Math.fround((s ? 0.3 : -0.3) + 2 * (u() - 0.5)), false],
  "ties and ±0": [(u, s) => [0, -0, 0.5, -0.5, 1, -1, 0.25][Math.floor(u() * 7)] * (s ? 1 : 1), false],
  "f64": [(u, s) => (s ? 1 : 0) + u() + u() * 2 ** -32, true],
  // 90% of the events within 2^-30 of 1: keys that agree on every bit a bucket sorts on, so long
  // runs put in order by whole keys (a comparison sort)
  "f64, clustered": [(u) => (u() < 0.9 ? 1 + Math.floor(u() * 2 ** 20) * 2 ** -50 : 4 * u()), true],
  "integers": [(u, s) => Math.floor(u() * 2000) - (s ? 500 : 1500), false],
  "large f32": [(u) => Math.fround((u() - 0.5) * 1e30), false],
  "negative f32": [(u) => -Math.fround(1 + u()), false],
  "one value": [() => 0.125, false],
  // 32 varying bits (the sign, the exponent's lowest bit, 30 mantissa bits), 90% of the events
  // sharing the top 11: a bucket too full for key and position to share a word, so the records
  // themselves are sorted there
  "32-bit keys, crowded": [(u) => (u() < 0.9 ? 1 + Math.floor(u() * 2 ** 21) / 2 ** 30 : (u() < 0.5 ? -1 : 0.5) * (1 + Math.floor(u() * 2 ** 30) / 2 ** 30)), false],
};

/** The first index where two arrays differ (Object.is), or null. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string | null {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `at ${i}: ${a[i]} and ${b[i]}`;
  return null;
}

export function events(n: number, seed: number, kind: Kind) {
  const u = lcg(seed);
  const signal = Uint8Array.from({ length: n }, () => (u() < 0.4 ? 1 : 0));
  const score = Float64Array.from(signal, (s) => KINDS[kind][0](u, s === 1));
  for (let k = 0; k < n / 20; k++) score[Math.floor(u() * n)] = score[Math.floor(u() * n)]; // more ties
  const weight = Float64Array.from({ length: n }, () => (u() < 0.05 ? 0 : u() < 0.07 ? -0.5 * u() : Math.fround(0.5 + u())));
  const keep = Uint8Array.from({ length: n }, () => (u() < 0.8 ? 1 : 0));
  return { signal, score, weight, keep };
}
