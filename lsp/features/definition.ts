/**
 * Go to definition: a name to its declaration (in whichever file of the analysis declares it), an
 * include to the included file, a branch or collection to the sample files it is read from.
 */
import type { Location } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Compilation } from "../../compiler/compile.js";
import { fileByDisplay, fileOfDocument, locationOf, targetAt, uriOf } from "./common.js";

export function definition(c: Compilation, doc: TextDocument, offset: number): Location[] | null {
  const f = fileOfDocument(c, doc);
  if (!f) return null;
  const t = targetAt(c, f, offset);
  if (!t) return null;
  const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  switch (t.kind) {
    case "symbol": {
      const df = fileByDisplay(c, t.symbol.file);
      return df ? [locationOf(df, t.symbol.nameSpan, doc)] : null;
    }
    case "include":
      return [{ uri: uriOf(t.abs), range: zero }];
    case "branch":
    case "collection": {
      // The `files` strings of the samples whose tree has it.
      const name = t.kind === "branch" ? t.name : t.collection.prefix;
      const out: Location[] = [];
      for (const s of c.checked.samples) {
        const has = t.kind === "branch" ? s.env?.branches.has(name) : s.env?.collections.has(name);
        if (!has) continue;
        const sf = fileByDisplay(c, s.file);
        const filesProp = s.decl.props.find((p) => p.prop === "files");
        if (sf && filesProp) out.push(locationOf(sf, filesProp.span, doc));
      }
      return out.length ? out : null;
    }
    default:
      return null;
  }
}
