/**
 * Models per candidate: a features list `per LIST` without a `length` has one row per element of
 * LIST (a candidate), and a model fed it scores each candidate. These read the syntax tree only, so
 * that expressions typed before the features and models are checked (defines, on first use) can
 * already tell a per-candidate model's score from a per-event one.
 */
import type * as A from "../../../grammar/ast.js";
import { BOOL, INT, isError, type Type } from "../../core/types.js";
import type { CheckContext } from "../context.js";
import type { ExprChecker } from "../expr.js";

/** A features list with one row per element of its `per` list (no length, key or padding: not a sequence). */
export function isCandidateFeatures(d: A.FeaturesDecl): boolean {
  const q = d.sequence;
  return !!q && !q.length && !q.key && !q.pad;
}

/** The name a per-candidate features list runs over, when `per` names one (a define, object or collection). */
export function candidateListOf(d: A.FeaturesDecl): string | undefined {
  const c = d.sequence?.collection;
  return isCandidateFeatures(d) && c?.kind === "Name" ? c.name : undefined;
}

/** The features lists a model is fed: its argument (gbdt, mlp, ...) or the features among an onnx model's inputs. */
function featuresOf(ctx: CheckContext, m: A.ModelDecl): A.FeaturesDecl[] {
  const names: string[] = [];
  const arg = m.args[0];
  if (arg?.kind === "Name") names.push(arg.name);
  const inputs = m.options.find((o) => o.key.name === "inputs")?.value;
  if (inputs?.kind === "List") for (const i of inputs.items) if (i.kind === "Name") names.push(i.name);
  return names.flatMap((n) => {
    const d = ctx.symbol(n)?.decl;
    return d?.kind === "Features" ? [d] : [];
  });
}

/**
 * The list whose elements a model scores, when it is fed per-candidate features (the first such
 * list it is fed: a model fed two is an error of its own, HEP4143), else undefined.
 */
export function candidateListOfModel(ctx: CheckContext, model: string): string | undefined {
  const d = ctx.symbol(model)?.decl;
  if (d?.kind !== "Model") return undefined;
  for (const f of featuresOf(ctx, d)) {
    const list = candidateListOf(f);
    if (list) return list;
  }
  return undefined;
}

/** Whether a train block trains per-candidate models (any of its models; mixing them with per-event ones is HEP4145). */
export function isCandidateTrain(ctx: CheckContext, t: A.TrainDecl): boolean {
  return t.models.some((m) => candidateListOfModel(ctx, m.name) !== undefined);
}

/** The `classes` of a per-candidate model's train block: the candidates' classes, in order. */
export function candidateClassesOf(ctx: CheckContext, model: string): { body: A.Node & A.ClassesBody; file: string; train: A.TrainDecl } | undefined {
  for (const { decl, file } of ctx.declsOf("Train")) {
    if (!decl.models.some((m) => m.name === model)) continue;
    const c = decl.props.find((p) => p.prop === "classes") as (A.Node & A.ClassesBody & { prop: "classes" }) | undefined;
    return c ? { body: c, file, train: decl } : undefined;
  }
  return undefined;
}

/**
 * Train blocks of per-candidate models: their models score the same list, and their `classes`
 * (exactly two) are conditions on a candidate, typed per element of that list (bare names are the
 * candidate's fields). Reweighting is per event and is not offered for candidates.
 */
export function checkCandidateTrain(ctx: CheckContext, exprs: ExprChecker): void {
  for (const { decl, file } of ctx.declsOf("Train")) {
    if (!isCandidateTrain(ctx, decl)) continue;
    const first = decl.models.find((m) => candidateListOfModel(ctx, m.name) !== undefined)!;
    const list = candidateListOfModel(ctx, first.name)!;
    const model = first.name;
    for (const m of decl.models) {
      if (m === first) continue;
      const other = candidateListOfModel(ctx, m.name);
      if (other !== list) ctx.report("HEP4145", file, m.span, { model: m.name, reason: other === undefined ? `one train block trains models per candidate of '${list}' (as '${model}') and per event: train them in two blocks` : `its candidates are those of '${other}', but '${model}' in the same train block scores '${list}': train them in two blocks` });
    }
    const c = decl.props.find((p) => p.prop === "classes") as (A.Node & A.ClassesBody & { prop: "classes"; key: A.Ident }) | undefined;
    if (!c) {
      ctx.report("HEP4145", file, first.span, { model, reason: `it is trained per candidate of '${list}': its train block needs \`classes { NAME = CONDITION; ... }\` with conditions on a candidate (e.g. \`classes { wrong = not matched; correct = matched }\`)` });
      continue;
    }
    const classes = c.entries.map((e) => e.name.name).filter(Boolean);
    if (classes.length !== 2) ctx.report("HEP4145", file, c.key.span, { model, reason: `a model trained per candidate has two classes (the score is the last one's), got ${classes.length}` });
    const reweight = decl.props.find((p) => p.prop === "reweight");
    if (reweight) ctx.report("HEP4145", file, reweight.span, { model, reason: "reweighting is per event: it is not offered for a model trained per candidate" });
    const element = candidateElement(ctx, model);
    const scope = { file, elements: [element ?? ({ kind: "error" } as Type)], over: [list] };
    if (c.by) exprs.requireScalar(c.by, exprs.check(c.by, scope), file, "a class id (`classes by`)", INT);
    else for (const e of c.entries) exprs.requireScalar(e.value, exprs.check(e.value, scope), file, `the condition of class '${e.name.name}'`, BOOL);
  }
}

/** The element type of the list a per-candidate model scores (as its features list typed it). */
function candidateElement(ctx: CheckContext, model: string): Type | undefined {
  const d = ctx.symbol(model)?.decl;
  if (d?.kind !== "Model") return undefined;
  for (const f of featuresOf(ctx, d)) {
    if (!isCandidateFeatures(f)) continue;
    const t = ctx.types.get(f.sequence!.collection);
    if (t && !isError(t) && t.kind === "list") return t.element;
  }
  return undefined;
}

/** A per-candidate model's classes (its train block's, in order), or undefined for other models. */
export function candidateClassNames(ctx: CheckContext, model: string): string[] | undefined {
  if (candidateListOfModel(ctx, model) === undefined) return undefined;
  return candidateClassesOf(ctx, model)?.body.entries.map((e) => e.name.name).filter(Boolean) ?? [];
}
