/**
 * Rename a declaration everywhere it is used, across includes. Only names the analysis declares can
 * be renamed: standard-library functions, builtins, branches, collections and their fields come
 * from the library or the ROOT files and are refused with a reason.
 */
import type { Range, TextEdit, WorkspaceEdit } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { DECLARATION_KEYWORDS } from "../../grammar/lexer.js";
import type { Compilation } from "../../compiler/compile.js";
import { fileOfDocument, locationOf, spanRange, symbolOccurrences, targetAt, Target } from "./common.js";

const RESERVED = new Set(["and", "or", "not", "where", "true", "false", "this", ...DECLARATION_KEYWORDS]);

export type RenameRefusal = { error: string };

function refusal(t: Target | undefined): string | undefined {
  if (!t) return "nothing to rename here: place the cursor on a name the analysis declares";
  switch (t.kind) {
    case "symbol":
      return undefined;
    case "function":
      return `'${t.name}' is a standard-library function and cannot be renamed`;
    case "builtin":
      return `'${t.name}' is a builtin and cannot be renamed`;
    case "branch":
      return `'${t.name}' is a branch of the input files and cannot be renamed here`;
    case "collection":
      return `'${t.collection.prefix}' is a collection read from the input files' branches and cannot be renamed here`;
    case "field":
      return `'${t.field}' is a field of ${t.record} and cannot be renamed here`;
    case "modelKind":
      return `'${t.name}' is a model kind and cannot be renamed`;
    case "option":
      return `'${t.option}' is an option of ${t.model} models and cannot be renamed`;
    case "include":
      return "an include path cannot be renamed";
  }
}

export function prepareRename(c: Compilation, doc: TextDocument, offset: number): { range: Range; placeholder: string } | RenameRefusal | null {
  const f = fileOfDocument(c, doc);
  if (!f) return null;
  const t = targetAt(c, f, offset);
  const why = refusal(t);
  if (why || t?.kind !== "symbol") return { error: why ?? "cannot rename this" };
  return { range: spanRange(f.source, t.span), placeholder: t.symbol.name };
}

export function rename(c: Compilation, doc: TextDocument, offset: number, newName: string): WorkspaceEdit | RenameRefusal {
  const f = fileOfDocument(c, doc);
  if (!f) return { error: "the document is not part of a compiled analysis" };
  const t = targetAt(c, f, offset);
  const why = refusal(t);
  if (why || t?.kind !== "symbol") return { error: why ?? "cannot rename this" };
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(newName)) return { error: `'${newName}' is not a valid name (letters, digits and _, not starting with a digit)` };
  if (RESERVED.has(newName)) return { error: `'${newName}' is a reserved word` };
  if (newName !== t.symbol.name && c.checked.symbols.has(newName)) return { error: `'${newName}' is already declared (${c.checked.symbols.get(newName)!.kind} in ${c.checked.symbols.get(newName)!.file})` };
  const env = c.checked.env;
  if (env?.branches.has(newName) || env?.collections.has(newName)) return { error: `'${newName}' is a ${env.branches.has(newName) ? "branch" : "collection"} of the input files: a declaration of that name would hide it` };
  const changes: Record<string, TextEdit[]> = {};
  for (const o of symbolOccurrences(c, t.symbol)) {
    const loc = locationOf(o.file, o.span, doc);
    (changes[loc.uri] ??= []).push({ range: loc.range, newText: newName });
  }
  return { changes };
}
