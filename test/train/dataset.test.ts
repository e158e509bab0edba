/**
 * The Arrow dataset: written whole, read back with apache-arrow column by column; and opened by
 * pyarrow where python3 has it (optional: skipped when it is not installed).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { tableFromIPC } from "apache-arrow";
import { afterAll, describe, expect, it } from "vitest";
import { datasetBytes, prepareTraining, writeDataset } from "../../runtime/train/index.js";
import { folds, rows, scaleSpec, trainSpec } from "./make.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-dataset-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function prepared() {
  const data = [
    rows({ sample: "sig", class: "signal", entry: [0, 1, 2, 3], features: [[1.5, 2.5, NaN, 4.5], [10, 20, 30, 40]], weight: [1, 1, 1, 1], fold: [0, 1, 0, 1], test: [0, 0, 1, 0] }),
    rows({ sample: "bkg", class: "background", entry: [5, 6, 7000000000], features: [[-1, -2, -3], [1, 2, 3]], weight: [2, 2, 2], fold: [1, 0, 1], test: [0, 0, 0] }),
  ];
  const out = prepareTraining(data, trainSpec({ folds: folds(2), balance: "classes", test: { expr: { op: "const", type: "bool", value: true } } }), scaleSpec([["mu_pt", { kind: "log" }], ["ht", { kind: "normal" }]]));
  expect(out.problems).toEqual([]);
  return out.value!;
}

describe("output dataset", () => {
  it("gives the same bytes every time, also written twice by one process (reproduced runs compare them)", async () => {
    const p = prepared();
    const a = (await datasetBytes(p.dataset)).value!;
    const b = (await datasetBytes(prepared().dataset)).value!;
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
  });

  it("writes the unscaled features and the bookkeeping columns as Arrow IPC", async () => {
    const p = prepared();
    const file = path.join(tmp, "out", "train.arrow");
    const w = await writeDataset(file, p.dataset);
    expect(w.problems).toEqual([]);
    expect(readdirSync(path.dirname(file))).toEqual(["train.arrow"]);
    const t = tableFromIPC(readFileSync(file));
    expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      "mu_pt:Float64",
      "ht:Float64",
      "label:Int32",
      "class:Dictionary<Int32, Utf8>",
      "weight:Float64",
      "fold:Int32",
      "sample:Dictionary<Int32, Utf8>",
      "entry:Int64",
      "test:Bool",
      "validation:Bool",
    ]);
    expect(t.numRows).toBe(7);
    const col = (n: string) => Array.from(t.getChild(n)!.toArray() as ArrayLike<unknown>);
    // Rows in class order: background (label 0), then signal, which always goes last (label 1).
    expect(col("mu_pt")).toEqual([-1, -2, -3, 1.5, 2.5, NaN, 4.5]);
    expect(col("label")).toEqual([0, 0, 0, 1, 1, 1, 1]);
    expect(col("class")).toEqual(["background", "background", "background", "signal", "signal", "signal", "signal"]);
    expect(col("sample")).toEqual(["bkg", "bkg", "bkg", "sig", "sig", "sig", "sig"]);
    expect(col("entry")).toEqual([5n, 6n, 7000000000n, 0n, 1n, 2n, 3n]);
    expect(col("fold")).toEqual([1, 0, 1, 0, 1, 0, 1]);
    expect(col("test")).toEqual([false, false, false, false, false, true, false]);
    // Balanced over the 6 training events (3 per class): signal 1 each, background 1 each; the
    // test event gets the weight the same fit gives it.
    expect(col("weight")).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });

  it("refuses a feature named like a bookkeeping column", async () => {
    const p = prepared();
    const out = await datasetBytes({ ...p.dataset, featureNames: ["weight", "ht"] });
    expect(out.value).toBeNull();
    expect(out.problems[0].message).toMatch(/feature 'weight' has the name of a column the dataset writes itself/);
  });

  const python = spawnSync("python3", ["-c", "import pyarrow"], { encoding: "utf8" });
  it.skipIf(python.status !== 0)("opens in pyarrow", async () => {
    const file = path.join(tmp, "py.arrow");
    await writeDataset(file, prepared().dataset);
    expect(existsSync(file)).toBe(true);
    const script = "import sys, pyarrow.ipc as ipc\nt = ipc.open_file(sys.argv[1]).read_all()\nprint(t.num_rows, ','.join(t.column_names), t.column('entry').to_pylist()[-1], t.column('class').to_pylist()[0])";
    const r = spawnSync("python3", ["-c", script, file], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("7 mu_pt,ht,label,class,weight,fold,sample,entry,test,validation 3 background");
  });
});
