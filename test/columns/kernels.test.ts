/**
 * Kernels against values computed by hand on small batches: every stdlib function the runtime
 * implements, the missing-value rules, the phi wrap, combinatorics, and chunk invariance.
 */
import { describe, expect, it } from "vitest";
import type { CollectionIR, ExprIR } from "../../plan/types.js";
import type { Column } from "../../runtime/io/index.js";
import { compileKernel } from "../../runtime/columns/index.js";

// ---- a tiny batch: 4 events of jets (pt, eta, phi, mass) and two flat branches ----
const jets = [
  [{ pt: 50, eta: 0.5, phi: 3.1, m: 10 }, { pt: 30, eta: -1.0, phi: -3.1, m: 5 }, { pt: 40, eta: 2.0, phi: 0.0, m: 0 }],
  [],
  [{ pt: 25, eta: 0.1, phi: 1.0, m: 4 }],
  [{ pt: 60, eta: -0.3, phi: -1.5, m: 8 }, { pt: 60, eta: 0.3, phi: 1.5, m: 8 }],
];
const met = [
  [10, 0],
  [0, 20],
  [-5, -5],
  [3, 4],
];

function jagged(pick: (j: { pt: number; eta: number; phi: number; m: number }) => number): Column {
  const offsets = new Int32Array(jets.length + 1);
  const values: number[] = [];
  jets.forEach((ev, i) => {
    for (const j of ev) values.push(pick(j));
    offsets[i + 1] = values.length;
  });
  return { kind: "jagged", dtype: "f8", offsets, values: Float64Array.from(values) };
}

function batch(from = 0, to = jets.length) {
  const full = new Map<string, Column>([
    ["Jet_pt", jagged((j) => j.pt)],
    ["Jet_eta", jagged((j) => j.eta)],
    ["Jet_phi", jagged((j) => j.phi)],
    ["Jet_mass", jagged((j) => j.m)],
    ["nJet", { kind: "flat", dtype: "i4", values: Int32Array.from(jets.map((e) => e.length)) }],
    ["MET_px", { kind: "flat", dtype: "f4", values: Float32Array.from(met.map((m) => m[0])) }],
    ["MET_py", { kind: "flat", dtype: "f4", values: Float32Array.from(met.map((m) => m[1])) }],
  ]);
  // Slice events [from, to) as the reader would deliver a chunk.
  const columns = new Map<string, Column>();
  for (const [k, c] of full) {
    if (c.kind === "jagged") {
      const lo = c.offsets[from];
      const hi = c.offsets[to];
      columns.set(k, { kind: "jagged", dtype: c.dtype, offsets: Int32Array.from(c.offsets.slice(from, to + 1), (o) => o - lo), values: (c.values as Float64Array).slice(lo, hi) });
    } else columns.set(k, { kind: "flat", dtype: c.dtype, values: (c.values as Float64Array).slice(from, to) });
  }
  return { n: to - from, entry0: from, columns };
}

const collections: CollectionIR[] = [
  { name: "Jet", shape: "jagged", countBranch: "nJet", fields: { pt: "Jet_pt" }, kinematics: { source: "ptetaphim", fields: { pt: "Jet_pt", eta: "Jet_eta", phi: "Jet_phi", mass: "Jet_mass" } } },
  { name: "MET", shape: "single", fields: {}, kinematics: { source: "pxpy", fields: { px: "MET_px", py: "MET_py" } } },
];

// ---- IR builders ----
const num = (value: number): ExprIR => ({ op: "const", type: Number.isInteger(value) ? "int" : "float", value });
const Jet: ExprIR = { op: "collection", type: "collection<Jet>", name: "Jet" };
const MET: ExprIR = { op: "collection", type: "MET", name: "MET" };
const call = (fn: string, type: string, ...args: ExprIR[]): ExprIR => ({ op: "call", fn, type, args });
const bin = (fn: string, type: string, a: ExprIR, b: ExprIR): ExprIR => ({ op: "binary", fn, type, args: [a, b] });
const idx = (l: ExprIR, i: number, type = "Jet"): ExprIR => ({ op: "index", type, args: [l, num(i)] });
const mem = (x: ExprIR, name: string, type = "float"): ExprIR => ({ op: "member", name, type, args: [x] });
const fld = (name: string, type = "float"): ExprIR => ({ op: "field", name, type });
const where = (l: ExprIR, c: ExprIR): ExprIR => ({ op: "where", type: l.type, args: [l, c] });
const self: ExprIR = { op: "this", type: "Jet" };

function evalAll(exprs: Record<string, ExprIR>, as: "f64" | "mask" = "f64", defines: Record<string, ExprIR> = {}, b = batch()): Record<string, number[]> {
  const k = compileKernel({ outputs: Object.entries(exprs).map(([key, expr]) => ({ key, expr, as })), defines, regions: {}, collections });
  const out = k.run(b);
  return Object.fromEntries([...out].map(([key, a]) => [key, Array.from(a)]));
}

const p4 = (j: { pt: number; eta: number; phi: number; m: number }) => ({
  px: j.pt * Math.cos(j.phi),
  py: j.pt * Math.sin(j.phi),
  pz: j.pt * Math.sinh(j.eta),
  E: Math.hypot(j.pt * Math.cosh(j.eta), j.m),
});
const wrap = (d: number) => d - 2 * Math.PI * Math.round(d / (2 * Math.PI));

describe("kernels: kinematics", () => {
  it("deltaPhi wraps across ±π and deltaR uses the wrapped value", () => {
    const r = evalAll({ dphi: call("deltaPhi", "float", idx(Jet, 0), idx(Jet, 1)), dr: call("deltaR", "float", idx(Jet, 0), idx(Jet, 1)) });
    const dphi = 3.1 - -3.1 - 2 * Math.PI;
    expect(r.dphi[0]).toBeCloseTo(dphi, 12);
    expect(Math.abs(r.dphi[0])).toBeLessThan(0.1);
    expect(r.dr[0]).toBeCloseTo(Math.hypot(1.5, dphi), 12);
    expect(r.dphi[1]).toBeNaN(); // no jets: missing
  });

  it("the mass of a sum of two objects matches the four-vector computed by hand", () => {
    const r = evalAll({ m: call("mass", "float", bin("+", "p4", idx(Jet, 0), idx(Jet, 1))) });
    const a = p4(jets[0][0]);
    const b = p4(jets[0][1]);
    const m2 = (a.E + b.E) ** 2 - (a.px + b.px) ** 2 - (a.py + b.py) ** 2 - (a.pz + b.pz) ** 2;
    expect(r.m[0]).toBeCloseTo(Math.sqrt(m2), 9);
    expect(r.m[2]).toBeNaN(); // one jet: jets[1] is missing
  });

  it("a negative m² gives a negative mass, as ROOT's TLorentzVector::M()", () => {
    const r = evalAll({ m: call("mass", "float", call("p4", "p4", num(3), num(0), num(4), num(1))) });
    expect(r.m[0]).toBeCloseTo(-Math.sqrt(24), 12);
  });

  it("transverse-only objects (MET from px, py) are massless with pz = 0; mT as by hand", () => {
    const r = evalAll({ pt: mem(MET, "pt"), phi: mem(MET, "phi"), mass: mem(MET, "mass"), mt: call("mT", "float", idx(Jet, 0), MET) });
    expect(r.pt).toEqual(met.map(([x, y]) => Math.hypot(x, y)));
    expect(r.phi).toEqual(met.map(([x, y]) => Math.atan2(y, x)));
    expect(r.mass).toEqual([0, 0, 0, 0]);
    const j = jets[0][0];
    expect(r.mt[0]).toBeCloseTo(Math.sqrt(2 * j.pt * 10 * (1 - Math.cos(j.phi - 0))), 9);
    expect(r.mt[1]).toBeNaN();
  });
});

describe("kernels: lists and reductions", () => {
  it("count, sum, mean, min, max, any, all with their empty-list conventions", () => {
    const pts = mem(Jet, "pt", "list<float>");
    const r = evalAll({
      count: call("count", "int", Jet),
      countpass: call("count", "int", bin(">", "list<bool>", pts, num(35))),
      sum: call("sum", "float", pts),
      mean: call("mean", "float", pts),
      min: call("min", "float", pts),
      max: call("max", "float", pts),
      any: call("any", "bool", bin(">", "list<bool>", pts, num(55))),
      all: call("all", "bool", bin(">", "list<bool>", pts, num(26))),
      ht: call("ht", "float", Jet),
    });
    expect(r.count).toEqual([3, 0, 1, 2]);
    expect(r.countpass).toEqual([2, 0, 0, 2]);
    expect(r.sum).toEqual([120, 0, 25, 120]);
    expect(r.ht).toEqual([120, 0, 25, 120]);
    expect(r.mean[0]).toBe(40);
    expect(r.mean[1]).toBeNaN();
    expect(r.min).toEqual([30, NaN, 25, 60]);
    expect(r.max).toEqual([50, NaN, 25, 60]);
    expect(r.any).toEqual([0, 0, 0, 1]);
    expect(r.all).toEqual([1, 1, 0, 1]); // all of nothing is true
  });

  it("count(collection where cond): one flat pass when the condition is the element's own, a loop per event otherwise; same counts", () => {
    const own = call("count", "int", where(Jet, bin("and", "bool", bin(">", "bool", fld("pt"), num(35)), bin("<", "bool", call("abs", "float", fld("eta")), num(1)))));
    const eventLevel = call("count", "int", where(Jet, bin(">", "bool", fld("pt"), { op: "binary", fn: "*", type: "float", args: [mem(MET, "pt"), num(3)] })));
    const spec = (expr: ExprIR) => ({ outputs: [{ key: "c", expr, as: "f64" as const }], defines: {}, regions: {}, collections });
    const flat = compileKernel(spec(own));
    expect(flat.source).toContain("running count");
    const loop = compileKernel(spec(eventLevel));
    expect(loop.source).not.toContain("running count"); // MET's pt is per event: no flat pass
    const byHand = (keep: (j: (typeof jets)[0][0], i: number) => boolean) => jets.map((ev, i) => ev.filter((j) => keep(j, i)).length);
    expect(Array.from(flat.run(batch()).get("c")!)).toEqual(byHand((j) => j.pt > 35 && Math.abs(j.eta) < 1));
    expect(Array.from(loop.run(batch()).get("c")!)).toEqual(byHand((j, i) => j.pt > Math.hypot(met[i][0], met[i][1]) * 3));
    // a batch that starts mid-sample, and one of single events
    for (const [from, to] of [[1, 4], [3, 4], [0, 1]]) {
      expect(Array.from(flat.run(batch(from, to)).get("c")!), `${from}:${to}`).toEqual(byHand((j) => j.pt > 35 && Math.abs(j.eta) < 1).slice(from, to));
    }
  });

  it("indexing past the end is missing; a cut on it fails; histograms would skip it", () => {
    const third = mem(idx(Jet, 2), "pt");
    const f = evalAll({ pt: third });
    expect(f.pt).toEqual([40, NaN, NaN, NaN]);
    const m = evalAll({ cut: bin(">", "bool", third, num(0)), neg: bin("!=", "bool", third, num(0)), not: { op: "unary", fn: "not", type: "bool", args: [bin(">", "bool", third, num(0))] } }, "mask");
    expect(m.cut).toEqual([1, 0, 0, 0]);
    expect(m.neg).toEqual([1, 0, 0, 0]);
    expect(m.not).toEqual([0, 1, 1, 1]); // not(false): a comparison with a missing value is false
  });

  it("where with this and fields: cross-cleaning against another collection", () => {
    // jets with pt > 28 that are at least 1.0 away from the leading jet (excluding itself by distance)
    const cleaned = where(Jet, bin("and", "bool", bin(">", "bool", fld("pt"), num(28)), call("all", "bool", bin(">", "list<bool>", call("deltaR", "list<float>", self, { op: "ref", decl: "object", name: "lead", type: "collection<Jet>" }), num(1.0)))));
    const r = evalAll({ n: call("count", "int", { op: "ref", decl: "object", name: "clean", type: "collection<Jet>" }) }, "f64", {
      lead: where(Jet, bin(">=", "bool", fld("pt"), num(50))),
      clean: cleaned,
    });
    // event 0: lead = jet0; jet1 (dR to jet0 = hypot(1.5, 0.083) > 1) passes; jet2 (dR hypot(1.5, 3.1)) passes; jet0 itself dR 0 fails
    // event 3: lead = both (pt 60); each is within dR 0 of itself: none pass
    expect(r.n).toEqual([2, 0, 0, 0]);
  });

  it("sort_by is stable and increasing; -pt sorts by decreasing pT", () => {
    const sorted = call("sort_by", "collection<Jet>", Jet, { op: "unary", fn: "-", type: "float", args: [fld("pt")] });
    const r = evalAll({ first: mem(idx(sorted, 0), "pt"), second: mem(idx(sorted, 1), "pt"), eta0: mem(idx(sorted, 0), "eta") });
    expect(r.first).toEqual([50, NaN, 25, 60]);
    expect(r.second).toEqual([40, NaN, NaN, 60]);
    expect(r.eta0[3]).toBe(-0.3); // equal keys keep their order
  });

  it("pairs and best: n(n-1)/2 pairs in one collection; the pair whose mass is closest to a target", () => {
    const pairs = call("pairs", "collection<pair<Jet,Jet>>", Jet);
    const masses = jets.map((ev) => {
      const out: number[] = [];
      for (let a = 0; a < ev.length; a++)
        for (let b = a + 1; b < ev.length; b++) {
          const x = p4(ev[a]);
          const y = p4(ev[b]);
          out.push(Math.sqrt((x.E + y.E) ** 2 - (x.px + y.px) ** 2 - (x.py + y.py) ** 2 - (x.pz + y.pz) ** 2));
        }
      return out;
    });
    const target = 91.2;
    const best = call("best", "pair<Jet,Jet>", pairs, bin("~=", "float", fld("mass"), num(target)));
    const r = evalAll({ n: call("count", "int", pairs), m: mem(best, "mass"), firstpt: mem(mem(best, "first", "Jet"), "pt") });
    expect(r.n).toEqual([3, 0, 0, 1]);
    const expected = masses.map((ms) => (ms.length ? ms.reduce((b, m) => (Math.abs(m - target) < Math.abs(b - target) ? m : b)) : NaN));
    r.m.forEach((m, i) => (Number.isNaN(expected[i]) ? expect(m).toBeNaN() : expect(m).toBeCloseTo(expected[i], 9)));
    expect(r.firstpt[3]).toBe(60);
  });

  it("elementwise math lifts over lists; entry and floor-mod give folds in [0, 5)", () => {
    const r = evalAll({
      sumabs: call("sum", "float", call("abs", "list<float>", mem(Jet, "eta", "list<float>"))),
      fold: bin("%", "int", { op: "builtin", name: "entry", type: "int" }, num(3)),
      negmod: bin("%", "int", num(-7), num(5)),
    });
    expect(r.sumabs[0]).toBeCloseTo(3.5, 12);
    expect(r.fold).toEqual([0, 1, 2, 0]);
    expect(r.negmod).toEqual([3, 3, 3, 3]);
  });
});

describe("kernels: chunking", () => {
  it("outputs are the same bits whether the events come in one batch or several", () => {
    const exprs = {
      m: call("mass", "float", bin("+", "p4", idx(Jet, 0), idx(Jet, 1))),
      e: bin("%", "int", { op: "builtin", name: "entry", type: "int" }, num(2)),
      s: call("sum", "float", mem(Jet, "pt", "list<float>")),
    };
    const whole = evalAll(exprs);
    const parts = [batch(0, 1), batch(1, 3), batch(3, 4)].map((b) => evalAll(exprs, "f64", {}, b));
    for (const key of Object.keys(exprs)) expect(parts.flatMap((p) => p[key])).toEqual(whole[key]);
  });
});
