/** Signature help inside a stdlib call: its signatures, the parameter the cursor is in. Works on unfinished text (tokens only). */
import type { SignatureHelp, SignatureInformation } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import * as T from "../../grammar/lexer.js";
import type { Compilation } from "../../compiler/compile.js";
import { FUNCTION_BY_NAME, signatureText } from "../../stdlib/index.js";
import { declarationStart, lastTokenBefore, lex, tokenEnd } from "./tokens.js";

/** The call the offset is in: the callee's name and the index of the argument. */
export function enclosingCall(text: string, offset: number, key?: string): { name: string; argument: number; open: number } | undefined {
  const l = lex(text, key);
  const toks = l.tokens;
  const last = lastTokenBefore(toks, offset);
  if (last < 0) return undefined;
  // A cursor inside a string or a comment-free word boundary: tokens ending after the offset are not before it.
  const stop = Math.max(0, declarationStart(l, last));
  let depth = 0;
  let commas = 0;
  for (let k = last; k >= stop; k--) {
    const t = toks[k];
    if (k === last && tokenEnd(t) > offset && t.tokenType === T.RParen) continue;
    const tt = t.tokenType;
    if (tt === T.RParen || tt === T.RBracket) depth++;
    else if (tt === T.LBracket) {
      if (depth === 0) return undefined;
      depth--;
    } else if (tt === T.LParen) {
      if (depth === 0) {
        const callee = toks[k - 1];
        if (!callee || !/^[A-Za-z_]/.test(callee.image)) return undefined;
        return { name: callee.image, argument: commas, open: t.startOffset };
      }
      depth--;
    } else if (tt === T.Comma && depth === 0) commas++;
    else if (tt === T.LBrace || tt === T.RBrace) return undefined;
  }
  return undefined;
}

export function signatureHelp(_c: Compilation | undefined, doc: TextDocument, offset: number): SignatureHelp | null {
  const call = enclosingCall(doc.getText(), offset, doc.uri);
  if (!call) return null;
  const fn = FUNCTION_BY_NAME.get(call.name);
  if (!fn) return null;
  const signatures: SignatureInformation[] = fn.signatures.map((s) => {
    const label = signatureText(fn.name, s);
    // Parameters as [start, end) offsets into the label.
    let at = fn.name.length + 1;
    const parameters = s.params.map((p) => {
      const text = `${p.name}: ${p.kind}`;
      const start = label.indexOf(text, at);
      at = start + text.length;
      return { label: [start, start + text.length] as [number, number] };
    });
    return { label, documentation: { kind: "markdown", value: fn.summary }, parameters };
  });
  let active = fn.signatures.findIndex((s) => s.params.length > call.argument);
  if (active < 0) active = fn.signatures.length - 1;
  return { signatures, activeSignature: active, activeParameter: Math.min(call.argument, fn.signatures[active].params.length - 1) };
}
