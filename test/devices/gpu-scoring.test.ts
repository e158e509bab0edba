/**
 * An mlp scoring inside a run on the GPU: the same trained weights (trained once on the GPU, then
 * taken from the model cache) score every event of every sample through a run with `gpu` and one
 * with `cpu`, compared per event (friend trees) within 1e-5; on the GPU the scores are the same
 * bits for any chunk size and thread count; the summary names where each model was scored.
 * Lavapipe runs it where there is no GPU; without an adapter it skips.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { execute, type FriendResult } from "../../runtime/exec/index.js";
import { releaseDevices } from "../../runtime/devices/index.js";
import { copyExample, planOf } from "../helpers/examples.js";
import { webgpuAvailable } from "../helpers/webgpu.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-gpu-scoring-"));
afterAll(async () => {
  await releaseDevices();
  rmSync(tmp, { recursive: true, force: true });
});
const gpu = await webgpuAvailable();

const ANALYSIS = `
analysis gpu_scoring { lumi 50 /pb seed 7 }
sample single_top { files "data/single_top.root" tree "events" class signal weight EventWeight }
sample ww { files "data/ww.root" tree "events" class background weight EventWeight }
object muons = Muon where pt > 25 GeV and abs(eta) < 2.1
object jets = Jet where pt > 30 GeV and abs(eta) < 2.4
define met = hypot(MET_px, MET_py)
define ht = ht(jets)
define njets = count(jets)
region presel = triggerIsoMu24 and count(muons) == 1 and njets >= 2
features kin { ht normal met normal njets linear 0 .. 10 }
model nn = mlp(kin) { layers [16, 8] epochs 2 batch 256 }
model small = mlp(kin) { layers [8] activation tanh epochs 1 batch 128 }
train nn { on presel folds 3 by entry % 3 }
train small { on presel folds 2 by entry % 2 }
output { predictions "out/pred" friend keyed entry }
`;

/** Each sample's score columns of the friend trees, by sample and column name. */
function scoresOf(f: FriendResult): Map<string, Float64Array> {
  const m = new Map<string, Float64Array>();
  for (const s of f.samples) for (const c of s.columns) if (c.name !== "entry") m.set(`${s.sample}/${c.name}`, Float64Array.from(c.values));
  return m;
}

describe.skipIf(!gpu)("an mlp scoring in a run on the GPU", () => {
  it("scores every event within 1e-5 of the CPU with the same weights, the same bits for any chunk size and thread count, and says where it scored", async () => {
    const dir = copyExample(tmp, "single-top");
    writeFileSync(path.join(dir, "analysis.hep"), ANALYSIS);
    const plan = await planOf(path.join(dir, "analysis.hep"));
    const run = (device: "gpu" | "cpu", chunkSize: number, threads: number) => execute(plan, { analysisDir: dir, versions: {}, device, chunkSize, threads });

    const onGpu = await run("gpu", 100000, 1);
    for (const m of onGpu.result.models) {
      expect(m.cached).toBe(false);
      expect(m.device).toMatch(/^gpu: /);
      expect(m.scored).toBe(m.device);
    }
    // the same weights (from the model cache) scored on the CPU
    const onCpu = await run("cpu", 100000, 1);
    for (const m of onCpu.result.models) {
      expect(m.cached).toBe(true);
      expect(m.device).toMatch(/^gpu: /);
      expect(m.scored).toBe("cpu");
    }
    const g = scoresOf(onGpu.result.friends[0]);
    const c = scoresOf(onCpu.result.friends[0]);
    expect([...g.keys()].sort()).toEqual(["single_top/nn", "single_top/small", "ww/nn", "ww/small"]);
    let events = 0;
    for (const [k, a] of g) {
      const b = c.get(k)!;
      expect(a.length).toBe(b.length);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      expect(worst, k).toBeLessThanOrEqual(1e-5);
      // the scores are probabilities that vary from event to event, not a constant
      expect(Math.max(...a) - Math.min(...a), k).toBeGreaterThan(0.01);
      events += a.length;
    }
    expect(events).toBeGreaterThan(10000);

    // on the GPU: the same bits in small chunks on two threads
    const again = await run("gpu", 1000, 2);
    expect(again.result.models.every((m) => m.cached && m.scored === onGpu.result.models[0].scored)).toBe(true);
    const h = scoresOf(again.result.friends[0]);
    for (const [k, a] of g) expect(h.get(k), k).toEqual(a);
  }, 300_000);
});
