/**
 * Bins of one or two variables, from their edges. A bin is [lo, hi): a value equal to the last
 * edge, below the first, or NaN is in no bin (ROOT's under/overflow, left out of per-bin figures).
 * Two variables make nx·ny bins, flattened as ix + nx·iy.
 */

export interface BinAxis {
  /** The variable's name as the analysis wrote it. */
  variable: string;
  /** Strictly increasing, at least two. */
  edges: number[];
}

export interface BinInfo {
  /** Flattened index. */
  index: number;
  /** One range per axis, in axis order. */
  ranges: { variable: string; lo: number; hi: number }[];
}

/** Why the axes are unusable, or null. */
export function checkAxes(axes: BinAxis[]): string | null {
  if (axes.length < 1 || axes.length > 2) return `bins take one or two variables, not ${axes.length}`;
  for (const a of axes) {
    if (a.edges.length < 2) return `bins of '${a.variable}' need at least two edges`;
    for (let k = 0; k < a.edges.length; k++) {
      if (!Number.isFinite(a.edges[k])) return `edge ${a.edges[k]} of '${a.variable}' is not a finite number`;
      if (k > 0 && !(a.edges[k] > a.edges[k - 1])) return `edges of '${a.variable}' are not increasing at ${a.edges[k]}`;
    }
  }
  return null;
}

export function binCount(axes: BinAxis[]): number {
  return axes.reduce((n, a) => n * (a.edges.length - 1), 1);
}

/** The bin of value x on an axis, or -1. */
export function findBin(edges: number[], x: number): number {
  if (!(x >= edges[0] && x < edges[edges.length - 1])) return -1;
  let lo = 0, hi = edges.length - 1; // edges[lo] <= x < edges[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x >= edges[mid]) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * The flattened bin of every event (-1 outside), from one value array per axis.
 * @param into where to write them (as long as the values; every element is written), e.g. memory
 *   lent by scratch.ts, or absent for a new array
 */
export function assignBins(axes: BinAxis[], values: Float64Array[], into?: Int32Array): Int32Array {
  const n = values[0].length;
  if (into && into.length !== n) throw new RangeError(`assignBins: ${into.length} bins for ${n} events`);
  const out = into ?? new Int32Array(n);
  const nx = axes[0].edges.length - 1;
  const x = axisBins(axes[0].edges, values[0], axes.length === 1 ? out : new Int32Array(n));
  if (axes.length === 1) return x;
  const y = axisBins(axes[1].edges, values[1], new Int32Array(n));
  for (let i = 0; i < n; i++) out[i] = x[i] < 0 || y[i] < 0 ? -1 : x[i] + nx * y[i];
  return out;
}

/**
 * findBin for every value, exactly, without a binary search per value (its branches mispredict
 * on every level; 10M values took ~0.3 s): a table over equal cells of [first edge, last edge)
 * gives a bin near the value's, and comparisons with the real edges move it to the right one.
 * The cell arithmetic may round either way; the comparisons make the result exact regardless.
 */
function axisBins(edgeList: number[], values: Float64Array, out: Int32Array): Int32Array {
  const n = values.length;
  const edges = Float64Array.from(edgeList);
  const nb = edges.length - 1;
  const lo = edges[0], hi = edges[nb];
  // enough cells that few hold an edge, so a value seldom moves from its cell's bin (a move is a
  // branch that mispredicts); the table stays small enough for the first-level cache
  const cells = Math.min(1 << 16, Math.max(4096, 64 * nb));
  const scale = cells / (hi - lo);
  const first = new Int32Array(cells);
  for (let c = 0; c < cells; c++) {
    const at = lo + c / scale;
    let b = first[c - 1] ?? 0;
    while (b < nb - 1 && at >= edges[b + 1]) b++;
    first[c] = b;
  }
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!(v >= lo && v < hi)) { out[i] = -1; continue; }
    // v ≥ lo, so truncation is floor; NaN or ±Infinity (a range the arithmetic overflows) give 0
    let c = ((v - lo) * scale) | 0;
    if (c >= cells) c = cells - 1;
    else if (c < 0) c = 0;
    let b = first[c];
    while (b < nb - 1 && v >= edges[b + 1]) b++;
    while (b > 0 && v < edges[b]) b--;
    out[i] = b;
  }
  return out;
}

export function binInfo(axes: BinAxis[]): BinInfo[] {
  const nx = axes[0].edges.length - 1;
  const out: BinInfo[] = [];
  for (let b = 0; b < binCount(axes); b++) {
    const ix = b % nx, iy = Math.floor(b / nx);
    const ranges = [{ variable: axes[0].variable, lo: axes[0].edges[ix], hi: axes[0].edges[ix + 1] }];
    if (axes.length === 2) ranges.push({ variable: axes[1].variable, lo: axes[1].edges[iy], hi: axes[1].edges[iy + 1] });
    out.push({ index: b, ranges });
  }
  return out;
}
