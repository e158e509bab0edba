/**
 * The formatter: one canonical layout for .hep files, comments kept. `hepc fmt` and the language
 * server's document formatting both call `formatText`; it is a pure function of the text.
 *
 * In: a parsed file (`formatParsed`) or a path and its text (`formatText`).
 * Out: `{ text, diagnostics }`, or `{ diagnostics }` alone when the file has syntax errors: a
 * broken file is never formatted. A file without tokens (empty, or comments only) is formatted to
 * its comments. Before answering, the output is parsed again and its syntax tree compared with the
 * input's (ids, spans and the raw spelling of strings aside); a mismatch is a formatter bug and
 * throws `FormatError` rather than hand back text that means something else.
 *
 * Layout rules (see layout.ts and comments.ts for their implementation):
 * - 2-space indentation; lines end with "\n", or "\r\n" when the input's first line break is one;
 *   the text ends with exactly one line break (an empty result stays empty); no trailing
 *   whitespace; a byte-order mark is kept.
 * - One declaration per line for include, group, object, define, region and bins, and for models
 *   without an option block. Expressions are written on one line whatever their length, with
 *   operators spaced, the fewest parentheses precedence allows, `and`/`or`/`not` for `&&`/`||`/`!`,
 *   numbers as written (`raw`), units after one space (`25 GeV`, `50 /pb`), ", " between list items.
 * - Block declarations (analysis, sample, features, train, evaluate, output, and models whose
 *   options do not fit on one line) are `header {`, one property or item per line indented one
 *   level, `}`. A block with nothing inside (not even a comment) is `header {}`. The
 *   `working_points` block of an evaluation is a nested block, always one point per line.
 * - Model options: `model NAME = KIND(ARGS) { k v k v }` on one line when no comment is inside the
 *   braces and the line is at most 100 columns; otherwise a block with one option per line.
 * - Bins: `20 0 .. 1000` and `[25, 40, 60]`; strings in double quotes, with `\\`, `\"`, `\n` and
 *   `\t` escaped and every other character written as itself.
 * - Blank lines: between top-level declarations, one blank line where the declaration kind changes
 *   and around every block declaration written over several lines; elsewhere (between two
 *   declarations of the same kind, between block items, between comments, between comments and
 *   what follows them) a blank line is kept where the author had one or more, collapsed to one.
 *   Never a blank line at the start of the file, right after `{`, before `}` or inside an
 *   expression.
 * - Comments: a comment on a line of its own stays before the construct that follows it
 *   (declaration, block item or `}`), indented like it; a trailing comment (code before it on its
 *   line) stays at the end of that line after one space; comments before a `}` stay inside the
 *   block, comments after the last declaration stay at the end of the file. A comment inside a
 *   construct that is written on one line moves to its own line just before that line. Comment
 *   text is kept as written, trailing whitespace removed.
 * - An `and`/`or` chain (the top-level expression of define/object/region, of a sample's `where`
 *   or `weight`, or the condition of such a top-level `where`) with a comment after its first
 *   operand is written one operand per line, the operator leading each continuation line, indented
 *   one level more; the comments then stay next to the operands they were written beside. An
 *   operand that is itself such a chain of the other operator (`a and b or c`) is broken the same
 *   way, one level deeper, and makes the chain around it break too.
 *
 * Must not import runtime/ or lsp/.
 */
import type { Comment, FileAst } from "../../grammar/ast.js";
import type { Diagnostic } from "../core/diagnostics.js";
import { parseText, ParsedFile } from "../syntax/parse.js";
import { placeComments } from "./comments.js";
import { layoutFile } from "./layout.js";

export { quoteString } from "./layout.js";

export interface FormatResult {
  /** The formatted text; absent when the file has syntax errors. */
  text?: string;
  /** The file's syntax errors when it was not formatted; otherwise empty. */
  diagnostics: Diagnostic[];
}

/** Thrown when the formatter's own output would not mean what its input meant (a formatter bug). */
export class FormatError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`internal formatter error in ${path}: ${detail}; the file was left as it is`);
    this.name = "FormatError";
  }
}

/** The syntax diagnostic of a file without any token: not an obstacle to formatting its comments. */
const EMPTY_FILE = "HEP1006";

export function formatText(path: string, text: string): FormatResult {
  return formatParsed(parseText(path, text));
}

export function formatParsed(parsed: ParsedFile): FormatResult {
  const errors = parsed.diagnostics.filter((d) => d.severity === "error" && d.code !== EMPTY_FILE);
  if (errors.length) return { diagnostics: parsed.diagnostics };
  const out = render(parsed);
  verify(parsed, out);
  return { text: out, diagnostics: [] };
}

function render(parsed: ParsedFile): string {
  const { text, ast } = parsed;
  const lines = layoutFile(text, parsed.tokens, ast);
  const eol = /\r\n|\r|\n/.exec(text)?.[0] === "\r\n" ? "\r\n" : "\n";
  const body = placeComments(text, lines, sortedComments(ast.comments));
  const bom = text.startsWith("\ufeff") ? "\ufeff" : "";
  return body.length ? bom + body.join(eol) + eol : bom;
}

function sortedComments(cs: Comment[]): Comment[] {
  return [...cs].sort((a, b) => a.span.start - b.span.start);
}

function verify(before: ParsedFile, after: string): void {
  const again = parseText(before.path, after);
  const errors = again.diagnostics.filter((d) => d.severity === "error" && d.code !== EMPTY_FILE);
  if (errors.length) throw new FormatError(before.path, `the output has a syntax error (${errors[0].message})`);
  if (syntaxShape(before.ast) !== syntaxShape(again.ast)) throw new FormatError(before.path, "the output's syntax tree differs from the input's");
  const a = commentTexts(before.ast);
  const b = commentTexts(again.ast);
  if (a.length !== b.length || a.some((t, i) => t !== b[i])) throw new FormatError(before.path, "comments were lost or reordered");
}

/** Comment texts in file order, trailing whitespace aside: what the formatter promises to keep. */
export function commentTexts(ast: FileAst): string[] {
  return sortedComments(ast.comments).map((c) => c.text.trimEnd());
}

/**
 * A canonical JSON image of a syntax tree for comparing meaning: ids, spans, the node count and
 * comments dropped, and strings by value only (the formatter re-escapes them). `&&` and `and` are
 * already one operator in the tree.
 */
export function syntaxShape(ast: FileAst): string {
  return JSON.stringify(ast.decls, (key, value: unknown) => {
    if (key === "id" || key === "span") return undefined;
    if (value && typeof value === "object" && (value as { kind?: string }).kind === "String") {
      const { raw: _raw, ...rest } = value as Record<string, unknown>;
      return rest;
    }
    return value;
  });
}
