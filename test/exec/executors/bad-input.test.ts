/**
 * Scale-out on bad input: a work directory of another plan, task outputs that are corrupt or
 * missing (found by hash before anything is merged), a missing scheduler command, and failing
 * tasks (retried with every attempt's log kept; out of attempts, named with the end of its log).
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { prepare } from "../../../runtime/exec/executors/drive.js";
import { runLocal } from "../../../runtime/exec/executors/local/index.js";
import { readState } from "../../../runtime/exec/executors/workdir.js";
import { compilePlan } from "../../../compiler/compile.js";
import { nodeHost } from "../../../cli/host.js";
import { CLI, haveDist, spawnCli } from "../../helpers/spawn-cli.js";
import { outputHashes, zmumuParts, removeFixtures } from "./fixture.js";

describe.skipIf(!haveDist)("scale-out bad input", () => {
  afterAll(removeFixtures);

  it("refuses a work directory of another plan unless --force; finds corrupt and missing task outputs by hash", async () => {
    const dir = zmumuParts();
    const ok = await spawnCli(["run", "analysis.hep", "--executor", "local", "--workdir", "wd", "--quiet"], dir, {}, 120_000);
    expect(ok.code, ok.err).toBe(0);
    const reference = outputHashes(dir);

    // another plan in the same work directory
    writeFileSync(path.join(dir, "analysis.hep"), readFileSync(path.join(dir, "analysis.hep"), "utf8").replace("bins mass_bins = 60 60 .. 120", "bins mass_bins = 30 60 .. 120"));
    const refused = await spawnCli(["run", "analysis.hep", "--executor", "local", "--workdir", "wd", "--quiet"], dir);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/HEP7004.*the work directory .*wd holds another plan \(plan [0-9a-f]{12}, 1 file\(s\) a task; this run is plan [0-9a-f]{12}/);
    const forced = await spawnCli(["run", "analysis.hep", "--executor", "local", "--workdir", "wd", "--force", "--quiet"], dir, {}, 120_000);
    expect(forced.code, forced.err).toBe(0);
    expect(outputHashes(dir)["out/zmumu.root"]).not.toBe(reference["out/zmumu.root"]);

    // a read task's column damaged after it finished: the gather refuses it
    const cols = path.join(dir, "wd", "tasks", "read-dimuon-1", "columns");
    const victim = path.join(cols, readdirSync(cols).filter((f) => f.endsWith(".bin"))[0]);
    const bytes = readFileSync(victim);
    bytes[3] ^= 0xff;
    writeFileSync(victim, bytes);
    const corrupt = await spawnCli(["task", "wd", "gather:0"], dir);
    expect(corrupt.code).toBe(1);
    expect(corrupt.err).toMatch(/HEP7005.*the output of task read-dimuon-1 cannot be used: \S*tasks\/read-dimuon-1\/columns\/[0-9a-f]+\.bin is corrupt \(sha256/);
    expect((await spawnCli(["task", "wd", "read-dimuon-1", "--verify"], dir)).code).toBe(1);
    rmSync(victim);
    const missing = await spawnCli(["task", "wd", "gather-dimuon"], dir);
    expect(missing.err).toMatch(/HEP7005.*\.bin is missing/);

    // --resume redoes the damaged part and what depends on it, and nothing else
    const before = JSON.parse(readFileSync(path.join(dir, "wd", "tasks", "read-dimuon-0", "result.json"), "utf8"));
    const resumed = await spawnCli(["run", "analysis.hep", "--executor", "local", "--workdir", "wd", "--resume", "--quiet"], dir, {}, 120_000);
    expect(resumed.code, resumed.err).toBe(0);
    const state = readState(path.join(dir, "wd"))!;
    expect(state.tasks["read-dimuon-0"].attempts).toBe(0);
    expect(state.tasks["read-dimuon-1"].attempts).toBe(1);
    expect(state.tasks["merge"].attempts).toBe(1);
    expect(JSON.parse(readFileSync(path.join(dir, "wd", "tasks", "read-dimuon-0", "result.json"), "utf8"))).toEqual(before);
  }, 300_000);

  it("says which command an executor needs when it is missing", async () => {
    const dir = zmumuParts();
    // a PATH with nothing on it: the CLI needs none (tasks are started with this node binary)
    const empty = mkdtempSync(path.join(tmpdir(), "hepc-nopath-"));
    const r = await spawnCli(["run", "analysis.hep", "--executor", "slurm"], dir, { PATH: empty });
    expect(r.code).toBe(1);
    expect(r.err).toContain("HEP7001");
    expect(r.err).toContain("the slurm executor needs `sbatch`, which is not on PATH: install Slurm's client commands (Debian: slurm-client)");
  });

  it("retries a failed task with each attempt's log kept, and names a task out of attempts with its log", async () => {
    const dir = zmumuParts();
    const c = await compilePlan(path.join(dir, "analysis.hep"), nodeHost(dir));
    const wrapper = path.join(dir, "flaky.sh");
    // fails read-dimuon-1 on its first attempt, and gather-dimuon on every attempt after a message
    writeFileSync(
      wrapper,
      `#!/bin/sh\nif [ "$3" = read-dimuon-1 ] && [ ! -e "${dir}/failed-once" ]; then touch "${dir}/failed-once"; echo "flaky node" >&2; exit 3; fi\nif [ "$3" = gather-dimuon ]; then echo "disk quota exceeded" >&2; exit 4; fi\nexec "${process.execPath}" "${CLI}" "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    const workdir = path.join(dir, "wd");
    const common = { workdir, taskCommand: [wrapper], retries: 1, jobs: 2 };
    const { graph } = await prepare(c.plan, dir, common);
    await expect(runLocal(graph, common)).rejects.toThrow(/task gather-dimuon failed after 2 attempt\(s\): exit code 4; log .*gather-dimuon\.2\.log:\n {2}\| disk quota exceeded/);
    const state = readState(workdir)!;
    expect(state.tasks["read-dimuon-1"]).toMatchObject({ attempts: 2, state: "done" });
    expect(readFileSync(path.join(workdir, "logs", "read-dimuon-1.1.log"), "utf8")).toContain("flaky node");
    expect(readFileSync(path.join(workdir, "logs", "read-dimuon-1.2.log"), "utf8")).toContain("done in");
    expect(state.tasks["gather-dimuon"]).toMatchObject({ attempts: 2, state: "failed" });
    expect(state.status).toBe("failed");
    const status = await spawnCli(["status", "wd"], dir);
    expect(status.out).toContain("read    3/3 done");
    expect(status.out).toMatch(/failed: gather-dimuon \(2 attempts\): exit code 4\n {2}log .*gather-dimuon\.2\.log:\n.*\| disk quota exceeded/);
  }, 300_000);
});
