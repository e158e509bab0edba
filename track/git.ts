/**
 * The git state of the analysis file's repository: commit, branch, dirty, and the diff against
 * the commit. git is asked through its command line; without git or outside a repository the
 * answer is null, never an error (runs happen on batch nodes without either).
 */
import { execFileSync } from "node:child_process";

export interface GitState {
  commit: string;
  branch: string | null;
  dirty: boolean;
  diff: string;
}

function git(dir: string, args: string[]): string | null {
  try {
    return execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000, maxBuffer: 64 << 20 });
  } catch {
    return null;
  }
}

export function gitState(dir: string): GitState | null {
  const commit = git(dir, ["rev-parse", "HEAD"])?.trim();
  if (!commit || !/^[0-9a-f]{40,64}$/.test(commit)) return null;
  const branch = git(dir, ["rev-parse", "--abbrev-ref", "HEAD"])?.trim() ?? null;
  // Tracked files only: a run itself leaves untracked files (.hepc/, outputs) that must not make
  // the next run dirty; an include not yet added to git is not seen (stated in docs/tracking.md).
  const status = git(dir, ["status", "--porcelain", "--untracked-files=no"]) ?? "";
  const diff = git(dir, ["diff", "HEAD"]) ?? "";
  return { commit, branch: branch === "HEAD" ? null : branch, dirty: status.trim().length > 0, diff };
}
