/**
 * Pre-binning: each feature's cut points from a weighted quantile sketch of the training rows,
 * and the row-major uint8 bin matrix the histograms are built from.
 *
 * A value x falls in bin `#{cuts ≤ x}` (0 .. cuts.length), so a split "after bin b" sends
 * x < cuts[b] left: the cut is the threshold a tree stores and exports. Missing values (NaN) get
 * bin 255 whatever the number of cuts, so a histogram has 256 slots per feature.
 *
 * The sketch: the distinct values v_0 < ... < v_{m-1} of a feature with weights W_i (the sum of
 * |weight| of the rows holding v_i; counts when every weight is 0). With m ≤ bins the cuts are
 * v_1 .. v_{m-1} (every value its own bin). Otherwise cut j (1 ≤ j < bins) is the first v_i, i ≥ 1,
 * whose weight below it, Σ_{l<i} W_l, reaches j·W/bins; repeated cuts are dropped. Features with
 * more than SKETCH_ROWS rows are sketched on every s-th row (s = ⌈n / SKETCH_ROWS⌉), a fixed,
 * seed-free choice, which is what keeps binning cheap on millions of rows.
 */
import { MISSING_BIN } from "./layout.js";

export { MISSING_BIN };
export const SKETCH_ROWS = 1 << 18;

const TWO21 = 2 ** 21;

/** A float32's bits mapped to an unsigned key with the same order as the floats. */
function sortKey(bits: number): number {
  return bits < 0 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

/** Cut points of one feature (ascending float32 values); `weight` null means unit weights. */
export function quantileCuts(values: ArrayLike<number>, weight: ArrayLike<number> | null, n: number, bins: number): Float32Array {
  const stride = Math.max(1, Math.ceil(n / SKETCH_ROWS));
  const f32 = new Float32Array(1);
  const i32 = new Int32Array(f32.buffer);
  // Keys pack the float's order (32 bits) and the row's position in the sample (21 bits) into a
  // double, exactly: a native numeric sort then orders (value, row) pairs without a comparator.
  const keys = new Float64Array(Math.ceil(n / stride));
  const rows = new Int32Array(keys.length);
  let m = 0;
  for (let i = 0; i < n; i += stride) {
    const v = values[i];
    if (v !== v) continue;
    f32[0] = v;
    keys[m] = sortKey(i32[0]) * TWO21 + m;
    rows[m] = i;
    m++;
  }
  const sorted = keys.subarray(0, m).sort();
  // Distinct values and their weights.
  const vals: number[] = [];
  const ws: number[] = [];
  let total = 0;
  for (let j = 0; j < m; j++) {
    const slot = sorted[j] % TWO21;
    const r = rows[slot];
    f32[0] = values[r];
    const v = f32[0];
    const w = weight ? Math.abs(weight[r]) : 1;
    if (vals.length === 0 || vals[vals.length - 1] !== v) {
      vals.push(v);
      ws.push(w);
    } else ws[ws.length - 1] += w;
    total += w;
  }
  if (total === 0 && weight) return quantileCuts(values, null, n, bins);
  if (vals.length <= bins) return Float32Array.from(vals.slice(1));
  const cuts: number[] = [];
  let below = 0;
  let j = 1;
  for (let i = 0; i < vals.length && j < bins; i++) {
    if (i >= 1) {
      while (j < bins && below >= (j * total) / bins) {
        if (cuts.length === 0 || cuts[cuts.length - 1] !== vals[i]) cuts.push(vals[i]);
        j++;
      }
    }
    below += ws[i];
  }
  return Float32Array.from(cuts);
}

/** The bin of x given a feature's cuts: the number of cuts ≤ x; MISSING_BIN for NaN. */
export function binOf(cuts: Float32Array, x: number): number {
  if (x !== x) return MISSING_BIN;
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cuts[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The row-major bin matrix (n × F) of columns under `cuts`, written into `out` when given. */
export function binMatrix(columns: ArrayLike<number>[], cuts: Float32Array[], n: number, out?: Uint8Array): Uint8Array {
  const F = columns.length;
  const bins = out ?? new Uint8Array(n * F);
  for (let f = 0; f < F; f++) {
    const col = columns[f];
    const c = cuts[f];
    const nc = c.length;
    for (let i = 0; i < n; i++) {
      const x = col[i];
      let b: number;
      if (x !== x) b = MISSING_BIN;
      else {
        let lo = 0;
        let hi = nc;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (c[mid] <= x) lo = mid + 1;
          else hi = mid;
        }
        b = lo;
      }
      bins[i * F + f] = b;
    }
  }
  return bins;
}
