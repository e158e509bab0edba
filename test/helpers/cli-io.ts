/** A CliIo that records what a user would see, for running `main(argv, io)` in-process. */
import type { CliIo } from "../../cli/io.js";
import { REPO_ROOT } from "./repo.js";

export interface CapturedIo extends CliIo {
  readonly out: string;
  readonly err: string;
}

export function captureIo(cwd: string = REPO_ROOT, isTTY = false): CapturedIo {
  let out = "";
  let err = "";
  return {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    isTTY,
    cwd,
    get out() {
      return out;
    },
    get err() {
      return err;
    },
  };
}

/** Runs the CLI in-process and returns its exit code with what it printed. */
export async function runCli(argv: string[], cwd: string = REPO_ROOT): Promise<{ code: number; out: string; err: string }> {
  const { main } = await import("../../cli/main.js");
  const io = captureIo(cwd);
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}
