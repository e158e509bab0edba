/** Find references: every use of a declaration across the analysis and its includes (and of a branch or collection). */
import { DocumentHighlight, DocumentHighlightKind, Location } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Compilation } from "../../compiler/compile.js";
import { fileOfDocument, locationOf, resolvedOccurrences, symbolOccurrences, targetAt } from "./common.js";

export function references(c: Compilation, doc: TextDocument, offset: number, includeDeclaration = true): Location[] {
  const f = fileOfDocument(c, doc);
  if (!f) return [];
  const t = targetAt(c, f, offset);
  if (!t) return [];
  switch (t.kind) {
    case "symbol":
      return symbolOccurrences(c, t.symbol)
        .filter((o) => includeDeclaration || !o.isDeclaration)
        .map((o) => locationOf(o.file, o.span, doc));
    case "branch":
      return resolvedOccurrences(c, (r) => r.kind === "branch" && r.branch === t.name).map((o) => locationOf(o.file, o.span, doc));
    case "collection":
      return resolvedOccurrences(c, (r) => r.kind === "collection" && r.collection.prefix === t.collection.prefix).map((o) => locationOf(o.file, o.span, doc));
    case "function":
      return resolvedOccurrences(c, (r) => r.kind === "function" && r.name === t.name).map((o) => locationOf(o.file, o.span, doc));
    default:
      return [];
  }
}

/** Document highlights: the occurrences of the name under the cursor in this document. */
export function documentHighlights(c: Compilation, doc: TextDocument, offset: number): DocumentHighlight[] {
  return references(c, doc, offset, true)
    .filter((l) => l.uri === doc.uri)
    .map((l) => ({ range: l.range, kind: DocumentHighlightKind.Text }));
}
