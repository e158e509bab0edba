/**
 * Working points as values: `MODEL.NAME` is the threshold of working point NAME that an evaluate
 * block of MODEL derives at run time. Which blocks declare which names, and the cycles a use can
 * close: the block's events (its region, bins, the samples' weights and selections, the model and
 * what the model was trained on) must not need the threshold they derive.
 */
import type * as A from "../../../grammar/ast.js";
import type { CheckContext } from "../context.js";
import { dependencyEdges, namesIn, ownersOf, pathBetween } from "./scores.js";

export interface DeclaredPoint {
  name: string;
  ident: A.Ident;
  evaluate: A.EvaluateDecl;
  file: string;
}

/** The working points evaluate blocks declare for `model`, in file order. */
export function workingPointsOf(ctx: CheckContext, model: string): DeclaredPoint[] {
  const out: DeclaredPoint[] = [];
  for (const { decl, file } of ctx.declsOf("Evaluate")) {
    if (!decl.models.some((m) => m.name === model)) continue;
    for (const p of decl.props) if (p.prop === "working_points") for (const w of p.points) if (w.name.name) out.push({ name: w.name.name, ident: w.name, evaluate: decl, file });
  }
  return out;
}

/** Names of the declarations an evaluate block's events depend on: the model, its region, its bins' variables, every sample. */
export function evaluateReads(ctx: CheckContext, decl: A.EvaluateDecl, model: string): Set<string> {
  const reads = new Set<string>([model, ...ctx.samples.map((s) => s.name)]);
  for (const p of decl.props) {
    if (p.prop === "in") reads.add(p.region.name);
    if (p.prop === "bins") for (const a of p.axes) namesIn(ctx, a.expr, reads);
    if (p.prop === "working_points" && p.given) reads.add(p.given.model.name);
  }
  return reads;
}

/**
 * HEP4082: a threshold used where its own evaluation's events depend on it. Evaluate blocks join
 * the dependency graph as nodes of their own (reading their model, region, bins, samples and a
 * `given` model, and the thresholds their bins use); a use is a cycle when its declaration (or
 * block) is reachable from the block deriving the threshold.
 */
export function checkThresholdCycles(ctx: CheckContext): void {
  if (ctx.thresholdUses.length === 0) return;
  const edges = dependencyEdges(ctx);
  const add = (from: string, to: string) => {
    let s = edges.get(from);
    if (!s) edges.set(from, (s = new Set()));
    s.add(to);
  };
  const blocks = ctx.declsOf("Evaluate");
  const names = new Map<A.EvaluateDecl, string>();
  blocks.forEach(({ decl }) => {
    let name = `evaluate ${decl.models.map((m) => m.name).join(", ")}`;
    if ([...names.values()].includes(name)) name += ` #${names.size + 1}`;
    names.set(decl, name);
    for (const m of decl.models) for (const r of evaluateReads(ctx, decl, m.name)) add(name, r);
  });
  const ownersOfUse = (use: (typeof ctx.thresholdUses)[number]): string[] => {
    const block = blocks.find((b) => b.file === use.file && b.decl.span.start <= use.span.start && use.span.end <= b.decl.span.end);
    return block ? [names.get(block.decl)!] : ownersOf(ctx, use);
  };
  for (const use of ctx.thresholdUses) for (const o of ownersOfUse(use)) add(o, names.get(use.evaluate)!);
  for (const use of ctx.thresholdUses) {
    const from = names.get(use.evaluate)!;
    for (const owner of ownersOfUse(use)) {
      const path = pathBetween(edges, from, owner);
      if (!path) continue;
      ctx.report("HEP4082", use.file, use.span, { model: use.model, name: use.point, cycle: [...path, `${use.model}.${use.point}`].join(" → ") });
      break;
    }
  }
}
