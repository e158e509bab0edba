/**
 * Semantic tokens: names coloured by what they resolved to (branch, collection, field, define,
 * region, sample, function, ...), keywords told apart from soft keywords used as names, strings,
 * numbers, operators and comments.
 */
import type { SemanticTokens, SemanticTokensLegend } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type * as A from "../../grammar/ast.js";
import * as T from "../../grammar/lexer.js";
import type { Resolution } from "../../compiler/check/context.js";
import type { SymbolKind as HepSymbolKind } from "../../compiler/check/symbols.js";
import type { Compilation } from "../../compiler/compile.js";
import { positionOf } from "../../compiler/core/source.js";
import { fileOfDocument, forEachNode, resolutionOf } from "./common.js";

const TYPES = ["keyword", "variable", "function", "property", "namespace", "struct", "class", "type", "enumMember", "parameter", "string", "number", "operator", "comment", "event", "interface", "enum"] as const;
const MODIFIERS = ["declaration", "readonly", "defaultLibrary"] as const;
type TokenKind = (typeof TYPES)[number];
type Modifier = (typeof MODIFIERS)[number];

export const SEMANTIC_LEGEND: SemanticTokensLegend = { tokenTypes: [...TYPES], tokenModifiers: [...MODIFIERS] };

interface Cls {
  type: TokenKind;
  mods?: Modifier[];
}

const SYMBOL: Record<HepSymbolKind, TokenKind> = {
  sample: "namespace",
  group: "namespace",
  object: "variable",
  define: "variable",
  region: "event",
  bins: "enum",
  features: "interface",
  model: "class",
  param: "variable",
};

function ofResolution(r: Resolution): Cls {
  switch (r.kind) {
    case "symbol":
      return { type: SYMBOL[r.symbol.kind] };
    case "branch":
      return { type: "property", mods: ["readonly"] };
    case "collection":
      return { type: "struct", mods: ["readonly"] };
    case "field":
      return { type: "property" };
    case "builtin":
      return { type: "variable", mods: ["readonly", "defaultLibrary"] };
    case "function":
      return { type: "function", mods: ["defaultLibrary"] };
    case "element":
      return { type: "struct", mods: ["readonly"] };
    case "index":
      return { type: "parameter" };
  }
}

const DECL_SYMBOL: Partial<Record<A.Decl["kind"], HepSymbolKind>> = {
  Sample: "sample",
  Group: "group",
  Object: "object",
  Define: "define",
  Region: "region",
  Bins: "bins",
  Features: "features",
  Model: "model",
};

const OPERATORS = new Set<unknown>([T.EqEq, T.NotEq, T.LtEq, T.GtEq, T.Lt, T.Gt, T.Tilde, T.Plus, T.Minus, T.Star, T.Slash, T.Percent, T.Caret, T.AmpAmp, T.PipePipe, T.Bang, T.DotDot, T.QuestionQuestion]);
const HARD = new Set<unknown>([T.And, T.Or, T.Not, T.Where, T.True, T.False, T.This]);
const SOFT = new Set<unknown>(Object.values(T.KW));

export function semanticTokens(c: Compilation, doc: TextDocument): SemanticTokens {
  const f = fileOfDocument(c, doc);
  if (!f) return { data: [] };
  const byStart = new Map<number, Cls>();
  const mark = (n: A.Node | undefined, cls: Cls) => {
    if (n && n.span.end > n.span.start) byStart.set(n.span.start, cls);
  };
  forEachNode(f.parsed.ast.decls, (n) => {
    if (n.kind === "Name" || n.kind === "Ident") {
      const r = resolutionOf(c, n);
      if (r) mark(n, ofResolution(r));
      return;
    }
    switch (n.kind) {
      case "Number": {
        const u = (n as A.NumberLit).unit;
        if (u) mark(u, { type: "type" });
        break;
      }
      case "Model": {
        const m = n as A.ModelDecl;
        mark(m.modelKind, { type: "class", mods: ["defaultLibrary"] });
        for (const o of m.options) mark(o.key, { type: "parameter" });
        break;
      }
      case "Feature": {
        const it = n as A.FeatureItem;
        if (it.alias) mark(it.alias, { type: "variable", mods: ["declaration"] });
        break;
      }
      case "Metric":
        mark((n as A.Metric).name, { type: "enumMember" });
        break;
      case "WorkingPoint":
        mark((n as A.WorkingPoint).name, { type: "variable", mods: ["declaration"] });
        break;
      case "Property": {
        const p = n as unknown as Record<string, A.Ident | undefined>;
        for (const k of ["klass", "mode"]) if (p[k]?.kind === "Ident") mark(p[k], { type: "enumMember" });
        break;
      }
      case "HistogramBlock":
      case "HistogramEntry":
      case "Histogram": {
        const h = n as A.HistogramEntry;
        if (h.by) mark(h.by, { type: "enumMember" });
        if (h.alias) mark(h.alias, { type: "variable", mods: ["declaration"] });
        break;
      }
      case "Keep": {
        const k = n as A.KeepColumn;
        if (k.alias) mark(k.alias, { type: "variable", mods: ["declaration"] });
        break;
      }
    }
  });
  for (const d of f.parsed.ast.decls) {
    const k = DECL_SYMBOL[d.kind];
    const name = (d as { name?: A.Ident }).name;
    if (k && name) mark(name, { type: SYMBOL[k], mods: ["declaration"] });
  }

  const items: Array<{ start: number; length: number; cls: Cls }> = [];
  for (const t of f.parsed.tokens) {
    const length = t.image.length;
    if (!length || Number.isNaN(t.startOffset)) continue;
    const known = byStart.get(t.startOffset);
    let cls: Cls | undefined = known;
    if (!cls) {
      const tt = t.tokenType;
      if (tt === T.StringLit || tt === T.UnterminatedString) cls = { type: "string" };
      else if (tt === T.NumberLit) cls = { type: "number" };
      else if (HARD.has(tt) || SOFT.has(tt)) cls = { type: "keyword" };
      else if (OPERATORS.has(tt)) cls = { type: "operator" };
    }
    if (cls) items.push({ start: t.startOffset, length, cls });
  }
  for (const cm of f.parsed.ast.comments) items.push({ start: cm.span.start, length: cm.text.length, cls: { type: "comment" } });
  items.sort((a, b) => a.start - b.start);

  const data: number[] = [];
  let prevLine = 0;
  let prevChar = 0;
  for (const it of items) {
    const p = positionOf(f.source, it.start);
    const dl = p.line - prevLine;
    const dc = dl === 0 ? p.column - prevChar : p.column;
    let mods = 0;
    for (const m of it.cls.mods ?? []) mods |= 1 << MODIFIERS.indexOf(m);
    data.push(dl, dc, it.length, TYPES.indexOf(it.cls.type), mods);
    prevLine = p.line;
    prevChar = p.column;
  }
  return { data };
}
