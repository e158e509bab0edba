/**
 * Merging stores from several machines: runs are copied by id, so a run present in both is kept
 * once (its tags joined), and two different runs with the same directory name both stay (the
 * newcomer's directory gets its id's first digits). Each copy lands under a temporary name and
 * is renamed into place, so an interrupted merge leaves no half-copied run.
 */
import { cpSync, existsSync, renameSync, rmSync } from "node:fs";
import * as path from "node:path";
import { ensureStore, loadStore, type StoreProblem, writeTags } from "./store.js";

export interface MergeResult {
  added: Array<{ id: string; name: string; from: string }>;
  already: Array<{ id: string; name: string; from: string }>;
  problems: StoreProblem[];
}

/** A store folder, or an analysis folder holding one in .hepc/runs. */
export function storeDirOf(dir: string): string {
  const nested = path.join(dir, ".hepc", "runs");
  return existsSync(nested) ? nested : dir;
}

export function mergeStores(target: string, sources: string[]): MergeResult {
  ensureStore(target);
  const into = loadStore(target);
  const byId = new Map(into.runs.map((r) => [r.record.id, r]));
  const names = new Set([...into.runs.map((r) => r.record.name), ...into.problems.map((p) => path.basename(p.dir))]);
  const result: MergeResult = { added: [], already: [], problems: [] };
  for (const src of sources) {
    const from = loadStore(storeDirOf(src));
    result.problems.push(...from.problems);
    for (const run of from.runs) {
      const { id, name } = run.record;
      const known = byId.get(id);
      if (known) {
        const tags = [...new Set([...known.tags, ...run.tags])];
        if (tags.length !== known.tags.length) {
          writeTags(known.dir, tags);
          known.tags = tags;
        }
        result.already.push({ id, name, from: run.dir });
        continue;
      }
      const dirName = names.has(name) ? `${name}-${id.slice(0, 8)}` : name;
      const dest = path.join(target, dirName);
      const tmp = path.join(target, `.${dirName}.${process.pid}.tmp`);
      rmSync(tmp, { recursive: true, force: true });
      cpSync(run.dir, tmp, { recursive: true });
      renameSync(tmp, dest);
      names.add(dirName);
      byId.set(id, { record: run.record, dir: dest, tags: run.tags });
      result.added.push({ id, name: dirName, from: run.dir });
    }
  }
  return result;
}
