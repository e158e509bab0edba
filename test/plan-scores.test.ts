/**
 * Plans of model scores and training outputs: the ExprIR `score` (its output index in the class
 * order), the predict node among the inputs of whatever uses a score, content hashes that follow
 * the model (and not its name), and the write nodes of `dataset` and `onnx`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { nodeHost } from "../cli/host.js";
import { compilePlan } from "../compiler/compile.js";
import { classOrder } from "../plan/classes.js";
import type { ExprIR, Plan, PlanNode } from "../plan/types.js";
import { validatePlan } from "../plan/validate.js";
import { copyExample } from "./helpers/examples.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-plan-scores-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SAMPLES = (third = "background") => `analysis scores { lumi 50 /pb seed 7 }
sample single_top { files "data/single_top.root" tree "events" class signal weight EventWeight }
sample ww { files "data/ww.root" tree "events" class background weight EventWeight }
sample zz { files "data/zz.root" tree "events" class ${third} weight EventWeight }
region presel = NJet >= 1
features kin { NJet NMuon }
`;

const BINARY = (opts: { trees?: number; name?: string; binsHigh?: number } = {}) => {
  const m = opts.name ?? "bdt";
  return `${SAMPLES()}
model ${m} = gbdt(kin) { trees ${opts.trees ?? 20} }
train ${m} { on presel folds 2 by entry % 2 }
define shifted = ${m} - 0.5
region tight = presel and ${m} > 0.8
features second { NJet shifted }
model nn = gbdt(second) { trees 5 }
train nn { on tight }
evaluate nn { in presel bins ${m} 4 0 .. 1 metrics auc }
output {
  histogram ${m} as score in presel, tight bins 20 0 .. ${opts.binsHigh ?? 1} to "out/scores.root"
  histogram NJet in presel bins 10 0 .. 10 to "out/njet.root"
  dataset ${m} "out/train.arrow"
  onnx ${m} "out/bdt.onnx"
}
`;
};

/** One copy of the example for all: a copy's files have their own modification times, which hashes cover. */
let dir: string | undefined;
let count = 0;
async function planOf(text: string): Promise<Plan> {
  dir ??= copyExample(tmp, "single-top");
  const file = path.join(dir, `scores-${count++}.hep`);
  writeFileSync(file, text);
  const c = await compilePlan(file, nodeHost(dir));
  expect(c.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`)).toEqual([]);
  expect(validatePlan(c.plan)).toEqual({ ok: true });
  return c.plan!;
}

const node = (p: Plan, id: string): PlanNode => {
  const n = p.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`no node ${id}`);
  return n;
};

function scoresIn(e: ExprIR, out: Array<Extract<ExprIR, { op: "score" }>> = []) {
  if (e.op === "score") out.push(e);
  if ("args" in e) for (const a of e.args) scoresIn(a, out);
  return out;
}

describe("model scores in the plan", () => {
  it("are score expressions, and the nodes using them read the model's predict node", async () => {
    const p = await planOf(BINARY());
    const tight = node(p, "filter:tight") as Extract<PlanNode, { kind: "filter" }>;
    expect(scoresIn(tight.expr)).toEqual([{ op: "score", type: "float", model: "bdt", output: 0 }]);
    expect(tight.inputs).toContain("predict:bdt");
    expect(node(p, "define:shifted").inputs).toContain("predict:bdt");
    expect(node(p, "histogram:out/scores.root/score").inputs).toContain("predict:bdt");
    // a score in another model's features: that model's training reads the first model's predictions
    expect(node(p, "scale:second").inputs).toEqual(["define:shifted"]);
    const evaluation = node(p, "evaluate:nn@presel") as Extract<PlanNode, { kind: "evaluate" }>;
    expect(scoresIn(evaluation.bins[0].expr)).toHaveLength(1);
    expect(evaluation.inputs).toContain("predict:bdt");
    // no branch is read for a score
    expect((node(p, "read:ww") as Extract<PlanNode, { kind: "read" }>).branches).toEqual(["EventWeight", "NJet", "NMuon"]);
  });

  it("hash what the model learns from, not its name", async () => {
    const base = await planOf(BINARY());
    const retrained = await planOf(BINARY({ trees: 21 }));
    const renamed = await planOf(BINARY({ name: "classifier" }));
    const other = await planOf(BINARY({ binsHigh: 2 }));
    const h = (p: Plan, id: string) => node(p, id).hash;
    // another hyperparameter: everything downstream of the scores changes
    for (const id of ["filter:tight", "define:shifted", "histogram:out/scores.root/score", "train:nn"]) expect(h(retrained, id), id).not.toBe(h(base, id));
    expect(h(retrained, "histogram:out/njet.root/NJet")).toBe(h(base, "histogram:out/njet.root/NJet"));
    // the model renamed everywhere: the same hashes
    for (const id of ["filter:tight", "define:shifted", "train:nn", "write:out/train.arrow", "write:out/bdt.onnx"]) expect(h(renamed, id), id).toBe(h(base, id));
    // a histogram's binning changed: the model and what uses its score elsewhere do not move
    expect(h(other, "filter:tight")).toBe(h(base, "filter:tight"));
    expect(h(other, "histogram:out/scores.root/score")).not.toBe(h(base, "histogram:out/scores.root/score"));
  });

  it("number a multiclass model's classes by name with signal last", async () => {
    expect(classOrder(["signal", "ww", "background", "diboson", "ww"])).toEqual(["background", "diboson", "ww", "signal"]);
    expect(classOrder(["b", "a"])).toEqual(["a", "b"]);
    const p = await planOf(`${SAMPLES("diboson")}
model bdt = gbdt(kin)
train bdt { on presel }
region sig = presel and bdt.signal > 0.5 and bdt.background < 0.3
define dib = bdt.diboson
output { histogram dib in sig bins 10 0 .. 1 to "out/h.root" }
`);
    const sig = node(p, "filter:sig") as Extract<PlanNode, { kind: "filter" }>;
    expect(scoresIn(sig.expr).map((s) => [s.model, s.output])).toEqual([["bdt", 2], ["bdt", 0]]);
    const dib = node(p, "define:dib") as Extract<PlanNode, { kind: "define" }>;
    expect(dib.expr).toEqual({ op: "score", type: "float", model: "bdt", output: 1 });
    expect(dib.type).toBe("float");
  });
});

describe("training outputs in the plan", () => {
  it("write the training data (arrow) and the exported model (onnx) from the train node", async () => {
    const p = await planOf(BINARY());
    expect(node(p, "write:out/train.arrow")).toMatchObject({ kind: "write", format: "arrow", path: "out/train.arrow", inputs: ["train:bdt"] });
    expect(node(p, "write:out/bdt.onnx")).toMatchObject({ kind: "write", format: "onnx", path: "out/bdt.onnx", inputs: ["train:bdt"] });
  });

  it("take the one trained model when the dataset names none (an untrained one does not count)", async () => {
    const p = await planOf(`${SAMPLES()}
model only = gbdt(kin)
model spare = gbdt(kin)
train only { on presel }
output { dataset "out/train.arrow" }
`);
    expect(node(p, "write:out/train.arrow").inputs).toEqual(["train:only"]);
  });
});
