/**
 * hepc's start-up stays lazy: `hepc check` loads no module of the heavy libraries that only some
 * plans need (TensorFlow.js, onnxruntime, Apache Arrow). Seen from a real process through a
 * module resolve hook that records every URL the process loads.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, haveDist } from "../helpers/spawn-cli.js";
import { REPO_ROOT, repoPath } from "../helpers/repo.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-startup-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const HEAVY = /\/node_modules\/(@tensorflow\/|onnxruntime-node\/|onnxruntime-common\/|apache-arrow\/)/;

function loadedBy(args: string[]): string[] {
  const record = path.join(tmp, `modules-${args[0]}.txt`);
  const r = spawnSync(process.execPath, ["--import", repoPath("test/fixtures/startup/record-modules.mjs"), CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, HEPC_RECORD_MODULES: record },
    encoding: "utf8",
  });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return [...new Set(readFileSync(record, "utf8").split("\n").filter(Boolean))];
}

describe.skipIf(!haveDist)("lazy start-up", () => {
  it("hepc check loads neither TensorFlow.js, onnxruntime nor Apache Arrow", () => {
    const loaded = loadedBy(["check", "examples/zmumu/analysis.hep"]);
    // The hook sees what check does need: the parser library and the checker.
    expect(loaded.some((u) => u.includes("/node_modules/chevrotain/"))).toBe(true);
    expect(loaded.some((u) => u.endsWith("/compiler/check/index.js"))).toBe(true);
    expect(loaded.filter((u) => HEAVY.test(u))).toEqual([]);
    // Nor the executor: a check never runs anything; nor the planner and its schema validator.
    expect(loaded.filter((u) => /\/runtime\/(exec|columns)\//.test(u))).toEqual([]);
    expect(loaded.filter((u) => /\/node_modules\/ajv\/|\/compiler\/plan\/build\.js$/.test(u))).toEqual([]);
  });

  it("hepc --help loads no command at all", () => {
    const loaded = loadedBy(["--help"]);
    expect(loaded.filter((u) => /\/(compiler|runtime|node_modules)\//.test(u))).toEqual([]);
  });

  it("the hook does record a heavy module when one is loaded (the check above can fail)", () => {
    const record = path.join(tmp, "modules-control.txt");
    const r = spawnSync(process.execPath, ["--import", repoPath("test/fixtures/startup/record-modules.mjs"), "--input-type=module", "-e", "await import('apache-arrow')"], {
      cwd: REPO_ROOT,
      env: { ...process.env, HEPC_RECORD_MODULES: record },
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    expect(readFileSync(record, "utf8").split("\n").some((u) => HEAVY.test(u))).toBe(true);
  });
});
