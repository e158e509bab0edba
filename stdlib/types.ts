/**
 * The shape of a standard-library entry. Each function is declared once and read by the checker
 * (signatures), the language server (hover, completion, signature help), the runtime (the
 * implementation slot) and docs/stdlib.md (summary, docs, examples).
 */

export type ParamKind =
  /** an int or float; lifts over lists when the signature lifts */
  | "number"
  | "int"
  | "bool"
  /** a four-vector record (an object with kinematics, a pair, a p4); lifts over collections of them */
  | "p4"
  /** any per-event list: a collection of objects or a list of numbers */
  | "collection"
  | "list<number>"
  | "list<bool>"
  /** an int written as a number in the call (the size of combinations' candidates, which their type depends on) */
  | "size"
  /** an expression evaluated once per element of the first argument, with `this` and its fields in scope */
  | "per-element"
  /** a list of objects with kinematics (a collection, pairs, candidates) */
  | "p4-list"
  /** a list of elements of one of the file's collections with kinematics (each has an `index`) */
  | "objects";

export interface Param {
  name: string;
  kind: ParamKind;
}

export type Returns =
  | "float"
  | "int"
  | "bool"
  | "p4"
  /** int when every number argument is int, else float (abs, min, max, clip) */
  | "number-like"
  /** one element of the first argument's list (first, last, best) */
  | "element"
  /** the first argument's own list type (sort_by, reversed) */
  | "same-list"
  /** the numeric element type of the first argument (sum and min/max of a list<int> is int) */
  | "list-element-number"
  /** a collection of pairs of the arguments' elements */
  | "pairs"
  /** a collection of k-tuples of the first argument's elements; k is the second argument, an int literal */
  | "tuples"
  /** a list of ints, one per element of the first argument (missing allowed) */
  | "indices";

export interface Signature {
  params: Param[];
  returns: Returns;
  /** Elementwise over lists: abs(jets.pt) is a list, deltaR(mu, jets) a list over jets. */
  lifts: boolean;
}

/**
 * How the runtime computes it (runtime/columns inlines these snippets as written; its table of
 * emitters, runtime/columns/calls.ts, has one for every function that is not `scalar`). NaN stands
 * for a missing value (index past the end, min of nothing) throughout.
 *
 * - `scalar`: a JavaScript expression over the arguments `$0`, `$1`, ..., lifted over lists.
 * - `reduce`: a fold of the one-list form. `init` is the accumulator `acc`'s first value; `step`
 *   a statement run for each element `$x`, where `break` ends the fold early (any, all); `finish`
 *   (optional, else `acc`) an expression of `acc` and `n`, the number of elements. min and max's
 *   two-number form is their emitter's (Math.min / Math.max, lifted).
 * - `special`: a hand-written emitter in runtime/columns.
 */
export type Impl =
  | { kind: "scalar"; js: string }
  | { kind: "reduce"; init: string; step: string; finish?: string }
  | { kind: "special" };

export interface StdFunction {
  name: string;
  category: "kinematics" | "math" | "reductions" | "collections" | "combinatorics" | "constructors" | "logic";
  summary: string;
  /** Markdown paragraphs for hover and docs. */
  doc: string;
  signatures: Signature[];
  /** Expressions that compile in the documentation analysis (test/fixtures/stdlib/analysis.hep; checked by test/stdlib.test.ts). */
  examples: string[];
  impl: Impl;
}

export function sig(params: Array<[string, ParamKind]>, returns: Returns, lifts = false): Signature {
  return { params: params.map(([name, kind]) => ({ name, kind })), returns, lifts };
}

/** Renders a signature the way docs and signature help show it: `deltaR(a: p4, b: p4) -> float`. */
export function signatureText(name: string, s: Signature): string {
  return `${name}(${s.params.map((p) => `${p.name}: ${p.kind}`).join(", ")}) -> ${s.returns}`;
}
