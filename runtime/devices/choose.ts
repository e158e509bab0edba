/**
 * Which device a model trains and scores on. `cpu`: hepc's CPU kernels. `gpu`: the WebGPU device,
 * or HEP6090 when there is none (asked for before any work starts). `auto`: the WebGPU device when
 * it is a hardware GPU; a software adapter (lavapipe) is slower than the CPU kernels, so `auto`
 * leaves it to an explicit `gpu`.
 */
import { DeviceError } from "./errors.js";
import { gpuDevice, listAdapters, type AdapterInfo, type GpuDevice } from "./webgpu.js";

export const DEVICE_CHOICES = ["auto", "cpu", "gpu"] as const;
export type DeviceWanted = (typeof DEVICE_CHOICES)[number];

export function isDeviceWanted(v: unknown): v is DeviceWanted {
  return typeof v === "string" && (DEVICE_CHOICES as readonly string[]).includes(v);
}

export type DeviceUse = { kind: "cpu"; note: string | null } | { kind: "gpu"; gpu: GpuDevice };

/** How the summary and the run record name an adapter: vendor, architecture, backend. */
export function adapterLabel(info: AdapterInfo): string {
  return `${info.vendor} ${info.architecture}${info.device ? ` ${info.device}` : ""} (${info.backend}${info.software ? ", software" : ""})`;
}

export async function resolveDevice(wanted: DeviceWanted): Promise<DeviceUse> {
  if (wanted === "cpu") return { kind: "cpu", note: null };
  if (wanted === "auto") {
    // the adapter alone tells whether it is a software one: no device is opened for it
    const found = await listAdapters();
    if (!Array.isArray(found)) return { kind: "cpu", note: found.reason };
    if (found[0].software) return { kind: "cpu", note: `the only adapter is a software one (${adapterLabel(found[0])}); --device gpu uses it` };
  }
  const g = await gpuDevice();
  if ("reason" in g) {
    if (wanted === "gpu") throw new DeviceError("HEP6090", { reason: g.reason, hint: g.hint });
    return { kind: "cpu", note: g.reason };
  }
  if (g.lost) throw new DeviceError("HEP6092", { reason: g.lost });
  if (wanted === "auto" && g.info.software) return { kind: "cpu", note: `the only adapter is a software one (${adapterLabel(g.info)}); --device gpu uses it` };
  return { kind: "gpu", gpu: g };
}
