/**
 * The pipeline, written down in order: load (read + parse, includes) → check (names, types, inputs)
 * → plan. Each stage returns its value and diagnostics; a later stage runs on what an earlier one
 * could read, and skips what it could not. User errors never throw.
 */
import { Diagnostic, hasErrors, sortDiagnostics } from "./core/diagnostics.js";
import type { CompilerHost } from "./host.js";
import { check, CheckContext } from "./check/index.js";
import { loadProgram, Program } from "./load/program.js";

export interface Compilation {
  program: Program;
  checked: CheckContext;
  diagnostics: Diagnostic[];
}

export interface CompileOptions {
  /** Unsaved editor buffers by absolute path: read instead of the file system. */
  overlay?: ReadonlyMap<string, string>;
}

export async function compile(rootPath: string, host: CompilerHost, options: CompileOptions = {}): Promise<Compilation> {
  const program = loadProgram(rootPath, host, options.overlay);
  const checked = await check(program, host);
  const diagnostics = dedupe(sortDiagnostics([...program.diagnostics, ...checked.diagnostics]));
  return { program, checked, diagnostics };
}

/** The same code at the same place once: a name typed in two contexts reports once. */
function dedupe(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const key = `${d.file}:${d.span.start}:${d.span.end}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export { hasErrors };
