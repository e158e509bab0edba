/**
 * `hepc run FILE.hep | PLAN.json`: compiles (or takes) the plan and executes it on the samples,
 * printing cutflows and where the outputs went.
 */
import * as path from "node:path";
import { compilePlan, hasErrors } from "../../compiler/compile.js";
import { hepcVersion } from "../../compiler/version.js";
import { execute, formatCutflow, readPlanFile, RunError, summaryOf, unsupportedNodes } from "../../runtime/exec/index.js";
import type { Plan } from "../../plan/types.js";
import { printDiagnostics, printRunError, printRunErrors, sourcesOf } from "../diagnostics.js";
import { nodeHost } from "../host.js";
import { renderRunReport } from "../report.js";
import { newRunDir, recordRun, runDirsOf, type RunStatus } from "../../track/index.js";
import { isDeviceWanted, type DeviceWanted } from "../../runtime/devices/index.js";
import { progressSink, type ProgressMode } from "../progress.js";
import { SET_HELP, takeSets } from "../set.js";
import { runScaled, SCALE_FLAGS, SCALE_HELP, SCALE_OPTIONS } from "./scale.js";
import { CliIo, EXIT_ERRORS, EXIT_INTERRUPTED, EXIT_OK, onInterrupt, parseArgs, UsageError } from "../io.js";

/** Tables are laid out for this width when stdout is not a terminal (a log, a pipe). */
const TABLE_WIDTH = 120;

export const HELP = `usage: hepc run FILE.hep | PLAN.json [options]

Runs the analysis: reads the samples (only the branches it needs), builds objects and
observables, applies selections and weights, fills cutflows and histograms, and writes the
outputs the analysis declares. Each run gets a directory in .hepc/runs beside the analysis with
the plan, input identities, versions, outputs and a log.

options:
  --chunk-size N   entries read per chunk (default 250000); results do not depend on it
  --threads N      threads reading and computing chunks (default: one per core); 1 runs
                   everything on one thread. Results do not depend on it
  --no-cache       neither use nor fill the column cache (.hepc/cache; kept within
                   HEPC_CACHE_SIZE, default 4G, least recently used columns removed first)
  --progress MODE  bar (redrawn in place), plain (a line per sample every few seconds and
                   when it finishes, for logs) or none; default bar on a terminal, else plain.
                   Progress goes to stderr
  --device D       where models that can use a GPU (mlp) train: auto (a hardware GPU when
                   WebGPU finds one, else the CPU; the default), cpu or gpu (an error before
                   any work when there is no adapter). HEPC_DEVICE sets the default; a train
                   block's \`device\` wins. \`hepc devices\` lists the adapters
  --quiet          no progress and no cutflow table
  --json           print one JSON document on stdout: the summary ({"diagnostics": [], ...}),
                   or {"diagnostics": [...]} when the run could not be done
${SET_HELP}
`;

function positiveInt(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} needs a positive integer, not '${v}'`);
  return n;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  // Ctrl-C while compiling or loading the plan: nothing has been written yet, and the user hears so
  // just as for a run interrupted later (HEP6005). Once work starts, it aborts the run instead.
  const release = onInterrupt(() => {
    printRunError(io, new RunError("HEP6005", {}), io.cwd, argv.includes("--json") ? "json" : "text");
    process.exit(EXIT_INTERRUPTED);
  });
  try {
    return await runCommand(argv, io);
  } finally {
    release();
  }
}

async function runCommand(argv: string[], io: CliIo): Promise<number> {
  const sets = takeSets(argv);
  const args = parseArgs(sets.argv, { flags: ["help", "no-cache", "quiet", "json", ...SCALE_FLAGS], options: ["chunk-size", "threads", "progress", ...SCALE_OPTIONS, "device"] });
  if (args.flags.has("help")) {
    io.stdout(HELP + SCALE_HELP);
    return EXIT_OK;
  }
  if (args.positionals.length !== 1) throw new UsageError(`expected one .hep file or plan .json\n\n${HELP}`);
  const chunkSize = positiveInt(args.options.get("chunk-size"), "chunk-size");
  const threads = positiveInt(args.options.get("threads"), "threads");
  const json = args.flags.has("json");
  const device = deviceOption(args.options.get("device") ?? process.env.HEPC_DEVICE, args.options.has("device") ? "--device" : "HEPC_DEVICE");
  const quiet = args.flags.has("quiet") || json;
  const progressMode = progressOption(args.options.get("progress"), quiet, io.isTTY);
  const target = args.positionals[0];
  const abs = path.resolve(io.cwd, target);
  const analysisDir = path.dirname(abs);

  let plan: Plan;
  if (target.endsWith(".json")) {
    if (sets.params.size) throw new UsageError("--set applies to a .hep file; a plan holds its parameters' values already");
    try {
      plan = readPlanFile(abs) as Plan;
    } catch (e) {
      if (e instanceof RunError) {
        printRunError(io, e, analysisDir, json ? "json" : "text");
        return EXIT_ERRORS;
      }
      throw e;
    }
  } else {
    const c = await compilePlan(target, nodeHost(io.cwd), { params: sets.params });
    if (hasErrors(c.diagnostics) || !c.plan) {
      printDiagnostics(io, c.diagnostics.filter((d) => d.severity === "error"), sourcesOf(c), json ? "json" : "text");
      return EXIT_ERRORS;
    }
    plan = c.plan;
  }

  if (args.options.has("executor")) return runScaled(plan, analysisDir, args.options, args.flags, io, json, quiet);
  const scaleOnly = [...SCALE_OPTIONS.filter((o) => args.options.has(o)), ...SCALE_FLAGS.filter((f) => args.flags.has(f))];
  if (scaleOnly.length) throw new UsageError(`--${scaleOnly[0]} needs --executor local|slurm|htcondor`);

  // What cannot run is said before any work, with every construct named; the rest runs.
  const notRun = Array.isArray((plan as Plan).nodes) ? unsupportedNodes(plan) : [];
  if (notRun.length && !json) printRunErrors(io, notRun, analysisDir, "text");

  const controller = new AbortController();
  // A second Ctrl-C does not wait for the run to wind down (nothing is published past the first).
  const releaseInterrupt = onInterrupt(() => (controller.signal.aborted ? process.exit(EXIT_INTERRUPTED) : controller.abort()));
  const progress = progressSink(progressMode, io);
  const startedAt = new Date();
  const before = runDirsOf(analysisDir);
  const record = (runDir: string | null, status: RunStatus, exitCode: number, error: string | null) =>
    recordTrackedRun(io, { runDir, plan, analysisDir, sourceFile: target.endsWith(".json") ? null : abs, status, exitCode, error, startedAt });
  const pushUri = process.env.MLFLOW_TRACKING_URI;
  try {
    const ex = await execute(plan, {
      analysisDir,
      chunkSize,
      threads,
      device,
      cache: !args.flags.has("no-cache"),
      signal: controller.signal,
      versions: { hepc: hepcVersion(), node: process.version },
      onProgress: progress ? (p) => progress.update(p) : undefined,
      renderReport: (p, result, planHash) => renderRunReport(p, result, planHash, { hepc: hepcVersion(), node: process.version }),
    });
    progress?.done();
    if (record(ex.runDir, "ok", EXIT_OK, null) && pushUri && /^https?:\/\//.test(pushUri)) await pushTrackedRun(io, ex.runDir, pushUri);
    if (!json) for (const w of ex.result.warnings) io.stderr(`hepc run: warning: ${w}\n`);
    if (json) {
      // what was not run (HEP6001) is said in the one document, as warnings
      const diagnostics = notRun.map((e) => ({ code: e.code, severity: "warning", message: e.message, ...(e.origin ? { file: e.origin.file, line: e.origin.line, column: e.origin.column } : {}) }));
      const summary = { diagnostics, ...summaryOf(plan, ex.result, ex.outputs, ex.wallMs), runDir: path.relative(io.cwd, ex.runDir) };
      io.stdout(JSON.stringify(summary, null, 2) + "\n");
      return EXIT_OK;
    }
    if (!quiet) {
      for (const c of ex.result.cutflows) {
        // region weights may weight a region's events while the selection's are all 1
        const weighted = c.samples.some((s) => s.selected.weighted !== s.selected.raw || Object.values(s.regions).some((r) => r.weighted !== r.raw));
        io.stdout(`cutflow (${c.file})${weighted ? ", raw events (weighted)" : ""}:\n${formatCutflow(c.regions, c.samples, weighted, io.columns ?? TABLE_WIDTH)}\n`);
      }
      const rel = (p: string) => path.relative(io.cwd, path.join(analysisDir, p)) || p;
      for (const o of ex.outputs) io.stdout(`wrote ${rel(o.path)}${o.kind === "root" ? ` (${o.objects} histogram${o.objects === 1 ? "" : "s"})` : o.kind === "tree" ? ` (${o.objects} entries)` : ""}\n`);
      for (const m of ex.result.models) io.stdout(`model ${m.model} (${m.kind}): ${m.cached ? "from the cache (trained" : "trained"} on ${m.device}${m.cached ? ")" : ""}${m.scored ? `, scored on ${m.scored}` : ""}\n`);
      const cached = ex.result.samples.filter((s) => !s.read).map((s) => s.name);
      io.stdout(`run directory ${path.relative(io.cwd, ex.runDir)}; ${ex.result.samples.reduce((a, s) => a + s.entries, 0)} events in ${(ex.wallMs / 1000).toFixed(2)} s${cached.length ? `; from the cache: ${cached.join(", ")}` : ""}\n`);
    }
    return EXIT_OK;
  } catch (e) {
    progress?.done();
    const aborted = controller.signal.aborted;
    const failedDir = newRunDir(analysisDir, plan, before);
    if (record(failedDir, aborted ? "interrupted" : "failed", aborted ? EXIT_INTERRUPTED : EXIT_ERRORS, (e as Error).message ?? String(e)) && failedDir && pushUri && /^https?:\/\//.test(pushUri)) await pushTrackedRun(io, failedDir, pushUri);
    if (e instanceof RunError) {
      printRunError(io, e, analysisDir, json ? "json" : "text");
      return controller.signal.aborted ? EXIT_INTERRUPTED : EXIT_ERRORS;
    }
    throw e;
  } finally {
    releaseInterrupt();
  }
}

/**
 * The run store's record of a run (track/): made after the run, succeeded or failed. A record that
 * cannot be written never fails the run; it is said on stderr.
 */
function recordTrackedRun(io: CliIo, o: Omit<Parameters<typeof recordRun>[0], "runDir"> & { runDir: string | null }): boolean {
  if (!o.runDir) return false;
  try {
    recordRun({ ...o, runDir: o.runDir });
    return true;
  } catch (e) {
    io.stderr(`hepc run: warning: the run was not recorded in the run store (${(e as Error).message})\n`);
    return false;
  }
}

/** With MLFLOW_TRACKING_URI set to a server, the run is logged there too; a server out of reach never fails the run. */
async function pushTrackedRun(io: CliIo, runDir: string, uri: string): Promise<void> {
  const { readRun } = await import("../../track/store.js");
  const { pushRun } = await import("../../track/mlflow/rest.js");
  const run = readRun(runDir);
  if (!("record" in run)) return;
  try {
    await pushRun(uri, run);
  } catch (e) {
    io.stderr(`hepc run: warning: the run is stored in ${path.relative(io.cwd, runDir)} but was not logged to MLflow: ${(e as Error).message}; \`hepc runs push ${uri}\` sends it later\n`);
  }
}

/** --device, else HEPC_DEVICE, else auto. */
function deviceOption(v: string | undefined, from: string): DeviceWanted {
  if (v === undefined || v === "") return "auto";
  if (isDeviceWanted(v)) return v;
  throw new UsageError(`${from} must be auto, cpu or gpu, not '${v}' [HEP6093]`);
}

/** An explicit --progress wins over --quiet and --json (it writes only to stderr). */
function progressOption(v: string | undefined, quiet: boolean, tty: boolean): ProgressMode {
  if (v === undefined) return quiet ? "none" : tty ? "bar" : "plain";
  if (v === "bar" || v === "plain" || v === "none") return v;
  throw new UsageError(`--progress must be bar, plain or none, not '${v}'`);
}
