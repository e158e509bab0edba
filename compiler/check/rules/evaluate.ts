/** Evaluate blocks: models, the evaluation region, bins, metrics and working points. */
import { METRICS, MODEL_KIND_BY_NAME } from "../../../stdlib/index.js";
import { classOrder } from "../../../plan/classes.js";
import type { CheckContext } from "../context.js";
import type { ExprChecker } from "../expr.js";
import { suggest } from "../../core/suggest.js";
import { checkAxes, expectSymbol } from "./train.js";
import { propertiesOnce } from "./samples.js";
import type * as A from "../../../grammar/ast.js";
import { workingPointsOf } from "./working-points.js";
import { lineOf } from "../expr.js";
import { candidateListOfModel } from "./candidates.js";

export function checkEvaluate(ctx: CheckContext, exprs: ExprChecker): void {
  for (const { decl, file } of ctx.declsOf("Evaluate")) {
    for (const m of decl.models) {
      expectSymbol(ctx, file, m, "model");
      if (candidateListOfModel(ctx, m.name) !== undefined) ctx.report("HEP4144", file, m.span, { model: m.name, what: "an evaluation" });
    }
    propertiesOnce(ctx, file, "evaluate", decl.props);
    for (const p of decl.props) {
      switch (p.prop) {
        case "in":
          expectSymbol(ctx, file, p.region, "region");
          break;
        case "bins":
          checkAxes(ctx, exprs, file, p.axes);
          break;
        case "metrics":
          for (const m of p.metrics) {
            if (!m.name.name) continue;
            checkClassComparison(ctx, file, decl, m);
            if (!(METRICS as readonly string[]).includes(m.name.name)) {
              const near = suggest(m.name.name, METRICS, 1);
              ctx.report("HEP4026", file, m.name.span, { what: "metric", name: m.name.name }, near.length ? { suggestion: { message: `did you mean '${near[0]}'?`, replacement: near[0], span: m.name.span } } : {});
            }
            if (m.at && !(m.at.value > 0 && m.at.value < 1)) ctx.report("HEP4010", file, m.at.span, { name: m.name.name, value: m.at.raw });
          }
          break;
        case "working_points":
          for (const w of p.points) {
            if (w.value.kind === "Number" && !(w.value.value > 0 && w.value.value < 1)) ctx.report("HEP4010", file, w.value.span, { name: w.name.name, value: w.value.raw });
          }
          if (p.given) checkGiven(ctx, file, decl, p.given);
          break;
        case "reference": {
          const sym = expectSymbol(ctx, file, p.model, "model");
          if (sym && !decl.models.some((m) => m.name === sym.name)) {
            ctx.report("HEP3001", file, p.model.span, { what: "a reference model", expected: `one of the evaluated models (${decl.models.map((m) => m.name).join(", ")})`, actual: `'${sym.name}'` });
          }
          break;
        }
      }
    }
  }
}

/**
 * `given MODEL.NAME`: a working point of another evaluate block (or of another model's block),
 * whose threshold the block's working points are derived under. Recorded as a threshold use, so
 * that cycles through evaluations are found with the others (HEP4082).
 */
function checkGiven(ctx: CheckContext, file: string, decl: A.EvaluateDecl, given: { model: A.Ident; point: A.Ident }): void {
  const sym = expectSymbol(ctx, file, given.model, "model");
  if (!sym || !given.point.name) return;
  const model = sym.name;
  const points = workingPointsOf(ctx, model);
  const named = points.filter((p) => p.name === given.point.name);
  if (named.length === 0) {
    const known = [...new Set(points.map((p) => p.name))];
    const near = suggest(given.point.name, known, 1);
    ctx.report(
      "HEP4080", file, given.point.span,
      { model, name: given.point.name, points: known.length ? ` (its working points: ${known.join(", ")})` : ": no evaluate block of it declares working_points" },
      near.length ? { suggestion: { message: `did you mean '${near[0]}'?`, replacement: near[0], span: given.point.span } } : {},
    );
    return;
  }
  if (named.length > 1) {
    ctx.report("HEP4081", file, given.point.span, { name: given.point.name, model, count: named.length, lines: named.map((p) => lineOf(ctx, p.file, p.ident.span.start)).join(", ") });
    return;
  }
  if (named[0].evaluate === decl) {
    ctx.report("HEP4083", file, given.point.span, { model, given: `${model}.${given.point.name}` });
    return;
  }
  const span = { start: given.model.span.start, end: given.point.span.end };
  ctx.givens.set(decl, { model, point: given.point.name, evaluate: named[0].evaluate });
  ctx.thresholdUses.push({ model, point: given.point.name, evaluate: named[0].evaluate, file, span });
}

/** Spellings of `vs` that are not a class: every other class, and every pair of classes. */
export const VS_REST = "rest";
export const VS_PAIRS = "pairs";

/** The classes of a model as an evaluation numbers them, and whether it has one score. */
export function evaluatedClasses(ctx: CheckContext, model: string): { classes: string[]; binary: boolean; signal: string } | undefined {
  const decl = ctx.symbol(model)?.decl;
  if (decl?.kind !== "Model") return undefined;
  const kind = MODEL_KIND_BY_NAME.get(decl.modelKind.name);
  if (!kind) return undefined;
  const all = classOrder(ctx.samples.map((s) => s.klass).filter((k): k is string => !!k));
  if (kind.argument === "expression") {
    const opt = (k: string) => decl.options.find((o) => o.key.name === k)?.value;
    const sig = opt("signal");
    const signal = sig?.kind === "Name" ? sig.name : all[all.length - 1];
    const bg = opt("background");
    const background = bg?.kind === "List" ? bg.items.flatMap((i) => (i.kind === "Name" ? [i.name] : [])) : all.filter((c) => c !== signal);
    return { classes: [...background, signal], binary: true, signal };
  }
  return { classes: all, binary: !kind.trainable || all.length <= 2, signal: all[all.length - 1] };
}

/**
 * Which classes a ROC compares: `vs` only on auc and roc (HEP4084), classes of every evaluated
 * model (HEP4054, HEP4085), and a plain auc or roc of a model with more than two classes said
 * what it means (HEP4086, with the one-vs-rest spelling as the fix).
 */
function checkClassComparison(ctx: CheckContext, file: string, decl: A.EvaluateDecl, m: A.Metric): void {
  const compares = m.name.name === "auc" || m.name.name === "roc";
  if (m.vs && !compares) {
    ctx.report("HEP4084", file, m.vs.span, { metric: m.name.name });
    return;
  }
  for (const id of decl.models) {
    const info = evaluatedClasses(ctx, id.name);
    if (!info) continue;
    if (!m.vs) {
      if (compares && !info.binary) {
        ctx.report("HEP4086", file, m.name.span, {
            model: id.name, count: info.classes.length, metric: m.name.name,
            meaning: m.name.name === "auc" ? "reports each class against the rest (one-vs-rest, with macro and weighted averages) and each pair of classes (one-vs-one, Hand & Till)" : "draws no curve",
          }, { suggestion: { message: `write '${m.name.name} vs rest'`, replacement: `${m.name.name} vs rest`, span: m.name.span } });
      }
      continue;
    }
    const vs = m.vs.name;
    if (!m.of && (vs === VS_REST || vs === VS_PAIRS)) continue;
    const pair = `${m.name.name} ${m.of ? `${m.of.name} ` : ""}vs ${vs}`;
    const known = (c: A.Ident): boolean => {
      if (info.classes.includes(c.name)) return true;
      const near = suggest(c.name, info.classes, 1);
      ctx.report("HEP4054", file, c.span, { name: c.name, model: id.name, classes: info.classes.join(", ") }, near.length ? { suggestion: { message: `did you mean '${near[0]}'?`, replacement: near[0], span: c.span } } : {});
      return false;
    };
    if (m.of && !known(m.of)) continue;
    if (!known(m.vs)) continue;
    const a = m.of?.name ?? info.signal;
    if (a === vs) ctx.report("HEP4085", file, m.vs.span, { pair, model: id.name, reason: `'${vs}' against itself` });
    else if (info.binary && a !== info.signal) ctx.report("HEP4085", file, m.of!.span, { pair, model: id.name, reason: `the model has one score, its signal's ('${info.signal}'): write '${m.name.name} vs ${vs}'` });
  }
}
