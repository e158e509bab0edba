/**
 * The ranking in WebAssembly (wasm/rank.c through wasm/rank.ts) against its TypeScript twin
 * (ranked-curve.ts, and dense.ts's records and gather for the layout): the same order, curve and
 * held-out events in ranked order, bit for bit, for every kind of scores, selectors as bytes or
 * labels, events kept out, zero weights, bins and folds; that it declines only where it says
 * (a score of -0); and that whole evaluations agree, byte for byte, either way.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildMetricsDocument, evaluateModel, releaseScratch, type EvaluateSpec, type ScoredEvents } from "../../runtime/evaluate/index.js";
import { rankedLayout, type Dense } from "../../runtime/evaluate/dense.js";
import { rankWithCurve } from "../../runtime/evaluate/ranked-curve.js";
import { rankInWasm } from "../../runtime/evaluate/wasm/rank.js";
import { useWasmEvaluation } from "../../runtime/evaluate/wasm/arena.js";
import { repoPath } from "../helpers/repo.js";
import { events, firstDifference, KINDS, lcg, type Kind } from "../helpers/scores.js";

afterEach(() => useWasmEvaluation(true));

// HEPC_TEST_CLANG=1 (.ci/run sets it) makes the check required; without clang it is skipped
const clang = process.env.HEPC_TEST_CLANG === "1" || spawnSync("clang", ["--version"]).status === 0;
if (!clang) console.log("rank-wasm.test.ts: clang not found; the check of wasm/bytes.ts against its C is skipped (apt-get install clang lld)");

describe("wasm/bytes.ts", () => {
  it.skipIf(!clang)("is wasm/*.c as scripts/build-wasm.sh builds them (run it after editing them)", () => {
    const dir = mkdtempSync(join(tmpdir(), "hepc-wasm-"));
    try {
      const out = join(dir, "bytes.ts");
      const built = spawnSync("bash", [repoPath("scripts/build-wasm.sh"), out], { encoding: "utf8" });
      expect(built.status, built.stderr).toBe(0);
      expect(readFileSync(out, "utf8")).toBe(readFileSync(repoPath("runtime/evaluate/wasm/bytes.ts"), "utf8"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The fields of two layouts that differ (none: []). */
function layoutDifferences(a: Omit<Dense, "order">, b: Omit<Dense, "order">): string[] {
  const out: string[] = [];
  for (const k of ["score", "weight", "label", "twoClass", "orig", "bin", "fold"] as const) {
    const [x, y] = [a[k], b[k]];
    if (x === null || y === null) {
      if (x !== y) out.push(`${k}: one is null`);
      continue;
    }
    const d = firstDifference(x, y);
    if (d) out.push(`${k}: ${d}`);
  }
  return out;
}

describe("the ranking in WebAssembly", () => {
  for (const kind of Object.keys(KINDS) as Kind[]) {
    it(`gives the TypeScript path's order, curve and layout, bit for bit (${kind})`, () => {
      for (const n of [0, 1, 2, 3, 50, 20000]) {
        const ev = events(n, 3 * n + kind.length, kind);
        // ±0 has one key: the WebAssembly declines scores with a -0 (the TypeScript path keeps its sign)
        if (kind === "ties and ±0") for (let i = 0; i < n; i++) if (Object.is(ev.score[i], -0)) ev.score[i] = 0;
        const u = lcg(n + 11);
        const label = Int32Array.from(ev.signal, (s) => (s ? 2 : Math.floor(u() * 2)));
        const bin = Int32Array.from({ length: n }, () => Math.floor(u() * 6) - 1);
        const fold = Int32Array.from({ length: n }, () => Math.floor(u() * 3));
        const train = Uint8Array.from(ev.keep, (k) => 1 - k);

        const ranking = rankInWasm({ score: ev.score, weight: null, signal: null, keep: null, into: null });
        expect(ranking).not.toBeNull();
        expect(firstDifference(ranking!.order, rankWithCurve(ev.score, null, null, null)!.order)).toBeNull();

        for (const keep of [null, { values: ev.keep, is: 1 }]) {
          const got = rankInWasm({ score: ev.score, weight: ev.weight, signal: { values: ev.signal, is: 1 }, keep, into: null })!;
          const want = rankWithCurve(ev.score, ev.weight, { values: ev.signal, is: 1 }, keep)!;
          expect(firstDifference(got.order, want.order)).toBeNull();
          const [g, w] = [got.curve!, want.curve!];
          expect([firstDifference(g.thresholds, w.thresholds), firstDifference(g.tp, w.tp), firstDifference(g.fp, w.fp), firstDifference(g.withInfinity!, w.withInfinity!)]).toEqual([null, null, null, null]);
          expect([g.totalS, g.totalB, g.nS, g.nB]).toEqual([w.totalS, w.totalB, w.nS, w.nB]);
        }

        for (const place of [{ bin, fold, train }, { bin: null, fold: null, train: null }, { bin, fold: null, train: null }, { bin: null, fold, train }]) {
          const into = new Uint32Array(n);
          const got = rankedLayout(ev.score, ev.weight, label, 2, place, into);
          expect(got.order).toBe(into);
          useWasmEvaluation(false);
          const want = rankedLayout(ev.score, ev.weight, label, 2, place, new Uint32Array(n));
          useWasmEvaluation(true);
          expect(firstDifference(got.order, want.order)).toBeNull();
          expect([firstDifference(got.curve.tp, want.curve.tp), firstDifference(got.curve.thresholds, want.curve.thresholds)]).toEqual([null, null]);
          expect(layoutDifferences(got.held, want.held)).toEqual([]);
          expect(got.held.order.length).toBe(got.held.score.length);
        }
      }
    });
  }

  it("declines scores with a -0, and the TypeScript path keeps its sign", () => {
    const score = Float64Array.of(0.5, -0, 0, -0.25, 0);
    const weight = Float64Array.of(1, 1, 2, 1, 0);
    const signal = { values: Uint8Array.of(1, 0, 1, 0, 1), is: 1 };
    expect(rankInWasm({ score, weight, signal, keep: null, into: null })).toBeNull();
    expect(rankInWasm({ score: Float64Array.of(0.5, 0, 0, -0.25), weight: null, signal: null, keep: null, into: null })).not.toBeNull();
    const { held } = rankedLayout(score, weight, Int32Array.of(1, 0, 1, 0, 1), 1, { bin: null, fold: null, train: null }, new Uint32Array(5));
    expect(Array.from(held.score, (x) => Object.is(x, -0))).toEqual([false, true, false, false, false]);
  });

  it("gives the same results after its memory is dropped, and across sizes that grow it", () => {
    const runs = [50, 200000, 50, 3].map((n) => events(n, n, "f64"));
    const once = () => runs.map((ev) => rankInWasm({ score: ev.score, weight: ev.weight, signal: { values: ev.signal, is: 1 }, keep: { values: ev.keep, is: 1 }, into: null })!);
    const first = once();
    releaseScratch();
    const second = once();
    first.forEach((r, k) => {
      expect(firstDifference(r.order, second[k].order)).toBeNull();
      expect(firstDifference(r.curve!.tp, second[k].curve!.tp)).toBeNull();
    });
    // what a call handed out is the caller's: a later call into the same memory changes nothing
    const kept = Float64Array.from(first[0].curve!.tp);
    once();
    expect(firstDifference(first[0].curve!.tp, kept)).toBeNull();
  });

  it("gives whole evaluations byte-identical to the TypeScript path's", () => {
    const n = 30000;
    const u = lcg(42);
    const label = Int32Array.from({ length: n }, () => (u() < 0.4 ? 0 : 1));
    const ev: ScoredEvents = {
      scores: [Float64Array.from(label, (l) => Math.fround(1 / (1 + Math.exp(-((l === 0 ? 0.8 : -0.8) + 2 * (u() - 0.5))))))],
      label,
      weight: Float64Array.from({ length: n }, () => (u() < 0.05 ? -0.3 : 0.5 + u())),
      fold: Int32Array.from({ length: n }, (_, i) => i % 3),
      train: Uint8Array.from({ length: n }, () => (u() < 0.3 ? 1 : 0)),
      vars: [Float64Array.from({ length: n }, () => 15 + 200 * u() * u())],
    };
    const spec: EvaluateSpec = {
      model: "m", region: "r", classes: ["sig", "bkg"], signal: 0, kind: "binary",
      bins: [{ variable: "pt", edges: [20, 40, 80, 200] }], bootstrap: { replicates: 20, seed: 3 },
      workingPoints: [{ name: "Medium", target: 0.7 }], flatWorkingPoints: true,
    };
    const doc = () => {
      const r = evaluateModel(ev, spec);
      if ("error" in r) throw new Error(r.error.message);
      return JSON.stringify(buildMetricsDocument([r], { maxCurvePoints: 1e9 }));
    };
    const fast = doc();
    useWasmEvaluation(false);
    expect(doc()).toBe(fast);
  });
});
