/**
 * Split finding on one node's histogram: for each allowed feature, every boundary between value
 * bins, with the missing values sent left and then right. Gains and leaf values use XGBoost's
 * formulas (no L1, no max_delta_step):
 *
 *   score(G, H) = G² / (H + λ), or 0 when H < min_child_weight or H ≤ 0
 *   gain        = score(left) + score(right) − score(node)
 *   leaf value  = −G / (H + λ), or 0 when H < min_child_weight or H ≤ 0
 *
 * The guard on H is what keeps negative event weights (hence negative hessians) from dividing by
 * zero or flipping a leaf's sign. A candidate needs both children's H ≥ min_child_weight and > 0.
 * A split is made when its gain exceeds 1e-6 and is at least `gamma`.
 *
 * Ties keep the first candidate in the order features ascending, bins ascending, missing left
 * before missing right: with no missing values in training, the default direction is left.
 */
import { HIST_STRIDE, MISSING_BIN } from "./layout.js";

export interface Split {
  feature: number;
  /** The last value bin that goes left. */
  bin: number;
  defaultLeft: boolean;
  gain: number;
  GL: number;
  HL: number;
  GR: number;
  HR: number;
}

const RT_EPS = 1e-6;

export function score(G: number, H: number, lambda: number, mcw: number): number {
  return H < mcw || H <= 0 ? 0 : (G * G) / (H + lambda);
}

export function leafWeight(G: number, H: number, lambda: number, mcw: number): number {
  return H < mcw || H <= 0 ? 0 : -G / (H + lambda);
}

/**
 * The best split of a node, or null. `binCount[f]` is the number of value bins of feature f;
 * `features` the features drawn for this tree (ascending).
 */
export function bestSplit(hist: Float64Array, off: number, G: number, H: number, binCount: Int32Array, features: Int32Array, lambda: number, mcw: number, gamma: number): Split | null {
  const parent = score(G, H, lambda, mcw);
  // The best candidate so far, in locals: no object per improvement in this hot loop.
  let bestGain = RT_EPS;
  let bf = -1;
  let bb = 0;
  let bLeft = false;
  let bGL = 0;
  let bHL = 0;
  const floor = mcw > 0 ? mcw : Number.MIN_VALUE;
  for (let fi = 0; fi < features.length; fi++) {
    const f = features[fi];
    const o = off + f * HIST_STRIDE;
    const nb = binCount[f];
    const Gm = hist[o + 2 * MISSING_BIN];
    const Hm = hist[o + 2 * MISSING_BIN + 1];
    const hasMissing = Gm !== 0 || Hm !== 0;
    let GL = 0;
    let HL = 0;
    for (let b = 0; b < nb - 1; b++) {
      GL += hist[o + 2 * b];
      HL += hist[o + 2 * b + 1];
      // Missing values left. (H ≥ floor is the guard H ≥ min_child_weight and H > 0.)
      let gl = GL + Gm;
      let hl = HL + Hm;
      let gr = G - gl;
      let hr = H - hl;
      if (hl >= floor && hr >= floor) {
        const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parent;
        if (gain > bestGain) {
          bestGain = gain;
          bf = f;
          bb = b;
          bLeft = true;
          bGL = gl;
          bHL = hl;
        }
      }
      if (!hasMissing) continue;
      // Missing values right.
      gl = GL;
      hl = HL;
      gr = G - gl;
      hr = H - hl;
      if (hl >= floor && hr >= floor) {
        const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parent;
        if (gain > bestGain) {
          bestGain = gain;
          bf = f;
          bb = b;
          bLeft = false;
          bGL = gl;
          bHL = hl;
        }
      }
    }
  }
  if (bf < 0 || bestGain < gamma) return null;
  return { feature: bf, bin: bb, defaultLeft: bLeft, gain: bestGain, GL: bGL, HL: bHL, GR: G - bGL, HR: H - bHL };
}
