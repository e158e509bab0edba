/** Builders for cut_and_count tests: a FoldData from plain rows, a seeded generator. */
import type { FittedScaler, FoldData } from "../../../runtime/train/types.js";

export const IDENTITY: FittedScaler = { kind: "none", fn: "identity", a: 1, b: 0, lo: -Infinity, hi: Infinity };

/** Rows of scaled feature values with labels and weights (weights 1 when not given). */
export function fold(rows: number[][], label: number[], weight?: number[], scalers?: FittedScaler[], valid?: { rows: number[][]; label: number[]; weight?: number[] }): FoldData {
  const d = rows[0].length;
  const cols = (r: number[][]) => Array.from({ length: d }, (_, j) => Float32Array.from(r, (x) => x[j]));
  return {
    fold: -1,
    columns: cols(rows),
    label: Int32Array.from(label),
    weight: Float32Array.from(weight ?? label.map(() => 1)),
    n: rows.length,
    valid: valid
      ? { columns: cols(valid.rows), label: Int32Array.from(valid.label), weight: Float32Array.from(valid.weight ?? valid.label.map(() => 1)), n: valid.rows.length }
      : { columns: Array.from({ length: d }, () => new Float32Array(0)), label: new Int32Array(0), weight: new Float32Array(0), n: 0 },
    scalers: scalers ?? Array.from({ length: d }, () => IDENTITY),
  };
}

/** A small seeded generator (mulberry32) and a normal draw. */
export function rng(seed: number): { u: () => number; normal: () => number } {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return { u, normal };
}

export const CLASSES = ["background", "signal"];
