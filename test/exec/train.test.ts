/**
 * Training end to end through `hepc run`: gbdt models trained per fold on the example's samples,
 * entry-aligned friend trees of out-of-fold scores, the model cache (a histogram edit does not
 * retrain; a changed hyperparameter retrains that model only), and the same bytes for any thread
 * count and chunk size. The real CLI runs as a process so that worker threads (chunks and
 * histogram sums) run compiled code from dist/, as users run it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openRoot } from "../../runtime/io/index.js";
import { copyExample } from "../helpers/examples.js";
import { repoPath } from "../helpers/repo.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-train-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const CLI = repoPath("cli/bin/hepc.js");
const haveDist = existsSync(repoPath("dist/cli/main.js"));

/** Two gbdt models on the single-top samples, small enough to train in a second. */
const ANALYSIS = (trees: { a: number; b: number }, htBins = 20) => `analysis st { lumi 50 /pb seed 7 }
sample single_top { files "data/single_top.root" tree "events" class signal weight EventWeight }
sample ww { files "data/ww.root" tree "events" class background weight EventWeight }
sample wz { files "data/wz.root" tree "events" class background weight EventWeight }
object muons = Muon where pt > 25 GeV and abs(eta) < 2.1
object jets = Jet where pt > 30 GeV and abs(eta) < 2.4
define ht = ht(jets)
define met = hypot(MET_px, MET_py)
region presel = count(muons) == 1 and count(jets) >= 2
region tight = presel and a > 0.5
features f {
  ht normal
  met log
  count(jets) as njets categorical
  muons[0].pt as mu_pt
}
model a = gbdt(f) { trees ${trees.a} depth 3 }
model b = gbdt(f) { trees ${trees.b} depth 2 learning_rate 0.3 }
train a, b {
  on presel
  folds 3 by entry % 3
  balance classes
}
output {
  predictions "out/pred" friend keyed entry
  histogram ht in presel bins ${htBins} 0 .. 1000 to "out/h.root"
  histogram a in presel bins 10 0 .. 1 to "out/s.root"
  cutflow in presel, tight to "out/cutflow.json"
  dataset a "out/a.arrow"
  onnx a "out/a.onnx"
}
`;

function run(dir: string, ...args: string[]): { code: number; out: string; err: string; summary: Record<string, any> } {
  const runs = path.join(dir, ".hepc/runs");
  const before = new Set(existsSync(runs) ? readdirSync(runs) : []);
  const r = spawnSync(process.execPath, [CLI, "run", "analysis.hep", ...args], { cwd: dir, encoding: "utf8" });
  // this run's directory: names sort by second, then plan hash, so two runs in one second may not sort by time
  const last = existsSync(runs) ? readdirSync(runs).find((d) => !before.has(d)) : undefined;
  const summary = last ? JSON.parse(readFileSync(path.join(runs, last, "summary.json"), "utf8")) : {};
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr, summary };
}

function setUp(trees = { a: 20, b: 15 }): string {
  const dir = copyExample(tmp, "single-top");
  writeFileSync(path.join(dir, "analysis.hep"), ANALYSIS(trees));
  return dir;
}

async function treeValues(file: string, tree: string, branches: string[]): Promise<Map<string, number[]>> {
  const f = await openRoot(file);
  try {
    const cols = await f.read(tree, branches);
    return new Map(branches.map((b) => [b, Array.from(cols.get(b)!.values as ArrayLike<number | bigint>, Number)]));
  } finally {
    await f.close();
  }
}

async function entriesOf(file: string, tree: string): Promise<number> {
  const f = await openRoot(file);
  try {
    return (await f.tree(tree)).entries;
  } finally {
    await f.close();
  }
}

describe.skipIf(!haveDist)("training through hepc run", () => {
  it("exports each model as ONNX that onnxruntime runs: every training event's out-of-fold score is its fold's model's, to 1e-6", async () => {
    const dir = setUp();
    const r = run(dir);
    expect(r.code).toBe(0);
    const { tableFromIPC } = await import("apache-arrow");
    const table = tableFromIPC(readFileSync(path.join(dir, "out/a.arrow")));
    const features = ["ht", "met", "njets", "mu_pt"];
    const n = table.numRows;
    expect(n).toBeGreaterThan(1000);
    const x = new Float64Array(n * features.length);
    features.forEach((f, j) => {
      const col = table.getChild(f)!.toArray() as Float64Array;
      for (let i = 0; i < n; i++) x[i * features.length + j] = col[i];
    });
    const ort = await import("onnxruntime-node");
    const session = await ort.InferenceSession.create(path.join(dir, "out/a.onnx"));
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor("float64", x, [n, features.length]) });
    const foldScore = (k: number) => out[`score_fold${k}`].data as Float64Array | Float32Array;
    const fold = table.getChild("fold")!.toArray() as Int32Array;
    const sample = table.getChild("sample")!.toArray() as string[];
    const entry = Array.from(table.getChild("entry")!.toArray() as BigInt64Array, Number);
    const test = table.getChild("test")!.toArray() as Uint8Array;
    const friend = new Map<string, number[]>();
    for (const s of ["single_top", "ww", "wz"]) friend.set(s, (await treeValues(path.join(dir, "out/pred", s, `${s}.root`), "predictions", ["a"])).get("a")!);
    let compared = 0;
    for (let i = 0; i < n; i++) {
      if (test[i]) continue;
      const hepc = friend.get(String(sample[i]))![entry[i]];
      expect(Math.abs(hepc - foldScore(fold[i])[i])).toBeLessThan(1e-6);
      compared++;
    }
    expect(compared).toBe(n);
    // and a different fold's model gives a different score: the friend tree really holds the out-of-fold one
    let differ = 0;
    for (let i = 0; i < n; i++) if (Math.abs(friend.get(String(sample[i]))![entry[i]] - foldScore((fold[i] + 1) % 3)[i]) > 1e-6) differ++;
    expect(differ).toBeGreaterThan(n / 2);

    // Scores in expressions (a later pass reads them as kernel inputs): the region `tight` and the
    // histogram of `a` in presel agree with the friend trees' scores over the presel events (the
    // dataset's rows are exactly those).
    const cutflow = JSON.parse(readFileSync(path.join(dir, "out/cutflow.json"), "utf8")).cutflows[0];
    const hist = JSON.parse(readFileSync(path.join(dir, "out/s.root.json"), "utf8")).histograms;
    for (const s of ["single_top", "ww", "wz"]) {
      const rows = Array.from({ length: n }, (_, i) => i).filter((i) => String(sample[i]) === s);
      const scores = rows.map((i) => friend.get(s)![entry[i]]);
      expect(cutflow.samples.find((c: any) => c.sample === s).regions.presel.raw).toBe(rows.length);
      expect(cutflow.samples.find((c: any) => c.sample === s).regions.tight.raw).toBe(scores.filter((v) => v > 0.5).length);
    }
    const all = Array.from({ length: n }, (_, i) => friend.get(String(sample[i]))![entry[i]]);
    const counts = new Array(12).fill(0);
    for (const v of all) counts[v >= 1 ? 11 : Math.floor(v * 10) + 1]++;
    const h = hist.find((x: any) => x.key === "presel/a");
    expect(h.entries).toBe(n);
    // weighted by the events' weights (all positive here): a bin holds weight exactly where it holds events
    expect(h.sumw.map((w: number) => w > 0)).toEqual(counts.map((c) => c > 0));
  });

  it("trains each gbdt per fold and writes entry-aligned friend trees of scores for every input file", async () => {
    const dir = setUp();
    const r = run(dir);
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.summary.models.map((m: any) => [m.model, m.kind, m.folds, m.cached])).toEqual([
      ["a", "gbdt", 3, false],
      ["b", "gbdt", 3, false],
    ]);
    // feature importance by the features' names, every feature used by some split
    expect(Object.keys(r.summary.models[0].importance).sort()).toEqual(["ht", "met", "mu_pt", "njets"]);
    for (const sample of ["single_top", "ww", "wz"]) {
      const friend = path.join(dir, "out/pred", sample, `${sample}.root`);
      const n = await entriesOf(path.join(dir, "data", `${sample}.root`), "events");
      expect(await entriesOf(friend, "predictions")).toBe(n);
      const v = await treeValues(friend, "predictions", ["entry", "a", "b"]);
      expect(v.get("entry")).toEqual(Array.from({ length: n }, (_, i) => i));
      for (const m of ["a", "b"]) for (const s of v.get(m)!) expect(s >= 0 && s <= 1).toBe(true);
    }
    // the signal scores higher than the background on average: the model learnt something
    const mean = async (s: string) => {
      const xs = (await treeValues(path.join(dir, "out/pred", s, `${s}.root`), "predictions", ["a"])).get("a")!;
      return xs.reduce((x, y) => x + y, 0) / xs.length;
    };
    expect(await mean("single_top")).toBeGreaterThan((await mean("ww")) + 0.1);
  });

  it("takes models from the cache after a histogram edit, and retrains only the model whose options changed", () => {
    const dir = setUp();
    expect(run(dir).code).toBe(0);
    writeFileSync(path.join(dir, "analysis.hep"), ANALYSIS({ a: 20, b: 15 }, 40));
    const edited = run(dir);
    expect(edited.code).toBe(0);
    expect(edited.summary.models.map((m: any) => m.cached)).toEqual([true, true]);
    writeFileSync(path.join(dir, "analysis.hep"), ANALYSIS({ a: 20, b: 25 }, 40));
    const changed = run(dir);
    expect(changed.code).toBe(0);
    expect(changed.summary.models.map((m: any) => [m.model, m.cached])).toEqual([
      ["a", true],
      ["b", false],
    ]);
  });

  it("gives the same model bytes and the same scores for 1 and 2 threads and any chunk size", async () => {
    const one = setUp();
    const two = setUp();
    expect(run(one, "--threads", "1", "--no-cache").code).toBe(0);
    expect(run(two, "--threads", "2", "--chunk-size", "997").code).toBe(0);
    // the model cache is only written with the cache on: compare the runs' friend trees, and the
    // cached models of a third run with the cache on and one thread
    for (const sample of ["single_top", "ww", "wz"]) {
      const values = (d: string) => treeValues(path.join(d, "out/pred", sample, `${sample}.root`), "predictions", ["entry", "a", "b"]);
      expect(await values(one)).toEqual(await values(two));
    }
    const three = setUp();
    expect(run(three, "--threads", "1", "--chunk-size", "5000").code).toBe(0);
    // keyed by the train node's hash, which covers the input files' identity (their modification
    // times differ between the copies): the models themselves must be the same bytes
    const models = (d: string) =>
      readdirSync(path.join(d, ".hepc/cache/models"))
        .map((f) => readFileSync(path.join(d, ".hepc/cache/models", f), "utf8").replace(/"hash": "[0-9a-f]{64}"/, ""))
        .sort();
    expect(models(three)).toEqual(models(two));
  });
});
