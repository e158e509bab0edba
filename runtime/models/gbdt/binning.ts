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
export const SKETCH_ROWS = 1 << 17;

const TWO21 = 2 ** 21;

/** A float32's bits mapped to an unsigned key with the same order as the floats. */
function sortKey(bits: number): number {
  return bits < 0 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

/** The float32 whose sort key is `key` (the inverse of sortKey). */
function keyToFloat(key: number, f32: Float32Array, i32: Int32Array): number {
  i32[0] = key >= 0x80000000 ? key & 0x7fffffff : ~key;
  return f32[0];
}

/** The raw bits of a column when it is float32 (read without conversion), else null. */
function bitsOf(values: ArrayLike<number>): Int32Array | null {
  return values instanceof Float32Array ? new Int32Array(values.buffer, values.byteOffset, values.length) : null;
}

/** Cut points of one feature (ascending float32 values); `weight` null means unit weights. */
export function quantileCuts(values: ArrayLike<number>, weight: ArrayLike<number> | null, n: number, bins: number): Float32Array {
  const stride = Math.max(1, Math.ceil(n / SKETCH_ROWS));
  const f32 = new Float32Array(1);
  const i32 = new Int32Array(f32.buffer);
  const bits = bitsOf(values);
  // Keys pack the float's order (32 bits) and the row's position in the sample (21 bits) into a
  // double, exactly: a native numeric sort then orders (value, row) pairs without a comparator.
  const keys = new Float64Array(Math.ceil(n / stride));
  const rows = new Int32Array(keys.length);
  let m = 0;
  let total = 0;
  for (let i = 0; i < n; i += stride) {
    let b: number;
    if (bits) b = bits[i];
    else {
      f32[0] = values[i];
      b = i32[0];
    }
    if ((b & 0x7fffffff) > 0x7f800000) continue; // NaN
    if (b === (0x80000000 | 0)) b = 0; // −0 sorts and cuts as +0
    keys[m] = sortKey(b) * TWO21 + m;
    rows[m] = i;
    total += weight ? Math.abs(weight[i]) : 1;
    m++;
  }
  if (total === 0 && weight) return quantileCuts(values, null, n, bins);
  const sorted = keys.subarray(0, m).sort();
  // One pass over the sorted values: the first `bins` distinct values (all of them when there are
  // so few), and the quantile cuts.
  const distinct: number[] = [];
  const cuts: number[] = [];
  let below = 0;
  let j = 1;
  let prevKey = -1;
  for (let q = 0; q < m; q++) {
    const key = Math.floor(sorted[q] / TWO21);
    const slot = sorted[q] - key * TWO21;
    if (key !== prevKey) {
      const v = keyToFloat(key, f32, i32);
      if (distinct.length <= bins) distinct.push(v);
      if (prevKey >= 0) {
        while (j < bins && below >= (j * total) / bins) {
          if (cuts.length === 0 || cuts[cuts.length - 1] !== v) cuts.push(v);
          j++;
        }
      }
      prevKey = key;
    }
    below += weight ? Math.abs(weight[rows[slot]]) : 1;
  }
  return Float32Array.from(distinct.length <= bins ? distinct.slice(1) : cuts);
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

/**
 * A feature's bin lookup for float32 values: for each 16-bit prefix of the sort key, the number
 * of cuts below the prefix's smallest value. A value's bin is then found among the few cuts that
 * share its prefix (usually none), instead of by a binary search over all of them.
 */
function prefixTable(cuts: Float32Array): Int32Array {
  const f32 = new Float32Array(cuts);
  const ck = Array.from(new Int32Array(f32.buffer), (b) => sortKey(b));
  const table = new Int32Array(65537);
  let c = 0;
  for (let p = 0; p <= 65536; p++) {
    const lowest = p * 65536;
    while (c < ck.length && ck[c] < lowest) c++;
    table[p] = c;
  }
  return table;
}

/**
 * The row-major bin matrix of columns under `cuts`: row i's feature f at i·stride + f (stride ≥ F;
 * padding bytes stay 0), written into `out` when given.
 */
export function binMatrix(columns: ArrayLike<number>[], cuts: Float32Array[], n: number, out?: Uint8Array, stride = columns.length): Uint8Array {
  const F = stride;
  const bins = out ?? new Uint8Array(n * F);
  for (let f = 0; f < columns.length; f++) {
    const col = columns[f];
    const c = cuts[f];
    const bits = bitsOf(col);
    if (bits) {
      const table = prefixTable(c);
      for (let i = 0; i < n; i++) {
        let b = bits[i];
        if ((b & 0x7fffffff) > 0x7f800000) {
          bins[i * F + f] = MISSING_BIN;
          continue;
        }
        if (b === (0x80000000 | 0)) b = 0;
        const p = (b < 0 ? ~b >>> 0 : (b | 0x80000000) >>> 0) >>> 16;
        let lo = table[p];
        let hi = table[p + 1];
        const x = col[i];
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (c[mid] <= x) lo = mid + 1;
          else hi = mid;
        }
        bins[i * F + f] = lo;
      }
      continue;
    }
    for (let i = 0; i < n; i++) bins[i * F + f] = binOf(c, col[i]);
  }
  return bins;
}
