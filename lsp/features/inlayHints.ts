/** Inlay hints: the type the checker gave each object, define and region, after its name (`define ht: float = ...`). */
import { InlayHint, InlayHintKind } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Compilation } from "../../compiler/compile.js";
import type { Span } from "../../compiler/core/source.js";
import { typeToString } from "../../compiler/core/types.js";
import { fileOfDocument, spanRange } from "./common.js";
import { symbolType } from "./docs.js";

export function inlayHints(c: Compilation, doc: TextDocument, range?: Span): InlayHint[] {
  const f = fileOfDocument(c, doc);
  if (!f) return [];
  const out: InlayHint[] = [];
  for (const d of f.parsed.ast.decls) {
    if (d.kind !== "Object" && d.kind !== "Define" && d.kind !== "Region") continue;
    if (range && (d.span.end < range.start || d.span.start > range.end)) continue;
    const sym = c.checked.symbols.get(d.name.name);
    if (!sym || sym.decl !== d) continue;
    const t = symbolType(c, sym);
    if (!t) continue;
    out.push({ position: spanRange(f.source, d.name.span).end, label: `: ${typeToString(t)}`, kind: InlayHintKind.Type, paddingLeft: false });
  }
  return out;
}
