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

const cache = new WeakMap<object, { text: string; lexed: Lexed }>();

/** Tokens of a text, cached by the owner object (a document version) and the text. */
export function lex(text: string, owner?: object): Lexed {
  if (owner) {
    const hit = cache.get(owner);
    if (hit && hit.text === text) return hit.lexed;
  }
  const lexed = { text, tokens: T.HepLexer.tokenize(text).tokens };
  if (owner) cache.set(owner, { text, lexed });
  return lexed;
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
