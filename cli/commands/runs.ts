/**
 * `hepc runs`: the run store of an analysis (.hepc/runs): list with filters, show, compare (with
 * the semantic diff of the two analyses, which needs the compiler and so is done here), tag, gc,
 * merge of stores from other machines, export to MLflow's file store, push to an MLflow server.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { Diff, Side } from "../../compiler/diff/index.js";
// The store's modules one by one, not track/index.js: listing must not load the YAML writer of
// the MLflow export (start-up is most of a listing's time).
import { compareRuns, type Comparison } from "../../track/compare.js";
import { gc } from "../../track/gc.js";
import { mergeStores, storeDirOf } from "../../track/merge.js";
import { filterRuns } from "../../track/query.js";
import { loadStore, readHistory, resolveRun, StoreError, writeTags, type Store, type StoredRun } from "../../track/store.js";
import { SOURCE_FILE, type RunStatus } from "../../track/types.js";
import { CliIo, EXIT_ERRORS, EXIT_OK, parseArgs, UsageError } from "../io.js";

export const HELP = `usage: hepc runs [list] [filters] [--store DIR] [--markdown | --json]
       hepc runs show RUN
       hepc runs compare RUN1 RUN2 [RUN3...]
       hepc runs tag RUN NAME [--remove]
       hepc runs gc --keep N [--dry-run]
       hepc runs merge DIR...
       hepc runs export --mlflow DIR
       hepc runs push URI

The run store is .hepc/runs beside the analysis (--store DIR: another store, or an analysis
folder holding one). Every \`hepc run\` adds a run: the source, plan, inputs with checksums, git
commit and diff, host, versions, params (model hyperparameters), metrics (evaluation figures,
loss curves per tree or epoch) and outputs. A RUN is named by its id (or 4+ leading digits), its
directory name, or a tag.

list filters (newest first):
  --analysis NAME   runs of this analysis
  --model NAME      runs whose analysis trains this model
  --tag NAME        runs with this tag
  --status S        ok, failed or interrupted
  --where EXPR      metric or param conditions joined by 'and': 'auc(bdt) > 0.9',
                    'wall_ms < 60000', 'params.bdt.max_depth = 4'
  --limit N         at most N runs

compare prints params side by side, metrics with each run's difference from the first, and the
semantic diff of the first and last runs' analyses (their stored sources).
gc removes all but the newest N untagged runs; tagged runs are never removed.
merge copies runs from other stores (folders copied from other machines) into this one; the
same run twice is kept once (ids are content-derived).
export writes MLflow's file-store layout (open with \`mlflow ui --backend-store-uri DIR\`;
see docs/tracking.md); exporting again only adds what is new.
push logs the stored runs to an MLflow tracking server (URI or MLFLOW_TRACKING_URI) through its
REST API, each run once; --experiment NAME logs into that experiment instead of the analysis's.

output: text (default), --markdown, or --json (one JSON document)
`;

type Format = "text" | "markdown" | "json";
const SUBCOMMANDS = new Set(["list", "show", "compare", "tag", "gc", "merge", "export", "push"]);

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, {
    flags: ["help", "json", "markdown", "remove", "dry-run"],
    options: ["store", "analysis", "model", "tag", "status", "where", "limit", "keep", "mlflow", "format", "experiment"],
  });
  if (args.flags.has("help")) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  const format: Format = args.flags.has("json") || args.options.get("format") === "json" ? "json" : args.flags.has("markdown") || args.options.get("format") === "markdown" ? "markdown" : "text";
  const [first, ...rest] = args.positionals;
  const sub = first === undefined ? "list" : first;
  if (!SUBCOMMANDS.has(sub)) throw new UsageError(`unknown subcommand '${sub}'\n\n${HELP}`);
  const storeDir = storeDirOf(path.resolve(io.cwd, args.options.get("store") ?? "."));
  try {
    switch (sub) {
      case "list":
        return list(io, storeDir, args.options, format);
      case "show":
        return show(io, storeDir, rest, format);
      case "compare":
        return await compare(io, storeDir, rest, format);
      case "tag":
        return tag(io, storeDir, rest, args.flags.has("remove"), format);
      case "gc":
        return collect(io, storeDir, args.options.get("keep"), args.flags.has("dry-run"), format);
      case "merge":
        return merge(io, storeDir, rest, format);
      case "export":
        return await exportRuns(io, storeDir, args.options.get("mlflow") ?? rest[0], format);
      case "push":
        return await push(io, storeDir, rest[0] ?? args.options.get("mlflow") ?? process.env.MLFLOW_TRACKING_URI, args.options.get("experiment"), format);
    }
  } catch (e) {
    if (e instanceof StoreError) throw new UsageError(e.message, EXIT_ERRORS);
    throw e;
  }
  return EXIT_OK;
}

function load(io: CliIo, storeDir: string, format: Format): Store {
  const store = loadStore(storeDir);
  // unreadable runs are said on stderr in every format; JSON documents also carry them
  if (format !== "json") for (const p of store.problems) io.stderr(`hepc runs: skipped ${rel(io, p.dir)}: ${p.reason}\n`);
  return store;
}

function rel(io: CliIo, p: string): string {
  return path.relative(io.cwd, p) || ".";
}

function problemsJson(io: CliIo, store: Store) {
  return store.problems.map((p) => ({ dir: rel(io, p.dir), reason: p.reason }));
}

// ---- list --------------------------------------------------------------------------------------

function status(v: string | undefined): RunStatus | undefined {
  if (v === undefined || v === "ok" || v === "failed" || v === "interrupted") return v;
  throw new UsageError(`--status must be ok, failed or interrupted, not '${v}'`);
}

/** The figures a listing shows: the overall AUC of each model (MODEL[/REGION]/auc, no fold). */
function headlines(r: StoredRun): string {
  return Object.entries(r.record.metrics)
    .filter(([k]) => k.endsWith("/auc") && !/\/fold\d+\//.test(k))
    .map(([k, v]) => `auc(${k.slice(0, -4).replace("/", ", ")})=${v.toFixed(4)}`)
    .join(" ");
}

function list(io: CliIo, storeDir: string, o: Map<string, string>, format: Format): number {
  const store = load(io, storeDir, format);
  const limit = o.get("limit") === undefined ? Infinity : Number(o.get("limit"));
  if (!(limit >= 1)) throw new UsageError(`--limit needs a positive integer, not '${o.get("limit")}'`);
  const runs = filterRuns(store.runs, { analysis: o.get("analysis"), model: o.get("model"), tag: o.get("tag"), status: status(o.get("status")), where: o.get("where") }).slice(0, limit);
  if (format === "json") {
    io.stdout(JSON.stringify({ store: rel(io, storeDir), runs: runs.map((r) => summaryJson(io, r)), problems: problemsJson(io, store) }, null, 2) + "\n");
    return EXIT_OK;
  }
  const rows = runs.map((r) => [r.record.id.slice(0, 12), r.record.startedAt.replace("T", " ").replace(/\.\d+Z$/, "Z"), r.record.analysis, r.record.status, r.tags.join(","), headlines(r)]);
  io.stdout(table(["id", "started", "analysis", "status", "tags", "metrics"], rows, format));
  if (format === "text") io.stdout(`${runs.length} run${runs.length === 1 ? "" : "s"}${runs.length < store.runs.length ? ` of ${store.runs.length}` : ""} in ${rel(io, storeDir)}\n`);
  return EXIT_OK;
}

function summaryJson(io: CliIo, r: StoredRun) {
  const x = r.record;
  return { id: x.id, name: x.name, dir: rel(io, r.dir), analysis: x.analysis, status: x.status, startedAt: x.startedAt, wallMs: x.wallMs, planHash: x.planHash, tags: r.tags, models: x.models.map((m) => m.model), metrics: x.metrics };
}

function table(header: string[], rows: string[][], format: Format): string {
  if (format === "markdown") {
    const esc = (s: string) => s.replace(/\|/g, "\\|");
    return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n") + "\n";
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

// ---- show --------------------------------------------------------------------------------------

function show(io: CliIo, storeDir: string, names: string[], format: Format): number {
  if (names.length !== 1) throw new UsageError(`expected one run\n\n${HELP}`);
  const store = load(io, storeDir, format);
  const r = resolveRun(store, names[0]);
  const x = r.record;
  if (format === "json") {
    io.stdout(JSON.stringify({ ...x, dir: rel(io, r.dir), tags: r.tags, history: readHistory(r) }, null, 2) + "\n");
    return EXIT_OK;
  }
  const md = format === "markdown";
  const h = (t: string) => (md ? `\n## ${t}\n\n` : `\n${t}:\n`);
  let out = md ? `# Run ${x.id}\n\n` : `run ${x.id}\n`;
  const facts: Array<[string, string]> = [
    ["directory", rel(io, r.dir)],
    ["analysis", `${x.analysis} (${x.source.path})`],
    ["status", `${x.status} (exit ${x.exitCode})${x.error ? `: ${x.error}` : ""}`],
    ["started", x.startedAt],
    ["wall time", `${(x.wallMs / 1000).toFixed(2)} s`],
    ["stages", Object.entries(x.stages).map(([k, v]) => `${k} ${v} ms`).join(", ") || "-"],
    ["peak memory", `${(x.peakRssBytes / 2 ** 20).toFixed(0)} MiB`],
    ["host", `${x.host.hostname} (${x.host.platform} ${x.host.arch}, ${x.host.cpus} cpus, node ${x.host.node})`],
    ["git", x.git ? `${x.git.commit.slice(0, 12)}${x.git.branch ? ` on ${x.git.branch}` : ""}${x.git.dirty ? " (dirty; diff in git.diff)" : ""}` : "not in a git repository"],
    ["plan", x.planHash],
    ["versions", Object.entries(x.versions).map(([k, v]) => `${k} ${v}`).join(", ")],
    ["tags", r.tags.join(", ") || "-"],
  ];
  if (x.reproduces) facts.push(["reproduces", x.reproduces]);
  out += md ? table(["", ""], facts.map(([a, b]) => [a, b]), "markdown") : facts.map(([a, b]) => `  ${a.padEnd(12)} ${b}\n`).join("");
  out += h("inputs") + table(["path", "size", "sha256"], x.inputs.map((i) => [i.path, String(i.size), i.sha256.slice(0, 16)]), format);
  out += h("params") + table(["param", "value"], Object.entries(x.params).map(([k, v]) => [k, v]), format);
  out += h("metrics") + table(["metric", "value"], Object.entries(x.metrics).map(([k, v]) => [k, String(v)]), format);
  out += h("artifacts") + x.artifacts.map((a) => (md ? `- ${a}\n` : `  ${a}\n`)).join("");
  io.stdout(out);
  return EXIT_OK;
}

// ---- compare -----------------------------------------------------------------------------------

async function compare(io: CliIo, storeDir: string, names: string[], format: Format): Promise<number> {
  if (names.length < 2) throw new UsageError(`compare needs at least two runs\n\n${HELP}`);
  const store = load(io, storeDir, format);
  const runs = names.map((n) => resolveRun(store, n));
  const c = compareRuns(runs);
  const semantic = await analysisDiff(storeDir, runs[0], runs[runs.length - 1]);
  if (format === "json") {
    io.stdout(JSON.stringify({ ...c, analysisDiff: semantic.diff ?? null, ...(semantic.reason ? { analysisDiffUnavailable: semantic.reason } : {}) }, null, 2) + "\n");
    return EXIT_OK;
  }
  io.stdout(renderComparison(c, format));
  const md = format === "markdown";
  io.stdout(md ? `\n## Analysis diff\n\n` : `\nanalysis diff (${runs[0].record.id.slice(0, 12)} → ${runs[runs.length - 1].record.id.slice(0, 12)}):\n`);
  if (semantic.diff) {
    const { renderMarkdown, renderText } = await import("../../compiler/diff/index.js");
    io.stdout(md ? renderMarkdown(semantic.diff) : renderText(semantic.diff, { color: false }));
  }
  else io.stdout(`${semantic.reason}\n`);
  return EXIT_OK;
}

function fmtNum(v: number | null): string {
  return v === null ? "-" : Number.isInteger(v) ? String(v) : v.toPrecision(6);
}

function renderComparison(c: Comparison, format: Format): string {
  const ids = c.runs.map((r) => r.id.slice(0, 12));
  const md = format === "markdown";
  let out = md ? `# Runs compared\n\n## Params\n\n` : `params:\n`;
  out += table(["param", ...ids], c.params.map((p) => [p.same ? p.key : `${p.key} *`, ...p.values.map((v) => v ?? "-")]), format);
  out += md ? `\n## Metrics\n\n` : `\nmetrics (difference from ${ids[0]}):\n`;
  out += table(["metric", ...ids], c.metrics.map((m) => [m.key, ...m.values.map((v, i) => (i === 0 ? fmtNum(v) : `${fmtNum(v)} (${m.diffs[i] === null ? "-" : (m.diffs[i]! >= 0 ? "+" : "") + fmtNum(m.diffs[i])})`))]), format);
  return out;
}

/**
 * The semantic diff of two runs' analyses: each stored source compiled as the file it was
 * (includes and samples resolve from the analysis folder as it is now).
 */
async function analysisDiff(storeDir: string, a: StoredRun, b: StoredRun): Promise<{ diff?: Diff; reason?: string }> {
  // the compiler is loaded only here: listing a store must start fast
  const { compilePlan } = await import("../../compiler/compile.js");
  const { diffSides } = await import("../../compiler/diff/index.js");
  const analysisDir = path.dirname(path.dirname(storeDir));
  const sides: Side[] = [];
  for (const r of [a, b]) {
    const src = path.join(r.dir, SOURCE_FILE);
    if (!existsSync(src)) return { reason: `run ${r.record.id.slice(0, 12)} has no stored source (it ran a plan file)` };
    const abs = path.join(analysisDir, path.basename(r.record.source.path));
    const { nodeHost } = await import("../host.js");
    const c = await compilePlan(abs, nodeHost(analysisDir), { overlay: new Map([[abs, readFileSync(src, "utf8")]]) });
    const errors = c.diagnostics.filter((d) => d.severity === "error");
    if (errors.length || !c.plan) return { reason: `the source of run ${r.record.id.slice(0, 12)} does not compile now (${errors[0]?.code ?? "no plan"} ${errors[0]?.message ?? ""}): its includes or samples may have changed` };
    sides.push({ compilation: c, plan: c.plan, label: `${r.record.id.slice(0, 12)}:${path.basename(abs)}` });
  }
  return { diff: diffSides(sides[0], sides[1]) };
}

// ---- tag, gc, merge ----------------------------------------------------------------------------

function tag(io: CliIo, storeDir: string, rest: string[], remove: boolean, format: Format): number {
  if (rest.length !== 2) throw new UsageError(`expected RUN NAME\n\n${HELP}`);
  const [name, t] = rest;
  if (!/^[\w.-]+$/.test(t)) throw new UsageError(`a tag is letters, digits, '_', '-' and '.', not '${t}'`);
  const store = load(io, storeDir, format);
  const r = resolveRun(store, name);
  const tags = remove ? r.tags.filter((x) => x !== t) : [...r.tags, t];
  writeTags(r.dir, tags);
  if (format === "json") io.stdout(JSON.stringify({ id: r.record.id, tags: [...new Set(tags)].sort() }, null, 2) + "\n");
  else io.stdout(`${remove ? "removed tag" : "tagged"} ${r.record.id.slice(0, 12)} ${remove ? "" : "as "}${t}\n`);
  return EXIT_OK;
}

function collect(io: CliIo, storeDir: string, keepArg: string | undefined, dryRun: boolean, format: Format): number {
  const keep = Number(keepArg);
  if (keepArg === undefined || !Number.isInteger(keep) || keep < 0) throw new UsageError(`gc needs --keep N (a whole number of untagged runs to keep)`);
  const store = load(io, storeDir, format);
  const { removed, kept } = gc(store, keep, dryRun);
  if (format === "json") {
    io.stdout(JSON.stringify({ dryRun, removed: removed.map((r) => ({ id: r.record.id, name: r.record.name })), kept: kept.length, problems: problemsJson(io, store) }, null, 2) + "\n");
    return EXIT_OK;
  }
  for (const r of removed) io.stdout(`${dryRun ? "would remove" : "removed"} ${r.record.id.slice(0, 12)} ${r.record.name}\n`);
  const tagged = kept.filter((r) => r.tags.length).length;
  io.stdout(`${dryRun ? "would remove" : "removed"} ${removed.length} run${removed.length === 1 ? "" : "s"}; kept ${kept.length} (${tagged} tagged)\n`);
  return EXIT_OK;
}

function merge(io: CliIo, storeDir: string, dirs: string[], format: Format): number {
  if (dirs.length === 0) throw new UsageError(`merge needs one or more stores to merge from\n\n${HELP}`);
  const sources = dirs.map((d) => path.resolve(io.cwd, d));
  for (const s of sources) if (!existsSync(s)) throw new UsageError(`no such folder: ${rel(io, s)}`, EXIT_ERRORS);
  const r = mergeStores(storeDir, sources);
  if (format === "json") {
    io.stdout(JSON.stringify({ store: rel(io, storeDir), added: r.added.map((a) => ({ id: a.id, name: a.name, from: rel(io, a.from) })), already: r.already.map((a) => a.id), problems: r.problems.map((p) => ({ dir: rel(io, p.dir), reason: p.reason })) }, null, 2) + "\n");
    return EXIT_OK;
  }
  for (const p of r.problems) io.stderr(`hepc runs: skipped ${rel(io, p.dir)}: ${p.reason}\n`);
  io.stdout(`merged into ${rel(io, storeDir)}: ${r.added.length} run${r.added.length === 1 ? "" : "s"} added, ${r.already.length} already there\n`);
  return EXIT_OK;
}

// ---- MLflow ------------------------------------------------------------------------------------

async function exportRuns(io: CliIo, storeDir: string, dir: string | undefined, format: Format): Promise<number> {
  if (!dir) throw new UsageError(`export needs --mlflow DIR`);
  const store = load(io, storeDir, format);
  const { exportFileStore } = await import("../../track/mlflow/filestore.js");
  const r = exportFileStore(path.resolve(io.cwd, dir), store.runs);
  if (format === "json") {
    io.stdout(JSON.stringify({ mlflow: rel(io, r.root), experiments: r.experiments, written: r.written, unchanged: r.unchanged, problems: problemsJson(io, store) }, null, 2) + "\n");
    return EXIT_OK;
  }
  io.stdout(`exported to ${rel(io, r.root)} (MLflow file store): ${r.written.length} run${r.written.length === 1 ? "" : "s"} written, ${r.unchanged.length} unchanged; experiments ${r.experiments.map((e) => `${e.name} (${e.id})`).join(", ") || "-"}\n`);
  io.stdout(`open it with: mlflow ui --backend-store-uri ${rel(io, r.root)}  (MLflow 3.13+: MLFLOW_ALLOW_FILE_STORE=true)\n`);
  return EXIT_OK;
}

async function push(io: CliIo, storeDir: string, uri: string | undefined, experiment: string | undefined, format: Format): Promise<number> {
  if (!uri) throw new UsageError(`push needs the server: hepc runs push URI (or MLFLOW_TRACKING_URI)`);
  if (!/^https?:\/\//.test(uri)) throw new UsageError(`push sends runs to an MLflow server (http:// or https://), not '${uri}'; for a folder use export --mlflow DIR`);
  const store = load(io, storeDir, format);
  const { pushRun, MlflowUnreachable } = await import("../../track/mlflow/rest.js");
  const done: Array<Record<string, unknown>> = [];
  let failure: string | null = null;
  // oldest first, so that the server's run list has the store's order
  for (const run of [...store.runs].reverse()) {
    try {
      done.push({ ...(await pushRun(uri, run, experiment)) });
    } catch (e) {
      failure = `${(e as Error).message}; ${e instanceof MlflowUnreachable ? "the runs stay in the store and \`hepc runs push\` sends the rest later" : "nothing more was sent"}`;
      break;
    }
  }
  const pushed = done.filter((d) => d.status === "pushed").length;
  if (format === "json") {
    io.stdout(JSON.stringify({ uri, runs: done, pushed, already: done.length - pushed, notSent: store.runs.length - done.length, error: failure, problems: problemsJson(io, store) }, null, 2) + "\n");
  } else {
    for (const d of done) io.stdout(`${d.status === "pushed" ? "pushed" : "already there"} ${String(d.id).slice(0, 12)} as ${String(d.serverRunId)}${d.artifactsSkipped ? ` (artefacts not sent: ${String(d.artifactsSkipped)})` : ""}\n`);
    io.stdout(`${pushed} run${pushed === 1 ? "" : "s"} pushed to ${uri}, ${done.length - pushed} already there${failure ? `, ${store.runs.length - done.length} not sent` : ""}\n`);
    if (failure) io.stderr(`hepc runs: ${failure}\n`);
  }
  return failure ? EXIT_ERRORS : EXIT_OK;
}
