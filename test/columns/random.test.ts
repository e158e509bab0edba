/**
 * Random numbers (gauss, uniform): the prelude's Philox-4x32-10 against Random123's known-answer
 * vectors and against an implementation written here in BigInt arithmetic; kernels' draws
 * recomputed event by event and element by element from the documented key (seed, sample, entry,
 * element, call site); independence of calls, samples and seeds; chunk invariance; statistics.
 */
import { describe, expect, it } from "vitest";
import { fnv1a } from "../../compiler/plan/lower.js";
import type { ExprIR } from "../../plan/types.js";
import { compileKernel, KernelError, randomStream } from "../../runtime/columns/index.js";
import { philox } from "../../runtime/columns/prelude.js";
import { expectedDraw, philoxBig } from "../helpers/philox.js";
import { batchOf, call, coll, expectChunkInvariant, jagged, mem, num, planFromText, planSpec } from "./helpers.js";

describe("Philox-4x32-10", () => {
  it("gives Random123's known answers", () => {
    expect(philox([0, 0, 0, 0], [0, 0])).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
    const f = 0xffffffff;
    expect(philox([f, f, f, f], [f, f])).toEqual([0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
    expect(philox([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])).toEqual([0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]);
  });

  it("agrees with a BigInt implementation on counters and keys across the range", () => {
    let s = 12345;
    const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
    for (let t = 0; t < 500; t++) {
      const ctr = [next(), next(), next(), next()];
      const key = [next(), next()];
      expect(philox(ctr, key)).toEqual(philoxBig(ctr, key));
    }
  });
});

describe("gauss and uniform in kernels", () => {
  const site = 0x1234abcd;
  const draw = (fn: "gauss" | "uniform", a: number, b: number, s = site, seed = 7): ExprIR => ({ op: "call", type: "float", fn, args: [num(a), num(b)], site: s, seed });
  const collections = [{ name: "Jet", shape: "jagged" as const, countBranch: undefined, fields: { pt: "Jet_pt" } }];
  const jets = [[50, 40], [], [30, 20, 10], [60]];
  const batch = (entry0 = 0) => batchOf({ Jet_pt: jagged(jets) }, entry0);

  it("per event: the documented key, bit for bit; chunk invariant", () => {
    const stream = randomStream("ttbar");
    const k = compileKernel({ outputs: [{ key: "g", expr: draw("gauss", 1, 0.5), as: "f64" }, { key: "u", expr: draw("uniform", -2, 3), as: "f64" }, { key: "ht", expr: call("sum", "float", mem(coll("Jet"), "pt")), as: "f64" }], defines: {}, regions: {}, collections, stream });
    const out = k.run(batch(1000));
    for (let i = 0; i < 4; i++) {
      expect(out.get("g")![i]).toBe(expectedDraw("gauss", 1, 0.5, 1000 + i, 0xffffffff, site, 7, stream));
      expect(out.get("u")![i]).toBe(expectedDraw("uniform", -2, 3, 1000 + i, 0xffffffff, site, 7, stream));
    }
    expectChunkInvariant(k, batch(1000), [1, 3]);
  });

  it("per element: keyed by the element's position; a missing element draws nothing", () => {
    const stream = randomStream("ttbar");
    // the jets kept by a draw per jet
    const perJet: ExprIR = call("sum", "float", mem(coll("Jet"), "pt"));
    const where: ExprIR = { op: "where", type: "collection<Jet>", args: [coll("Jet"), { op: "binary", type: "bool", fn: "<", args: [draw("uniform", 0, 1), num(0.5)] }] };
    const k = compileKernel({
      outputs: [
        { key: "kept", expr: call("sum", "float", mem(where, "pt")), as: "f64" },
        { key: "all", expr: perJet, as: "f64" },
      ],
      defines: {},
      regions: {},
      collections,
      stream,
    });
    const out = k.run(batch(5));
    jets.forEach((pts, i) => {
      const kept = pts.filter((_, j) => expectedDraw("uniform", 0, 1, 5 + i, j, site, 7, stream) < 0.5);
      expect(out.get("kept")![i]).toBe(kept.reduce((s, x) => s + x, 0));
    });
    expectChunkInvariant(k, batch(5), [2]);
  });

  it("calls, samples and seeds draw different numbers; a kernel without a stream says so", () => {
    const run = (e: ExprIR, sample: string) => Array.from(compileKernel({ outputs: [{ key: "x", expr: e, as: "f64" }], defines: {}, regions: {}, collections, stream: randomStream(sample) }).run(batch()).get("x")!);
    const base = run(draw("uniform", 0, 1), "a");
    expect(run(draw("uniform", 0, 1), "a")).toEqual(base);
    expect(run(draw("uniform", 0, 1, site + 1), "a")).not.toEqual(base);
    expect(run(draw("uniform", 0, 1), "b")).not.toEqual(base);
    expect(run(draw("uniform", 0, 1, site, 8), "a")).not.toEqual(base);
    expect(() => compileKernel({ outputs: [{ key: "x", expr: draw("gauss", 0, 1), as: "f64" }], defines: {}, regions: {}, collections })).toThrow(KernelError);
  });

  it("draws follow their distributions (100,000 events)", () => {
    const n = 100_000;
    const b = batchOf({ Jet_pt: jagged(Array.from({ length: n }, () => [])) });
    const k = compileKernel({ outputs: [{ key: "g", expr: draw("gauss", 2, 3), as: "f64" }, { key: "u", expr: draw("uniform", 0, 1), as: "f64" }], defines: {}, regions: {}, collections, stream: 99 });
    const out = k.run(b);
    const g = out.get("g")!;
    const u = out.get("u")!;
    const mean = (a: Float64Array) => a.reduce((s, x) => s + x, 0) / a.length;
    const sd = (a: Float64Array) => {
      const m = mean(a);
      return Math.sqrt(a.reduce((s, x) => s + (x - m) ** 2, 0) / a.length);
    };
    // 5 standard errors: fails on a biased generator, not by chance
    expect(Math.abs(mean(g) - 2)).toBeLessThan((5 * 3) / Math.sqrt(n));
    expect(Math.abs(sd(g) - 3)).toBeLessThan((5 * 3) / Math.sqrt(2 * n));
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(u.every((x) => x >= 0 && x < 1)).toBe(true);
    // a quarter of normal draws beyond ±1.15σ on each side
    const beyond = g.filter((x) => Math.abs(x - 2) > 3 * 1.1503).length / n;
    expect(Math.abs(beyond - 0.25)).toBeLessThan(0.01);
  });
});

describe("random numbers from .hep", () => {
  const text = (seed: number) => `
analysis rnd { lumi 1 /fb seed ${seed} }
sample ttbar {
  files "../fixtures/root/scikit-hep-testdata/nanoAOD_2015_CMS_Open_Data_ttbar.root"
  tree "Events"
  class signal
}
object jets = Jet where pt > 15 GeV
define smear = gauss(1, 0.1)
define smear2 = gauss(1, 0.1)
define n_kept = count(jets where uniform(0, 1) < 0.7)
region any_jet = count(jets) >= 1
output { histogram smear * jets[0].pt as pt_smeared in any_jet bins 10 0 .. 200 to "out/x.root" }
`;
  it("are keyed by the declaration and the call's order in it; the seed changes them", async () => {
    const plan = await planFromText(text(3));
    const defines = new Map(plan.nodes.filter((n) => n.kind === "define").map((n) => [n.id, n]));
    const siteOf = (id: string) => {
      const n = defines.get(id) as { expr: ExprIR };
      const find = (e: ExprIR): ExprIR | undefined => (e.op === "call" && e.site !== undefined ? e : "args" in e ? e.args.map(find).find(Boolean) : undefined);
      return find(n.expr) as Extract<ExprIR, { op: "call" }>;
    };
    expect(siteOf("define:smear").site).toBe(fnv1a("smear#0"));
    expect(siteOf("define:smear2").site).toBe(fnv1a("smear2#0"));
    expect(siteOf("define:smear").seed).toBe(3);
    const k = compileKernel({ ...planSpec(plan), stream: randomStream("ttbar") });
    const { openRoot } = await import("../../runtime/io/index.js");
    const f = await openRoot(new URL("../fixtures/root/scikit-hep-testdata/nanoAOD_2015_CMS_Open_Data_ttbar.root", import.meta.url).pathname);
    const columns = await f.read("Events", k.branches);
    await f.close();
    const b = { n: 200, entry0: 0, columns };
    const out = k.run(b);
    const smear = Array.from(out.get("define:smear")!);
    const smear2 = Array.from(out.get("define:smear2")!);
    expect(smear).not.toEqual(smear2);
    smear.forEach((x, i) => expect(x).toBe(expectedDraw("gauss", 1, 0.1, i, 0xffffffff, fnv1a("smear#0"), 3, randomStream("ttbar"))));
    expectChunkInvariant(k, b, [1, 77, 150]);
    const other = compileKernel({ ...planSpec(await planFromText(text(4))), stream: randomStream("ttbar") }).run(b);
    expect(Array.from(other.get("define:smear")!)).not.toEqual(smear);
  });
});
