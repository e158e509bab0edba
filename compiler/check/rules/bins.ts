/** Binnings: uniform (`N LOW .. HIGH`), variable edges, or a named `bins` declaration. */
import type * as A from "../../../grammar/ast.js";
import { printExpr } from "../../syntax/print.js";
import type { CheckContext } from "../context.js";

/** Bins per axis a histogram or a reweighting may have: the plan lists every edge. */
export const MAX_BINS = 1_000_000;

/** The numeric value of a literal (possibly negated) number, or undefined. */
export function literalValue(e: A.Expr | undefined): number | undefined {
  if (!e) return undefined;
  if (e.kind === "Number") return e.value;
  if (e.kind === "Unary" && e.op === "-" && e.operand.kind === "Number") return -e.operand.value;
  return undefined;
}

/**
 * Validates a binning: true when it is valid. Uniform binnings are not expanded into edges here: a
 * count in the billions would exhaust memory (and no caller needs the edges).
 */
export function checkBins(ctx: CheckContext, file: string, b: A.BinSpec, use: string | undefined): boolean {
  switch (b.kind) {
    case "Missing":
      return false;
    case "UniformBins": {
      const n = b.count.value;
      const lo = literalValue(b.low);
      const hi = literalValue(b.high);
      if (!b.count.isInt || n < 1 || lo === undefined || hi === undefined || !(lo < hi) || !Number.isFinite(hi - lo)) {
        ctx.report("HEP4012", file, b.span);
        return false;
      }
      if (n > MAX_BINS) {
        ctx.report("HEP4030", file, b.count.span, { count: b.count.raw, max: MAX_BINS });
        return false;
      }
      return true;
    }
    case "EdgeBins": {
      const edges = b.edges.map(literalValue);
      if (edges.some((x) => x === undefined) || edges.length < 2 || edges.some((x, i) => i > 0 && !(x! > edges[i - 1]!))) {
        ctx.report("HEP4011", file, b.span, { edges: `[${b.edges.map(printExpr).join(", ")}]` });
        return false;
      }
      return true;
    }
    case "NamedBins": {
      const sym = ctx.symbol(b.name.name);
      if (!sym) {
        if (!ctx.brokenNames.has(b.name.name)) ctx.report("HEP2001", file, b.name.span, { name: b.name.name });
        return false;
      }
      ctx.resolutions.set(b.name, { kind: "symbol", symbol: sym });
      if (use) {
        let s = ctx.deps.get(use);
        if (!s) ctx.deps.set(use, (s = new Set()));
        s.add(sym.name);
      } else ctx.used.add(sym.name);
      if (sym.decl.kind !== "Bins") {
        ctx.report("HEP2012", file, b.name.span, { name: b.name.name, actual: sym.kind, expected: "bins" });
        return false;
      }
      return checkBinsQuiet(ctx, sym.file, sym.decl.spec);
    }
  }
}

/** Whether a named binning is valid; its own declaration reports its errors once. */
function checkBinsQuiet(ctx: CheckContext, file: string, b: A.BinSpec): boolean {
  const n = ctx.diagnostics.length;
  const valid = b.kind !== "NamedBins" && checkBins(ctx, file, b, undefined);
  ctx.diagnostics.length = n;
  return valid;
}

export function checkBinsDecls(ctx: CheckContext): void {
  for (const { decl, file } of ctx.declsOf("Bins")) {
    if (decl.spec.kind === "NamedBins") {
      ctx.report("HEP3001", file, decl.spec.span, { what: "a bins declaration", expected: "edges or N LOW .. HIGH", actual: "another bins name" });
      continue;
    }
    checkBins(ctx, file, decl.spec, decl.name.name);
  }
}
