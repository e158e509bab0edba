/**
 * Driver noise kept off the terminal. Dawn writes its warnings ("…artificially reduced…" on
 * lavapipe) and the Vulkan loader its complaints straight to file descriptor 2 from native code,
 * where `process.stderr` cannot intercept them. While the native side starts (instance, adapter,
 * device), descriptor 2 is pointed at a temporary file, whose lines are kept for the run log; then
 * the original stderr is put back under the same number. POSIX only (it reopens /dev/fd/N, which works for
 * a terminal, a file or a shell pipe, not for a socket: a Node parent's `stdio: "pipe"`); where
 * that fails nothing is redirected and the noise reaches stderr as before.
 *
 * The swap spans awaits: anything the process itself writes to stderr in that window (a progress
 * line) lands in the log too. The window is the driver's start-up, well under a second.
 */
import { closeSync, openSync, readFileSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const captured: string[] = [];
let serial = 0;

/** The driver's lines captured so far, oldest first; taking them empties the list. */
export function takeDriverLog(): string[] {
  return captured.splice(0, captured.length);
}

/** Runs `fn` with descriptor 2 going to a temporary file; its lines join the driver log. */
export async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  if (process.platform === "win32" || process.env.HEPC_DRIVER_NOISE === "1") return fn();
  let saved: number;
  try {
    saved = openSync("/dev/fd/2", "a");
  } catch {
    return fn();
  }
  const file = path.join(tmpdir(), `hepc-driver-${process.pid}-${++serial}.log`);
  closeSync(2);
  let fd = -1;
  try {
    fd = openSync(file, "a");
  } catch {
    /* fall through: 2 is restored below */
  }
  if (fd !== 2) {
    // another descriptor took the number: put stderr back and run unredirected
    if (fd >= 0) closeSync(fd);
    restore(saved);
    return fn();
  }
  try {
    return await fn();
  } finally {
    closeSync(2);
    restore(saved);
    try {
      for (const line of readFileSync(file, "utf8").split("\n")) if (line.trim()) captured.push(line.trim());
      unlinkSync(file);
    } catch {
      /* a lost temporary file loses only noise */
    }
  }
}

function restore(saved: number): void {
  openSync(`/dev/fd/${saved}`, "a"); // the lowest free number: 2
  closeSync(saved);
}
