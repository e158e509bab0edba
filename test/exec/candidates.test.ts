/**
 * A model scored per candidate: `features jf per perms { ... }` over the permutations of the
 * leading jets of the CMS NanoAOD file, fed to an imported ONNX network (the PyTorch one of
 * test/fixtures/onnx, five inputs, sigmoid output), and its score used per element of `perms`
 * (`best(perms, -assign)`, `perms where assign > 0.5`). The test enumerates the candidates itself
 * (itertools' order over the reader's columns), computes their features with plain arithmetic,
 * runs onnxruntime directly on them, and checks the run's chosen candidates and counts event by
 * event, with one thread and with several threads and small chunks.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openRoot, type Column } from "../../runtime/io/index.js";
import { runCli } from "../helpers/cli-io.js";
import { copyExample } from "../helpers/examples.js";
import { deltaPhi, jetSum, treeProbability, type SavedGbdt } from "../helpers/by-hand.js";
import { repoPath } from "../helpers/repo.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-candidates-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ANALYSIS = `
analysis cands { lumi 1 /fb }
sample ttbar {
  files "data/nanoAOD_2015_CMS_Open_Data_ttbar.root"
  tree "Events"
  class signal
}
object jets = Jet where pt > 15 GeV and abs(eta) < 2.4
define perms = permutations(jets[:4], 3)
features jf per perms { mass, pt, deltaR(first, second), first.btagCSVV2, second.pt / third.pt }
model assign = onnx("torch_model.onnx") { inputs [jf] }
define chosen = best(perms, -assign)
define chosen_mass = chosen.mass
define i1 = chosen.first.index ?? -1
define i2 = chosen.second.index ?? -1
define i3 = chosen.third.index ?? -1
define n_good = count(perms where assign > 0.5)
define n_good_b = count(perms where first.btagCSVV2 > 0.5 and assign > 0.5)
define sorted_i1 = sort_by(perms, -assign)[0].first.index ?? -1
features per_jet per Jet { pt, eta, phi, mass, btagCSVV2 }
features per_sel per jets { pt, eta, phi, mass, btagCSVV2 }
model tagger = onnx("torch_model.onnx") { inputs [per_jet] }
model tagger_sel = onnx("torch_model.onnx") { inputs [per_sel] }
define n_tagged = count(Jet where tagger > 0.5)
define n_tagged_sel = count(jets where pt > 20 GeV and tagger_sel > 0.5)
region three = count(jets) >= 3
output ntuple "out/c.root" in three keep chosen_mass, i1, i2, i3, n_good, n_good_b, sorted_i1, n_tagged, n_tagged_sel, entry
`;

const lists = (c: Column | undefined): number[][] => {
  if (!c || c.kind !== "jagged") throw new Error("not jagged");
  return Array.from({ length: c.offsets.length - 1 }, (_, i) => Array.from(c.values.subarray(c.offsets[i], c.offsets[i + 1]) as ArrayLike<number>, Number));
};

/** itertools.permutations(range(n), k), in its order. */
function permutations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const rec = (prefix: number[]) => {
    if (prefix.length === k) return void out.push(prefix);
    for (let p = 0; p < n; p++) if (!prefix.includes(p)) rec([...prefix, p]);
  };
  rec([]);
  return out;
}

interface Expected {
  mass: number;
  idx: number[];
  nGood: number;
  nGoodB: number;
  /** per-jet scores over 0.5: of every jet, and of the selected jets with pt > 20 */
  nTagged: number;
  nTaggedSel: number;
}

/** Per event with ≥ 3 selected jets: the chosen candidate and the counts, from onnxruntime run here on features computed here. */
async function expected(dir: string): Promise<Map<number, Expected>> {
  const f = await openRoot(path.join(dir, "data/nanoAOD_2015_CMS_Open_Data_ttbar.root"));
  const names = ["Jet_pt", "Jet_eta", "Jet_phi", "Jet_mass", "Jet_btagCSVV2"];
  const cols = await f.read("Events", names);
  await f.close();
  const [pt, eta, phi, mass, btag] = names.map((n) => lists(cols.get(n)));
  const p4 = (i: number, js: number[]) => jetSum({ pt, eta, phi, mass }, i, js);
  const dR = (i: number, a: number, b: number) => Math.sqrt((eta[i][a] - eta[i][b]) ** 2 + deltaPhi(phi[i][a], phi[i][b]) ** 2);
  const rows: number[] = [];
  const events: Array<{ i: number; cands: number[][] }> = [];
  for (let i = 0; i < pt.length; i++) {
    const sel = pt[i].map((_, j) => j).filter((j) => pt[i][j] > 15 && Math.abs(eta[i][j]) < 2.4).slice(0, 4);
    if (sel.length < 3) continue;
    const cands = permutations(sel.length, 3).map((c) => c.map((p) => sel[p]));
    for (const [a, b, c] of cands) {
      const s = p4(i, [a, b, c]);
      rows.push(s.mass, s.pt, dR(i, a, b), btag[i][a], pt[i][b] / pt[i][c]);
    }
    events.push({ i, cands });
  }
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(repoPath("test/fixtures/onnx/torch_model.onnx"));
  const infer = async (xs: number[]) => {
    const result = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", Float32Array.from(xs), [xs.length / 5, 5]) });
    return result[session.outputNames[0]].data as Float32Array;
  };
  const scores = await infer(rows);
  // every jet of the file, one row each, in order
  const jetRows: number[] = [];
  for (let i = 0; i < pt.length; i++) for (let j = 0; j < pt[i].length; j++) jetRows.push(pt[i][j], eta[i][j], phi[i][j], mass[i][j], btag[i][j]);
  const jetScores = await infer(jetRows);
  await session.release();
  const jetStart: number[] = [];
  for (let i = 0, at = 0; i < pt.length; i++) {
    jetStart.push(at);
    at += pt[i].length;
  }
  const out = new Map<number, Expected>();
  let r = 0;
  for (const { i, cands } of events) {
    let best = -1;
    let nGood = 0, nGoodB = 0;
    cands.forEach((c, q) => {
      const s = scores[r + q];
      if (best < 0 || s > scores[r + best]) best = q; // the first of equal scores
      if (s > 0.5) nGood++;
      if (s > 0.5 && btag[i][c[0]] > 0.5) nGoodB++;
    });
    const tagged = pt[i].map((_, j) => j).filter((j) => jetScores[jetStart[i] + j] > 0.5);
    const nTaggedSel = tagged.filter((j) => pt[i][j] > 20 && Math.abs(eta[i][j]) < 2.4).length;
    out.set(i, { mass: p4(i, cands[best]).mass, idx: cands[best], nGood, nGoodB, nTagged: tagged.length, nTaggedSel });
    r += cands.length;
  }
  return out;
}

describe("an ONNX model scored per candidate", () => {
  it("chooses, per event, the candidate onnxruntime scores highest on features computed by hand; any thread count and chunk size", async () => {
    const dir = copyExample(tmp, "nanoaod");
    copyFileSync(repoPath("test/fixtures/onnx/torch_model.onnx"), path.join(dir, "torch_model.onnx"));
    writeFileSync(path.join(dir, "c.hep"), ANALYSIS);
    const want = await expected(dir);
    // the sample exercises the choice: events with 3 and 4 jets, some candidates over 0.5 and some under
    expect(want.size).toBeGreaterThan(30);
    const counts = [...want.values()];
    expect(counts.some((e) => e.nGood > 0) && counts.some((e) => e.nGood < 24 && e.nGood > 0)).toBe(true);

    for (const args of [["--threads", "1"], ["--threads", "2", "--chunk-size", "37"]]) {
      const r = await runCli(["run", "c.hep", "--no-cache", ...args], dir);
      expect(r.err.split("\n").filter((l) => /error/.test(l))).toEqual([]);
      expect(r.code).toBe(0);
      const f = await openRoot(path.join(dir, "out/c.root"));
      const keys = ["entry", "chosen_mass", "i1", "i2", "i3", "n_good", "n_good_b", "sorted_i1", "n_tagged", "n_tagged_sel"];
      const cols = await f.read("ttbar", keys);
      await f.close();
      const [entry, m, i1, i2, i3, nGood, nGoodB, sortedI1, nTagged, nTaggedSel] = keys.map((k) => cols.get(k)!.values);
      expect(entry.length).toBe(want.size);
      for (let q = 0; q < entry.length; q++) {
        const w = want.get(Number(entry[q]))!;
        expect(w, `entry ${entry[q]}`).toBeDefined();
        expect([i1[q], i2[q], i3[q]].map(Number), `entry ${entry[q]}`).toEqual(w.idx);
        expect(Math.abs(Number(m[q]) - w.mass)).toBeLessThanOrEqual(1e-9 * Math.max(1, w.mass));
        expect(Number(nGood[q]), `entry ${entry[q]}`).toBe(w.nGood);
        expect(Number(nGoodB[q]), `entry ${entry[q]}`).toBe(w.nGoodB);
        // sorted by decreasing score, the first candidate is the best one (both stable)
        expect(Number(sortedI1[q]), `entry ${entry[q]}`).toBe(w.idx[0]);
        // a model per jet: of the file's collection, and of an object (its own positions)
        expect(Number(nTagged[q]), `entry ${entry[q]}`).toBe(w.nTagged);
        expect(Number(nTaggedSel[q]), `entry ${entry[q]}`).toBe(w.nTaggedSel);
      }
      // the per-jet models tag some jets and not others
      expect(counts.some((e) => e.nTagged > 0 && e.nTagged < 4)).toBe(true);
      expect(counts.some((e) => e.nTaggedSel > 0)).toBe(true);
    }
  });
});

const TRAINED = `
analysis cands { lumi 1 /fb seed 3 }
sample ttbar {
  files "data/nanoAOD_2015_CMS_Open_Data_ttbar.root"
  tree "Events"
  class signal
}
object jets = Jet where pt > 15 GeV and abs(eta) < 2.4
object bquarks = GenPart where abs(pdgId) == 5
define perms = permutations(jets[:4], 3)
features jf per perms { mass, pt, deltaR(first, second), first.btagCSVV2, second.pt / third.pt }
model assign = gbdt(jf) { trees 15 depth 3 }
train assign {
  folds 2 by entry % 2
  balance classes
  classes { wrong = not any(deltaR(first, bquarks) < 0.4); correct = any(deltaR(first, bquarks) < 0.4) }
}
define chosen = best(perms, -assign)
define chosen_mass = chosen.mass
define i1 = chosen.first.index ?? -1
define i2 = chosen.second.index ?? -1
define i3 = chosen.third.index ?? -1
define n_good = count(perms where assign > 0.5)
define n_good_b = count(perms where first.btagCSVV2 > 0.5 and assign > 0.5)
region three = count(jets) >= 3
output ntuple "out/c.root" in three keep chosen_mass, i1, i2, i3, n_good, n_good_b, entry
`;

describe("a gbdt trained per candidate", () => {
  it("trains on one row per candidate with classes from truth matching, and scores each candidate out of fold, as its saved trees do on features computed by hand", async () => {
    const dir = copyExample(tmp, "nanoaod");
    writeFileSync(path.join(dir, "t.hep"), TRAINED);
    const f = await openRoot(path.join(dir, "data/nanoAOD_2015_CMS_Open_Data_ttbar.root"));
    const names = ["Jet_pt", "Jet_eta", "Jet_phi", "Jet_mass", "Jet_btagCSVV2", "GenPart_eta", "GenPart_phi", "GenPart_pdgId"];
    const cols = await f.read("Events", names);
    await f.close();
    const [pt, eta, phi, mass, btag, geta, gphi, pid] = names.map((n) => lists(cols.get(n)));

    let previous: Map<number, number[]> | undefined;
    for (const args of [["--threads", "1"], ["--threads", "2", "--chunk-size", "37"]]) {
      rmSync(path.join(dir, ".hepc"), { recursive: true, force: true });
      const r = await runCli(["run", "t.hep", ...args], dir);
      expect(r.err.split("\n").filter((l) => /error/.test(l))).toEqual([]);
      expect(r.code).toBe(0);
      const cacheDir = path.join(dir, ".hepc/cache/models");
      const saved = JSON.parse(readFileSync(path.join(cacheDir, readdirSync(cacheDir)[0]), "utf8")) as { classes: string[]; folds: Array<{ fold: number; model: SavedGbdt }> };
      expect(saved.classes).toEqual(["wrong", "correct"]);
      expect(saved.folds.map((x) => x.fold).sort()).toEqual([0, 1]);

      // every candidate was in training (each is in one class): its score is that of the fold model that did not see its event
      const p4 = (i: number, js: number[]) => jetSum({ pt, eta, phi, mass }, i, js);
      const dphi = deltaPhi;
      const want = new Map<number, number[]>();
      let correct = 0, total = 0;
      for (let i = 0; i < pt.length; i++) {
        const sel = pt[i].map((_, j) => j).filter((j) => pt[i][j] > 15 && Math.abs(eta[i][j]) < 2.4).slice(0, 4);
        if (sel.length < 3) continue;
        const model = saved.folds.find((x) => x.fold === i % 2)!.model;
        const cands = permutations(sel.length, 3).map((c) => c.map((p) => sel[p]));
        let best = -1, bestScore = NaN, nGood = 0, nGoodB = 0;
        cands.forEach(([a, b, c], q) => {
          const s = p4(i, [a, b, c]);
          const dr = Math.sqrt((eta[i][a] - eta[i][b]) ** 2 + dphi(phi[i][a], phi[i][b]) ** 2);
          const score = treeProbability(model, [s.mass, s.pt, dr, btag[i][a], pt[i][b] / pt[i][c]]);
          if (best < 0 || score > bestScore) [best, bestScore] = [q, score];
          if (score > 0.5) nGood++;
          if (score > 0.5 && btag[i][a] > 0.5) nGoodB++;
          const matched = pid[i].some((id, g) => Math.abs(id) === 5 && Math.hypot(eta[i][a] - geta[i][g], dphi(phi[i][a], gphi[i][g])) < 0.4);
          if (matched) correct++;
          total++;
        });
        want.set(i, [p4(i, cands[best]).mass, ...cands[best], nGood, nGoodB]);
      }
      // both classes are there to learn from
      expect(correct).toBeGreaterThan(20);
      expect(total - correct).toBeGreaterThan(20);

      const out = await openRoot(path.join(dir, "out/c.root"));
      const keys = ["entry", "chosen_mass", "i1", "i2", "i3", "n_good", "n_good_b"];
      const got = await out.read("ttbar", keys);
      await out.close();
      const [entry, ...vals] = keys.map((k) => got.get(k)!.values);
      expect(entry.length).toBe(want.size);
      const have = new Map<number, number[]>();
      for (let q = 0; q < entry.length; q++) {
        const w = want.get(Number(entry[q]))!;
        const h = vals.map((v) => Number(v[q]));
        have.set(Number(entry[q]), h);
        expect(Math.abs(h[0] - w[0]), `entry ${entry[q]}`).toBeLessThanOrEqual(1e-9 * Math.max(1, w[0]));
        expect(h.slice(1), `entry ${entry[q]}`).toEqual(w.slice(1));
      }
      // the model scores some candidates over 0.5 and some under
      const goods = [...want.values()].map((w) => w[4]);
      expect(goods.some((g) => g > 0)).toBe(true);
      // the same with one thread and with two and small chunks
      if (previous) expect([...have.entries()].sort()).toEqual([...previous.entries()].sort());
      previous = have;
    }
  });
});

describe("classes per candidate from truth matching", () => {
  it("labels with match(...)[first.index] as with any(deltaR(...) < r): the same trees", async () => {
    const dir = copyExample(tmp, "nanoaod");
    const trees: string[] = [];
    const classes = [
      "classes { wrong = not any(deltaR(first, bquarks) < 0.4); correct = any(deltaR(first, bquarks) < 0.4) }",
      // the nearest b quark within 0.4 of the candidate's first jet (the index of Jet is the jet's own)
      "classes { wrong = not (match(Jet, bquarks, 0.4)[first.index] >= 0); correct = match(Jet, bquarks, 0.4)[first.index] >= 0 }",
    ];
    for (const c of classes) {
      writeFileSync(path.join(dir, "t.hep"), TRAINED.replace(/ {2}classes \{.*\}\n/, `  ${c}\n`));
      expect(readFileSync(path.join(dir, "t.hep"), "utf8")).toContain(c);
      rmSync(path.join(dir, ".hepc"), { recursive: true, force: true });
      const r = await runCli(["run", "t.hep"], dir);
      expect(r.err.split("\n").filter((l) => /error/.test(l))).toEqual([]);
      const cacheDir = path.join(dir, ".hepc/cache/models");
      const saved = JSON.parse(readFileSync(path.join(cacheDir, readdirSync(cacheDir)[0]), "utf8")) as { folds: Array<{ model: { trees: unknown[] } }> };
      trees.push(JSON.stringify(saved.folds.map((f) => f.model.trees)));
    }
    expect(trees[0].length).toBeGreaterThan(100);
    expect(trees[1]).toBe(trees[0]);
  });
});
