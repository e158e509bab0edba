/**
 * Whether the WebGPU tests run: they need the optional `webgpu` package and a Vulkan driver
 * (without a GPU, Mesa's lavapipe). With HEPC_TEST_WEBGPU=1 (set by .ci/run) they are required:
 * no adapter fails them. Otherwise they skip, and say how to set the machine up.
 */
import { listAdapters, releaseDevices } from "../../runtime/devices/index.js";

export const SETUP = "apt-get install -y -t bookworm-backports mesa-vulkan-drivers (Debian; add the bookworm-backports suite first, as .ci/run does), then HEPC_TEST_WEBGPU=1";

export async function webgpuAvailable(): Promise<boolean> {
  const found = await listAdapters();
  await releaseDevices();
  const ok = Array.isArray(found) && found.length > 0;
  if (!ok && process.env.HEPC_TEST_WEBGPU === "1") throw new Error(`HEPC_TEST_WEBGPU=1 but no WebGPU adapter: ${"reason" in found ? found.reason : "none"}`);
  if (!ok) console.warn(`WebGPU tests skipped: no adapter. To run them: ${SETUP}`);
  return ok;
}
