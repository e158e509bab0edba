/**
 * Friend inputs: a model's predictions written as friend trees by one analysis are read back by
 * another through `friend ... tree ...`, and give the same histograms as the scores did; entry
 * counts that disagree are named at check time (HEP2051) and at run time (HEP6040).
 */
import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { nodeHost } from "../../cli/host.js";
import { compile } from "../../compiler/compile.js";
import { execute, RunError } from "../../runtime/exec/index.js";
import { copyExample, planOf } from "../helpers/examples.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-friends-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const WRITER = `analysis pr { lumi 50 /pb seed 7 }
sample st {
  files "data/single_top.root"
  tree "events"
  class signal
}
sample ww {
  files "data/ww.root"
  tree "events"
  class background
}
object jets = Jet where pt > 30 GeV
define nj = count(jets)
features f { nj }
model bdt = gbdt(f) { trees 5 }
train bdt { }
output {
  predictions "preds" friend
  histogram bdt by sample bins 20 0 .. 1 to "out/scores.root"
  histogram nj in hi by sample bins 10 0 .. 10 to "out/scores.root"
}
region hi = bdt > 0.5
`;

const READER = (friend: string) => `analysis fr { lumi 50 /pb }
sample st {
  files "data/single_top.root"
  tree "events"
  friend "${friend}" tree "predictions"
}
object jets = Jet where pt > 30 GeV
define nj = count(jets)
region hi = bdt > 0.5
output {
  histogram bdt bins 20 0 .. 1 to "out/friend.root"
  histogram nj in hi bins 10 0 .. 10 to "out/friend.root"
}
`;

describe("friend inputs", () => {
  it("read a friend tree's branches like the sample's own, file by file, and check the entries", async () => {
    const dir = copyExample(tmp, "single-top");
    writeFileSync(path.join(dir, "writer.hep"), WRITER);
    const written = await execute(await planOf(path.join(dir, "writer.hep")), { analysisDir: dir, versions: {}, threads: 1 });
    writeFileSync(path.join(dir, "reader.hep"), READER("preds/st/*.root"));
    const plan = await planOf(path.join(dir, "reader.hep"));
    const read = plan.nodes.find((n) => n.id === "read:st");
    expect(read?.kind === "read" && read.friend).toEqual({ tree: "predictions", files: ["preds/st/single_top.root"], branches: ["bdt"] });
    const again = await execute(plan, { analysisDir: dir, versions: {}, threads: 2, chunkSize: 1000 });
    const hist = (r: typeof written, key: string) => r.result.histograms.find((h) => h.key === key)!.data;
    // the scores the writer computed for sample st, read back from the friend tree: the same bins
    expect(hist(again, "all/bdt").entries).toBe(5684);
    expect(hist(again, "all/bdt").sumw).toEqual(hist(written, "all/bdt/st").sumw);
    // a region on the friend's branch selects the same events as the writer's on its scores
    expect(hist(again, "hi/nj").entries).toBeGreaterThan(0);
    expect(hist(again, "hi/nj").sumw).toEqual(hist(written, "hi/nj/st").sumw);

    // the ww predictions have other entries: named at check time
    writeFileSync(path.join(dir, "bad.hep"), READER("preds/ww/*.root"));
    const c = await compile(path.join(dir, "bad.hep"), nodeHost(dir));
    expect(c.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(["HEP2051 friend tree 'predictions' in 'preds/ww/ww.root' has 4580 entries, but tree 'events' in 'data/single_top.root' has 5684"]);

    // a changed input is refused first (HEP6004); a plan whose inputs agree with the changed files
    // (written by hand, or by another tool) still meets the entry check of the reader
    const friendFile = path.join(dir, "preds/st/single_top.root");
    copyFileSync(path.join(dir, "preds/ww/ww.root"), friendFile);
    const refused = await execute(plan, { analysisDir: dir, versions: {}, threads: 1, cache: false }).catch((e: unknown) => e);
    expect((refused as RunError).code).toBe("HEP6004");
    const st = statSync(friendFile);
    for (const i of plan.inputs) if (i.path === "preds/st/single_top.root") Object.assign(i, { size: st.size, mtimeMs: Math.floor(st.mtimeMs) });
    const failed = await execute(plan, { analysisDir: dir, versions: {}, threads: 1, cache: false }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RunError);
    expect((failed as RunError).code).toBe("HEP6040");
    expect((failed as RunError).message).toContain("friend tree 'predictions' in preds/st/single_top.root has 4580 entries, but tree 'events' in data/single_top.root has 5684");
  });
});
