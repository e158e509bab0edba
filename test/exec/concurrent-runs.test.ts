/**
 * Runs started together (or in the same second) each keep their own run directory and staging
 * area, and what is published at a declared path is the whole file of one of them.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { claimRunDir } from "../../runtime/exec/index.js";
import { copyExample } from "../helpers/examples.js";
import { haveDist, spawnCli } from "../helpers/spawn-cli.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-concurrent-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

describe("concurrent runs", () => {
  it("claims a new directory when the name is taken", () => {
    const runs = path.join(tmp, "runs");
    expect(path.basename(claimRunDir(runs, "20260101-000000-abcd1234"))).toBe("20260101-000000-abcd1234");
    expect(path.basename(claimRunDir(runs, "20260101-000000-abcd1234"))).toBe("20260101-000000-abcd1234-2");
    expect(path.basename(claimRunDir(runs, "20260101-000000-abcd1234"))).toBe("20260101-000000-abcd1234-3");
  });

  it.skipIf(!haveDist)("six runs started at once leave six complete run directories; each published output is one run's whole file", async () => {
    const dir = copyExample(tmp, "zmumu");
    // A different date per run makes each run's ROOT file different bytes, so a published file can
    // be traced to the run that wrote it (and a mixture of two would match none).
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => spawnCli(["run", "analysis.hep", "--quiet", "--threads", "1", "--no-cache"], dir, { SOURCE_DATE_EPOCH: String(1_700_000_000 + i * 86_400) })),
    );
    for (const r of results) expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
    const runsDir = path.join(dir, ".hepc", "runs");
    const runs = readdirSync(runsDir);
    expect(runs).toHaveLength(6);
    const staged = new Set<string>();
    for (const run of runs) {
      const files = readdirSync(path.join(runsDir, run));
      // the executor's files, and the run store's record of the run (track/: run.json, its metric history, the source)
      expect(files.sort()).toEqual(["inputs.json", "log.txt", "metrics.jsonl", "outputs", "plan.json", "run.json", "source.hep", "summary.json", "versions.json"]);
      const log = readFileSync(path.join(runsDir, run, "log.txt"), "utf8");
      // One run's log: started once, finished once.
      expect(log.match(/^\S+ run of /gm)).toHaveLength(1);
      expect(log.match(/^\S+ done in /gm)).toHaveLength(1);
      staged.add(sha(path.join(runsDir, run, "outputs", "out", "zmumu.root")));
    }
    expect(staged.size).toBe(6);
    expect(staged.has(sha(path.join(dir, "out", "zmumu.root")))).toBe(true);
    // No temporary file of any run is left beside the published outputs.
    expect(readdirSync(path.join(dir, "out")).sort()).toEqual(["cutflow.json", "zmumu.root", "zmumu.root.json"]);
  }, 120_000);
});
