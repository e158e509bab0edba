/**
 * The plan's DAG cut into stages. A stage is one pass over the samples (every node that consumes
 * per-event columns takes part, as a task per sample) followed by the fits that need the whole
 * pass (a `train` node is fitted once all of its events are gathered). A node that reads a fitted
 * model runs in a later pass than the fit: its level is one more than the train node's.
 *
 * Column nodes (read, weight, define, filter, scale) have no stage of their own: they are compiled
 * into the kernel of whichever pass needs them. Write nodes run after the last stage, except
 * friend trees of predictions, which keep the scores of the pass that computes them, and ntuples,
 * which keep the events of a pass (scores in their columns are read as a kernel's inputs, from an
 * earlier pass, like any expression's).
 */
import type { PlanNode, TrainNode } from "../../plan/types.js";

export interface Stage {
  level: number;
  /** Nodes with a task per sample in this pass, in plan order. */
  stream: PlanNode[];
  /** Train nodes whose rows this pass gathers, fitted after it. */
  fit: TrainNode[];
}

const COLUMN_KINDS = new Set(["read", "weight", "define", "filter", "scale"]);

/** Stages in order; `skip` holds ids of nodes that do not run (and so neither does what needs them). */
export function stagesOf(nodes: readonly PlanNode[], skip: ReadonlySet<string> = new Set()): Stage[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const level = new Map<string, number>();
  const levelOf = (id: string): number => {
    const known = level.get(id);
    if (known !== undefined) return known;
    const n = byId.get(id);
    let l = 0;
    // the plan is a DAG (the compiler rejects cycles), so this recursion ends
    for (const i of n?.inputs ?? []) l = Math.max(l, levelOf(i) + (barrier(n!, byId.get(i)) ? 1 : 0));
    level.set(id, l);
    return l;
  };
  const stages: Stage[] = [];
  const at = (l: number): Stage => {
    while (stages.length <= l) stages.push({ level: stages.length, stream: [], fit: [] });
    return stages[l];
  };
  for (const n of nodes) {
    // friend trees of predictions take part in the pass that scores; other writes come after
    if (skip.has(n.id) || COLUMN_KINDS.has(n.kind) || (n.kind === "write" && n.format !== "friend" && n.format !== "ntuple")) continue;
    const stage = at(levelOf(n.id));
    stage.stream.push(n);
    if (n.kind === "train") stage.fit.push(n);
  }
  // A node that reads scores from the chain (an evaluation, a friend tree) in a later pass than
  // its model's scorer, because a region or bin of it reads scores itself, gets the scorer in its
  // own pass too: the scores are computed again there (the same bits) rather than kept.
  for (const stage of stages) {
    for (const n of [...stage.stream]) {
      if (n.kind !== "evaluate" && !(n.kind === "write" && n.format === "friend")) continue;
      for (const i of n.inputs) {
        const p = byId.get(i);
        if (p?.kind === "predict" && !skip.has(p.id) && !stage.stream.includes(p)) stage.stream.push(p);
      }
    }
  }
  // Within a pass, scorers come first in every chunk's chain: later links read their scores.
  for (const s of stages) s.stream.sort((a, b) => +(b.kind === "predict") - +(a.kind === "predict"));
  return stages.filter((s) => s.stream.length > 0);
}

/**
 * Whether `n` needs its input `i` from an earlier pass: a fitted model (train), a working point's
 * threshold (an evaluation: its number exists once the evaluation has merged, and is put into the
 * expressions of the passes after it), or a model's scores used in an expression (the kernel reads
 * them as input columns, so they must exist before the pass starts). Friend trees and evaluations
 * read scores from the same chunk's chain instead.
 */
function barrier(n: PlanNode, i: PlanNode | undefined): boolean {
  if (i?.kind === "train" || i?.kind === "evaluate") return true;
  return i?.kind === "predict" && !(n.kind === "write" && n.format === "friend") && n.kind !== "evaluate";
}

/** The models whose scores some expression reads (so the scorer keeps them for later passes). */
export function scoresReadByExpressions(nodes: readonly PlanNode[]): Set<string> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = new Set<string>();
  for (const n of nodes) for (const i of n.inputs) if (barrier(n, byId.get(i)) && byId.get(i)!.kind === "predict") out.add((byId.get(i) as Extract<PlanNode, { kind: "predict" }>).model);
  return out;
}

/** The nodes that cannot run because one of their inputs does not: `skip` closed downstream. */
export function downstreamOf(nodes: readonly PlanNode[], roots: Iterable<string>): Set<string> {
  const out = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of nodes) {
      if (out.has(n.id)) continue;
      // a write node runs with whatever of its inputs ran (a friend tree of the models that did);
      // an ntuple's columns need all of theirs
      if (n.kind === "write" && n.format !== "ntuple" ? n.inputs.every((i) => out.has(i)) : n.inputs.some((i) => out.has(i))) {
        out.add(n.id);
        grew = true;
      }
    }
  }
  return out;
}
