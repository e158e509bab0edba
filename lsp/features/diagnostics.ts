/**
 * Diagnostics of one document, from its compilation: the same codes and messages as `hepc check`,
 * with 0-based ranges, the code linked to its entry in docs/diagnostics.md, related locations and
 * the did-you-mean suggestion kept in `data` for code actions.
 */
import { Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Compilation } from "../../compiler/compile.js";
import type { Diagnostic } from "../../compiler/core/diagnostics.js";
import { documentPath, fileByDisplay, fileOfDocument, locationOf, spanRange, FileRef } from "./common.js";

export interface DiagnosticOptions {
  /** Base of the links to the codes' documentation, e.g. a file: URL of docs/diagnostics.md. */
  docsUrl?: string;
}

const SEVERITY: Record<string, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/** The compiler diagnostics that belong to the document's file. */
export function diagnosticsOfDocument(c: Compilation, doc: TextDocument): Diagnostic[] {
  const f = fileOfDocument(c, doc);
  if (f) return c.diagnostics.filter((d) => d.file === f.parsed.path);
  // The file could not be loaded (e.g. not UTF-8): its diagnostics are at its start.
  const abs = documentPath(doc.uri);
  return c.diagnostics.filter((d) => d.file === abs || abs.endsWith(d.file));
}

export function toLspDiagnostic(c: Compilation, f: FileRef | undefined, d: Diagnostic, opts: DiagnosticOptions = {}): LspDiagnostic {
  const range = f ? spanRange(f.source, d.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const out: LspDiagnostic = { range, severity: SEVERITY[d.severity] ?? DiagnosticSeverity.Error, code: d.code, source: "hepc", message: d.message };
  if (opts.docsUrl) out.codeDescription = { href: `${opts.docsUrl}#${d.code.toLowerCase()}` };
  if (d.code === "HEP2003") out.tags = [DiagnosticTag.Unnecessary];
  const related: DiagnosticRelatedInformation[] = [];
  for (const r of d.related ?? []) {
    const rf = fileByDisplay(c, r.file);
    if (rf) related.push({ location: locationOf(rf, r.span), message: r.message });
  }
  if (related.length) out.relatedInformation = related;
  // The message stays the CLI's; the suggestion is offered as a code action.
  if (d.suggestion) out.data = { suggestion: d.suggestion };
  return out;
}

export function diagnostics(c: Compilation, doc: TextDocument, opts: DiagnosticOptions = {}): LspDiagnostic[] {
  const f = fileOfDocument(c, doc);
  return diagnosticsOfDocument(c, doc).map((d) => toLspDiagnostic(c, f, d, opts));
}
