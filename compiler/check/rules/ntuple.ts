/**
 * The columns of an ntuple (`output ntuple "..." in REGION keep COLUMN, ...`): each kept expression
 * becomes a branch named by `as`, or by its own text when that is a name or a field path
 * (`mu_pt`, `jets.pt` → `jets_pt`). A number or condition is a flat branch; a list of them a
 * jagged branch with a count branch, shared by the fields of one collection as NanoAOD does:
 * `jets.pt, jets.eta` → `jets_pt[njets]`, `jets_eta[njets]`; `Jet.pt` → `Jet_pt[nJet]`. Any other
 * list (`(jets where pt > 50).pt as hard_pt`) is counted by `n` + its name (`nhard_pt`). Lists of
 * different lengths are separate branches with separate counts: keeping them side by side is fine.
 *
 * Read by the checker (names, types, clashes) and by the planner (the plan's columns).
 */
import type * as A from "../../../grammar/ast.js";
import type { Type } from "../../core/types.js";

export interface NtupleColumn {
  name: string;
  expr: A.Expr;
  /** where to point a diagnostic about the name */
  at: A.Node;
  scalar: "bool" | "int" | "float";
  /** jagged: the count branch's name */
  counter?: string;
}

/** The output formats an ntuple's path selects, by its ending. */
export const NTUPLE_FORMATS = [".root", ".arrow", ".feather", ".parquet"] as const;

export function ntupleFormat(path: string): (typeof NTUPLE_FORMATS)[number] | undefined {
  const lower = path.toLowerCase();
  return NTUPLE_FORMATS.find((f) => lower.endsWith(f));
}

/** `a` → "a", `a.b.c` → "a_b_c", anything else: undefined (it needs `as`). */
export function pathName(e: A.Expr): string | undefined {
  if (e.kind === "Name") return e.name;
  if (e.kind === "Member") {
    const t = pathName(e.target);
    return t === undefined ? undefined : `${t}_${e.field.name}`;
  }
  return undefined;
}

export type ColumnProblem =
  | { code: "HEP4076"; node: A.Node; args: { expr: string } }
  | { code: "HEP4077"; node: A.Node; args: { name: string; type: string } };

/**
 * The columns, given each expression's type; columns whose type is an error are left out (already
 * reported). Names are not checked for clashes here (see `clashes`).
 */
export function ntupleColumns(item: Extract<A.OutputItem, { kind: "Ntuple" }>, typeOf: (e: A.Expr) => Type, print: (e: A.Expr) => string): { columns: NtupleColumn[]; problems: ColumnProblem[] } {
  const columns: NtupleColumn[] = [];
  const problems: ColumnProblem[] = [];
  for (const k of item.keep) {
    const name = k.alias?.name ?? pathName(k.expr);
    if (!name) {
      problems.push({ code: "HEP4076", node: k.expr, args: { expr: print(k.expr) } });
      continue;
    }
    const t = typeOf(k.expr);
    if (t.kind === "error" || (t.kind === "list" && t.element.kind === "error")) continue;
    if (t.kind === "scalar") {
      columns.push({ name, expr: k.expr, at: k.alias ?? k.expr, scalar: t.scalar });
      continue;
    }
    if (t.kind === "list" && t.element.kind === "scalar") {
      const base = k.expr.kind === "Member" ? pathName(k.expr.target) : undefined;
      columns.push({ name, expr: k.expr, at: k.alias ?? k.expr, scalar: t.element.scalar, counter: `n${base ?? name}` });
      continue;
    }
    problems.push({ code: "HEP4077", node: k.expr, args: { name, type: t.kind === "list" ? "a list of records" : t.kind === "record" ? "a record" : "a string" } });
  }
  return { columns, problems };
}

/** Names given twice: a column's, or a count branch's that is also a column of another kind. */
export function clashes(columns: NtupleColumn[]): Array<{ column: NtupleColumn; name: string }> {
  const out: Array<{ column: NtupleColumn; name: string }> = [];
  const seen = new Set<string>();
  const counters = new Set(columns.flatMap((c) => (c.counter ? [c.counter] : [])));
  for (const c of columns) {
    if (seen.has(c.name) || counters.has(c.name)) out.push({ column: c, name: c.name });
    seen.add(c.name);
  }
  return out;
}
