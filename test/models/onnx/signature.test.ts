/**
 * plan/onnx.ts reads an ONNX model's signature (opsets, inputs without initializers, outputs with
 * element types and shapes) from the bytes of models PyTorch wrote, and refuses broken files
 * with a reason; its reading agrees with what onnxruntime itself reports of the same files.
 */
import { readFileSync } from "node:fs";
import { InferenceSession } from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { readOnnxSignature, unsupportedOpsets } from "../../../plan/onnx.js";
import { repoPath } from "../../helpers/repo.js";

const fixture = (f: string) => readFileSync(repoPath("test/fixtures/onnx", f));

describe("ONNX signatures", () => {
  it("reads PyTorch's exports as onnxruntime sees them", async () => {
    for (const f of ["torch_model.onnx", "torch_two_inputs.onnx", "int64_input.onnx"]) {
      const bytes = fixture(f);
      const read = readOnnxSignature(bytes);
      if (!("signature" in read)) throw new Error(read.error);
      const s = await InferenceSession.create(bytes);
      const types: Record<string, number> = { float32: 1, int64: 7, float64: 11 };
      const asOrt = (v: { name: string; elem: number; shape: unknown }) => ({ name: v.name, type: v.elem, shape: v.shape });
      expect(read.signature.inputs.map(asOrt)).toEqual(s.inputMetadata.map((m) => ({ name: m.name, type: m.isTensor ? types[m.type] : -1, shape: m.isTensor ? m.shape : null })));
      expect(read.signature.outputs.map(asOrt)).toEqual(s.outputMetadata.map((m) => ({ name: m.name, type: m.isTensor ? types[m.type] : -1, shape: m.isTensor ? m.shape : null })));
      await s.release();
    }
    const torch = readOnnxSignature(fixture("torch_model.onnx"));
    expect("signature" in torch && torch.signature.opsets).toEqual([{ domain: "", version: 13 }]);
    expect("signature" in torch && torch.signature.inputs.map((i) => [i.name, i.shape])).toEqual([["features", ["batch", 5]]]);
  });

  it("names what it cannot read or run", () => {
    expect(readOnnxSignature(fixture("damaged.onnx"))).toEqual({ error: "a field at byte 6 runs past the end of its message (truncated file?)" });
    expect(readOnnxSignature(Uint8Array.from([0x08, 0x08]))).toEqual({ error: "it has no graph" });
    const s = readOnnxSignature(fixture("new_opset.onnx"));
    expect("signature" in s && unsupportedOpsets(s.signature)).toEqual(["ai.onnx opset 30"]);
  });
});
