/** Markdown for hover and completion: stdlib functions, declarations, branches, collections, samples. */
import { formatParamValue } from "../../compiler/check/rules/params.js";
import type * as A from "../../grammar/ast.js";
import type { CollectionEntry, Env } from "../../compiler/check/env.js";
import type { SampleInput } from "../../compiler/check/context.js";
import type { SymbolInfo } from "../../compiler/check/symbols.js";
import type { Compilation } from "../../compiler/compile.js";
import { typeToString, Type } from "../../compiler/core/types.js";
import { printBins, printExpr } from "../../compiler/syntax/print.js";
import { BUILTIN_BY_NAME, FUNCTION_BY_NAME, MODEL_KIND_BY_NAME, signatureText, StdFunction } from "../../stdlib/index.js";

const fence = (s: string) => "```hep\n" + s + "\n```";

export function functionMarkdown(fn: StdFunction): string {
  const sigs = fn.signatures.map((s) => signatureText(fn.name, s)).join("\n");
  const parts = [fence(sigs), fn.summary];
  if (fn.doc) parts.push(fn.doc);
  if (fn.examples.length) parts.push("Examples: " + fn.examples.map((e) => "`" + e + "`").join(", "));
  return parts.join("\n\n");
}

export function functionByName(name: string): StdFunction | undefined {
  return FUNCTION_BY_NAME.get(name);
}

/** The type the checker gave a declaration's expression, when it has one. */
export function symbolType(c: Compilation, sym: SymbolInfo): Type | undefined {
  const d = sym.decl;
  if (d.kind === "Object" || d.kind === "Define" || d.kind === "Region") {
    const t = c.checked.types.get(d.expr);
    return t && t.kind !== "error" ? t : undefined;
  }
  return undefined;
}

function clip(s: string, max = 400): string {
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}

export function symbolMarkdown(c: Compilation, sym: SymbolInfo): string {
  const d = sym.decl;
  const where = `declared in \`${sym.file}\``;
  switch (d.kind) {
    case "Object":
    case "Define":
    case "Region": {
      const t = symbolType(c, sym);
      const head = `${d.kind.toLowerCase()} ${sym.name}${t ? ": " + typeToString(t) : ""}`;
      const weight = d.kind === "Region" && d.weight ? `\n  { weight ${clip(printExpr(d.weight.expr))} }` : "";
      return [fence(`${head}\n  = ${clip(printExpr(d.expr))}${weight}`), where].join("\n\n");
    }
    case "Sample": {
      const input = c.checked.samples.find((s) => s.name === sym.name);
      return [fence(`sample ${sym.name}`), input ? sampleMarkdown(input) : "", where].filter(Boolean).join("\n\n");
    }
    case "Group":
      return [fence(`group ${sym.name} = ${d.members.map((m) => m.name).join(", ")}`), where].join("\n\n");
    case "Bins":
      return [fence(`bins ${sym.name} = ${d.spec.kind === "Missing" ? "?" : printBins(d.spec)}`), where].join("\n\n");
    case "Features": {
      const items = d.items.map((it) => `  ${printExpr(it.expr)}${it.alias ? " as " + it.alias.name : ""}${it.scaling ? " " + it.scaling.scaling : ""}`);
      return [fence(`features ${sym.name} {\n${clip(items.join("\n"), 1200)}\n}`), `${d.items.length} feature${d.items.length === 1 ? "" : "s"}; ${where}`].join("\n\n");
    }
    case "Model": {
      const kind = MODEL_KIND_BY_NAME.get(d.modelKind.name);
      const args = d.args.map((a) => printExpr(a)).join(", ");
      const opts = d.options.map((o) => `${o.key.name} ${o.value.kind === "Missing" ? "?" : printExpr(o.value as A.Expr)}`).join(" ");
      return [fence(`model ${sym.name} = ${d.modelKind.name}(${args})${opts ? ` { ${opts} }` : ""}`), kind?.summary ?? "", where].filter(Boolean).join("\n\n");
    }
    case "Param": {
      const p = c.checked.params.get(sym.name);
      const value = p ? formatParamValue(p.value) : printExpr(d.value);
      const note = p?.overridden ? `set to \`${value}\` on the command line (declared \`${printExpr(d.value)}\`)` : "";
      return [fence(`param ${sym.name}${p ? ": " + p.type : ""} = ${value}`), note, `used as \`\${${sym.name}}\` in strings; \`--set ${sym.name}=...\` overrides it`, where].filter(Boolean).join("\n\n");
    }
  }
}

export function sampleMarkdown(s: SampleInput): string {
  const lines: string[] = [];
  if (s.files.length) lines.push(`files: ${s.files.map((f) => "`" + f.path + "`").join(", ")}`);
  if (s.tree) lines.push(`tree: \`${s.tree}\``);
  if (s.schema) lines.push(`entries: ${s.schema.entries.toLocaleString("en-US")} (in \`${s.schema.file}\`), ${s.schema.branches.length} branches`);
  if (s.klass) lines.push(`class: ${s.klass}`);
  if (s.friend) lines.push(`friend: tree \`${s.friend.tree}\` in ${s.friend.files.map((f) => "`" + f.path + "`").join(", ")} (${s.friend.branches.size} branches joined)`);
  const classes = s.decl.props.find((p) => p.prop === "classes");
  if (classes?.prop === "classes") lines.push(`classes (output order): ${classes.entries.map((e) => `${e.name.name} = ${printExpr(e.value)}`).join("; ")}${classes.by ? ` (by ${printExpr(classes.by)})` : ""}`);
  return lines.join("  \n");
}

/** The samples whose tree has the branch, with its type there. */
export function branchMarkdown(c: Compilation, name: string): string {
  const found = c.checked.samples.filter((s) => s.env?.branches.has(name));
  const first = found[0]?.env?.branches.get(name);
  if (!first) return fence(`branch ${name}`);
  const t = first.type ? typeToString(first.type) : "unsupported";
  const lines = [fence(`branch ${name}: ${t}`), `\`${first.schema.typename}\` in tree \`${found[0].tree}\``];
  if (first.schema.countBranch) lines.push(`counted by \`${first.schema.countBranch}\``);
  const files = found.flatMap((s) => (s.schema ? [s.schema.file] : []));
  lines.push(`from ${files.map((f) => "`" + f + "`").join(", ")}`);
  const grouping = groupingOf(found[0].env!, name);
  if (grouping) lines.push(grouping);
  return lines.join("\n\n");
}

/** How a branch was grouped by its prefix: a field of which record, or why it stands alone. */
function groupingOf(env: Env, name: string): string | undefined {
  for (const coll of env.collections.values()) {
    for (const [field, branch] of coll.branchOf) {
      if (branch === name) return `grouped by its prefix \`${coll.prefix}_\` as field \`${field}\` of ${coll.shape === "jagged" ? "the collection" : "the record"} \`${coll.prefix}\``;
    }
  }
  const i = name.indexOf("_");
  return i > 0 ? env.ungrouped.get(name.slice(0, i)) : undefined;
}

export function collectionMarkdown(coll: CollectionEntry): string {
  const fields = [...coll.record.fields].map(([f, t]) => `${f}: ${typeToString(t)}${coll.branchOf.has(f) ? "" : " (derived)"}`);
  const shape = coll.shape === "jagged" ? `collection<${coll.prefix}>` : coll.prefix;
  const lines = [fence(`${shape}\n  ${fields.join("\n  ")}`)];
  const branches = [...coll.branchOf.values()];
  const listed = branches.slice(0, 4).map((b) => "`" + b + "`").join(", ") + (branches.length > 4 ? ", ..." : "");
  lines.push(coll.shape === "jagged"
    ? `One list per event: grouped from the jagged branches named \`${coll.prefix}_*\` (${listed})${coll.countBranch ? `, counted by \`${coll.countBranch}\`` : ""}.`
    : `One record per event: grouped from the flat branches ${listed}, whose names after \`${coll.prefix}_\` look like fields of one object.`);
  if (coll.kinematics) lines.push(`Kinematics from (${Object.keys(coll.kinematics.fields).join(", ")}).`);
  return lines.join("\n\n");
}

export function builtinMarkdown(name: string): string {
  const b = BUILTIN_BY_NAME.get(name);
  return b ? [fence(`${b.name}: ${b.type}`), b.summary].join("\n\n") : fence(name);
}
