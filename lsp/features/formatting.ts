/**
 * Document formatting: `formatText`, the same code as `hepc fmt`, as one edit of the whole
 * document. A file with syntax errors is left as it is (no edits), as `hepc fmt` leaves it.
 */
import type { TextEdit } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { formatText } from "../../compiler/fmt/index.js";
import { documentPath } from "./common.js";

export function formatting(doc: TextDocument): TextEdit[] {
  const text = doc.getText();
  let formatted: string | undefined;
  try {
    formatted = formatText(documentPath(doc.uri), text).text;
  } catch {
    // A formatter bug (FormatError): leave the text as it is.
    return [];
  }
  if (formatted === undefined || formatted === text) return [];
  return [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(text.length) }, newText: formatted }];
}
