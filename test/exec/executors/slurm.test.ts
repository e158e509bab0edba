/**
 * The Slurm executor on a real cluster: the single-node Slurm of scripts/slurm-local.sh. Skipped
 * (saying how to start one) where none answers, unless HEPC_TEST_SLURM=1 (CI sets it): then a
 * missing cluster fails the test.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compilePlan } from "../../../compiler/compile.js";
import { nodeHost } from "../../../cli/host.js";
import { prepare } from "../../../runtime/exec/executors/drive.js";
import { runSlurm } from "../../../runtime/exec/executors/slurm/index.js";
import { which } from "../../../runtime/exec/executors/commands.js";
import { readState } from "../../../runtime/exec/executors/workdir.js";
import { CLI, haveDist, spawnCli } from "../../helpers/spawn-cli.js";
import { outputHashes, zmumuParts, removeFixtures } from "./fixture.js";

const SETUP = "sudo scripts/slurm-local.sh install && sudo scripts/slurm-local.sh start";
const required = process.env.HEPC_TEST_SLURM === "1";

function clusterUp(): boolean {
  if (!which("sbatch") || !which("scontrol")) return false;
  try {
    return /UP/.test(execFileSync("scontrol", ["ping"], { encoding: "utf8", timeout: 5000 }));
  } catch {
    return false;
  }
}

const up = clusterUp();
if (!up && !required) console.warn(`test/exec/executors/slurm.test.ts: skipped, no Slurm answers here. Start a one-node cluster with\n  ${SETUP}\nand stop it with \`sudo scripts/slurm-local.sh stop\`.`);

/** A task command that fails some tasks (by STAGE:INDEX) before handing the rest to hepc. */
function wrapper(dir: string, script: string): string {
  const p = path.join(dir, "wrap.sh");
  writeFileSync(p, `#!/bin/sh\n${script}\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(p, 0o755);
  return p;
}

describe.skipIf(!haveDist || (!up && !required))("--executor slurm on a real cluster", () => {
  afterAll(removeFixtures);

  it("a cluster answers", () => {
    expect(up, `no Slurm cluster answers (HEPC_TEST_SLURM=1 requires one): ${SETUP}`).toBe(true);
  });

  it("runs job arrays with afterok and gives outputs byte-identical to hepc run", async () => {
    const dir = zmumuParts();
    expect((await spawnCli(["run", "analysis.hep", "--quiet"], dir)).code).toBe(0);
    const reference = outputHashes(dir);
    const ok = await spawnCli(["run", "analysis.hep", "--executor", "slurm", "--workdir", "wd", "--throttle", "2", "--poll", "0.3", "--time", "10", "--json"], dir, {}, 120_000);
    expect(ok.code, ok.err).toBe(0);
    expect(outputHashes(dir)).toEqual(reference);
    const state = readState(path.join(dir, "wd"))!;
    expect(state.jobs!.map((j) => j.stage)).toEqual(["read", "gather", "merge"]);
    expect(state.jobs![0].indices).toEqual([0, 1, 2]);
    // each array task wrote its log under the job's id
    expect(readdirSync(path.join(dir, "wd", "logs")).filter((f) => /^read-\d\.job\d+\.log$/.test(f))).toHaveLength(3);
    const script = readFileSync(path.join(dir, "wd", "slurm", "read.sh"), "utf8");
    expect(script).toContain('task ');
    expect(script).toContain('"read:$SLURM_ARRAY_TASK_ID"');
    const status = await spawnCli(["status", "wd"], dir);
    expect(status.out).toContain("slurm executor, done");
    expect(status.out).toContain("merge   1/1 done");
    // a second run with --resume submits nothing: every result checks out
    const again = await spawnCli(["run", "analysis.hep", "--executor", "slurm", "--workdir", "wd", "--resume", "--poll", "0.3", "--quiet"], dir, {}, 60_000);
    expect(again.code, again.err).toBe(0);
    expect(readState(path.join(dir, "wd"))!.jobs).toEqual([]);
  }, 180_000);

  it("retries a failed array task, and ends (not waits) when a task is out of attempts", async () => {
    const dir = zmumuParts();
    const c = await compilePlan(path.join(dir, "analysis.hep"), nodeHost(dir));
    const cmd = wrapper(dir, `if [ "$3" = read:1 ] && [ ! -e "${dir}/once" ]; then touch "${dir}/once"; echo "flaky node" >&2; exit 3; fi\nif [ "$3" = gather:0 ]; then echo "disk quota exceeded" >&2; exit 4; fi`);
    const workdir = path.join(dir, "wd");
    const o = { workdir, taskCommand: [cmd], retries: 1, pollMs: 300 };
    const { graph } = await prepare(c.plan, dir, o);
    const t0 = Date.now();
    await expect(runSlurm(graph, o)).rejects.toThrow(/task gather-dimuon failed after 2 attempt\(s\): exit code 4 \(state FAILED\); log .*gather-0\.job\d+\.log:\n {2}\| disk quota exceeded/);
    expect(Date.now() - t0).toBeLessThan(90_000);
    const state = readState(workdir)!;
    expect(state.tasks["read-dimuon-1"]).toMatchObject({ attempts: 2, state: "done" });
    expect(state.tasks["read-dimuon-1"].logs).toHaveLength(2);
    expect(readFileSync(state.tasks["read-dimuon-1"].logs[0], "utf8")).toContain("flaky node");
    expect(state.tasks["merge"].state).not.toBe("done");
    // the merge, waiting on a gather that failed, was cancelled rather than left pending
    const left = execFileSync("squeue", ["-h", "-t", "PD,R", "-j", state.jobs!.map((j) => j.id).join(",")], { encoding: "utf8" }).trim();
    expect(left).toBe("");
  }, 180_000);

  it("shows the scheduler's message when it rejects a submission", async () => {
    const dir = zmumuParts();
    const r = await spawnCli(["run", "analysis.hep", "--executor", "slurm", "--workdir", "wd", "--partition", "no_such_partition"], dir, {}, 60_000);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/HEP7002.*Slurm rejected the submission of stage 'read': .*(invalid partition|Invalid partition)/i);
  }, 60_000);

  it("hepc cancel cancels what is queued", async () => {
    const dir = zmumuParts();
    const c = await compilePlan(path.join(dir, "analysis.hep"), nodeHost(dir));
    const cmd = wrapper(dir, `case "$3" in read:*) sleep 30 ;; esac`);
    const workdir = path.join(dir, "wd");
    const o = { workdir, taskCommand: [cmd], pollMs: 300 };
    const { graph } = await prepare(c.plan, dir, o);
    const running = runSlurm(graph, o).then(() => "finished", (e: Error) => e.message);
    for (let i = 0; i < 100 && !(readState(workdir)?.jobs?.length === 3); i++) await new Promise((r) => setTimeout(r, 100));
    const cancel = await spawnCli(["cancel", "wd"], dir);
    expect(cancel.code, cancel.err).toBe(0);
    expect(cancel.out).toMatch(/cancelled Slurm jobs \d+, \d+, \d+/);
    // whichever the run sees first: the mark hepc cancel leaves, or its jobs' CANCELLED state
    expect(await running).toMatch(/the run was cancelled \((hepc cancel|task read-dimuon-\d's job was cancelled)\)/);
    expect(readState(workdir)!.status).toBe("cancelled");
    const ids = readState(workdir)!.jobs!.map((j) => j.id).join(",");
    for (let i = 0; i < 50; i++) {
      if (execFileSync("squeue", ["-h", "-t", "PD,R", "-j", ids], { encoding: "utf8" }).trim() === "") break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(execFileSync("squeue", ["-h", "-t", "PD,R", "-j", ids], { encoding: "utf8" }).trim()).toBe("");
    expect(existsSync(path.join(workdir, "tasks", "merge", "result.json"))).toBe(false);
  }, 120_000);
});
