/** Printing a compilation's diagnostics in the CLI's two formats. */
import type { Compilation } from "../compiler/compile.js";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Diagnostic, diagnostic } from "../compiler/core/diagnostics.js";
import type { RunError } from "../runtime/exec/errors.js";
import { diagnosticToJson, renderDiagnostic, summaryLine } from "../compiler/core/render.js";
import { offsetOf, sourceFile, SourceFile } from "../compiler/core/source.js";
import { displayPath } from "../compiler/load/program.js";
import type { CliIo } from "./io.js";

export function sourcesOf(c: Pick<Compilation, "program">): Map<string, SourceFile> {
  return new Map(c.program.files.map((f) => [f.path, sourceFile(f.path, f.text)]));
}

/** Diagnostics as the JSON documents of every command carry them. */
export function diagnosticsJson(diags: readonly Diagnostic[], sources: Map<string, SourceFile>): unknown[] {
  return diags.map((d) => diagnosticToJson(d, sources.get(d.file)));
}

/**
 * Text goes to stderr; JSON is one document on stdout (`{"diagnostics": [...]}`), so a command
 * that prints diagnostics in JSON must print nothing else there: in JSON mode stdout holds exactly
 * one document, whatever happened.
 */
export function printDiagnostics(io: CliIo, diags: readonly Diagnostic[], sources: Map<string, SourceFile>, format: "text" | "json"): void {
  if (format === "json") {
    io.stdout(JSON.stringify({ diagnostics: diagnosticsJson(diags, sources) }, null, 2) + "\n");
    return;
  }
  for (const d of diags) io.stderr(renderDiagnostic(d, sources.get(d.file), { color: io.isTTY }) + "\n");
  if (diags.length) io.stderr(summaryLine(diags) + "\n");
}

/**
 * Runtime errors as diagnostics under the `.hep` line their plan node came from: the origin's file
 * is relative to the analysis folder.
 */
export function printRunError(io: CliIo, err: RunError, analysisDir: string, format: "text" | "json"): void {
  printRunErrors(io, [err], analysisDir, format);
}

/**
 * The runtime names files as the plan does, relative to the analysis folder (inputs, outputs,
 * `.hepc/cache`) or absolute (the run directory); shown, they are relative to the working
 * directory like every other path in a diagnostic.
 */
function withDisplayPaths(args: Record<string, string | number>, analysisDir: string, cwd: string): Record<string, string | number> {
  const out = { ...args };
  for (const key of ["file", "path"]) {
    const v = out[key];
    if (typeof v === "string" && v) out[key] = displayPath(path.resolve(analysisDir, v), cwd);
  }
  return out;
}

export function printRunErrors(io: CliIo, errs: RunError[], analysisDir: string, format: "text" | "json"): void {
  const sources = new Map<string, SourceFile>();
  const diags = errs.map((err) => {
    let span = { start: 0, end: 0 };
    let shown = err.origin ? displayPath(path.join(analysisDir, err.origin.file), io.cwd) : "hepc";
    if (err.origin) {
      try {
        const file = sources.get(shown) ?? sourceFile(shown, readFileSync(path.join(analysisDir, err.origin.file), "utf8"));
        sources.set(shown, file);
        span = { start: offsetOf(file, err.origin.line - 1, err.origin.column - 1), end: offsetOf(file, err.origin.endLine - 1, err.origin.endColumn - 1) };
      } catch {
        shown = err.origin.file;
      }
    }
    return diagnostic(err.code, shown, span, withDisplayPaths(err.args, analysisDir, io.cwd));
  });
  printDiagnostics(io, diags, sources, format);
}
