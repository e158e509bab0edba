/**
 * Kernels on real files (test/fixtures/root): against the files' own computed branches, against
 * direct loops written here, and on plans compiled from .hep text and from the examples; chunk
 * invariance on real data; the generated source rebuilt in a worker thread.
 */
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { nodeHost } from "../../cli/host.js";
import { compilePlan } from "../../compiler/compile.js";
import type { CollectionIR, ExprIR, Plan } from "../../plan/types.js";
import { FUNCTIONS } from "../../stdlib/index.js";
import { compileKernel, kernelFromSource, KernelError, type Batch } from "../../runtime/columns/index.js";
import { openRoot, type Column } from "../../runtime/io/index.js";
import { REPO_ROOT, repoPath } from "../helpers/repo.js";
import { arith, at, bin, br, call, cmp, coll, expectChunkInvariant, field, mem, num, planFromText, planSpec, where } from "./helpers.js";

const ZMUMU = repoPath("test/fixtures/root/scikit-hep-testdata/uproot-Zmumu.root");
const SINGLE_TOP = repoPath("test/fixtures/root/cms-hep-tutorial/single_top.root");
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

const numbers = (c: Column | undefined): number[] => Array.from(c!.values as ArrayLike<number>, Number);
const lists = (c: Column | undefined): number[][] => {
  if (!c || c.kind !== "jagged") throw new Error("not jagged");
  return Array.from({ length: c.offsets.length - 1 }, (_, i) => Array.from(c.values.subarray(c.offsets[i], c.offsets[i + 1]) as ArrayLike<number>, Number));
};

function relClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let where = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      expect(Number.isNaN(a), `event ${i}: ${a} vs ${e}`).toBe(Number.isNaN(e));
      continue;
    }
    const d = Math.abs(a - e) / Math.max(Math.abs(e), 1e-300);
    if (d > worst) [worst, where] = [d, i];
  }
  expect(worst, `worst relative difference at event ${where}`).toBeLessThanOrEqual(rel);
}

describe("Z → μμ (uproot-Zmumu.root): flat branches", () => {
  const p4 = (k: 1 | 2): ExprIR => call("p4", "p4", br(`px${k}`), br(`py${k}`), br(`pz${k}`), br(`E${k}`));

  it("mass(p4(mu1) + p4(mu2)) is the file's M for all 2304 events, within 1e-6", async () => {
    const k = compileKernel({
      outputs: [
        { key: "mll", expr: call("mass", "float", bin("+", "p4", p4(1), p4(2))), as: "f64" },
        { key: "pt1", expr: mem(p4(1), "pt"), as: "f64" },
        { key: "eta1", expr: mem(p4(1), "eta"), as: "f64" },
        { key: "phi1", expr: mem(p4(1), "phi"), as: "f64" },
      ],
      defines: {},
      regions: {},
      collections: [],
    });
    const b = await read(ZMUMU, "events", [...k.branches, "M", "pt1", "eta1", "phi1"]);
    expect(b.n).toBe(2304);
    const out = k.run(b);
    relClose(out.get("mll")!, numbers(b.columns.get("M")), 1e-6);
    // pt, eta, phi from (px, py, pz) are the file's pt1, eta1, phi1 (stored to 6 digits) — except
    // in the rows where the file's (px1, py1, pz1) come from another fit of the muon than its
    // (pt1, eta1, phi1): the file has four rows per dimuon, one per combination of global and
    // tracker fits (its `Type` column), and 516 of the 2304 rows disagree with themselves.
    const agree = (key: string, file: string, tol: (x: number) => number) => {
      const ours = out.get(key)!;
      return numbers(b.columns.get(file)).filter((x, i) => Math.abs(ours[i] - x) <= tol(x)).length;
    };
    expect(agree("pt1", "pt1", (x) => 1e-5 * x)).toBe(2304 - 516);
    expect(agree("eta1", "eta1", () => 1e-5)).toBeGreaterThanOrEqual(2304 - 516);
    expect(agree("phi1", "phi1", () => 1e-5)).toBeGreaterThanOrEqual(2304 - 516);
  });

  it("the example analysis: regions and defines match a direct computation; chunk invariant", async () => {
    const c = await compilePlan("examples/zmumu/analysis.hep", nodeHost(REPO_ROOT));
    const k = compileKernel(planSpec(c.plan!));
    const b = await read(ZMUMU, "events", [...k.branches, "M"]);
    const out = k.run(b);
    const col = (n: string) => numbers(b.columns.get(n));
    const [Q1, Q2, pt1, pt2, eta1, eta2, M] = ["Q1", "Q2", "pt1", "pt2", "eta1", "eta2", "M"].map(col);
    const mll = out.get("define:mll")!;
    relClose(mll, M, 1e-6);
    const good = Q1.map((q, i) => (q * Q2[i] < 0 && pt1[i] > 20 && pt2[i] > 20 && Math.abs(eta1[i]) < 2.4 && Math.abs(eta2[i]) < 2.4 ? 1 : 0));
    expect(Array.from(out.get("filter:good")!)).toEqual(good);
    expect(Array.from(out.get("filter:z_window")!)).toEqual(good.map((g, i) => (g && Math.abs(mll[i] - 91.19) < 15 ? 1 : 0)));
    expectChunkInvariant(k, b, [1, 700, 701, 2000]);
  });
});

describe("single top (CMS tutorial): jagged collections from (Px, Py, Pz, E)", () => {
  const collections: CollectionIR[] = [
    { name: "Muon", shape: "jagged", countBranch: "NMuon", fields: {}, kinematics: { source: "pxpypzE", fields: { px: "Muon_Px", py: "Muon_Py", pz: "Muon_Pz", E: "Muon_E" } } },
    { name: "Jet", shape: "jagged", countBranch: "NJet", fields: { btag: "Jet_btag" }, kinematics: { source: "pxpypzE", fields: { px: "Jet_Px", py: "Jet_Py", pz: "Jet_Pz", E: "Jet_E" } } },
  ];

  it("count(Muon) is NMuon; sum(Jet.pt) is Σ hypot(Px, Py); count(Jet.btag > 1.74)", async () => {
    const k = compileKernel({
      outputs: [
        { key: "nmu", expr: call("count", "int", coll("Muon")), as: "f64" },
        { key: "ht", expr: call("sum", "float", mem(coll("Jet"), "pt")), as: "f64" },
        { key: "nb", expr: call("count", "int", cmp(">", mem(coll("Jet"), "btag"), num(1.74))), as: "f64" },
      ],
      defines: {},
      regions: {},
      collections,
    });
    // count(Muon) reads only NMuon
    expect(k.branches).toContain("NMuon");
    expect(k.branches.filter((b) => b.startsWith("Muon_"))).toEqual([]);
    const b = await read(SINGLE_TOP, "events", [...k.branches, "Jet_Px", "Jet_Py", "Jet_btag"]);
    expect(b.n).toBe(5684);
    const out = k.run(b);
    expect(Array.from(out.get("nmu")!)).toEqual(numbers(b.columns.get("NMuon")));
    const px = lists(b.columns.get("Jet_Px"));
    const py = lists(b.columns.get("Jet_Py"));
    relClose(out.get("ht")!, px.map((xs, i) => xs.reduce((s, x, j) => s + Math.hypot(x, py[i][j]), 0)), 1e-12);
    expect(Array.from(out.get("nb")!)).toEqual(lists(b.columns.get("Jet_btag")).map((l) => l.filter((x) => x > 1.74).length));
  });

  it("the example analysis against a direct implementation; chunk invariant", async () => {
    const c = await compilePlan("examples/single-top/analysis.hep", nodeHost(REPO_ROOT));
    const k = compileKernel(planSpec(c.plan!));
    // the kernel reads what it needs (no Muon_E: no muon energy or mass is used); the direct loops read more
    expect(k.branches).not.toContain("Muon_E");
    const b = await read(SINGLE_TOP, "events", [...new Set([...k.branches, "Muon_E"])]);
    const out = k.run(b);
    const direct = singleTopDirect(b);
    for (const name of ["ht", "mjj", "dr_mu_jet", "mt_w", "met", "nbjets"]) relClose(out.get(`define:${name}`)!, direct[name], 1e-9);
    for (const name of ["presel", "sr", "cr"]) expect(Array.from(out.get(`filter:${name}`)!), name).toEqual(direct[name]);
    // the selections select something
    expect(direct.presel.filter(Boolean).length).toBeGreaterThan(1000);
    expect(direct.sr.filter(Boolean).length).toBeGreaterThan(500);
    expectChunkInvariant(k, b, [1, 1000, 1001, 4000]);
  });
});

/** The single-top example's objects and defines, written as plain loops over per-event objects. */
function singleTopDirect(b: Batch): Record<string, number[]> {
  const L = (n: string) => lists(b.columns.get(n));
  const F = (n: string) => numbers(b.columns.get(n));
  const [mpx, mpy, mpz, mE, miso] = ["Muon_Px", "Muon_Py", "Muon_Pz", "Muon_E", "Muon_Iso"].map(L);
  const [jpx, jpy, jpz, jE, jid, jb] = ["Jet_Px", "Jet_Py", "Jet_Pz", "Jet_E", "Jet_ID", "Jet_btag"].map(L);
  const [metx, mety, trig] = ["MET_px", "MET_py", "triggerIsoMu24"].map(F);
  type O = { px: number; py: number; pz: number; E: number; pt: number; eta: number; phi: number };
  const obj = (px: number, py: number, pz: number, E: number): O => {
    const pt = Math.hypot(px, py);
    const p = Math.hypot(pt, pz);
    return { px, py, pz, E, pt, eta: 0.5 * Math.log((p + pz) / (p - pz)), phi: Math.atan2(py, px) };
  };
  const dR = (a: O, c: O) => {
    let d = a.phi - c.phi;
    if (d > Math.PI) d -= 2 * Math.PI;
    if (d < -Math.PI) d += 2 * Math.PI;
    return Math.hypot(a.eta - c.eta, d);
  };
  const out: Record<string, number[]> = { ht: [], mjj: [], dr_mu_jet: [], mt_w: [], met: [], nbjets: [], presel: [], sr: [], cr: [] };
  for (let i = 0; i < b.n; i++) {
    const muons = mpx[i].map((_, j) => ({ o: obj(mpx[i][j], mpy[i][j], mpz[i][j], mE[i][j]), iso: miso[i][j] })).filter(({ o, iso }) => o.pt > 25 && Math.abs(o.eta) < 2.1 && iso / o.pt < 0.15).map((m) => m.o);
    const jets = jpx[i]
      .map((_, j) => ({ o: obj(jpx[i][j], jpy[i][j], jpz[i][j], jE[i][j]), id: jid[i][j], btag: jb[i][j] }))
      .filter(({ o, id }) => o.pt > 30 && Math.abs(o.eta) < 2.4 && id !== 0 && muons.every((m) => dR(o, m) > 0.4));
    const nb = jets.filter((j) => j.btag > 1.74).length;
    out.ht.push(jets.reduce((s, j) => s + j.o.pt, 0));
    if (jets.length >= 2) {
      const [a, c] = [jets[0].o, jets[1].o];
      out.mjj.push(Math.sqrt((a.E + c.E) ** 2 - (a.px + c.px) ** 2 - (a.py + c.py) ** 2 - (a.pz + c.pz) ** 2));
    } else out.mjj.push(NaN);
    out.dr_mu_jet.push(muons.length && jets.length ? Math.min(...jets.map((j) => dR(muons[0], j.o))) : NaN);
    const met = Math.hypot(metx[i], mety[i]);
    out.met.push(met);
    out.mt_w.push(muons.length ? Math.sqrt(2 * muons[0].pt * met * (1 - Math.cos(muons[0].phi - Math.atan2(mety[i], metx[i])))) : NaN);
    out.nbjets.push(nb);
    const presel = trig[i] !== 0 && muons.length === 1 && jets.length >= 2;
    out.presel.push(presel ? 1 : 0);
    out.sr.push(presel && nb >= 1 ? 1 : 0);
    out.cr.push(presel && nb === 0 ? 1 : 0);
  }
  return out;
}

describe("NanoAOD: collections from (pt, eta, phi, mass) counted by nMuon", () => {
  it("count(Muon where pt > 20) is a direct loop over Muon_pt", async () => {
    const collections: CollectionIR[] = [{ name: "Muon", shape: "jagged", countBranch: "nMuon", fields: { pt: "Muon_pt" } }];
    const k = compileKernel({
      outputs: [
        { key: "n20", expr: call("count", "int", where(coll("Muon"), cmp(">", field("pt"), num(20)))), as: "f64" },
        { key: "n", expr: call("count", "int", coll("Muon")), as: "f64" },
      ],
      defines: {},
      regions: {},
      collections,
    });
    const b = await read(NANOAOD, "Events", [...k.branches, "nMuon"]);
    expect(b.n).toBe(200);
    const out = k.run(b);
    const pts = lists(b.columns.get("Muon_pt"));
    const direct = pts.map((l) => l.filter((x) => x > 20).length);
    expect(Array.from(out.get("n20")!)).toEqual(direct);
    expect(direct.some((x) => x > 0)).toBe(true);
    expect(Array.from(out.get("n")!)).toEqual(numbers(b.columns.get("nMuon")));
  });

  it("the example analysis (cross-cleaning, pairs of two collections, best, MET record): chunk invariant; values as a direct loop", async () => {
    const c = await compilePlan("examples/nanoaod/analysis.hep", nodeHost(REPO_ROOT));
    const k = compileKernel(planSpec(c.plan!));
    const b = await read(NANOAOD, "Events", k.branches);
    const out = k.run(b);
    // ht = Σ pt of jets (pt > 30, |eta| < 2.4, jetId >= 2, ΔR > 0.4 from every selected muon)
    const L = (n: string) => lists(b.columns.get(n));
    const [mpt, meta, mphi, mglobal, mpf, miso] = ["Muon_pt", "Muon_eta", "Muon_phi", "Muon_isGlobal", "Muon_isPFcand", "Muon_pfRelIso04_all"].map(L);
    const [jpt, jeta, jphi, jid] = ["Jet_pt", "Jet_eta", "Jet_phi", "Jet_jetId"].map(L);
    const ht = jpt.map((pts, i) => {
      const mus = mpt[i].map((pt, m) => m).filter((m) => mpt[i][m] > 20 && Math.abs(meta[i][m]) < 2.4 && mglobal[i][m] !== 0 && mpf[i][m] !== 0 && miso[i][m] < 0.15);
      return pts.reduce((s, pt, j) => {
        const iso = mus.every((m) => {
          let d = jphi[i][j] - mphi[i][m];
          if (d > Math.PI) d -= 2 * Math.PI;
          if (d < -Math.PI) d += 2 * Math.PI;
          return Math.hypot(jeta[i][j] - meta[i][m], d) > 0.4;
        });
        return pt > 30 && Math.abs(jeta[i][j]) < 2.4 && jid[i][j] >= 2 && iso ? s + pt : s;
      }, 0);
    });
    relClose(out.get("define:ht")!, ht, 1e-12);
    // the cross-cleaning is not vacuous: some events have selected muons, and some jets are removed
    const withMuons = mpt.filter((pts, i) => pts.some((pt, m) => pt > 20 && Math.abs(meta[i][m]) < 2.4 && mglobal[i][m] !== 0 && mpf[i][m] !== 0 && miso[i][m] < 0.15)).length;
    expect(withMuons).toBeGreaterThan(10);
    expectChunkInvariant(k, b, [1, 50, 51, 199]);
  });
});

describe("plans compiled from .hep text", () => {
  const header = `
analysis t { seed 1 }
sample st {
  files "../fixtures/root/cms-hep-tutorial/single_top.root"
  tree "events"
  class signal
}
`;

  it("defines, objects used many times (stored once per event), sort_by, best of pairs, folds", async () => {
    const plan = await planFromText(`${header}
object muons = Muon where pt > 10 GeV
object jets = Jet where pt > 20 GeV and all(deltaR(this, muons) > 0.4)
define njets = count(jets)
define lead_eta = jets[0].eta
define sub_pt = sort_by(jets, pt)[0].pt
define mjj_best = best(pairs(jets), mass ~= 80.4).mass
define sum_btag = sum(jets.btag)
define fold = entry % 5
define mu_jet_min = min(deltaR(muons[0], jets))
region two_jets = njets >= 2 and mjj_best > 0
`);
    const k = compileKernel(planSpec(plan));
    // each object's selection loop appears once in the source
    expect(k.source.match(/\/\/ object jets/g)).toHaveLength(1);
    expect(k.source.match(/\/\/ object muons/g)).toHaveLength(1);
    const b = await read(SINGLE_TOP, "events", k.branches);
    const out = k.run(b);
    const f = out.get("define:fold")!;
    expect(Array.from(f.slice(0, 7))).toEqual([0, 1, 2, 3, 4, 0, 1]);
    const n = out.get("define:njets")!;
    const sub = out.get("define:sub_pt")!;
    const m = out.get("define:mjj_best")!;
    const two = out.get("filter:two_jets")!;
    for (let i = 0; i < b.n; i++) {
      expect(Number.isNaN(sub[i])).toBe(n[i] === 0);
      expect(Number.isNaN(m[i])).toBe(n[i] < 2);
      expect(two[i]).toBe(n[i] >= 2 && m[i] > 0 ? 1 : 0);
    }
    // a later batch's entries continue the folds
    const later = k.run({ ...b, entry0: 12 });
    expect(Array.from(later.get("define:fold")!.slice(0, 3))).toEqual([2, 3, 4]);
    expectChunkInvariant(k, b, [3, 2000]);
  });

  it("an element used once per event reads the derived kinematics a loop already computed, with the same bits", async () => {
    const alone = await planFromText(`${header}
object muons = Muon where pt > 10 GeV
define lead_eta = muons[0].eta
define lead_phi = muons[0].phi
`);
    const withLoop = await planFromText(`${header}
object muons = Muon where pt > 10 GeV
object jets = Jet where pt > 20 GeV and all(deltaR(this, muons) > 0.4)
define njets = count(jets)
define lead_eta = muons[0].eta
define lead_phi = muons[0].phi
`);
    const a = compileKernel(planSpec(alone));
    const w = compileKernel(planSpec(withLoop));
    // alone: the leading muon's η and φ computed inline; with the jets' loop over muons: η and φ
    // of every muon in a per-batch array, which the leading muon then reads
    expect(a.source).not.toMatch(/all_Muon_eta/);
    expect(w.source.match(/Math\.asinh\(/g)).toHaveLength(2); // muons' and jets' arrays only
    const b = await read(SINGLE_TOP, "events", [...new Set([...a.branches, ...w.branches])]);
    const oa = a.run(b);
    const ow = w.run(b);
    for (const key of ["define:lead_eta", "define:lead_phi"]) {
      const x = oa.get(key)!;
      const y = ow.get(key)!;
      expect(Array.from(y).some((v) => !Number.isNaN(v))).toBe(true);
      expect(Object.is(x[0], y[0]) && Array.from(x).every((v, i) => Object.is(v, y[i]))).toBe(true);
    }
  });

  it("outputs with a condition are computed only where it holds, with the same bits there, and missing elsewhere", async () => {
    const plan = await planFromText(`${header}
object muons = Muon where pt > 10 GeV
object jets = Jet where pt > 20 GeV and all(deltaR(this, muons) > 0.4)
object bjets = jets where btag > 0.5
define njets = count(jets)
define mjj = mass(jets[0] + jets[1])
define lead_b_pt = bjets[0].pt
define drmin = min(deltaR(muons[0], jets))
define mu_eta = muons[0].eta
region two_jets = njets >= 2
region one_mu = count(muons) >= 1
`);
    const full = planSpec(plan);
    const plain = compileKernel(full);
    const ref = (name: string): ExprIR => ({ op: "ref", type: "bool", decl: "region", name });
    const expr = (id: string) => full.outputs.find((o) => o.key === id)!.expr;
    // two groups: bjets and its loop only in the first, jets in both and in an unconditional output
    const guarded = compileKernel({
      ...full,
      outputs: [
        { key: "njets", expr: expr("define:njets"), as: "f64" },
        { key: "mjj", expr: expr("define:mjj"), as: "f64", when: ref("two_jets") },
        { key: "lead_b_pt", expr: expr("define:lead_b_pt"), as: "f64", when: ref("two_jets") },
        { key: "drmin", expr: expr("define:drmin"), as: "f64", when: ref("one_mu") },
        { key: "mu_eta", expr: expr("define:mu_eta"), as: "f64", when: { op: "binary", fn: "or", type: "bool", args: [ref("one_mu"), ref("two_jets")] } },
        { key: "one_mu", expr: expr("filter:one_mu"), as: "mask", when: ref("two_jets") },
      ],
    });
    // the b-jets are selected inside the branch of the first group only
    const src = guarded.source;
    expect(src.indexOf("// object bjets")).toBeGreaterThan(src.indexOf("if (r_two_jets"));
    expect(src.match(/\/\/ object jets/g)).toHaveLength(1);
    const b = await read(SINGLE_TOP, "events", [...new Set([...plain.branches, ...guarded.branches])]);
    const all = plain.run(b);
    const out = guarded.run(b);
    const two = all.get("filter:two_jets")!;
    const one = all.get("filter:one_mu")!;
    const cases: Array<[string, string, (i: number) => boolean]> = [
      ["njets", "define:njets", () => true],
      ["mjj", "define:mjj", (i) => two[i] === 1],
      ["lead_b_pt", "define:lead_b_pt", (i) => two[i] === 1],
      ["drmin", "define:drmin", (i) => one[i] === 1],
      ["mu_eta", "define:mu_eta", (i) => one[i] === 1 || two[i] === 1],
      ["one_mu", "filter:one_mu", (i) => two[i] === 1],
    ];
    for (const [key, id, holds] of cases) {
      const got = out.get(key)!;
      const want = all.get(id)!;
      let inside = 0;
      for (let i = 0; i < b.n; i++) {
        if (holds(i)) {
          inside++;
          expect(Object.is(got[i], want[i]), `${key} at ${i}`).toBe(true);
        } else expect(got[i], `${key} at ${i}`).toBe(key === "one_mu" ? 0 : NaN);
      }
      expect(inside, key).toBeGreaterThan(0);
      if (key !== "njets") expect(inside, key).toBeLessThan(b.n);
    }
    expectChunkInvariant(guarded, b, [1, 77, 1000]);
  });

  it("every example of the standard library compiles into a kernel that runs on the tutorial data", async () => {
    const base = readFileSync(repoPath("test/fixtures/stdlib/analysis.hep"), "utf8");
    const examples = FUNCTIONS.flatMap((fn) => fn.examples);
    const text = base + "\n" + examples.map((e, i) => `define example_${i} = ${e}`).join("\n") + "\n";
    const plan: Plan = await planFromText(text, "test/fixtures/stdlib/__columns__.hep");
    const spec = planSpec(plan);
    expect(spec.outputs.filter((o) => o.key.startsWith("define:example_")).length).toBeGreaterThan(40);
    // the others are consumed: lists summed or counted, records by their pt
    for (const n of plan.nodes) {
      if (n.kind !== "define" || !n.name.startsWith("example_") || /^(int|float|bool)$/.test(n.type)) continue;
      const ref: ExprIR = { op: "ref", type: n.type, decl: "define", name: n.name };
      const expr = n.type === "list<bool>" || n.type.startsWith("collection<") ? call("count", "int", ref) : n.type.startsWith("list<") ? call("sum", "float", ref) : mem(ref, "pt");
      spec.outputs.push({ key: `define:${n.name}`, expr, as: "f64" });
    }
    expect(spec.outputs.filter((o) => o.key.startsWith("define:example_")).length).toBe(examples.length);
    const k = compileKernel({ ...spec, stream: 1 }); // a stream for the random-number examples
    const b = await read(repoPath("examples/single-top/data/single_top.root"), "events", k.branches);
    const out = k.run(b);
    // every scalar example gives a value for some event
    for (const [key, a] of out) if (key.startsWith("define:example_")) expect(Array.from(a).some((x) => !Number.isNaN(x)), key).toBe(true);
  });
});

describe("the kernel's source", () => {
  it("rebuilds in a worker thread from its text alone, with the same results", async () => {
    const c = await compilePlan("examples/single-top/analysis.hep", nodeHost(REPO_ROOT));
    const k = compileKernel(planSpec(c.plan!));
    const b = await read(SINGLE_TOP, "events", k.branches);
    const here = k.run(b);
    const cols = k.branches.map((name) => b.columns.get(name)!);
    const code = `
      const { parentPort, workerData } = require("node:worker_threads");
      const fn = new Function(workerData.source)();
      const outs = workerData.outputs.map((o) => (o.as === "mask" ? new Uint8Array(workerData.n) : new Float64Array(workerData.n)));
      fn(workerData.n, 0, workerData.cols, outs);
      parentPort.postMessage(outs);
    `;
    const outs: Array<Float64Array | Uint8Array> = await new Promise((resolve, reject) => {
      const w = new Worker(code, { eval: true, workerData: { source: k.source, n: b.n, cols, outputs: k.outputs } });
      w.once("message", (m) => {
        resolve(m);
        void w.terminate();
      });
      w.once("error", reject);
    });
    k.outputs.forEach((o, j) => expect(Buffer.from(outs[j].buffer).equals(Buffer.from(here.get(o.key)!.buffer)), o.key).toBe(true));
    // and through kernelFromSource
    const again = kernelFromSource(k.source, k.branches, k.outputs).run(b);
    for (const [key, a] of here) expect(Array.from(again.get(key)!)).toEqual(Array.from(a));
  });

  it("reports a missing column, a column of the wrong kind, and inconsistent collection branches", async () => {
    const k = compileKernel({ outputs: [{ key: "x", expr: call("sum", "float", mem(coll("Jet"), "pt")), as: "f64" }], defines: {}, regions: {}, collections: [{ name: "Jet", shape: "jagged", fields: { pt: "Jet_pt", eta: "Jet_eta" } }] });
    const ok = { kind: "jagged" as const, dtype: "f8" as const, offsets: Int32Array.from([0, 1, 3]), values: Float64Array.from([1, 2, 3]) };
    expect(() => k.run({ n: 2, entry0: 0, columns: new Map() })).toThrow(KernelError);
    expect(() => k.run({ n: 2, entry0: 0, columns: new Map([["Jet_pt", { kind: "flat", dtype: "f8", values: Float64Array.from([1, 2]) }]]) })).toThrow(/must be a jagged column/);
    expect(Array.from(k.run({ n: 2, entry0: 0, columns: new Map([["Jet_pt", ok]]) }).get("x")!)).toEqual([1, 5]);
    const k2 = compileKernel({
      outputs: [{ key: "x", expr: call("sum", "float", arith("*", mem(coll("Jet"), "pt"), mem(coll("Jet"), "eta"))), as: "f64" }],
      defines: {},
      regions: {},
      collections: [{ name: "Jet", shape: "jagged", fields: { pt: "Jet_pt", eta: "Jet_eta" } }],
    });
    const short = { ...ok, offsets: Int32Array.from([0, 1, 2]), values: Float64Array.from([1, 2]) };
    expect(() => k2.run({ n: 2, entry0: 0, columns: new Map([["Jet_pt", ok], ["Jet_eta", short]]) })).toThrow(/different numbers of elements/);
    // an unknown function or collection is a compile-time error
    expect(() => compileKernel({ outputs: [{ key: "x", expr: call("nope", "float", num(1)), as: "f64" }], defines: {}, regions: {}, collections: [] })).toThrow(KernelError);
    expect(() => compileKernel({ outputs: [{ key: "x", expr: call("count", "int", coll("Tau")), as: "f64" }], defines: {}, regions: {}, collections: [] })).toThrow(/Tau/);
    void at;
  });
});
