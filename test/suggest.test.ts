/**
 * The one did-you-mean distance (compiler/core/suggest.ts), used by the checker's suggestions and by
 * the reader's branch suggestions (runtime/io/errors.ts). The compiler's copy counted a change of
 * case as a whole substitution, the reader's as half of one; the cases below are where they
 * disagreed, and the distance is also checked against the textbook recursion written out here.
 */
import { describe, expect, it } from "vitest";
import { editDistance, suggest } from "../compiler/core/suggest.js";

/** The definition, by plain recursion over prefixes (memoised): delete, insert, or substitute. */
function reference(a: string, b: string): number {
  const memo = new Map<string, number>();
  const d = (i: number, j: number): number => {
    if (i === 0) return j;
    if (j === 0) return i;
    const key = `${i},${j}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const x = a[i - 1];
    const y = b[j - 1];
    const sub = x === y ? 0 : x.toLowerCase() === y.toLowerCase() ? 0.5 : 1;
    const v = Math.min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + sub);
    memo.set(key, v);
    return v;
  };
  return d(a.length, b.length);
}

describe("editDistance", () => {
  it("counts a change of case as half a substitution (where the compiler's copy counted a whole one)", () => {
    // compiler's copy → reader's copy → now
    expect(editDistance("Jet_pt", "jet_pt")).toBe(0.5); // 1 → 0.5
    expect(editDistance("muon_px", "Muon_Px")).toBe(1); // 2 → 1
    expect(editDistance("muon_pz", "Muon_Px")).toBe(2); // 3 → 2
    expect(editDistance("MUON_PT", "muon_pt")).toBe(3); // 6 → 3
  });

  it("agrees with both copies where case is not involved", () => {
    expect(editDistance("Jet_pt", "Jet_pt")).toBe(0);
    expect(editDistance("Jet_pt", "Jet_pz")).toBe(1);
    expect(editDistance("Jet_pt", "Jet_ptx")).toBe(1);
    expect(editDistance("nJet", "Jet")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("abc", "")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });

  it("is the textbook recursion, and symmetric, on many strings", () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const word = () => Array.from({ length: Math.floor(rand() * 8) }, () => "aAbB_x"[Math.floor(rand() * 6)]).join("");
    for (let k = 0; k < 400; k++) {
      const a = word();
      const b = word();
      expect(editDistance(a, b), `${a} / ${b}`).toBe(reference(a, b));
      expect(editDistance(b, a), `${b} / ${a}`).toBe(editDistance(a, b));
    }
  });
});

describe("suggest", () => {
  it("reaches a name with a case slip and a typo, after the exact case-insensitive match", () => {
    // the compiler's copy scored Muon_Px at 3, past the limit of 2 for a 7-letter name
    expect(suggest("muon_pz", ["Electron_Px", "Muon_Px", "Muon_Pz"])).toEqual(["Muon_Pz", "Muon_Px"]);
  });

  it("ranks a name equal but for case first, however many letters differ", () => {
    expect(suggest("MUON_PT", ["muon_eta", "muon_pt", "MUON_PZ"])).toEqual(["muon_pt", "MUON_PZ"]);
  });

  it("offers nothing for a name too far from every candidate, and never the name itself", () => {
    expect(suggest("weight", ["Jet_pt", "nMuon"])).toEqual([]);
    expect(suggest("Jet_pt", ["Jet_pt"])).toEqual([]);
  });
});
