/** Small seeded data sets and AUC for the mlp's tests. */
import type { FoldData } from "../../../runtime/train/types.js";

export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/**
 * Two classes separated by a nonlinear boundary (a ring: signal inside radius 1 in the first two
 * features), plus noise features; weights vary per row.
 */
export function ring(n: number, seed: number, features = 4): { columns: Float32Array[]; label: Int32Array; weight: Float32Array; n: number } {
  const r = lcg(seed);
  const columns = Array.from({ length: features }, () => new Float32Array(n));
  const label = new Int32Array(n);
  const weight = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < features; f++) columns[f][i] = 3 * r() - 1.5;
    const rr = columns[0][i] ** 2 + columns[1][i] ** 2;
    label[i] = rr < 1 ? 1 : 0;
    weight[i] = 0.5 + r();
  }
  return { columns, label, weight, n };
}

export function fold(train: ReturnType<typeof ring>, valid?: ReturnType<typeof ring>): FoldData {
  return { fold: 0, ...train, valid: valid ?? { columns: train.columns.map(() => new Float32Array(0)), label: new Int32Array(0), weight: new Float32Array(0), n: 0 }, scalers: [] };
}

/** Weighted AUC of scores for label 1 against label 0 (ties count half), by sorting. */
export function auc(score: ArrayLike<number>, label: ArrayLike<number>, weight?: ArrayLike<number>): number {
  const idx = Array.from({ length: score.length }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let neg = 0;
  let area = 0;
  let pos = 0;
  for (let k = 0; k < idx.length; ) {
    let j = k;
    let tp = 0;
    let tn = 0;
    while (j < idx.length && score[idx[j]] === score[idx[k]]) {
      const w = weight ? weight[idx[j]] : 1;
      if (label[idx[j]] === 1) tp += w;
      else tn += w;
      j++;
    }
    area += tp * (neg + tn / 2);
    neg += tn;
    pos += tp;
    k = j;
  }
  return area / (pos * neg);
}
