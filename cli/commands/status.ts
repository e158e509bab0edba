/**
 * `hepc status WORKDIR`: per stage, the tasks done, running, pending and failed, and the end of
 * the log of each failure. Done means a result whose hash matches; Slurm jobs still queued are
 * asked of squeue when it is there.
 */
import * as path from "node:path";
import { RunError } from "../../runtime/exec/index.js";
import { logTail, readGraph, readState, resultOf } from "../../runtime/exec/executors/index.js";
import { which } from "../../runtime/exec/executors/commands.js";
import { classify, poll } from "../../runtime/exec/executors/slurm/index.js";
import { printRunError } from "../diagnostics.js";
import { CliIo, EXIT_ERRORS, EXIT_OK, parseArgs, UsageError } from "../io.js";

export const HELP = `usage: hepc status WORKDIR [--json]

Shows a scale-out work directory: per stage, tasks done / running / pending / failed, and the
last lines of the log of each failed task.
`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { flags: ["help", "json"] });
  if (args.flags.has("help")) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  if (args.positionals.length !== 1) throw new UsageError(`expected a work directory\n\n${HELP}`);
  const workdir = path.resolve(io.cwd, args.positionals[0]);
  try {
    const graph = readGraph(workdir);
    const state = readState(workdir);
    // live states of queued Slurm jobs, where squeue answers
    const live = new Map<string, string>();
    if (state?.executor === "slurm" && state.status === "running" && state.jobs?.length && which("squeue")) {
      try {
        for (const j of await poll(state.jobs.map((x) => x.id))) live.set(`${j.job}_${j.index}`, classify(j.state).kind);
      } catch {
        // squeue failing leaves the recorded states
      }
    }
    const stages = graph.stages.filter((s) => s.tasks.length).map((s) => ({
      stage: s.name,
      tasks: s.tasks.map((t) => {
        const e = state?.tasks[t.id];
        let st: string = resultOf(workdir, t) ? "done" : e?.state === "done" ? "pending" : e?.state ?? "pending";
        const l = e?.job ? live.get(e.job) : undefined;
        if (st !== "done" && l) st = l === "completed" ? "pending" : l === "killed" ? "failed" : l;
        return { id: t.id, state: st, attempts: e?.attempts ?? 0, reason: e?.reason, log: e?.logs[e.logs.length - 1] };
      }),
    }));
    if (args.flags.has("json")) {
      io.stdout(JSON.stringify({ workdir, executor: state?.executor ?? null, status: state?.status ?? null, planHash: graph.planHash, stages }, null, 2) + "\n");
      return EXIT_OK;
    }
    io.stdout(`${workdir}: plan ${graph.planHash.slice(0, 12)}, ${state ? `${state.executor} executor, ${state.status} (started ${state.started} on ${state.host})` : "not run yet"}\n`);
    for (const s of stages) {
      const n = (x: string) => s.tasks.filter((t) => t.state === x).length;
      io.stdout(`  ${s.stage.padEnd(7)} ${n("done")}/${s.tasks.length} done, ${n("running")} running, ${n("pending")} pending, ${n("failed")} failed${n("cancelled") ? `, ${n("cancelled")} cancelled` : ""}\n`);
    }
    for (const s of stages) {
      for (const t of s.tasks.filter((x) => x.state === "failed")) {
        io.stdout(`\nfailed: ${t.id} (${t.attempts} attempt${t.attempts === 1 ? "" : "s"})${t.reason ? `: ${t.reason}` : ""}\n`);
        if (t.log) io.stdout(`  log ${path.relative(io.cwd, t.log)}:\n${logTail(t.log).replace(/^/gm, "  | ")}\n`);
      }
    }
    if (state?.error) io.stdout(`\n${state.error}\n`);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof RunError) {
      printRunError(io, e, io.cwd, "text");
      return EXIT_ERRORS;
    }
    throw e;
  }
}
