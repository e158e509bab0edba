/**
 * The order of a model's classes, which numbers its scores: a score expression's `output` (ExprIR
 * `score`) and the runtime's score columns `score:MODEL:K` both index this order. By name, with
 * `signal` last, so that a binary model's one score is the probability of `signal` (of the class
 * last by name when no class is called signal).
 */
export function classOrder(classes: Iterable<string>): string[] {
  const names = [...new Set(classes)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const i = names.indexOf("signal");
  if (i >= 0) names.push(...names.splice(i, 1));
  return names;
}

/**
 * The class of samples that are what was measured: never a class a model is trained or evaluated
 * on, never varied by a systematic (its copies are its nominal), the observation of fit outputs.
 */
export const DATA_CLASS = "data";

/** Whether a sample's class is one a model learns (a class, and not DATA_CLASS). */
export function learnable(klass: string | null | undefined): klass is string {
  return !!klass && klass !== DATA_CLASS;
}
