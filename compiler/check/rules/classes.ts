/**
 * Classes for training: `class NAME` (every event of a sample), or `classes { NAME = CONDITION ... }`
 * in a sample or the train block (each event in the first class whose condition holds), or
 * `classes by EXPR { NAME = ID ... }` (the class whose integer id EXPR equals). A `classes` block
 * is ordered: the position of a class is its output index, and so the order of a multiclass
 * model's scores (`bdt.b`). Without any `classes` block the order is plan/classes.ts's (by name,
 * `signal` last).
 *
 * The order is found from the names alone, before any expression is typed (scores need it); the
 * conditions are typed afterwards, by `checkClassExprs`.
 */
import type * as A from "../../../grammar/ast.js";
import { classOrder, learnable } from "../../../plan/classes.js";
import { BOOL, INT } from "../../core/types.js";
import type { CheckContext } from "../context.js";
import type { ExprChecker } from "../expr.js";
import { isCandidateTrain } from "./candidates.js";

/** A `classes` block in effect for a sample: its own, or the train block's. */
export interface Labels {
  body: A.Node & A.ClassesBody;
  file: string;
  /** Whether the block is the train block's (shared by every sample without a class of its own). */
  fromTrain: boolean;
}

type ClassesProp = Extract<A.SampleProp, { prop: "classes" }>;

function classesOf(props: ReadonlyArray<{ prop: string }>): ClassesProp | undefined {
  return props.find((p) => p.prop === "classes") as ClassesProp | undefined;
}

/** Finds each sample's classes and the order of all classes (names only). */
export function resolveClasses(ctx: CheckContext): void {
  let train: { body: ClassesProp; file: string } | undefined;
  for (const { decl, file } of ctx.declsOf("Train")) {
    const c = classesOf(decl.props);
    // a per-candidate model's classes are its candidates' (rules/candidates.ts), not the samples'
    if (!c || isCandidateTrain(ctx, decl)) continue;
    if (train && names(train.body).join(",") !== names(c).join(",")) {
      ctx.report("HEP4070", file, c.key.span, { what: `train blocks give different classes (${names(c).join(", ")} here, ${names(train.body).join(", ")} in another): a model's classes are the analysis's` });
      continue;
    }
    train ??= { body: c, file };
  }
  const own: string[] = [];
  for (const s of ctx.samples) {
    const c = classesOf(s.decl.props);
    if (c && s.klass) {
      ctx.report("HEP4070", s.file, c.key.span, { what: `sample '${s.name}' has both \`class\` and \`classes\`: give one` });
      continue;
    }
    if (c) {
      ctx.labels.set(s.name, { body: c, file: s.file, fromTrain: false });
      own.push(...names(c));
    } else if (!s.klass && train) ctx.labels.set(s.name, { body: train.body, file: train.file, fromTrain: true });
  }
  // a sample of class `data` is what was measured: never a class a model learns or is evaluated on
  const single = ctx.samples.map((s) => s.klass).filter(learnable);
  if (train) {
    const order = names(train.body);
    const known = new Set(order);
    for (const s of ctx.samples) {
      const c = classesOf(s.decl.props);
      if (c && s.klass) continue; // reported above
      const outside = [...(learnable(s.klass) ? [s.klass] : []), ...(c ? names(c) : [])].filter((n) => !known.has(n));
      if (outside.length) {
        const at = c ? c.key.span : (s.decl.props.find((p) => p.prop === "class") ?? s.decl).span;
        ctx.report("HEP4070", s.file, at, { what: `sample '${s.name}' has class${outside.length > 1 ? "es" : ""} ${outside.map((n) => `'${n}'`).join(", ")}, which the train block's \`classes\` (${order.join(", ")}) does not list` });
      }
    }
    ctx.classOrder = dedupe(order);
  } else if (ctx.labels.size) ctx.classOrder = dedupe([...own, ...classOrder(single)]);
  else ctx.classOrder = classOrder(single);
}

function names(c: A.ClassesBody): string[] {
  return c.entries.map((e) => e.name.name).filter(Boolean);
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** The integer an id literal stands for (`3`, `-1`), or undefined. */
export function classId(e: A.Expr): number | undefined {
  if (e.kind === "Number" && e.isInt && !e.unit) return e.value;
  if (e.kind === "Unary" && e.op === "-" && e.operand.kind === "Number" && e.operand.isInt && !e.operand.unit) return -e.operand.value;
  return undefined;
}

/** Types every `classes` block once (the train block's once, not per sample). */
export function checkClassExprs(ctx: CheckContext, exprs: ExprChecker): void {
  const blocks = new Map<ClassesProp, string>();
  for (const s of ctx.samples) {
    const c = classesOf(s.decl.props);
    if (c) blocks.set(c, s.file);
  }
  for (const { decl, file } of ctx.declsOf("Train")) {
    const c = classesOf(decl.props);
    if (c && !isCandidateTrain(ctx, decl)) blocks.set(c, file);
  }
  for (const [c, file] of blocks) {
    const seen = new Set<string>();
    for (const e of c.entries) {
      if (seen.has(e.name.name)) ctx.report("HEP4041", file, e.name.span, { name: e.name.name, what: "classes" });
      seen.add(e.name.name);
    }
    if (c.entries.length === 0) ctx.report("HEP4070", file, c.key.span, { what: "`classes` lists no class" });
    if (c.by) {
      const t = exprs.check(c.by, { file, elements: [] });
      exprs.requireScalar(c.by, t, file, "a class id (`classes by`)", INT);
      const ids = new Set<number>();
      for (const e of c.entries) {
        const id = classId(e.value);
        if (id === undefined) {
          if (e.value.kind !== "Missing") ctx.report("HEP3001", file, e.value.span, { what: `the id of class '${e.name.name}'`, expected: "an integer literal (e.g. `b = 0`)", actual: "an expression" });
          continue;
        }
        if (ids.has(id)) ctx.report("HEP4071", file, e.value.span, { id });
        ids.add(id);
      }
    } else {
      for (const e of c.entries) exprs.requireScalar(e.value, exprs.check(e.value, { file, elements: [] }), file, `the condition of class '${e.name.name}'`, BOOL);
    }
  }
}
