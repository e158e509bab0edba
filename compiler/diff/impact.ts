/**
 * Impact from content hashes. A plan node's hash covers its content and everything upstream, with
 * names left out; a node whose hash exists on the old side is provably the same result (a cache
 * would hit), and one whose hash is new must be recomputed. What a change affects is what lies
 * downstream of its nodes, along the edges the hashes are computed over: a node's inputs, plus the
 * data every define, region and prediction reads (their hashes take in every sample), plus an
 * evaluation's reference model.
 */
import type { Plan, PlanNode } from "../../plan/types.js";
import type { Impact, Recompute } from "./types.js";

export class PlanGraph {
  readonly byId: Map<string, PlanNode>;
  readonly hashes: Set<string>;
  private readonly children = new Map<string, string[]>();

  constructor(readonly plan: Plan) {
    this.byId = new Map(plan.nodes.map((n) => [n.id, n]));
    this.hashes = new Set(plan.nodes.map((n) => n.hash));
    const reads = plan.nodes.filter((n) => n.kind === "read").map((n) => n.id);
    const edge = (from: string, to: string) => {
      let c = this.children.get(from);
      if (!c) this.children.set(from, (c = []));
      c.push(to);
    };
    for (const n of plan.nodes) {
      for (const i of n.inputs) edge(i, n.id);
      if (n.kind === "define" || (n.kind === "filter" && n.scope === "region") || n.kind === "predict") for (const r of reads) edge(r, n.id);
      if (n.kind === "evaluate" && n.reference) edge(`predict:${n.reference}`, n.id);
    }
  }

  /** The seeds that exist and everything downstream of them. */
  downstream(seeds: Iterable<string>): Set<string> {
    const out = new Set<string>();
    const stack = [...seeds].filter((s) => this.byId.has(s));
    while (stack.length) {
      const id = stack.pop()!;
      if (out.has(id)) continue;
      out.add(id);
      for (const c of this.children.get(id) ?? []) stack.push(c);
    }
    return out;
  }
}

/** Whether a node is a result a reviewer cares about (and which list it goes to when recomputed). */
function resultClass(n: PlanNode): "retrain" | "reevaluate" | "refill" | "rewrite" | undefined {
  switch (n.kind) {
    case "train":
      return "retrain";
    case "evaluate":
      return "reevaluate";
    case "predict":
      // A trained model's predictions come with its training; only imported models stand alone.
      return n.onnx ? "reevaluate" : undefined;
    case "histogram":
    case "cutflow":
      return "refill";
    case "write":
      return "rewrite";
    default:
      return undefined;
  }
}

export function emptyImpact(): Impact {
  return { retrain: [], reevaluate: [], refill: [], rewrite: [], removed: [], unchanged: [] };
}

/**
 * What recomputing the given nodes means: new-side nodes (downstream of a change) are recomputed
 * unless their hash exists on the old side; old-side nodes whose counterpart is gone are removed.
 */
export function impactOf(oldG: PlanGraph, newG: PlanGraph, oldNodes: Iterable<string>, newNodes: Iterable<string>, mapOld: (id: string) => string): Impact {
  const impact = emptyImpact();
  for (const id of newNodes) {
    const n = newG.byId.get(id);
    if (!n) continue;
    const cls = resultClass(n);
    if (!cls) continue;
    if (oldG.hashes.has(n.hash)) impact.unchanged.push(n.id);
    else if (cls === "retrain" && n.kind === "train") impact.retrain.push(n.model);
    else if (cls === "rewrite" && n.kind === "write") impact.rewrite.push(n.path);
    else impact[cls].push(n.id);
  }
  for (const id of oldNodes) {
    const o = oldG.byId.get(id);
    if (!o || !resultClass(o)) continue;
    if (!newG.byId.has(mapOld(o.id))) impact.removed.push(o.id);
  }
  for (const k of Object.keys(impact) as Array<keyof Impact>) impact[k] = [...new Set(impact[k])].sort();
  return impact;
}

export function recomputeOf(i: Impact): Recompute {
  if (i.retrain.length) return "retrain";
  if (i.reevaluate.length) return "reevaluate";
  if (i.refill.length) return "refill";
  if (i.rewrite.length || i.removed.length) return "rewrite";
  return "none";
}
