/**
 * `defaults { ... }`: sample properties every sample has unless it gives its own. After binding
 * and before samples are checked, each sample's declaration is replaced (in the declaration list
 * and the symbol table) by one whose properties include the defaults it inherits, so every later
 * stage (checker, planner, diff, language server) sees the sample as if it had written them. The
 * inherited properties keep their nodes; `ctx.inheritedFrom` says which file they are written in,
 * so a diagnostic about one points at the defaults block, and each is checked there once.
 */
import type * as A from "../../../grammar/ast.js";
import type { CheckContext } from "../context.js";

export function applyDefaults(ctx: CheckContext): void {
  const shared = new Map<string, { prop: A.SampleProp; file: string }>();
  for (const { decl, file } of ctx.declsOf("Defaults")) {
    for (const p of decl.props) {
      // Files are what tells samples apart: a default for them would make every sample the same.
      if (p.prop === "files") {
        ctx.report("HEP4060", file, p.key.span, { property: "files" });
        continue;
      }
      if (shared.has(p.prop)) {
        ctx.report("HEP4004", file, p.key.span, { property: p.prop, block: "the sample defaults" });
        continue;
      }
      shared.set(p.prop, { prop: p, file });
      ctx.inheritedFrom.set(p, file);
    }
  }
  if (shared.size === 0) return;
  ctx.decls.forEach((located, i) => {
    const d = located.decl;
    if (d.kind !== "Sample") return;
    const own = new Set(d.props.map((p) => p.prop));
    const inherited = [...shared.values()].filter((x) => !own.has(x.prop.prop)).map((x) => x.prop);
    if (inherited.length === 0) return;
    const merged: A.SampleDecl = { ...d, props: [...d.props, ...inherited] };
    ctx.decls[i] = { decl: merged, file: located.file };
    const sym = d.name.name ? ctx.symbols.get(d.name.name) : undefined;
    if (sym && sym.decl === d) sym.decl = merged;
  });
}
