/**
 * Devices: the WebGPU adapter a model may train and score on, next to the CPU. In: what the user
 * asked (`--device`, HEPC_DEVICE, a train block's `device`). Out: a DeviceUse (the CPU, or an open
 * GPUDevice with its adapter's description and granted limits), the adapters for `hepc devices`,
 * onnxruntime's session options per device, and the driver's captured noise for the run log.
 * The optional `webgpu` package is imported lazily, on the first call that needs an adapter.
 *
 * Must not import runtime/exec or runtime/models (they call this), nor the compiler.
 */
export { DeviceError, type DeviceCode } from "./errors.js";
export { adapterLabel, DEVICE_CHOICES, isDeviceWanted, resolveDevice, type DeviceUse, type DeviceWanted } from "./choose.js";
export { gpuDevice, listAdapters, nativeBackend, releaseDevices, SETUP_HINT, type AdapterInfo, type GpuDevice, type NoAdapter } from "./webgpu.js";
export { onnxSessionOptions, type OnnxSessionOptions } from "./onnx.js";
export { takeDriverLog } from "./quiet.js";
