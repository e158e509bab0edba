/**
 * The second start for a box (see search.ts): coordinate ascent on s − λ·b (signal kept minus λ
 * times background kept), each feature's interval the best one within the bounds given the other
 * cuts, from the outer box; λ is searched for the box that keeps the target. At a box found this
 * way every cut removes background at the same exchange rate λ, which peeling's small steps miss
 * when one feature can only be cut in a large step (a count such as the number of b jets).
 */
import { failCounts, significance, type Bounds, type Box, type SearchData } from "./search.js";
import { NearEvents } from "./near.js";
import type { Objective } from "./options.js";

/**
 * Exchange rates tried, in efficiency units (λ · B / S): from the rate of the previous target,
 * doubled or halved until the target is bracketed, then bisected (in log) this many times. The
 * refinement after it closes what is left of the gap to the target.
 */
const BISECTIONS = 7;
const MAX_RATE = 2 ** 20;
const MIN_RATE = 2 ** -20;

export interface Kept {
  box: Box;
  s: number;
  b: number;
}

/** Signal and background weight a box keeps. */
export function kept(data: SearchData, box: Box): Kept {
  const { isSignal, weight: w, n } = data;
  const f = failCounts(data, box);
  let s = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    if (f[i] !== 0) continue;
    if (isSignal[i]) s += w[i];
    else b += w[i];
  }
  return { box, s, b };
}

/** Whether `x` beats `y` for the objective (both keep the target). */
export function better(x: Kept, y: Kept, objective: Objective): boolean {
  if (objective === "significance") return significance(x.s, x.b) > significance(y.s, y.b);
  return x.b < y.b || (x.b === y.b && x.s < y.s);
}

export function lagrangeBox(data: SearchData, outer: Box, bounds: Bounds, need: number, sTotal: number, bTotal: number, objective: Objective, startRate = 1): Kept & { rate: number } {
  let best = kept(data, outer);
  const at = (rate: number): Kept => {
    const k = ascend(data, outer, bounds, (rate * sTotal) / bTotal);
    if (k.s >= need && better(k, best, objective)) best = k;
    return k;
  };
  // bracket: lo keeps the target (0: only the outer box does), hi does not
  let lo: number;
  let hi: number;
  if (at(startRate).s >= need) {
    lo = startRate;
    hi = startRate * 2;
    while (hi < MAX_RATE && at(hi).s >= need) {
      lo = hi;
      hi *= 2;
    }
    if (hi >= MAX_RATE) return { ...best, rate: lo };
  } else {
    hi = startRate;
    lo = startRate / 2;
    while (lo > MIN_RATE && at(lo).s < need) {
      hi = lo;
      lo /= 2;
    }
    if (lo <= MIN_RATE) lo = 0;
  }
  for (let k = 0; k < BISECTIONS; k++) {
    const mid = lo > 0 ? Math.sqrt(lo * hi) : hi / 2;
    if (at(mid).s >= need) lo = mid;
    else hi = mid;
  }
  return { ...best, rate: lo > 0 ? lo : hi };
}

/** Coordinate ascent on s − λ·b from `start`, every interval within the bounds. */
function ascend(data: SearchData, start: Box, bounds: Bounds, lambda: number): Kept {
  const { grids, isSignal, weight: w, n } = data;
  const d = grids.length;
  const box: Box = { lo: start.lo.slice(), hi: start.hi.slice() };
  const failCount = failCounts(data, box);
  const value = new Float64Array(n);
  let scale = 0;
  for (let i = 0; i < n; i++) {
    value[i] = isSignal[i] ? w[i] : -lambda * w[i];
    scale += Math.abs(value[i]);
  }
  // a change must gain more than rounding can: the passes then end
  const eps = 1e-12 * scale;
  // Only events outside at most one interval can enter a feature's histogram (near.ts).
  const near = new NearEvents(failCount);
  for (let pass = 0; pass < 50; pass++) {
    let changed = false;
    near.rebuild();
    const active = near.list;
    for (let j = 0; j < d; j++) {
      const bins = grids[j].bins;
      const k = grids[j].cut.length;
      const lo0 = box.lo[j];
      const hi0 = box.hi[j];
      const cut0 = lo0 > 0 || hi0 < k;
      const gain = new Float64Array(k + 2);
      // the events that pass every other feature: they fail none, or only this one
      for (let q = 0, m = near.count; q < m; q++) {
        const i = active[q];
        const f = failCount[i];
        if (f > 1) continue;
        const b = bins[i];
        const own = b > k ? cut0 : b < lo0 || b > hi0;
        if (f === (own ? 1 : 0)) gain[b] += value[i];
      }
      const P = new Float64Array(k + 2);
      for (let b = 0; b <= k; b++) P[b + 1] = P[b] + gain[b];
      const sum = (a: number, c: number) => P[c + 1] - P[a] + (a === 0 && c === k ? gain[k + 1] : 0);
      let bestA = lo0;
      let bestC = hi0;
      let bestV = sum(lo0, hi0);
      const consider = (a: number, c: number) => {
        const v = sum(a, c);
        if (v > bestV + eps) {
          bestA = a;
          bestC = c;
          bestV = v;
        }
      };
      // for each upper end c, the lower end with the smallest prefix among those allowed
      const { minLo, maxLo, minHi, maxHi } = bounds;
      let argMin = -1;
      for (let c = minLo[j]; c <= maxHi[j]; c++) {
        if (c <= maxLo[j] && (argMin < 0 || P[c] < P[argMin])) argMin = c;
        if (c >= minHi[j] && argMin >= 0) consider(argMin, c);
      }
      // the open interval holds the missing values too: weigh it as it is
      if (minLo[j] === 0 && maxHi[j] === k) consider(0, k);
      if (bestA === lo0 && bestC === hi0) continue;
      near.move(bins, k, lo0, hi0, bestA, bestC);
      box.lo[j] = bestA;
      box.hi[j] = bestC;
      changed = true;
    }
    if (!changed) break;
  }
  let s = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    if (failCount[i] !== 0) continue;
    if (isSignal[i]) s += w[i];
    else b += w[i];
  }
  return { box, s, b };
}
