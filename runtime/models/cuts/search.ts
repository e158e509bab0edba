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
 * Without `nested` (the default) each target's box is searched on its own, from the box without
 * cuts and (a third start) from the looser target's box: the best box found for each target, and
 * a tighter target never keeps more background weight than a looser one (peeling and refinement
 * only ever lower it), but a tighter box need not lie inside a looser one.
 *
 * Nesting (`nested true`): the boxes are found one target after the other, each inside the box of the looser
 * target before it (loosest first), or each around the box of the tighter target before it
 * (tightest first). Both sequences are searched; the one whose boxes all stay within the tolerance
 * of their targets comes first (tightest first can fail there: a box around a tighter one may not
 * get down to its target), then the better sum over the targets (least background kept; or most
 * significance), ties to loosest first. Either way every box lies inside the box of every looser
 * target. The price of nesting: a box is the best only among those nested with the others, and a
 * cut that comes in one large step (a count) may enter only at tight targets.
 *
 * One box, within its bounds (inside an outer box, around an inner one):
 * 1. Two starts.
 *    Peeling (PRIM's idea, Friedman & Fisher 1999): from the outer box, repeatedly move one cut
 *    inwards past the next occupied bin, choosing the move that removes the most background weight
 *    per signal weight lost (a move that loses no signal first, the largest first), among the
 *    moves that keep the target. Rejection: the box where peeling stops; significance: the box of
 *    highest s/√(s+b) on the way.
 *    Exchange rate (lagrange.ts): coordinate ascent on s − λ·b, λ searched for the target (on a
 *    systematic sample of at most SAMPLE events: it only starts the refinement). It takes
 *    a cut that only comes in one large step (a count) when it pays, where peeling may have spent
 *    the efficiency before.
 * 2. Refinement of each: coordinate passes that replace one feature's interval by the best one
 *    given the other cuts (every interval of the grid within the bounds), until a pass changes
 *    nothing. Rejection: least background, then least signal (the efficiency comes as close to
 *    the target as the grid allows); significance: highest s/√(s+b).
 * 3. The better of the two.
 *
 * Weights enter every sum with their sign (the estimate of the yields that negative-weight
 * generators intend); a peel is taken only when it removes a positive background weight.
 */
import type { FeatureGrid } from "./grid.js";
import { better, kept, lagrangeBox, type Kept } from "./lagrange.js";
import { NearEvents } from "./near.js";
import type { Objective } from "./options.js";

export interface Box {
  lo: Int32Array;
  hi: Int32Array;
}

/** Per feature: minLo ≤ lo ≤ maxLo and minHi ≤ hi ≤ maxHi. */
export interface Bounds {
  minLo: Int32Array;
  maxLo: Int32Array;
  minHi: Int32Array;
  maxHi: Int32Array;
}

export interface SearchData {
  grids: FeatureGrid[];
  isSignal: Uint8Array;
  weight: Float64Array;
  n: number;
}

export interface SearchResult {
  boxes: Box[];
  /** Which sequence was kept. */
  order: "independent" | "loosest-first" | "tightest-first";
}

const hasCut = (box: Box, j: number, K: number) => box.lo[j] > 0 || box.hi[j] < K;

export function fullBox(grids: FeatureGrid[]): Box {
  return { lo: new Int32Array(grids.length), hi: Int32Array.from(grids, (g) => g.cut.length) };
}

function copyBox(b: Box): Box {
  return { lo: b.lo.slice(), hi: b.hi.slice() };
}

/** Inside `outer`, around `inner` (when given: an inner box without a cut on a feature forbids one). */
function boundsOf(outer: Box, inner: Box | null, grids: FeatureGrid[]): Bounds {
  const K = grids.map((g) => g.cut.length);
  return {
    minLo: outer.lo.slice(),
    maxHi: outer.hi.slice(),
    maxLo: inner ? inner.lo.slice() : Int32Array.from(K),
    minHi: inner ? inner.hi.slice() : new Int32Array(K.length),
  };
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

/**
 * `nested`: each box inside the box of every looser target (else each target's box is searched
 * from the whole space on its own). `tolerance`: how far above its target a box may keep signal
 * (rejection; Infinity: any).
 */
export function searchBoxes(data: SearchData, efficiencies: number[], objective: Objective, nested: boolean, tolerance = Infinity): SearchResult {
  const { grids, isSignal, weight, n } = data;
  let sTotal = 0;
  let bTotal = 0;
  let sAbs = 0;
  for (let i = 0; i < n; i++) {
    if (isSignal[i]) {
      sTotal += weight[i];
      sAbs += Math.abs(weight[i]);
    } else bTotal += weight[i];
  }
  // sums are kept by subtraction and by prefix differences: a box on the target by exact
  // arithmetic must not fail it by rounding
  const slack = 1e-9 * sAbs;
  const order = grids.map((g) => byBin(g, n));
  const full = fullBox(grids);
  const sub = sample(data);
  // the exchange rate of one target is where the search for the next one starts
  let rate = 1;
  const one = (bounds: Bounds, eff: number, from?: Box): Kept => {
    const need = eff * sTotal - slack;
    const outer: Box = { lo: bounds.minLo, hi: bounds.maxHi };
    let peeled = kept(data, refine(data, peel(data, order, outer, bounds, need, objective), bounds, need, objective));
    if (from) {
      const onward = kept(data, refine(data, peel(data, order, from, bounds, need, objective), bounds, need, objective));
      if (better(onward, peeled, objective)) peeled = onward;
    }
    const l = lagrangeBox(sub.data, outer, bounds, eff * sub.sTotal - slack * (sub.sTotal / sTotal), sub.sTotal, sub.bTotal, objective, rate);
    rate = l.rate;
    const traded = kept(data, refine(data, l.box, bounds, need, objective));
    return better(traded, peeled, objective) ? traded : peeled;
  };
  if (!nested) {
    // a third start, the looser target's box peeled further: a tighter target then never keeps
    // more background than a looser one
    const boxes: Box[] = [];
    for (const eff of efficiencies) boxes.push(one(boundsOf(full, null, grids), eff, boxes[boxes.length - 1]).box);
    return { boxes, order: "independent" };
  }
  // loosest first: each box inside the one before
  const loose: Kept[] = [];
  let outer = full;
  for (const eff of efficiencies) {
    const k = one(boundsOf(outer, null, grids), eff);
    loose.push(k);
    outer = k.box;
  }
  // tightest first: each box around the one before
  const tight: Kept[] = [];
  let inner: Box | null = null;
  for (const eff of [...efficiencies].reverse()) {
    const k = one(boundsOf(full, inner, grids), eff);
    tight.unshift(k);
    inner = k.box;
  }
  const total = (ks: Kept[]) => (objective === "significance" ? -ks.reduce((a, k) => a + significance(k.s, k.b), 0) : ks.reduce((a, k) => a + k.b, 0));
  // a sequence whose every box stays within the tolerance of its target comes first
  const reaches = (ks: Kept[]) => objective === "significance" || ks.every((k, i) => k.s <= (efficiencies[i] + tolerance) * sTotal + slack);
  const useTight = reaches(tight) !== reaches(loose) ? reaches(tight) : total(tight) < total(loose);
  return { boxes: (useTight ? tight : loose).map((k) => k.box), order: useTight ? "tightest-first" : "loosest-first" };
}

/** Events the exchange-rate start uses at most: it only starts a box, refined on every event. */
export const SAMPLE = 16384;

/**
 * Every m-th event (m the smallest step leaving at most SAMPLE), so the exchange-rate search costs
 * the same on any number of events; all events when the sample would lose a class's positive total.
 */
function sample(data: SearchData): { data: SearchData; sTotal: number; bTotal: number } {
  const totals = (d: SearchData) => {
    let s = 0;
    let b = 0;
    for (let i = 0; i < d.n; i++) {
      if (d.isSignal[i]) s += d.weight[i];
      else b += d.weight[i];
    }
    return { data: d, sTotal: s, bTotal: b };
  };
  const step = Math.ceil(data.n / SAMPLE);
  if (step <= 1) return totals(data);
  const m = Math.ceil(data.n / step);
  const pick = <T extends Uint8Array | Uint16Array | Float64Array>(a: T): T => {
    const out = new (a.constructor as new (n: number) => T)(m);
    for (let q = 0; q < m; q++) out[q] = a[q * step];
    return out;
  };
  const sub = totals({ grids: data.grids.map((g) => ({ ...g, bins: pick(g.bins) })), isSignal: pick(data.isSignal), weight: pick(data.weight), n: m });
  return sub.sTotal > 0 && sub.bTotal > 0 ? sub : totals(data);
}

function peel(data: SearchData, order: ByBin[], start: Box, bounds: Bounds, need: number, objective: Objective): Box {
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
          if (b >= box.hi[j] || b + 1 > bounds.maxLo[j]) continue;
        } else {
          b = box.hi[j];
          while (b >= box.lo[j] && N[j][b] === 0) b--;
          if (b <= box.lo[j] || b - 1 < bounds.minHi[j]) continue;
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

export function passes(grids: FeatureGrid[], box: Box, K: number[], i: number): boolean {
  for (let j = 0; j < grids.length; j++) {
    const b = grids[j].bins[i];
    if (b > K[j] ? hasCut(box, j, K[j]) : b < box.lo[j] || b > box.hi[j]) return false;
  }
  return true;
}

export function fails(g: FeatureGrid, lo: number, hi: number, K: number, i: number): number {
  const b = g.bins[i];
  return (b > K ? lo > 0 || hi < K : b < lo || b > hi) ? 1 : 0;
}

/** Per event, how many features' intervals it is outside of. */
export function failCounts(data: SearchData, box: Box): Uint16Array {
  const { grids, n } = data;
  const out = new Uint16Array(n);
  for (let j = 0; j < grids.length; j++) {
    const g = grids[j];
    const K = g.cut.length;
    for (let i = 0; i < n; i++) out[i] += fails(g, box.lo[j], box.hi[j], K, i);
  }
  return out;
}

/** Coordinate passes within `bounds`, each feature's interval the best given the other cuts. */
function refine(data: SearchData, start: Box, bounds: Bounds, need: number, objective: Objective): Box {
  const { grids, isSignal, weight: w } = data;
  const d = grids.length;
  const box = copyBox(start);
  const K = grids.map((g) => g.cut.length);
  const failCount = failCounts(data, box);
  const near = new NearEvents(failCount);
  // Each accepted change strictly improves (background, then signal; or significance), so the
  // passes end; the bound is a guard only.
  for (let pass = 0; pass < 100; pass++) {
    let changed = false;
    // only events outside at most one interval enter a histogram (near.ts)
    near.rebuild();
    const active = near.list;
    for (let j = 0; j < d; j++) {
      const k = K[j];
      const g = grids[j];
      const hS = new Float64Array(k + 2);
      const hB = new Float64Array(k + 2);
      const lo0 = box.lo[j];
      const hi0 = box.hi[j];
      const cut0 = lo0 > 0 || hi0 < k;
      const bins = g.bins;
      // the events that pass every other feature: they fail none, or only this one
      for (let q = 0, m = near.count; q < m; q++) {
        const i = active[q];
        const f = failCount[i];
        if (f > 1) continue;
        const b = bins[i];
        const own = b > k ? cut0 : b < lo0 || b > hi0;
        if (f !== (own ? 1 : 0)) continue;
        if (isSignal[i]) hS[b] += w[i];
        else hB[b] += w[i];
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
      for (let a = bounds.minLo[j]; a <= bounds.maxLo[j]; a++) {
        for (let c = Math.max(a, bounds.minHi[j]); c <= bounds.maxHi[j]; c++) {
          const s = sumOf(a, c, pS, hS);
          if (s < need) continue;
          const b = sumOf(a, c, pB, hB);
          let improves: boolean;
          if (!feasible) improves = true;
          else if (objective === "rejection") improves = b < bestB || (b === bestB && s < bestS);
          else improves = significance(s, b) > bestZ;
          if (improves) {
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
      near.move(bins, k, lo0, hi0, bestA, bestC);
      box.lo[j] = bestA;
      box.hi[j] = bestC;
      changed = true;
    }
    if (!changed) break;
  }
  return box;
}
