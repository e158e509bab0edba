/// <reference types="@webgpu/types" />
/**
 * WebGPU through the optional `webgpu` package (Dawn's Node binding), loaded on first use only: a
 * run that trains nothing on a device never loads it. One Dawn instance per process; one device,
 * shared by the models of a run, opened with the largest buffer limits the adapter grants (the
 * default binding limit is 128 MiB) and closed by `releaseDevices()` at the end of a run (a live
 * instance keeps Node's event loop running).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { quietly } from "./quiet.js";

/** What `hepc devices`, the run summary and the run record say about an adapter. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The native API under WebGPU: vulkan, metal or d3d12. */
  backend: string;
  /** A CPU implementation (Mesa's lavapipe, SwiftShader): correct, not fast. */
  software: boolean;
  limits: Record<string, number>;
}

/** No adapter, with the reason and what to do about it. */
export interface NoAdapter {
  reason: string;
  hint: string;
}

export interface GpuDevice {
  info: AdapterInfo;
  device: GPUDevice;
  /** Why the device was lost, once it was; null while it works. */
  lost: string | null;
}

/** The platform's native API: Dawn is asked for it by name so that the record can say which. */
export function nativeBackend(): string {
  return process.platform === "darwin" ? "metal" : process.platform === "win32" ? "d3d12" : "vulkan";
}

export const SETUP_HINT =
  process.platform === "linux"
    ? "with a GPU, install its vendor's driver with Vulkan support (NVIDIA: the driver's nvidia_icd.json; point VK_DRIVER_FILES at it if the loader does not find it); without one, Mesa's software Vulkan runs every GPU code path on the CPU (Debian: `apt-get install -t bookworm-backports mesa-vulkan-drivers`, Mesa 25 or later)"
    : "install the GPU vendor's current driver";

type Create = (flags: string[]) => GPU;
let instance: Promise<{ gpu: GPU } | NoAdapter> | null = null;
let shared: Promise<GpuDevice | NoAdapter> | null = null;

async function loadInstance(): Promise<{ gpu: GPU } | NoAdapter> {
  let create: Create;
  try {
    // a computed name: the package is optional, so neither tsc nor a bundler may require it
    const name = "webgpu";
    create = ((await import(name)) as { create: Create }).create;
  } catch (e) {
    return { reason: `the optional package \`webgpu\` is not installed (${(e as Error).message.split("\n")[0]})`, hint: "run `npm install webgpu` in hepc's folder (it ships Dawn prebuilt for Linux x64/arm64, macOS and Windows)" };
  }
  // The Vulkan loader complains on stderr when XDG_RUNTIME_DIR is unset (batch jobs, containers).
  if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = mkdtempSync(path.join(tmpdir(), "hepc-xdg-"));
  try {
    return { gpu: create([`backend=${nativeBackend()}`]) };
  } catch (e) {
    return { reason: `Dawn could not start: ${(e as Error).message}`, hint: SETUP_HINT };
  }
}

function limitsOf(l: GPUSupportedLimits): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k in l) {
    const v = (l as unknown as Record<string, unknown>)[k];
    if (typeof v === "number") out[k] = v;
  }
  return out;
}

function describe(a: GPUAdapter): AdapterInfo {
  const i = a.info;
  const software = (a as { isFallbackAdapter?: boolean }).isFallbackAdapter === true || i.architecture === "software" || /llvmpipe|lavapipe|swiftshader/i.test(`${i.device} ${i.description}`);
  return { vendor: i.vendor || "unknown", architecture: i.architecture || "unknown", device: i.device || "", description: i.description || "", backend: nativeBackend(), software, limits: limitsOf(a.limits) };
}

async function requestAdapter(): Promise<GPUAdapter | NoAdapter> {
  instance ??= loadInstance();
  const inst = await instance;
  if (!("gpu" in inst)) return inst;
  const adapter = await quietly(() => inst.gpu.requestAdapter({ powerPreference: "high-performance" }));
  if (!adapter) return { reason: `no WebGPU adapter: Dawn found no ${nativeBackend()} driver`, hint: SETUP_HINT };
  return adapter;
}

/** The adapters found (Dawn offers the best one: a list of at most one), or why there is none. */
export async function listAdapters(): Promise<AdapterInfo[] | NoAdapter> {
  const a = await requestAdapter();
  return "reason" in a ? a : [describe(a)];
}

/** The largest storage limits the adapter grants, asked for explicitly (WebGPU gives defaults otherwise). */
const WANTED = ["maxStorageBufferBindingSize", "maxBufferSize", "maxStorageBuffersPerShaderStage", "maxComputeWorkgroupStorageSize", "maxComputeInvocationsPerWorkgroup", "maxComputeWorkgroupSizeX", "maxComputeWorkgroupsPerDimension"] as const;

async function openShared(): Promise<GpuDevice | NoAdapter> {
  const a = await requestAdapter();
  if ("reason" in a) return a;
  const info = describe(a);
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED) if (typeof info.limits[k] === "number") requiredLimits[k] = info.limits[k];
  let device: GPUDevice;
  try {
    device = await quietly(() => a.requestDevice({ requiredLimits }));
  } catch (e) {
    return { reason: `the adapter (${info.description || info.vendor}) refused a device: ${(e as Error).message}`, hint: SETUP_HINT };
  }
  const g: GpuDevice = { info: { ...info, limits: limitsOf(device.limits) }, device, lost: null };
  void device.lost.then((l) => {
    g.lost = `${l.reason}${l.message ? `: ${l.message}` : ""}`;
    // the next run asks for a fresh device
    if (shared && g.lost) shared = null;
  });
  return g;
}

/** The process's device, opened on first use. */
export function gpuDevice(): Promise<GpuDevice | NoAdapter> {
  shared ??= openShared();
  return shared;
}

/**
 * Destroys the device and drops Dawn's instance, so that Node can exit; the next use starts
 * them again.
 */
export async function releaseDevices(): Promise<void> {
  const s = shared;
  shared = null;
  instance = null;
  if (!s) return;
  const g = await s;
  if ("device" in g && !g.lost) {
    g.lost = "released";
    g.device.destroy();
  }
}
