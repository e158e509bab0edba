/** The cut into parts, and reading what Slurm says (job ids, array tasks, end states). */
import { describe, expect, it } from "vitest";
import { partsByEvents, partsByFiles } from "../../../runtime/exec/executors/tasks.js";
import { arraySpec, classify, parseSbatch, parseSqueue } from "../../../runtime/exec/executors/slurm/index.js";

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
