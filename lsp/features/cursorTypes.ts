/**
 * Types at the cursor, as the checker gives them. The current declaration's text up to the cursor
 * is completed into something the parser reads (a placeholder at the cursor, the brackets still
 * open closed), parsed with the compiler's own parse, and the expression holding the placeholder is
 * typed by the checker's ExprChecker against the latest compilation's names and inputs. The answer
 * is read from the types the checker recorded: after `.` the type of what is before the dot; in an
 * operand position the type `this` has there (the element in scope inside `where` and per-element
 * arguments). So completion and `hepc check` cannot disagree on what a name or a chain is.
 *
 * Declarations the expression uses are not typed again: their types are those the compilation
 * recorded (the same text was checked, so the same answer, without the cost of a dependency chain).
 */
import type * as A from "../../grammar/ast.js";
import * as T from "../../grammar/lexer.js";
import type { CheckContext } from "../../compiler/check/context.js";
import { ExprChecker } from "../../compiler/check/expr.js";
import type { SymbolInfo } from "../../compiler/check/symbols.js";
import type { Compilation } from "../../compiler/compile.js";
import { ERROR, Type } from "../../compiler/core/types.js";
import { parseText } from "../../compiler/syntax/parse.js";
import type { Lexed } from "./tokens.js";

export interface CursorTypes {
  /** After `.`: the type of the expression before the dot. */
  target?: Type;
  /** In an operand position: the element in scope (what `this` would be there). */
  element?: Type;
}

/** A name no analysis uses: it stands for the field being typed after a `.`. */
const PLACEHOLDER = "__hepc_cursor__";

const EXPR_KINDS = new Set<string>(["Number", "String", "Bool", "Name", "This", "Unary", "Binary", "Call", "Index", "Slice", "Member", "Where", "List", "Missing"]);

/**
 * The checker's types at `cursor` (where the word being typed starts), in the declaration whose
 * first token is `d`; `last` is the last token before the cursor.
 */
export function typesAtCursor(c: Compilation, l: Lexed, d: number, last: number, cursor: number): CursorTypes {
  const afterDot = l.tokens[last]?.tokenType === T.Dot;
  // A top-level declaration (define, object, region) is read whole. Inside a block only the
  // expression at the cursor is: a block can be hundreds of lines (an output's histograms), an
  // unfinished item makes the parser drop it (a histogram before its `bins`), and the checker
  // types a block's expressions on their own anyway (no element in scope, the analysis's names).
  if (!closers(l.tokens, d, last).includes("}")) {
    const whole = typed(c, l, d, last, cursor, afterDot, "");
    if (whole) return whole;
  }
  const start = expressionStart(l, d, last);
  return (start <= last && typed(c, l, start, last, cursor, afterDot, `define ${PLACEHOLDER} = `, sequenceElement(c, l, d))) || {};
}

/**
 * Inside a sequence features list (`features pf per pfcands ... { ... }`), its items and sort
 * key are read per element: the element type of its collection, as the last check typed it.
 */
function sequenceElement(c: Compilation, l: Lexed, d: number): Type[] {
  if (l.tokens[d]?.image !== "features" || !l.tokens[d + 1]) return [];
  const decl = c.checked.symbol(l.tokens[d + 1].image)?.decl;
  if (decl?.kind !== "Features" || !decl.sequence) return [];
  const t = c.checked.types.get(decl.sequence.collection);
  return t?.kind === "list" && t.element.kind === "record" ? [t.element] : [];
}

/** Types from parsing `head` + the text of tokens from..cursor + placeholder + closers; undefined when the placeholder was not read. */
function typed(c: Compilation, l: Lexed, from: number, last: number, cursor: number, afterDot: boolean, head: string, elements: Type[] = []): CursorTypes | undefined {
  const start = l.tokens[from].startOffset;
  const at = head.length + cursor - start;
  const text = head + l.text.slice(start, cursor) + (afterDot ? PLACEHOLDER : "this") + "\n" + closers(l.tokens, from, last);
  const parsed = parseText("<completion>", text);
  const decl = parsed.ast.decls.find((x) => x.span.start <= at && at <= x.span.end);
  const root = decl && expressionAt(decl, at);
  const found = root && nodeAt(root, at, afterDot);
  if (!root || !found) return undefined;
  const writing = "name" in decl && (decl.name as A.Ident | undefined)?.name;
  const ctx = scratchContext(c);
  new RecordedChecker(ctx, c, writing || undefined).check(root, { file: "<completion>", elements });
  const known = (t: Type | undefined) => (t && t.kind !== "error" ? t : undefined);
  if (afterDot) return { target: known(ctx.types.get((found as A.MemberExpr).target)) };
  return { element: known(ctx.types.get(found as A.Expr)) };
}

/**
 * Where the expression holding the cursor starts: after the last token before the cursor, outside
 * brackets, that no expression contains (`{`, `,` between items, `=`, an item's keyword such as
 * `histogram`), or at the first token of a line that does not continue the line before (a block's
 * items are one a line). Only where to start reading is found from tokens; what the text means is
 * the parser's and the checker's business.
 */
function expressionStart(l: Lexed, d: number, last: number): number {
  const toks = l.tokens;
  const parens: number[] = [];
  let boundary = d;
  let braces = 0;
  for (let k = d; k <= last; k++) {
    const tt = toks[k].tokenType;
    if (tt === T.LParen || tt === T.LBracket) parens.push(k);
    else if (tt === T.RParen || tt === T.RBracket) parens.pop();
    else if (tt === T.LBrace || tt === T.RBrace) {
      parens.length = 0;
      braces += tt === T.LBrace ? 1 : -1;
      boundary = k;
    } else if (parens.length === 0) {
      if (tt === T.Comma || tt === T.Equals || (tt.name.startsWith("Kw_") && toks[k - 1]?.tokenType !== T.Dot)) boundary = k;
      else if (braces > 0 && tt === T.Where && firstOnLine(l, k)) boundary = k; // a sample's `where`, not the operator
      else if (braces > 0 && startsItem(l, k)) boundary = k - 1;
    }
  }
  return boundary + 1;
}

/** Operators that carry an expression over a line break, at the end of a line or the start of the next. */
const CONTINUES = new Set<unknown>([
  T.Dot, T.DotDot, T.Comma, T.EqEq, T.NotEq, T.LtEq, T.GtEq, T.Lt, T.Gt, T.Tilde, T.Plus, T.Minus, T.Star, T.Slash,
  T.Percent, T.Caret, T.And, T.Or, T.AmpAmp, T.PipePipe, T.Where, T.LParen, T.LBracket, T.QuestionQuestion,
]);

function startsItem(l: Lexed, k: number): boolean {
  const prev = l.tokens[k - 1];
  return !!prev && !CONTINUES.has(prev.tokenType) && !CONTINUES.has(l.tokens[k].tokenType) && firstOnLine(l, k);
}

function firstOnLine(l: Lexed, k: number): boolean {
  const prev = l.tokens[k - 1];
  return !prev || /[\n\r]/.test(l.text.slice(prev.startOffset + prev.image.length, l.tokens[k].startOffset));
}

/** The closing brackets for those still open between tokens d and last, innermost first. */
function closers(toks: Lexed["tokens"], d: number, last: number): string {
  const open: string[] = [];
  const pairs = new Map<unknown, string>([[T.LParen, ")"], [T.LBracket, "]"], [T.LBrace, "}"]]);
  const closing = new Map<unknown, string>([[T.RParen, ")"], [T.RBracket, "]"], [T.RBrace, "}"]]);
  for (let k = d; k <= last; k++) {
    const opened = pairs.get(toks[k].tokenType);
    if (opened) open.push(opened);
    else {
      const closed = closing.get(toks[k].tokenType);
      if (closed && open[open.length - 1] === closed) open.pop();
    }
  }
  return open.reverse().join(" ");
}

/** The outermost expression of the declaration (one the checker types as a whole) whose span holds `at`. */
function expressionAt(node: unknown, at: number): A.Expr | undefined {
  if (!node || typeof node !== "object") return undefined;
  if (Array.isArray(node)) {
    for (const x of node) {
      const e = expressionAt(x, at);
      if (e) return e;
    }
    return undefined;
  }
  const n = node as { kind?: string; span?: A.Span };
  if (n.kind && EXPR_KINDS.has(n.kind)) return n.span && n.span.start <= at && at <= n.span.end ? (n as A.Expr) : undefined;
  for (const v of Object.values(node)) {
    if (v && typeof v === "object") {
      const e = expressionAt(v, at);
      if (e) return e;
    }
  }
  return undefined;
}

/** The placeholder's node: the member whose field it is, or the `this` standing at the cursor. */
function nodeAt(e: unknown, at: number, afterDot: boolean): A.Node | undefined {
  if (!e || typeof e !== "object") return undefined;
  if (Array.isArray(e)) {
    for (const x of e) {
      const f = nodeAt(x, at, afterDot);
      if (f) return f;
    }
    return undefined;
  }
  const n = e as A.Expr;
  if (afterDot && n.kind === "Member" && n.field.name === PLACEHOLDER && n.field.span.start === at) return n;
  if (!afterDot && n.kind === "This" && n.span.start === at) return n;
  for (const v of Object.values(e)) {
    if (v && typeof v === "object") {
      const f = nodeAt(v, at, afterDot);
      if (f) return f;
    }
  }
  return undefined;
}

/**
 * The compilation's CheckContext seen through a layer of fresh tables: names, inputs and schemas
 * are read from it (through the prototype, nothing copied: a keystroke must not cost a copy of
 * thousands of symbols), while the types, resolutions, uses and diagnostics of typing the text at
 * the cursor land in the layer, so the compilation the other features read is never written.
 */
function scratchContext(c: Compilation): CheckContext {
  const own: Pick<CheckContext, "diagnostics" | "types" | "resolutions" | "keyExprs" | "deps" | "used"> = {
    diagnostics: [],
    types: new WeakMap(),
    resolutions: new WeakMap(),
    keyExprs: new WeakMap(),
    deps: new Map(),
    used: new Set(),
  };
  return Object.assign(Object.create(c.checked) as CheckContext, own);
}

/**
 * The checker, with the types of declarations taken from those the compilation recorded. The
 * declaration being written is not one of them: reaching its own name is the cycle the checker
 * reports, so it has no type.
 */
class RecordedChecker extends ExprChecker {
  constructor(ctx: CheckContext, private readonly c: Compilation, private readonly writing: string | undefined) {
    super(ctx);
  }

  override typeOfSymbol(sym: SymbolInfo): Type {
    if (sym.name === this.writing) return ERROR;
    const d = sym.decl;
    if (d.kind !== "Object" && d.kind !== "Define" && d.kind !== "Region") return ERROR;
    const t = this.c.checked.types.get(d.expr);
    if (!t) return super.typeOfSymbol(sym);
    // As ExprChecker.typeOfSymbol settles a declaration's type: an object must be a collection of
    // records, a region a condition; otherwise the checker reported it and typed it as an error.
    if (d.kind === "Object" && !(t.kind === "list" && t.element.kind === "record")) return ERROR;
    if (d.kind === "Region" && !(t.kind === "scalar" && t.scalar === "bool")) return ERROR;
    return t;
  }
}
