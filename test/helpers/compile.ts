/** Compiling for tests: with the real host or an in-memory one, rendering, and invariants every result must keep. */
import * as path from "node:path";
import { compile, Compilation } from "../../compiler/compile.js";
import { DIAGNOSTICS, Diagnostic } from "../../compiler/core/diagnostics.js";
import { renderDiagnostic, summaryLine } from "../../compiler/core/render.js";
import { positionOf, sourceFile, SourceFile } from "../../compiler/core/source.js";
import type { CompilerHost } from "../../compiler/host.js";
import { nodeHost } from "../../cli/host.js";
import { REPO_ROOT } from "./repo.js";

export function sourcesOf(c: Compilation): Map<string, SourceFile> {
  return new Map(c.program.files.map((f) => [f.path, sourceFile(f.path, f.text)]));
}

/** All diagnostics as the CLI prints them without colour, then the summary; says so when there are none. */
export function renderAll(c: Compilation): string {
  if (c.diagnostics.length === 0) return "No diagnostics.\n";
  const sources = sourcesOf(c);
  return c.diagnostics.map((d) => renderDiagnostic(d, sources.get(d.file), { color: false }) + "\n").join("") + summaryLine(c.diagnostics) + "\n";
}

/** 1-based `line:column` of a diagnostic's start, as the CLI prints it. */
export function where(c: Compilation, d: Diagnostic): string {
  const f = c.program.files.find((x) => x.path === d.file);
  if (!f) return "0:0";
  const p = positionOf(sourceFile(f.path, f.text), d.span.start);
  return `${p.line + 1}:${p.column + 1}`;
}

/** `CODE@line:column` for each diagnostic: compact enough to assert a whole result at once. */
export function summary(c: Compilation): string[] {
  return c.diagnostics.map((d) => `${d.code}@${where(c, d)}`);
}

/** Compiles a file of the repository with the real host, paths shown relative to the repository. */
export async function compileRepoFile(rel: string, host: CompilerHost = nodeHost(REPO_ROOT)): Promise<Compilation> {
  return compile(rel, host);
}

/**
 * Compiles source text as if it were the file `rel` of the repository (default: a file beside the
 * golden cases, so `../../../examples/...` reaches the examples' data). Includes and data are read
 * from disk; `extra` adds more in-memory sources by repository-relative path.
 */
export async function compileText(text: string, opts: { rel?: string; extra?: Record<string, string>; host?: CompilerHost } = {}): Promise<Compilation> {
  const rel = opts.rel ?? "test/cases/check/__inline__.hep";
  const overlay = new Map<string, string>([[path.join(REPO_ROOT, rel), text]]);
  for (const [p, t] of Object.entries(opts.extra ?? {})) overlay.set(path.join(REPO_ROOT, p), t);
  return compile(rel, opts.host ?? nodeHost(REPO_ROOT), { overlay });
}

/**
 * What every compilation must satisfy, whatever its input: codes from the table with their
 * severity, spans inside their file's text, messages with no unfilled placeholder. Returns the
 * problems found (empty when all is well).
 */
export function invariantProblems(c: Compilation): string[] {
  const problems: string[] = [];
  const texts = new Map(c.program.files.map((f) => [f.path, f.text]));
  for (const d of c.diagnostics) {
    const at = `${d.code} ${JSON.stringify(d.message)} at ${d.file}:${d.span.start}-${d.span.end}`;
    const def = (DIAGNOSTICS as Record<string, { severity: string; message: string }>)[d.code];
    if (!def) problems.push(`unknown code: ${at}`);
    else {
      if (def.severity !== d.severity) problems.push(`severity ${d.severity} differs from the table's ${def.severity}: ${at}`);
      for (const m of def.message.matchAll(/\{\w+\}/g)) if (d.message.includes(m[0])) problems.push(`unfilled placeholder ${m[0]}: ${at}`);
    }
    if (!Number.isInteger(d.span.start) || !Number.isInteger(d.span.end) || d.span.start < 0 || d.span.end < d.span.start) problems.push(`bad span: ${at}`);
    const text = texts.get(d.file);
    if (text === undefined) {
      // Only a file that could not be read has diagnostics without its text, at its start.
      if (d.span.start !== 0 || d.span.end !== 0) problems.push(`span in a file that was not loaded: ${at}`);
    } else if (d.span.end > text.length) problems.push(`span past the end (${text.length}): ${at}`);
    const s = d.suggestion?.span;
    if (s && (text === undefined || s.start < 0 || s.end < s.start || s.end > text.length)) problems.push(`bad suggestion span: ${at}`);
    for (const r of d.related ?? []) {
      const rt = texts.get(r.file);
      if (rt === undefined || r.span.start < 0 || r.span.end < r.span.start || r.span.end > rt.length) problems.push(`bad related span: ${at}`);
    }
  }
  return problems;
}
