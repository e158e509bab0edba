/**
 * The bootstrap's replicates in WebAssembly (wasm/bootstrap.c: every replicate in one pass over
 * the events) against bootstrap.ts's replicateAuc (one pass per replicate): every replicate's
 * AUC, bit for bit, with ties, zero and negative weights, replicates without one class, and the
 * events handed over in chunks; and the interval evaluateModel reports is the same either way.
 */
import { afterEach, describe, expect, it } from "vitest";
import { bootstrapRanked, replicateAuc } from "../../runtime/evaluate/bootstrap.js";
import { POISSON1_CDF } from "../../runtime/evaluate/prng.js";
import { useWasmEvaluation } from "../../runtime/evaluate/wasm/arena.js";
import { replicateAucsInWasm } from "../../runtime/evaluate/wasm/bootstrap.js";
import { lcg } from "../helpers/scores.js";

afterEach(() => useWasmEvaluation(true));

/** Events in ranked order: decreasing scores with ties, weights with zeros and negatives. */
function ranked(n: number, seed: number, signalFraction: number) {
  const u = lcg(seed);
  const ss = Float64Array.from({ length: n }, (_, k) => 1 - Math.floor(k / 3) / n); // ties of three
  const sw = Float64Array.from({ length: n }, () => (u() < 0.05 ? 0 : u() < 0.08 ? -0.7 * u() : 0.3 + u()));
  const cls = Int32Array.from({ length: n }, () => (u() < signalFraction ? 0 : 1));
  // each event's index in the input: a permutation
  const orig = Uint32Array.from({ length: n }, (_, k) => k);
  for (let k = n - 1; k > 0; k--) {
    const j = Math.floor(u() * (k + 1));
    [orig[k], orig[j]] = [orig[j], orig[k]];
  }
  return { ss, sw, cls, orig };
}

describe("the bootstrap in WebAssembly", () => {
  it("gives every replicate's AUC of replicateAuc, bit for bit (NaN where that gives none)", () => {
    let undefinedSeen = 0, compared = 0;
    for (const [n, seed, frac, R, s] of [[0, 1, 0.4, 5, 1], [1, 2, 0.4, 7, 3], [3, 3, 0.5, 20, 9], [50, 4, 0.02, 60, 1], [40000, 5, 0.4, 30, 123456789]] as const) {
      const { ss, sw, cls, orig } = ranked(n, seed, frac);
      const got = replicateAucsInWasm(ss, sw, cls, 0, orig, s, R, POISSON1_CDF)!;
      expect(got.length).toBe(R);
      for (let r = 0; r < R; r++) {
        const want = replicateAuc(ss, sw, cls, 0, orig, s, r);
        if (want === null) undefinedSeen++;
        if (!Object.is(got[r], want ?? NaN)) throw new Error(`n ${n}, replicate ${r}: ${got[r]} and ${want}`);
        compared++;
      }
    }
    expect(compared).toBe(5 + 7 + 20 + 60 + 30);
    expect(undefinedSeen).toBeGreaterThan(10);
  });

  it("gives the TypeScript path's interval, whatever the class's type", () => {
    const { ss, sw, cls, orig } = ranked(30000, 8, 0.3);
    const opts = { replicates: 40, seed: 77, cl: 0.9 };
    const fast = bootstrapRanked(ss, sw, cls, 1, orig, opts);
    const bytes = bootstrapRanked(ss, sw, Uint8Array.from(cls), 1, orig, opts);
    useWasmEvaluation(false);
    const slow = bootstrapRanked(ss, sw, cls, 1, orig, opts);
    expect(fast).toEqual(slow);
    expect(bytes).toEqual(slow);
    expect("interval" in fast && fast.interval.lo < fast.interval.hi).toBe(true);
  });
});
