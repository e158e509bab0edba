/**
 * The cheap check that a file named in onnx(...) is an ONNX model, on a real model (one that
 * onnxruntime loads: test/cases/check/model.onnx) and on files that are not.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { notOnnxReason, ONNX_HEAD_BYTES } from "../../compiler/check/rules/onnx-file.js";
import { memoryHost } from "../helpers/hosts.js";
import { compileText } from "../helpers/compile.js";
import { REPO_ROOT, repoPath } from "../helpers/repo.js";
import { nodeHost } from "../../cli/host.js";

const model = readFileSync(repoPath("test/cases/check/model.onnx"));
const head = (b: Uint8Array) => b.subarray(0, ONNX_HEAD_BYTES);

describe("ONNX header check", () => {
  it("accepts a real model, whole or from its first bytes", () => {
    expect(notOnnxReason(head(model), model.length)).toBeUndefined();
    expect(notOnnxReason(model.subarray(0, 5), model.length)).toBeUndefined();
  });

  it("refuses a truncated model: a field runs past the end of the file", () => {
    const cut = model.subarray(0, 40);
    expect(notOnnxReason(cut, cut.length)).toMatch(/runs past the end of the file/);
  });

  it("refuses files of other formats", () => {
    const root = readFileSync(repoPath("examples/zmumu/data/uproot-Zmumu.root"));
    for (const bytes of [
      root,
      Buffer.from('{"format": "keras"}'),
      Buffer.from("PK\x03\x04 a zip archive, as torch.save writes"),
      Buffer.from("\x89HDF\r\n\x1a\n an HDF5 file"),
      Buffer.from("model.onnx\n"),
    ]) {
      expect(notOnnxReason(head(bytes), bytes.length), bytes.subarray(0, 8).toString()).toBeDefined();
    }
    expect(notOnnxReason(new Uint8Array(0), 0)).toBe("the file is empty");
  });

  it("goes through the compiler host: a model held only by the host is found and checked", async () => {
    const text = (p: string) => `analysis t { lumi 50 /pb }
sample st { files "../../../examples/single-top/data/single_top.root" tree "events" class signal }
define ht = sum(Jet.Px)
model m = onnx("${p}") { inputs [ht] }
region r = NJet > 0
evaluate m { in r metrics auc }
`;
    const host = memoryHost({
      cwd: REPO_ROOT,
      fallback: nodeHost(REPO_ROOT),
      files: [
        [repoPath("test/cases/check/in-memory.onnx"), model],
        [repoPath("test/cases/check/in-memory.txt"), "not a model"],
      ],
    });
    const codes = async (p: string) => (await compileText(text(p), { host })).diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);
    expect(await codes("in-memory.onnx")).toEqual([]);
    expect(await codes("in-memory.txt")).toEqual([expect.stringMatching(/^HEP2031 'test\/cases\/check\/in-memory.txt' is not an ONNX model/)]);
    expect(await codes("nowhere.onnx")).toEqual(["HEP2030 cannot read the ONNX model 'test/cases/check/nowhere.onnx': no such file"]);
  });
});
