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
}
`;

function run(dir: string, ...args: string[]): { code: number; out: string; err: string; summary: Record<string, any> } {
  const r = spawnSync(process.execPath, [CLI, "run", "analysis.hep", ...args], { cwd: dir, encoding: "utf8" });
  const runs = path.join(dir, ".hepc/runs");
  const last = existsSync(runs) ? readdirSync(runs).sort().at(-1) : undefined;
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
