#!/usr/bin/env node
// Writes the AGC example's NanoAOD-shaped inputs (examples/agc/data/*.root) through hepc's own ROOT
// writer: one "Events" tree per AGC process, with NanoAOD's collection layout (nJet, Jet_pt[nJet],
// ...), NanoAOD's branch types (float values, Int_t jetId and cutBased, Bool_t tightId, ULong64_t
// event) and only the branches the AGC reads, so the committed files stay small. The ttbar samples
// also carry a truth record (GenPart_pt/eta/phi/pdgId: the four partons the jets of the top decays
// are made from, in the order of their roles), for the jet–parton assignment of ml.hep; the other
// samples have an empty GenPart.
//
//   npm run build && node examples/agc/make-data.mjs [OUT_DIR] [--scale K]
//
// Deterministic: a seeded generator per process and fixed file stamps, so a rerun writes the same
// bytes. --scale K writes K times as many events per process (for the benchmark, into a temporary
// folder; never committed). The physics is a toy: hadronic top decays t → bW → bqq' with two-body
// kinematics for the top samples, falling spectra elsewhere; it is there so that the AGC's regions
// fill and m_bjj peaks near the top mass, not to model CMS.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const { createRootFile } = await import(path.join(here, "../../dist/runtime/io/index.js"));

/** Events per process at scale 1 (the committed files). */
const PROCESSES = {
  ttbar: { n: 3000, seed: 1, kind: "ttbar" },
  ttbar_scaledown: { n: 1200, seed: 2, kind: "ttbar", jetScale: 0.98, extraJets: 1.3 },
  ttbar_scaleup: { n: 1200, seed: 3, kind: "ttbar", jetScale: 1.02, extraJets: 1.7 },
  ttbar_ME_var: { n: 1200, seed: 4, kind: "ttbar", topPt: 110 },
  ttbar_PS_var: { n: 1200, seed: 5, kind: "ttbar", extraJets: 2.0 },
  single_top_s_chan: { n: 800, seed: 6, kind: "single_top", extraJets: 0.8 },
  single_top_t_chan: { n: 1000, seed: 7, kind: "single_top", extraJets: 1.2 },
  single_top_tW: { n: 1000, seed: 8, kind: "single_top", extraJets: 1.8 },
  wjets: { n: 2500, seed: 9, kind: "wjets" },
  data: { n: 3000, seed: 10, kind: "data" },
};

// A small counter-free generator (mulberry32) is enough for a toy: the files are the reference,
// not the generator.
function rng(seed) {
  let a = (seed * 0x9e3779b9) >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gauss = (mu = 0, sigma = 1) => mu + sigma * Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const exp = (mean) => -mean * Math.log(1 - u());
  const poisson = (mean) => {
    let k = 0;
    for (let p = Math.exp(-mean), s = u(); s > p; s *= u()) k++;
    return k;
  };
  return { u, gauss, exp, poisson };
}

// Values rounded to binary fractions compress well (the low mantissa bits are zero) and are exact in
// float32, so the reader's values are the generator's.
const q = (x, bits) => Math.round(x * 2 ** bits) / 2 ** bits;

// --- four-vectors as [E, px, py, pz] -------------------------------------------------------------
function fromPtEtaPhiM(pt, eta, phi, m) {
  const px = pt * Math.cos(phi), py = pt * Math.sin(phi), pz = pt * Math.sinh(eta);
  return [Math.sqrt(px * px + py * py + pz * pz + m * m), px, py, pz];
}
function boost(v, b) {
  const [bx, by, bz] = b;
  const b2 = bx * bx + by * by + bz * bz;
  if (b2 === 0) return v;
  const g = 1 / Math.sqrt(1 - b2);
  const bp = bx * v[1] + by * v[2] + bz * v[3];
  const g2 = (g - 1) / b2;
  return [g * (v[0] + bp), v[1] + g2 * bp * bx + g * bx * v[0], v[2] + g2 * bp * by + g * by * v[0], v[3] + g2 * bp * bz + g * bz * v[0]];
}
const betaOf = (v) => [v[1] / v[0], v[2] / v[0], v[3] / v[0]];
/** M → m1 m2, isotropic in M's rest frame, both daughters in the lab. */
function twoBody(r, parent, M, m1, m2) {
  const p = Math.sqrt(Math.max(0, (M * M - (m1 + m2) ** 2) * (M * M - (m1 - m2) ** 2))) / (2 * M);
  const c = 2 * r.u() - 1, s = Math.sqrt(1 - c * c), f = 2 * Math.PI * r.u();
  const d = [p * s * Math.cos(f), p * s * Math.sin(f), p * c];
  const a = [Math.sqrt(p * p + m1 * m1), d[0], d[1], d[2]];
  const b = [Math.sqrt(p * p + m2 * m2), -d[0], -d[1], -d[2]];
  const beta = betaOf(parent);
  return [boost(a, beta), boost(b, beta)];
}
function ptEtaPhi(v) {
  const pt = Math.hypot(v[1], v[2]);
  return { pt, eta: Math.asinh(v[3] / pt), phi: Math.atan2(v[2], v[1]) };
}

// --- objects --------------------------------------------------------------------------------------
/** A reconstructed jet from a parton's direction and energy: smeared pT, a jet mass, b-tag and ID. */
function jet(r, parton, isB, scale) {
  const { pt, eta, phi } = ptEtaPhi(parton);
  return {
    pt: pt * scale * Math.max(0.3, r.gauss(1, 0.12)),
    eta: eta + r.gauss(0, 0.02),
    phi: phi + r.gauss(0, 0.02),
    mass: Math.max(0.5, pt * 0.1 * Math.abs(r.gauss(1, 0.4))),
    btagCSVV2: isB ? (r.u() < 0.75 ? 0.5 + 0.5 * r.u() ** 0.5 : 0.5 * r.u()) : r.u() < 0.04 ? 0.5 + 0.5 * r.u() : 0.5 * r.u() ** 2,
    // NanoAOD 2015: bit 0 loose, bit 1 tight, bit 2 tight lepton veto; 6 = tight and tightLepVeto
    jetId: r.u() < 0.92 ? 6 : r.u() < 0.5 ? 2 : 0,
  };
}
function randomJet(r, meanPt, bFraction, scale) {
  const parton = fromPtEtaPhiM(15 + r.exp(meanPt), r.gauss(0, 1.6), 2 * Math.PI * r.u() - Math.PI, 0);
  return jet(r, parton, r.u() < bFraction, scale);
}
/** t → bW → bqq': the three jets and the three partons they come from (b first, as the jets). */
function topDecay(r, topPt, scale) {
  const top = fromPtEtaPhiM(r.exp(topPt), r.gauss(0, 1.2), 2 * Math.PI * r.u() - Math.PI, r.gauss(172.5, 1.4));
  const mt = Math.sqrt(Math.max(1, top[0] ** 2 - top[1] ** 2 - top[2] ** 2 - top[3] ** 2));
  const [b, w] = twoBody(r, top, mt, 4.8, 80.4);
  const [q1, q2] = twoBody(r, w, 80.4, 0, 0);
  return { jets: [jet(r, b, true, scale), jet(r, q1, false, scale), jet(r, q2, false, scale)], partons: [b, q1, q2] };
}
/** A truth parton as GenPart stores it: the direction and pT the jet was made from, and its PDG id. */
function parton(v, pdgId) {
  return { ...ptEtaPhi(v), pdgId };
}
function lepton(r, flavour, meanPt) {
  const pt = 20 + r.exp(meanPt);
  const base = { pt, eta: r.gauss(0, 1.3), phi: 2 * Math.PI * r.u() - Math.PI, sip3d: Math.abs(r.gauss(0, 2.2)) };
  if (flavour === "e") return { ...base, mass: 0.000511, cutBased: [4, 4, 4, 4, 3, 2, 1, 0][Math.floor(8 * r.u())], pfRelIso03_all: r.exp(0.06) };
  return { ...base, mass: 0.10566, tightId: r.u() < 0.9, pfRelIso04_all: r.exp(0.08) };
}

/** One event of a process: its jets (pT-ordered, > 15 GeV as NanoAOD keeps), electrons, muons. */
function event(r, cfg) {
  const scale = cfg.jetScale ?? 1;
  let jets = [];
  const leptons = [];
  // ttbar's truth record, in a fixed order that is each parton's role: GenPart[0] and [1] the W's
  // quarks, [2] the hadronic top's b, [3] the leptonic top's b (the AGC's jet–parton assignment)
  const gen = [];
  const lep = () => leptons.push(lepton(r, r.u() < 0.5 ? "e" : "mu", 40));
  if (cfg.kind === "ttbar") {
    const had = topDecay(r, cfg.topPt ?? 90, scale); // the hadronic top
    jets.push(...had.jets);
    const bLep = fromPtEtaPhiM(20 + r.exp(60), r.gauss(0, 1.2), 2 * Math.PI * r.u() - Math.PI, 4.8); // the leptonic top's b
    jets.push(jet(r, bLep, true, scale));
    // t → b W+ → b u d̄ and t̄ → b̄ W− → b̄ ℓ ν̄: no draw, so the jets are those of the files before
    gen.push(parton(had.partons[1], 2), parton(had.partons[2], -1), parton(had.partons[0], 5), parton(bLep, -5));
    lep();
    for (let k = r.poisson(cfg.extraJets ?? 1.5); k > 0; k--) jets.push(randomJet(r, 30, 0.03, scale));
  } else if (cfg.kind === "single_top") {
    jets.push(jet(r, fromPtEtaPhiM(20 + r.exp(60), r.gauss(0, 1.4), 2 * Math.PI * r.u() - Math.PI, 4.8), true, scale));
    lep();
    for (let k = 1 + r.poisson(cfg.extraJets ?? 1.2); k > 0; k--) jets.push(randomJet(r, 35, 0.12, scale));
  } else {
    lep();
    for (let k = 1 + r.poisson(2.8); k > 0; k--) jets.push(randomJet(r, 30, 0.02, scale));
  }
  // a second lepton now and then (dileptonic decays, fakes): the exactly-one-lepton cut has work to do
  if (r.u() < 0.15) leptons.push(lepton(r, r.u() < 0.5 ? "e" : "mu", 15));
  jets = jets.filter((j) => j.pt > 15).sort((a, b) => b.pt - a.pt);
  const electrons = leptons.filter((l) => "cutBased" in l).sort((a, b) => b.pt - a.pt);
  const muons = leptons.filter((l) => "tightId" in l).sort((a, b) => b.pt - a.pt);
  return { jets, electrons, muons, gen };
}

/** Pseudo-data: each event drawn from a process in proportion to a rough expected yield. */
const DATA_MIX = [["ttbar", 0.55], ["wjets", 0.3], ["single_top_t_chan", 0.1], ["single_top_tW", 0.05]];

function generate(name, cfg, scale) {
  const r = rng(cfg.seed);
  const n = cfg.n * scale;
  const events = [];
  for (let i = 0; i < n; i++) {
    let c = cfg;
    if (cfg.kind === "data") {
      let x = r.u();
      c = PROCESSES[DATA_MIX.find(([, f]) => (x -= f) < 0)?.[0] ?? "ttbar"];
    }
    const e = event(r, c);
    // pseudo-data has no truth; its GenPart is there, empty, so that an analysis reading the
    // truth reads every sample alike (hepc asks every sample for the collections used)
    if (cfg.kind === "data") e.gen = [];
    events.push(e);
  }
  return events;
}

/** Columns of a collection: offsets and one array per field, in the field's type. */
function collection(events, key, fields) {
  const offsets = new Int32Array(events.length + 1);
  events.forEach((e, i) => (offsets[i + 1] = offsets[i] + e[key].length));
  const total = offsets[events.length];
  const out = {};
  for (const [field, dtype, bits] of fields) {
    const values = dtype === "f4" ? new Float32Array(total) : dtype === "i4" ? new Int32Array(total) : new Uint8Array(total);
    let k = 0;
    for (const e of events) for (const o of e[key]) values[k++] = dtype === "f4" ? q(o[field], bits) : dtype === "bool" ? (o[field] ? 1 : 0) : o[field];
    out[field] = { offsets, values };
  }
  return out;
}

const JET = [["pt", "f4", 6], ["eta", "f4", 10], ["phi", "f4", 10], ["mass", "f4", 6], ["btagCSVV2", "f4", 12], ["jetId", "i4"]];
const ELECTRON = [["pt", "f4", 6], ["eta", "f4", 10], ["phi", "f4", 10], ["mass", "f4", 20], ["cutBased", "i4"], ["sip3d", "f4", 8], ["pfRelIso03_all", "f4", 10]];
const GENPART = [["pt", "f4", 6], ["eta", "f4", 10], ["phi", "f4", 10], ["pdgId", "i4"]];
const MUON = [["pt", "f4", 6], ["eta", "f4", 10], ["phi", "f4", 10], ["mass", "f4", 20], ["tightId", "bool"], ["sip3d", "f4", 8], ["pfRelIso04_all", "f4", 10]];

async function write(file, name, events, firstEvent) {
  const stamp = { date: new Date(Date.UTC(2026, 0, 1)), uuid: new Uint8Array(16).fill(7) };
  const out = await createRootFile(file, { stamp, compression: { algorithm: "zlib", level: 9 } });
  try {
    const specs = [{ name: "event", dtype: "u8" }, { name: "genWeight", dtype: "f4" }];
    const cols = {
      event: BigUint64Array.from(events, (_, i) => BigInt(firstEvent + i)),
      genWeight: Float32Array.from(events, () => 1),
    };
    for (const [coll, key, fields] of [["Jet", "jets", JET], ["Electron", "electrons", ELECTRON], ["Muon", "muons", MUON], ["GenPart", "gen", GENPART]]) {
      specs.push({ name: `n${coll}`, dtype: "i4" });
      const c = collection(events, key, fields);
      for (const [field, dtype] of fields) {
        const branch = `${coll}_${field}`;
        specs.push({ name: branch, dtype, counter: `n${coll}` });
        cols[branch] = c[field];
      }
    }
    const tree = out.tree("Events", `AGC-shaped toy events: ${name}`, specs, { basketEntries: 1 << 20 });
    await tree.append(cols);
    await out.close();
  } catch (e) {
    await out.abort();
    throw e;
  }
}

const args = process.argv.slice(2);
const scaleAt = args.indexOf("--scale");
const scale = scaleAt >= 0 ? Number(args.splice(scaleAt, 2)[1]) : 1;
if (!Number.isInteger(scale) || scale < 1) {
  console.error("make-data: --scale takes a whole number ≥ 1");
  process.exit(2);
}
const outDir = path.resolve(args[0] ?? path.join(here, "data"));
fs.mkdirSync(outDir, { recursive: true });
let firstEvent = 1;
for (const [name, cfg] of Object.entries(PROCESSES)) {
  const events = generate(name, cfg, scale);
  const file = path.join(outDir, `${name}.root`);
  await write(file, name, events, firstEvent);
  firstEvent += events.length;
  console.log(`${path.relative(process.cwd(), file)}: ${events.length} events, ${fs.statSync(file).size} bytes`);
}
