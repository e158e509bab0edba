/**
 * Sequence inputs: the jets of examples/nanoaod's file as a padded, sorted, truncated sequence with
 * its mask, fed to a PyTorch network exported to ONNX (test/fixtures/onnx/seq/make_seq_model.py,
 * which builds the sequences itself from the file's unsorted jets). Every event's score agrees
 * with PyTorch's own to 1e-5, through the [N, F, L] layout with a [N, 1, L] mask and through the
 * [N, L, F] one with a [N, L] mask (the layout read from each model's declared input shape).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openRoot } from "../../runtime/io/index.js";
import { runCli } from "../helpers/cli-io.js";
import { copyExample } from "../helpers/examples.js";
import { repoPath } from "../helpers/repo.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-onnx-seq-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const fixture = (f: string) => repoPath("test/fixtures/onnx/seq", f);

describe("a sequence features list fed to an ONNX network", () => {
  it("gives PyTorch's score on every event (≤ 1e-5), features-first and length-first", async () => {
    const dir = copyExample(tmp, "nanoaod");
    for (const f of ["seq_fl.onnx", "seq_lf.onnx"]) copyFileSync(fixture(f), path.join(dir, f));
    writeFileSync(path.join(dir, "seq.hep"), readFileSync(fixture("seq.hep"), "utf8").replaceAll("../../../../examples/nanoaod/data/", "data/"));
    const r = await runCli(["run", "seq.hep"], dir);
    expect(r.err.split("\n").filter((l) => /error\[/.test(l))).toEqual([]);
    expect(r.code).toBe(0);

    const rows = readFileSync(fixture("seq_scores.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
    const want = new Map(rows.map(([entry, score]) => [entry, score]));
    expect(want.size).toBe(200);
    // the sample has events without jets (all padding), and events with more jets than the length
    expect(rows.some((r) => r[2] === 0)).toBe(true);
    expect(rows.filter((r) => r[2] === 6).length).toBeGreaterThan(0);

    const f = await openRoot(path.join(dir, "out/pred/ttbar/nanoAOD_2015_CMS_Open_Data_ttbar.root"));
    const cols = await f.read("predictions", ["entry", "fl", "lf"]);
    await f.close();
    const [entry, fl, lf] = ["entry", "fl", "lf"].map((b) => cols.get(b)!.values);
    expect(entry.length).toBe(200);
    let worstFl = 0;
    let worstLf = 0;
    for (let i = 0; i < entry.length; i++) {
      const w = want.get(Number(entry[i]))!;
      worstFl = Math.max(worstFl, Math.abs(fl[i] - w));
      worstLf = Math.max(worstLf, Math.abs(lf[i] - w));
    }
    expect(worstFl).toBeLessThanOrEqual(1e-5);
    expect(worstLf).toBeLessThanOrEqual(1e-5);
  });
});
