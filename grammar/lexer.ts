/**
 * Tokens of the .hep language. Property and clause words are *soft* keywords: they are also
 * identifiers (token category `Identifier`), so a branch may be called `weight` or `tree` and still
 * be used in an expression. Reserved are the expression words (`and or not where true false this`)
 * and the words that start a declaration, so that a declaration after an unfinished expression is
 * still seen as one (`region a = x and` + newline + `region b = ...`).
 */
import type { TokenType } from "chevrotain";
import { createToken, Lexer } from "./chevrotain.js";

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

function hard(word: string, name = word[0].toUpperCase() + word.slice(1)): TokenType {
  return createToken({ name, pattern: new RegExp(`${word}(?![A-Za-z0-9_])`), longer_alt: Identifier });
}
export const DECLARATION_KEYWORDS = ["analysis", "include", "sample", "group", "object", "define", "region", "bins", "features", "model", "train", "evaluate", "output", "defaults"];
// Declarations added later are appended here, one line each, so merges stay mechanical.
DECLARATION_KEYWORDS.push("param");
DECLARATION_KEYWORDS.push("systematic");

function soft(word: string): TokenType {
  const name = "Kw_" + word;
  const categories = DECLARATION_KEYWORDS.includes(word) ? [] : [Identifier];
  return createToken({ name, pattern: new RegExp(`${word}(?![A-Za-z0-9_])`), longer_alt: Identifier, categories });
}

// Reserved words of expressions.
export const And = hard("and");
export const Or = hard("or");
export const Not = hard("not");
export const Where = hard("where");
export const True = hard("true");
export const False = hard("false");
export const This = hard("this");

/** Soft keywords, by their text. Parser rules look them up here. */
export const KW = Object.fromEntries(
  [
    ...DECLARATION_KEYWORDS,
    // properties and clauses
    "lumi", "seed", "title", "files", "tree", "class", "weight", "xsec", "sumw",
    "normal", "clip", "linear", "categorical", "log", "none", "shift", "scale", "as",
    "on", "folds", "by", "balance", "reweight", "merge", "max_weight", "validation", "test", "class_weights", "negative_weights", "in", "to", "metrics", "at", "working_points", "reference",
    "predictions", "friend", "keyed", "histogram", "cutflow", "report", "weighted", "dataset", "onnx",
    "ntuple", "keep",
    "given",
    // histogram blocks, analysis metadata
    "histograms", "experiment", "sqrts", "doi", "arxiv",
    // classes from expressions, step cutflows
    "classes", "steps",
    // the device a train block runs on
    "device",
    // element identity
    "is",
    // systematics
    "for", "up", "down", "normalisation", "vary", "samples",
    // multiclass comparisons
    "vs",
    // sequence features (`features pf per pfcands sorted by -pt length 50 pad 0 { ... }`)
    "per", "sorted", "length", "pad",
    // fit-ready outputs: `datacard PATH for OBSERVABLES in REGIONS`
    "datacard", "workspace",
  ].map((w) => [w, soft(w)]),
) as Record<string, TokenType>;

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED, line_breaks: true });
export const Comment = createToken({ name: "Comment", pattern: /#[^\n\r]*/, group: "comments" });

export const StringLit = createToken({ name: "StringLit", pattern: /"(?:[^"\\\n\r]|\\.)*"/ });
/**
 * A string missing its closing quote: lexed so the parser can go on; the syntax stage reports HEP1002.
 * A backslash just before the end of the line or file belongs to it, not reported again as a stray character.
 */
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n\r]|\\.)*\\?/, categories: [StringLit] });
// `0..10` must lex as 0, .., 10: a dot followed by another dot is not a decimal point.
export const NumberLit = createToken({ name: "NumberLit", pattern: /(?:\d+(?:\.(?!\.)\d*)?|\.\d+)(?:[eE][+-]?\d+)?/ });

export const DotDot = createToken({ name: "DotDot", pattern: /\.\./ });
export const Dot = createToken({ name: "Dot", pattern: /\./ });
export const Comma = createToken({ name: "Comma", pattern: /,/ });
export const Colon = createToken({ name: "Colon", pattern: /:/ });
/** Separates the entries of one-line blocks (`classes { b = is_b; c = is_c }`). */
export const Semicolon = createToken({ name: "Semicolon", pattern: /;/ });
export const LParen = createToken({ name: "LParen", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", pattern: /\)/ });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/ });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/ });
export const LBrace = createToken({ name: "LBrace", pattern: /\{/ });
export const RBrace = createToken({ name: "RBrace", pattern: /\}/ });
export const EqEq = createToken({ name: "EqEq", pattern: /==/ });
export const NotEq = createToken({ name: "NotEq", pattern: /!=/ });
export const LtEq = createToken({ name: "LtEq", pattern: /<=/ });
export const GtEq = createToken({ name: "GtEq", pattern: />=/ });
export const Lt = createToken({ name: "Lt", pattern: /</ });
export const Gt = createToken({ name: "Gt", pattern: />/ });
export const Tilde = createToken({ name: "TildeEq", pattern: /~=/ });
export const Equals = createToken({ name: "Equals", pattern: /=/ });
export const Plus = createToken({ name: "Plus", pattern: /\+/ });
export const Minus = createToken({ name: "Minus", pattern: /-/ });
export const Star = createToken({ name: "Star", pattern: /\*/ });
export const Slash = createToken({ name: "Slash", pattern: /\// });
export const Percent = createToken({ name: "Percent", pattern: /%/ });
export const Caret = createToken({ name: "Caret", pattern: /\^/ });
// C-style spellings many physicists type by habit; the formatter writes the words.
export const AmpAmp = createToken({ name: "AmpAmp", pattern: /&&/, categories: [And] });
export const PipePipe = createToken({ name: "PipePipe", pattern: /\|\|/, categories: [Or] });
export const Bang = createToken({ name: "Bang", pattern: /!/, categories: [Not] });
/** `a ?? b`: b where a is missing. */
export const QuestionQuestion = createToken({ name: "QuestionQuestion", pattern: /\?\?/ });
// Bitwise operators on ints (NanoAOD's `jetId` bits). `^` stays the power: xor is `xor(a, b)`.
export const Amp = createToken({ name: "Amp", pattern: /&/ });
export const Pipe = createToken({ name: "Pipe", pattern: /\|/ });
export const ShiftLeft = createToken({ name: "ShiftLeft", pattern: /<</ });
export const ShiftRight = createToken({ name: "ShiftRight", pattern: />>/ });

export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  StringLit,
  UnterminatedString,
  NumberLit,
  DotDot,
  Dot,
  Comma,
  Colon,
  Semicolon,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  EqEq,
  NotEq,
  ShiftLeft,
  ShiftRight,
  LtEq,
  GtEq,
  Lt,
  Gt,
  Tilde,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Caret,
  AmpAmp,
  PipePipe,
  Bang,
  QuestionQuestion,
  Amp,
  Pipe,
  And,
  Or,
  Not,
  Where,
  True,
  False,
  This,
  ...Object.values(KW),
  Identifier,
];

export const HepLexer = new Lexer(allTokens, { positionTracking: "onlyOffset", ensureOptimizations: false });
