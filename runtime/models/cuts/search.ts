/**
 * The search for the boxes, on the thresholds of grid.ts. Deterministic: no random element, one
 * thread, sums in a fixed order, ties to the first candidate in feature order (lower side first)
 * or to the box already held.
 *
 * A box holds, per feature, an interval of bins [lo, hi] (0 ≤ lo ≤ hi ≤ K): a lower cut when
 * lo > 0, an upper cut when hi < K, no cut when both are open. An event passes a feature when its
 * bin is in the interval; a missing value (bin K + 1) passes only a feature without a cut, as a
 * comparison with NaN is false in a region.
 *
 * The targets run from the loosest to the tightest, each from the box of the one before:
 * 1. Peeling (PRIM's idea, Friedman & Fisher 1999): from the box, repeatedly move one cut inwards
 *    past the next occupied bin, choosing the move that removes the most background weight per
 *    signal weight lost (a move that loses no signal first, the largest first), among the moves
 *    that keep the signal weight at or above the target. Small steps spend the efficiency on the
 *    feature that pays best at each point, rather than on the first feature tried.
 *    Rejection: the box where peeling stops. Significance: the box of highest s/√(s+b) on the
 *    peeling path.
 * 2. Refinement: coordinate passes that replace one feature's interval by the best one given the
 *    other cuts (every interval of the grid inside the box of the looser target), until a pass
 *    changes nothing. Rejection: least background, then least signal (the efficiency comes as
 *    close to the target as the grid allows); significance: highest s/√(s+b).
 * Every box therefore lies inside the box of every looser target: the boxes are nested.
 *
 * Weights enter every sum with their sign (the estimate of the yields that negative-weight
 * generators intend); a move is taken only when it removes a positive background weight.
 */
import type { FeatureGrid } from "./grid.js";
import type { Objective } from "./options.js";

export interface Box {
  lo: Int32Array;
  hi: Int32Array;
}

export interface SearchData {
  grids: FeatureGrid[];
  isSignal: Uint8Array;
  weight: Float64Array;
  n: number;
}

export interface SearchResult {
  boxes: Box[];
}

const hasCut = (box: Box, j: number, K: number) => box.lo[j] > 0 || box.hi[j] < K;

export function fullBox(grids: FeatureGrid[]): Box {
  return { lo: new Int32Array(grids.length), hi: Int32Array.from(grids, (g) => g.cut.length) };
}

function copyBox(b: Box): Box {
  return { lo: b.lo.slice(), hi: b.hi.slice() };
}

export function significance(s: number, b: number): number {
  return s + b > 0 ? s / Math.sqrt(s + b) : -Infinity;
}

/** Events per feature ordered by bin (CSR), so that peeling a bin visits only its events. */
interface ByBin {
  start: Int32Array;
  events: Uint32Array;
}

function byBin(g: FeatureGrid, n: number): ByBin {
  const K = g.cut.length;
  const start = new Int32Array(K + 3);
  for (let i = 0; i < n; i++) start[g.bins[i] + 1]++;
  for (let b = 0; b < K + 2; b++) start[b + 1] += start[b];
  const fill = start.slice(0, K + 2);
  const events = new Uint32Array(n);
  for (let i = 0; i < n; i++) events[fill[g.bins[i]]++] = i;
  return { start, events };
}

export function searchBoxes(data: SearchData, efficiencies: number[], objective: Objective): SearchResult {
  const { grids, isSignal, weight, n } = data;
  let sTotal = 0;
  let sAbs = 0;
  for (let i = 0; i < n; i++) if (isSignal[i]) {
    sTotal += weight[i];
    sAbs += Math.abs(weight[i]);
  }
  // sums are kept by subtraction and by prefix differences: a box on the target by exact
  // arithmetic must not fail it by rounding
  const slack = 1e-9 * sAbs;
  const order = grids.map((g) => byBin(g, n));
  const boxes: Box[] = [];
  let box = fullBox(grids);
  for (const eff of efficiencies) {
    const need = eff * sTotal - slack;
    const peeled = peel(data, order, box, need, objective);
    box = refine(data, peeled, box, need, objective);
    boxes.push(box);
  }
  return { boxes };
}

function peel(data: SearchData, order: ByBin[], start: Box, need: number, objective: Objective): Box {
  const { grids, isSignal, weight: w, n } = data;
  const d = grids.length;
  const box = copyBox(start);
  const K = grids.map((g) => g.cut.length);
  // in-box histograms per feature: counts, signal and background weight per bin
  const inBox = new Uint8Array(n);
  const N = K.map((k) => new Int32Array(k + 2));
  const S = K.map((k) => new Float64Array(k + 2));
  const B = K.map((k) => new Float64Array(k + 2));
  let sIn = 0;
  let bIn = 0;
  for (let i = 0; i < n; i++) {
    if (!passes(grids, box, K, i)) continue;
    inBox[i] = 1;
    if (isSignal[i]) sIn += w[i];
    else bIn += w[i];
    for (let j = 0; j < d; j++) {
      const b = grids[j].bins[i];
      N[j][b]++;
      if (isSignal[i]) S[j][b] += w[i];
      else B[j][b] += w[i];
    }
  }
  let best = copyBox(box);
  let bestZ = significance(sIn, bIn);
  const remove = (j: number, bin: number) => {
    const o = order[j];
    for (let q = o.start[bin]; q < o.start[bin + 1]; q++) {
      const i = o.events[q];
      if (!inBox[i]) continue;
      inBox[i] = 0;
      const sig = isSignal[i];
      for (let k = 0; k < d; k++) {
        const b = grids[k].bins[i];
        N[k][b]--;
        if (sig) S[k][b] -= w[i];
        else B[k][b] -= w[i];
      }
    }
  };
  for (;;) {
    let pick = -1; // feature × 2 + side
    let pickBin = -1;
    let pickPure = false;
    let pickKey = -Infinity;
    let pickS = 0;
    let pickB = 0;
    for (let j = 0; j < d; j++) {
      const k = K[j];
      const first = !hasCut(box, j, k);
      const mS = first ? S[j][k + 1] : 0;
      const mB = first ? B[j][k + 1] : 0;
      for (let side = 0; side < 2; side++) {
        let b: number;
        if (side === 0) {
          b = box.lo[j];
          while (b <= box.hi[j] && N[j][b] === 0) b++;
          if (b >= box.hi[j]) continue;
        } else {
          b = box.hi[j];
          while (b >= box.lo[j] && N[j][b] === 0) b--;
          if (b <= box.lo[j]) continue;
        }
        const dS = S[j][b] + mS;
        const dB = B[j][b] + mB;
        if (!(dB > 0) || sIn - dS < need) continue;
        const pure = dS <= 0;
        const key = pure ? dB : dB / dS;
        if (pick < 0 || (pure && !pickPure) || (pure === pickPure && key > pickKey)) {
          pick = j * 2 + side;
          pickBin = b;
          pickPure = pure;
          pickKey = key;
          pickS = dS;
          pickB = dB;
        }
      }
    }
    if (pick < 0) break;
    const j = pick >> 1;
    if (!hasCut(box, j, K[j])) remove(j, K[j] + 1);
    remove(j, pickBin);
    if (pick & 1) box.hi[j] = pickBin - 1;
    else box.lo[j] = pickBin + 1;
    sIn -= pickS;
    bIn -= pickB;
    if (objective === "significance") {
      const z = significance(sIn, bIn);
      if (z > bestZ) {
        bestZ = z;
        best = copyBox(box);
      }
    }
  }
  return objective === "significance" ? best : box;
}

function passes(grids: FeatureGrid[], box: Box, K: number[], i: number): boolean {
  for (let j = 0; j < grids.length; j++) {
    const b = grids[j].bins[i];
    if (b > K[j] ? hasCut(box, j, K[j]) : b < box.lo[j] || b > box.hi[j]) return false;
  }
  return true;
}

function fails(g: FeatureGrid, lo: number, hi: number, K: number, i: number): number {
  const b = g.bins[i];
  return (b > K ? lo > 0 || hi < K : b < lo || b > hi) ? 1 : 0;
}

/** Coordinate passes inside `parent`, each feature's interval the best given the other cuts. */
function refine(data: SearchData, start: Box, parent: Box, need: number, objective: Objective): Box {
  const { grids, isSignal, weight: w, n } = data;
  const d = grids.length;
  const box = copyBox(start);
  const K = grids.map((g) => g.cut.length);
  const failCount = new Uint16Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) failCount[i] += fails(grids[j], box.lo[j], box.hi[j], K[j], i);
  // Each accepted change strictly improves (background, then signal; or significance), so the
  // passes end; the bound is a guard only.
  for (let pass = 0; pass < 100; pass++) {
    let changed = false;
    for (let j = 0; j < d; j++) {
      const k = K[j];
      const g = grids[j];
      const hS = new Float64Array(k + 2);
      const hB = new Float64Array(k + 2);
      const lo0 = box.lo[j];
      const hi0 = box.hi[j];
      for (let i = 0; i < n; i++) {
        if (failCount[i] - fails(g, lo0, hi0, k, i) !== 0) continue;
        if (isSignal[i]) hS[g.bins[i]] += w[i];
        else hB[g.bins[i]] += w[i];
      }
      const pS = new Float64Array(k + 2);
      const pB = new Float64Array(k + 2);
      for (let b = 0; b <= k; b++) {
        pS[b + 1] = pS[b] + hS[b];
        pB[b + 1] = pB[b] + hB[b];
      }
      // the interval [a, c]; the open one (0, k) also holds the missing values
      const sumOf = (a: number, c: number, p: Float64Array, h: Float64Array) => p[c + 1] - p[a] + (a === 0 && c === k ? h[k + 1] : 0);
      let bestA = lo0;
      let bestC = hi0;
      let bestS = sumOf(lo0, hi0, pS, hS);
      let bestB = sumOf(lo0, hi0, pB, hB);
      let feasible = bestS >= need;
      let bestZ = significance(bestS, bestB);
      const pl = parent.lo[j];
      const ph = parent.hi[j];
      for (let a = pl; a <= ph; a++) {
        for (let c = a; c <= ph; c++) {
          const s = sumOf(a, c, pS, hS);
          if (s < need) continue;
          const b = sumOf(a, c, pB, hB);
          let better: boolean;
          if (!feasible) better = true;
          else if (objective === "rejection") better = b < bestB || (b === bestB && s < bestS);
          else better = significance(s, b) > bestZ;
          if (better) {
            feasible = true;
            bestA = a;
            bestC = c;
            bestS = s;
            bestB = b;
            bestZ = significance(s, b);
          }
        }
      }
      if (bestA === lo0 && bestC === hi0) continue;
      for (let i = 0; i < n; i++) failCount[i] += fails(g, bestA, bestC, k, i) - fails(g, lo0, hi0, k, i);
      box.lo[j] = bestA;
      box.hi[j] = bestC;
      changed = true;
    }
    if (!changed) break;
  }
  return box;
}
