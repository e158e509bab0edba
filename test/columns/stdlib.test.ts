/**
 * Each standard-library function and operator, compiled into a kernel and run on a small hand-made
 * batch, against values computed by hand (or with the textbook formula written out here,
 * independently of the generator).
 */
import { describe, expect, it } from "vitest";
import type { CollectionIR, ExprIR } from "../../plan/types.js";
import { FUNCTIONS } from "../../stdlib/index.js";
import { compileKernel } from "../../runtime/columns/index.js";
import { arith, at, batchOf, bin, br, call, cmp, coll, entry, evaluate, field, flat, jagged, mem, neg, not, num, self, values, where } from "./helpers.js";

// ---- the batch: four events ------------------------------------------------------------------------
//
// Jets (pt, eta, phi, mass), read as (pt, eta, phi, mass):
//   0: (50, 0.5, 3.0, 10)  (40, -1, -3.0, 5)  (30, 2, 0, 0)
//   1: none
//   2: (25, 0, 1, 0)
//   3: (60, 1, 0.5, 8)  (60, -1, -0.5, 8)          equal pt: ties
// Muons (px, py, pz, E):
//   0: (10, 0, 0, 10)                                massless along x
//   1: (3, 4, 0, 4)                                  m² = 16 − 25 = −9: mass −3
//   2: none
//   3: (0, −5, 12, 14)  (−3, 0, −4, 5)               m² = 27, m² = 0
// MET (pt, phi): (20, 0), (10, π/2), (5, −π), (0, 0)
const JETS = [
  [[50, 0.5, 3.0, 10], [40, -1, -3.0, 5], [30, 2, 0, 0]],
  [],
  [[25, 0, 1, 0]],
  [[60, 1, 0.5, 8], [60, -1, -0.5, 8]],
];
const MUONS = [[[10, 0, 0, 10]], [[3, 4, 0, 4]], [], [[0, -5, 12, 14], [-3, 0, -4, 5]]];
const MET = [[20, 0], [10, Math.PI / 2], [5, -Math.PI], [0, 0]];
const BTAG = [[0.9, 0.1, 0.6], [], [0.2], [0.7, 0.8]];
const ID = [[1, 0, 1], [], [1], [0, 1]];
const Q = [[1, NaN, 2], [], [Infinity], [3, -Infinity]];

const columns = {
  Jet_pt: jagged(JETS.map((e) => e.map((j) => j[0])), "f4"),
  Jet_eta: jagged(JETS.map((e) => e.map((j) => j[1])), "f4"),
  Jet_phi: jagged(JETS.map((e) => e.map((j) => j[2])), "f4"),
  Jet_mass: jagged(JETS.map((e) => e.map((j) => j[3])), "f4"),
  Jet_btag: jagged(BTAG, "f4"),
  Jet_id: jagged(ID, "bool"),
  Jet_q: jagged(Q),
  nJet: flat(JETS.map((e) => e.length), "i4"),
  Muon_Px: jagged(MUONS.map((e) => e.map((m) => m[0]))),
  Muon_Py: jagged(MUONS.map((e) => e.map((m) => m[1]))),
  Muon_Pz: jagged(MUONS.map((e) => e.map((m) => m[2]))),
  Muon_E: jagged(MUONS.map((e) => e.map((m) => m[3]))),
  nMuon: flat(MUONS.map((e) => e.length), "i4"),
  MET_pt: flat(MET.map((m) => m[0])),
  MET_phi: flat(MET.map((m) => m[1])),
  x: flat([-7, 7.5, 0, 2]),
  y: flat([3, 2, 0, -3]),
  trigger: flat([1, 0, 1, 1], "bool"),
  big: { kind: "flat" as const, dtype: "i8" as const, values: BigInt64Array.from([1n, -2n, 2n ** 53n, 40n]) },
};

const collections: CollectionIR[] = [
  {
    name: "Jet",
    shape: "jagged",
    countBranch: "nJet",
    fields: { pt: "Jet_pt", eta: "Jet_eta", btag: "Jet_btag", id: "Jet_id", q: "Jet_q" },
    kinematics: { source: "ptetaphim", fields: { pt: "Jet_pt", eta: "Jet_eta", phi: "Jet_phi", mass: "Jet_mass" } },
  },
  {
    name: "Muon",
    shape: "jagged",
    countBranch: "nMuon",
    fields: {},
    kinematics: { source: "pxpypzE", fields: { px: "Muon_Px", py: "Muon_Py", pz: "Muon_Pz", E: "Muon_E" } },
  },
  { name: "MET", shape: "single", fields: {}, kinematics: { source: "ptphi", fields: { pt: "MET_pt", phi: "MET_phi" } } },
];

const Jet = coll("Jet");
const Muon = coll("Muon");
const MET_ = coll("MET", "MET");
const f32 = (x: number) => Math.fround(x);

const run = (e: ExprIR) => values(e, columns, { collections });

/** Element-wise closeness with NaN matching NaN. */
function close(actual: number[], expected: number[], tol = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i];
    if (Number.isNaN(e)) expect(a, `event ${i}`).toBeNaN();
    else if (!Number.isFinite(e)) expect(a, `event ${i}`).toBe(e);
    else expect(Math.abs(a - e), `event ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  });
}

// An independent four-vector, from the textbook formulas (signed mass).
type V = { px: number; py: number; pz: number; E: number };
const fromPtEtaPhiM = (pt: number, eta: number, phi: number, m: number): V => {
  const [p, e, f, mm] = [pt, eta, phi, m].map(f32);
  const pz = p * Math.sinh(e);
  return { px: p * Math.cos(f), py: p * Math.sin(f), pz, E: Math.sqrt(p * p + pz * pz + mm * mm) };
};
const add = (a: V, b: V): V => ({ px: a.px + b.px, py: a.py + b.py, pz: a.pz + b.pz, E: a.E + b.E });
const massOf = (v: V) => {
  const m2 = v.E ** 2 - v.px ** 2 - v.py ** 2 - v.pz ** 2;
  return Math.sign(m2) * Math.sqrt(Math.abs(m2));
};
const ptOf = (v: V) => Math.hypot(v.px, v.py);
const jetV = (ev: number, k: number) => fromPtEtaPhiM(...(JETS[ev][k] as [number, number, number, number]));
const muV = (ev: number, k: number): V => {
  const [px, py, pz, E] = MUONS[ev][k];
  return { px, py, pz, E };
};

describe("reductions", () => {
  it("count of a collection, of a list of conditions, through the count branch only", () => {
    close(run(call("count", "int", Jet)), [3, 0, 1, 2]);
    close(run(call("count", "int", cmp(">", mem(Jet, "pt"), num(35)))), [2, 0, 0, 2]);
    // Muon has no field read: its offsets come from nMuon
    close(run(call("count", "int", Muon)), [1, 1, 0, 2]);
  });

  it("sum, mean, min, max, with their empty-list values", () => {
    close(run(call("sum", "float", mem(Jet, "pt"))), [120, 0, 25, 120]);
    close(run(call("mean", "float", mem(Jet, "pt"))), [40, NaN, 25, 60]);
    close(run(call("min", "float", mem(Jet, "eta"))), [-1, NaN, 0, -1]);
    close(run(call("max", "float", mem(Jet, "eta"))), [2, NaN, 0, 1]);
    close(run(call("ht", "float", Jet)), [120, 0, 25, 120]);
  });

  it("a missing element makes sum, mean, min and max missing", () => {
    // log(eta) is missing for eta < 0
    const logs = call("log", "list<float>", mem(Jet, "eta"));
    close(run(call("min", "float", logs)), [NaN, NaN, -Infinity, NaN]);
    close(run(call("sum", "float", logs)), [NaN, 0, -Infinity, NaN]);
    close(run(call("max", "float", logs)), [NaN, NaN, -Infinity, NaN]);
  });

  it("sums over a where: missing and infinite values of elements that fail the condition do not count", () => {
    // summed without a branch, then recomputed with one when a failing NaN or ±Infinity spoilt it
    const q = (cond: ExprIR) => call("sum", "float", mem(where(Jet, cond), "q"));
    close(run(q(cmp(">", field("eta"), num(0)))), [3, 0, 0, 3]);
    close(run(q(cmp("<", field("eta"), num(0)))), [NaN, 0, 0, -Infinity]);
    close(run(q(cmp(">=", field("eta"), num(0)))), [3, 0, Infinity, 3]);
    close(run(call("sum", "float", mem(where(Jet, cmp(">", field("pt"), num(35))), "pt"))), [90, 0, 0, 120]);
    close(run(call("ht", "float", where(Jet, cmp(">", field("pt"), num(35))))), [90, 0, 0, 120]);
  });

  it("any and all, false and true when empty", () => {
    close(run(call("any", "bool", cmp(">", mem(Jet, "pt"), num(45)))), [1, 0, 0, 1]);
    close(run(call("all", "bool", cmp(">", mem(Jet, "pt"), num(28)))), [1, 1, 0, 1]);
    close(run(call("all", "bool", mem(Jet, "id", "bool"))), [0, 1, 1, 0]);
  });
});

describe("picking elements", () => {
  it("index, first and last; past the end and negative are missing", () => {
    close(run(mem(at(Jet, 0), "pt")), [50, NaN, 25, 60]);
    close(run(mem(at(Jet, 1), "eta")), [-1, NaN, NaN, -1]);
    close(run(mem(at(Jet, 5), "pt")), [NaN, NaN, NaN, NaN]);
    close(run(mem(at(Jet, num(-1)), "pt")), [NaN, NaN, NaN, NaN]);
    close(run(mem(call("first", "Jet", Jet), "pt")), [50, NaN, 25, 60]);
    close(run(mem(call("last", "Jet", Jet), "pt")), [30, NaN, 25, 60]);
    close(run(mem(call("last", "Jet", Jet), "phi")), [0, NaN, 1, -0.5]);
    close(run(at(mem(Jet, "pt"), 2)), [30, NaN, NaN, NaN]);
    // an index computed per event
    close(run(mem(at(Jet, arith("-", call("count", "int", Jet), num(1))), "pt")), [30, NaN, 25, 60]);
  });

  it("a field of a missing element: NaN for numbers, false for conditions", () => {
    close(run(mem(at(Jet, 2), "id", "bool")), [1, 0, 0, 0]);
    close(run(mem(at(Jet, 2), "mass")), [0, NaN, NaN, NaN]);
    close(run(mem(at(Muon, 1), "mass")), [NaN, NaN, NaN, 0]);
  });

  it("sort_by: increasing, stable on ties, missing keys last", () => {
    const byPt = call("sort_by", "collection<Jet>", Jet, neg(field("pt")));
    close(run(mem(at(byPt, 0), "eta")), [0.5, NaN, 0, 1]); // ties keep the file's order
    close(run(mem(at(byPt, 1), "eta")), [-1, NaN, NaN, -1]);
    const byEta = call("sort_by", "collection<Jet>", Jet, field("eta"));
    close(run(mem(at(byEta, 0), "pt")), [40, NaN, 25, 60]);
    close(run(mem(at(byEta, 0), "phi")), [-3, NaN, 1, -0.5]);
    const byLog = call("sort_by", "collection<Jet>", Jet, call("log", "float", field("eta")));
    close(run(mem(at(byLog, 0), "pt")), [50, NaN, 25, 60]);
    close(run(mem(at(byLog, 1), "pt")), [30, NaN, NaN, 60]);
    close(run(mem(at(byLog, 2), "pt")), [40, NaN, NaN, NaN]);
    // a sorted list of numbers
    const sortedPt = call("sort_by", "list<float>", mem(Jet, "eta"), self("float"));
    close(run(at(sortedPt, 2)), [2, NaN, NaN, NaN]);
    close(run(call("sum", "float", sortedPt)), [1.5, 0, 0, 0]);
  });

  it("best: the smallest criterion, ties to the first, missing when empty", () => {
    close(run(mem(call("best", "Jet", Jet, call("abs", "float", arith("-", field("eta"), num(0.9)))), "pt")), [50, NaN, 25, 60]);
    close(run(mem(call("best", "Jet", Jet, field("pt")), "eta")), [2, NaN, 0, 1]);
    close(run(mem(call("best", "Jet", Jet, neg(field("pt"))), "eta")), [0.5, NaN, 0, 1]);
    close(run(mem(call("best", "Jet", Jet, arith("~=", field("mass"), num(6))), "pt")), [40, NaN, 25, 60]);
    // a missing criterion never wins: log(eta) is missing for eta <= 0 (log(0) = -Infinity wins)
    close(run(mem(call("best", "Jet", Jet, call("log", "float", field("eta"))), "pt")), [50, NaN, 25, 60]);
    close(run(mem(call("best", "Jet", Jet, call("sqrt", "float", neg(field("pt")))), "pt")), [NaN, NaN, NaN, NaN]);
  });
});

describe("pairs", () => {
  const jj = call("pairs", "collection<pair<Jet,Jet>>", Jet);
  const mj = call("pairs", "collection<pair<Muon,Jet>>", Muon, Jet);

  it("pairs(a): i < j, i outer", () => {
    close(run(call("count", "int", jj)), [3, 0, 0, 1]);
    close(run(mem(mem(at(jj, 0), "first", "Jet"), "pt")), [50, NaN, NaN, 60]);
    close(run(mem(mem(at(jj, 0), "second", "Jet"), "pt")), [40, NaN, NaN, 60]);
    close(run(mem(mem(at(jj, 2), "first", "Jet"), "pt")), [40, NaN, NaN, NaN]);
    close(run(mem(mem(at(jj, 2), "second", "Jet"), "eta")), [2, NaN, NaN, NaN]);
  });

  it("the kinematics of a pair are those of the sum", () => {
    const m01 = massOf(add(jetV(0, 0), jetV(0, 1)));
    const m02 = massOf(add(jetV(0, 0), jetV(0, 2)));
    const m12 = massOf(add(jetV(0, 1), jetV(0, 2)));
    const m3 = massOf(add(jetV(3, 0), jetV(3, 1)));
    close(run(call("sum", "float", mem(jj, "mass"))), [m01 + m02 + m12, 0, 0, m3]);
    close(run(mem(call("best", "pair<Jet,Jet>", jj, arith("~=", field("mass"), num(m02 + 0.1))), "mass")), [m02, NaN, NaN, m3]);
    close(run(mem(at(jj, 0), "pt")), [ptOf(add(jetV(0, 0), jetV(0, 1))), NaN, NaN, ptOf(add(jetV(3, 0), jetV(3, 1)))]);
  });

  it("pairs(a, b): every combination, a outer", () => {
    close(run(call("count", "int", mj)), [3, 0, 0, 4]);
    close(run(mem(mem(at(mj, 1), "first", "Muon"), "pz")), [0, NaN, NaN, 12]);
    close(run(mem(mem(at(mj, 2), "first", "Muon"), "pz")), [0, NaN, NaN, -4]);
    close(run(mem(mem(at(mj, 2), "second", "Jet"), "eta")), [2, NaN, NaN, 1]);
    // the pair closest in deltaR
    const best = call("best", "pair<Muon,Jet>", mj, call("deltaR", "float", field("first", "Muon"), field("second", "Jet")));
    close(run(mem(mem(best, "second", "Jet"), "pt")), [30, NaN, NaN, 60]);
  });

  it("pairs of a filtered list", () => {
    const hard = where(Jet, cmp(">", field("pt"), num(35)));
    close(run(call("count", "int", call("pairs", "collection<pair<Jet,Jet>>", hard))), [1, 0, 0, 1]);
  });
});

describe("combinations and permutations", () => {
  const c2 = call("combinations", "collection<tuple<Jet,Jet>>", Jet, num(2));
  const c3 = call("combinations", "collection<tuple<Jet,Jet,Jet>>", Jet, num(3));
  const p2 = call("permutations", "collection<tuple<Jet,Jet>>", Jet, num(2));
  const member = (list: ExprIR, k: number, m: string, f: string) => mem(mem(at(list, k), m, "Jet"), f);

  it("n choose k and n!/(n-k)! candidates, in itertools' order", () => {
    close(run(call("count", "int", c2)), [3, 0, 0, 1]);
    close(run(call("count", "int", c3)), [1, 0, 0, 0]);
    close(run(call("count", "int", p2)), [6, 0, 0, 2]);
    // combinations(3 jets, 2): (0,1) (0,2) (1,2); permutations: (0,1) (0,2) (1,0) (1,2) (2,0) (2,1)
    close(run(member(c2, 2, "first", "pt")), [40, NaN, NaN, NaN]);
    close(run(member(c2, 2, "second", "eta")), [2, NaN, NaN, NaN]);
    close(run(member(p2, 2, "first", "pt")), [40, NaN, NaN, NaN]);
    close(run(member(p2, 1, "first", "eta")), [0.5, NaN, NaN, -1]);
    close(run(member(p2, 2, "second", "pt")), [50, NaN, NaN, NaN]);
    close(run(member(p2, 5, "first", "eta")), [2, NaN, NaN, NaN]);
    close(run(member(c3, 0, "third", "eta")), [2, NaN, NaN, NaN]);
  });

  it("a candidate's kinematics are those of its members' sum; `index` and `is` on members", () => {
    const m012 = massOf(add(add(jetV(0, 0), jetV(0, 1)), jetV(0, 2)));
    close(run(mem(at(c3, 0), "mass")), [m012, NaN, NaN, NaN]);
    close(run(mem(at(c3, 0), "pt")), [ptOf(add(add(jetV(0, 0), jetV(0, 1)), jetV(0, 2))), NaN, NaN, NaN]);
    close(run(mem(mem(at(p2, 3), "first", "Jet"), "index", "int")), [1, NaN, NaN, NaN]);
    const same = (a: ExprIR, b: ExprIR) => bin("is", "bool", a, b);
    close(run(same(mem(at(p2, 2), "second", "Jet"), at(Jet, 0))), [1, 0, 0, 0]);
    close(run(same(at(Jet, 5), at(Jet, 5))), [0, 0, 0, 0]);
  });

  it("slices: Python's bounds", () => {
    const slice = (lo: number | undefined, hi: number | undefined): ExprIR => ({ op: "slice", type: "collection<Jet>", from: lo !== undefined, to: hi !== undefined, args: [Jet, ...(lo !== undefined ? [num(lo)] : []), ...(hi !== undefined ? [num(hi)] : [])] });
    close(run(call("sum", "float", mem(slice(undefined, 2), "pt"))), [90, 0, 25, 120]);
    close(run(call("sum", "float", mem(slice(1, undefined), "pt"))), [70, 0, 0, 60]);
    close(run(call("sum", "float", mem(slice(-1, undefined), "pt"))), [30, 0, 25, 60]);
    close(run(call("count", "int", slice(5, 1))), [0, 0, 0, 0]);
    close(run(mem(at(slice(1, undefined), 1), "pt")), [30, NaN, NaN, NaN]);
  });
});

describe("kinematics", () => {
  it("from (px, py, pz, E), with a negative m² giving a negative mass (ROOT's convention)", () => {
    close(run(mem(at(Muon, 0), "pt")), [10, 5, NaN, 5]);
    close(run(mem(at(Muon, 0), "phi")), [0, Math.atan2(4, 3), NaN, -Math.PI / 2]);
    close(run(mem(at(Muon, 0), "eta")), [0, 0, NaN, Math.asinh(12 / 5)]);
    close(run(mem(at(Muon, 0), "mass")), [0, -3, NaN, Math.sqrt(27)]);
    close(run(mem(at(Muon, 1), "mass")), [NaN, NaN, NaN, 0]);
    close(run(mem(at(Muon, 1), "eta")), [NaN, NaN, NaN, Math.asinh(-4 / 3)]);
    close(run(mem(at(Muon, 0), "E")), [10, 4, NaN, 14]);
  });

  it("from (pt, eta, phi, mass)", () => {
    const v = jetV(0, 0);
    close(run(mem(at(Jet, 0), "px")), [v.px, NaN, 25 * Math.cos(1), 60 * Math.cos(0.5)]);
    close(run(mem(at(Jet, 0), "py")), [v.py, NaN, 25 * Math.sin(1), 60 * Math.sin(0.5)]);
    close(run(mem(at(Jet, 0), "pz")), [v.pz, NaN, 0, 60 * Math.sinh(1)]);
    close(run(mem(at(Jet, 0), "E")), [v.E, NaN, 25, Math.sqrt(60 ** 2 * Math.cosh(1) ** 2 + 64)]);
    // the function forms are the fields
    close(run(call("eta", "float", at(Jet, 1))), [-1, NaN, NaN, -1]);
    close(run(call("sum", "float", call("pt", "list<float>", Jet))), [120, 0, 25, 120]);
  });

  it("transverse-only records are massless with pz = 0 and eta = 0", () => {
    close(run(mem(MET_, "px")), [20, 10 * Math.cos(Math.PI / 2), -5, 0]);
    close(run(mem(MET_, "py")), [0, 10, 5 * Math.sin(-Math.PI), 0]);
    close(run(mem(MET_, "pz")), [0, 0, 0, 0]);
    close(run(mem(MET_, "eta")), [0, 0, 0, 0]);
    close(run(mem(MET_, "mass")), [0, 0, 0, 0]);
    close(run(mem(MET_, "E")), [20, 10, 5, 0]);
  });

  it("deltaPhi wraps into [-π, π]; deltaEta, deltaR", () => {
    const j0 = at(Jet, 0);
    const j1 = at(Jet, 1);
    close(run(call("deltaPhi", "float", j0, j1)), [f32(3) + 3 - 2 * Math.PI, NaN, NaN, 1]);
    close(run(call("deltaPhi", "float", j1, j0)), [-(f32(3) + 3) + 2 * Math.PI, NaN, NaN, -1]);
    close(run(call("deltaEta", "float", j0, j1)), [1.5, NaN, NaN, 2]);
    close(run(call("deltaR", "float", j0, j1)), [Math.hypot(1.5, 6 - 2 * Math.PI), NaN, NaN, Math.hypot(2, 1)]);
    // exactly ±π stays, just beyond wraps
    const dphi = (a: number, b: number) =>
      run(call("deltaPhi", "float", call("ptetaphim", "p4", num(1), num(0), num(a), num(0)), call("ptetaphim", "p4", num(1), num(0), num(b), num(0))))[0];
    expect(dphi(Math.PI, 0)).toBe(Math.PI);
    expect(dphi(-Math.PI, 0)).toBe(-Math.PI);
    expect(dphi(Math.PI / 2, -Math.PI / 2 - 0.25)).toBeCloseTo(-Math.PI + 0.25, 12);
    expect(dphi(10, 0)).toBeCloseTo(10 - 4 * Math.PI, 12);
  });

  it("deltaR and deltaPhi lift over a collection", () => {
    const dr = call("deltaR", "list<float>", at(Muon, 0), Jet);
    const d = (ev: number, k: number) => {
      const m = muV(ev, 0);
      const [, eta, phi] = JETS[ev][k].map(f32);
      let dp = Math.atan2(m.py, m.px) - phi;
      while (dp > Math.PI) dp -= 2 * Math.PI;
      while (dp < -Math.PI) dp += 2 * Math.PI;
      return Math.hypot(Math.asinh(m.pz / Math.hypot(m.px, m.py)) - eta, dp);
    };
    close(run(call("min", "float", dr)), [Math.min(d(0, 0), d(0, 1), d(0, 2)), NaN, NaN, Math.min(d(3, 0), d(3, 1))]);
    close(run(call("count", "int", cmp(">", dr, num(2)))), [[0, 1, 2].filter((k) => d(0, k) > 2).length, 0, 0, [0, 1].filter((k) => d(3, k) > 2).length]);
  });

  it("mT of a lepton and the missing momentum", () => {
    const mt = (ev: number) => {
      const m = muV(ev, 0);
      const [pt, phi] = MET[ev];
      return Math.sqrt(2 * Math.hypot(m.px, m.py) * pt * (1 - Math.cos(Math.atan2(m.py, m.px) - phi)));
    };
    close(run(call("mT", "float", at(Muon, 0), MET_)), [mt(0), mt(1), NaN, mt(3)]);
  });

  it("four-vector sums and constructors", () => {
    close(run(mem(bin("+", "p4", at(Jet, 0), at(Jet, 1)), "mass")), [massOf(add(jetV(0, 0), jetV(0, 1))), NaN, NaN, massOf(add(jetV(3, 0), jetV(3, 1)))]);
    close(run(mem(bin("+", "p4", at(Muon, 0), at(Jet, 0)), "pt")), [ptOf(add(muV(0, 0), jetV(0, 0))), NaN, NaN, ptOf(add(muV(3, 0), jetV(3, 0)))]);
    close(run(call("mass", "float", call("p4", "p4", num(1), num(2), num(3), num(10)))), [Math.sqrt(86), Math.sqrt(86), Math.sqrt(86), Math.sqrt(86)]);
    close(run(mem(call("ptetaphim", "p4", num(40), num(0.5), num(1.0), num(0)), "E")), Array(4).fill(40 * Math.cosh(0.5)));
    close(run(mem(call("ptetaphim", "p4", num(40), num(0.5), num(1.0), num(3)), "mass")), Array(4).fill(3));
    close(run(mem(call("met", "p4", num(3), num(4)), "pt")), [5, 5, 5, 5]);
    close(run(mem(call("met", "p4", num(3), num(4)), "mass")), [0, 0, 0, 0]);
    close(run(mem(call("met", "p4", num(3), num(4)), "eta")), [0, 0, 0, 0]);
    // sums of sums
    const s3 = bin("+", "p4", bin("+", "p4", at(Jet, 0), at(Jet, 1)), at(Jet, 2));
    close(run(mem(s3, "mass")), [massOf(add(add(jetV(0, 0), jetV(0, 1)), jetV(0, 2))), NaN, NaN, NaN]);
  });
});

describe("operators", () => {
  const x = br("x");
  const y = br("y");
  it("arithmetic; / is a float division; % is the floor modulo; ^ is pow", () => {
    close(run(arith("+", x, y)), [-4, 9.5, 0, -1]);
    close(run(arith("*", x, y)), [-21, 15, 0, -6]);
    close(run(arith("/", x, y)), [-7 / 3, 3.75, NaN, -2 / 3]);
    close(run(arith("/", num(7), num(2))), [3.5, 3.5, 3.5, 3.5]);
    close(run(arith("%", x, y)), [2, 1.5, NaN, -1]);
    close(run(arith("%", num(7), num(-3))), [-2, -2, -2, -2]);
    close(run(arith("^", x, num(2))), [49, 56.25, 0, 4]);
    close(run(arith("^", y, num(0.5))), [Math.sqrt(3), Math.SQRT2, 0, NaN]);
    close(run(arith("~=", x, y)), [10, 5.5, 0, 5]);
    close(run(neg(x)), [7, -7.5, -0, -2]);
  });

  it("comparisons with a missing side are false, != included; not is plain logic", () => {
    const third = mem(at(Jet, 2), "pt");
    close(run(cmp(">", third, num(20))), [1, 0, 0, 0]);
    close(run(cmp("<=", third, num(20))), [0, 0, 0, 0]);
    close(run(cmp("!=", third, num(20))), [1, 0, 0, 0]);
    close(run(cmp("==", third, num(30))), [1, 0, 0, 0]);
    close(run(not(cmp(">", third, num(20)))), [0, 1, 1, 1]);
    close(run(cmp("!=", x, y)), [1, 1, 0, 1]);
    close(run(cmp("==", br("trigger", "bool"), cmp(">", x, num(0)))), [0, 0, 0, 1]);
    close(run(bin("and", "bool", br("trigger", "bool"), cmp(">", x, num(0)))), [0, 0, 0, 1]);
    close(run(bin("or", "bool", br("trigger", "bool"), cmp(">", x, num(0)))), [1, 1, 1, 1]);
  });

  it("entry and entry % 5, with the batch's first entry", () => {
    const r = values(arith("%", entry, num(5)), columns, { collections });
    close(r, [0, 1, 2, 3]);
    const shifted = values(arith("%", arith("-", entry, num(10)), num(5)), { x: columns.x }, {});
    close(shifted, [0, 1, 2, 3]);
  });

  it("lifting: a list with a scalar, two lists of one collection, lists of two collections by position", () => {
    close(run(call("sum", "float", arith("*", mem(Jet, "pt"), mem(Jet, "eta")))), [25 - 40 + 60, 0, 0, 0]);
    close(run(call("sum", "float", arith("*", mem(Jet, "pt"), br("x")))), [-7 * 120, 0, 0, 240]);
    // jets.pt + muons.pt: by position, missing past the end of the muons
    const zip = cmp(">", arith("+", mem(Jet, "pt"), mem(Muon, "pt")), num(0));
    close(run(call("count", "int", zip)), [1, 0, 0, 2]);
    close(run(call("max", "float", arith("+", mem(Muon, "pt"), mem(Jet, "pt")))), [60, NaN, NaN, 65]);
    close(run(call("count", "int", not(mem(Jet, "id", "bool")))), [1, 0, 0, 1]);
    close(run(call("sum", "float", neg(mem(Jet, "pt")))), [-120, 0, -25, -120]);
  });
});

describe("where", () => {
  it("filters a collection; nested where; a where on a list of numbers with this", () => {
    const hard = where(Jet, cmp(">", field("pt"), num(35)));
    close(run(call("count", "int", hard)), [2, 0, 0, 2]);
    close(run(call("count", "int", where(hard, cmp("<", field("eta"), num(0))))), [1, 0, 0, 1]);
    close(run(call("count", "int", where(br("Jet_btag", "list<float>"), cmp(">", self("float"), num(0.5))))), [2, 0, 0, 2]);
    close(run(call("sum", "float", mem(where(Jet, mem(self("Jet"), "id", "bool")), "pt"))), [80, 0, 25, 60]);
    close(run(mem(at(where(Jet, cmp("<", field("eta"), num(0))), 0), "pt")), [40, NaN, NaN, 60]);
  });

  it("this passed to functions, and other collections inside the condition", () => {
    const isolated = where(Jet, call("all", "bool", cmp(">", call("deltaR", "list<float>", self("Jet"), Muon), num(3))));
    // event 0: the muon is at (eta 0, phi 0): jet 0 at (0.5, 3.0) is 3.04 away, jet 1 at (-1, -3) 3.16, jet 2 at (2, 0) 2
    close(run(call("count", "int", isolated)), [2, 0, 1, isolatedCount3()]);
  });
});

function isolatedCount3(): number {
  // event 3 by hand: muons at (asinh(12/5), -π/2) and (asinh(-4/3), π)
  const mus = [0, 1].map((k) => {
    const m = muV(3, k);
    return [Math.asinh(m.pz / Math.hypot(m.px, m.py)), Math.atan2(m.py, m.px)];
  });
  return JETS[3].filter(([, eta, phi]) =>
    mus.every(([me, mp]) => {
      let d = f32(phi) - mp;
      while (d > Math.PI) d -= 2 * Math.PI;
      while (d < -Math.PI) d += 2 * Math.PI;
      return Math.hypot(f32(eta) - me, d) > 3;
    }),
  ).length;
}

describe("math functions (the stdlib's scalar snippets)", () => {
  const x = br("x");
  const y = br("y");
  const X = [-7, 7.5, 0, 2];
  const Y = [3, 2, 0, -3];
  const cases: Array<[string, ExprIR, number[]]> = [
    ["abs", call("abs", "float", x), X.map(Math.abs)],
    ["sqrt", call("sqrt", "float", x), X.map(Math.sqrt)],
    ["exp", call("exp", "float", y), Y.map(Math.exp)],
    ["log", call("log", "float", x), [NaN, Math.log(7.5), -Infinity, Math.log(2)]],
    ["log10", call("log10", "float", y), [Math.log10(3), Math.log10(2), -Infinity, NaN]],
    ["sin", call("sin", "float", x), X.map(Math.sin)],
    ["cos", call("cos", "float", x), X.map(Math.cos)],
    ["tan", call("tan", "float", x), X.map(Math.tan)],
    ["sinh", call("sinh", "float", y), Y.map(Math.sinh)],
    ["cosh", call("cosh", "float", y), Y.map(Math.cosh)],
    ["atan2", call("atan2", "float", y, x), [Math.atan2(3, -7), Math.atan2(2, 7.5), 0, Math.atan2(-3, 2)]],
    ["hypot", call("hypot", "float", x, y), [Math.hypot(7, 3), Math.hypot(7.5, 2), 0, Math.hypot(2, 3)]],
    ["pow", call("pow", "float", x, y), [-343, 56.25, 1, 0.125]],
    ["clip", call("clip", "float", x, num(-1), num(5)), [-1, 5, 0, 2]],
    ["ifelse", call("ifelse", "float", cmp(">", x, y), x, y), [3, 7.5, 0, 2]],
    ["min", call("min", "float", x, y), [-7, 2, 0, -3]],
    ["max", call("max", "float", x, y), [3, 7.5, 0, 2]],
    // ints as doubles, on their low 32 bits (-3 is ...11111101)
    ["xor", call("xor", "int", y, num(6)), [3 ^ 6, 2 ^ 6, 6, -3 ^ 6]],
  ];
  for (const [name, e, expected] of cases) it(name, () => close(run(e), expected, 1e-15));

  it("xor of a missing value is missing", () => {
    close(run(call("xor", "int", mem(at(Jet, 2), "pt"), num(1))), [31, NaN, NaN, NaN]);
  });

  it("min/max of two numbers propagate a missing one", () => {
    close(run(call("min", "float", mem(at(Jet, 2), "pt"), num(100))), [30, NaN, NaN, NaN]);
  });

  it("elementwise over lists", () => {
    close(run(call("sum", "float", call("abs", "list<float>", mem(Jet, "eta")))), [3.5, 0, 0, 2]);
    close(run(call("sum", "float", call("clip", "list<float>", mem(Jet, "pt"), num(30), num(45)))), [45 + 40 + 30, 0, 30, 90]);
    close(run(call("sum", "float", call("ifelse", "list<float>", mem(Jet, "id", "bool"), mem(Jet, "pt"), num(0)))), [80, 0, 25, 60]);
  });

  it("covers every function of the standard library", () => {
    const tested = new Set([
      ...cases.map((c) => c[0]),
      ...["count", "sum", "mean", "any", "all", "ht", "first", "last", "sort_by", "best", "pairs", "combinations", "permutations", "gauss", "uniform", "p4", "ptetaphim", "met"],
      ...["pt", "eta", "phi", "mass", "E", "px", "py", "pz", "deltaPhi", "deltaEta", "deltaR", "mT"],
      // tested in match.test.ts
      "match",
    ]);
    expect(FUNCTIONS.map((f) => f.name).filter((n) => !tested.has(n))).toEqual([]);
  });
});

describe("branches of every kind", () => {
  it("bool branches are conditions, 64-bit integers numbers", () => {
    close(run(br("trigger", "bool")), [1, 0, 1, 1]);
    close(run(br("big", "int")), [1, -2, 2 ** 53, 40]);
    close(run(arith("%", br("big", "int"), num(3))), [1, 1, 2 ** 53 % 3, 1]);
  });

  it("a mask of a number is 1 where it is neither 0 nor missing", () => {
    const r = values(arith("/", br("x"), br("y")), columns, { collections });
    close(r, [-7 / 3, 3.75, NaN, -2 / 3]);
    const m = valuesMask(arith("-", br("x"), br("x")));
    expect(m).toEqual([0, 0, 0, 0]);
    expect(valuesMask(br("x"))).toEqual([1, 1, 0, 1]);
  });
});

describe("names", () => {
  it("declarations and branches named like the kernel's own variables do not clash", () => {
    const cols = { i: flat([1, 2]), n: flat([10, 20]), "weird.name-1": flat([3, 4]) };
    const r = evaluate(
      {
        outputs: { o0: arith("+", { op: "ref", type: "float", decl: "define", name: "i" }, br("n")), n: br("weird.name-1"), cols: entry },
        defines: { i: arith("*", br("i"), num(2)), o0: num(1) },
      },
      cols,
    );
    expect(r).toEqual({ o0: [12, 24], n: [3, 4], cols: [0, 1] });
  });

  it("compiles a chain of 2000 defines quickly", () => {
    const defines: Record<string, ExprIR> = { d0: br("x") };
    for (let k = 1; k < 2000; k++) defines[`d${k}`] = arith("+", { op: "ref", type: "float", decl: "define", name: `d${k - 1}` }, call("sum", "float", mem(where(Jet, cmp(">", field("pt"), num(k % 50))), "pt")));
    const t = performance.now();
    const k = compileKernel({ outputs: [{ key: "last", expr: { op: "ref", type: "float", decl: "define", name: "d1999" }, as: "f64" }], defines, regions: {}, collections });
    expect(performance.now() - t).toBeLessThan(5000);
    const out = Array.from(k.run(batchOf(columns)).get("last")!);
    const expected = [-7, 7.5, 0, 2].map((x, ev) => {
      let v = x;
      for (let j = 1; j < 2000; j++) v += JETS[ev].map((jet) => jet[0]).filter((pt) => pt > j % 50).reduce((a, b) => a + b, 0);
      return v;
    });
    close(out, expected, 1e-12);
  });
});

function valuesMask(e: ExprIR): number[] {
  const k = compileKernel({ outputs: [{ key: "x", expr: e, as: "mask" }], defines: {}, regions: {}, collections });
  return Array.from(k.run(batchOf(columns)).get("x")!);
}
