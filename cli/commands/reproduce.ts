/**
 * `hepc reproduce RUN`: runs a stored run's plan again on the same inputs, in a scratch folder
 * (fresh caches: models are trained again), adds the new run to the store, and says whether every
 * output is byte-identical to the original's.
 */
import { readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { renderRunReport } from "../report.js";
import { hepcVersion } from "../../compiler/version.js";
import type { Plan } from "../../plan/types.js";
import { execute, RunError } from "../../runtime/exec/index.js";
import { recordRun } from "../../track/record.js";
import { adoptRun, changedInputs, compareOutputs, sandbox } from "../../track/reproduce.js";
import { loadStore, resolveRun, StoreError } from "../../track/store.js";
import { storeDirOf } from "../../track/merge.js";
import { SOURCE_FILE } from "../../track/types.js";
import { printRunError } from "../diagnostics.js";
import { CliIo, EXIT_ERRORS, EXIT_OK, parseArgs, UsageError } from "../io.js";

export const HELP = `usage: hepc reproduce RUN [--store DIR] [--threads N] [--json]

Runs RUN (an id, id prefix, directory name or tag of \`hepc runs\`) again from its stored plan
(compiled from its stored source) on its inputs, after checking each input's sha256 against the
run's: a changed or missing input is refused, naming the file. The rerun happens in a scratch
folder with empty caches (models are trained again) and leaves your outputs alone; the new run is
added to the store (marked as reproducing RUN), and each output is compared byte for byte with
the original run's.

Exit code: 0 all outputs identical, 1 an output differs or the rerun failed, 2 usage.
`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { flags: ["help", "json"], options: ["store", "threads"] });
  if (args.flags.has("help")) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  if (args.positionals.length !== 1) throw new UsageError(`expected one run\n\n${HELP}`);
  const json = args.flags.has("json");
  const threads = args.options.get("threads") === undefined ? undefined : Number(args.options.get("threads"));
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) throw new UsageError(`--threads needs a positive integer`);
  const storeDir = storeDirOf(path.resolve(io.cwd, args.options.get("store") ?? "."));
  let original;
  try {
    original = resolveRun(loadStore(storeDir), args.positionals[0]);
  } catch (e) {
    if (e instanceof StoreError) throw new UsageError(e.message, EXIT_ERRORS);
    throw e;
  }
  const id = original.record.id;
  const analysisDir = path.dirname(path.dirname(storeDir));
  const changed = changedInputs(original, analysisDir);
  if (changed.length) {
    const msg = changed.map((c) => `${c.path}: ${c.reason}`);
    if (json) io.stdout(JSON.stringify({ reproduces: id, refused: true, changedInputs: changed }, null, 2) + "\n");
    else io.stderr(`hepc reproduce: refusing to reproduce ${id.slice(0, 12)}: its inputs changed since\n${msg.map((m) => `  ${m}\n`).join("")}`);
    return EXIT_ERRORS;
  }
  const plan = JSON.parse(readFileSync(path.join(original.dir, "plan.json"), "utf8")) as Plan;
  const box = sandbox(path.join(analysisDir, ".hepc", "tmp"), plan, analysisDir);
  const startedAt = new Date();
  try {
    let ex;
    try {
      const versions = { hepc: hepcVersion(), node: process.version };
      ex = await execute(plan, { analysisDir: box.dir, threads, cache: true, versions, renderReport: (p, result, planHash) => renderRunReport(p, result, planHash, versions) });
    } catch (e) {
      if (e instanceof RunError) {
        printRunError(io, e, analysisDir, json ? "json" : "text");
        return EXIT_ERRORS;
      }
      throw e;
    }
    const source = path.join(original.dir, SOURCE_FILE);
    recordRun({ runDir: ex.runDir, plan, analysisDir: box.dir, sourceFile: original.record.source.sha256 ? source : null, status: "ok", exitCode: EXIT_OK, startedAt, reproduces: id });
    const newDir = adoptRun(ex.runDir, storeDir);
    const newId = (JSON.parse(readFileSync(path.join(newDir, "run.json"), "utf8")) as { id: string }).id;
    const cmp = compareOutputs(original.dir, newDir);
    const same = cmp.different.length === 0 && cmp.missing.length === 0 && cmp.extra.length === 0;
    if (json) {
      io.stdout(JSON.stringify({ reproduces: id, run: newId, runDir: path.relative(io.cwd, newDir), identical: same, outputs: cmp }, null, 2) + "\n");
    } else {
      io.stdout(`reproduced ${id.slice(0, 12)} as ${newId.slice(0, 12)} (${path.relative(io.cwd, newDir)})\n`);
      for (const f of cmp.different) io.stdout(`  differs: ${f}\n`);
      for (const f of cmp.missing) io.stdout(`  not written again: ${f}\n`);
      for (const f of cmp.extra) io.stdout(`  new: ${f}\n`);
      io.stdout(same ? `all ${cmp.identical.length} outputs byte-identical\n` : `${cmp.identical.length} of ${cmp.identical.length + cmp.different.length + cmp.missing.length} outputs identical\n`);
    }
    return same ? EXIT_OK : EXIT_ERRORS;
  } finally {
    rmSync(box.root, { recursive: true, force: true });
  }
}
