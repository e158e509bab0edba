/**
 * Classes from expressions on one sample: `classes { ... }` in a sample, `classes by ID { ... }`
 * in the train block. The training data (the dataset output) is checked row by row against the
 * conditions recomputed from the rows' own feature values; a gbdt (multiclass) and an mlp train on
 * it and are evaluated, and the output order is the block's.
 */
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { tableFromIPC } from "apache-arrow";
import { afterAll, describe, expect, it } from "vitest";
import { execute } from "../../runtime/exec/index.js";
import type { TrainNode } from "../../plan/types.js";
import { copyExample, planOf } from "../helpers/examples.js";
import { compileText, summary } from "../helpers/compile.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-classes-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const COMMON = `object muons = Muon where pt > 25 GeV
object jets = Jet where pt > 30 GeV
define nj = count(jets)
define ht = ht(jets)
region presel = count(muons) == 1
features f {
  nj
  ht normal
}
`;

async function run(name: string, text: string) {
  const dir = copyExample(tmp, "single-top");
  writeFileSync(path.join(dir, `${name}.hep`), text);
  const plan = await planOf(path.join(dir, `${name}.hep`));
  const ex = await execute(plan, { analysisDir: dir, versions: {}, threads: 1 });
  return { dir, plan, ex };
}

function dataset(file: string) {
  const t = tableFromIPC(readFileSync(file));
  const col = (n: string) => Array.from(t.getChild(n)!.toArray() as ArrayLike<number>);
  return { n: t.numRows, label: col("label"), nj: col("nj"), cls: Array.from({ length: t.numRows }, (_, i) => String(t.getChild("class")!.get(i))) };
}

describe("classes from expressions", () => {
  it("label one sample's events by conditions, first that holds, in the block's order; a gbdt trains multiclass on them", async () => {
    const { dir, plan, ex } = await run(
      "labels",
      `analysis cl { lumi 50 /pb seed 7 }
sample st {
  files "data/single_top.root"
  tree "events"
  classes { many = nj >= 4; three = nj >= 3; two = nj == 2 }
}
${COMMON}
model bdt = gbdt(f) { trees 10 }
train bdt { on presel folds 2 by entry % 2 }
evaluate bdt { in presel metrics auc }
output {
  dataset "out/train.arrow"
  histogram bdt.three in presel bins 10 0 .. 1 to "out/s.root"
}
`,
    );
    const t = plan.nodes.find((n) => n.id === "train:bdt") as TrainNode;
    expect(t.order).toEqual(["many", "three", "two"]);
    expect(t.labels?.st.map((l) => l.class)).toEqual(["many", "three", "two"]);
    const d = dataset(path.join(dir, "out/train.arrow"));
    expect(d.n).toBeGreaterThan(1000);
    // independent of the labelling code: the class each row's nj says it has (first condition that holds)
    const expected = d.nj.map((nj) => (nj >= 4 ? 0 : nj >= 3 ? 1 : nj === 2 ? 2 : -1));
    expect(expected.every((k) => k >= 0)).toBe(true); // events with fewer than 2 jets are in no class, so not here
    expect(d.label).toEqual(expected);
    expect(d.cls).toEqual(expected.map((k) => ["many", "three", "two"][k]));
    const m = ex.result.models[0];
    expect(m.classes).toEqual(["many", "three", "two"]);
    // three outputs: the histogram of one class's score is filled
    const h = ex.result.histograms.find((x) => x.key === "presel/bdt.three")!;
    expect(h.data.entries).toBeGreaterThan(0);
    expect(ex.result.evaluations).toHaveLength(1);
    // the evaluation labels events by their conditions too: each class has scored events of its own
    const ev = ex.result.evaluations[0];
    for (let c = 0; c < 3; c++) {
      const w = ev.histograms.filter((x) => x.class === c && x.sample === "test" && x.output === 0).flatMap((x) => x.sumw).reduce((a, b) => a + b, 0);
      expect(w, `class ${ev.classes[c]}`).toBeGreaterThan(0);
    }
  });

  it("take integer ids with `classes by` in the train block, for every sample without a class; an mlp trains on them", async () => {
    const { dir, plan, ex } = await run(
      "ids",
      `analysis ids { lumi 50 /pb seed 3 }
sample st {
  files "data/single_top.root"
  tree "events"
}
sample ww {
  files "data/ww.root"
  tree "events"
}
${COMMON}
define jet_bin = min(nj, 3)
model net = mlp(f) { layers [8] epochs 2 }
train net {
  on presel
  classes by jet_bin { none = 0; one = 1; two = 2; more = 3 }
}
output {
  dataset "out/train.arrow"
}
`,
    );
    const t = plan.nodes.find((n) => n.id === "train:net") as TrainNode;
    expect(t.order).toEqual(["none", "one", "two", "more"]);
    expect(Object.keys(t.labels ?? {}).sort()).toEqual(["st", "ww"]);
    const d = dataset(path.join(dir, "out/train.arrow"));
    expect(d.label).toEqual(d.nj.map((nj) => Math.min(nj, 3)));
    expect(ex.result.models[0].classes).toEqual(["none", "one", "two", "more"]);
  });

  it("report a sample with both `class` and `classes`, conditions that are not conditions, ids that are not integers or repeat", async () => {
    const c = await compileText(`analysis bad { lumi 50 /pb }
sample st {
  files "../../../examples/single-top/data/single_top.root"
  tree "events"
  class signal
  classes { a = nEvents; b = true }
}
sample ww {
  files "../../../examples/single-top/data/ww.root"
  tree "events"
  classes by NJet { a = 0; b = 0; c = 1.5 }
}
features f { NJet }
model m = gbdt(f)
train m { }
`);
    expect(summary(c).filter((x) => !x.startsWith("HEP2003"))).toEqual(["HEP4070@6:3", "HEP2001@6:17", "HEP4071@11:32", "HEP3001@11:39"]);
  });
});
