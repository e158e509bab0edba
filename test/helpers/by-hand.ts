/**
 * Computations written out by hand for tests to compare hepc's results with: a saved gbdt's
 * trees walked, and jets' four-vectors summed from (pt, eta, phi, mass) lists.
 */

export interface SavedTree { feature: number[]; threshold: number[]; default_left: number[]; left: number[]; right: number[]; value: number[] }
export interface SavedGbdt { base_margin: number; trees: SavedTree[] }

/** A gbdt fold's probability of its last class for one row: its saved trees walked (x < threshold goes left, a missing value by default_left). */
export function treeProbability(model: SavedGbdt, x: number[]): number {
  let m = model.base_margin;
  for (const t of model.trees) {
    let i = 0;
    while (t.feature[i] >= 0) {
      const v = x[t.feature[i]];
      i = (Number.isNaN(v) ? t.default_left[i] === 1 : v < t.threshold[i]) ? t.left[i] : t.right[i];
    }
    m += t.value[i];
  }
  return 1 / (1 + Math.exp(-m));
}

/** Per event, per jet. */
export interface JetLists { pt: number[][]; eta: number[][]; phi: number[][]; mass: number[][] }

/** The summed four-vector of event i's jets `js`: its pT and mass (negative for a spacelike sum). */
export function jetSum(j: JetLists, i: number, js: number[]): { pt: number; mass: number } {
  let px = 0, py = 0, pz = 0, E = 0;
  for (const k of js) {
    const x = j.pt[i][k] * Math.cos(j.phi[i][k]), y = j.pt[i][k] * Math.sin(j.phi[i][k]), z = j.pt[i][k] * Math.sinh(j.eta[i][k]);
    px += x; py += y; pz += z; E += Math.sqrt(x * x + y * y + z * z + j.mass[i][k] * j.mass[i][k]);
  }
  const m2 = E * E - (px * px + py * py + pz * pz);
  return { pt: Math.sqrt(px * px + py * py), mass: m2 >= 0 ? Math.sqrt(m2) : -Math.sqrt(-m2) };
}

/** a − b folded into (−π, π]. */
export function deltaPhi(a: number, b: number): number {
  let d = a - b;
  while (d > Math.PI) d -= 2 * Math.PI;
  while (d <= -Math.PI) d += 2 * Math.PI;
  return d;
}
