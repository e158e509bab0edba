/**
 * The real case: a network trained with PyTorch on the single-top example's preselected events,
 * exported to ONNX (test/fixtures/onnx/make_torch_model.py says how), run by `hepc run`. Every
 * preselected event's score in the friend trees, on the CPU and with --device gpu (onnxruntime's
 * WebGPU provider), agrees with PyTorch's own (torch_scores.csv) to
 * 1e-5, and the same network fed as two inputs and read through its second output agrees too.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openRoot } from "../../runtime/io/index.js";
import { runCli } from "../helpers/cli-io.js";
import { copyExample } from "../helpers/examples.js";
import { repoPath } from "../helpers/repo.js";
import { webgpuAvailable } from "../helpers/webgpu.js";
import { haveDist, spawnCliToFiles } from "../helpers/spawn-cli.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-onnx-torch-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const fixture = (f: string) => repoPath("test/fixtures/onnx", f);

const gpu = await webgpuAvailable();

describe("a PyTorch network exported to ONNX, run by hepc", () => {
  it("gives PyTorch's score on every preselected event (≤ 1e-5), through one input or two", async () => {
    await compareWithTorch((argv, dir) => runCli(argv, dir), []);
  });

  // onnxruntime's WebGPU execution provider (on lavapipe where there is no GPU), in a process of its
  // own writing to files, so that what its native code writes to stderr is seen
  it.skipIf(!gpu || !haveDist)("on the GPU (--device gpu), the same scores within 1e-5, and the driver's noise kept off the terminal", async () => {
    const err = await compareWithTorch((argv, dir) => spawnCliToFiles(argv, dir), ["--device", "gpu"]);
    expect(err).not.toMatch(/artificially reduced/);
  }, 180_000);
});

/** Runs torch.hep (with `extra` arguments) and compares every preselected event's scores with PyTorch's; returns stderr. */
async function compareWithTorch(cli: (argv: string[], dir: string) => Promise<{ code: number | null; err: string }>, extra: string[]): Promise<string> {
  {
    const dir = copyExample(tmp, "single-top");
    for (const f of ["torch_model.onnx", "torch_two_inputs.onnx"]) copyFileSync(fixture(f), path.join(dir, f));
    writeFileSync(path.join(dir, "torch.hep"), readFileSync(fixture("torch.hep"), "utf8").replaceAll("../../../examples/single-top/data/", "data/"));
    const r = await cli(["run", "torch.hep", ...extra], dir);
    expect(r.err.split("\n").filter((l) => /error\[/.test(l))).toEqual([]);
    expect(r.code).toBe(0);

    const want = new Map<string, number>();
    for (const line of readFileSync(fixture("torch_scores.csv"), "utf8").trim().split("\n").slice(1)) {
      const [sample, entry, score] = line.split(",");
      want.set(`${sample}:${entry}`, Number(score));
    }
    expect(want.size).toBe(5152);
    let compared = 0;
    let worst = 0;
    let worstTwo = 0;
    for (const sample of ["single_top", "ww", "wz", "zz"]) {
      const f = await openRoot(path.join(dir, "out/pred", sample, `${sample}.root`));
      const cols = await f.read("predictions", ["entry", "torch", "torch2"]);
      await f.close();
      const [entry, torch, torch2] = ["entry", "torch", "torch2"].map((b) => cols.get(b)!.values);
      for (let i = 0; i < entry.length; i++) {
        // outside the preselection a missing input (no muon) makes both NaN
        if (!(Number.isNaN(torch[i]) && Number.isNaN(torch2[i]))) worstTwo = Math.max(worstTwo, Math.abs(torch[i] - torch2[i]));
        const w = want.get(`${sample}:${entry[i]}`);
        if (w === undefined) continue; // not preselected: PyTorch never saw it
        worst = Math.max(worst, Math.abs(torch[i] - w));
        compared++;
      }
    }
    expect(compared).toBe(5152);
    expect(worst).toBeLessThanOrEqual(1e-5);
    expect(worstTwo).toBeLessThanOrEqual(1e-5);
    return r.err;
  }
}
