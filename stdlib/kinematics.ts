import { sig, StdFunction } from "./types.js";

// A component is the record's field of the same name (runtime/columns reads or derives it as the
// field), so it has no snippet of its own.
const component = (name: string, what: string): StdFunction => ({
  name,
  category: "kinematics",
  summary: `The ${what} of a four-vector.`,
  doc: `\`${name}(x)\` is the same as the field \`x.${name}\`. Objects read from (px, py, pz, E) branches and those read from (pt, eta, phi, mass) branches both have it: the missing ones are derived. Over a collection it gives one value per object.`,
  signatures: [sig([["x", "p4"]], "float", true)],
  examples: [`${name}(muons[0])`, `${name}(jets)`],
  impl: { kind: "special" },
});

export const kinematics: StdFunction[] = [
  component("pt", "transverse momentum"),
  component("eta", "pseudorapidity"),
  component("phi", "azimuthal angle (in (-π, π])"),
  component("mass", "invariant mass"),
  component("E", "energy"),
  component("px", "x component of the momentum"),
  component("py", "y component of the momentum"),
  component("pz", "z component of the momentum"),
  {
    name: "deltaPhi",
    category: "kinematics",
    summary: "The azimuthal distance of two objects, wrapped into [-π, π].",
    doc: "Signed φ(a) − φ(b), wrapped so that objects either side of φ = ±π are close. With a collection as one argument it gives one value per object.",
    signatures: [sig([["a", "p4"], ["b", "p4"]], "float", true)],
    examples: ["deltaPhi(muons[0], jets[0])", "abs(deltaPhi(jets[0], jets[1])) > 2.5"],
    impl: { kind: "special" },
  },
  {
    name: "deltaEta",
    category: "kinematics",
    summary: "The pseudorapidity difference η(a) − η(b).",
    doc: "Signed. With a collection as one argument it gives one value per object.",
    signatures: [sig([["a", "p4"], ["b", "p4"]], "float", true)],
    examples: ["abs(deltaEta(jets[0], jets[1]))"],
    impl: { kind: "special" },
  },
  {
    name: "deltaR",
    category: "kinematics",
    summary: "The angular distance √(Δη² + Δφ²) of two objects, with the φ wrap.",
    doc: "`deltaR(muons[0], jets)` gives the distance of the leading muon to every jet; `min(...)` of it is the distance to the nearest jet. Inside a `where`, `all(deltaR(this, muons) > 0.4)` keeps objects away from every muon.",
    signatures: [sig([["a", "p4"], ["b", "p4"]], "float", true)],
    examples: ["deltaR(muons[0], jets[0])", "min(deltaR(muons[0], jets))"],
    impl: { kind: "special" },
  },
  {
    name: "mT",
    category: "kinematics",
    summary: "The transverse mass √(2 pT,a pT,b (1 − cos Δφ)) of two objects, typically a lepton and the missing momentum.",
    doc: "Build the missing momentum with `met(MET_px, MET_py)`.",
    signatures: [sig([["a", "p4"], ["b", "p4"]], "float", true)],
    examples: ["mT(muons[0], met(MET_px, MET_py))"],
    impl: { kind: "special" },
  },
  {
    name: "match",
    category: "kinematics",
    summary: "For each element of `a`, the `index` of the nearest element of `b` (by ΔR) closer than `maxDR`, or missing when none is.",
    doc: "Truth matching: `match(jets, GenJet, 0.4)` is, per jet, the position in its collection (its `index`, as NanoAOD's `Jet_genJetIdx` counts) of the nearest generator jet with ΔR < 0.4. Filter `b` to say what may be matched: `match(jets, GenPart where abs(pdgId) == 5, 0.4)`. Each element of `a` takes its own nearest (two jets may match the same parton); of equally near elements the first wins; the bound is strict. The result has one int per element of `a`, missing where nothing is near enough (a missing index equals nothing: `match(jets, GenJet, 0.4)[0] == 2` is false then, and `count(match(jets, GenJet, 0.4) >= 0)` counts the matched jets). `b` must be elements of one of the file's collections (what `index` counts): a filtered view such as an object is fine, pairs or four-vectors are not.",
    signatures: [sig([["a", "p4-list"], ["b", "objects"], ["maxDR", "number"]], "indices")],
    examples: ["match(jets, muons, 0.4)", "count(match(bjets, Jet where btag > 1.74, 0.1) >= 0)"],
    impl: { kind: "special" },
  },
];
