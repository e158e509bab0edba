/**
 * The training settings as this folder reads them from the plan's `train` and `scale` nodes, with
 * the defaults of fields that older plans do not carry. The fields `test`, `classWeights`,
 * `negativeWeights`, `reweight.merge`, `reweight.maxWeight` and the `manual` scaling are declared
 * optional here so that a plan with or without them type-checks; their absence means the default.
 */
import type { ExprIR, ScaleNode, TrainNode } from "../../plan/types.js";

export type NegativeWeights = "keep" | "abs" | "drop";

export interface ReweightSpec {
  mode: string;
  target: string | null;
  axes: Array<{ expr: ExprIR; edges: number[] }>;
  /** Classes reweighted together as one group (weaver's `reweight_classes`). */
  merge?: string[][] | null;
  /** The largest factor reweighting may give an event (the factors average 1 within a group). */
  maxWeight?: number | null;
}

export type TrainSpec = Omit<TrainNode, "reweight"> & {
  reweight: ReweightSpec | null;
  test?: { fraction: number } | { expr: ExprIR } | null;
  classWeights?: Record<string, number> | null;
  negativeWeights?: NegativeWeights;
};

export interface Scaling {
  kind: string;
  clip?: number;
  low?: number;
  high?: number;
  /** manual: clamp((x − shift) · scale, low, high) */
  shift?: number;
  scale?: number;
}

export type ScaleSpec = Omit<ScaleNode, "features"> & {
  features: Array<{ name: string; expr: ExprIR; scaling: Scaling }>;
};

/** The settings resolved to what the preparation uses, names checked. */
export interface Settings {
  classes: string[];
  /** sample → class index */
  sampleClass: Map<string, number>;
  /** samples in canonical order: class order, then the order the plan lists them */
  samples: string[];
  folds: number | null;
  validation: number;
  test: { kind: "none" } | { kind: "fraction"; fraction: number } | { kind: "expr" };
  negative: NegativeWeights;
  balance: boolean;
  /** per class */
  classWeights: Float64Array;
  reweight: {
    mode: "flat" | "to";
    axes: Array<{ edges: number[]; label: string }>;
    /** class index → group index */
    groupOf: Int32Array;
    groupNames: string[];
    /** the target's rows: a class or a single sample */
    target: { kind: "class"; index: number; name: string } | { kind: "sample"; name: string } | null;
    maxWeight: number | null;
  } | null;
  seed: number;
  features: Array<{ name: string; scaling: Scaling }>;
}

/**
 * The plan's own nodes are accepted as they are: this fails to compile if plan/types.ts changes a
 * field these types read in an incompatible way.
 */
export const PLAN_NODES_FIT: [TrainNode extends TrainSpec ? true : false, ScaleNode extends ScaleSpec ? true : false] = [true, true];
