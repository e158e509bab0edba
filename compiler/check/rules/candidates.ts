/**
 * Models per candidate: a features list `per LIST` without a `length` has one row per element of
 * LIST (a candidate), and a model fed it scores each candidate. These read the syntax tree only, so
 * that expressions typed before the features and models are checked (defines, on first use) can
 * already tell a per-candidate model's score from a per-event one.
 */
import type * as A from "../../../grammar/ast.js";
import type { CheckContext } from "../context.js";

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
