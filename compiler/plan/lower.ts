/**
 * Lowering checked expressions to the plan's ExprIR: names replaced by what they resolved to,
 * units folded into constants, every node typed. It also records what the plan must read: the
 * branches named directly, and per collection the fields used and whether kinematics are needed.
 */
import type * as A from "../../grammar/ast.js";
import { UNITS } from "../../grammar/parser.js";
import { FUNCTION_BY_NAME, MODEL_KIND_BY_NAME } from "../../stdlib/index.js";
import { KINEMATIC_FIELDS, Type, typeToString } from "../core/types.js";
import type { CheckContext } from "../check/context.js";
import type { ExprIR } from "../../plan/types.js";

export class Usage {
  readonly branches = new Set<string>();
  /** collection name → fields used */
  readonly fields = new Map<string, Set<string>>();
  readonly kinematics = new Set<string>();
  readonly collections = new Set<string>();
  /** The analysis's seed, which random-number calls carry. */
  seed = 0;

  field(record: string, name: string): void {
    let s = this.fields.get(record);
    if (!s) this.fields.set(record, (s = new Set()));
    s.add(name);
    if ((KINEMATIC_FIELDS as readonly string[]).includes(name)) this.kinematics.add(record);
  }

  /** A value used as a four-vector: the collections it comes from need their kinematic branches. */
  lorentz(t: Type): void {
    const r = t.kind === "list" ? t.element : t;
    if (r.kind !== "record") return;
    if (r.record.name.startsWith("pair<") || r.record.name.startsWith("tuple<")) {
      this.lorentz(r.record.fields.get("first")!);
      this.lorentz(r.record.fields.get("second")!);
    } else this.kinematics.add(r.record.name);
  }
}

const P4_FUNCTIONS = new Set(
  [...FUNCTION_BY_NAME.values()].filter((f) => f.signatures.some((s) => s.params.some((p) => p.kind === "p4"))).map((f) => f.name),
);

export function lower(ctx: CheckContext, e: A.Expr, usage: Usage): ExprIR {
  const type = ctx.types.get(e);
  const t = type ? typeToString(type) : "?";
  const go = (x: A.Expr) => lower(ctx, x, usage);
  switch (e.kind) {
    case "Number":
      return { op: "const", type: t, value: e.value * (e.unit ? UNITS[e.unit.name]?.factor ?? 1 : 1) };
    case "Bool":
      return { op: "const", type: t, value: e.value };
    case "String":
    case "List":
    case "Missing":
      // The checker reported these; a plan is only built from an analysis without errors.
      throw new Error(`internal: cannot lower a ${e.kind} expression`);
    case "This":
      return { op: "this", type: t };
    case "Name": {
      const r = ctx.resolutions.get(e);
      switch (r?.kind) {
        case "branch":
          usage.branches.add(r.branch);
          return { op: "branch", type: t, name: r.branch };
        case "symbol": {
          const k = r.symbol.kind;
          const score = ctx.scores.get(e);
          if (k === "model" && score) return scoreIR(ctx, score, usage);
          // a parameter is its value in effect (after --set): the plan holds constants only
          if (k === "param") return { op: "const", type: t, value: ctx.params.get(r.symbol.name)!.value as number | boolean };
          if (k !== "define" && k !== "object" && k !== "region") throw new Error(`internal: ${k} used as a value`);
          return { op: "ref", type: t, decl: k, name: r.symbol.name };
        }
        case "collection":
          usage.collections.add(r.collection.prefix);
          return { op: "collection", type: t, name: r.collection.prefix };
        case "builtin":
          return { op: "builtin", type: t, name: r.name };
        case "field":
          usage.field(r.record, r.field);
          return { op: "field", type: t, name: r.field };
        case "element":
          return { op: "this", type: t };
        case "index": {
          const value = ctx.familyValues.get(r.name);
          if (value === undefined) throw new Error(`internal: family index '${r.name}' lowered outside its family`);
          return { op: "const", type: t, value };
        }
        default:
          throw new Error(`internal: unresolved name '${e.name}'`);
      }
    }
    case "Unary":
      return { op: "unary", type: t, fn: e.op, args: [go(e.operand)] };
    case "Binary": {
      if (e.op === "+") {
        const lt = ctx.types.get(e.left);
        if (lt?.kind === "record") {
          usage.lorentz(lt);
          usage.lorentz(ctx.types.get(e.right)!);
        }
      }
      return { op: "binary", type: t, fn: e.op, args: [go(e.left), go(e.right)] };
    }
    case "Call": {
      if (P4_FUNCTIONS.has(e.callee.name) || e.callee.name === "pairs" || e.callee.name === "combinations" || e.callee.name === "permutations" || e.callee.name === "ht" || e.callee.name === "match") {
        for (const a of e.args) {
          const at = ctx.types.get(a);
          if (at) usage.lorentz(at);
        }
      }
      const site = ctx.randomSites.get(e);
      if (site !== undefined) return { op: "call", type: t, fn: e.callee.name, args: e.args.map(go), site: fnv1a(site), seed: usage.seed };
      return { op: "call", type: t, fn: e.callee.name, args: e.args.map(go) };
    }
    case "Index":
      return { op: "index", type: t, args: [go(e.target), go(e.index)] };
    case "Slice": {
      // A left-out bound is a left-out argument: `from`/`to` say which of low and high follow the target.
      const args = [go(e.target), ...(e.low ? [go(e.low)] : []), ...(e.high ? [go(e.high)] : [])];
      return { op: "slice", type: t, from: e.low !== undefined, to: e.high !== undefined, args };
    }
    case "Member": {
      const threshold = ctx.thresholds.get(e);
      if (threshold) return { op: "threshold", type: "float", model: threshold.model, point: threshold.point, evaluate: evaluateIdOf(ctx, threshold.evaluate, threshold.model) };
      const score = ctx.scores.get(e);
      if (score) return scoreIR(ctx, score, usage);
      const target = ctx.types.get(e.target);
      const rec = target?.kind === "record" ? target.record : target?.kind === "list" && target.element.kind === "record" ? target.element.record : undefined;
      if (rec) usage.field(rec.name, e.field.name);
      return { op: "member", type: t, name: e.field.name, args: [go(e.target)] };
    }
    case "Where":
      return { op: "where", type: t, args: [go(e.target), go(e.cond)] };
    case "In":
      return { op: "in", type: t, negated: e.negated, args: [go(e.target), ...e.items.map(go)] };
  }
}

/**
 * A model's score. A score model's is its discriminant itself, inlined: the kernel computes it
 * in the same pass (the same bits its predict node hands evaluations and friend trees), where a
 * trained model's score is an input column from the pass that scored it.
 */
function scoreIR(ctx: CheckContext, score: { model: string; output: number; per?: string }, usage: Usage): ExprIR {
  const decl = ctx.symbol(score.model)?.decl;
  if (decl?.kind === "Model" && MODEL_KIND_BY_NAME.get(decl.modelKind.name)?.argument === "expression") return lower(ctx, decl.args[0], usage);
  if (score.per !== undefined) return { op: "score", type: "float", model: score.model, output: score.output, per: candidateList(ctx, score.per) };
  return { op: "score", type: "float", model: score.model, output: score.output };
}

/** A per-candidate model's list, as the plan names it: a declaration (define, object) or a collection of the file. */
export function candidateList(ctx: CheckContext, name: string): { decl: "define" | "object" | "collection"; name: string } {
  const sym = ctx.symbol(name);
  return { decl: sym?.kind === "object" ? "object" : sym?.kind === "define" ? "define" : "collection", name };
}

const evaluateIdMemo = new WeakMap<CheckContext, Map<A.EvaluateDecl, Map<string, string>>>();

/**
 * The plan id of an evaluate block's node for one of its models: `evaluate:MODEL@REGION`, with
 * `#2`, `#3` ... for further blocks of the same model and region, in declaration order.
 */
export function evaluateIdOf(ctx: CheckContext, decl: A.EvaluateDecl, model: string): string {
  let ids = evaluateIdMemo.get(ctx);
  if (!ids) {
    ids = new Map();
    const taken = new Set<string>();
    for (const { decl: d } of ctx.declsOf("Evaluate")) {
      const region = (d.props.find((p) => p.prop === "in") as { region: A.Ident } | undefined)?.region.name ?? null;
      const perModel = new Map<string, string>();
      for (const m of d.models) {
        let id = `evaluate:${m.name}${region ? `@${region}` : ""}`;
        for (let k = 2; taken.has(id); k++) id = `evaluate:${m.name}${region ? `@${region}` : ""}#${k}`;
        taken.add(id);
        if (!perModel.has(m.name)) perModel.set(m.name, id);
      }
      ids.set(d, perModel);
    }
    evaluateIdMemo.set(ctx, ids);
  }
  return ids.get(decl)?.get(model) ?? `evaluate:${model}`;
}

/** FNV-1a, 32 bits: a random-number call's place as the number its generator's counter takes. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** Ids of the nodes an IR reads, for node inputs: declarations, and the predict nodes of the scores it uses. */
export function refsOf(ir: ExprIR, out = new Set<string>()): Set<string> {
  if (ir.op === "ref") out.add(`${ir.decl === "region" ? "filter" : "define"}:${ir.name}`);
  if (ir.op === "score") out.add(`predict:${ir.model}`);
  if (ir.op === "threshold") out.add(ir.evaluate);
  if ("args" in ir) for (const a of ir.args) refsOf(a, out);
  return out;
}
