/**
 * Analyses for the scale-out tests, copied into a temporary folder (runs write outputs and
 * .hepc/ beside them): the Z→μμ example over three copies of its file with an event weight (so
 * parts, sums of weights and Σw² all matter), the single-top example as it is (training,
 * scores, evaluation, report, ONNX, friend trees), and the AGC example (shape variations,
 * alternative samples, fit outputs) beside the NanoAOD example whose file it reads.
 */
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { repoPath } from "../../helpers/repo.js";

const made: string[] = [];

/** Removes the folders the fixtures made (a test file's afterAll). */
export function removeFixtures(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "hepc-scale-"));
  made.push(dir);
  return dir;
}

export function zmumuParts(): string {
  const dir = tempDir();
  mkdirSync(path.join(dir, "data"));
  for (const k of [0, 1, 2]) cpSync(repoPath("examples/zmumu/data/uproot-Zmumu.root"), path.join(dir, "data", `part-${k}.root`));
  const src = readFileSync(repoPath("examples/zmumu/analysis.hep"), "utf8")
    .replace('files "data/uproot-Zmumu.root"', 'files "data/part-*.root"\n  weight 0.5 + abs(eta1) * 0.37');
  writeFileSync(path.join(dir, "analysis.hep"), src);
  return dir;
}

export function singleTop(): string {
  const dir = tempDir();
  cpSync(repoPath("examples/single-top"), dir, { recursive: true });
  return dir;
}

/** examples/agc and examples/nanoaod side by side, as in the repository; returns the AGC's folder. */
export function agc(): string {
  const root = tempDir();
  const skip = (src: string) => ["out", ".hepc"].includes(path.basename(src));
  cpSync(repoPath("examples/agc"), path.join(root, "agc"), { recursive: true, filter: (src) => !skip(src) });
  cpSync(repoPath("examples/nanoaod"), path.join(root, "nanoaod"), { recursive: true, filter: (src) => !skip(src) });
  return path.join(root, "agc");
}

/** sha256 of every file under `out/`, by path. */
export function outputHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = path.join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out[path.relative(dir, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(path.join(dir, "out"));
  return out;
}
