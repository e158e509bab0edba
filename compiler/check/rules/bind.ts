/** Collects every declaration into the symbol table: duplicates (HEP2002) and the analysis header (HEP4015/4016). */
import type * as A from "../../../grammar/ast.js";
import type { CheckContext } from "../context.js";
import { KIND_OF } from "../symbols.js";

export function bind(ctx: CheckContext): void {
  ctx.program.files.forEach((f) => {
    for (const decl of f.ast.decls) ctx.decls.push({ decl, file: f.path });
  });
  for (const { decl, file } of ctx.decls) {
    if (decl.kind === "Broken") {
      if (decl.name) ctx.brokenNames.add(decl.name.name);
      if (decl.keyword === "analysis") ctx.analysis ??= { decl: { kind: "Analysis", id: -1, span: decl.span, name: decl.name ?? { kind: "Ident", name: "", id: -1, span: decl.span }, props: [] }, file };
      continue;
    }
    if (decl.kind === "Analysis") {
      if (ctx.analysis) {
        ctx.report("HEP4016", file, decl.name.span, {}, { related: [{ file: ctx.analysis.file, span: ctx.analysis.decl.name.span, message: "first given here" }] });
      } else ctx.analysis = { decl, file };
      continue;
    }
    const kind = KIND_OF[decl.kind];
    if (!kind) continue;
    const named = decl as A.SampleDecl;
    if (!named.name || named.name.name === "") continue;
    const prev = ctx.symbols.get(named.name.name);
    if (prev) {
      ctx.report("HEP2002", file, named.name.span, { name: named.name.name }, { related: [{ file: prev.file, span: prev.nameSpan, message: "first declared here" }] });
      continue;
    }
    ctx.symbols.set(named.name.name, { name: named.name.name, kind, decl: decl as never, file, nameSpan: named.name.span });
  }
  if (!ctx.analysis) {
    const root = ctx.program.files[0];
    const hasSyntaxErrors = ctx.program.diagnostics.some((d) => d.code.startsWith("HEP1"));
    if (root && !hasSyntaxErrors) ctx.report("HEP4015", root.path, { start: 0, end: 0 });
  }
}
