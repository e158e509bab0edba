/**
 * `hepc task WORKDIR ID`: runs one task of a scale-out run (what a batch job or the local
 * executor's subprocess executes). Exit 0 when its result is written, 1 on an error (printed).
 */
import { hepcVersion } from "../../compiler/version.js";
import { RunError } from "../../runtime/exec/index.js";
import { readGraph, runTask, taskById, verifyResult } from "../../runtime/exec/executors/index.js";
import { printRunError } from "../diagnostics.js";
import { renderRunReport } from "../report.js";
import { CliIo, EXIT_ERRORS, EXIT_OK, parseArgs, UsageError } from "../io.js";
import * as path from "node:path";

export const HELP = `usage: hepc task WORKDIR ID [--threads N] [--verify]

Runs one task of a work directory written by \`hepc run --executor ...\`: ID is a task id as
\`hepc status\` lists it, or STAGE:INDEX (read:0, gather:1, merge:0) as array jobs name it.
--verify runs nothing: it checks the task's result (its hash and the sha256 of each file it
wrote) and exits 0 when it is complete and intact, 1 otherwise (HTCondor's POST script).
`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { flags: ["help", "verify"], options: ["threads"] });
  if (args.flags.has("help")) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  if (args.positionals.length !== 2) throw new UsageError(`expected a work directory and a task id\n\n${HELP}`);
  const workdir = path.resolve(io.cwd, args.positionals[0]);
  const threadsText = args.options.get("threads") ?? process.env.HEPC_TASK_THREADS;
  const threads = threadsText === undefined ? undefined : Number(threadsText);
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw new UsageError(`--threads needs a positive integer, not '${threadsText}'`);
  if (args.flags.has("verify")) {
    try {
      const graph = readGraph(workdir);
      const t = taskById(graph, args.positionals[1]);
      if (!t) throw new RunError("HEP7008", { task: args.positionals[1], dir: workdir });
      const v = await verifyResult(workdir, t, graph.analysisDir);
      if (v.ok) return EXIT_OK;
      printRunError(io, new RunError("HEP7005", { task: t.id, file: v.file, problem: v.problem }), workdir, "text");
      return EXIT_ERRORS;
    } catch (e) {
      if (e instanceof RunError) {
        printRunError(io, e, workdir, "text");
        return EXIT_ERRORS;
      }
      throw e;
    }
  }
  const versions = { hepc: hepcVersion(), node: process.version };
  const t0 = Date.now();
  io.stderr(`hepc task ${args.positionals[1]} in ${workdir} (pid ${process.pid}, ${new Date().toISOString()})\n`);
  try {
    const r = await runTask(workdir, args.positionals[1], {
      threads,
      merge: { versions, renderReport: (p, result, planHash) => renderRunReport(p, result, planHash, versions) },
    });
    io.stderr(`hepc task ${r.task}: done in ${((Date.now() - t0) / 1000).toFixed(2)} s, ${Object.keys(r.files).length + Object.keys(r.outputs ?? {}).length} file(s) recorded\n`);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof RunError) {
      printRunError(io, e, workdir, "text");
      return EXIT_ERRORS;
    }
    throw e;
  }
}
