/**
 * onnxruntime-node's session options for a device: its WebGPU execution provider (built into the
 * linux-x64, macOS and Windows libraries of onnxruntime-node 1.30) on `gpu`, the CPU provider
 * otherwise. The ONNX model runtime (runtime/models/onnx) passes these to InferenceSession.create;
 * the choice of provider is all that differs between devices.
 */
import type { DeviceUse } from "./choose.js";

export interface OnnxSessionOptions {
  executionProviders: string[];
  /** The CPU provider's intra-op threads (onnxruntime's default is one per core). */
  intraOpNumThreads?: number;
}

export function onnxSessionOptions(device: DeviceUse | "cpu" | "gpu"): OnnxSessionOptions {
  const gpu = device === "gpu" || (typeof device === "object" && device.kind === "gpu");
  // the CPU provider stays as a fallback for operators the WebGPU provider lacks
  return { executionProviders: gpu ? ["webgpu", "cpu"] : ["cpu"] };
}
