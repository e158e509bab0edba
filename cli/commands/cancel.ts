/**
 * `hepc cancel WORKDIR`: cancels what a scale-out run has queued or running: its Slurm jobs
 * (scancel), its HTCondor DAG (condor_rm), or the local executor's process (SIGTERM, which stops
 * its subprocesses). Tasks already done keep their results (`--resume` reuses them).
 */
import * as path from "node:path";
import { RunError } from "../../runtime/exec/index.js";
import { readGraph, readState } from "../../runtime/exec/executors/index.js";
import { cancelMarker, writeState } from "../../runtime/exec/executors/workdir.js";
import { writeFileSync } from "node:fs";
import { runCommand, which } from "../../runtime/exec/executors/commands.js";
import { cancelSlurm } from "../../runtime/exec/executors/slurm/index.js";
import { printRunError } from "../diagnostics.js";
import { CliIo, EXIT_ERRORS, EXIT_OK, parseArgs, UsageError } from "../io.js";
import { hostname } from "node:os";

export const HELP = `usage: hepc cancel WORKDIR

Cancels the queued and running tasks of a scale-out run; finished tasks keep their results.
`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { flags: ["help"] });
  if (args.flags.has("help")) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  if (args.positionals.length !== 1) throw new UsageError(`expected a work directory\n\n${HELP}`);
  const workdir = path.resolve(io.cwd, args.positionals[0]);
  try {
    readGraph(workdir);
    const state = readState(workdir);
    if (!state || state.status !== "running") {
      io.stdout(`nothing to cancel in ${workdir}${state ? ` (the run is ${state.status})` : ""}\n`);
      return EXIT_OK;
    }
    // first the marker, so the run that follows the jobs knows why they end
    writeFileSync(cancelMarker(workdir), `${new Date().toISOString()}\n`);
    // first the marker, so the run that follows the jobs knows why they end
    writeFileSync(cancelMarker(workdir), `${new Date().toISOString()}\n`);
    if (state.executor === "slurm") {
      const ids = await cancelSlurm(state);
      io.stdout(`cancelled Slurm job${ids.length === 1 ? "" : "s"} ${ids.join(", ")}\n`);
    } else if (state.executor === "htcondor") {
      const id = state.jobs?.[0]?.id;
      if (!id || !which("condor_rm")) throw new RunError("HEP7001", { executor: "htcondor", command: "condor_rm", hint: `: remove the DAGMan job${id ? ` ${id}` : ""} from a host of the pool` });
      const out = await runCommand("condor_rm", [id]);
      if (out.code !== 0) throw new RunError("HEP7009", { scheduler: "condor_rm", detail: out.stderr.trim() });
      io.stdout(`removed the DAGMan job ${id}\n`);
    } else {
      if (state.host !== hostname()) throw new RunError("HEP7009", { scheduler: "local executor", detail: `it runs on ${state.host} (pid ${state.pid}): cancel it there` });
      try {
        process.kill(state.pid, "SIGTERM");
        io.stdout(`stopped the local executor (pid ${state.pid}) and its tasks\n`);
      } catch {
        io.stdout(`the local executor (pid ${state.pid}) is no longer running\n`);
      }
    }
    writeState(workdir, { ...state, status: "cancelled" });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof RunError) {
      printRunError(io, e, io.cwd, "text");
      return EXIT_ERRORS;
    }
    throw e;
  }
}
