/**
 * ONNX models on the GPU: onnxruntime-node's WebGPU execution provider, chosen through
 * onnxSessionOptions("gpu"), scores a float32 network (Gemm, Relu, Gemm, Sigmoid) as the CPU
 * provider does, within 1e-5 per event. Skips without an adapter or without onnxruntime-node.
 */
import { describe, expect, it } from "vitest";
import { onnxSessionOptions } from "../../runtime/devices/index.js";
import { DataType, modelProto } from "../../runtime/models/onnx/index.js";
import { webgpuAvailable } from "../helpers/webgpu.js";
import { lcg } from "../models/mlp/data.js";

const available = await webgpuAvailable();
let ort: typeof import("onnxruntime-node") | null = null;
try {
  ort = await import("onnxruntime-node");
} catch {
  console.warn("onnxruntime-node is not installed: the ONNX WebGPU test is skipped");
}

/** F → H (relu) → 1 (sigmoid), float32, seeded weights. */
function network(F: number, H: number): Uint8Array {
  const r = lcg(3);
  const w = (n: number, s: number) => Array.from({ length: n }, () => (2 * r() - 1) * s);
  return modelProto({
    irVersion: 8,
    opsets: [{ domain: "", version: 13 }],
    producer: "hepc-test",
    producerVersion: "0",
    graph: {
      name: "mlp",
      nodes: [
        { op: "Gemm", inputs: ["x", "W1", "b1"], outputs: ["h"] },
        { op: "Relu", inputs: ["h"], outputs: ["a"] },
        { op: "Gemm", inputs: ["a", "W2", "b2"], outputs: ["z"] },
        { op: "Sigmoid", inputs: ["z"], outputs: ["score"] },
      ],
      initializers: [
        { name: "W1", dims: [F, H], type: DataType.FLOAT, values: w(F * H, Math.sqrt(6 / F)) },
        { name: "b1", dims: [H], type: DataType.FLOAT, values: w(H, 0.1) },
        { name: "W2", dims: [H, 1], type: DataType.FLOAT, values: w(H, Math.sqrt(6 / H)) },
        { name: "b2", dims: [1], type: DataType.FLOAT, values: w(1, 0.1) },
      ],
      inputs: [{ name: "x", type: DataType.FLOAT, shape: ["n", F] }],
      outputs: [{ name: "score", type: DataType.FLOAT, shape: ["n", 1] }],
    },
  });
}

describe.skipIf(!available || !ort)("ONNX on the WebGPU execution provider", () => {
  for (const [F, H] of [[5, 64], [800, 256]])
    it(`scores equal the CPU provider's within 1e-5 (${F} inputs, ${H} hidden)`, async () => {
      const { InferenceSession, Tensor } = ort!;
      const bytes = network(F, H);
      const n = 2000;
      const r = lcg(8);
      const x = Float32Array.from({ length: n * F }, () => 4 * r() - 2);
      const cpu = await InferenceSession.create(bytes, { ...onnxSessionOptions("cpu"), logSeverityLevel: 3 });
      const gpu = await InferenceSession.create(bytes, { ...onnxSessionOptions("gpu"), logSeverityLevel: 3 } as never);
      const a = (await cpu.run({ x: new Tensor("float32", x, [n, F]) })).score.data as Float32Array;
      const b = (await gpu.run({ x: new Tensor("float32", x, [n, F]) })).score.data as Float32Array;
      expect(b.length).toBe(n);
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      expect(worst).toBeLessThan(1e-5);
      // not all the same score: the comparison means something
      expect(Math.max(...a) - Math.min(...a)).toBeGreaterThan(0.1);
      await cpu.release();
      await gpu.release();
    }, 60_000);
});
