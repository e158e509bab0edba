/** Scheduler commands: found on PATH (or named as missing), run with their output captured. */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import * as path from "node:path";
import { RunError } from "../errors.js";

export function which(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, command);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Fails with HEP7001 naming the first command of `commands` that is missing. */
export function requireCommands(executor: string, commands: string[], hint: string): void {
  for (const c of commands) if (!which(c)) throw new RunError("HEP7001", { executor, command: c, hint });
}

export interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCommand(command: string, args: string[], opts: { cwd?: string } = {}): Promise<Output> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    let settled = false;
    const done = (code: number) => {
      if (settled) return;
      settled = true;
      resolve({ code, stdout, stderr });
    };
    child.on("error", (e) => {
      stderr += e.message;
      done(127);
    });
    child.on("close", (code) => done(code ?? 1));
  });
}

/** A POSIX shell word. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
