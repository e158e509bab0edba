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
