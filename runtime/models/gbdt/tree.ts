/**
 * A grown tree as flat arrays, nodes numbered in the order they were made (the root is 0).
 * A leaf has feature −1 and its value (already multiplied by the learning rate). A split sends a
 * row left when its value is below `threshold` (the cut after `bin`), right otherwise, and a
 * missing value (NaN) to its default side.
 */
import { MISSING_BIN } from "./layout.js";

export interface Tree {
  feature: Int32Array;
  /** The cut value, a float32 (the upper end of bin `bin`). */
  threshold: Float32Array;
  bin: Uint8Array;
  defaultLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
  /** Split gain (0 for leaves). */
  gain: Float64Array;
  /** Sum of hessians of the training rows that reached the node. */
  cover: Float64Array;
}

/** A tree under construction; `finish` freezes it. */
export class TreeBuilder {
  feature: number[] = [];
  threshold: number[] = [];
  bin: number[] = [];
  defaultLeft: number[] = [];
  left: number[] = [];
  right: number[] = [];
  value: number[] = [];
  gain: number[] = [];
  cover: number[] = [];

  add(cover: number): number {
    this.feature.push(-1);
    this.threshold.push(0);
    this.bin.push(0);
    this.defaultLeft.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.value.push(0);
    this.gain.push(0);
    this.cover.push(cover);
    return this.feature.length - 1;
  }

  finish(): Tree {
    return {
      feature: Int32Array.from(this.feature),
      threshold: Float32Array.from(this.threshold),
      bin: Uint8Array.from(this.bin),
      defaultLeft: Uint8Array.from(this.defaultLeft),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      value: Float64Array.from(this.value),
      gain: Float64Array.from(this.gain),
      cover: Float64Array.from(this.cover),
    };
  }
}

/** The leaf a row of a row-major bin matrix reaches. */
export function leafOfBinned(t: Tree, bins: Uint8Array, base: number): number {
  let i = 0;
  while (t.feature[i] >= 0) {
    const b = bins[base + t.feature[i]];
    const left = b === MISSING_BIN ? t.defaultLeft[i] === 1 : b <= t.bin[i];
    i = left ? t.left[i] : t.right[i];
  }
  return i;
}

/** The leaf row r of raw (scaled) feature columns reaches. */
export function leafOfRow(t: Tree, columns: ArrayLike<number>[], r: number): number {
  let i = 0;
  while (t.feature[i] >= 0) {
    const x = columns[t.feature[i]][r];
    const left = x !== x ? t.defaultLeft[i] === 1 : x < t.threshold[i];
    i = left ? t.left[i] : t.right[i];
  }
  return i;
}
