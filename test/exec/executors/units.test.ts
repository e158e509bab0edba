/** The cut into parts, and reading what Slurm says (job ids, array tasks, end states). */
import { describe, expect, it } from "vitest";
import { partsByEvents, partsByFiles } from "../../../runtime/exec/executors/tasks.js";
import { arraySpec, classify, parseSbatch, parseSqueue, sbatchArgs } from "../../../runtime/exec/executors/slurm/index.js";
import { formatViews } from "../../../cli/commands/scale.js";

describe("parts of a sample", () => {
  it("by files: runs of whole files with their entry ranges", () => {
    expect(partsByFiles([10, 20, 5], 2)).toEqual([
      { files: [0, 1], offset: 0, start: 0, stop: 30 },
      { files: [2], offset: 30, start: 30, stop: 35 },
    ]);
  });
  it("by entries: every entry in exactly one part, parts naming the files they touch", () => {
    const counts = [10, 0, 20, 5];
    const parts = partsByEvents(counts, 12);
    expect(parts).toEqual([
      { files: [0, 1, 2], offset: 0, start: 0, stop: 12 },
      { files: [2], offset: 10, start: 12, stop: 24 },
      { files: [2, 3], offset: 10, start: 24, stop: 35 },
    ]);
    expect(parts.reduce((a, p) => a + p.stop - p.start, 0)).toBe(35);
  });
});

describe("Slurm's answers", () => {
  it("sbatch --parsable: the job id, with or without a cluster", () => {
    expect(parseSbatch("17\n")).toBe("17");
    expect(parseSbatch("17;ci\n")).toBe("17");
    expect(parseSbatch("sbatch: error: Batch job submission failed")).toBeUndefined();
  });
  it("squeue -r lines: one per array task", () => {
    expect(parseSqueue("4|0|COMPLETED|None\n4|1|PENDING|DependencyNeverSatisfied\n\n")).toEqual([
      { job: "4", index: 0, state: "COMPLETED", reason: "None" },
      { job: "4", index: 1, state: "PENDING", reason: "DependencyNeverSatisfied" },
    ]);
  });
  it("a task the scheduler killed is named by why", () => {
    expect(classify("TIMEOUT", { time: "00:10:00" })).toEqual({ kind: "killed", reason: "it ran past its time limit (--time 00:10:00) (state TIMEOUT)" });
    expect(classify("OUT_OF_MEMORY", { mem: "2G" }).reason).toContain("more memory than it asked for (--mem 2G)");
    expect(classify("NODE_FAIL").kind).toBe("killed");
    expect(classify("FAILED").kind).toBe("failed");
    expect(classify("CANCELLED").kind).toBe("cancelled");
    expect(classify("RUNNING").kind).toBe("running");
  });
  it("--array index lists", () => {
    expect(arraySpec([3, 0, 1, 2, 7, 9, 10])).toBe("0-3,7,9-10");
  });
});

describe("submission and progress", () => {
  it("sbatch gets the array, its throttle, the dependency and the resources", () => {
    const graph = { analysisDir: "/a", planHash: "0".repeat(64) } as never;
    expect(sbatchArgs(graph, "/w", "gather", [0, 1, 2, 5], ["17"], { workdir: "/w", taskCommand: [], throttle: 4, partition: "short", time: "1:00:00", mem: "2G", account: "atlas", cpus: 2 })).toEqual([
      "--parsable",
      "--job-name=hepc-gather",
      "--array=0-2,5%4",
      "--output=/w/logs/gather-%a.job%A.log",
      "--chdir=/a",
      "--dependency=afterok:17",
      "--partition=short",
      "--time=1:00:00",
      "--mem=2G",
      "--account=atlas",
      "--cpus-per-task=2",
      "/w/slurm/gather.sh",
    ]);
  });
  it("the live line: each stage's tasks done, running and failed, and the events read", () => {
    expect(
      formatViews([
        { stage: "read", total: 8, done: 3, running: 2, failed: 1, events: 12000 },
        { stage: "gather", total: 2, done: 0, running: 0, failed: 0, events: 0 },
        { stage: "train", total: 0, done: 0, running: 0, failed: 0, events: 0 },
        { stage: "merge", total: 1, done: 0, running: 0, failed: 0, events: 0 },
      ]),
    ).toBe("read 3/8 2 running 1 failed (12000 events) · gather 0/2 · merge 0/1");
  });
});
