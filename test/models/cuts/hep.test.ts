/**
 * The boxes as `.hep` text: each `region` line parses with the language's own parser, and the
 * expression, evaluated on the features' own (unscaled) values, selects exactly the events the
 * model's boxes select from the scaled values — through normal, log, clipped and negative-scale
 * scalers, with missing values.
 */
import { describe, expect, it } from "vitest";
import type * as A from "../../../grammar/ast.js";
import { parseText } from "../../../compiler/syntax/parse.js";
import { cutsToHep, fitCuts, passMask, type CutsModelJson } from "../../../runtime/models/cuts/index.js";
import { applyScalers, fitScaler } from "../../../runtime/train/scaling.js";
import type { Scaling } from "../../../runtime/train/spec.js";
import { CLASSES, rng } from "./helpers.js";
import type { FoldData } from "../../../runtime/train/types.js";

const NAMES = ["ht", "mjj", "met", "jets[0].pt", "eta"];
const SCALINGS: Scaling[] = [
  { kind: "normal" },
  { kind: "log" },
  { kind: "manual", shift: 50, scale: -0.01, low: -3, high: 3 }, // a negative scale: cuts swap sides
  { kind: "none" },
  { kind: "normal", clip: 1 }, // clipping: most values sit on a bound
];

/** Raw events: signal harder in ht, mjj, met; jets[0].pt missing for a tenth of the events. */
function events(seed: number, n: number): { raw: number[][]; label: number[] } {
  const r = rng(seed);
  const raw: number[][] = [];
  const label: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = i % 2;
    raw.push([
      200 + 80 * r.normal() + 90 * s,
      Math.exp(4.5 + 0.5 * r.normal() + 0.4 * s),
      40 + 25 * Math.abs(r.normal()) + 15 * s,
      r.u() < 0.1 ? NaN : 30 + 40 * r.u() + 10 * s,
      2.5 * r.normal() + 0.8 * s,
    ]);
    label.push(s);
  }
  return { raw, label };
}

function foldFrom(raw: number[][], label: number[]): FoldData {
  const n = raw.length;
  const rows = Array.from({ length: n }, (_, i) => i);
  const w = new Float64Array(n).fill(1);
  const scalers = SCALINGS.map((s, j) => fitScaler(s, raw.map((x) => x[j]), rows, w));
  const columns = applyScalers(NAMES.map((_, j) => Float64Array.from(raw, (x) => x[j])), scalers);
  const empty = NAMES.map(() => new Float32Array(0));
  return { fold: -1, columns, label: Int32Array.from(label), weight: Float32Array.from(w), n, valid: { columns: empty, label: new Int32Array(0), weight: new Float32Array(0), n: 0 }, scalers };
}

/** A region expression evaluated on one event; names and members are looked up by their text. */
function evaluate(e: A.Expr, text: string, value: (name: string) => number): number | boolean {
  switch (e.kind) {
    case "Binary": {
      const l = evaluate(e.left, text, value);
      const r = evaluate(e.right, text, value);
      if (e.op === "and") return Boolean(l) && Boolean(r);
      if (e.op === ">") return (l as number) > (r as number);
      if (e.op === "<") return (l as number) < (r as number);
      throw new Error(`unexpected operator ${e.op}`);
    }
    case "Unary":
      return -(evaluate(e.operand, text, value) as number);
    case "Number":
      return e.value;
    case "Bool":
      return e.value;
    default:
      return value(text.slice(e.span.start, e.span.end));
  }
}

function regionSelects(line: string, raw: number[][]): Uint8Array {
  const parsed = parseText("wp.hep", line + "\n");
  expect(parsed.diagnostics).toEqual([]);
  const decl = parsed.ast.decls[0] as A.RegionDecl;
  expect(decl.kind).toBe("Region");
  return Uint8Array.from(raw, (x) => (evaluate(decl.expr, parsed.text, (name) => x[NAMES.indexOf(name)]) ? 1 : 0));
}

describe("cut_and_count: the cuts as .hep text", () => {
  const train = events(1, 4000);
  const data = foldFrom(train.raw, train.label);
  const model = fitCuts(data, { efficiencies: [0.9, 0.6, 0.3] }, { classes: CLASSES }).toJSON();
  const lines = cutsToHep(model, NAMES);

  it("writes one region per box, in the features' own units", () => {
    expect(lines.map((l) => l.split(" = ")[0])).toEqual(["region wp90", "region wp60", "region wp30"]);
    // the tightest box cuts several features, and met (negative scale) gets its cut the other way round
    expect(model.boxes[2].cuts.length).toBeGreaterThan(1);
    for (const c of model.boxes.flatMap((b) => b.cuts)) {
      if (c.feature === 2) {
        expect(c.above === null || c.scaledBelow !== null).toBe(true);
        expect(c.below === null || c.scaledAbove !== null).toBe(true);
      }
    }
  });

  it("parses and selects the same events as the model, on the training events and on new ones", () => {
    const fresh = events(2, 4000);
    const freshColumns = applyScalers(NAMES.map((_, j) => Float64Array.from(fresh.raw, (x) => x[j])), data.scalers);
    model.boxes.forEach((box, k) => {
      expect(regionSelects(lines[k], train.raw)).toEqual(passMask(box, data.columns, data.n));
      expect(regionSelects(lines[k], fresh.raw)).toEqual(passMask(box, freshColumns, fresh.raw.length));
    });
  });

  it("prints short numbers, parenthesises expressions and writes a box without cuts as true", () => {
    const none: CutsModelJson = { ...model, boxes: [{ ...model.boxes[0], target: 0.925, cuts: [] }] };
    expect(cutsToHep(none, NAMES, { prefix: "cuts_" })).toEqual(["region cuts_92p5 = true"]);
    const one: CutsModelJson = { ...model, boxes: [{ ...model.boxes[0], cuts: [{ feature: 0, above: 312.5, below: null, scaledAbove: 0, scaledBelow: null }] }] };
    expect(cutsToHep(one, ["ht(jets) / 2", ...NAMES.slice(1)])).toEqual(["region wp90 = (ht(jets) / 2) > 312.5"]);
    expect(cutsToHep(one, NAMES)).toEqual(["region wp90 = ht > 312.5"]);
    // negative and exponent forms read back as the same numbers
    const odd: CutsModelJson = { ...model, boxes: [{ ...model.boxes[0], cuts: [{ feature: 4, above: -3.5, below: 1e-7, scaledAbove: 0, scaledBelow: 1 }, { feature: 0, above: 2.5e21, below: null, scaledAbove: 0, scaledBelow: null }] }] };
    const [line] = cutsToHep(odd, NAMES);
    expect(line).toBe("region wp90 = eta > -3.5 and eta < 1e-7 and ht > 2.5e+21");
    const raw = [[3e21, 0, 0, 0, -1], [3e21, 0, 0, 0, 1e-6], [2e21, 0, 0, 0, 0], [3e21, 0, 0, 0, -4]];
    expect([...regionSelects(line, raw)]).toEqual([1, 0, 0, 0]);
  });
});
