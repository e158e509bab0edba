/**
 * Loading: the analysis file and everything it includes, parsed. Includes are hermetic: relative
 * paths only, resolved against the including file; a cycle is reported at the include that closes it.
 */
import * as path from "node:path";
import type { IncludeDecl } from "../../grammar/ast.js";
import { Diagnostic, diagnostic } from "../core/diagnostics.js";
import type { CompilerHost } from "../host.js";
import { parseText, ParsedFile } from "../syntax/parse.js";

export interface Program {
  /** The root file first, then included files in the order first included. */
  files: ParsedFile[];
  /** Absolute path of each file, parallel to `files`. */
  absPaths: string[];
  diagnostics: Diagnostic[];
}

/**
 * How every diagnostic shows a path: relative to the working directory, `../` included (as tsc and
 * rustc do: clickable in terminals and editors). Absolute only where no relative path exists
 * (another drive on Windows).
 */
export function displayPath(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  return rel && !path.isAbsolute(rel) ? rel : abs;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes a source file; invalid UTF-8 is a diagnostic, never an exception. */
export function decodeSource(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function loadProgram(rootPath: string, host: CompilerHost, overlay?: ReadonlyMap<string, string>): Program {
  const files: ParsedFile[] = [];
  const absPaths: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const byAbs = new Map<string, number>();

  const read = (abs: string): string | { error: string } => {
    const over = overlay?.get(abs);
    if (over !== undefined) return over;
    const bytes = host.readFile(abs);
    if (!bytes) return { error: "no such file" };
    const text = decodeSource(bytes);
    return text ?? { error: "utf8" };
  };

  const visit = (abs: string, stack: string[], from?: { file: string; decl: IncludeDecl }): void => {
    const shown = displayPath(abs, host.cwd);
    if (stack.includes(abs)) {
      const cycle = [...stack.slice(stack.indexOf(abs)), abs].map((p) => displayPath(p, host.cwd)).join(" → ");
      if (from) diagnostics.push(diagnostic("HEP2010", from.file, from.decl.path.span, { cycle }));
      return;
    }
    if (byAbs.has(abs)) return;
    const text = read(abs);
    if (typeof text !== "string") {
      if (text.error === "utf8") {
        diagnostics.push(diagnostic("HEP1007", shown, { start: 0, end: 0 }));
      } else if (from) {
        diagnostics.push(diagnostic("HEP2009", from.file, from.decl.path.span, { path: from.decl.path.value, reason: text.error }));
      } else {
        diagnostics.push(diagnostic("HEP2019", shown, { start: 0, end: 0 }, { path: shown, reason: text.error }));
      }
      return;
    }
    const parsed = parseText(shown, text);
    byAbs.set(abs, files.length);
    files.push(parsed);
    absPaths.push(abs);
    diagnostics.push(...parsed.diagnostics);
    for (const d of parsed.ast.decls) {
      if (d.kind !== "Include" || d.path.kind !== "String") continue;
      const target = d.path.value;
      if (path.isAbsolute(target) || /^[a-z][a-z0-9+.-]*:/i.test(target)) {
        diagnostics.push(diagnostic("HEP2011", shown, d.path.span, { path: target }));
        continue;
      }
      visit(path.resolve(path.dirname(abs), target), [...stack, abs], { file: shown, decl: d });
    }
  };

  visit(path.resolve(host.cwd, rootPath), []);
  return { files, absPaths, diagnostics };
}
