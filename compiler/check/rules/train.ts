/**
 * Train blocks: models that can be trained (once), the training region, folds, balancing,
 * reweighting (with merged classes and a cap), class weights, negative weights and the test part.
 */
import { BALANCE_MODES, MODEL_KIND_BY_NAME, REWEIGHT_MODES } from "../../../stdlib/index.js";
import type * as A from "../../../grammar/ast.js";
import { NEGATIVE_WEIGHT_MODES, TRAIN_DEVICES } from "../../../plan/types.js";
import { BOOL, FLOAT, typeToString } from "../../core/types.js";
import { printExpr } from "../../syntax/print.js";
import type { CheckContext } from "../context.js";
import type { ExprChecker } from "../expr.js";
import { isCandidateTrain } from "./candidates.js";
import { checkBins } from "./bins.js";
import { propertiesOnce } from "./samples.js";
import type { SymbolInfo } from "../symbols.js";

/** Resolves a name that must be a declaration of one kind; reports and returns undefined otherwise. */
export function expectSymbol(ctx: CheckContext, file: string, id: A.Ident, kind: SymbolInfo["kind"]): SymbolInfo | undefined {
  if (!id.name) return undefined;
  const sym = ctx.symbol(id.name);
  if (!sym) {
    if (!ctx.brokenNames.has(id.name)) {
      const candidates = [...ctx.symbols.values()].filter((s) => s.kind === kind).map((s) => s.name);
      const near = candidates.filter((c) => c.toLowerCase() === id.name.toLowerCase() || Math.abs(c.length - id.name.length) <= 2).slice(0, 1);
      ctx.report("HEP2001", file, id.span, { name: id.name }, near.length ? { suggestion: { message: `did you mean '${near[0]}'?`, replacement: near[0], span: id.span } } : {});
    }
    return undefined;
  }
  ctx.resolutions.set(id, { kind: "symbol", symbol: sym });
  ctx.used.add(sym.name);
  if (sym.kind !== kind) {
    ctx.report("HEP2012", file, id.span, { name: id.name, actual: sym.kind, expected: kind });
    return undefined;
  }
  return sym;
}

export function checkTrain(ctx: CheckContext, exprs: ExprChecker): void {
  const trained = new Map<string, A.Ident>();
  for (const { decl, file } of ctx.declsOf("Train")) {
    for (const m of decl.models) {
      const sym = expectSymbol(ctx, file, m, "model");
      if (!sym || sym.decl.kind !== "Model") continue;
      const kind = MODEL_KIND_BY_NAME.get(sym.decl.modelKind.name);
      if (kind && !kind.trainable) ctx.report("HEP4027", file, m.span, { model: m.name, kind: kind.name });
      if (trained.has(m.name)) ctx.report("HEP4022", file, m.span, { model: m.name });
      else trained.set(m.name, m);
    }
    propertiesOnce(ctx, file, "train", decl.props);
    for (const p of decl.props) {
      switch (p.prop) {
        case "on":
          expectSymbol(ctx, file, p.region, "region");
          break;
        case "folds": {
          if (p.folds.kind === "Number" && (!p.folds.isInt || p.folds.value < 2)) ctx.report("HEP4008", file, p.folds.span, { folds: p.folds.raw });
          const t = exprs.check(p.by, { file, elements: [] });
          if (t.kind === "list" || t.kind === "record") exprs.requireScalar(p.by, t, file, "a fold expression");
          else if (t.kind !== "error" && !(t.kind === "scalar" && t.scalar === "int")) {
            ctx.report("HEP4009", file, p.by.span, { expr: printExpr(p.by), folds: p.folds.raw, reason: "it is not an integer (write e.g. `entry % 5`)" });
          } else if (p.by.kind === "Binary" && p.by.op === "%" && p.by.right.kind === "Number" && p.folds.kind === "Number" && p.by.right.value !== p.folds.value) {
            ctx.report("HEP4009", file, p.by.span, { expr: printExpr(p.by), folds: p.folds.raw, reason: `it takes ${p.by.right.raw} values` });
          }
          break;
        }
        case "balance":
          if (p.mode.name && !(BALANCE_MODES as readonly string[]).includes(p.mode.name)) ctx.report("HEP4026", file, p.mode.span, { what: "balance mode", name: p.mode.name });
          break;
        case "reweight":
          if (p.mode.name && !(REWEIGHT_MODES as readonly string[]).includes(p.mode.name)) ctx.report("HEP4026", file, p.mode.span, { what: "reweighting mode", name: p.mode.name });
          if (p.target) expectSymbol(ctx, file, p.target, "sample");
          checkAxes(ctx, exprs, file, p.axes);
          checkMerge(ctx, file, p.merge);
          if (p.maxWeight) checkPositive(ctx, file, p.maxWeight, "the largest reweighting weight (max_weight)");
          break;
        case "validation":
          if (p.fraction.kind === "Number" && !(p.fraction.value > 0 && p.fraction.value < 1)) ctx.report("HEP4029", file, p.fraction.span, { value: p.fraction.raw });
          break;
        case "test":
          checkTest(ctx, exprs, file, p.value);
          break;
        case "class_weights": {
          const seen = new Set<string>();
          for (const w of p.weights) {
            if (seen.has(w.name.name)) ctx.report("HEP4041", file, w.name.span, { name: w.name.name, what: "class_weights" });
            seen.add(w.name.name);
            checkClassName(ctx, file, w.name);
            checkPositive(ctx, file, w.value, `the weight of class '${w.name.name}'`);
          }
          break;
        }
        case "negative_weights":
          if (p.mode.name && !(NEGATIVE_WEIGHT_MODES as readonly string[]).includes(p.mode.name)) ctx.report("HEP4026", file, p.mode.span, { what: "negative_weights mode", name: p.mode.name });
          break;
        case "device":
          if (p.mode.name && !(TRAIN_DEVICES as readonly string[]).includes(p.mode.name)) ctx.report("HEP4026", file, p.mode.span, { what: "device", name: p.mode.name });
          break;
      }
    }
    const classes = new Set(ctx.classOrder);
    // a per-candidate block has its candidates' classes (rules/candidates.ts checks them)
    if (ctx.samples.length > 0 && classes.size < 2 && !isCandidateTrain(ctx, decl)) {
      ctx.report("HEP4013", file, decl.span.start === decl.span.end ? decl.span : { start: decl.span.start, end: decl.span.start + 5 }, { found: classes.size === 0 ? "no sample declares a class" : `every sample has class '${[...classes][0]}'` });
    }
  }
  for (const { decl, file } of ctx.declsOf("Evaluate")) {
    for (const m of decl.models) {
      const sym = ctx.symbol(m.name);
      if (sym?.decl.kind !== "Model") continue;
      const kind = MODEL_KIND_BY_NAME.get(sym.decl.modelKind.name);
      if (kind?.trainable && !trained.has(m.name)) ctx.report("HEP4014", file, m.span, { model: m.name });
    }
  }
}

export function checkAxes(ctx: CheckContext, exprs: ExprChecker, file: string, axes: A.ReweightAxis[]): void {
  for (const a of axes) {
    exprs.requireScalar(a.expr, exprs.check(a.expr, { file, elements: [] }), file, "a binned variable", FLOAT);
    checkBins(ctx, file, a.bins, undefined);
  }
}

/** The classes samples declare; undefined while a sample declaration is unreadable (its class is unknown). */
function declaredClasses(ctx: CheckContext): Set<string> | undefined {
  if (ctx.decls.some((d) => d.decl.kind === "Broken" && (d.decl.keyword === "sample" || d.decl.keyword === undefined))) return undefined;
  return new Set(ctx.classOrder);
}

function checkClassName(ctx: CheckContext, file: string, id: A.Ident): void {
  const classes = declaredClasses(ctx);
  if (!id.name || !classes || classes.has(id.name)) return;
  const known = [...classes].sort();
  const near = known.filter((c) => c.toLowerCase() === id.name.toLowerCase() || Math.abs(c.length - id.name.length) <= 2).slice(0, 1);
  ctx.report("HEP4040", file, id.span, { name: id.name, classes: known.length ? ` (${known.join(", ")})` : "" }, near.length ? { suggestion: { message: `did you mean '${near[0]}'?`, replacement: near[0], span: id.span } } : {});
}

function checkPositive(ctx: CheckContext, file: string, n: A.NumberLit, what: string): void {
  if (n.kind === "Number" && !(n.value > 0)) ctx.report("HEP4042", file, n.span, { what, value: n.raw });
}

function checkMerge(ctx: CheckContext, file: string, groups: A.MergeGroup[]): void {
  const seen = new Set<string>();
  for (const g of groups) {
    if (g.classes.length === 1) ctx.report("HEP4045", file, g.span, { group: g.classes[0].name });
    for (const c of g.classes) {
      if (seen.has(c.name)) ctx.report("HEP4041", file, c.span, { name: c.name, what: "merge" });
      seen.add(c.name);
      checkClassName(ctx, file, c);
    }
  }
}

/** `test 0.1` is a fraction: a plain number; anything else is a per-event condition. */
function checkTest(ctx: CheckContext, exprs: ExprChecker, file: string, v: A.Expr): void {
  if (v.kind === "Missing") return;
  if (v.kind === "Number" && !v.unit) {
    if (!(v.value > 0 && v.value < 1)) ctx.report("HEP4043", file, v.span, { value: v.raw });
    return;
  }
  // `test -0.1` is a fraction out of range, not a float expression.
  if (v.kind === "Unary" && v.op === "-" && v.operand.kind === "Number" && !v.operand.unit) {
    ctx.report("HEP4043", file, v.span, { value: printExpr(v) });
    return;
  }
  const t = exprs.check(v, { file, elements: [] });
  if (t.kind === "scalar" && t.scalar !== "bool") ctx.report("HEP4044", file, v.span, { expr: printExpr(v), actual: `a ${typeToString(t)}` });
  else exprs.requireScalar(v, t, file, "a test condition", BOOL);
}
