/**
 * Models' scores under shape variations (runners/world-scores.ts), on the shipped CMS NanoAOD
 * file: in `vary Jet.pt`, a model whose features read the jets scores the varied features.
 *  - A trained gbdt (two folds): its copies equal histograms filled here from the saved model's
 *    trees walked by hand on features computed from the reader's values with the jets' pT scaled,
 *    the fold chosen as for the nominal event (its fold's model where the training saw it, the
 *    folds' mean elsewhere).
 *  - An imported ONNX network: its jesUp copy equals, bit for bit, the histogram of the same
 *    network fed the same inputs written out by hand with the jets' pT scaled (`jets_up`).
 * And a sample of `class data` is not varied: its copies are its nominal.
 * (The per-candidate case, a BDT over permutations, is test/examples/agc_ml.test.ts.)
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../plan/types.js";
import { execute } from "../../runtime/exec/index.js";
import { openRoot } from "../../runtime/io/index.js";
import { copyExample, planOf } from "../helpers/examples.js";
import { treeProbability, type SavedGbdt } from "../helpers/by-hand.js";
import { repoPath } from "../helpers/repo.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-model-vary-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FILE = "data/nanoAOD_2015_CMS_Open_Data_ttbar.root";
const ANALYSIS = `analysis model_vary { lumi 1 /fb seed 5 }
sample high { files "${FILE}" tree "Events" class signal where MET_pt > 40 }
sample low { files "${FILE}" tree "Events" class background where MET_pt <= 40 }
sample measured { files "${FILE}" tree "Events" class data }
object jets = Jet where pt > 30 GeV and abs(eta) < 2.4
define ht = sum(jets.pt)
define njets = count(jets)
define lead = jets[0].pt ?? 0
region two_jets = njets >= 2
features kin { ht njets lead }
model bdt = gbdt(kin) { trees 12 depth 3 }
train bdt { on two_jets folds 2 by event % 2 }

# the network's inputs, and the same written out with the jets' pT scaled by hand
features five { ht MET_pt lead njets ht / 2 }
object jets_up = Jet where 1.03 * pt > 30 GeV and abs(eta) < 2.4
define ht_up = sum(1.03 * jets_up.pt)
define njets_up = count(jets_up)
define lead_up = 1.03 * jets_up[0].pt ?? 0
region two_jets_up = njets_up >= 2
features five_up { ht_up MET_pt lead_up njets_up ht_up / 2 }
model net = onnx("torch_model.onnx") { inputs [five] }
model net_up = onnx("torch_model.onnx") { inputs [five_up] }

systematic jes { vary Jet.pt up 1.03 * Jet.pt down 0.97 * Jet.pt }
output {
  histogram bdt in two_jets by class bins 20 0 .. 1 to "out/m.root"
  histogram net in two_jets by class bins 20 0 .. 1 to "out/m.root"
  histogram net_up as net_by_hand in two_jets_up by class bins 20 0 .. 1 to "out/m.root"
  histogram njets in two_jets by class bins 10 0 .. 10 to "out/m.root"
}
`;

interface Saved { folds: Array<{ fold: number; model: SavedGbdt }> }

/** sumw per bin of 20 between 0 and 1, under- and overflow included (the runner's layout). */
function fill(xs: number[]): number[] {
  const out = new Array(22).fill(0);
  for (const x of xs) out[x < 0 ? 0 : x >= 1 ? 21 : 1 + Math.floor(x * 20)] += 1;
  return out;
}

describe("models' scores in shape variations", () => {
  let dir: string;
  let plan: Plan;
  beforeAll(async () => {
    dir = copyExample(tmp, "nanoaod");
    copyFileSync(repoPath("test", "fixtures", "onnx", "torch_model.onnx"), path.join(dir, "torch_model.onnx"));
    writeFileSync(path.join(dir, "mv.hep"), ANALYSIS);
    plan = await planOf(path.join(dir, "mv.hep"));
  });

  it("plans the scorers as touched by the variation, not the training; data is no class", () => {
    const h = plan.nodes.find((n) => n.kind === "histogram" && n.name === "bdt")!;
    const touches = h.kind === "histogram" ? h.systematics!.find((s) => s.name === "jes")!.vary!.touches : [];
    expect(touches).toContain("predict:bdt");
    expect(touches).toContain("predict:net");
    expect(touches.some((t) => t.startsWith("train:"))).toBe(false);
    // the data sample is not a class the model learns
    const t = plan.nodes.find((n) => n.kind === "train")!;
    expect(t.kind === "train" && Object.keys(t.classes).sort()).toEqual(["background", "signal"]);
  });

  it("scores the varied features with the same folds, as the trees walked by hand do; an imported network as its inputs written out by hand", async () => {
    const ex = await execute(plan, { analysisDir: dir, versions: { hepc: "test" }, threads: 1, cache: true });
    // the simulated events' histograms (both classes: all the file's events), data left out
    const get = (key: string) => {
      const [region, name] = key.split("/");
      const parts = ["signal", "background"].map((c) => ex.result.histograms.find((x) => x.key === `${region}/${name}/${c}`));
      for (const r of parts) expect(r, key).toBeDefined();
      return parts[0]!.data.sumw.map((x, b) => x + parts[1]!.data.sumw[b]);
    };
    const models = readdirSync(path.join(dir, ".hepc/cache/models"));
    expect(models.length).toBe(1);
    const saved = JSON.parse(readFileSync(path.join(dir, ".hepc/cache/models", models[0]), "utf8")) as Saved;
    const fold = new Map(saved.folds.map((f) => [f.fold, f.model]));

    const f = await openRoot(path.join(dir, FILE));
    const c = await f.read("Events", ["Jet_pt", "Jet_eta", "event"]).finally(() => f.close());
    const pt = c.get("Jet_pt")!, eta = c.get("Jet_eta")!, event = c.get("event")!.values as BigUint64Array;
    if (pt.kind !== "jagged" || eta.kind !== "jagged") throw new Error("Jet_pt and Jet_eta are jagged");
    /** Per event: [ht, njets, lead] with the jets' pT times `k`. */
    const features = (i: number, k: number): number[] => {
      const sel: number[] = [];
      for (let j = pt.offsets[i]; j < pt.offsets[i + 1]; j++) {
        const p = k * Number(pt.values[j]);
        if (p > 30 && Math.abs(Number(eta.values[j])) < 2.4) sel.push(p);
      }
      return [sel.reduce((a, b) => a + b, 0), sel.length, sel[0] ?? 0];
    };
    const n = event.length;
    // the training saw the nominal events of two_jets (each in one of the two samples' classes)
    const trained = Array.from({ length: n }, (_, i) => features(i, 1)[1] >= 2);
    const scores = (k: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const x = features(i, k);
        if (x[1] < 2) continue;
        const own = fold.get(Number(event[i] % 2n))!;
        out.push(trained[i] ? treeProbability(own, x) : (treeProbability(fold.get(0)!, x) + treeProbability(fold.get(1)!, x)) / 2);
      }
      return out;
    };
    expect(get("two_jets/bdt")).toEqual(fill(scores(1)));
    const up = fill(scores(1.03));
    expect(up).not.toEqual(get("two_jets/bdt"));
    expect(get("two_jets/bdt_jesUp")).toEqual(up);
    expect(get("two_jets/bdt_jesDown")).toEqual(fill(scores(0.97)));

    // the network: jesUp through the variation is the network on the inputs scaled by hand
    expect(get("two_jets/net_jesUp")).not.toEqual(get("two_jets/net"));
    expect(get("two_jets/net_jesUp")).toEqual(get("two_jets_up/net_by_hand"));
  });

  it("leaves data unvaried: a data sample's copies are its nominal", async () => {
    const ex = await execute(plan, { analysisDir: dir, versions: { hepc: "test" }, threads: 1, cache: false });
    const get = (key: string) => Array.from(ex.result.histograms.find((x) => x.key === key)!.data.sumw);
    expect(get("two_jets/njets/data").reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(get("two_jets/njets_jesUp/data")).toEqual(get("two_jets/njets/data"));
    expect(get("two_jets/njets_jesDown/data")).toEqual(get("two_jets/njets/data"));
    // the same events as simulation: varied there
    expect(get("two_jets/njets_jesUp/signal")).not.toEqual(get("two_jets/njets/signal"));
  });

  it("gives the same copies for 2 threads and other chunks", async () => {
    const one = await execute(plan, { analysisDir: dir, versions: { hepc: "test" }, threads: 1, cache: false });
    const two = await execute(plan, { analysisDir: dir, versions: { hepc: "test" }, threads: 2, chunkSize: 37, cache: false });
    const all = (r: typeof one) => r.result.histograms.map((h) => [h.key, Array.from(h.data.sumw)]);
    expect(all(two)).toEqual(all(one));
  });
});
