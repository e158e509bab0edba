/** Folding: declarations written over several lines, nested blocks, and runs of comment lines. */
import { FoldingRange, FoldingRangeKind } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import * as T from "../../grammar/lexer.js";
import type { Compilation } from "../../compiler/compile.js";
import { positionOf } from "../../compiler/core/source.js";
import { fileOfDocument } from "./common.js";

export function foldingRanges(c: Compilation, doc: TextDocument): FoldingRange[] {
  const f = fileOfDocument(c, doc);
  if (!f) return [];
  const out: FoldingRange[] = [];
  const line = (o: number) => positionOf(f.source, o).line;
  const seen = new Set<string>();
  const add = (start: number, end: number, kind?: FoldingRangeKind) => {
    if (end <= start || seen.has(`${start}:${end}`)) return;
    seen.add(`${start}:${end}`);
    out.push({ startLine: start, endLine: end, ...(kind ? { kind } : {}) });
  };
  for (const d of f.parsed.ast.decls) add(line(d.span.start), line(d.span.end));
  // Brace blocks inside declarations (working_points, model options on their own lines).
  const stack: number[] = [];
  for (const t of f.parsed.tokens) {
    if (t.tokenType === T.LBrace) stack.push(t.startOffset);
    else if (t.tokenType === T.RBrace && stack.length) {
      const open = stack.pop()!;
      add(line(open), line(t.startOffset));
    }
  }
  // Consecutive comment lines.
  const comments = [...f.parsed.ast.comments].sort((a, b) => a.span.start - b.span.start);
  let runStart = -1;
  let prev = -2;
  for (const cm of comments) {
    const l = line(cm.span.start);
    const own = f.parsed.text.slice(f.source.lineStarts()[l], cm.span.start).trim() === "";
    if (!own) continue;
    if (l === prev + 1) {
      prev = l;
      continue;
    }
    if (runStart >= 0) add(runStart, prev, FoldingRangeKind.Comment);
    runStart = l;
    prev = l;
  }
  if (runStart >= 0) add(runStart, prev, FoldingRangeKind.Comment);
  return out.sort((a, b) => a.startLine - b.startLine);
}
