/**
 * The scale-out cut is complete and exact: every task run as a subprocess by the local executor,
 * and the merged outputs byte-identical (sha256 of every file) to `hepc run` of the same analysis,
 * whatever the cut (files per task, entries per task splitting files), with every model trained
 * fold by fold in tasks of its own, and with shape variations (their worlds' columns computed by
 * the read tasks) and alternative samples.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { haveDist, spawnCli } from "../../helpers/spawn-cli.js";
import { agc, outputHashes, singleTop, zmumuParts, removeFixtures } from "./fixture.js";

const fresh = (dir: string) => {
  rmSync(path.join(dir, "out"), { recursive: true, force: true });
  rmSync(path.join(dir, ".hepc"), { recursive: true, force: true });
};

describe.skipIf(!haveDist)("--executor local", () => {
  afterAll(removeFixtures);

  it("merged outputs are byte-identical to hepc run, for files per task and entries per task", async () => {
    const dir = zmumuParts();
    const local = await spawnCli(["run", "analysis.hep", "--quiet"], dir);
    expect(local.err).toBe("");
    expect(local.code).toBe(0);
    const reference = outputHashes(dir);
    expect(Object.keys(reference).sort()).toEqual(["out/cutflow.json", "out/zmumu.root", "out/zmumu.root.json"]);

    for (const cut of [["--chunk-files", "2"], ["--chunk-events", "1000"]]) {
      fresh(dir);
      const r = await spawnCli(["run", "analysis.hep", "--executor", "local", ...cut, "--jobs", "2", "--json"], dir, {}, 120_000);
      expect(r.code, r.err).toBe(0);
      const doc = JSON.parse(r.out);
      // 3 files of 2304 entries: 2 parts by files, 7 parts of 1000 entries (some straddle files)
      expect(doc.tasks).toBe((cut[0] === "--chunk-files" ? 2 : 7) + 2);
      expect(outputHashes(dir)).toEqual(reference);
      expect(doc.outputs).toEqual(Object.fromEntries(Object.entries(reference).map(([k, v]) => [k, v])));
    }
  }, 240_000);

  it("shape variations, alternative samples, datacards and workspaces give the same bytes as hepc run (the AGC example)", async () => {
    const dir = agc();
    const local = await spawnCli(["run", "analysis.hep", "--quiet"], dir, {}, 120_000);
    expect(local.code, local.err).toBe(0);
    const reference = outputHashes(dir);
    expect(Object.keys(reference)).toEqual(expect.arrayContaining(["out/histograms.root", "out/datacard.txt", "out/workspace.json"]));
    fresh(dir);
    const r = await spawnCli(["run", "analysis.hep", "--executor", "local", "--chunk-events", "3000", "--jobs", "2", "--json"], dir, {}, 240_000);
    expect(r.code, r.err).toBe(0);
    expect(outputHashes(dir)).toEqual(reference);
  }, 400_000);

  it("a plan that trains, scores, evaluates and reports gives the same bytes as hepc run", async () => {
    const dir = singleTop();
    const local = await spawnCli(["run", "analysis.hep", "--quiet"], dir, {}, 180_000);
    expect(local.code, local.err).toBe(0);
    const reference = outputHashes(dir);
    expect(Object.keys(reference)).toContain("out/bdt.onnx");
    fresh(dir);
    const r = await spawnCli(["run", "analysis.hep", "--executor", "local", "--json"], dir, {}, 240_000);
    expect(r.code, r.err).toBe(0);
    expect(outputHashes(dir)).toEqual(reference);
    const workdir = path.join(dir, JSON.parse(r.out).workdir);
    // 4 samples: 4 reads, 4 gathers; 3 models × 5 folds trained as tasks, 3 models assembled, the merge
    expect(JSON.parse(r.out).tasks).toBe(4 + 4 + 15 + 3 + 1);
    for (const m of ["bdt", "nn", "cuts"]) for (const k of [0, 1, 2, 3, 4]) expect(existsSync(path.join(workdir, "tasks", `train-${m}-${k}`, "fold.json"))).toBe(true);
    // the merge took the models the tasks trained (they are in its model cache), and trained none
    const summary = JSON.parse(readFileSync(path.join(dir, JSON.parse(r.out).runDir, "summary.json"), "utf8"));
    expect(summary.models.map((m: { model: string; cached: boolean }) => [m.model, m.cached]).sort()).toEqual([["bdt", true], ["cuts", true], ["nn", true]]);
  }, 480_000);
});
