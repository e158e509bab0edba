/**
 * The token stream around the cursor, for features that must work on text the parser cannot read
 * yet (completion, signature help): lexing is cheap and tolerant, so these never wait for a
 * compilation.
 */
import type { IToken } from "chevrotain";
import * as T from "../../grammar/lexer.js";

export interface Lexed {
  text: string;
  tokens: IToken[];
}

const cache = new Map<string, Lexed>();
const CACHED_DOCUMENTS = 32;

/**
 * Tokens of a text. With a key (the document's URI) the previous text's tokens are reused: only
 * the lines a change touched are lexed again (no token spans a line), and the tokens after them are
 * shifted, so a keystroke in a big file costs a line, not the file.
 */
export function lex(text: string, key?: string): Lexed {
  if (key === undefined) return { text, tokens: T.HepLexer.tokenize(text).tokens };
  const prev = cache.get(key);
  if (prev && prev.text === text) return prev;
  const lexed = prev ? relex(prev, text) : { text, tokens: T.HepLexer.tokenize(text).tokens };
  cache.delete(key);
  cache.set(key, lexed);
  if (cache.size > CACHED_DOCUMENTS) cache.delete(cache.keys().next().value as string);
  return lexed;
}

function firstStartingAtOrAfter(tokens: IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function relex(prev: Lexed, text: string): Lexed {
  const a = prev.text;
  const n = Math.min(a.length, text.length);
  let p = 0;
  while (p < n && a.charCodeAt(p) === text.charCodeAt(p)) p++;
  let s = 0;
  while (s < n - p && a.charCodeAt(a.length - 1 - s) === text.charCodeAt(text.length - 1 - s)) s++;
  // Changed: [p, a.length - s) of the old text became [p, text.length - s) of the new one.
  const from = text.lastIndexOf("\n", p - 1) + 1;
  const nl = text.indexOf("\n", text.length - s);
  const to = nl < 0 ? text.length : nl + 1;
  const delta = text.length - a.length;
  const head = prev.tokens.slice(0, firstStartingAtOrAfter(prev.tokens, from));
  const middle = T.HepLexer.tokenize(text.slice(from, to)).tokens;
  for (const t of middle) {
    t.startOffset += from;
    if (t.endOffset !== undefined) t.endOffset += from;
  }
  const tail = prev.tokens.slice(firstStartingAtOrAfter(prev.tokens, to - delta));
  // The previous text's tokens are dropped with it: shifting them in place saves a copy per keystroke.
  if (delta !== 0) {
    for (const t of tail) {
      t.startOffset += delta;
      if (t.endOffset !== undefined) t.endOffset += delta;
    }
  }
  return { text, tokens: head.concat(middle, tail) };
}

export function tokenEnd(t: IToken): number {
  return t.startOffset + t.image.length;
}

/** Index of the last token that starts before `offset` (-1 when none). */
export function lastTokenBefore(tokens: IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].startOffset < offset) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

export function isIdentifierToken(t: IToken): boolean {
  return t.tokenType === T.Identifier || (t.tokenType.CATEGORIES ?? []).includes(T.Identifier);
}

export function isWordToken(t: IToken): boolean {
  return /^[A-Za-z_]/.test(t.image);
}

export const OPEN = new Set<unknown>([T.LParen, T.LBracket, T.LBrace]);
export const CLOSE = new Set<unknown>([T.RParen, T.RBracket, T.RBrace]);
const DECL_KW = new Set(T.DECLARATION_KEYWORDS);

export function isDeclarationKeyword(t: IToken): boolean {
  return DECL_KW.has(t.image) && !isIdentifierToken(t);
}

/** Bracket depth before each token, and the indices of tokens that start top-level declarations. */
export interface Structure {
  depth: Int32Array;
  starts: number[];
}

const structures = new WeakMap<Lexed, Structure>();

export function structure(l: Lexed): Structure {
  let s = structures.get(l);
  if (s) return s;
  const depth = new Int32Array(l.tokens.length);
  const starts: number[] = [];
  let d = 0;
  l.tokens.forEach((t, k) => {
    depth[k] = d;
    if (OPEN.has(t.tokenType)) d++;
    else if (CLOSE.has(t.tokenType)) d = Math.max(0, d - 1);
    else if (d === 0 && isDeclarationKeyword(t)) starts.push(k);
    // a derived histogram, `histogram NAME = EXPR`, starts a declaration; `output histogram ...` does not
    else if (d === 0 && t.tokenType === T.KW.histogram && l.tokens[k - 1]?.tokenType !== T.KW.output) starts.push(k);
  });
  s = { depth, starts };
  structures.set(l, s);
  return s;
}

/** Index of the token starting the top-level declaration that contains token i (-1: none). */
export function declarationStart(l: Lexed, i: number): number {
  const { starts } = structure(l);
  let lo = 0;
  let hi = starts.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] <= i) {
      ans = starts[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}
