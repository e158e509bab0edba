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
 * gives the bin of every value whose cell holds no edge, and findBin the rest.
 *
 * Why "no edge near": the cell of a value is computed in floating point and may be one off the
 * cell the value lies in. A cell is marked clean only when no edge's computed cell is within two
 * of it; then no edge lies in the cells around it (an edge's own cell is also at most one off),
 * so every value computed into it is in the same bin as the cell's middle. The branch that
 * takes the rest is rarely taken (10M pT values in 20 bins: 1.2%), so it is predicted; the
 * earlier design walked from a cell's first bin to the value's with comparisons against the
 * edges, whose branches cost ~4 ns a value (bench/evaluate.ts: 67 ms against 33 ms).
 */
function axisBins(edgeList: number[], values: Float64Array, out: Int32Array): Int32Array {
  const n = values.length;
  const edges = Float64Array.from(edgeList);
  const nb = edges.length - 1;
  const lo = edges[0], hi = edges[nb];
  // Enough cells that few values are near an edge, and a table of 64 or 128 KiB (second-level
  // cache; its reads are independent of each other, so their latency overlaps)
  const cells = 1 << 16;
  const scale = cells / (hi - lo);
  const table = nb < 128 ? new Int8Array(cells + 2) : new Int32Array(cells + 2);
  for (let c = 0; c < cells; c++) table[c] = findBin(edgeList, lo + (c + 0.5) / scale);
  // a value just below hi may compute to cell `cells` (rounding); NOT_CLEAN there too
  table[cells] = table[cells + 1] = NOT_CLEAN;
  for (const e of edges) {
    const ce = Math.floor((e - lo) * scale);
    for (let c = Math.max(0, ce - 2); c <= Math.min(cells + 1, ce + 2); c++) table[c] = NOT_CLEAN;
  }
  // a range so wide that the cell arithmetic overflows: every value takes findBin
  if (!Number.isFinite(scale) || !Number.isFinite((hi - lo) * scale)) table.fill(NOT_CLEAN);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v >= lo && v < hi) {
      // lo ≤ v < hi: the cell is in [0, cells] (truncation is floor here)
      const b = table[((v - lo) * scale) | 0];
      if (b >= 0) {
        out[i] = b;
        continue;
      }
    }
    out[i] = findBin(edgeList, v);
  }
  return out;
}

/** A cell with an edge in or near it: its values take findBin. */
const NOT_CLEAN = -2;

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
