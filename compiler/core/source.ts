/**
 * Source text and positions. The tree carries byte-free UTF-16 offsets (`start`/`end`, as JS strings
 * index); lines and columns are computed only at the edges (CLI 1-based, LSP 0-based).
 */

export type { Span } from "../../grammar/ast.js";
import type { Span } from "../../grammar/ast.js";

export interface SourceFile {
  /** The path as the user named it (relative to the working directory when possible). */
  readonly path: string;
  readonly text: string;
  /** Offsets at which each line starts; built lazily because most files never need positions. */
  lineStarts(): number[];
}

export function sourceFile(path: string, text: string): SourceFile {
  let starts: number[] | undefined;
  return {
    path,
    text,
    lineStarts() {
      if (!starts) {
        starts = [0];
        for (let i = 0; i < text.length; i++) {
          const c = text.charCodeAt(i);
          if (c === 10) starts.push(i + 1);
          else if (c === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
        }
      }
      return starts;
    },
  };
}

/** 0-based line and column of an offset. */
export function positionOf(file: SourceFile, offset: number): { line: number; column: number } {
  const starts = file.lineStarts();
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, column: offset - starts[lo] };
}

/** The offset of a 0-based line and column, clamped into the text. */
export function offsetOf(file: SourceFile, line: number, column: number): number {
  const starts = file.lineStarts();
  if (line < 0) return 0;
  if (line >= starts.length) return file.text.length;
  const lineEnd = line + 1 < starts.length ? starts[line + 1] : file.text.length;
  return Math.min(starts[line] + Math.max(0, column), lineEnd);
}

/** The text of a 0-based line without its line break. */
export function lineText(file: SourceFile, line: number): string {
  const starts = file.lineStarts();
  const end = line + 1 < starts.length ? starts[line + 1] : file.text.length;
  return file.text.slice(starts[line], end).replace(/\r?\n$|\r$/, "");
}

export function spanUnion(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}
