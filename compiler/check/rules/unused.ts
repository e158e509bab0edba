/**
 * Unused declarations (HEP2003, a warning): whatever no region, sample, train, evaluate or output
 * reaches through the dependency graph. Regions, samples and groups count as used: they appear in the run's
 * cutflows whether or not anything else names them.
 */
import type { CheckContext } from "../context.js";

export function checkUnused(ctx: CheckContext): void {
  const reached = new Set<string>();
  const queue: string[] = [...ctx.used];
  for (const s of ctx.symbols.values()) if (s.kind === "region" || s.kind === "sample" || s.kind === "group") queue.push(s.name);
  while (queue.length) {
    const n = queue.pop()!;
    if (reached.has(n)) continue;
    reached.add(n);
    for (const d of ctx.deps.get(n) ?? []) queue.push(d);
  }
  for (const s of ctx.symbols.values()) {
    if (!reached.has(s.name)) ctx.report("HEP2003", s.file, s.nameSpan, { kind: s.kind, name: s.name });
  }
}

/** Groups: members are samples. */
export function checkGroups(ctx: CheckContext): void {
  for (const { decl, file } of ctx.declsOf("Group")) {
    for (const m of decl.members) {
      const sym = ctx.symbol(m.name);
      if (!sym) {
        if (!ctx.brokenNames.has(m.name)) ctx.report("HEP2001", file, m.span, { name: m.name });
        continue;
      }
      ctx.resolutions.set(m, { kind: "symbol", symbol: sym });
      let deps = ctx.deps.get(decl.name.name);
      if (!deps) ctx.deps.set(decl.name.name, (deps = new Set()));
      deps.add(sym.name);
      if (sym.kind !== "sample") ctx.report("HEP2012", file, m.span, { name: m.name, actual: sym.kind, expected: "sample" });
    }
  }
}
