/**
 * Model scores used as values: a model whose score feeds its own inputs (its features, its train
 * block's region, folds, test part and reweighting variables, the samples' weights and selections
 * every training reads, or an imported model's inputs),
 * directly or through defines, regions and other models, is a cycle: the score exists only once
 * the model is trained or run.
 */
import type * as A from "../../../grammar/ast.js";
import type { Span } from "../../core/source.js";
import type { CheckContext } from "../context.js";

export function checkScoreCycles(ctx: CheckContext): void {
  if (ctx.scoreUses.length === 0) return;
  const edges = dependencyEdges(ctx);
  const reported = new Set<string>();
  for (const use of ctx.scoreUses) {
    for (const owner of ownersOf(ctx, use)) {
      const path = pathBetween(edges, use.model, owner);
      if (!path) continue;
      const key = `${use.file}:${use.span.start}`;
      if (reported.has(key)) continue;
      reported.add(key);
      ctx.report("HEP4056", use.file, use.span, { model: use.model, cycle: [...path, use.model].join(" → ") });
    }
  }
}

/** Declaration → the declarations it reads: expressions' names, a model's features, a trained model's train block. */
export function dependencyEdges(ctx: CheckContext): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  const add = (from: string, to: string) => {
    let s = edges.get(from);
    if (!s) edges.set(from, (s = new Set()));
    s.add(to);
  };
  for (const [from, tos] of ctx.deps) for (const to of tos) add(from, to);
  for (const { decl } of ctx.declsOf("Train")) {
    const reads = new Set<string>();
    for (const p of decl.props) {
      if (p.prop === "on") reads.add(p.region.name);
      if (p.prop === "folds") namesIn(ctx, p.by, reads);
      if (p.prop === "test") namesIn(ctx, p.value, reads);
      if (p.prop === "reweight") for (const a of p.axes) namesIn(ctx, a.expr, reads);
    }
    for (const m of decl.models) for (const r of reads) add(m.name, r);
  }
  // every training reads every sample's weight and selection
  for (const { decl } of ctx.declsOf("Train")) for (const m of decl.models) for (const sample of ctx.samples) add(m.name, sample.name);
  for (const { decl } of ctx.declsOf("Sample")) for (const p of decl.props) if (p.prop === "weight" || p.prop === "where") namesIn(ctx, p.expr, undefined, (n) => add(decl.name.name, n));
  for (const { decl } of ctx.declsOf("Model")) {
    for (const o of decl.options) if (o.value.kind === "List") for (const item of o.value.items) namesIn(ctx, item, undefined, (n) => add(decl.name.name, n));
  }
  return edges;
}

/** The declarations a score use belongs to: its declaration, or the models of the train block or model declaration it is written in. */
export function ownersOf(ctx: CheckContext, use: { file: string; span: Span; owner?: string }): string[] {
  if (use.owner) return [use.owner];
  const inside = (d: { decl: A.Node; file: string }) => d.file === use.file && d.decl.span.start <= use.span.start && use.span.end <= d.decl.span.end;
  const sample = ctx.declsOf("Sample").find(inside);
  if (sample) return [sample.decl.name.name];
  const train = ctx.declsOf("Train").find(inside);
  if (train) return train.decl.models.map((m) => m.name);
  const model = ctx.declsOf("Model").find(inside);
  return model ? [model.decl.name.name] : [];
}

/** Names of declarations an expression's names resolved to. */
export function namesIn(ctx: CheckContext, e: A.Expr, out?: Set<string>, each?: (name: string) => void): void {
  const stack: A.Expr[] = [e];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.kind === "Name" || x.kind === "Member") {
      const r = ctx.resolutions.get(x.kind === "Name" ? x : x.target);
      if (r?.kind === "symbol") {
        out?.add(r.symbol.name);
        each?.(r.symbol.name);
      }
    }
    switch (x.kind) {
      case "Unary":
        stack.push(x.operand);
        break;
      case "Binary":
        stack.push(x.left, x.right);
        break;
      case "Call":
        stack.push(...x.args);
        break;
      case "Index":
        stack.push(x.target, x.index);
        break;
      case "Slice":
        stack.push(x.target, ...(x.low ? [x.low] : []), ...(x.high ? [x.high] : []));
        break;
      case "Member":
        stack.push(x.target);
        break;
      case "Where":
        stack.push(x.target, x.cond);
        break;
      case "List":
        stack.push(...x.items);
        break;
      default:
        break;
    }
  }
}

/** The declarations from `from` to `to` along edges (both included), or undefined when `to` is not reached. */
export function pathBetween(edges: Map<string, Set<string>>, from: string, to: string): string[] | undefined {
  const parent = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  while (queue.length) {
    const at = queue.shift()!;
    if (at === to) {
      const path: string[] = [];
      for (let n: string | null = at; n !== null; n = parent.get(n)!) path.unshift(n);
      return path;
    }
    for (const next of edges.get(at) ?? []) {
      if (parent.has(next)) continue;
      parent.set(next, at);
      queue.push(next);
    }
  }
  return undefined;
}
