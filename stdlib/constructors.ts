import { sig, StdFunction } from "./types.js";

export const constructors: StdFunction[] = [
  {
    name: "p4",
    category: "constructors",
    summary: "A four-vector from (px, py, pz, E).",
    doc: "",
    signatures: [sig([["px", "number"], ["py", "number"], ["pz", "number"], ["E", "number"]], "p4")],
    examples: ["p4(MET_px, MET_py, 0, hypot(MET_px, MET_py)).pt"],
    impl: { kind: "special" },
  },
  {
    name: "ptetaphim",
    category: "constructors",
    summary: "A four-vector from (pt, eta, phi, mass).",
    doc: "",
    signatures: [sig([["pt", "number"], ["eta", "number"], ["phi", "number"], ["mass", "number"]], "p4")],
    examples: ["ptetaphim(40, 0.5, 1.0, 0).E"],
    impl: { kind: "special" },
  },
  {
    name: "met",
    category: "constructors",
    summary: "The missing transverse momentum as a massless four-vector from (px, py).",
    doc: "For `mT(lepton, met(MET_px, MET_py))`.",
    signatures: [sig([["px", "number"], ["py", "number"]], "p4")],
    examples: ["met(MET_px, MET_py).pt"],
    impl: { kind: "special" },
  },
];
