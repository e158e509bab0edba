/**
 * The lock file beside an analysis (`analysis.hep.lock`): the sha256 and size of every input file,
 * written by `hepc lock`. When it exists, inputs enter the plan's hashes by their locked sha256
 * instead of their modification time, and a run refuses a file whose bytes no longer match.
 */
import type { CompilerHost } from "../host.js";
import { decodeSource } from "../load/program.js";

export interface LockFile {
  format: "hepc-lock/1";
  /** Paths relative to the analysis folder. */
  inputs: Record<string, { size: number; sha256: string }>;
}

export function lockPathFor(analysisAbs: string): string {
  return `${analysisAbs}.lock`;
}

export function readLock(host: CompilerHost, lockAbs: string): { inputs?: Map<string, { size: number; sha256: string }>; error?: string } {
  const bytes = host.readFile(lockAbs);
  if (!bytes) return {};
  const text = decodeSource(bytes);
  if (text === undefined) return { error: "not UTF-8 text" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { error: `not valid JSON (${(e as Error).message})` };
  }
  const lock = parsed as Partial<LockFile>;
  if (lock.format !== "hepc-lock/1" || typeof lock.inputs !== "object" || lock.inputs === null) return { error: "not a hepc lock file (format hepc-lock/1)" };
  const inputs = new Map<string, { size: number; sha256: string }>();
  for (const [p, v] of Object.entries(lock.inputs)) {
    if (typeof v?.size !== "number" || typeof v?.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(v.sha256)) return { error: `entry '${p}' needs a size and a sha256` };
    inputs.set(p, { size: v.size, sha256: v.sha256 });
  }
  return { inputs };
}
