/**
 * Hover: a stdlib function's signatures and docs, a declaration's expression and type, a branch's
 * type and the files it comes from, a collection's fields, a sample's files and entries, a field's
 * type, a model kind or option, a model's score.
 */
import { Hover, MarkupKind } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type * as A from "../../grammar/ast.js";
import type { Compilation } from "../../compiler/compile.js";
import { typeToString } from "../../compiler/core/types.js";
import { MODEL_KIND_BY_NAME } from "../../stdlib/index.js";
import { fileOfDocument, nodeAt, spanRange, targetAt } from "./common.js";

const THIS = new Set(["This"]);
const NAME_KINDS = new Set(["Ident", "Name", "String"]);
const IDENT = new Set(["Ident"]);
import { branchMarkdown, builtinMarkdown, collectionMarkdown, functionByName, functionMarkdown, symbolMarkdown } from "./docs.js";

export function hover(c: Compilation, doc: TextDocument, offset: number): Hover | null {
  const f = fileOfDocument(c, doc);
  if (!f) return null;
  const t = targetAt(c, f, offset);
  if (!t) {
    // the class of a multiclass score, `signal` in `bdt.signal`
    const field = nodeAt(f.parsed.ast, offset, IDENT);
    const member = field ? memberOf(f.parsed.ast, (m) => m.field === field) : undefined;
    const sym = member && member.target.kind === "Name" && c.checked.scores.has(member) ? c.checked.symbols.get(member.target.name) : undefined;
    if (member && sym?.decl.kind === "Model") {
      return { contents: { kind: MarkupKind.Markdown, value: classScoreMarkdown(sym.decl, member.field.name) }, range: spanRange(f.source, member.field.span) };
    }
    const op = operatorAt(f.parsed.ast, offset);
    if (op) {
      const ty = c.checked.types.get(op.node);
      return { contents: { kind: MarkupKind.Markdown, value: operatorMarkdown(op.node, ty && ty.kind !== "error" ? typeToString(ty) : undefined) }, range: spanRange(f.source, op.span) };
    }
    // `this`: the element in scope.
    const n = nodeAt(f.parsed.ast, offset, THIS);
    const ty = n ? c.checked.types.get(n as unknown as A.Expr) : undefined;
    if (!n || !ty || ty.kind === "error") return null;
    return { contents: { kind: MarkupKind.Markdown, value: "```hep\nthis: " + typeToString(ty) + "\n```\n\nThe current element of the collection being filtered or searched." }, range: spanRange(f.source, n.span) };
  }
  let md: string | undefined;
  switch (t.kind) {
    case "symbol":
      md = symbolMarkdown(c, t.symbol);
      if (t.symbol.kind === "model" && !t.isDeclaration) {
        const score = scoreMarkdown(c, f.parsed.ast, offset, t.symbol.decl as A.ModelDecl);
        if (score) md = score + (md ? "\n\n---\n\n" + md : "");
      }
      break;
    case "function": {
      const fn = functionByName(t.name);
      md = fn ? functionMarkdown(fn) : undefined;
      break;
    }
    case "branch":
      md = branchMarkdown(c, t.name);
      break;
    case "collection":
      md = collectionMarkdown(t.collection);
      break;
    case "builtin":
      md = builtinMarkdown(t.name);
      break;
    case "field": {
      const coll = c.checked.env?.collections.get(t.record);
      const ty = coll?.record.fields.get(t.field) ?? c.checked.types.get(t.node as unknown as A.Expr) ?? parentMemberType(c, f.parsed.ast, t.node);
      const branch = coll?.branchOf.get(t.field);
      md = "```hep\n" + `${t.record}.${t.field}${ty && ty.kind !== "error" ? ": " + typeToString(ty) : ""}` + "\n```";
      if (branch) md += `\n\nread from the branch \`${branch}\``;
      else if (coll?.kinematics) md += "\n\nderived from the collection's kinematics";
      break;
    }
    case "modelKind": {
      const k = MODEL_KIND_BY_NAME.get(t.name)!;
      md = "```hep\n" + `${k.name}(${k.argument === "features" ? "FEATURES" : k.argument === "expression" ? "EXPR" : '"model.onnx"'})` + "\n```\n\n" + k.summary + "\n\nOptions: " + k.options.map((o) => "`" + o.name + "`").join(", ");
      break;
    }
    case "option": {
      const spec = MODEL_KIND_BY_NAME.get(t.model)?.options.find((o) => o.name === t.option);
      if (spec) md = "```hep\n" + `${spec.name}: ${spec.type}${spec.default !== undefined ? " = " + JSON.stringify(spec.default) : ""}` + "\n```\n\n" + spec.summary;
      break;
    }
    case "include":
      md = "```hep\ninclude " + JSON.stringify(t.abs.split(/[\\/]/).pop()) + "\n```";
      break;
  }
  if (!md) return null;
  return { contents: { kind: MarkupKind.Markdown, value: md }, range: spanRange(f.source, t.span) };
}

/**
 * A model's name used as a value: "score of model bdt (gbdt)", or of one class (`bdt.signal`).
 * Undefined where the name is not a score (a train block's list, an output's model).
 */
function scoreMarkdown(c: Compilation, ast: A.FileAst, offset: number, model: A.ModelDecl): string | undefined {
  const n = nodeAt(ast, offset, NAME_KINDS) as A.Expr | undefined;
  if (!n) return undefined;
  const kind = model.modelKind.name;
  const direct = c.checked.scores.get(n);
  if (direct) return "```hep\n" + `${model.name.name}: float` + "\n```\n\n" + `score of model ${model.name.name} (${kind})`;
  const member = memberOf(ast, (m) => m.target === n);
  const score = member ? c.checked.scores.get(member) : undefined;
  if (!member || !score) return undefined;
  return classScoreMarkdown(model, member.field.name);
}

function classScoreMarkdown(model: A.ModelDecl, klass: string): string {
  return "```hep\n" + `${model.name.name}.${klass}: float` + "\n```\n\n" + `score of class ${klass} of model ${model.name.name} (${model.modelKind.name})`;
}

/** The member expression that passes the test. */
function memberOf(ast: A.FileAst, test: (m: A.MemberExpr) => boolean): A.MemberExpr | undefined {
  let found: A.MemberExpr | undefined;
  const visit = (v: unknown): void => {
    if (found || typeof v !== "object" || v === null) return;
    if (Array.isArray(v)) return v.forEach(visit);
    const n = v as A.MemberExpr;
    if (n.kind === "Member" && test(n)) {
      found = n;
      return;
    }
    for (const [k, x] of Object.entries(v)) if (k !== "span") visit(x);
  };
  visit(ast.decls);
  return found;
}

/**
 * The innermost `??` or `in` expression whose operator (the text between its operands) holds the
 * offset: the operators the language added for missing values and sets explain themselves on hover.
 */
function operatorAt(ast: A.FileAst, offset: number): { node: A.Binary | A.InExpr; span: A.Node["span"] } | undefined {
  let found: { node: A.Binary | A.InExpr; span: A.Node["span"] } | undefined;
  const visit = (v: unknown): void => {
    if (typeof v !== "object" || v === null) return;
    if (Array.isArray(v)) return v.forEach(visit);
    const n = v as A.Expr;
    if ("span" in n && n.span && (offset < n.span.start || offset > n.span.end)) return;
    if (n.kind === "Binary" && n.op === "??" && offset >= n.left.span.end && offset <= n.right.span.start) found = { node: n, span: { start: n.left.span.end, end: n.right.span.start } };
    if (n.kind === "In" && offset >= n.target.span.end && offset <= (n.items[0]?.span.start ?? n.span.end)) found = { node: n, span: { start: n.target.span.end, end: n.items[0]?.span.start ?? n.span.end } };
    for (const [k, x] of Object.entries(v)) if (k !== "span") visit(x);
  };
  visit(ast.decls);
  return found;
}

function operatorMarkdown(n: A.Binary | A.InExpr, type: string | undefined): string {
  const sig = type ? "```hep\n" + `${n.kind === "In" ? (n.negated ? "not in" : "in") : "??"}: ${type}` + "\n```\n\n" : "";
  if (n.kind === "In") {
    return sig + (n.negated
      ? "`x not in [a, b, ...]`: true where `x` has a value equal to none of the values (false where `x` is missing)."
      : "`x in [a, b, ...]`: true where `x` equals one of the values (false where `x` is missing).") + " Over a list it tests each element.";
  }
  return sig + "`a ?? b`: `b` where `a` is missing (an index past the end, `max`, `min` or `mean` of an empty list, ...), else `a`. Over a list it replaces each missing element.";
}

/** A member's field node carries no type itself: the enclosing Member expression has it. */
function parentMemberType(c: Compilation, ast: A.FileAst, field: A.Node) {
  let found: A.MemberExpr | undefined;
  const visit = (v: unknown): void => {
    if (found || typeof v !== "object" || v === null) return;
    if (Array.isArray(v)) return v.forEach(visit);
    const n = v as A.MemberExpr;
    if (n.kind === "Member" && n.field === field) {
      found = n;
      return;
    }
    for (const [k, x] of Object.entries(v)) if (k !== "span") visit(x);
  };
  visit(ast.decls);
  return found ? c.checked.types.get(found) : undefined;
}
