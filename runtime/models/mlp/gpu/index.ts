/**
 * The mlp on a WebGPU device, with hepc's own WGSL kernels (wgsl.ts): tiled matrix products with
 * the bias and activation fused into the forward pass and the activation's derivative into the
 * backward one, column sums as workgroup trees (no float atomics), Adam or SGD over all parameters
 * in one dispatch. In: a network initialised as on the CPU, the fold's parts, an open device
 * (runtime/devices). Out: the trained network, its curves and kept epoch, as the CPU trainer
 * gives them; and a scorer.
 *
 * Must not import runtime/exec or the compiler.
 */
export { trainOnGpu, bindingLimitOf, type GpuTrainOptions } from "./train.js";
export { GpuScorer } from "./score.js";
export { layoutOf, packNetwork } from "./layout.js";
export { Engine } from "./engine.js";
export { forwardPass, backwardPass, batchBuffers } from "./passes.js";
export { batchGradients, type BatchGradients } from "./probe.js";
