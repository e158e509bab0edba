/**
 * Derived histograms, `histogram NAME = EXPR`: a linear combination of samples' and groups'
 * histograms, written beside them in every histogram output split by sample or group.
 *
 * The expression is read as a linear form (name → coefficient): `+`/`-` of histograms, `*` by a
 * number, `/` by a number, numbers (and numeric parameters) and unary minus. Everything else is an
 * error with its place: unknown names (HEP2085, with a suggestion), names of other declarations
 * (HEP2086), other operators (HEP4120), division by a histogram (HEP4121), a result that is a
 * number (HEP4125). The name must differ from every split it is written beside (HEP4122); an
 * operand must be a sum of the splits of each histogram split by group (HEP4124); a derived
 * histogram no output carries is a warning (HEP4123).
 *
 * The planner reads the same linear form (`linearForm` without a reporter) and the split each
 * operand covers (`operandSplits`), so checker and plan agree on what an operand names.
 */
import type * as A from "../../../grammar/ast.js";
import type { Span } from "../../core/source.js";
import { suggest } from "../../core/suggest.js";
import { flatOutputItems } from "../../syntax/outputs.js";
import { printExpr } from "../../syntax/print.js";
import type { CheckContext } from "../context.js";
import { histogramName } from "./fit.js";

type Form = { kind: "number"; value: number } | { kind: "hist"; terms: Map<string, number>; spans: Map<string, Span> };

/** Reports a problem; absent when the caller (the planner) only wants the form of a checked expression. */
type Report = ((code: "HEP2085" | "HEP2086" | "HEP4120" | "HEP4121", span: Span, args: Record<string, string>, near?: string) => void) | undefined;

/** An expression's linear form over sample and group names; undefined where it has none (reported when `report` is given). */
export function linearForm(ctx: CheckContext, histogram: string, e: A.Expr, report: Report): Form | undefined {
  const bad = (x: A.Expr, reason: string): undefined => {
    const text = printExpr(x);
    report?.("HEP4120", x.span, { what: `'${text.length > 40 ? text.slice(0, 39) + "…" : text}'`, name: histogram, reason });
    return undefined;
  };
  const scale = (f: Form, k: number): Form => (f.kind === "number" ? { kind: "number", value: f.value * k } : { kind: "hist", terms: new Map([...f.terms].map(([n, c]) => [n, c * k])), spans: f.spans });
  switch (e.kind) {
    case "Number":
      if (e.unit) return bad(e, "a number here is a factor without a unit");
      return { kind: "number", value: e.value };
    case "Name": {
      const sym = ctx.symbol(e.name);
      if (sym?.kind === "sample" || sym?.kind === "group") {
        ctx.used.add(sym.name);
        ctx.resolutions.set(e, { kind: "symbol", symbol: sym });
        return { kind: "hist", terms: new Map([[sym.name, 1]]), spans: new Map([[sym.name, e.span]]) };
      }
      const param = ctx.params.get(e.name);
      if (sym?.kind === "param" && param && typeof param.value === "number") {
        ctx.used.add(sym.name);
        ctx.resolutions.set(e, { kind: "symbol", symbol: sym });
        return { kind: "number", value: param.value };
      }
      if (ctx.brokenNames.has(e.name)) return undefined;
      if (sym) {
        report?.("HEP2086", e.span, { name: e.name, histogram, kind: sym.kind === "param" ? "parameter that is not a number" : sym.kind });
        return undefined;
      }
      const derived = ctx.declsOf("DerivedHistogram").some(({ decl }) => decl.name.name === e.name);
      if (derived) {
        report?.("HEP2086", e.span, { name: e.name, histogram, kind: "derived histogram (write its expression out)" });
        return undefined;
      }
      const near = suggest(e.name, [...ctx.symbols.values()].filter((s) => s.kind === "sample" || s.kind === "group").map((s) => s.name), 1)[0];
      report?.("HEP2085", e.span, { name: e.name, histogram }, near);
      return undefined;
    }
    case "Unary": {
      if (e.op !== "-") return bad(e, "only `-` applies to a histogram");
      const f = linearForm(ctx, histogram, e.operand, report);
      return f && scale(f, -1);
    }
    case "Binary": {
      if (e.op !== "+" && e.op !== "-" && e.op !== "*" && e.op !== "/") return bad(e, `'${e.op}' is not one of +, -, * and /`);
      const l = linearForm(ctx, histogram, e.left, report);
      const r = linearForm(ctx, histogram, e.right, report);
      if (e.op === "/" && r?.kind === "hist") {
        report?.("HEP4121", e.right.span, { name: histogram });
        return undefined;
      }
      if (!l || !r) return undefined;
      if (e.op === "+" || e.op === "-") {
        const sign = e.op === "+" ? 1 : -1;
        if (l.kind === "number" && r.kind === "number") return { kind: "number", value: l.value + sign * r.value };
        if (l.kind === "number" || r.kind === "number") return bad(e, "a number cannot be added to a histogram (scale it with `*` instead)");
        const terms = new Map(l.terms);
        const spans = new Map(l.spans);
        for (const [n, c] of r.terms) {
          terms.set(n, (terms.get(n) ?? 0) + sign * c);
          if (!spans.has(n)) spans.set(n, r.spans.get(n)!);
        }
        return { kind: "hist", terms, spans };
      }
      if (e.op === "*") {
        if (l.kind === "hist" && r.kind === "hist") return bad(e, "two histograms cannot be multiplied (only a histogram by a number)");
        return l.kind === "number" ? scale(r, l.value) : scale(l, (r as { value: number }).value);
      }
      const k = (r as { value: number }).value;
      if (k === 0) return bad(e.right, "a division by zero");
      return scale(l, 1 / k);
    }
    case "Missing":
      return undefined;
    default:
      return bad(e, "only samples, groups, numbers, +, -, * and / make a derived histogram");
  }
}

/**
 * The splits of a histogram output that sum to an operand's histogram, or why there are none. Split
 * by sample: the operand's samples. Split by group: each sample's split is the first group by name
 * that lists it (as the runtime merges them, plan `groups` being sorted by name), else the sample
 * itself; the operand must be a union of whole splits.
 */
export function operandSplits(operand: string, by: "sample" | "group", groups: ReadonlyMap<string, readonly string[]>, samples: readonly string[]): { splits: string[] } | { reason: string } {
  const of = groups.has(operand) ? [...new Set(groups.get(operand)!)] : [operand];
  if (by === "sample") return { splits: of.filter((s) => samples.includes(s)) };
  const sorted = [...groups.keys()].sort();
  const splitOf = (s: string) => sorted.find((g) => groups.get(g)!.includes(s)) ?? s;
  const membersOf = (split: string) => (groups.has(split) ? [...new Set(groups.get(split)!)] : [split]);
  const splits = [...new Set(of.map(splitOf))];
  for (const split of splits) {
    const outside = membersOf(split).filter((m) => !of.includes(m));
    if (outside.length) return { reason: `its sample${of.length > 1 ? "s go" : " goes"} into group '${split}' with ${outside.map((m) => `'${m}'`).join(", ")}` };
  }
  return { splits };
}

/** Groups by name with their members, as the plan records them. */
export function groupMembers(ctx: CheckContext): Map<string, string[]> {
  return new Map(ctx.declsOf("Group").map(({ decl }) => [decl.name.name, decl.members.map((m) => m.name)]));
}

export function checkDerivedHistograms(ctx: CheckContext): void {
  const decls = ctx.declsOf("DerivedHistogram");
  if (!decls.length) return;
  const histograms = ctx.declsOf("Output").flatMap(({ decl }) => flatOutputItems(decl.items)).filter((it) => it.kind === "Histogram");
  const split = histograms.filter((h) => h.by?.name === "sample" || h.by?.name === "group");
  const groups = groupMembers(ctx);
  const samples = ctx.samples.map((s) => s.name);
  const seen = new Set<string>();
  for (const { decl, file } of decls) {
    const name = decl.name.name;
    const sym = ctx.symbol(name);
    if (sym && (sym.kind === "sample" || sym.kind === "group")) ctx.report("HEP4122", file, decl.name.span, { name, what: `${sym.kind} '${name}'` }, { related: [{ file: sym.file, span: sym.nameSpan, message: "declared here" }] });
    else if (seen.has(name)) ctx.report("HEP4122", file, decl.name.span, { name, what: "another derived histogram" });
    seen.add(name);
    const report: Report = (code, span, args, near) =>
      ctx.report(code, file, span, args, near ? { suggestion: { message: `did you mean '${near}'?`, replacement: near, span } } : {});
    const form = linearForm(ctx, name, decl.expr, report);
    if (!form) continue;
    if (form.kind === "number") {
      ctx.report("HEP4125", file, decl.expr.span, { name });
      continue;
    }
    if (!split.length) {
      ctx.report("HEP4123", file, decl.name.span, { name });
      continue;
    }
    // which splits an operand covers depends on the groups only: one report per operand, naming the first such histogram
    const byGroup = split.find((x) => x.by?.name === "group");
    for (const operand of byGroup ? form.terms.keys() : []) {
      const got = operandSplits(operand, "group", groups, samples);
      if ("reason" in got) ctx.report("HEP4124", file, form.spans.get(operand)!, { operand, name, histogram: histogramName(byGroup!), reason: got.reason });
    }
  }
}
