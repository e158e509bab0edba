/**
 * List outputs (`as: "list"`, what an ntuple's jagged columns are computed as): per event the
 * elements of a list expression, packed with the batch's offsets, compared with direct loops over
 * the same columns; empty lists outside a `when`; the same lists whatever the batch split; and the
 * source rebuilt from text (as a worker thread does) gives the same packing.
 */
import { describe, expect, it } from "vitest";
import { compileKernel, kernelFromSource, unpackList, type KernelSpec } from "../../runtime/columns/index.js";
import type { CollectionIR } from "../../plan/types.js";
import { batchOf, br, cmp, coll, field, flat, jagged, mem, num, sliceBatch, where } from "./helpers.js";

const JETS: CollectionIR = { name: "Jet", shape: "jagged", fields: { pt: "Jet_pt", eta: "Jet_eta" } };
const pt = [[50, 20, 31], [], [12], [40, 45, 70, 5], [33]];
const eta = [[0.1, -2, 1], [], [3], [-1, 0.5, 2.9, 0], [-0.2]];
const cols = { Jet_pt: jagged(pt, "f4"), Jet_eta: jagged(eta, "f4"), met: flat([10, 80, 35, 5, 60]) };

function lists(packed: Float64Array, n: number): number[][] {
  const { offsets, values } = unpackList(packed, n);
  return Array.from({ length: n }, (_, i) => Array.from(values.subarray(offsets[i], offsets[i + 1])));
}

const jets = coll("Jet");
const hard = where(jets, cmp(">", field("pt"), num(30)));
const spec = (when?: boolean): KernelSpec => ({
  outputs: [
    { key: "pt", expr: mem(jets, "pt"), as: "list" },
    { key: "hard_eta", expr: mem(hard, "eta"), as: "list", ...(when ? { when: cmp(">", br("met"), num(30)) } : {}) },
    { key: "central", expr: mem(jets, "eta"), as: "list" },
    { key: "met", expr: br("met"), as: "f64" },
  ],
  defines: {},
  regions: {},
  collections: [JETS],
});

describe("kernel list outputs", () => {
  it("packs each event's elements after the batch's offsets, beside ordinary outputs", () => {
    const out = compileKernel(spec()).run(batchOf(cols));
    const f4 = (xs: number[][]) => xs.map((l) => l.map((x) => Math.fround(x)));
    expect(lists(out.get("pt") as Float64Array, 5)).toEqual(f4(pt));
    const expected = pt.map((l, i) => l.flatMap((p, k) => (p > 30 ? [Math.fround(eta[i][k])] : [])));
    expect(lists(out.get("hard_eta") as Float64Array, 5)).toEqual(expected);
    expect(Array.from(out.get("met")!)).toEqual([10, 80, 35, 5, 60]);
  });

  it("gives empty lists to events outside the output's condition", () => {
    const out = compileKernel(spec(true)).run(batchOf(cols));
    const got = lists(out.get("hard_eta") as Float64Array, 5);
    expect(got[0]).toEqual([]); // met 10
    expect(got[3]).toEqual([]); // met 5
    expect(got[4]).toEqual([Math.fround(-0.2)]);
  });

  it("is the same split into any batches, and rebuilt from its source", () => {
    const k = compileKernel(spec(true));
    const whole = k.run(batchOf(cols));
    const rebuilt = kernelFromSource(k.source, k.branches, k.outputs, k.inputs).run(batchOf(cols));
    for (const key of ["pt", "hard_eta", "central"]) {
      expect(Array.from(rebuilt.get(key)!)).toEqual(Array.from(whole.get(key)!));
      const parts: number[][] = [];
      for (const [a, b] of [[0, 1], [1, 4], [4, 5]]) parts.push(...lists(k.run(sliceBatch(batchOf(cols), a, b)).get(key) as Float64Array, b - a));
      expect(parts).toEqual(lists(whole.get(key) as Float64Array, 5));
    }
  });

  it("refuses a list output whose expression is not a list", () => {
    expect(() => compileKernel({ ...spec(), outputs: [{ key: "x", expr: br("met"), as: "list" }] })).toThrow(/not a list/);
  });
});
