/**
 * Quick fixes from diagnostics: accept a did-you-mean suggestion (the diagnostic's replacement over
 * its span), and remove a declaration reported unused (HEP2003), with its line(s).
 */
import { CodeAction, CodeActionKind } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Compilation } from "../../compiler/compile.js";
import type { Span } from "../../compiler/core/source.js";
import { diagnosticsOfDocument, toLspDiagnostic } from "./diagnostics.js";
import { fileOfDocument, spanRange } from "./common.js";

export function codeActions(c: Compilation, doc: TextDocument, range: Span): CodeAction[] {
  const f = fileOfDocument(c, doc);
  if (!f) return [];
  const out: CodeAction[] = [];
  const text = f.parsed.text;
  for (const d of diagnosticsOfDocument(c, doc)) {
    if (d.span.end < range.start || d.span.start > range.end) continue;
    const diag = toLspDiagnostic(c, f, d);
    const s = d.suggestion;
    if (s?.replacement !== undefined) {
      const span = s.span ?? d.span;
      out.push({
        title: `Replace with '${s.replacement}'`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diag],
        isPreferred: true,
        edit: { changes: { [doc.uri]: [{ range: spanRange(f.source, span), newText: s.replacement }] } },
      });
    }
    if (d.code === "HEP2003") {
      const decl = f.parsed.ast.decls.find((x) => (x as { name?: { span: Span } }).name?.span.start === d.span.start);
      if (!decl) continue;
      const del = wholeLines(text, decl.span);
      const name = text.slice(d.span.start, d.span.end);
      out.push({
        title: `Remove unused ${decl.kind.toLowerCase()} '${name}'`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diag],
        edit: { changes: { [doc.uri]: [{ range: spanRange(f.source, del), newText: "" }] } },
      });
    }
  }
  return out;
}

/** A declaration's span grown to whole lines when nothing else shares them (a trailing comment goes too). */
function wholeLines(text: string, span: Span): Span {
  let start = span.start;
  while (start > 0 && (text[start - 1] === " " || text[start - 1] === "\t")) start--;
  const atLineStart = start === 0 || text[start - 1] === "\n";
  let end = span.end;
  while (end < text.length && (text[end] === " " || text[end] === "\t")) end++;
  if (text[end] === "#") while (end < text.length && text[end] !== "\n" && text[end] !== "\r") end++;
  const atLineEnd = end >= text.length || text[end] === "\n" || text[end] === "\r";
  if (!atLineStart || !atLineEnd) return span;
  if (text[end] === "\r") end++;
  if (text[end] === "\n") end++;
  return { start, end };
}
