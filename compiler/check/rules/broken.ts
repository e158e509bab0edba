/**
 * Declarations with a syntax error. The syntax stage reports one error per declaration; what the
 * checker would add about a declaration the parser had to guess at is noise: "'max' takes 1 or 2
 * arguments, got 0" for `max(jets.pt +)`, "sample has no tree" for a misspelt `tre`. So checker
 * diagnostics inside such a declaration (from its start to the next declaration's) are dropped, and
 * the names written in it count as used, so what it refers to is not reported as never used.
 * Errors about the files it names are kept: a path is a string the parser read exactly (one it
 * had to invent is `Missing` and never looked up), so "cannot read input file" is never noise.
 */
import * as T from "../../../grammar/lexer.js";
import type { Span } from "../../core/source.js";
import type { CheckContext } from "../context.js";

/** By file: the ranges of declarations that contain a syntax error. */
function brokenRanges(ctx: CheckContext): Map<string, Span[]> {
  const out = new Map<string, Span[]>();
  for (const f of ctx.program.files) {
    const errors = ctx.program.diagnostics.filter((d) => d.file === f.path && d.code.startsWith("HEP1")).map((d) => d.span.start);
    if (errors.length === 0) continue;
    const starts = [...new Set(f.ast.decls.map((d) => d.span.start))].sort((a, b) => a - b);
    const ranges: Span[] = [];
    for (const at of errors) {
      // An error at a declaration's first token belongs to the previous one, left unfinished.
      let k = -1;
      for (let i = 0; i < starts.length && starts[i] < at; i++) k = i;
      if (k < 0 && starts.length > 0 && starts[0] <= at) k = 0;
      if (k < 0) continue;
      ranges.push({ start: starts[k], end: k + 1 < starts.length ? starts[k + 1] : f.text.length });
    }
    if (ranges.length) out.set(f.path, ranges);
  }
  return out;
}

const inside = (ranges: Span[] | undefined, at: number) => ranges?.some((r) => at >= r.start && at < r.end) ?? false;

/** Names written in broken declarations count as used. Before checkUnused. */
export function useNamesInBrokenDecls(ctx: CheckContext): void {
  const broken = brokenRanges(ctx);
  for (const f of ctx.program.files) {
    const ranges = broken.get(f.path);
    if (!ranges) continue;
    for (const t of f.tokens) {
      const isName = t.tokenType === T.Identifier || (t.tokenType.CATEGORIES ?? []).includes(T.Identifier);
      if (isName && ctx.symbols.has(t.image) && inside(ranges, t.startOffset)) ctx.used.add(t.image);
    }
  }
}

/** Input files, includes and model files: about paths written in full, whatever else the declaration lacks. */
const PATH_CODES = new Set(["HEP2005", "HEP2006", "HEP2007", "HEP2008", "HEP2009", "HEP2010", "HEP2011", "HEP2017", "HEP2030", "HEP2031"]);

/** Drops checker diagnostics inside broken declarations, except those about paths. Last. */
export function dropDiagnosticsInBrokenDecls(ctx: CheckContext): void {
  const broken = brokenRanges(ctx);
  if (broken.size === 0) return;
  const kept = ctx.diagnostics.filter((d) => PATH_CODES.has(d.code) || !inside(broken.get(d.file), d.span.start));
  ctx.diagnostics.splice(0, ctx.diagnostics.length, ...kept);
}
