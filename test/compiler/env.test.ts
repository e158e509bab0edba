/**
 * Grouping branches by prefix (compiler/check/env.ts): flat branches become a record only when they
 * look like fields of one object; numbered branches and quantity prefixes stay branches, with the
 * reason kept for hover.
 */
import { describe, expect, it } from "vitest";
import { buildEnv } from "../../compiler/check/env.js";
import type { BranchSchema } from "../../compiler/host.js";

const flat = (name: string, dtype = "f4"): BranchSchema => ({ name, typename: dtype === "bool" ? "bool" : "float", kind: "flat", dtype });
const jagged = (name: string, countBranch: string): BranchSchema => ({ name, typename: "float[]", kind: "jagged", dtype: "f4", countBranch });

const env = buildEnv({
  file: "t.root",
  tree: "t",
  entries: 1,
  branches: [
    // a flat H→ττ ntuple: numbered objects and quantities of several objects
    flat("pt_1"), flat("pt_2"), flat("pt_tt"), flat("eta_1"), flat("eta_2"), flat("m_vis"), flat("m_sv"),
    flat("jet_1"), flat("jet_2"),
    // records: MET, trigger bits
    flat("MET_px"), flat("MET_py"), flat("HLT_IsoMu24", "bool"), flat("HLT_Mu50", "bool"),
    // a collection with a count branch, and one numbered branch under its prefix
    { name: "nTau", typename: "int32_t", kind: "flat", dtype: "i4" }, jagged("Tau_pt", "nTau"), jagged("Tau_decayMode", "nTau"), flat("Tau_1"),
  ],
});

describe("grouping branches by prefix", () => {
  it("does not make records of quantities (pt_1, pt_2, pt_tt; m_vis, m_sv) or of numbered branches (jet_1, jet_2)", () => {
    for (const p of ["pt", "eta", "m", "jet"]) expect(env.collections.has(p), p).toBe(false);
    expect(env.ungrouped.get("pt")).toContain("names a quantity");
    expect(env.ungrouped.get("m")).toContain("names a quantity");
    expect(env.ungrouped.get("jet")).toContain("numbered");
    // the branches themselves stay names of their own
    for (const b of ["pt_1", "pt_tt", "m_vis", "jet_2"]) expect(env.branches.has(b)).toBe(true);
  });

  it("groups flat branches named like fields of one object, and jagged branches into a collection", () => {
    expect(env.collections.get("MET")?.shape).toBe("single");
    expect([...env.collections.get("MET")!.record.fields.keys()]).toEqual(expect.arrayContaining(["px", "py", "pt", "phi"]));
    expect(env.collections.get("HLT")?.shape).toBe("single");
    const tau = env.collections.get("Tau")!;
    expect(tau.shape).toBe("jagged");
    expect(tau.countBranch).toBe("nTau");
    // `Tau_1` is not a field: `Tau.1` cannot be written
    // every collection also has `index` (an element's position in its collection; docs/language.md)
    expect([...tau.record.fields.keys()].sort()).toEqual(["decayMode", "index", "pt"]);
    expect(env.ungrouped.has("MET")).toBe(false);
  });
});
