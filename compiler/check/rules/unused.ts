/**
 * Unused declarations (HEP2003, a warning): whatever no region, sample, train, evaluate or output
 * reaches through the dependency graph; one that only unused declarations use is HEP2070, naming
 * the chain of users up to the one nothing uses (removing that one leaves this one unused too). Regions, samples and groups count as used: they appear in the run's
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
  const users = new Map<string, Set<string>>();
  for (const [user, deps] of ctx.deps) {
    for (const d of deps) {
      let u = users.get(d);
      if (!u) users.set(d, (u = new Set()));
      u.add(user);
    }
  }
  for (const s of ctx.symbols.values()) {
    if (reached.has(s.name)) continue;
    const chain = unusedChain(s.name, users);
    if (!chain) ctx.report("HEP2003", s.file, s.nameSpan, { kind: s.kind, name: s.name });
    else ctx.report("HEP2070", s.file, s.nameSpan, { kind: s.kind, name: s.name, chain: chain.map((n) => `${ctx.symbols.get(n)?.kind ?? "declaration"} '${n}'`).join(" → ") });
  }
}

/**
 * For a declaration only other unused declarations use: the shortest chain of users from it to one
 * that nothing uses (undefined when nothing uses it, or its users only use each other).
 */
function unusedChain(name: string, users: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  if (!users.get(name)?.size) return undefined;
  const from = new Map<string, string>();
  const queue = [name];
  const seen = new Set(queue);
  while (queue.length) {
    const n = queue.shift()!;
    const us = [...(users.get(n) ?? [])].sort();
    if (n !== name && us.length === 0) {
      const chain = [n];
      while (from.get(chain[0]) !== name) chain.unshift(from.get(chain[0])!);
      return chain;
    }
    for (const u of us) {
      if (seen.has(u)) continue;
      seen.add(u);
      from.set(u, n);
      queue.push(u);
    }
  }
  return undefined;
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
