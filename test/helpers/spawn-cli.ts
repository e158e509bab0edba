/**
 * The real CLI as a user starts it: `node cli/bin/hepc.js ARGS` in its own process (needs the
 * compiled dist/, as `npm test` builds first). Used where in-process runs cannot show the thing
 * tested: worker threads, signals, several runs at once, what reaches stdout and stderr.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
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
