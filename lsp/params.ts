/**
 * The shape each request's params must have before a handler reads them. A client that sends
 * `params: null`, or a position without numbers, gets a JSON-RPC InvalidParams error saying which
 * field is wrong (transport.ts answers it before the request is dispatched), instead of the text
 * of whatever TypeError the handler would have hit.
 */
/** A field's expected kind, or an object of fields (all required unless named in `optional`). */
export type Shape =
  | "string"
  | "boolean"
  | "uint"
  | "object"
  | { fields: Record<string, Shape>; optional?: readonly string[] };

const position: Shape = { fields: { line: "uint", character: "uint" } };
const textDocument: Shape = { fields: { uri: "string" } };
const range: Shape = { fields: { start: position, end: position } };

const document: Shape = { fields: { textDocument } };
const atPosition: Shape = { fields: { textDocument, position } };
const inRange: Shape = { fields: { textDocument, range } };

/**
 * The params each request the server answers must have: the fields its handler (and the library's
 * wrapper around it, which reads `params.workDoneToken` before any handler runs) reads.
 */
export const REQUEST_SHAPES: Readonly<Record<string, Shape>> = {
  initialize: { fields: { capabilities: "object" } },
  "textDocument/completion": atPosition,
  "completionItem/resolve": { fields: { label: "string" } },
  "textDocument/hover": atPosition,
  "textDocument/signatureHelp": atPosition,
  "textDocument/definition": atPosition,
  "textDocument/references": { fields: { textDocument, position, context: { fields: { includeDeclaration: "boolean" } } } },
  "textDocument/documentHighlight": atPosition,
  "textDocument/prepareRename": atPosition,
  "textDocument/rename": { fields: { textDocument, position, newName: "string" } },
  "textDocument/documentSymbol": document,
  "textDocument/foldingRange": document,
  "textDocument/semanticTokens/full": document,
  "textDocument/inlayHint": inRange,
  "textDocument/formatting": document,
  "textDocument/codeAction": inRange,
  "textDocument/diagnostic": document,
};

const WORDS: Record<Exclude<Shape, object>, string> = {
  string: "a string",
  boolean: "true or false",
  uint: "a non-negative integer",
  object: "an object",
};

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}

/** Why `value` (at `where`) does not have `shape`, or undefined when it does. */
export function mismatch(value: unknown, shape: Shape, where: string): string | undefined {
  if (typeof shape === "string") {
    const ok =
      shape === "string" ? typeof value === "string"
      : shape === "boolean" ? typeof value === "boolean"
      : shape === "uint" ? Number.isInteger(value) && (value as number) >= 0
      : value !== null && typeof value === "object" && !Array.isArray(value);
    return ok ? undefined : `${where} must be ${WORDS[shape]}, not ${describe(value)}`;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return `${where} must be an object, not ${describe(value)}`;
  for (const [k, s] of Object.entries(shape.fields)) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined && shape.optional?.includes(k)) continue;
    const why = mismatch(v, s, `${where}.${k}`);
    if (why) return why;
  }
  return undefined;
}

/** Why the params of a request for `method` are unusable (a sentence naming the field), or undefined when they are fine or the method is not one the table knows. */
export function invalidParams(method: string, params: unknown): string | undefined {
  const shape = REQUEST_SHAPES[method];
  const why = shape && mismatch(params, shape, "params");
  return why ? `${method}: ${why}` : undefined;
}
