/**
 * Putting comments back: the laid-out lines (layout.ts) in source order, and every comment of the
 * file, in order, attached to one of them. For each line, the comments that start before its
 * source range are written above it (its leading comments), those inside its range too (they
 * cannot stay inside a construct that is written on one line), and the next comment trails the
 * line when only spaces separate it from the line's last token in the source and it comes before
 * the next line's construct. The "eof" line collects what is left. Blank lines follow the rules
 * in index.ts: required ones (`requireBlank`) and the author's, at most one, where they are kept.
 */
import type { Comment } from "../../grammar/ast.js";
import type { Line } from "./layout.js";

const INDENT = "  ";

export function placeComments(text: string, lines: Line[], comments: Comment[]): string[] {
  const out: string[] = [];
  let ci = 0;
  /** Where the source consumed so far ends: the last line's construct or its trailing comment. */
  let lastEnd = 0;
  const blank = () => {
    if (out.length && out[out.length - 1] !== "") out.push("");
  };

  lines.forEach((line, li) => {
    const leading: Comment[] = [];
    const inside: Comment[] = [];
    while (ci < comments.length && comments[ci].span.start < line.start) leading.push(comments[ci++]);
    while (ci < comments.length && comments[ci].span.start < line.end) inside.push(comments[ci++]);

    // Blank lines the author left are kept at item boundaries, never inside an expression or
    // right after `{`; a required one (a new group of declarations) is added.
    const keepsBlanks = line.role !== "cont";
    const firstStart = leading.length ? leading[0].span.start : line.start;
    let blankBefore: boolean;
    if (!out.length || line.firstInBlock || line.role === "cont") blankBefore = false;
    else if (line.role === "close" || line.role === "eof") blankBefore = leading.length > 0 && hasBlankLine(text, lastEnd, firstStart);
    else blankBefore = Boolean(line.requireBlank) || hasBlankLine(text, lastEnd, firstStart);
    if (blankBefore) blank();

    const commentIndent = INDENT.repeat(line.role === "close" ? line.indent + 1 : line.indent);
    leading.forEach((c, k) => {
      if (k > 0 && keepsBlanks && hasBlankLine(text, leading[k - 1].span.end, c.span.start)) blank();
      out.push(commentIndent + c.text.trimEnd());
    });
    const last = leading[leading.length - 1];
    if (last && (line.role === "decl" || line.role === "item") && hasBlankLine(text, last.span.end, line.start)) blank();
    for (const c of inside) out.push(commentIndent + c.text.trimEnd());

    if (line.role === "eof") return;
    let s = INDENT.repeat(line.indent) + line.text;
    lastEnd = line.end;
    const next = lines[li + 1];
    const c = comments[ci];
    if (c && c.span.start >= line.end && (!next || c.span.start < next.start) && !/[\r\n]/.test(text.slice(line.end, c.span.start))) {
      s += ` ${c.text.trimEnd()}`;
      lastEnd = c.span.end;
      ci++;
    }
    out.push(s);
  });
  while (out.length && out[out.length - 1] === "") out.pop();
  return out;
}

/** Whether the source between two offsets (whitespace, or tokens of one expression) has an empty line. */
function hasBlankLine(text: string, from: number, to: number): boolean {
  if (to <= from) return false;
  const breaks = text.slice(from, to).match(/\r\n|\r|\n/g);
  return breaks !== null && breaks.length >= 2;
}
