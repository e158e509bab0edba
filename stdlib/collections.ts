import { sig, StdFunction } from "./types.js";

export const collections: StdFunction[] = [
  {
    name: "first",
    category: "collections",
    summary: "The first element of a list (missing when empty); the same as list[0].",
    doc: "Collections are read in the file's order, which for most objects is decreasing pT.",
    signatures: [sig([["list", "collection"]], "element")],
    examples: ["first(jets).pt"],
    impl: { kind: "special" },
  },
  {
    name: "last",
    category: "collections",
    summary: "The last element of a list (missing when empty).",
    doc: "",
    signatures: [sig([["list", "collection"]], "element")],
    examples: ["last(jets).pt"],
    impl: { kind: "special" },
  },
  {
    name: "sort_by",
    category: "collections",
    summary: "The collection sorted by a per-object key, in increasing order.",
    doc: "The key is evaluated per element: `sort_by(jets, -pt)` orders jets by decreasing pT. Equal keys keep their order (a stable sort).",
    signatures: [sig([["list", "collection"], ["key", "per-element"]], "same-list")],
    examples: ["sort_by(jets, -pt)[0].pt", "sort_by(jets, abs(eta))"],
    impl: { kind: "special" },
  },
  {
    name: "best",
    category: "collections",
    summary: "The element with the smallest value of a per-element criterion (missing when empty); further criteria break ties.",
    doc: "With `~=` it picks the candidate closest to a target: `best(pairs(muons), mass ~= 91.2)` is the dimuon pair closest to the Z mass (ADL's `~=`). Up to four criteria compare in order, the next one deciding between elements equal in all before it: `best(pairs(muons, taus), -first.pt, second.Iso)` takes the pair with the hardest muon and, among pairs of that muon, the most isolated tau. An element whose first criterion is missing never wins; a missing later criterion loses to a present one; elements equal in every criterion go to the first.",
    signatures: [
      sig([["list", "collection"], ["criterion", "per-element"]], "element"),
      sig([["list", "collection"], ["criterion", "per-element"], ["then", "per-element"]], "element"),
      sig([["list", "collection"], ["criterion", "per-element"], ["then", "per-element"], ["then2", "per-element"]], "element"),
      sig([["list", "collection"], ["criterion", "per-element"], ["then", "per-element"], ["then2", "per-element"], ["then3", "per-element"]], "element"),
    ],
    examples: ["best(pairs(muons), mass ~= 91.2).mass", "best(jets, -pt)", "best(pairs(muons, jets), -first.pt, deltaR(first, second)).mass"],
    impl: { kind: "special" },
  },
  {
    name: "pairs",
    category: "combinatorics",
    summary: "All pairs of objects: unordered pairs within one collection, or every combination across two.",
    doc: "Each pair has fields `first` and `second` and the kinematics of their sum (pt, eta, phi, mass, ...). `pairs(muons)` gives n(n−1)/2 pairs; `pairs(muons, taus)` gives n·m.",
    signatures: [sig([["a", "collection"]], "pairs"), sig([["a", "collection"], ["b", "collection"]], "pairs")],
    examples: ["count(pairs(jets))", "best(pairs(muons, jets), deltaR(first, second)).mass"],
    impl: { kind: "special" },
  },
];
