/**
 * Samples classed by conditions (`classes { b = is_b; ... }`, plan TrainNode.labels): the mask
 * columns of their classes, the class of each event (the first whose condition holds), and the
 * train node as the training-data preparation sees it, where such a sample becomes one part per
 * class (`SAMPLE#CLASS`) so that runtime/train keeps one class per part. The test-fraction draw of
 * an event uses its part's name, in training and in scoring alike.
 */
import type { ExprIR, TrainNode } from "../../../plan/types.js";
import { hashOf } from "../../../plan/canonical.js";
import type { CachedOutput } from "../stream.js";
import type { SampleScope } from "./types.js";

/** The classes of a sample classed by conditions, in order, or undefined for a sample of one class. */
export function labelsOf(t: TrainNode, sample: string): Array<{ class: string; expr: ExprIR }> | undefined {
  return t.labels?.[sample];
}

/** The part of a sample classed by conditions that holds one class. */
export function partName(sample: string, cls: string): string {
  return `${sample}#${cls}`;
}

/** The key of the mask column of the k-th class condition (`suffix` tells the scorer's apart). */
export const labelColumn = (t: TrainNode, k: number, suffix = "") => `label:${t.id}:${k}${suffix}`;

/** Mask columns of a labelled sample's class conditions (none for other samples). */
export function labelOutputs(t: TrainNode, scope: SampleScope, when: { expr: ExprIR; hash: string } | undefined, suffix = ""): CachedOutput[] {
  const labels = labelsOf(t, scope.read.sample);
  if (!labels) return [];
  return labels.map((l, k) => ({
    key: labelColumn(t, k, suffix),
    expr: l.expr,
    as: "mask" as const,
    when: when?.expr,
    cacheKey: when ? hashOf({ v: scope.keyOf(l.expr), when: when.hash, as: "mask" }) : hashOf({ v: scope.keyOf(l.expr), as: "mask" }),
  }));
}

/** The class index (into the sample's labels) of event i: the first condition that holds, or -1. */
export function classAt(masks: Uint8Array[], i: number): number {
  for (let k = 0; k < masks.length; k++) if (masks[k][i]) return k;
  return -1;
}

/** The train node with every labelled sample replaced, in each of its classes, by that class's part. */
export function preparedSpec(t: TrainNode): TrainNode {
  if (!t.labels) return t;
  const labels = t.labels;
  const classes = Object.fromEntries(Object.entries(t.classes).map(([cls, samples]) => [cls, samples.map((s) => (labels[s] ? partName(s, cls) : s))]));
  return { ...t, classes };
}
