/**
 * An imported ONNX model in a run: scored on every event of every sample (friend trees), its score
 * read by a region (a later pass), evaluated without folds or an overtraining test; scores agree
 * per event with an independent computation from the same events' inputs (the friend tree's keys),
 * and do not depend on the chunk size. Without onnxruntime-node (an optional dependency) the run
 * stops with a named error under the model's line.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { reportInputOf } from "../../cli/report.js";
import { execute, type FriendResult } from "../../runtime/exec/index.js";
import { haveDist, spawnCli } from "../helpers/spawn-cli.js";
import { copyExample, planOf } from "../helpers/examples.js";
import { linearModel } from "../models/onnx/linear.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-onnx-run-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ANALYSIS = `
analysis onnx_run { lumi 50 /pb seed 1 }
sample single_top { files "data/single_top.root" tree "events" class signal weight EventWeight }
sample ww { files "data/ww.root" tree "events" class background weight EventWeight }
object muons = Muon where pt > 25 GeV and abs(eta) < 2.1
object jets = Jet where pt > 30 GeV and abs(eta) < 2.4
define met = hypot(MET_px, MET_py)
define ht = ht(jets)
define njets = count(jets)
region presel = triggerIsoMu24 and count(muons) == 1 and njets >= 2
features kin { ht met }
model lin = onnx("lin.onnx") { inputs [kin, njets] }
model lin3 = onnx("lin.onnx") { inputs [kin, njets] output "classes" classes [b, c, signal] }
region high = presel and lin > 0.6
region high_by_hand = presel and 0.01 * ht - 0.02 * met + 0.05 * njets + 0.1 > log(0.6 / 0.4)
region three_signal = presel and lin3.signal > 0.34
evaluate lin { in presel metrics auc }
output {
  predictions "out/pred" friend keyed ht, met, njets
  cutflow in presel, high, high_by_hand, three_signal to "out/cutflow.json"
}
`;

describe("an imported ONNX model in a run", () => {
  it("scores every event (friend trees), a region reads its score, an evaluation uses it; per event as computed independently, for any chunk size", async () => {
    const dir = copyExample(tmp, "single-top");
    writeFileSync(path.join(dir, "lin.onnx"), linearModel({ inputs: [{ name: "x", width: 3 }], weights: [0.01, -0.02, 0.05], bias: 0.1 }));
    writeFileSync(path.join(dir, "analysis.hep"), ANALYSIS);
    const plan = await planOf(path.join(dir, "analysis.hep"));
    const scores: Float64Array[] = [];
    for (const chunkSize of [100000, 333]) {
      const ex = await execute(plan, { analysisDir: dir, versions: {}, threads: 1, chunkSize });
      const r = ex.result;
      expect(r.notRun).toEqual([]);
      const friend = r.friends[0] as FriendResult;
      expect(friend.samples.map((s) => s.sample)).toEqual(["single_top", "ww"]);
      const st = friend.samples[0];
      expect(st.columns.map((c) => c.name)).toEqual(["key0", "key1", "key2", "lin", "lin3_b", "lin3_c", "lin3_signal"]);
      const [ht, met, nj, lin, ...three] = st.columns.map((c) => c.values);
      expect(lin.length).toBe(5684); // every entry, not only the region's
      let worst = 0;
      let worst3 = 0;
      for (let i = 0; i < lin.length; i++) {
        const x = [ht[i], met[i], nj[i]].map(Math.fround);
        const logit = x[0] * Math.fround(0.01) + x[1] * Math.fround(-0.02) + x[2] * Math.fround(0.05) + Math.fround(0.1);
        worst = Math.max(worst, Math.abs(lin[i] - 1 / (1 + Math.exp(-logit))));
        worst3 = Math.max(worst3, Math.abs(three[0][i] + three[1][i] + three[2][i] - 1));
      }
      expect(worst).toBeLessThanOrEqual(1e-6);
      expect(worst3).toBeLessThanOrEqual(1e-6);
      scores.push(lin);
      // the region on the score selects what the same cut on the inputs selects
      const cf = r.cutflows[0];
      for (const s of cf.samples) {
        expect(s.regions.high.raw).toBe(s.regions.high_by_hand.raw);
        expect(s.regions.high.raw).toBeGreaterThan(0);
        expect(s.regions.high.raw).toBeLessThan(s.regions.presel.raw);
        // a multiclass imported model's class score, read by name
        expect(s.regions.three_signal.raw).toBeGreaterThan(0);
        expect(s.regions.three_signal.raw).toBeLessThanOrEqual(s.regions.presel.raw);
      }
      // evaluated on every event of the region: no folds, no overtraining test
      const ev = r.evaluations[0];
      expect(ev.model).toBe("lin");
      expect(ev.overtraining).toEqual([]);
      const section = ev.sections[0] as { kind: string; auc: unknown };
      expect(section.kind).toBe("binary");
      expect(section.auc).toBeGreaterThan(0.5);
      // the report shows it as a model of the analysis, with its evaluation and no training
      const report = reportInputOf(plan, r, "hash", {}).models.find((m) => m.name === "lin");
      expect(report).toMatchObject({ kind: "onnx", training: [], classes: ["background", "signal"] });
      expect(report!.metrics).not.toBeNull();
    }
    expect(scores[1]).toEqual(scores[0]);
  });
});

describe("an imported ONNX model without onnxruntime-node", () => {
  it.skipIf(!haveDist)("stops the run with HEP6030 under the model's line, naming the package, and writes nothing", async () => {
    const dir = copyExample(tmp, "single-top");
    writeFileSync(path.join(dir, "lin.onnx"), linearModel({ inputs: [{ name: "x", width: 3 }], weights: [0.01, -0.02, 0.05], bias: 0.1 }));
    writeFileSync(path.join(dir, "analysis.hep"), ANALYSIS);
    // a module hook makes the package unresolvable, as on an install that dropped it
    writeFileSync(path.join(dir, "hooks.mjs"), `export async function resolve(s, c, next) { if (s === "onnxruntime-node") { const e = new Error("Cannot find package 'onnxruntime-node'"); e.code = "ERR_MODULE_NOT_FOUND"; throw e; } return next(s, c); }`);
    writeFileSync(path.join(dir, "no-ort.mjs"), `import { register } from "node:module"; register("./hooks.mjs", import.meta.url);`);
    const r = await spawnCli(["run", "analysis.hep"], dir, { NODE_OPTIONS: `--import=${path.join(dir, "no-ort.mjs")}` });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/analysis\.hep:12:\d+: error\[HEP6030\]: onnx model 'lin' needs the package onnxruntime-node, which is not installed \(Cannot find package 'onnxruntime-node'\)/);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(path.join(dir, "out"))).toBe(false);
  });
});
