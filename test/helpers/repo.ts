/** Where the repository is, whatever the working directory vitest was started from. */
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: diagnostics print paths relative to it (`test/cases/check/x.hep`). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export function repoPath(...parts: string[]): string {
  return path.join(REPO_ROOT, ...parts);
}

/** A path relative to the repository root, with forward slashes. */
export function repoRelative(abs: string): string {
  return path.relative(REPO_ROOT, abs).split(path.sep).join("/");
}
