/**
 * What the language features share: finding the document's file in a compilation, spans to LSP
 * ranges, walking the syntax tree, and what the name under the cursor refers to.
 *
 * Every feature is a pure function of (compilation, document, offset): the server hands in the
 * compilation of the document's current version (or, for completion, the latest one available).
 */
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Location, Range } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type * as A from "../../grammar/ast.js";
import type { Resolution } from "../../compiler/check/context.js";
import type { SymbolInfo } from "../../compiler/check/symbols.js";
import type { CollectionEntry } from "../../compiler/check/env.js";
import type { Compilation } from "../../compiler/compile.js";
import { positionOf, sourceFile, SourceFile, Span } from "../../compiler/core/source.js";
import type { ParsedFile } from "../../compiler/syntax/parse.js";
import { MODEL_KIND_BY_NAME } from "../../stdlib/index.js";

/** The absolute path a document stands for: its file, or a made-up path for an unsaved buffer. */
export function documentPath(uri: string): string {
  if (uri.startsWith("file:")) {
    try {
      return fileURLToPath(uri);
    } catch {
      // fall through
    }
  }
  const name = uri.replace(/^[a-z]+:/i, "").replace(/[^A-Za-z0-9_.-]+/g, "_") || "untitled";
  return path.resolve(path.sep, "untitled", name.endsWith(".hep") ? name : name + ".hep");
}

export function uriOf(abs: string): string {
  return pathToFileURL(abs).href;
}

/** A file of the compilation, with its index, absolute path and line table. */
export interface FileRef {
  index: number;
  abs: string;
  parsed: ParsedFile;
  source: SourceFile;
}

const sources = new WeakMap<ParsedFile, SourceFile>();

function sourceOf(p: ParsedFile): SourceFile {
  let s = sources.get(p);
  if (!s) sources.set(p, (s = sourceFile(p.path, p.text)));
  return s;
}

export function fileAt(c: Compilation, index: number): FileRef {
  return { index, abs: c.program.absPaths[index], parsed: c.program.files[index], source: sourceOf(c.program.files[index]) };
}

/** The document's file in the compilation (undefined when the compilation did not load it). */
export function fileOfDocument(c: Compilation | undefined, doc: TextDocument): FileRef | undefined {
  if (!c) return undefined;
  const abs = documentPath(doc.uri);
  const i = c.program.absPaths.indexOf(abs);
  return i >= 0 ? fileAt(c, i) : undefined;
}

/** The file by its display path (what diagnostics and symbols carry). */
export function fileByDisplay(c: Compilation, display: string): FileRef | undefined {
  const i = c.program.files.findIndex((f) => f.path === display);
  return i >= 0 ? fileAt(c, i) : undefined;
}

export function spanRange(source: SourceFile, span: Span): Range {
  const s = positionOf(source, span.start);
  const e = positionOf(source, Math.max(span.start, span.end));
  return { start: { line: s.line, character: s.column }, end: { line: e.line, character: e.column } };
}

/** The location of a span of a file: the open document's URI for the document itself. */
export function locationOf(f: FileRef, span: Span, doc?: TextDocument): Location {
  const uri = doc && documentPath(doc.uri) === f.abs ? doc.uri : uriOf(f.abs);
  return { uri, range: spanRange(f.source, span) };
}

// ---- walking the tree ------------------------------------------------------------------------

export type AnyNode = A.Node & { kind: string };

function isNode(v: unknown): v is AnyNode {
  return typeof v === "object" && v !== null && typeof (v as AnyNode).kind === "string" && typeof (v as AnyNode).span === "object";
}

/** Calls `fn` on every node below `root` (declarations, expressions, identifiers), parents first. */
export function forEachNode(root: unknown, fn: (n: AnyNode) => void): void {
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    if (typeof v !== "object" || v === null) return;
    if (isNode(v)) fn(v);
    for (const [k, x] of Object.entries(v)) {
      if (k === "span" || typeof x !== "object" || x === null) continue;
      visit(x);
    }
  };
  visit(root);
}

/** The top-level declaration whose span contains the offset (ends inclusive). */
export function declAt(ast: A.FileAst, offset: number): A.Decl | undefined {
  let found: A.Decl | undefined;
  for (const d of ast.decls) {
    if (d.span.start <= offset && offset <= d.span.end) found = d;
    if (d.span.start > offset) break;
  }
  return found;
}

/** The innermost node of a kind in `kinds` under the offset: one containing it first, else one ending at it. */
export function nodeAt(ast: A.FileAst, offset: number, kinds: ReadonlySet<string>): AnyNode | undefined {
  const decl = declAt(ast, offset);
  if (!decl) return undefined;
  let inside: AnyNode | undefined;
  let touching: AnyNode | undefined;
  const width = (n: AnyNode) => n.span.end - n.span.start;
  forEachNode(decl, (n) => {
    if (!kinds.has(n.kind) || n.span.end <= n.span.start) return;
    if (n.span.start <= offset && offset < n.span.end) {
      if (!inside || width(n) <= width(inside)) inside = n;
    } else if (n.span.end === offset) {
      if (!touching || width(n) <= width(touching)) touching = n;
    }
  });
  return inside ?? touching;
}

// ---- what a name refers to ---------------------------------------------------------------------

export type Target =
  | { kind: "symbol"; symbol: SymbolInfo; span: Span; isDeclaration: boolean }
  | { kind: "branch"; name: string; span: Span }
  | { kind: "collection"; collection: CollectionEntry; span: Span }
  | { kind: "field"; field: string; record: string; span: Span; node: AnyNode }
  | { kind: "function"; name: string; span: Span }
  | { kind: "builtin"; name: string; span: Span }
  | { kind: "modelKind"; name: string; span: Span }
  | { kind: "option"; model: string; option: string; span: Span }
  | { kind: "include"; abs: string; span: Span };

const NAME_KINDS = new Set(["Ident", "Name", "String"]);

/** The resolution the checker recorded for an identifier or name node. */
export function resolutionOf(c: Compilation, n: AnyNode): Resolution | undefined {
  const r = c.checked.resolutions.get(n);
  if (r) return r;
  if (n.kind === "Ident") {
    const key = c.checked.keyExprs.get(n as A.Ident);
    if (key) return c.checked.resolutions.get(key);
  }
  return undefined;
}

/** What the name (or include path) under the offset refers to. */
export function targetAt(c: Compilation, f: FileRef, offset: number): Target | undefined {
  const ast = f.parsed.ast;
  const n = nodeAt(ast, offset, NAME_KINDS);
  if (!n) return undefined;
  const decl = declAt(ast, offset);
  if (n.kind === "String") {
    if (decl?.kind === "Include" && decl.path === (n as unknown)) {
      return { kind: "include", abs: path.resolve(path.dirname(f.abs), (n as A.StringLit).value), span: n.span };
    }
    // `${NAME}` in a string: the parameter
    const ref = c.checked.paramRefs.find((r) => r.file === f.parsed.path && r.span.start <= offset && offset <= r.span.end);
    const sym = ref ? c.checked.symbols.get(ref.name) : undefined;
    return sym && ref ? { kind: "symbol", symbol: sym, span: ref.span, isDeclaration: false } : undefined;
  }
  const r = resolutionOf(c, n);
  if (r) {
    switch (r.kind) {
      case "symbol":
        return { kind: "symbol", symbol: r.symbol, span: n.span, isDeclaration: false };
      case "branch":
        return { kind: "branch", name: r.branch, span: n.span };
      case "collection":
        return { kind: "collection", collection: r.collection, span: n.span };
      case "field":
        return { kind: "field", field: r.field, record: r.record, span: n.span, node: n };
      case "function":
        return { kind: "function", name: r.name, span: n.span };
      case "builtin":
        return { kind: "builtin", name: r.name, span: n.span };
    }
  }
  if (!decl || n.kind !== "Ident") return undefined;
  const named = decl as { name?: A.Ident };
  if (named.name && named.name === (n as unknown)) {
    const sym = c.checked.symbols.get(named.name.name);
    if (sym && sym.decl === decl) return { kind: "symbol", symbol: sym, span: n.span, isDeclaration: true };
    return undefined;
  }
  if (decl.kind === "Model") {
    if (decl.modelKind === (n as unknown) && MODEL_KIND_BY_NAME.has(decl.modelKind.name)) return { kind: "modelKind", name: decl.modelKind.name, span: n.span };
    const opt = decl.options.find((o) => o.key === (n as unknown));
    if (opt) return { kind: "option", model: decl.modelKind.name, option: opt.key.name, span: n.span };
  }
  return undefined;
}

/** Every occurrence of a symbol in the compilation: its declaration first, then its uses. */
export function symbolOccurrences(c: Compilation, symbol: SymbolInfo): Array<{ file: FileRef; span: Span; isDeclaration: boolean }> {
  const out: Array<{ file: FileRef; span: Span; isDeclaration: boolean }> = [];
  const declFile = fileByDisplay(c, symbol.file);
  if (declFile) out.push({ file: declFile, span: symbol.nameSpan, isDeclaration: true });
  const seen = new Set<string>();
  c.program.files.forEach((_, i) => {
    const f = fileAt(c, i);
    forEachNode(f.parsed.ast.decls, (n) => {
      if (n.kind !== "Ident" && n.kind !== "Name") return;
      const r = resolutionOf(c, n);
      if (r?.kind !== "symbol" || r.symbol.name !== symbol.name) return;
      const key = `${i}:${n.span.start}:${n.span.end}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push({ file: f, span: n.span, isDeclaration: false });
    });
  });
  return out;
}

/** Every use of a branch (or a collection by its prefix) in the compilation. */
export function resolvedOccurrences(c: Compilation, match: (r: Resolution) => boolean): Array<{ file: FileRef; span: Span }> {
  const out: Array<{ file: FileRef; span: Span }> = [];
  c.program.files.forEach((_, i) => {
    const f = fileAt(c, i);
    forEachNode(f.parsed.ast.decls, (n) => {
      if (n.kind !== "Ident" && n.kind !== "Name") return;
      const r = resolutionOf(c, n);
      if (r && match(r)) out.push({ file: f, span: n.span });
    });
  });
  return out;
}
