/**
 * sha256 of input files, remembered per (path, size, mtime) in `.hepc/checksums.json` so that a
 * file is read in full once, not on every run. A changed size or mtime means reading it again.
 */
import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";

type Memo = Record<string, { size: number; mtimeMs: number; sha256: string }>;

export function sha256File(file: string): string {
  const h = createHash("sha256");
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest("hex");
}

/** Checksums of `files` (relative to `baseDir`); files that cannot be read are left out. */
export function checksums(baseDir: string, stateDir: string, files: string[]): Array<{ path: string; size: number; sha256: string }> {
  const memoPath = path.join(stateDir, "checksums.json");
  let memo: Memo = {};
  try {
    memo = JSON.parse(readFileSync(memoPath, "utf8")) as Memo;
  } catch {
    memo = {};
  }
  let changed = false;
  const out: Array<{ path: string; size: number; sha256: string }> = [];
  for (const rel of files) {
    const abs = path.resolve(baseDir, rel);
    let st;
    try {
      st = statSync(abs);
    } catch {
      continue;
    }
    const known = memo[abs];
    let sha = known && known.size === st.size && known.mtimeMs === st.mtimeMs ? known.sha256 : null;
    if (!sha) {
      sha = sha256File(abs);
      memo[abs] = { size: st.size, mtimeMs: st.mtimeMs, sha256: sha };
      changed = true;
    }
    out.push({ path: rel, size: st.size, sha256: sha });
  }
  if (changed) {
    try {
      const tmp = `${memoPath}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(memo));
      renameSync(tmp, memoPath);
    } catch {
      // a memo that cannot be written costs a re-read next time, nothing more
    }
  }
  return out;
}
