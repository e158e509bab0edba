/**
 * match(a, b, maxDR): per element of `a`, the index of the nearest element of `b` within ΔR <
 * maxDR, or missing. Checked on hand-made columns against values worked out by hand, and on the
 * CMS NanoAOD file against a direct computation over the reader's columns (plain loops here) and
 * against the file's own Jet_genJetIdx (CMS's matching of jets to generator jets).
 */
import { describe, expect, it } from "vitest";
import type { CollectionIR } from "../../plan/types.js";
import { compileKernel, unpackList, type Batch } from "../../runtime/columns/index.js";
import { openRoot, type Column } from "../../runtime/io/index.js";
import { repoPath } from "../helpers/repo.js";
import { batchOf, call, cmp, coll, field, jagged, num, planFromText, sliceBatch, where } from "./helpers.js";

const NANOAOD = repoPath("test/fixtures/root/scikit-hep-testdata/nanoAOD_2015_CMS_Open_Data_ttbar.root");

function lists(packed: Float64Array, n: number): number[][] {
  const { offsets, values } = unpackList(packed, n);
  return Array.from({ length: n }, (_, i) => Array.from(values.subarray(offsets[i], offsets[i + 1])));
}

const kin = (name: string): CollectionIR => ({ name, shape: "jagged", fields: {}, kinematics: { source: "ptetaphim", fields: { pt: `${name}_pt`, eta: `${name}_eta`, phi: `${name}_phi`, mass: `${name}_mass` } } });

describe("match by hand", () => {
  // Event 0: jets at (η, φ) (0, 0) and (1, 3.1); partons at (0.3, 0) [ΔR 0.3 to jet 0], (0, 0.2)
  // [ΔR 0.2 to jet 0: the nearer], (1, -3.1) [ΔR 2π − 6.2 ≈ 0.083 to jet 1, across φ = ±π].
  // Event 1: one jet, no parton. Event 2: a jet with a parton at ΔR 0.5 (too far) and one exactly
  // at 0.4 (the bound is strict), and a second jet equally near (0.1) to partons 0 and 2: the first wins.
  const jetEta = [[0, 1], [0.5], [0, 2]];
  const jetPhi = [[0, 3.1], [1], [0, 1]];
  const pEta = [[0.3, 0, 1], [], [2.1, 0.5, 2]];
  const pPhi = [[0, 0.2, -3.1], [], [1, 0, 1.1]];
  const ones = (xs: number[][]) => xs.map((l) => l.map(() => 10));
  const cols: Record<string, Column> = {
    J_pt: jagged(ones(jetEta)), J_eta: jagged(jetEta), J_phi: jagged(jetPhi), J_mass: jagged(ones(jetEta).map((l) => l.map(() => 0))),
    P_pt: jagged(ones(pEta)), P_eta: jagged(pEta), P_phi: jagged(pPhi), P_mass: jagged(ones(pEta).map((l) => l.map(() => 0))),
  };
  const spec = (b = coll("P"), r = 0.4) => ({
    outputs: [{ key: "m", expr: call("match", "list<int>", coll("J"), b, num(r, "float")), as: "list" as const }],
    defines: {},
    regions: {},
    collections: [kin("J"), kin("P")],
  });

  it("takes the nearest within the bound, across the φ wrap; missing when none; first of equals", () => {
    const got = lists(compileKernel(spec()).run(batchOf(cols)).get("m") as Float64Array, 3);
    expect(got[0]).toEqual([1, 2]);
    expect(got[1]).toEqual([NaN]);
    // jet 0 of event 2: parton 1 at ΔR 0.5 is too far; jet 1: partons 0 (ΔR 0.1) and 2 (ΔR 0.1, equal up to rounding)
    expect(got[2][0]).toBeNaN();
    const d0 = Math.hypot(2 - 2.1, 1 - 1), d2 = Math.hypot(2 - 2, 1 - 1.1);
    expect(got[2][1]).toBe(d2 < d0 ? 2 : 0);
  });

  it("counts the index in b's own collection through a filter", () => {
    // without parton 1, jet 0 of event 0 takes parton 0 (ΔR 0.3); the index stays 0, and parton 2 keeps index 2
    const b = where(coll("P"), cmp(">", field("eta"), num(0.1, "float")));
    const got = lists(compileKernel(spec(b)).run(batchOf(cols)).get("m") as Float64Array, 3);
    expect(got[0]).toEqual([0, 2]);
    // a wider bound reaches parton 1 (ΔR 0.5) for jet 0 of event 2
    const wide = lists(compileKernel(spec(coll("P"), 0.6)).run(batchOf(cols)).get("m") as Float64Array, 3);
    expect(wide[2][0]).toBe(1);
  });
});

async function read(branches: string[]): Promise<Batch> {
  const f = await openRoot(NANOAOD);
  try {
    const columns = await f.read("Events", branches);
    const first = columns.get(branches[0])!;
    const n = first.kind === "jagged" ? first.offsets.length - 1 : first.values.length;
    return { n, entry0: 0, columns };
  } finally {
    await f.close();
  }
}

const jaggedLists = (c: Column | undefined): number[][] => {
  if (!c || c.kind !== "jagged") throw new Error("not jagged");
  return Array.from({ length: c.offsets.length - 1 }, (_, i) => Array.from(c.values.subarray(c.offsets[i], c.offsets[i + 1]) as ArrayLike<number>, Number));
};

describe("match on NanoAOD", () => {
  it("matches a direct computation, and agrees with the file's Jet_genJetIdx", async () => {
    const plan = await planFromText(`
analysis m { lumi 1 /fb }
sample ttbar {
  files "../fixtures/root/scikit-hep-testdata/nanoAOD_2015_CMS_Open_Data_ttbar.root"
  tree "Events"
  class signal
}
object jets = Jet where pt > 15 GeV
object bquarks = GenPart where abs(pdgId) == 5
define gen_match = match(jets, GenJet, 0.4)
define b_match = match(jets, bquarks, 0.3)
define n_gen = count(match(jets, GenJet, 0.4) >= 0)
define lead_b = match(jets, bquarks, 0.3)[0] ?? -1
region any = count(jets) > 0
output { histogram n_gen in any bins 10 0 .. 10 to "out/x.root" }
`);
    const defines = Object.fromEntries(plan.nodes.flatMap((n) => (n.kind === "define" ? [[n.name, n.expr]] : [])));
    const regions = Object.fromEntries(plan.nodes.flatMap((n) => (n.kind === "filter" && n.scope === "region" ? [[n.name, n.expr]] : [])));
    const spec = {
      outputs: [
        { key: "gen", expr: defines.gen_match, as: "list" as const },
        { key: "b", expr: defines.b_match, as: "list" as const },
        { key: "n_gen", expr: defines.n_gen, as: "f64" as const },
        { key: "lead_b", expr: defines.lead_b, as: "f64" as const },
      ],
      defines,
      regions,
      collections: plan.collections,
    };
    const k = compileKernel(spec);
    const names = ["Jet_pt", "Jet_eta", "Jet_phi", "Jet_genJetIdx", "GenJet_eta", "GenJet_phi", "GenPart_eta", "GenPart_phi", "GenPart_pdgId"];
    const b = await read([...new Set([...k.branches, ...names])]);
    const out = k.run(b);
    const [jpt, jeta, jphi, jgen, geta, gphi, peta, pphi, pid] = names.map((n) => jaggedLists(b.columns.get(n)));
    const dR = (e1: number, f1: number, e2: number, f2: number) => {
      let d = f1 - f2;
      while (d > Math.PI) d -= 2 * Math.PI;
      while (d <= -Math.PI) d += 2 * Math.PI;
      return Math.hypot(e1 - e2, d);
    };
    const nearest = (i: number, j: number, cands: number[], eta: number[][], phi: number[][], r: number) => {
      let best = NaN, bd = r;
      for (const c of cands) {
        const d = dR(jeta[i][j], jphi[i][j], eta[i][c], phi[i][c]);
        if (d < bd) [bd, best] = [d, c];
      }
      return best;
    };
    const gen = lists(out.get("gen") as Float64Array, b.n);
    const bm = lists(out.get("b") as Float64Array, b.n);
    let both = 0, agree = 0, matched = 0;
    for (let i = 0; i < b.n; i++) {
      const sel = jpt[i].map((_, j) => j).filter((j) => jpt[i][j] > 15);
      const allGen = geta[i].map((_, c) => c);
      const bs = pid[i].map((_, c) => c).filter((c) => Math.abs(pid[i][c]) === 5);
      const wantGen = sel.map((j) => nearest(i, j, allGen, geta, gphi, 0.4));
      const wantB = sel.map((j) => nearest(i, j, bs, peta, pphi, 0.3));
      expect(gen[i], `event ${i}`).toEqual(wantGen);
      expect(bm[i], `event ${i}`).toEqual(wantB);
      expect(out.get("n_gen")![i]).toBe(wantGen.filter((x) => x >= 0).length);
      expect(out.get("lead_b")![i]).toBe(sel.length && !Number.isNaN(wantB[0]) ? wantB[0] : -1);
      sel.forEach((j, q) => {
        if (!Number.isNaN(wantGen[q])) matched++;
        if (jgen[i][j] >= 0 && !Number.isNaN(wantGen[q])) {
          both++;
          if (jgen[i][j] === wantGen[q]) agree++;
        }
      });
    }
    // the sample exercises both outcomes
    expect(matched).toBeGreaterThan(100);
    expect(bm.flat().some((x) => x >= 0)).toBe(true);
    expect(bm.flat().some((x) => Number.isNaN(x))).toBe(true);
    // CMS matches jets to generator jets within ΔR < 0.4 too (resolving conflicts by match
    // quality, which could differ from the nearest): on this file, wherever both matched, to the
    // same generator jet
    expect(both).toBeGreaterThan(100);
    expect(agree, `${agree} of ${both}`).toBe(both);
    // the same lists whatever the batch split
    let start = 0;
    for (const stop of [1, 37, 150, b.n]) {
      const part = k.run(sliceBatch(b, start, stop));
      expect(lists(part.get("gen") as Float64Array, stop - start)).toEqual(gen.slice(start, stop));
      expect(lists(part.get("b") as Float64Array, stop - start)).toEqual(bm.slice(start, stop));
      start = stop;
    }
  });
});
