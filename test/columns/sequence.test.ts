/**
 * Sequence features (compiler/plan/sequence.ts lowered, runtime/columns computing) against values
 * worked out by hand: the elements kept by `where`, sorted by the key (stable), truncated to the
 * length, padded; a missing feature value is the padding; the mask marks real elements. And the
 * binding of a sequence onto an ONNX model's inputs (plan/onnx.ts): which layout, which mask.
 */
import { describe, expect, it } from "vitest";
import { sequenceColumns } from "../../compiler/plan/sequence.js";
import { bindOnnx, type OnnxSignature, type OnnxValue } from "../../plan/onnx.js";
import type { CollectionIR, ExprIR } from "../../plan/types.js";
import { compileKernel } from "../../runtime/columns/index.js";
import { batchOf, jagged } from "./helpers.js";

const Jet: ExprIR = { op: "collection", type: "collection<Jet>", name: "Jet" };
const fld = (name: string): ExprIR => ({ op: "field", type: "float", name });
const num = (value: number): ExprIR => ({ op: "const", type: Number.isInteger(value) ? "int" : "float", value });
const collections: CollectionIR[] = [{ name: "Jet", shape: "jagged", countBranch: "nJet", fields: { pt: "Jet_pt", eta: "Jet_eta" } }];

describe("sequence columns", () => {
  it("keeps the where's elements, sorts stably by the key, truncates, pads, and pads missing values", () => {
    // pt > 15, sorted by -pt, length 2, pad -1, features { pt, eta * 2 }
    const kept: ExprIR = { op: "where", type: "collection<Jet>", args: [Jet, { op: "binary", type: "bool", fn: ">", args: [fld("pt"), num(15)] }] };
    const cols = sequenceColumns({
      collection: kept,
      key: { op: "unary", type: "float", fn: "-", args: [fld("pt")] },
      features: [fld("pt"), { op: "binary", type: "float", fn: "*", args: [fld("eta"), num(2)] }],
      length: 2,
      pad: -1,
    });
    expect(cols.length).toBe(2 * 2 + 2);
    const k = compileKernel({ outputs: cols.map((expr, i) => ({ key: String(i), expr, as: "f64" as const })), defines: {}, regions: {}, collections });
    const out = k.run(
      batchOf({
        // event 0: 10 is cut; the two 30s keep their order (eta 2 before eta 4); 20 is past the length
        // event 1: no jets; event 2: one jet whose eta is missing
        Jet_pt: jagged([[10, 30, 20, 30], [], [40]]),
        Jet_eta: jagged([[1, 2, 3, 4], [], [NaN]]),
      }),
    );
    const row = (i: number) => cols.map((_, c) => out.get(String(c))![i]);
    // pt[k0], pt[k1], (eta*2)[k0], (eta*2)[k1], mask[k0], mask[k1]
    expect(row(0)).toEqual([30, 30, 4, 8, 1, 1]);
    expect(row(1)).toEqual([-1, -1, -1, -1, 0, 0]);
    expect(row(2)).toEqual([40, -1, -1, -1, 1, 0]);
  });

  it("keeps the collection's order without a key", () => {
    const cols = sequenceColumns({ collection: Jet, key: null, features: [fld("pt")], length: 3, pad: 0 });
    const k = compileKernel({ outputs: cols.map((expr, i) => ({ key: String(i), expr, as: "f64" as const })), defines: {}, regions: {}, collections });
    const out = k.run(batchOf({ Jet_pt: jagged([[5, 7]]), Jet_eta: jagged([[0, 0]]) }));
    expect(cols.map((_, c) => out.get(String(c))![0])).toEqual([5, 7, 0, 1, 1, 0]);
  });
});

const tensor = (name: string, shape: Array<number | string | null>): OnnxValue => ({ name, kind: "tensor", elem: 1, shape });
const sig = (...inputs: OnnxValue[]): OnnxSignature => ({ irVersion: 8, opsets: [{ domain: "", version: 13 }], inputs, outputs: [tensor("score", ["N", 1])] });
const spec = { groups: [{ label: "pf", width: 3 * 4, sequence: { features: 3, length: 4 } }], output: null, column: null, classes: null };

describe("a sequence bound to an ONNX model", () => {
  it("is [N, F, L] with a [N, 1, L] mask, or [N, L, F] (reordered) with a [N, L] mask, as the model declares", () => {
    const fl = bindOnnx(sig(tensor("x", ["N", 3, 4]), tensor("mask", ["N", 1, 4])), spec);
    if (!("binding" in fl)) throw new Error(JSON.stringify(fl));
    expect(fl.binding.inputs.map((i) => [i.name, i.first, i.width, i.dims, i.order])).toEqual([
      ["x", 0, 12, [-1, 3, 4], undefined],
      ["mask", 12, 4, [-1, 1, 4], undefined],
    ]);
    const lf = bindOnnx(sig(tensor("x", ["N", 4, 3]), tensor("Mask", ["N", 4])), spec);
    if (!("binding" in lf)) throw new Error(JSON.stringify(lf));
    const x = lf.binding.inputs[0];
    expect(x.dims).toEqual([-1, 4, 3]);
    // tensor position k*F + f holds feature f of element k, whose column is f*L + k
    expect(x.order).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    expect(lf.binding.inputs[1].dims).toEqual([-1, 4]);
  });

  it("feeds no mask to a model without one, and names a shape that fits neither layout", () => {
    const plain = bindOnnx(sig(tensor("x", ["N", "F", "L"])), spec);
    expect("binding" in plain && plain.binding.inputs.map((i) => i.name)).toEqual(["x"]);
    const bad = bindOnnx(sig(tensor("x", ["N", 5, 4]), tensor("mask", ["N", 1, 4])), spec);
    expect("problems" in bad && bad.problems.map((p) => [p.kind, p.message])).toEqual([["sequence", "reads input 'x' with shape [N, 5, 4]: sequence 'pf' is [batch, 3, 4] (features, length) or [batch, 4, 3]"]]);
    const flat = bindOnnx(sig(tensor("x", ["N", 12])), spec);
    expect("problems" in flat && flat.problems[0].kind).toBe("sequence");
  });
});
