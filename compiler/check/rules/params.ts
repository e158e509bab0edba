/**
 * Parameters: `param year = "2018"` declarations, their values once `--set NAME=VALUE` overrides are
 * applied, and `${NAME}` in strings. The value's type is the declared literal's (string, number,
 * bool or a list of one of these); an override is read as that type or reported (HEP4066), so a
 * typo on the command line never silently becomes a string.
 *
 * Strings are never rewritten in the tree: `interpolate` gives the value a string literal stands for,
 * and every stage that reads a path, a tree name or a title asks for it (`ctx.text`).
 */
import type * as A from "../../../grammar/ast.js";
import { suggest } from "../../core/suggest.js";
import type { Span } from "../../core/source.js";
import type { CheckContext } from "../context.js";

export type ParamScalar = string | number | boolean;
export type ParamValue = ParamScalar | ParamScalar[];
export type ParamType = "string" | "int" | "number" | "bool" | "list<string>" | "list<int>" | "list<number>" | "list<bool>";

export interface ParamInfo {
  name: string;
  decl: A.ParamDecl;
  file: string;
  type: ParamType;
  /** The value in effect: the declared one, or the override. */
  value: ParamValue;
  overridden: boolean;
}

/** `2018`, `"2018"`, `true`, `[2017, 2018]` as a user reads them: lists in brackets, strings bare. */
export function formatParamValue(v: ParamValue): string {
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === "string" ? JSON.stringify(x) : String(x))).join(", ")}]`;
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

function scalarOf(e: A.Expr): { value: ParamScalar; type: "string" | "int" | "number" | "bool" } | undefined {
  if (e.kind === "String") return { value: e.value, type: "string" };
  if (e.kind === "Bool") return { value: e.value, type: "bool" };
  if (e.kind === "Number" && !e.unit) return { value: e.value, type: e.isInt ? "int" : "number" };
  if (e.kind === "Unary" && e.op === "-" && e.operand.kind === "Number" && !e.operand.unit) return { value: -e.operand.value, type: e.operand.isInt ? "int" : "number" };
  return undefined;
}

/** Reads every `param` declaration and applies the overrides; reports what cannot be read. */
export function checkParams(ctx: CheckContext, overrides: ReadonlyMap<string, string>): void {
  for (const { decl, file } of ctx.declsOf("Param")) {
    if (!decl.name.name || ctx.symbol(decl.name.name)?.decl !== decl) continue;
    const v = decl.value;
    if (v.kind === "Missing") continue;
    let info: ParamInfo | undefined;
    const one = scalarOf(v);
    if (one) info = { name: decl.name.name, decl, file, type: one.type, value: one.value, overridden: false };
    else if (v.kind === "List") {
      const items = v.items.map(scalarOf);
      const kinds = new Set(items.map((i) => (i?.type === "int" ? "number" : i?.type)));
      if (items.every((i) => i) && kinds.size <= 1) {
        const elem = items.length === 0 ? "string" : items.every((i) => i!.type === "int") ? "int" : items[0]!.type;
        info = { name: decl.name.name, decl, file, type: `list<${elem}>` as ParamType, value: items.map((i) => i!.value), overridden: false };
      }
    }
    if (!info) {
      ctx.report("HEP4065", file, v.span, { name: decl.name.name });
      continue;
    }
    ctx.params.set(info.name, info);
  }
  const root = ctx.program.files[0]?.path ?? "";
  for (const [name, raw] of overrides) {
    const p = ctx.params.get(name);
    if (!p) {
      if (ctx.symbol(name)?.kind === "param" || ctx.brokenNames.has(name)) continue; // its declaration was reported
      const near = suggest(name, ctx.params.keys(), 1);
      ctx.report("HEP2050", root, { start: 0, end: 0 }, { name, where: ` (in --set ${name}=${raw})` }, near.length ? { suggestion: { message: `did you mean '${near[0]}'? (--set ${near[0]}=${raw})` } } : {});
      continue;
    }
    const parsed = parseOverride(p.type, raw);
    if ("error" in parsed) {
      ctx.report("HEP4066", p.file, p.decl.name.span, { name, value: raw, expected: parsed.error });
      continue;
    }
    p.value = parsed.value;
    p.overridden = true;
  }
}

const EXPECTED: Record<string, string> = { string: "a string", int: "an integer", number: "a number", bool: "true or false" };

/** A command-line value read as the parameter's type. Lists: `a,b,c` or `[a, b, c]`. */
export function parseOverride(type: ParamType, raw: string): { value: ParamValue } | { error: string } {
  if (type.startsWith("list<")) {
    const elem = type.slice(5, -1) as "string" | "int" | "number" | "bool";
    const inner = raw.trim().replace(/^\[(.*)\]$/s, "$1").trim();
    const parts = inner === "" ? [] : inner.split(",").map((s) => s.trim().replace(/^"(.*)"$/s, "$1"));
    const out: ParamScalar[] = [];
    for (const part of parts) {
      const one = parseScalar(elem, part);
      if ("error" in one) return { error: `a list of ${elem === "int" ? "integers" : elem === "bool" ? "bools" : elem + "s"} (item '${part}' is not ${EXPECTED[elem]})` };
      out.push(one.value);
    }
    return { value: out };
  }
  return parseScalar(type as "string" | "int" | "number" | "bool", raw);
}

function parseScalar(type: "string" | "int" | "number" | "bool", raw: string): { value: ParamScalar } | { error: string } {
  switch (type) {
    case "string":
      return { value: raw };
    case "bool":
      return raw === "true" || raw === "false" ? { value: raw === "true" } : { error: EXPECTED.bool };
    case "int":
    case "number": {
      const t = raw.trim();
      const n = t === "" ? NaN : Number(t);
      if (!Number.isFinite(n)) return { error: EXPECTED[type] };
      if (type === "int" && !Number.isInteger(n)) return { error: EXPECTED.int };
      return { value: n };
    }
  }
}

/** One piece of a string: text, or a `${NAME}` with the span of NAME in the file. */
type Piece = { text: string } | { name: string; span: Span };

/**
 * The pieces of a string literal's value. Positions come from the literal as written (`raw`), so a
 * reference is underlined where it is; `$${` writes a literal `${`.
 */
function pieces(lit: A.StringLit): Piece[] | { unclosed: Span } {
  const raw = lit.raw;
  const out: Piece[] = [];
  let text = "";
  // the value and the raw text agree outside escapes; references are found in the raw text
  let i = 1;
  const end = raw.endsWith('"') && raw.length > 1 ? raw.length - 1 : raw.length;
  while (i < end) {
    const c = raw[i];
    if (c === "\\" && i + 1 < end) {
      text += unescape(raw[i + 1]);
      i += 2;
      continue;
    }
    if (c === "$" && raw.startsWith("$${", i)) {
      text += "${";
      i += 3;
      continue;
    }
    if (c === "$" && raw[i + 1] === "{") {
      const close = raw.indexOf("}", i + 2);
      if (close < 0 || close >= end) return { unclosed: { start: lit.span.start + i, end: lit.span.start + end } };
      if (text) out.push({ text });
      text = "";
      const name = raw.slice(i + 2, close).trim();
      const at = lit.span.start + i + 2 + raw.slice(i + 2, close).indexOf(name);
      out.push({ name, span: { start: at, end: at + name.length } });
      i = close + 1;
      continue;
    }
    text += c;
    i++;
  }
  if (text) out.push({ text });
  return out;
}

function unescape(c: string): string {
  return c === "n" ? "\n" : c === "t" ? "\t" : c;
}

/** Whether a literal has a `${` in it at all: most strings do not, and need no work. */
export function hasReference(lit: A.StringLit): boolean {
  return lit.raw.includes("${");
}

/** The names a literal references, with their spans (for the LSP and for `used`). */
export function referencesIn(lit: A.StringLit): Array<{ name: string; span: Span }> {
  if (!hasReference(lit)) return [];
  const p = pieces(lit);
  return Array.isArray(p) ? p.filter((x): x is { name: string; span: Span } => "name" in x) : [];
}

/**
 * The values a string literal stands for: one, or (where `lists` is true, as in `files`) one per
 * item of each list parameter it names. Unknown names, unclosed `${` and lists where one value is
 * needed are reported, and the literal's own text is returned so that checking goes on.
 */
export function interpolate(ctx: CheckContext, file: string, lit: A.StringLit, lists = false): string[] {
  if (!hasReference(lit)) return [lit.value];
  // asked once per literal: the plan and the LSP read the values the checker found
  const known = ctx.texts.get(lit);
  if (known) return known;
  const values = interpolateOnce(ctx, file, lit, lists);
  ctx.texts.set(lit, values);
  return values;
}

function interpolateOnce(ctx: CheckContext, file: string, lit: A.StringLit, lists: boolean): string[] {
  const p = pieces(lit);
  if (!Array.isArray(p)) {
    ctx.report("HEP4068", file, p.unclosed);
    return [lit.value];
  }
  let out = [""];
  // every reference is looked at, so that one mistake does not hide the next
  let failed = false;
  for (const piece of p) {
    if ("text" in piece) {
      out = out.map((s) => s + piece.text);
      continue;
    }
    const param = ctx.params.get(piece.name);
    if (!param) {
      failed = true;
      if (ctx.symbol(piece.name)?.kind === "param" || ctx.brokenNames.has(piece.name)) continue;
      const near = suggest(piece.name, ctx.params.keys(), 1);
      ctx.report("HEP2050", file, piece.span, { name: piece.name, where: "" }, near.length ? { suggestion: { message: `did you mean '${near[0]}'?`, replacement: near[0], span: piece.span } } : {});
      continue;
    }
    ctx.used.add(param.name);
    ctx.paramRefs.push({ file, span: piece.span, name: param.name });
    if (Array.isArray(param.value)) {
      if (!lists) {
        ctx.report("HEP4067", file, piece.span, { name: param.name });
        failed = true;
        continue;
      }
      const items = param.value;
      out = out.flatMap((s) => items.map((v) => s + String(v)));
    } else out = out.map((s) => s + String(param.value));
  }
  return failed ? [lit.value] : out;
}

/** The one value of a string literal (reported when it names a list). */
export function textOf(ctx: CheckContext, file: string, lit: A.StringLit): string {
  return interpolate(ctx, file, lit)[0];
}
