/**
 * The import graph follows the pipeline. Every import (static, `export … from`, dynamic `import()`,
 * type-only ones included: a type is an arrow too) of every .ts file under the source folders is
 * read with TypeScript's own pre-parser (comments and strings are not imports), resolved to a file
 * of the repository, and checked against RULES: which folders a folder may import. An import
 * between files under the same rule is always allowed (the rules are about arrows between rooms;
 * runtime/'s own rule covers only what no runtime/<room> rule does).
 *
 * A violation that cannot be fixed where it was found goes in EXCEPTIONS, by file pair and with
 * the reason; an exception that no longer occurs fails the test, so the list only shrinks.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./helpers/repo.js";

interface Rule {
  /** A folder (repository-relative, no trailing slash); the most specific rule for a file applies. */
  from: string;
  /** Folders or single files it may import (besides its own folder); "*" is anything. */
  may: readonly string[];
  /** Within what `may` allows, what it still must not import. */
  mayNot?: readonly string[];
}

// compiler/core's diagnostics table (one table for every phase) and its did-you-mean distance
// (the reader suggests branch names with it) import nothing themselves.
const RUNTIME_BASE = ["plan", "stdlib", "compiler/core/diagnostics.ts", "compiler/core/suggest.ts"];
const EVERYTHING = "*";

/** Lowest first: the order of the pipeline. */
const RULES: readonly Rule[] = [
  // The plan is the contract between compiler and runtime: both read it, it reads neither.
  { from: "plan", may: [] },
  // Tokens, parser and syntax tree: the bottom of the compiler; spans are its own (grammar/ast.ts).
  { from: "grammar", may: [] },
  // The standard library is a table read by the checker, the docs, the LSP and the runtime: it reads none of them.
  { from: "stdlib", may: [] },
  // The compiler reads the grammar, the stdlib table, and writes plans; it reaches disk only through
  // CompilerHost (compiler/host.ts), never host/ itself, and never the runtime.
  { from: "compiler", may: ["grammar", "stdlib", "plan"] },
  // The runtime runs plans: it may read the plan, the stdlib table and the one diagnostics table
  // (compiler/core/diagnostics.ts, for run-time errors in the same format), never the checker, the
  // syntax or plan building. Inside it: source (bytes) → io (ROOT) → columns (kernels) → exec.
  { from: "runtime", may: [...RUNTIME_BASE, "runtime/threads", "runtime/source", "runtime/io", "runtime/columns"] },
  // The process's one pool of worker threads, under every job kind: it knows job code only as a
  // module URL sent to its threads, so it imports nothing of the project.
  { from: "runtime/threads", may: [] },
  // Bytes from files and memory: the bottom of the runtime.
  { from: "runtime/source", may: RUNTIME_BASE },
  // ROOT reading and writing over sources.
  { from: "runtime/io", may: [...RUNTIME_BASE, "runtime/threads", "runtime/source"] },
  // Kernels over columns read by io.
  { from: "runtime/columns", may: [...RUNTIME_BASE, "runtime/threads", "runtime/source", "runtime/io"] },
  // The executor drives everything below it, and training, models and evaluation.
  { from: "runtime/exec", may: [...RUNTIME_BASE, "runtime"] },
  // Training, models and evaluation are called by the executor, never the other way round; they
  // may share each other's contracts (runtime/train/types.ts) and read columns.
  { from: "runtime/train", may: [...RUNTIME_BASE, "runtime/threads", "runtime/source", "runtime/io", "runtime/columns", "runtime/models", "runtime/evaluate"] },
  // The WebGPU adapter and device (and the optional package behind them): models use it, it uses none of them.
  { from: "runtime/devices", may: RUNTIME_BASE },
  { from: "runtime/models", may: [...RUNTIME_BASE, "runtime/threads", "runtime/source", "runtime/io", "runtime/columns", "runtime/train", "runtime/evaluate", "runtime/devices"] },
  { from: "runtime/evaluate", may: [...RUNTIME_BASE, "runtime/threads", "runtime/source", "runtime/io", "runtime/columns", "runtime/train", "runtime/models"] },
  // Fit-ready outputs (datacard, workspace): pure writers the executor calls; they import nothing of the project.
  { from: "runtime/fit", may: [] },
  // The compiler's window on disk: implements CompilerHost with the runtime's metadata reader, and
  // nothing else of the runtime (no kernels, no executor: the LSP loads it).
  { from: "host", may: ["compiler", "runtime/io", "runtime/source"] },
  // The language server: compiler, grammar and stdlib for the features, host/ for the disk; the
  // runtime only through host/ (it must start fast and never load kernels or onnxruntime).
  { from: "lsp", may: ["compiler", "grammar", "stdlib", "plan", "host"] },
  // The command line: the top, the only place that prints or exits.
  { from: "cli", may: [EVERYTHING] },
  // Reports and the run store read runs (plans and runtime results); no command line, no editor.
  { from: "report", may: ["plan", "runtime"] },
  { from: "track", may: ["plan", "runtime"] },
  // Benchmarks measure any layer, but not through the command line's modules.
  { from: "bench", may: [EVERYTHING], mayNot: ["cli"] },
];

/** Top-level folders that hold no source of the pipeline. */
const NOT_SOURCE = new Set(["node_modules", "dist", "test", "examples", "editors", "docs", ".git", ".github", ".ci"]);

interface Exception {
  from: string;
  to: string;
  why: string;
}

const EXCEPTIONS: readonly Exception[] = [];

interface Edge {
  from: string;
  to: string;
}

function within(file: string, folderOrFile: string): boolean {
  return folderOrFile === EVERYTHING || file === folderOrFile || file.startsWith(folderOrFile + "/");
}

/** The rule for a file: the one with the longest `from` containing it. */
function ruleFor(file: string, rules: readonly Rule[] = RULES): Rule | undefined {
  let best: Rule | undefined;
  for (const r of rules) if (within(file, r.from) && (!best || r.from.length > best.from.length)) best = r;
  return best;
}

/** The edges no rule allows and no exception names, each as "from → to (what the rule allows)". */
function violations(edges: readonly Edge[], rules: readonly Rule[] = RULES, exceptions: readonly Exception[] = EXCEPTIONS): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const rule = ruleFor(e.from, rules);
    if (!rule) {
      out.push(`${e.from} → ${e.to} (no rule covers ${e.from})`);
      continue;
    }
    if (ruleFor(e.to, rules) === rule) continue; // inside its own room
    const allowed = rule.may.some((m) => within(e.to, m)) && !(rule.mayNot ?? []).some((m) => within(e.to, m));
    if (allowed || exceptions.some((x) => x.from === e.from && x.to === e.to)) continue;
    const may = rule.may.length ? rule.may.join(", ") : "nothing of the project";
    out.push(`${e.from} → ${e.to} (${rule.from}/ may import ${may}${rule.mayNot ? `, not ${rule.mayNot.join(", ")}` : ""})`);
  }
  return out;
}

function sourceFolders(): string[] {
  return readdirSync(REPO_ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !NOT_SOURCE.has(d.name) && !d.name.startsWith("."))
    .map((d) => d.name)
    .sort();
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...tsFiles(rel));
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(rel);
  }
  return out;
}

/** The project's import edges (repository-relative paths; packages left out). */
function importEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const folder of sourceFolders()) {
    for (const file of tsFiles(folder)) {
      const { importedFiles } = ts.preProcessFile(readFileSync(path.join(REPO_ROOT, file), "utf8"), true, true);
      for (const { fileName } of importedFiles) {
        if (!fileName.startsWith(".")) continue;
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), fileName));
        const ts_ = target.replace(/\.js$/, ".ts");
        edges.push({ from: file, to: existsSync(path.join(REPO_ROOT, ts_)) ? ts_ : target });
      }
    }
  }
  return edges;
}

describe("the import graph", () => {
  const edges = importEdges();

  it("covers every source folder with a rule", () => {
    expect(edges.length).toBeGreaterThan(300);
    for (const folder of sourceFolders()) if (tsFiles(folder).length) expect(ruleFor(`${folder}/x.ts`), folder).toBeDefined();
  });

  it("has no arrow against the pipeline", () => {
    expect(violations(edges)).toEqual([]);
  });

  it("still needs every exception it lists", () => {
    for (const x of EXCEPTIONS) expect(edges.some((e) => e.from === x.from && e.to === x.to), `${x.from} → ${x.to} no longer occurs: remove the exception`).toBe(true);
  });

  it("starts threads in one place: only runtime/threads imports node:worker_threads", () => {
    const users: string[] = [];
    for (const folder of sourceFolders()) {
      for (const file of tsFiles(folder)) {
        const { importedFiles } = ts.preProcessFile(readFileSync(path.join(REPO_ROOT, file), "utf8"), true, true);
        if (importedFiles.some((f) => f.fileName === "node:worker_threads" || f.fileName === "worker_threads")) users.push(file);
      }
    }
    expect(users.length).toBeGreaterThan(0);
    expect(users.filter((f) => !within(f, "runtime/threads"))).toEqual([]);
  });

  it("resolves imports the way Node does (relative .js to the .ts source)", () => {
    expect(edges).toContainEqual({ from: "runtime/exec/errors.ts", to: "compiler/core/diagnostics.ts" });
    expect(edges).toContainEqual({ from: "lsp/server.ts", to: "host/index.ts" });
  });
});

describe("the rules", () => {
  const ok = (from: string, to: string) => violations([{ from, to }], RULES, []).length === 0;

  it("refuse the arrows the layering forbids", () => {
    // The back-arrows and the cycle this test was written after.
    expect(ok("grammar/ast.ts", "compiler/core/source.ts")).toBe(false);
    expect(ok("lsp/server.ts", "cli/host.ts")).toBe(false);
    // The bottom imports nothing of ours.
    expect(ok("plan/types.ts", "stdlib/index.ts")).toBe(false);
    expect(ok("stdlib/index.ts", "grammar/lexer.ts")).toBe(false);
    // The compiler never reads the runtime or the disk host.
    expect(ok("compiler/check/env.ts", "runtime/io/index.ts")).toBe(false);
    expect(ok("compiler/compile.ts", "host/index.ts")).toBe(false);
    // The runtime reads the diagnostics table and nothing else of the compiler.
    expect(ok("runtime/exec/errors.ts", "compiler/core/diagnostics.ts")).toBe(true);
    expect(ok("runtime/io/errors.ts", "compiler/core/diagnostics.ts")).toBe(true);
    expect(ok("runtime/exec/run.ts", "compiler/check/index.ts")).toBe(false);
    expect(ok("runtime/columns/gen.ts", "compiler/syntax/print.ts")).toBe(false);
    expect(ok("runtime/exec/run.ts", "compiler/plan/build.ts")).toBe(false);
    expect(ok("runtime/exec/run.ts", "compiler/core/types.ts")).toBe(false);
    // Inside the runtime: source → io → columns → exec, and the executor calls training, not back.
    expect(ok("runtime/io/reader.ts", "runtime/source/index.ts")).toBe(true);
    expect(ok("runtime/source/index.ts", "runtime/io/index.ts")).toBe(false);
    expect(ok("runtime/io/reader.ts", "runtime/columns/index.ts")).toBe(false);
    expect(ok("runtime/columns/gen.ts", "runtime/exec/run.ts")).toBe(false);
    expect(ok("runtime/exec/run.ts", "runtime/train/types.ts")).toBe(true);
    expect(ok("runtime/train/folds.ts", "runtime/exec/run.ts")).toBe(false);
    expect(ok("runtime/models/gbdt/fit.ts", "runtime/exec/chunks.ts")).toBe(false);
    expect(ok("runtime/evaluate/roc.ts", "runtime/exec/index.ts")).toBe(false);
    expect(ok("runtime/models/gbdt/fit.ts", "runtime/train/types.ts")).toBe(true);
    expect(ok("runtime/newroom/x.ts", "runtime/exec/index.ts")).toBe(false);
    // The thread pool is under every job kind and imports none of their code.
    expect(ok("runtime/io/pool.ts", "runtime/threads/index.ts")).toBe(true);
    expect(ok("runtime/exec/chunks.ts", "runtime/threads/index.ts")).toBe(true);
    expect(ok("runtime/models/gbdt/threads.ts", "runtime/threads/index.ts")).toBe(true);
    expect(ok("runtime/threads/pool.ts", "runtime/exec/chunk.ts")).toBe(false);
    expect(ok("runtime/threads/worker.ts", "runtime/io/decode-worker.ts")).toBe(false);
    expect(ok("runtime/threads/pool.ts", "runtime/models/gbdt/tasks.ts")).toBe(false);
    expect(ok("runtime/threads/pool.ts", "runtime/source/index.ts")).toBe(false);
    // host/ reads the metadata reader, never kernels or the executor.
    expect(ok("host/disk.ts", "runtime/io/index.ts")).toBe(true);
    expect(ok("host/disk.ts", "runtime/exec/index.ts")).toBe(false);
    expect(ok("host/disk.ts", "cli/io.ts")).toBe(false);
    // The LSP reaches the runtime only through host/.
    expect(ok("lsp/workspace.ts", "runtime/io/index.ts")).toBe(false);
    expect(ok("lsp/server.ts", "host/index.ts")).toBe(true);
    // The top and the side rooms.
    expect(ok("cli/commands/run.ts", "runtime/exec/index.ts")).toBe(true);
    expect(ok("report/html.ts", "runtime/evaluate/roc.ts")).toBe(true);
    expect(ok("report/html.ts", "cli/io.ts")).toBe(false);
    expect(ok("track/store.ts", "lsp/server.ts")).toBe(false);
    expect(ok("bench/lsp.ts", "lsp/server.ts")).toBe(true);
    expect(ok("bench/lsp.ts", "cli/main.ts")).toBe(false);
    // A folder no rule names is an error, not a free pass.
    expect(violations([{ from: "newtop/x.ts", to: "cli/main.ts" }], RULES, [])).toEqual(["newtop/x.ts → cli/main.ts (no rule covers newtop/x.ts)"]);
  });

  it("say what was allowed when they refuse", () => {
    expect(violations([{ from: "grammar/ast.ts", to: "compiler/core/source.ts" }], RULES, [])).toEqual([
      "grammar/ast.ts → compiler/core/source.ts (grammar/ may import nothing of the project)",
    ]);
  });

  it("let a named exception through, and only that one", () => {
    const x = [{ from: "bench/lsp.ts", to: "cli/host.ts", why: "test" }];
    expect(violations([{ from: "bench/lsp.ts", to: "cli/host.ts" }], RULES, x)).toEqual([]);
    expect(violations([{ from: "bench/check.ts", to: "cli/host.ts" }], RULES, x)).toHaveLength(1);
  });
});
