/**
 * `hepc run ... --executor local|slurm|htcondor`: the plan cut into tasks in a work directory and
 * handed to an executor (runtime/exec/executors); the merge task publishes the outputs, as
 * `hepc run` would. Progress is a line per stage, redrawn on a terminal.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { hashOf } from "../../plan/canonical.js";
import type { Plan } from "../../plan/types.js";
import { RunError } from "../../runtime/exec/index.js";
import { defaultWorkdir, prepare, type StageView } from "../../runtime/exec/executors/drive.js";
import { runLocal } from "../../runtime/exec/executors/local/index.js";
import { runSlurm } from "../../runtime/exec/executors/slurm/index.js";
import { writeCondor } from "../../runtime/exec/executors/htcondor/index.js";
import { resultOf } from "../../runtime/exec/executors/workdir.js";
import { printRunError } from "../diagnostics.js";
import { CliIo, EXIT_ERRORS, EXIT_INTERRUPTED, EXIT_OK, onInterrupt, UsageError } from "../io.js";

export const SCALE_OPTIONS = ["executor", "chunk-files", "chunk-events", "workdir", "jobs", "retries", "partition", "time", "mem", "account", "throttle", "cpus-per-task", "poll", "requirements", "request-memory"];
export const SCALE_FLAGS = ["resume", "force"];

export const SCALE_HELP = `
scale-out (docs/scale-out.md):
  --executor E       local, slurm or htcondor: cut the plan into tasks (read per sample and
                     part, gather per sample, one merge) run as subprocesses, Slurm job arrays
                     or an HTCondor DAG; outputs are byte-identical to a run without it
  --chunk-files N    files per read task (default 1)
  --chunk-events N   entries per read task instead (a task may split a file)
  --workdir DIR      work directory on storage every node sees (default .hepc/scale/PLANHASH)
  --resume           keep the tasks already done in the work directory, run only the rest
  --force            use a work directory of another plan (it is emptied)
  --retries N        attempts a failed task gets after its first (default 0); logs are kept
  --jobs N           local: tasks at once (default one per core)
  --partition P --time T --mem M --account A
                     slurm: the resources of every job (sbatch's own syntax)
  --throttle N       slurm: at most N tasks of an array at once (--array=...%N)
  --cpus-per-task N  slurm: cores of each task (default 1); a task runs that many threads
  --poll S           slurm: seconds between squeue polls (default 2)
  --requirements R --request-memory M
                     htcondor: the submit files' requirements and request_memory
`;

function positive(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} needs a positive integer, not '${v}'`);
  return n;
}

/** The argv that runs `hepc` here: this node binary and the published entry point. */
export function hepcCommand(): string[] {
  return [process.execPath, fileURLToPath(new URL("../../../cli/bin/hepc.js", import.meta.url))];
}

export async function runScaled(plan: Plan, analysisDir: string, options: Map<string, string>, flags: Set<string>, io: CliIo, json: boolean, quiet: boolean): Promise<number> {
  const executor = options.get("executor")!;
  if (!["local", "slurm", "htcondor"].includes(executor)) throw new UsageError(`--executor must be local, slurm or htcondor, not '${executor}'`);
  const chunkFiles = positive(options.get("chunk-files"), "chunk-files");
  const chunkEvents = positive(options.get("chunk-events"), "chunk-events");
  if (chunkFiles && chunkEvents) throw new UsageError("--chunk-files and --chunk-events cannot be used together");
  const retriesText = options.get("retries");
  const retries = retriesText === undefined ? 0 : Number(retriesText);
  if (!Number.isInteger(retries) || retries < 0) throw new UsageError(`--retries needs an integer ≥ 0, not '${retriesText}'`);
  const workdir = options.has("workdir") ? path.resolve(io.cwd, options.get("workdir")!) : defaultWorkdir(analysisDir, hashOf(plan));
  const controller = new AbortController();
  const release = onInterrupt(() => (controller.signal.aborted ? process.exit(EXIT_INTERRUPTED) : controller.abort()));
  const onTerm = () => controller.abort();
  process.on("SIGTERM", onTerm);
  const line = progressLine(io, quiet);
  const common = { workdir, chunkFiles, chunkEvents, retries, force: flags.has("force"), resume: flags.has("resume"), taskCommand: hepcCommand(), signal: controller.signal, onProgress: line?.update };
  try {
    const { graph } = await prepare(plan, analysisDir, common);
    const rel = (p: string) => path.relative(io.cwd, p) || ".";
    if (executor === "htcondor") {
      const w = await writeCondor(graph, { ...common, requirements: options.get("requirements"), requestMemory: options.get("request-memory") });
      line?.done();
      if (json) io.stdout(JSON.stringify({ diagnostics: [], executor, workdir: rel(workdir), dag: rel(w.dag), submitted: w.submitted }, null, 2) + "\n");
      else io.stdout(w.submitted ? `submitted ${rel(w.dag)} with condor_submit_dag (${w.submitted}); follow it with \`hepc status ${rel(workdir)}\`\n` : `wrote ${rel(w.dag)}: condor_submit_dag was not found here; submit it from a host of your pool with\n  condor_submit_dag ${rel(w.dag)}\nand follow it with \`hepc status ${rel(workdir)}\`\n`);
      return EXIT_OK;
    }
    if (executor === "local") await runLocal(graph, { ...common, jobs: positive(options.get("jobs"), "jobs") });
    else {
      const poll = options.get("poll") === undefined ? 2 : Number(options.get("poll"));
      if (!(poll > 0)) throw new UsageError(`--poll needs a number of seconds > 0, not '${options.get("poll")}'`);
      await runSlurm(graph, { ...common, pollMs: poll * 1000, partition: options.get("partition"), time: options.get("time"), mem: options.get("mem"), account: options.get("account"), throttle: positive(options.get("throttle"), "throttle"), cpus: positive(options.get("cpus-per-task"), "cpus-per-task") });
    }
    line?.done();
    const merge = resultOf(workdir, graph.stages[graph.stages.length - 1].tasks[0])!;
    const tasks = graph.stages.reduce((a, s) => a + s.tasks.length, 0);
    if (json) {
      io.stdout(JSON.stringify({ diagnostics: [], executor, workdir: rel(workdir), tasks, runDir: merge.runDir ? rel(merge.runDir) : null, outputs: merge.outputs ?? {}, events: merge.events }, null, 2) + "\n");
    } else if (!quiet) {
      for (const o of Object.keys(merge.outputs ?? {})) io.stdout(`wrote ${rel(path.join(analysisDir, o))}\n`);
      io.stdout(`${tasks} tasks (${graph.stages.filter((s) => s.tasks.length).map((s) => `${s.tasks.length} ${s.name}`).join(", ")}) with the ${executor} executor in ${rel(workdir)}; run directory ${merge.runDir ? rel(merge.runDir) : "?"}; ${merge.events} events\n`);
    }
    return EXIT_OK;
  } catch (e) {
    line?.done();
    if (e instanceof RunError) {
      printRunError(io, e, analysisDir, json ? "json" : "text");
      if (!json && !(e.code === "HEP7004" || e.code === "HEP7001" || e.code === "HEP6007")) io.stderr(`work directory ${path.relative(io.cwd, workdir) || "."}: \`hepc status\` shows every task; \`--resume\` runs only what is missing\n`);
      return controller.signal.aborted ? EXIT_INTERRUPTED : EXIT_ERRORS;
    }
    throw e;
  } finally {
    release();
    process.off("SIGTERM", onTerm);
  }
}

/** On a terminal, one line redrawn in place; elsewhere nothing (logs get the final summary). */
function progressLine(io: CliIo, quiet: boolean): { update(v: StageView[]): void; done(): void } | undefined {
  if (quiet || !io.isTTY) return undefined;
  let last = "";
  let shown = false;
  return {
    update(views) {
      const text = formatViews(views);
      if (text === last) return;
      last = text;
      shown = true;
      io.stderr(`\r\x1b[2K${text}`);
    },
    done() {
      if (shown) io.stderr("\n");
      shown = false;
    },
  };
}

export function formatViews(views: StageView[]): string {
  return views.filter((v) => v.total > 0).map((v) => `${v.stage} ${v.done}/${v.total}${v.running ? ` ${v.running} running` : ""}${v.failed ? ` ${v.failed} failed` : ""}${v.stage === "read" && v.events ? ` (${v.events} events)` : ""}`).join(" · ");
}
