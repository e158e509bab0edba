/** Builders for training tests: a train node, a scale node and sample rows, from plain numbers. */
import type { ExprIR, Origin } from "../../plan/types.js";
import type { SampleRows, ScaleSpec, Scaling, TrainSpec } from "../../runtime/train/index.js";

const origin: Origin = { file: "analysis.hep", line: 1, column: 1, endLine: 1, endColumn: 1 };
const entryExpr: ExprIR = { op: "builtin", type: "int", name: "entry" };
export const axisExpr = (name: string): ExprIR => ({ op: "branch", type: "float", name });

export function trainSpec(over: Partial<TrainSpec> = {}): TrainSpec {
  return {
    kind: "train",
    id: "train:bdt",
    origin,
    inputs: [],
    hash: "",
    model: "bdt",
    modelKind: "gbdt",
    options: {},
    features: "f",
    region: null,
    folds: null,
    balance: "none",
    reweight: null,
    validation: null,
    seed: 1,
    classes: { signal: ["sig"], background: ["bkg"] },
    ...over,
  };
}

export const folds = (n: number) => ({ n, by: { op: "binary", type: "int", fn: "%", args: [entryExpr, { op: "const", type: "int", value: n }] } as ExprIR });

export function scaleSpec(features: Array<[string, Scaling]>): ScaleSpec {
  return { kind: "scale", id: "scale:f", origin, inputs: [], hash: "", name: "f", features: features.map(([name, scaling]) => ({ name, expr: axisExpr(name), scaling })) };
}

export interface RowsInit {
  sample: string;
  class: string;
  /** one column per feature */
  features?: number[][];
  weight?: number[];
  fold?: number[];
  entry?: number[];
  axes?: number[][];
  test?: number[];
  n?: number;
}

export function rows(r: RowsInit): SampleRows {
  const n = r.n ?? r.weight?.length ?? r.features?.[0]?.length ?? r.axes?.[0]?.length ?? r.entry?.length ?? 0;
  return {
    sample: r.sample,
    class: r.class,
    entry: Float64Array.from(r.entry ?? Array.from({ length: n }, (_, i) => i)),
    weight: Float64Array.from(r.weight ?? new Array(n).fill(1)),
    fold: Float64Array.from(r.fold ?? new Array(n).fill(0)),
    features: (r.features ?? [Array.from({ length: n }, (_, i) => i)]).map((c) => Float64Array.from(c)),
    reweightAxes: (r.axes ?? []).map((c) => Float64Array.from(c)),
    test: r.test ? Uint8Array.from(r.test) : null,
  };
}

/** Cuts each sample's rows into chunks of `size` and shuffles them deterministically. */
export function chunked(all: SampleRows[], size: number): SampleRows[] {
  const out: SampleRows[] = [];
  for (const r of all) {
    for (let a = 0; a < r.entry.length; a += size) {
      const b = Math.min(a + size, r.entry.length);
      out.push({
        sample: r.sample,
        class: r.class,
        entry: r.entry.slice(a, b),
        weight: r.weight.slice(a, b),
        fold: r.fold.slice(a, b),
        features: r.features.map((c) => c.slice(a, b)),
        reweightAxes: r.reweightAxes.map((c) => c.slice(a, b)),
        test: r.test ? r.test.slice(a, b) : null,
      });
    }
  }
  // A fixed permutation: reversed, odd positions first, so samples and chunks interleave.
  out.reverse();
  return [...out.filter((_, i) => i % 2 === 1), ...out.filter((_, i) => i % 2 === 0)];
}

/** A small deterministic generator for test data (not the code under test's hash). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
