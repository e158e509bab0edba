import type { FoldData } from "../../../runtime/train/types.js";

/** mulberry32: the tests' seeded data. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function foldData(columns: number[][] | Float32Array[], label: number[] | Int32Array, weight?: number[] | Float32Array, valid?: { columns: Float32Array[]; label: Int32Array; weight: Float32Array }): FoldData {
  const cols = columns.map((c) => Float32Array.from(c));
  const n = cols[0].length;
  return {
    fold: -1,
    columns: cols,
    label: Int32Array.from(label),
    weight: weight ? Float32Array.from(weight) : new Float32Array(n).fill(1),
    n,
    valid: valid ? { ...valid, n: valid.label.length } : { columns: cols.map(() => new Float32Array(0)), label: new Int32Array(0), weight: new Float32Array(0), n: 0 },
    scalers: [],
  };
}

/**
 * A HEP-like matrix: `F` features, some informative, some with missing values, labels from a
 * logistic model of them (classes > 2: the argmax of noisy class scores).
 */
export function synthetic(n: number, F: number, seed: number, classes = 2, missing = 0.1): { columns: Float32Array[]; label: Int32Array; weight: Float32Array } {
  const r = random(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const columns = Array.from({ length: F }, () => new Float32Array(n));
  const label = new Int32Array(n);
  const weight = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x: number[] = [];
    for (let f = 0; f < F; f++) x.push(f % 4 === 3 ? Math.exp(gauss()) : gauss());
    const scores: number[] = [];
    for (let c = 0; c < Math.max(2, classes); c++) scores.push(x[c % F] * (c + 1) * 0.8 - x[(c + 1) % F] * x[(c + 2) % F] * 0.5 + (x[3] > 1.5 ? 0.7 * c : 0) + gauss());
    let y = 0;
    if (classes === 2) y = scores[0] + 0.3 * x[4] > scores[1] ? 1 : 0;
    else for (let c = 1; c < classes; c++) if (scores[c] > scores[y]) y = c;
    label[i] = y;
    weight[i] = r() < 0.05 ? -0.5 : 0.5 + r();
    for (let f = 0; f < F; f++) columns[f][i] = f % 5 === 2 && r() < missing ? NaN : x[f];
  }
  return { columns, label, weight };
}

/** Weighted ROC AUC by sorting (ties share their rank); the tests' independent metric. */
export function auc(score: ArrayLike<number>, label: ArrayLike<number>, weight?: ArrayLike<number>): number {
  const idx = Array.from({ length: score.length }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let negBelow = 0;
  let area = 0;
  let P = 0;
  let N = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    let p = 0;
    let q = 0;
    while (j < idx.length && score[idx[j]] === score[idx[i]]) {
      const w = weight ? weight[idx[j]] : 1;
      if (label[idx[j]] === 1) p += w;
      else q += w;
      j++;
    }
    area += p * (negBelow + q / 2);
    negBelow += q;
    P += p;
    N += q;
    i = j;
  }
  return area / (P * N);
}
