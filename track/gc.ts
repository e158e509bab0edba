/**
 * Removing old runs: all but the newest `keep` untagged runs go; a tagged run is never removed.
 * Unreadable directories are left alone (they are reported by listing, and may be a run going on).
 */
import { rmSync } from "node:fs";
import type { Store, StoredRun } from "./store.js";

export function gcPlan(store: Store, keep: number): { remove: StoredRun[]; kept: StoredRun[] } {
  const remove: StoredRun[] = [];
  const kept: StoredRun[] = [];
  let untagged = 0;
  for (const r of store.runs) {
    if (r.tags.length > 0 || untagged++ < keep) kept.push(r);
    else remove.push(r);
  }
  return { remove, kept };
}

export function gc(store: Store, keep: number, dryRun = false): { removed: StoredRun[]; kept: StoredRun[] } {
  const { remove, kept } = gcPlan(store, keep);
  if (!dryRun) for (const r of remove) rmSync(r.dir, { recursive: true, force: true });
  return { removed: remove, kept };
}
