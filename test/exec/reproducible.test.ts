/**
 * The same plan on the same inputs gives the same bytes: every output file of a run, ROOT files
 * included (key order, dates, UUID), whatever the thread count and whether the cache served it.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRootFile, type FileStamp } from "../../runtime/io/index.js";
import { outputStamp } from "../../runtime/exec/outputs.js";
import { copyExample, planOf } from "../helpers/examples.js";
import { haveDist, spawnCli } from "../helpers/spawn-cli.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-repro-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Four weighted samples, jagged collections, regions, split and 2-D histograms in two files. */
const ANALYSIS = `analysis repro { lumi 50 /pb seed 1 }
sample single_top { files "data/single_top.root" tree "events" class signal weight EventWeight }
sample ww { files "data/ww.root" tree "events" class background weight EventWeight xsec 118.7 pb }
sample wz { files "data/wz.root" tree "events" class background weight EventWeight }
sample zz { files "data/zz.root" tree "events" class background weight EventWeight }
object muons = Muon where pt > 10 and abs(eta) < 2.4
object jets = Jet where pt > 20 and abs(eta) < 2.4 and all(deltaR(this, muons) > 0.4)
define ht = ht(jets)
define mjj = mass(jets[0] + jets[1])
define drmin = min(deltaR(muons[0], jets))
region one_mu = count(muons) >= 1
region two_jets = one_mu and count(jets) >= 2
output {
  histogram ht in one_mu, two_jets by sample bins 50 0 .. 1000 to "out/shapes.root"
  histogram mjj in one_mu, two_jets bins 50 0 .. 1000 to "out/shapes.root"
  histogram drmin, ht as dr_ht in one_mu bins 20 0 .. 5, 20 0 .. 1000 to "out/shapes.root"
  histogram mjj as mjj_all bins 10 0 .. 1000 to "out/other.root"
  cutflow in one_mu, two_jets to "out/cutflow.json"
}
`;

function digests(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const p = path.join(e.parentPath, e.name);
    out[path.relative(dir, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
  }
  return out;
}

describe("reproducible outputs", () => {
  it.skipIf(!haveDist)("three runs of an analysis of the single-top samples with 1 and 2 threads write identical bytes", async () => {
    const dir = copyExample(tmp, "single-top");
    writeFileSync(path.join(dir, "analysis.hep"), ANALYSIS);
    const seen: Record<string, string>[] = [];
    for (const args of [["--threads", "1"], ["--threads", "2"], ["--threads", "1", "--no-cache"]]) {
      const r = await spawnCli(["run", "analysis.hep", "--quiet", ...args], dir, { SOURCE_DATE_EPOCH: "" });
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      seen.push(digests(path.join(dir, "out")));
    }
    expect(Object.keys(seen[0]).sort()).toEqual(["cutflow.json", "other.root", "other.root.json", "shapes.root", "shapes.root.json"]);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
  }, 120_000);

  it("the writer's bytes follow the calls, not the timing, once dates and UUID are given", async () => {
    const write = async (name: string, stamp?: FileStamp) => {
      const p = path.join(tmp, name);
      const f = await createRootFile(p, { stamp });
      // Contents of very different sizes: their compressions finish in a different order than asked.
      for (let i = 0; i < 40; i++) {
        const n = i % 3 === 0 ? 20_000 : 3;
        const edges = Float64Array.from({ length: n + 1 }, (_, k) => k);
        const contents = Float64Array.from({ length: n + 2 }, (_, k) => Math.sin(k * (i + 1)));
        f.histogram({ path: `r${i % 4}/h${i}`, title: `h${i}`, kind: "TH1D", edges, contents, sumw2: contents.map((c) => c * c), entries: n });
      }
      await f.close();
      return readFileSync(p);
    };
    const stamp = { date: new Date(Date.UTC(2024, 5, 1, 12, 0, 0)), uuid: new Uint8Array(16).fill(7) };
    // The same file name each time: the top directory is named after the file.
    const a = await write("a.root", stamp);
    const again = await write("a.root", stamp);
    expect(again.equals(a)).toBe(true);
    // Without a stamp, the UUID is random: two writes differ.
    const u1 = await write("u.root");
    const u2 = await write("u.root");
    expect(u1.equals(u2)).toBe(false);
  });

  it("derives the stamp from the plan hash and the output path, or SOURCE_DATE_EPOCH", async () => {
    const dir = copyExample(tmp, "zmumu");
    const plan = await planOf(path.join(dir, "analysis.hep"));
    const a = outputStamp(plan, "abc", "out/a.root", {});
    expect(outputStamp(plan, "abc", "out/a.root", {})).toEqual(a);
    expect(Buffer.from(outputStamp(plan, "abd", "out/a.root", {}).uuid!).equals(Buffer.from(a.uuid!))).toBe(false);
    expect(Buffer.from(outputStamp(plan, "abc", "out/b.root", {}).uuid!).equals(Buffer.from(a.uuid!))).toBe(false);
    expect(a.date!.getTime()).toBe(Math.max(...plan.inputs.map((i) => i.mtimeMs!)));
    expect(outputStamp(plan, "abc", "out/a.root", { SOURCE_DATE_EPOCH: "1700000000" }).date!.toISOString()).toBe("2023-11-14T22:13:20.000Z");
  });
});
