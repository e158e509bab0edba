/**
 * Devices from the user's side: `hepc devices` lists the adapter (or says why there is none and
 * how to get one) without the driver's noise on the terminal, and `--device gpu` with no adapter
 * is an error before any work, leaving nothing written. A Vulkan loader pointed at a driver file
 * that does not exist stands for a machine without a GPU driver.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyExample, planOf } from "../helpers/examples.js";
import { compilePlan } from "../../compiler/compile.js";
import { nodeHost } from "../../cli/host.js";
import { writeFileSync } from "node:fs";
import { haveDist, spawnCliToFiles } from "../helpers/spawn-cli.js";
import { webgpuAvailable } from "../helpers/webgpu.js";
import { onnxSessionOptions } from "../../runtime/devices/index.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-devices-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const NO_DRIVER = { VK_DRIVER_FILES: path.join(tmp, "no-such-icd.json"), VK_ICD_FILENAMES: path.join(tmp, "no-such-icd.json") };
const gpu = await webgpuAvailable();

const spawnCli = spawnCliToFiles;

describe.skipIf(!haveDist)("hepc devices", () => {
  it("without a driver: says why and how to get one, exit 1, the loader's complaints kept off stderr", async () => {
    const r = await spawnCli(["devices"], tmp, NO_DRIVER);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/no GPU adapter: .*(no vulkan driver|not installed)/);
    expect(r.out).toMatch(/to get one: .*mesa-vulkan-drivers/);
    expect(r.err).toBe("");
  });

  it.skipIf(!gpu)("with an adapter: vendor, architecture, backend and limits; no driver warnings on stderr", async () => {
    const r = await spawnCli(["devices"], tmp);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/vendor \S+, architecture \S+, backend (vulkan|metal|d3d12)/);
    expect(r.out).toMatch(/maxStorageBufferBindingSize \d+/);
    expect(r.err).toBe("");
    const j = JSON.parse((await spawnCli(["devices", "--json"], tmp)).out);
    expect(j.adapters[0].limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
  });

  it("run --device gpu without an adapter: HEP6090 before any work, no run directory, no output", async () => {
    const dir = copyExample(tmp, "single-top");
    const r = await spawnCli(["run", "analysis.hep", "--device", "gpu", "--progress", "none"], dir, NO_DRIVER);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/HEP6090/);
    expect(r.err).toMatch(/no GPU to run on/);
    expect(r.err).not.toMatch(/Warning:|vkCreateInstance|loader_get_json/);
    expect(existsSync(path.join(dir, ".hepc", "runs"))).toBe(false);
    expect(existsSync(path.join(dir, "out"))).toBe(false);
  }, 120_000);

  it.skipIf(!gpu)("run --device gpu: the mlp trains on the adapter, named per model in the summary, the record and the log; no driver noise on stderr", async () => {
    const dir = copyExample(tmp, "single-top");
    const file = path.join(dir, "analysis.hep");
    writeFileSync(file, readFileSync(file, "utf8").replace("trees 300", "trees 20").replace("epochs 30 batch 1024", "epochs 2 batch 1024"));
    const r = await spawnCli(["run", "analysis.hep", "--device", "gpu", "--json"], dir);
    expect(r.code).toBe(0);
    expect(r.err).not.toMatch(/Warning:|vkCreateInstance/);
    const summary = JSON.parse(r.out);
    const byName = Object.fromEntries(summary.models.map((m: { model: string; device: string }) => [m.model, m.device]));
    expect(byName.nn).toMatch(/^gpu: \S+ \S+.*\((vulkan|metal|d3d12)/);
    expect(byName.bdt).toBe("cpu");
    const runDir = path.join(dir, summary.runDir.replace(/^.*?\.hepc/, ".hepc"));
    expect(JSON.parse(readFileSync(path.join(runDir, "summary.json"), "utf8")).models.find((m: { model: string }) => m.model === "nn").device).toBe(byName.nn);
    expect(readFileSync(path.join(runDir, "log.txt"), "utf8")).toContain(`model nn (mlp): trained on ${byName.nn}`);
  }, 180_000);

  it("a device that is not one is a usage error naming the values", async () => {
    const r = await spawnCli(["run", "analysis.hep", "--device", "tpu"], tmp);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/auto, cpu or gpu, not 'tpu'/);
    const e = await spawnCli(["run", "analysis.hep"], tmp, { HEPC_DEVICE: "cuda" });
    expect(e.err).toMatch(/HEPC_DEVICE must be auto, cpu or gpu, not 'cuda'/);
  });
});

describe("onnxruntime session options per device", () => {
  it("the WebGPU provider (with the CPU one behind it) on gpu, the CPU provider alone otherwise", () => {
    expect(onnxSessionOptions("gpu").executionProviders).toEqual(["webgpu", "cpu"]);
    expect(onnxSessionOptions("cpu").executionProviders).toEqual(["cpu"]);
    expect(onnxSessionOptions({ kind: "cpu", note: null }).executionProviders).toEqual(["cpu"]);
  });
});

describe("`device` in a train block", () => {
  it("is carried by the plan's train nodes, changes their hash, and takes only auto, cpu or gpu", async () => {
    const dir = copyExample(tmp, "single-top");
    const file = path.join(dir, "analysis.hep");
    const before = (await planOf(file)).nodes.filter((n) => n.kind === "train");
    expect(before.every((n) => !("device" in n))).toBe(true);
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.replace("  balance classes\n", "  balance classes\n  device gpu\n"));
    const after = (await planOf(file)).nodes.filter((n) => n.kind === "train");
    expect(after.map((n) => (n as { device?: string }).device)).toEqual(["gpu", "gpu", "gpu"]);
    expect(after.map((n) => n.hash)).not.toEqual(before.map((n) => n.hash));
    writeFileSync(file, text.replace("  balance classes\n", "  balance classes\n  device tpu\n"));
    const c = await compilePlan(file, nodeHost(dir));
    const d = c.diagnostics.find((x) => x.code === "HEP4026");
    expect(d?.message).toBe("unknown device 'tpu'");
  });
});
