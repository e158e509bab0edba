/** The plan's DAG cut into passes: fits between passes, scores read by expressions a pass later. */
import { describe, expect, it } from "vitest";
import type { PlanNode } from "../../plan/types.js";
import { downstreamOf, scoresReadByExpressions, stagesOf } from "../../runtime/exec/stages.js";

const node = (id: string, kind: string, inputs: string[] = [], extra: Record<string, unknown> = {}): PlanNode =>
  ({ id, kind, inputs, hash: id, origin: { file: "a.hep", line: 1, column: 1, endLine: 1, endColumn: 1 }, ...extra }) as unknown as PlanNode;

// read → train → predict; a region reading the score; an evaluation in that region; a histogram of it
const NODES = [
  node("read:s", "read"),
  node("filter:presel", "filter", ["read:s"]),
  node("scale:f", "scale", ["read:s"]),
  node("train:bdt", "train", ["scale:f", "filter:presel"], { model: "bdt" }),
  node("predict:bdt", "predict", ["train:bdt", "scale:f"], { model: "bdt" }),
  node("filter:tight", "filter", ["filter:presel", "predict:bdt"]),
  node("histogram:h", "histogram", ["filter:presel"]),
  node("histogram:score", "histogram", ["filter:tight", "predict:bdt"]),
  node("evaluate:bdt@tight", "evaluate", ["predict:bdt", "filter:tight"], { model: "bdt" }),
  node("write:friend", "write", ["predict:bdt"], { format: "friend" }),
];

describe("stages", () => {
  it("fit after the data pass, score in the next, and read scores in expressions one pass later", () => {
    const stages = stagesOf(NODES);
    expect(stages.map((s) => [s.stream.map((n) => n.id), s.fit.map((n) => n.id)])).toEqual([
      [["train:bdt", "histogram:h"], ["train:bdt"]],
      [["predict:bdt", "write:friend"], []],
      // the evaluation's region reads the score, so it runs a pass later, with the scorer again first in its chain
      [["predict:bdt", "histogram:score", "evaluate:bdt@tight"], []],
    ]);
    expect([...scoresReadByExpressions(NODES)]).toEqual(["bdt"]);
  });

  it("drops what needs a node that cannot run, except a write with some input left", () => {
    const out = downstreamOf(NODES, ["train:bdt"]);
    expect([...out].sort()).toEqual(["evaluate:bdt@tight", "filter:tight", "histogram:score", "predict:bdt", "train:bdt", "write:friend"]);
    expect(stagesOf(NODES, out).map((s) => s.stream.map((n) => n.id))).toEqual([["histogram:h"]]);
  });

  it("puts what reads a working point's threshold in a pass after the evaluation that derives it", () => {
    const nodes = [
      node("read:s", "read"),
      node("filter:sr", "filter", ["read:s"]),
      node("predict:tau", "predict", ["read:s"], { model: "tau" }),
      node("evaluate:tau@sr", "evaluate", ["predict:tau", "filter:sr"], { model: "tau" }),
      // region tight = sr and tau > tau.Medium: the score inlined, the threshold from the evaluation
      node("filter:tight", "filter", ["filter:sr", "evaluate:tau@sr"]),
      node("histogram:h", "histogram", ["filter:tight"]),
      node("cutflow:c", "cutflow", ["filter:sr"]),
    ];
    expect(stagesOf(nodes).map((s) => s.stream.map((n) => n.id))).toEqual([
      ["predict:tau", "evaluate:tau@sr", "cutflow:c"],
      ["histogram:h"],
    ]);
  });
});
