/** The committed reference values (test/fixtures/evaluate/make.py) and small helpers. */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

export interface BinaryRef {
  name: string;
  label: number[];
  score: number[];
  weight: number[] | null;
  roc: { fpr: number[]; tpr: number[]; thresholds: number[] };
  roc_dropped: { fpr: number[]; tpr: number[] };
  auc: number;
  pr: { precision: number[]; recall: number[]; thresholds: number[] };
  ap: number;
  "confusion_at_0.5": { none: number[][]; true: number[][]; pred: number[][] };
}

export interface Reference {
  versions: Record<string, string>;
  binary: BinaryRef[];
  multiclass: {
    label: number[];
    scores: number[][];
    weight: number[];
    ovr_per_class_weighted: number[];
    ovr_macro_weighted: number;
    ovr_weighted_weighted: number;
    ovo_macro_unweighted: number;
    ovo_weighted_unweighted: number;
    ovo_pairs_unweighted: { a: number; b: number; auc: number }[];
    confusion_argmax: { none: number[][]; true: number[][]; pred: number[][] };
  };
  ks: { a: number[]; b: number[]; d: number; p_kolmogorov: number; p_scipy_asymp: number }[];
  clopper_pearson: { k: number; n: number; cl: number; lo: number; hi: number }[];
  incomplete_beta: { x: number; a: number; b: number; value: number }[];
}

export const REF: Reference = JSON.parse(readFileSync(path.join(here, "../fixtures/evaluate/reference.json"), "utf8"));

export function closeArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} vs ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])))) return `at ${i}: ${actual[i]} vs ${expected[i]}`;
  }
  return null;
}
