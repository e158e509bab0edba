/**
 * The real CLI as a user starts it: `node cli/bin/hepc.js ARGS` in its own process (needs the
 * compiled dist/, as `npm test` builds first). Used where in-process runs cannot show the thing
 * tested: worker threads, signals, several runs at once, what reaches stdout and stderr.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { repoPath } from "./repo.js";

export const CLI = repoPath("cli/bin/hepc.js");
export const haveDist = existsSync(repoPath("dist/cli/main.js"));

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

export function spawnCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/**
 * The CLI with stdout and stderr going to files, as from a shell or a batch system: the driver's
 * noise is kept off a terminal, a file or a pipe, but not off a socket (a Node parent's "pipe",
 * which `spawnCli` uses), so tests of what reaches stderr past native code run it this way.
 */
export function spawnCliToFiles(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const dir = mkdtempSync(path.join(tmpdir(), "hepc-cli-"));
  const out = openSync(path.join(dir, "out"), "w");
  const err = openSync(path.join(dir, "err"), "w");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", out, err] });
    child.on("error", reject);
    child.on("close", (code) => {
      closeSync(out);
      closeSync(err);
      const result = { code, out: readFileSync(path.join(dir, "out"), "utf8"), err: readFileSync(path.join(dir, "err"), "utf8") };
      rmSync(dir, { recursive: true, force: true });
      resolve(result);
    });
  });
}
