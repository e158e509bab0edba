/**
 * combinations, permutations, slices, element identity (`is`, `index`) and bitwise operators, on
 * the CMS NanoAOD file: each define of a plan compiled from .hep text against a direct computation
 * written here (plain loops and a recursive enumeration in itertools' order over the reader's
 * columns), and chunk invariance. Hand-worked values on small columns pin the order of candidates.
 */
import { describe, expect, it } from "vitest";
import { compileKernel, type Batch } from "../../runtime/columns/index.js";
import { openRoot, type Column } from "../../runtime/io/index.js";
import { repoPath } from "../helpers/repo.js";
import { expectChunkInvariant, planFromText, planSpec } from "./helpers.js";

const NANOAOD = repoPath("test/fixtures/root/scikit-hep-testdata/nanoAOD_2015_CMS_Open_Data_ttbar.root");

async function read(file: string, tree: string, branches: string[]): Promise<Batch> {
  const f = await openRoot(file);
  try {
    const columns = await f.read(tree, branches);
    const first = columns.get(branches[0])!;
    const n = first.kind === "jagged" ? first.offsets.length - 1 : first.values.length;
    return { n, entry0: 0, columns };
  } finally {
    await f.close();
  }
}

const lists = (c: Column | undefined): number[][] => {
  if (!c || c.kind !== "jagged") throw new Error("not jagged");
  return Array.from({ length: c.offsets.length - 1 }, (_, i) => Array.from(c.values.subarray(c.offsets[i], c.offsets[i + 1]) as ArrayLike<number>, Number));
};

/** itertools.combinations / itertools.permutations of positions 0..n-1, in their order. */
function combos(n: number, k: number, ordered: boolean): number[][] {
  const out: number[][] = [];
  const rec = (prefix: number[]) => {
    if (prefix.length === k) return void out.push(prefix);
    const start = ordered || prefix.length === 0 ? 0 : prefix[prefix.length - 1] + 1;
    for (let p = start; p < n; p++) if (!prefix.includes(p)) rec([...prefix, p]);
  };
  rec([]);
  return out;
}

/** Python's slice bounds: negative counts from the end, clamped to [0, n]. */
const bound = (x: number, n: number) => (x < 0 ? Math.max(0, n + x) : Math.min(x, n));

const HEADER = `
analysis combi { lumi 1 /fb }
sample ttbar {
  files "../fixtures/root/scikit-hep-testdata/nanoAOD_2015_CMS_Open_Data_ttbar.root"
  tree "Events"
  class signal
}
object jets = Jet where pt > 15 GeV and abs(eta) < 2.4
`;

describe("combinatorics on NanoAOD jets", () => {
  const text = `${HEADER}
define n_tri = count(combinations(jets, 3))
define n_perm2 = count(permutations(jets, 2))
define m_top = best(combinations(jets, 3), -pt).mass
define top_third_index = best(combinations(jets, 3), -pt).third.index
define perm_pick = best(permutations(jets, 2), first.pt - 2 * second.pt).first.pt
define n_light_tri = count(combinations(jets, 3) where first.btagCSVV2 < 0.8 and mass > 100 GeV)
define ht6 = sum(jets[:6].pt)
define ht_tail = sum(jets[2:].pt)
define ht_last2 = sum(jets[-2:].pt)
define ht_mid = sum(jets[1:-1].pt)
define m_lead3 = best(combinations(jets[:3], 3), pt).mass
define lead_index = jets[0].index
define n_not_lead = count(jets where not (this is jets[0]))
define n_is_best_btag = count(Jet where this is best(jets, -btagCSVV2))
define n_tight = count(Jet where (jetId & 2) != 0)
define id_or = sum(Jet.jetId | 1)
define id_shift = sum(Jet.jetId >> 1) + sum(Jet.jetId << 2)
define id_xor = sum(xor(Jet.jetId, 3))
region any_jet = count(jets) >= 1
output { histogram m_top in any_jet bins 10 0 .. 1000 to "out/x.root" }
`;

  it("every define matches a direct computation over the reader's columns; chunk invariant", async () => {
    const plan = await planFromText(text);
    const k = compileKernel(planSpec(plan));
    const b = await read(NANOAOD, "Events", [...new Set([...k.branches, "Jet_pt", "Jet_eta", "Jet_phi", "Jet_mass", "Jet_jetId", "Jet_btagCSVV2"])]);
    const out = k.run(b);
    const [pt, eta, phi, mass, jetId, btag] = ["Jet_pt", "Jet_eta", "Jet_phi", "Jet_mass", "Jet_jetId", "Jet_btagCSVV2"].map((n) => lists(b.columns.get(n)));
    const got = (key: string) => Array.from(out.get(`define:${key}`)!);
    const expected: Record<string, number[]> = {};
    const push = (key: string, v: number) => (expected[key] ??= []).push(v);
    let maxJets = 0;
    for (let i = 0; i < b.n; i++) {
      const sel = pt[i].map((_, j) => j).filter((j) => pt[i][j] > 15 && Math.abs(eta[i][j]) < 2.4);
      maxJets = Math.max(maxJets, sel.length);
      // four-vector sums in float64 from (pt, eta, phi, mass), as the kernel's formulas
      const p4 = (js: number[]) => {
        let px = 0, py = 0, pz = 0, E = 0;
        for (const j of js) {
          const [p, e, f, m] = [pt[i][j], eta[i][j], phi[i][j], mass[i][j]];
          const x = p * Math.cos(f), y = p * Math.sin(f), z = p * Math.sinh(e);
          px += x; py += y; pz += z; E += Math.sqrt(x * x + y * y + z * z + m * m);
        }
        const m2 = E * E - (px * px + py * py + pz * pz);
        return { pt: Math.hypot(px, py), mass: m2 >= 0 ? Math.sqrt(m2) : -Math.sqrt(-m2) };
      };
      const tri = combos(sel.length, 3, false).map((c) => c.map((p) => sel[p]));
      const perms = combos(sel.length, 2, true).map((c) => c.map((p) => sel[p]));
      push("n_tri", tri.length);
      push("n_perm2", perms.length);
      // best: the smallest criterion, the first on ties
      const argbest = <T>(xs: T[], crit: (x: T) => number) => xs.reduce<T | undefined>((a, x) => (a === undefined || crit(x) < crit(a) ? x : a), undefined);
      const top = argbest(tri, (c) => -p4(c).pt);
      push("m_top", top ? p4(top).mass : NaN);
      push("top_third_index", top ? top[2] : NaN);
      const pp = argbest(perms, ([a, c]) => pt[i][a] - 2 * pt[i][c]);
      push("perm_pick", pp ? pt[i][pp[0]] : NaN);
      push("n_light_tri", tri.filter((c) => btag[i][c[0]] < 0.8 && p4(c).mass > 100).length);
      const sum = (js: number[]) => js.reduce((s, j) => s + pt[i][j], 0);
      const sl = (lo: number | undefined, hi: number | undefined) => sel.slice(bound(lo ?? 0, sel.length), bound(hi ?? sel.length, sel.length));
      push("ht6", sum(sl(undefined, 6)));
      push("ht_tail", sum(sl(2, undefined)));
      push("ht_last2", sum(sl(-2, undefined)));
      push("ht_mid", sum(sl(1, -1)));
      const lead3 = sl(0, 3);
      push("m_lead3", lead3.length === 3 ? p4(lead3).mass : NaN);
      push("lead_index", sel.length ? sel[0] : NaN);
      push("n_not_lead", Math.max(0, sel.length - 1));
      push("n_is_best_btag", sel.length ? 1 : 0);
      const ids = jetId[i];
      push("n_tight", ids.filter((x) => (x & 2) !== 0).length);
      push("id_or", ids.reduce((s, x) => s + (x | 1), 0));
      push("id_shift", ids.reduce((s, x) => s + (x >> 1), 0) + ids.reduce((s, x) => s + (x << 2), 0));
      push("id_xor", ids.reduce((s, x) => s + (x ^ 3), 0));
    }
    // the sample has what the test needs: events with 6+ jets, jets with and without the tight bit
    expect(maxJets).toBeGreaterThanOrEqual(6);
    expect(expected.n_tight.some((x, i) => x > 0 && x < jetId[i].length)).toBe(true);
    expect(expected.top_third_index.some((x) => x > 2)).toBe(true);
    for (const [key, want] of Object.entries(expected)) {
      const have = got(key);
      expect(have.length, key).toBe(b.n);
      for (let i = 0; i < b.n; i++) {
        if (Number.isNaN(want[i])) expect(have[i], `${key} at ${i}`).toBeNaN();
        else expect(Math.abs(have[i] - want[i]), `${key} at ${i}: ${have[i]} vs ${want[i]}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want[i])));
      }
    }
    expectChunkInvariant(k, b, [1, 37, 38, 150]);
  });
});

describe("combinatorics by hand", () => {
  const hand = `
analysis hand { lumi 1 /fb }
sample ttbar {
  files "../fixtures/root/scikit-hep-testdata/nanoAOD_2015_CMS_Open_Data_ttbar.root"
  tree "Events"
  class signal
}
`;
  it("candidates come in itertools' order; a missing index stays missing through bitwise operators", async () => {
    // Event 2 of the file has 4 jets (pt 72.69, 56.75, 19.16, 16.70): the positions of the
    // second combination of 3 are (0, 1, 3) and of the fourth permutation of 2 are (1, 0).
    const plan = await planFromText(`${hand}
define second_tri_third = (combinations(Jet, 3) where index_sum(first, second, third))[1].third.index
define fourth_perm_first = permutations(Jet, 2)[3].first.index
define fourth_perm_second = permutations(Jet, 2)[3].second.index
define fifth_id_bits = Jet[5].jetId & 2
define n_sixth_slice = count(Jet[5:9])
`.replace("index_sum(first, second, third)", "first.index + second.index + third.index >= 0"));
    const k = compileKernel(planSpec(plan));
    const b = await read(NANOAOD, "Events", k.branches);
    const out = k.run(b);
    const at = (key: string, i: number) => out.get(`define:${key}`)![i];
    expect(at("second_tri_third", 2)).toBe(3);
    expect(at("fourth_perm_first", 2)).toBe(1);
    expect(at("fourth_perm_second", 2)).toBe(0);
    // event 2 has 4 jets: Jet[5] is missing, and so is its bitwise and (not 0)
    expect(at("fifth_id_bits", 2)).toBeNaN();
    expect(at("n_sixth_slice", 2)).toBe(0);
    // event 4 has 7 jets: Jet[5:9] has 2
    expect(at("n_sixth_slice", 4)).toBe(2);
  });
});
