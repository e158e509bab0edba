/**
 * A fitted cut_and_count fold: its boxes (cuts in scaled units for scoring, in the feature's own
 * units for reading), their efficiencies, the score, and the stored form (`hepc-cuts/1`).
 *
 * Score: the fraction of the boxes an event passes. With nested boxes, passing k of K boxes means
 * passing the k loosest, and `fraction ≥ k / K` selects exactly the k-th loosest working point:
 * the score's ROC curve runs through the working points. Without nesting (the default) the score
 * still grows with the number of working points an event passes, but a score threshold selects a
 * union of boxes rather than one box. As for every binary model, the
 * score is oriented to the class with label 1: it is that fraction when the signal has label 1,
 * and 1 − fraction when the signal has label 0; either way a higher score means more like label 1.
 */
import type { FittedModel } from "../index.js";
import { CutsError } from "./errors.js";
import type { Objective } from "./options.js";

export interface Cut {
  /** The feature's position in the features list. */
  feature: number;
  /** Events pass when x > above and x < below, x in the feature's own units (null: no such side). */
  above: number | null;
  below: number | null;
  /** The same cuts in scaled units: scaled > scaledAbove and scaled < scaledBelow. */
  scaledAbove: number | null;
  scaledBelow: number | null;
}

/** Weighted sums and efficiencies of one box on one part of the data (training weights). */
export interface BoxFigures {
  events: number;
  signal: number;
  background: number;
  /** null when the part's total is not positive (no such events, or negative weights). */
  signalEfficiency: number | null;
  backgroundEfficiency: number | null;
  rejection: number | null;
  /** s / √(s + b) with the part's weights; null when s + b ≤ 0. */
  significance: number | null;
}

export interface CutsBox {
  /** The target signal efficiency. */
  target: number;
  /** Only the features with a cut, in feature order. */
  cuts: Cut[];
  /** On the training part the box was found on, and on the validation part (null when empty). */
  train: BoxFigures;
  validation: BoxFigures | null;
}

export interface CutsModelJson {
  format: "hepc-cuts/1";
  objective: Objective;
  /** Whether each box lies inside the box of every looser target. */
  nested: boolean;
  /** The signal class and its label; the score is oriented to label 1. */
  signal: { label: number; class: string };
  features: number;
  /** From the loosest (largest target) to the tightest; with `nested`, each inside the one before. */
  boxes: CutsBox[];
}

/** Whether each event passes the box, from scaled columns. A missing value fails any cut on it. */
export function passMask(box: CutsBox, columns: ArrayLike<number>[], n: number): Uint8Array {
  const pass = new Uint8Array(n).fill(1);
  for (const c of box.cuts) {
    const col = columns[c.feature];
    const lo = c.scaledAbove ?? -Infinity;
    const hi = c.scaledBelow ?? Infinity;
    // NaN compares false: a missing value fails
    for (let i = 0; i < n; i++) if (!(col[i] > lo && col[i] < hi)) pass[i] = 0;
  }
  return pass;
}

export class CutsModel implements FittedModel {
  constructor(readonly json: CutsModelJson) {}

  predict(columns: Float32Array[], n: number): Float64Array {
    const { boxes, features, signal } = this.json;
    if (columns.length !== features) throw new CutsError("HEP6073", { reason: `${columns.length} feature columns for a model of ${features} features` });
    const count = new Float64Array(n);
    for (const box of boxes) {
      const pass = passMask(box, columns, n);
      for (let i = 0; i < n; i++) count[i] += pass[i];
    }
    const K = boxes.length;
    for (let i = 0; i < n; i++) count[i] = signal.label === 1 ? count[i] / K : 1 - count[i] / K;
    return count;
  }

  toJSON(): CutsModelJson {
    return this.json;
  }

  static load(json: unknown): CutsModel {
    return new CutsModel(validate(json));
  }
}

function validate(j: unknown): CutsModelJson {
  const bad = (reason: string): never => {
    throw new CutsError("HEP6072", { reason });
  };
  const m = j as CutsModelJson;
  if (!m || typeof m !== "object") bad("not an object");
  if (m.format !== "hepc-cuts/1") bad(`format ${JSON.stringify(m.format)}, expected "hepc-cuts/1"`);
  if (!Number.isInteger(m.features) || m.features < 1) bad("no feature count");
  if (typeof m.nested !== "boolean") bad("no nested flag");
  if (!m.signal || (m.signal.label !== 0 && m.signal.label !== 1)) bad("no signal label");
  if (!Array.isArray(m.boxes) || m.boxes.length === 0) bad("no boxes");
  const num = (v: unknown) => v === null || typeof v === "number";
  for (const b of m.boxes) {
    if (typeof b?.target !== "number" || !Array.isArray(b.cuts)) bad("a box without target or cuts");
    for (const c of b.cuts) {
      if (!Number.isInteger(c?.feature) || c.feature < 0 || c.feature >= m.features) bad(`a cut on feature ${String(c?.feature)}`);
      if (!num(c.above) || !num(c.below) || !num(c.scaledAbove) || !num(c.scaledBelow)) bad("a cut whose bounds are not numbers");
    }
  }
  return m;
}
