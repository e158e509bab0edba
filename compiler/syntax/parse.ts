/**
 * Syntax stage: text in, syntax tree and syntax diagnostics (1xxx) out. It owns the policy that one
 * mistake yields one diagnostic: the parser recovers on its own, and here only the first error of
 * each top-level declaration is kept, and a bracket that is never closed is reported once at the
 * bracket rather than as the parse errors it causes further down.
 */
import type { IRecognitionException, IToken } from "chevrotain";
import type { FileAst, Decl, Comment } from "../../grammar/ast.js";
import * as T from "../../grammar/lexer.js";
import { hepParser } from "../../grammar/parser.js";
import { Diagnostic, diagnostic } from "../core/diagnostics.js";
import { suggest } from "../core/suggest.js";

export interface ParsedFile {
  path: string;
  text: string;
  ast: FileAst;
  tokens: IToken[];
  diagnostics: Diagnostic[];
}

const DECL_KEYWORDS = new Set(T.DECLARATION_KEYWORDS);

export function parseText(path: string, text: string): ParsedFile {
  const diagnostics: Diagnostic[] = [];
  const lexed = T.HepLexer.tokenize(text);
  const tokens = lexed.tokens;
  const comments: Comment[] = (lexed.groups.comments ?? []).map((t: IToken) => ({ span: { start: t.startOffset, end: t.startOffset + t.image.length }, text: t.image }));

  for (const e of lexed.errors) {
    const ch = text.slice(e.offset, e.offset + Math.max(1, e.length));
    diagnostics.push(diagnostic("HEP1001", path, { start: e.offset, end: e.offset + Math.max(1, e.length) }, { char: printable(ch) }));
  }
  for (const t of tokens) {
    if (t.tokenType === T.UnterminatedString) diagnostics.push(diagnostic("HEP1002", path, span(t)));
    // `1e999` lexes as a number but has no value a plan could hold.
    else if (t.tokenType === T.NumberLit && !Number.isFinite(Number(t.image))) diagnostics.push(diagnostic("HEP1008", path, span(t), { text: t.image }));
  }

  if (tokens.length === 0) {
    if (lexed.errors.length === 0) diagnostics.push(diagnostic("HEP1006", path, { start: 0, end: 0 }));
    return { path, text, tokens, ast: { decls: [], comments, nodeCount: 0 }, diagnostics };
  }

  const bracketError = checkBrackets(path, tokens);
  if (bracketError) diagnostics.push(bracketError);

  const parser = hepParser();
  parser.resetIds();
  parser.input = tokens;
  let decls: Decl[];
  try {
    decls = parser.file() ?? [];
  } catch (e) {
    // The parser recurses per nesting level; hundreds of levels exhaust the stack.
    if (!(e instanceof RangeError)) throw e;
    const deep = deepestToken(tokens);
    diagnostics.push(diagnostic("HEP1010", path, span(deep), { what: "brackets nested too deeply" }));
    return { path, text, tokens, ast: { decls: [], comments, nodeCount: 0 }, diagnostics };
  }
  const starts = declarationStarts(tokens);
  // A declaration with a lexical error has been reported already: the parse errors it causes are noise.
  const reported = new Set<number>([...lexed.errors.map((e) => ownerOf(starts, e.offset)), ...tokens.filter((t) => t.tokenType === T.UnterminatedString).map((t) => ownerOf(starts, t.startOffset))]);
  for (const e of parser.errors) {
    const at = errorOffset(e, text.length);
    if (bracketError && at >= bracketError.span.start) continue;
    const owner = ownerOfError(starts, at);
    if (reported.has(owner)) continue;
    reported.add(owner);
    diagnostics.push(syntaxError(path, e, text.length, tokens));
  }
  const fixed = decls.filter(Boolean).map((d) => (d.kind === "Broken" ? repairBroken(d, tokens, starts) : d));
  // A declaration the parser lost entirely (an unfinished last one) still keeps its name.
  if (parser.errors.length) {
    for (const start of starts) {
      if (fixed.some((d) => d.span.start <= start && start < Math.max(d.span.end, d.span.start + 1))) continue;
      fixed.push(repairBroken({ kind: "Broken", id: -1, span: { start, end: start } }, tokens, starts, true));
    }
  }
  return { path, text, tokens, ast: { decls: fixed, comments, nodeCount: parser.nodeCount }, diagnostics };
}

/** The first token at the greatest bracket depth: where a too-deep nesting is shown. */
function deepestToken(tokens: IToken[]): IToken {
  let depth = 0;
  let best = 0;
  let at = tokens[0];
  for (const t of tokens) {
    if (t.tokenType === T.LParen || t.tokenType === T.LBracket || t.tokenType === T.LBrace) {
      depth++;
      if (depth > best) {
        best = depth;
        at = t;
      }
    } else if (t.tokenType === T.RParen || t.tokenType === T.RBracket || t.tokenType === T.RBrace) depth--;
  }
  return at;
}

function span(t: IToken) {
  return { start: t.startOffset, end: t.startOffset + t.image.length };
}

function printable(s: string): string {
  const c = s.codePointAt(0) ?? 0;
  return c < 32 || c === 127 || (c >= 0x80 && c < 0xa0) ? `\\u{${c.toString(16)}}` : s;
}

/** Offsets of tokens that begin a top-level declaration (a declaration keyword outside any bracket). */
function declarationStarts(tokens: IToken[]): number[] {
  const out: number[] = [];
  let depth = 0;
  let prev: IToken | undefined;
  for (const t of tokens) {
    const tt = t.tokenType;
    if (tt === T.LBrace || tt === T.LParen || tt === T.LBracket) depth++;
    else if (tt === T.RBrace || tt === T.RParen || tt === T.RBracket) depth = Math.max(0, depth - 1);
    else if (depth === 0 && DECL_KEYWORDS.has(t.image) && tt !== T.Identifier) out.push(t.startOffset);
    // `histogram NAME = ...` (a derived histogram) starts a declaration too, but `output histogram ...` does not
    else if (depth === 0 && tt === T.KW.histogram && prev?.tokenType !== T.KW.output) out.push(t.startOffset);
    prev = t;
  }
  return out;
}

/** The declaration an error belongs to: one found at a declaration keyword belongs to the previous declaration, left unfinished. */
function ownerOfError(starts: number[], offset: number): number {
  let owner = -1;
  for (const s of starts) {
    if (s < offset) owner = s;
    else break;
  }
  return owner < 0 ? offset : owner;
}

function ownerOf(starts: number[], offset: number): number {
  let owner = -1;
  for (const s of starts) {
    if (s <= offset) owner = s;
    else break;
  }
  return owner;
}

/**
 * A declaration the parser gave up on keeps its keyword and name, found in the tokens, so that
 * references to it elsewhere do not add "unknown name" errors to the one syntax error.
 */
function repairBroken(d: Extract<Decl, { kind: "Broken" }>, tokens: IToken[], starts: number[], atStart = false): Decl {
  const start = atStart ? d.span.start : ownerOfError(starts, d.span.start);
  if (start < 0) return d;
  const i = tokens.findIndex((t) => t.startOffset === start);
  if (i < 0) return d;
  const kw = tokens[i];
  const name = tokens[i + 1];
  const next = starts.find((s) => s > start);
  const end = next !== undefined ? prevTokenEnd(tokens, next) : tokens[tokens.length - 1].startOffset + tokens[tokens.length - 1].image.length;
  const out = { ...d, keyword: kw.image, span: { start, end } };
  if (name && T.Identifier.CATEGORIES !== undefined && isIdentifier(name) && kw.image !== "include" && kw.image !== "output") {
    return { ...out, name: { kind: "Ident", name: name.image, id: -1, span: span(name) } };
  }
  return out;
}

function prevTokenEnd(tokens: IToken[], offset: number): number {
  let end = 0;
  for (const t of tokens) {
    if (t.startOffset >= offset) break;
    end = t.startOffset + t.image.length;
  }
  return end;
}

function isIdentifier(t: IToken): boolean {
  return t.tokenType === T.Identifier || (t.tokenType.CATEGORIES ?? []).includes(T.Identifier);
}

const OPENERS: Record<string, string> = { "{": "}", "(": ")", "[": "]" };

function checkBrackets(path: string, tokens: IToken[]): Diagnostic | undefined {
  const stack: IToken[] = [];
  for (const t of tokens) {
    if (t.image in OPENERS && (t.tokenType === T.LBrace || t.tokenType === T.LParen || t.tokenType === T.LBracket)) stack.push(t);
    else if (t.tokenType === T.RBrace || t.tokenType === T.RParen || t.tokenType === T.RBracket) {
      const open = stack[stack.length - 1];
      if (!open) return diagnostic("HEP1005", path, span(t), { close: t.image });
      if (OPENERS[open.image] !== t.image) {
        // `{ ( }`: the innermost opener is the one left open.
        return diagnostic("HEP1004", path, span(open), { open: open.image });
      }
      stack.pop();
    }
  }
  const open = stack[0];
  return open ? diagnostic("HEP1004", path, span(open), { open: open.image }) : undefined;
}

function errorOffset(e: IRecognitionException, eof: number): number {
  const t = e.token;
  return t && !Number.isNaN(t.startOffset) && t.tokenType?.name !== "EOF" ? t.startOffset : eof;
}

/** The words that start a declaration, from the lexer's table (`histogram NAME = ...` is one too). */
const DECLARATIONS = `a declaration (${[...T.DECLARATION_KEYWORDS, "histogram"].join(", ")})`;
const OUTPUTS = "an output (predictions, histogram, histograms, cutflow, report, dataset, onnx, ntuple, datacard, workspace) or '}'";

const RULE_EXPECTS: Record<string, string> = {
  file: DECLARATIONS,
  declaration: DECLARATIONS,
  sampleProp: "a sample property (files, tree, class, weight, where, xsec, sumw, title) or '}'",
  sampleDecl: "a sample property (files, tree, class, weight, where, xsec, sumw, title) or '}'",
  analysisDecl: "an analysis property (lumi, seed, title) or '}'",
  trainProp: "a train property (on, folds, balance, reweight, validation, test, class_weights, negative_weights, device) or '}'",
  trainDecl: "a train property (on, folds, balance, reweight, validation, test, class_weights, negative_weights, device) or '}'",
  evaluateProp: "an evaluate property (in, bins, metrics, working_points, reference) or '}'",
  evaluateDecl: "an evaluate property (in, bins, metrics, working_points, reference) or '}'",
  outputItem: OUTPUTS,
  outputDecl: OUTPUTS,
  scaling: "a scaling (normal, linear, categorical, log, none, shift S scale M)",
  binSpec: "a binning: N LOW .. HIGH, [edges...] or a bins name",
  optionValue: "an option value (number, string, true/false, name or [list])",
  expression: "an expression",
  orExpr: "an expression",
  andExpr: "an expression",
  notExpr: "an expression",
  comparison: "an expression",
  bitOr: "an expression",
  bitAnd: "an expression",
  shift: "an expression",
  additive: "an expression",
  multiplicative: "an expression",
  unary: "an expression",
  power: "an expression",
  postfix: "an expression",
  primary: "an expression",
};

const TOKEN_WORDS: Record<string, string> = {
  Identifier: "a name",
  StringLit: "a string",
  NumberLit: "a number",
  LBrace: "'{'",
  RBrace: "'}'",
  LParen: "'('",
  RParen: "')'",
  LBracket: "'['",
  RBracket: "']'",
  Comma: "','",
  Equals: "'='",
  DotDot: "'..'",
  Dot: "'.'",
};

function tokenWord(name: string): string {
  if (name in TOKEN_WORDS) return TOKEN_WORDS[name];
  if (name.startsWith("Kw_")) return `'${name.slice(3)}'`;
  if (name === "EOF") return "the end of the file";
  return `'${name.toLowerCase()}'`;
}

function syntaxError(path: string, e: IRecognitionException, eof: number, tokens: IToken[] = []): Diagnostic {
  const t = e.token;
  const atEof = !t || t.tokenType?.name === "EOF" || Number.isNaN(t.startOffset);
  const found = atEof ? "the end of the file" : `'${t.image}'`;
  let expected: string;
  const single = /Expecting token of type --> (\w+) <--/.exec(e.message);
  const stack = e.context?.ruleStack ?? [];
  const rule = [...stack].reverse().find((r) => r in RULE_EXPECTS);
  let suggestion: Diagnostic["suggestion"];
  if (single && single[1] === "RBrace" && rule && rule.endsWith("Decl") && rule !== "modelDecl") {
    // Inside a block, a stray word is most often a misspelt property.
    expected = RULE_EXPECTS[rule];
    const props = /\(([^)]*)\)/.exec(expected)?.[1].split(", ") ?? [];
    const near = atEof ? [] : suggest(t.image, props, 1);
    if (near.length) suggestion = { message: `did you mean '${near[0]}'?`, replacement: near[0] };
  } else if (single && single[1] === "EOF") {
    // Tokens left over between declarations: more declarations may well follow.
    expected = RULE_EXPECTS.declaration;
  } else if (single && single[1] === "Identifier" && !atEof && t.tokenType === T.NumberLit) {
    // `region 4j1b`: a name written with a leading digit lexes as a number and a name.
    const k = tokens.indexOf(t);
    const next = k >= 0 ? tokens[k + 1] : undefined;
    const glued = next && next.startOffset === t.startOffset + t.image.length && isIdentifier(next) ? next : undefined;
    const written = t.image + (glued ? glued.image : "");
    expected = "a name (names start with a letter or '_')";
    // after a declaration keyword, its initial (`region 4j1b` → r4j1b); elsewhere an underscore
    const prev = k > 0 ? tokens[k - 1] : undefined;
    const prefix = prev && T.DECLARATION_KEYWORDS.includes(prev.image) ? prev.image[0] : "_";
    const start = t.startOffset;
    const end = start + written.length;
    return diagnostic("HEP1003", path, { start, end }, { expected, found: `'${written}'` }, { suggestion: { message: `did you mean '${prefix}${written}'?`, replacement: `${prefix}${written}`, span: { start, end } } });
  } else if (single) expected = tokenWord(single[1]);
  else if (e.name === "NotAllInputParsedException") expected = RULE_EXPECTS.declaration;
  else expected = rule ? RULE_EXPECTS[rule] : "something else";
  const start = atEof ? eof : t.startOffset;
  const end = atEof ? eof : t.startOffset + t.image.length;
  if (suggestion) suggestion.span = { start, end };
  return diagnostic("HEP1003", path, { start, end }, { expected, found }, suggestion ? { suggestion } : {});
}
