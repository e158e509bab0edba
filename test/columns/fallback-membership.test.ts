/**
 * The fallback `a ?? b` and set membership `x in [...]` / `x not in [...]` in the kernels: on
 * hand-made columns with values worked out by hand, and on a plan compiled from .hep text over a
 * real file, against a direct loop over the file's columns.
 */
import { describe, expect, it } from "vitest";
import type { ExprIR } from "../../plan/types.js";
import { compileKernel } from "../../runtime/columns/index.js";
import { openRoot } from "../../runtime/io/index.js";
import { repoPath } from "../helpers/repo.js";
import { at, br, call, expectChunkInvariant, flat, jagged, num, planFromText, planSpec, values } from "./helpers.js";

const fallback = (type: string, a: ExprIR, b: ExprIR): ExprIR => ({ op: "binary", type, fn: "??", args: [a, b] });
const member = (type: string, negated: boolean, x: ExprIR, ...set: ExprIR[]): ExprIR => ({ op: "in", type, negated, args: [x, ...set] });

describe("a ?? b", () => {
  const x = br("x", "list<float>");
  const cols = { x: jagged([[1, 5], [], [3], [2, 7, 4]]) };

  it("replaces a missing max (an empty list) and keeps a present one", () => {
    expect(values(fallback("float", call("max", "float", x), num(0)), cols)).toEqual([5, 0, 3, 7]);
  });

  it("replaces an index past the end by the fallback: jets[2] ?? -1", () => {
    expect(values(fallback("float", at(x, 2), num(-1)), cols)).toEqual([-1, -1, -1, 4]);
  });

  it("chains right to left: a ?? b ?? c takes the first present value", () => {
    const e = fallback("float", at(x, 2), fallback("float", at(x, 1), num(-9)));
    // event 0: [1, 5] → x[1] = 5; event 1: [] → -9; event 2: [3] → -9; event 3: x[2] = 4
    expect(values(e, cols)).toEqual([5, -9, -9, 4]);
  });

  it("applies element by element over a list: sum(sqrt(x) ?? 0) skips the missing roots", () => {
    const y = br("y", "list<float>");
    const e = call("sum", "float", fallback("list<float>", call("sqrt", "list<float>", y), num(0)));
    expect(values(e, { y: jagged([[4, -1, 9], [-4], []]) })).toEqual([5, 0, 0]);
  });

  it("takes a per-event fallback: x[0] ?? z", () => {
    expect(values(fallback("float", at(x, 0), br("z")), { ...cols, z: flat([10, 20, 30, 40]) })).toEqual([1, 20, 3, 2]);
  });
});

describe("x in [...] and x not in [...]", () => {
  const d = br("d", "int");
  const cols = { d: flat([0, 2, 10, 1, 11], "i4") };

  it("tests a per-event number against the set", () => {
    expect(values(member("bool", false, d, num(0), num(1), num(10)), cols)).toEqual([1, 0, 1, 1, 0]);
    expect(values(member("bool", true, d, num(0), num(1), num(10)), cols)).toEqual([0, 1, 0, 0, 1]);
  });

  it("a missing number is in no set, and not outside one either (conditions are never missing)", () => {
    const x = br("x", "list<float>");
    const c = { x: jagged([[1], [], [5]]) };
    expect(values(member("bool", false, at(x, 0), num(1), num(5)), c)).toEqual([1, 0, 1]);
    expect(values(member("bool", true, at(x, 0), num(1)), c)).toEqual([0, 0, 1]);
  });

  it("lifts over a list: count(x in [1, 3])", () => {
    const x = br("x", "list<int>");
    const e = call("count", "int", member("list<bool>", false, x, num(1), num(3)));
    expect(values(e, { x: jagged([[1, 2, 3, 3], [], [4, 1]], "i4") })).toEqual([3, 0, 1]);
  });

  it("compares with per-event values in the set", () => {
    expect(values(member("bool", false, br("a"), br("b"), num(7)), { a: flat([1, 7, 3]), b: flat([1, 2, 4]) })).toEqual([1, 1, 0]);
  });
});

describe("on a real file (single_top.root)", () => {
  const header = `analysis t { lumi 50 /pb }
sample st {
  files "../fixtures/root/cms-hep-tutorial/single_top.root"
  tree "events"
  class signal
}
`;
  it("jets[2].pt ?? -1, max(Muon.pt) ?? 0 and NJet in [2, 3] agree with a direct loop", async () => {
    const plan = await planFromText(`${header}
define third_pt = Jet[2].Px ?? -1
define max_mu_px = max(Muon.Px) ?? 0
define two_or_three = NJet in [2, 3]
define not_two_or_three = NJet not in [2, 3]
`);
    const k = compileKernel(planSpec(plan));
    const f = await openRoot(repoPath("test/fixtures/root/cms-hep-tutorial/single_top.root"));
    const b = await (async () => {
      try {
        const columns = await f.read("events", k.branches);
        const first = columns.get(k.branches[0])!;
        return { n: first.kind === "jagged" ? first.offsets.length - 1 : first.values.length, entry0: 0, columns };
      } finally {
        await f.close();
      }
    })();
    const out = k.run(b);
    const jet = b.columns.get("Jet_Px")!;
    const mu = b.columns.get("Muon_Px")!;
    const nj = b.columns.get("NJet")!;
    if (jet.kind !== "jagged" || mu.kind !== "jagged" || nj.kind !== "flat") throw new Error("unexpected column kinds");
    let seenMissing = 0;
    for (let i = 0; i < b.n; i++) {
      const j0 = jet.offsets[i];
      const j1 = jet.offsets[i + 1];
      const third = j1 - j0 > 2 ? Number(jet.values[j0 + 2]) : -1;
      if (j1 - j0 <= 2) seenMissing++;
      expect(out.get("define:third_pt")![i]).toBe(third);
      let m = -Infinity;
      for (let q = mu.offsets[i]; q < mu.offsets[i + 1]; q++) m = Math.max(m, Number(mu.values[q]));
      expect(out.get("define:max_mu_px")![i]).toBe(mu.offsets[i + 1] > mu.offsets[i] ? m : 0);
      const n = Number(nj.values[i]);
      expect(out.get("define:two_or_three")![i]).toBe(n === 2 || n === 3 ? 1 : 0);
      expect(out.get("define:not_two_or_three")![i]).toBe(n === 2 || n === 3 ? 0 : 1);
    }
    // the file has events with fewer than three jets, so the fallback is exercised
    expect(seenMissing).toBeGreaterThan(0);
    expectChunkInvariant(k, b, [5, 1000]);
  });
});

describe("best with tie-breaking criteria", () => {
  // C: a collection with fields a, b (criteria) and v (the value picked out)
  const collections = [{ name: "C", shape: "jagged" as const, countBranch: "nC", fields: { a: "C_a", b: "C_b", v: "C_v" } }];
  const C: ExprIR = { op: "collection", type: "collection<C>", name: "C" };
  const f = (name: string): ExprIR => ({ op: "field", type: "float", name });
  const pick = (...crits: ExprIR[]): ExprIR => ({ op: "member", type: "float", name: "v", args: [call("best", "C", C, ...crits)] });
  const cols = {
    nC: flat([3, 3, 2, 0, 3], "i4"),
    // event 0: a ties between elements 0 and 2, b decides (2 has the smaller b)
    // event 1: a and b tie for 1 and 2: the first of them wins
    // event 2: the smallest a is missing (never wins); the other is taken
    // event 3: no elements
    // event 4: a ties for all; b missing for element 0 (loses to present), element 2 smallest b
    C_a: jagged([[1, 5, 1], [7, 2, 2], [NaN, 3], [], [4, 4, 4]]),
    C_b: jagged([[9, 0, 3], [1, 6, 6], [1, 1], [], [NaN, 8, 2]]),
    C_v: jagged([[10, 11, 12], [20, 21, 22], [30, 31], [], [40, 41, 42]]),
  };

  it("compares the criteria in order, like a lexicographic minimum", () => {
    expect(values(pick(f("a"), f("b")), cols, { collections })).toEqual([12, 21, 31, NaN, 42]);
  });

  it("with one criterion it is the plain best: ties go to the first", () => {
    expect(values(pick(f("a")), cols, { collections })).toEqual([10, 21, 31, NaN, 40]);
  });

  it("a third criterion is reached only through ties of the first two", () => {
    const neg = (x: ExprIR): ExprIR => ({ op: "unary", type: "float", fn: "-", args: [x] });
    // event 1: (2, 6) ties for elements 1 and 2; -v prefers the larger v: element 2
    expect(values(pick(f("a"), f("b"), neg(f("v"))), cols, { collections })).toEqual([12, 22, 31, NaN, 42]);
  });
});
