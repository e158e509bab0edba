/** The outline: one symbol per declaration, with a block's items (features, options, outputs) as children. */
import { DocumentSymbol, SymbolKind } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type * as A from "../../grammar/ast.js";
import type { Compilation } from "../../compiler/compile.js";
import type { Span } from "../../compiler/core/source.js";
import { printExpr } from "../../compiler/syntax/print.js";
import { featureName } from "../../compiler/check/rules/features.js";
import { fileOfDocument, spanRange, FileRef } from "./common.js";

const KIND: Record<A.Decl["kind"], SymbolKind> = {
  Analysis: SymbolKind.Module,
  Include: SymbolKind.File,
  Sample: SymbolKind.Namespace,
  Group: SymbolKind.Namespace,
  Object: SymbolKind.Struct,
  Define: SymbolKind.Variable,
  Region: SymbolKind.Boolean,
  Bins: SymbolKind.Array,
  Features: SymbolKind.Interface,
  Model: SymbolKind.Class,
  Train: SymbolKind.Event,
  Evaluate: SymbolKind.Event,
  Output: SymbolKind.Package,
  Param: SymbolKind.Constant,
  Defaults: SymbolKind.Namespace,
  Systematic: SymbolKind.Event,
  DerivedHistogram: SymbolKind.Array,
  Broken: SymbolKind.Null,
};

export function documentSymbols(c: Compilation, doc: TextDocument): DocumentSymbol[] {
  const f = fileOfDocument(c, doc);
  if (!f) return [];
  const out: DocumentSymbol[] = [];
  for (const d of f.parsed.ast.decls) {
    const s = declSymbol(f, d);
    if (s) out.push(s);
  }
  return out;
}

function sym(f: FileRef, name: string, kind: SymbolKind, span: Span, selection: Span, detail?: string, children?: DocumentSymbol[]): DocumentSymbol {
  const range = spanRange(f.source, span);
  let sel = spanRange(f.source, selection);
  // The selection must lie inside the range.
  if (selection.start < span.start || selection.end > span.end) sel = range;
  return { name: name || "?", kind, range, selectionRange: sel, ...(detail ? { detail } : {}), ...(children?.length ? { children } : {}) };
}

function firstLine(s: string, max = 60): string {
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}

function declSymbol(f: FileRef, d: A.Decl): DocumentSymbol | undefined {
  const kind = KIND[d.kind];
  switch (d.kind) {
    case "Analysis":
      return sym(f, d.name.name, kind, d.span, d.name.span, "analysis");
    case "Include":
      return sym(f, d.path.kind === "String" ? d.path.value : "include", kind, d.span, d.path.span, "include");
    case "Sample":
    case "Group":
    case "Bins":
      return sym(f, d.name.name, kind, d.span, d.name.span, d.kind.toLowerCase());
    case "Object":
    case "Define":
    case "Region":
      return sym(f, d.name.name, kind, d.span, d.name.span, `${d.kind.toLowerCase()} = ${firstLine(printExpr(d.expr))}`);
    case "Features":
      return sym(f, d.name.name, kind, d.span, d.name.span, "features", d.items.map((it) => sym(f, featureName(it), SymbolKind.Field, it.span, (it.alias ?? it.expr).span, it.scaling?.scaling)));
    case "Model":
      return sym(f, d.name.name, kind, d.span, d.name.span, `model = ${d.modelKind.name}`, d.options.map((o) => sym(f, o.key.name, SymbolKind.Property, o.span, o.key.span)));
    case "Train":
    case "Evaluate":
      return sym(f, `${d.kind.toLowerCase()} ${d.models.map((m) => m.name).join(", ")}`, kind, d.span, d.models[0]?.span ?? d.span, undefined, d.props.map((p) => sym(f, p.key.name, SymbolKind.Property, p.span, p.key.span)));
    case "Defaults":
      return sym(f, "defaults", kind, d.span, { start: d.span.start, end: d.span.start + 8 }, "sample defaults", d.props.map((p) => sym(f, p.key.name, SymbolKind.Property, p.span, p.key.span)));
    case "Output":
      return sym(f, "output", kind, d.span, { start: d.span.start, end: d.span.start + 6 }, undefined, d.items.map((it) => sym(f, outputName(it), SymbolKind.Field, it.span, it.span)));
    case "Param":
      return sym(f, d.name.name, kind, d.span, d.name.span, `param = ${firstLine(printExpr(d.value))}`);
    case "Systematic":
      return sym(f, d.name.name, kind, d.span, d.name.span, "systematic");
    case "DerivedHistogram":
      return sym(f, d.name.name, kind, d.span, d.name.span, `histogram = ${firstLine(printExpr(d.expr))}`);
    case "Broken":
      return d.name ? sym(f, d.name.name, kind, d.span, d.name.span, `${d.keyword ?? ""} (with a syntax error)`) : undefined;
  }
}

function outputName(it: A.OutputItem): string {
  const p = it.path.kind === "String" ? ` → ${it.path.value}` : "";
  switch (it.kind) {
    case "Histogram":
      return `histogram ${it.alias?.name ?? it.exprs.map(printExpr).join(", ")}${p}`;
    case "HistogramBlock":
      return `histograms ${it.entries.map((e) => e.alias?.name ?? e.exprs.map(printExpr).join(", ")).join(", ")}${p}`;
    default:
      return `${it.kind.toLowerCase()}${p}`;
  }
}
