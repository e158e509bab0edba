/**
 * Ctrl-C while `hepc run` is still starting (compiling the analysis, reading the inputs' metadata):
 * the user is told the run was interrupted and that nothing was written, as for a run interrupted
 * later (HEP6005), with exit code 130.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyExample } from "../helpers/examples.js";
import { CLI, haveDist } from "../helpers/spawn-cli.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-interrupt-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Whether the process has one of `dir`'s files open (Linux: /proc/PID/fd). */
function hasOpenUnder(pid: number, dir: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(dir);
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

describe.skipIf(!haveDist || !existsSync("/proc/self/fd"))("Ctrl-C during start-up", () => {
  it("says the run was interrupted and nothing was written, exits 130, and leaves no run directory", async () => {
    const dir = copyExample(tmp, "single-top");
    // Thousands of inputs: the check reads each one's metadata, which takes long enough to
    // interrupt while it is under way (seen as the process holding a data file open).
    const many = path.join(dir, "many");
    mkdirSync(many);
    for (let i = 0; i < 8000; i++) symlinkSync(path.join(dir, "data", "single_top.root"), path.join(many, `s${i}.root`));
    writeFileSync(path.join(dir, "many.hep"), `analysis many { seed 1 }
sample s { files "many/*.root" tree "events" class signal }
define ht = ht(Jet)
output { histogram ht bins 50 0 .. 1000 to "out/ht.root" }
`);
    const child = spawn(process.execPath, [CLI, "run", "many.hep"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    let exited = false;
    const closed = new Promise<number | null>((resolve) => child.on("close", (c) => ((exited = true), resolve(c))));
    const started = Date.now();
    while (!exited && !hasOpenUnder(child.pid!, path.join(dir, "data")) && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 5));
    expect(exited, `the run ended before it could be interrupted: ${err}`).toBe(false);
    expect(existsSync(path.join(dir, ".hepc", "runs")), "the run was already past start-up").toBe(false);
    child.kill("SIGINT");
    const code = await closed;
    expect(code).toBe(130);
    expect(err).toContain("error[HEP6005]: the run was interrupted; nothing was written");
    expect(err).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(dir, ".hepc", "runs"))).toBe(false);
    expect(existsSync(path.join(dir, "out"))).toBe(false);
  }, 60_000);
});
