/**
 * Multiclass ROC AUCs as sklearn defines them (roc_auc_score with multi_class='ovr' / 'ovo'):
 *
 * - one-vs-rest: for each class c, the binary AUC of score c with class c as signal and every
 *   other class as background; averaged as the plain mean ("macro") or weighted by each class's
 *   total weight ("weighted", sklearn's prevalence with sample weights).
 * - one-vs-one (Hand & Till): for each pair a < b, on the events of classes a and b only, the
 *   mean of AUC(score a, a vs b) and AUC(score b, b vs a); averaged as the mean ("macro") or
 *   weighted by the pair's share of the total weight ("weighted"; sklearn has no sample weights
 *   for one-vs-one and uses the share of events, which this is for unit weights).
 *
 * Pairs or classes whose AUC is undefined are reported with the reason and left out of averages.
 */
import { binaryCurve } from "./curve.js";
import { restrict } from "./order.js";
import { auc } from "./roc.js";
import { undefinedFigure, type Figure } from "./types.js";

export interface OvrResult {
  perClass: Figure[];
  macro: Figure;
  weighted: Figure;
}

export interface OvoPair {
  a: number;
  b: number;
  /** AUC(score a | a vs b), AUC(score b | b vs a), and their mean. */
  aVsB: Figure;
  bVsA: Figure;
  auc: Figure;
}

export interface OvoResult {
  pairs: OvoPair[];
  macro: Figure;
  weighted: Figure;
}

function average(values: Figure[], weights: number[]): Figure {
  let sum = 0, sw = 0, n = 0;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (typeof v !== "number") continue;
    sum += v * weights[k];
    sw += weights[k];
    n++;
  }
  if (n === 0) return undefinedFigure("no class or pair has a defined AUC");
  if (!(sw > 0)) return undefinedFigure(`the averaging weights sum to ${sw}`);
  return sum / sw;
}

/**
 * @param orders per class, the events ranked by decreasing score of that class (restricted to
 *   the events evaluated)
 */
export function oneVsRest(scores: Float64Array[], label: Int32Array, weight: Float64Array, orders: Uint32Array[]): OvrResult {
  const C = scores.length;
  const perClass: Figure[] = [];
  const prevalence = new Array<number>(C).fill(0);
  for (const i of orders[0]) prevalence[label[i]] += weight[i];
  for (let c = 0; c < C; c++) perClass.push(auc(binaryCurve(scores[c], weight, orders[c], (i) => label[i] === c)));
  return { perClass, macro: average(perClass, perClass.map(() => 1)), weighted: average(perClass, prevalence) };
}

export function oneVsOne(scores: Float64Array[], label: Int32Array, weight: Float64Array, orders: Uint32Array[]): OvoResult {
  const C = scores.length;
  const pairs: OvoPair[] = [];
  const share: number[] = [];
  let total = 0;
  for (const i of orders[0]) total += weight[i];
  for (let a = 0; a < C; a++) {
    for (let b = a + 1; b < C; b++) {
      const inPair = (i: number) => label[i] === a || label[i] === b;
      const aVsB = auc(binaryCurve(scores[a], weight, restrict(orders[a], inPair), (i) => label[i] === a));
      const bVsA = auc(binaryCurve(scores[b], weight, restrict(orders[b], inPair), (i) => label[i] === b));
      const mean: Figure = typeof aVsB === "number" && typeof bVsA === "number" ? (aVsB + bVsA) / 2 : typeof aVsB !== "number" ? aVsB : bVsA;
      pairs.push({ a, b, aVsB, bVsA, auc: mean });
      let w = 0;
      for (const i of orders[0]) if (inPair(i)) w += weight[i];
      share.push(total !== 0 ? w / total : 0);
    }
  }
  const aucs = pairs.map((p) => p.auc);
  return { pairs, macro: average(aucs, aucs.map(() => 1)), weighted: average(aucs, share) };
}
