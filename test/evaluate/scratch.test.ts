/**
 * Memory kept between evaluations (scratch.ts) leaks nothing from one into the next: evaluations
 * of different sizes and kinds in a row, in memory another evaluation (or garbage) filled, give
 * exactly what they give in fresh memory, and a result handed out is not changed by later calls.
 */
import { afterEach, describe, expect, it } from "vitest";
import { binaryCurve, buildMetricsDocument, evaluateModel, rankDescending, rankedCurve, releaseScratch, restrict, scratchBytes, type EvaluationResult, type ScoredEvents } from "../../runtime/evaluate/index.js";
import { rankDescendingLsd } from "../../runtime/evaluate/order.js";
import { lend, poisonLentMemory } from "../../runtime/evaluate/scratch.js";

function lcg(seed: number) {
  let x = seed;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
}

/** Scores as float32 values (one-word keys) or full float64 (two-word keys, larger records). */
function events(n: number, seed: number, full: boolean): ScoredEvents {
  const u = lcg(seed);
  const label = Int32Array.from({ length: n }, () => (u() < 0.4 ? 0 : 1));
  const score = Float64Array.from(label, (l) => {
    const x = (l === 0 ? 0.3 : -0.3) + 2 * (u() - 0.5);
    return full ? x + u() * 2 ** -40 : Math.fround(x);
  });
  const weight = Float64Array.from({ length: n }, () => (u() < 0.05 ? 0 : u() < 0.07 ? -0.5 * u() : 0.5 + u()));
  const fold = Int32Array.from({ length: n }, (_, i) => i % 2);
  const train = Uint8Array.from({ length: n }, () => (u() < 0.3 ? 1 : 0));
  // some below the first edge and above the last: events in no bin
  const pt = Float64Array.from({ length: n }, () => 10 + 250 * u() * u());
  const eta = Float64Array.from({ length: n }, () => 2.4 * u());
  return { scores: [score], label, weight, fold, train, vars: [pt, eta] };
}

function same(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Everything an evaluation reports, as one string (typed arrays as lists). */
function fingerprint(r: EvaluationResult): string {
  return JSON.stringify(buildMetricsDocument([r], { maxCurvePoints: 1e9 })) + JSON.stringify(r.sections.map((s) => (s.kind === "binary" && !("reason" in s.roc) ? [Array.from(s.roc.fpr), Array.from(s.roc.tpr)] : null)));
}

const spec = (bins: number) => ({
  model: "m", region: "r", classes: ["s", "b"], signal: 0, kind: "binary" as const,
  bins: [{ variable: "pt", edges: [20, 40, 60, 100, 220] }, { variable: "eta", edges: [0, 1.2, 2.4] }].slice(0, bins),
  workingPoints: [{ name: "T", target: 0.6 }], flatWorkingPoints: true, bootstrap: { replicates: 20, seed: 5 },
});

/** Evaluates with the first `bins` bin variables (0: none). */
function evaluate(ev: ScoredEvents, bins: number): EvaluationResult {
  const r = evaluateModel({ ...ev, vars: bins ? ev.vars!.slice(0, bins) : undefined }, { ...spec(bins), ...(bins ? {} : { bins: undefined, flatWorkingPoints: false }) });
  if ("error" in r) throw new Error(r.error.message);
  return r;
}

afterEach(() => {
  poisonLentMemory(null);
  releaseScratch();
});

describe("memory kept between evaluations", () => {
  it("is kept after a ranking and let go by releaseScratch", () => {
    releaseScratch();
    rankedCurve(events(3000, 1, false).scores[0], new Float64Array(3000).fill(1), (i) => i % 2 === 0);
    expect(scratchBytes()).toBeGreaterThanOrEqual(16 * 3000);
    releaseScratch();
    expect(scratchBytes()).toBe(0);
  });

  it("gives rankings and curves of a large then smaller inputs exactly as fresh memory does, and leaves earlier results alone", () => {
    // two-word keys (24-byte records) first, then one-word keys in part of that memory, poisoned
    const runs = [events(40000, 2, true), events(5000, 3, false), events(700, 4, true), events(1, 5, false), events(12000, 6, false)];
    const held: { order: Uint32Array; tp: Float64Array; want: ReturnType<typeof binaryCurve>; wantOrder: Uint32Array }[] = [];
    for (const [k, ev] of runs.entries()) {
      poisonLentMemory(k + 1);
      const s = ev.scores[0];
      const isS = (i: number) => ev.label[i] === 0;
      const keep = (i: number) => ev.train![i] === 0;
      const wantOrder = rankDescendingLsd(s);
      const want = binaryCurve(s, ev.weight, restrict(wantOrder, keep), isS);
      const got = rankedCurve(s, ev.weight, isS, keep);
      expect(same(got.order, wantOrder)).toBe(true);
      expect([same(got.curve.thresholds, want.thresholds), same(got.curve.tp, want.tp), same(got.curve.fp, want.fp)]).toEqual([true, true, true]);
      expect(same(rankDescending(s), wantOrder)).toBe(true);
      // into memory the caller lends, poisoned
      const into = new Uint32Array(lend(4 * s.length), 0, s.length).fill(0xdeadbeef);
      expect(same(rankedCurve(s, ev.weight, isS, keep, into).order, wantOrder)).toBe(true);
      held.push({ order: got.order, tp: got.curve.tp, want, wantOrder });
    }
    // what was handed out earlier is still what it was
    for (const h of held) expect([same(h.order, h.wantOrder), same(h.tp, h.want.tp)]).toEqual([true, true]);
  });

  it("gives whole evaluations of a large then a smaller input exactly as fresh memory does", () => {
    const big = events(30000, 7, true), small = events(4000, 8, false), tiny = events(300, 9, false);
    // fresh memory: each alone after a release
    const fresh = [big, small, tiny].map((ev, k) => {
      releaseScratch();
      return fingerprint(evaluate(ev, 2 - (k % 2)));
    });
    // in a row, every loan filled with something else
    for (const value of [1, 2, -1]) {
      releaseScratch();
      poisonLentMemory(value);
      const results = [big, small, tiny].map((ev, k) => evaluate(ev, 2 - (k % 2)));
      expect(scratchBytes()).toBeGreaterThan(0);
      expect(results.map(fingerprint)).toEqual(fresh);
    }
    poisonLentMemory(null);
    // without training-fold events (the ranking used as it is) and without bins
    const noTrain: ScoredEvents = { ...small, train: undefined };
    releaseScratch();
    const alone = fingerprint(evaluate(noTrain, 0));
    evaluate(big, 2);
    poisonLentMemory(3);
    expect(fingerprint(evaluate(noTrain, 0))).toBe(alone);
  });
});
