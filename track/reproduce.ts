/**
 * What `hepc reproduce` needs around the executor: the inputs checked against the run's
 * checksums, a scratch analysis folder that sees the same inputs (links) but none of the caches
 * or outputs, moving the new run into the store, and the byte-for-byte comparison of outputs.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, symlinkSync } from "node:fs";
import * as path from "node:path";
import type { Plan } from "../plan/types.js";
import { sha256File } from "./checksums.js";
import type { StoredRun } from "./store.js";

export interface InputProblem {
  path: string;
  reason: string;
}

/** Each input of the run, hashed again now (never from the memo: this is the check). */
export function changedInputs(run: StoredRun, analysisDir: string): InputProblem[] {
  const out: InputProblem[] = [];
  for (const i of run.record.inputs) {
    const abs = path.resolve(analysisDir, i.path);
    if (!existsSync(abs)) {
      out.push({ path: i.path, reason: "it no longer exists" });
      continue;
    }
    const now = sha256File(abs);
    if (now !== i.sha256) out.push({ path: i.path, reason: `sha256 ${now.slice(0, 12)}…, was ${i.sha256.slice(0, 12)}… when the run was made` });
  }
  return out;
}

/**
 * A scratch analysis folder under `parent` whose input paths lead to the real inputs (symbolic
 * links), nested deep enough that `../` paths stay inside it. The executor then writes its run
 * directory, caches and outputs there, and the user's outputs are left alone.
 */
export function sandbox(parent: string, plan: Plan, analysisDir: string): { root: string; dir: string } {
  mkdirSync(parent, { recursive: true });
  const root = mkdtempSync(path.join(parent, "reproduce-"));
  const depth = Math.max(0, ...plan.inputs.map((i) => (path.isAbsolute(i.path) ? 0 : i.path.split("/").findIndex((s) => s !== ".."))));
  const dir = path.join(root, ...Array.from({ length: depth }, (_, k) => `d${k}`), "analysis");
  mkdirSync(dir, { recursive: true });
  for (const i of plan.inputs) {
    if (path.isAbsolute(i.path)) continue;
    const link = path.resolve(dir, i.path);
    if (existsSync(link)) continue;
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.resolve(analysisDir, i.path), link);
  }
  return { root, dir };
}

/** Moves a run directory into the store, under its name or the name with `-r2`, `-r3`… */
export function adoptRun(runDir: string, store: string): string {
  mkdirSync(store, { recursive: true });
  const base = path.basename(runDir);
  for (let n = 1; ; n++) {
    const dest = path.join(store, n === 1 ? base : `${base}-r${n}`);
    if (existsSync(dest)) continue;
    renameSync(runDir, dest);
    return dest;
  }
}

function files(dir: string, rel = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name), `${rel}${e.name}/`) : [`${rel}${e.name}`]));
}

export interface OutputComparison {
  identical: string[];
  different: string[];
  missing: string[];
  extra: string[];
}

/** The staged outputs (outputs/ of each run directory), file by file. */
export function compareOutputs(originalRunDir: string, newRunDir: string): OutputComparison {
  const a = path.join(originalRunDir, "outputs");
  const b = path.join(newRunDir, "outputs");
  const fa = files(a).sort();
  const fb = new Set(files(b));
  const r: OutputComparison = { identical: [], different: [], missing: [], extra: [] };
  for (const f of fa) {
    if (!fb.has(f)) r.missing.push(f);
    else if (sha256File(path.join(a, f)) === sha256File(path.join(b, f))) r.identical.push(f);
    else r.different.push(f);
    fb.delete(f);
  }
  r.extra = [...fb].sort();
  return r;
}
