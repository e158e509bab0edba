/**
 * The generator's value model: what an expression compiles to at generation time.
 *
 * Each expression compiles to a compile-time *value* (`Val`) that says how to get its run-time
 * value in the generated code:
 *   - `num` / `bool`: a JavaScript expression;
 *   - `obj`: one element of a collection, as an index into the collection's branch arrays (-1 when
 *     missing), or the event itself for single records such as MET;
 *   - `p4`: a four-vector, as the JavaScript expressions of its native components (`Kin`);
 *   - `pair`: two values;
 *   - `list`: a per-event list, not stored anywhere: an iteration (`Iter`) that emits a loop over the
 *     elements, and a per-element mapping. Reductions, `where`, fields and elementwise operators
 *     compose these, so `sum(jets.pt where eta > 0)` is one loop with no temporaries. Lists are
 *     stored (in scratch arrays reused from event to event) only where needed: objects, sort_by,
 *     pairs of a filtered list, and lists combined element by element with a list of another
 *     iteration.
 *
 * `Shape` is the same classification read from the plan's type strings, before any code exists.
 */
import type { CollectionIR, ExprIR } from "../../plan/types.js";

export class KernelError extends Error {
  constructor(message: string) {
    super(`runtime/columns: ${message}`);
    this.name = "KernelError";
  }
}

export type Shape =
  | { k: "num" }
  | { k: "bool" }
  | { k: "obj"; coll: CollectionIR }
  | { k: "p4" }
  | { k: "pair"; a: Shape; b: Shape }
  /** a candidate of combinations/permutations: its members, in order */
  | { k: "tuple"; items: Shape[] }
  | { k: "list"; el: Shape };

export function parseType(t: string, colls: ReadonlyMap<string, CollectionIR>): Shape {
  if (t === "bool") return { k: "bool" };
  if (t === "int" || t === "float") return { k: "num" };
  if (t === "p4") return { k: "p4" };
  const generic = /^(\w+)<(.*)>$/.exec(t);
  if (generic) {
    const [, head, inner] = generic;
    if (head === "list" || head === "collection") return { k: "list", el: parseType(inner, colls) };
    if (head === "pair") {
      const parts = splitTop(inner);
      if (parts.length === 2) return { k: "pair", a: parseType(parts[0], colls), b: parseType(parts[1], colls) };
    }
    if (head === "tuple") return { k: "tuple", items: splitTop(inner).map((p) => parseType(p, colls)) };
    throw new KernelError(`unsupported type '${t}'`);
  }
  const coll = colls.get(t);
  if (coll) return { k: "obj", coll };
  throw new KernelError(`type '${t}' is neither a scalar nor a record of a collection in the plan`);
}

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "<") depth++;
    else if (s[i] === ">") depth--;
    else if (s[i] === "," && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

export interface Block {
  lines: string[];
  depth: number;
  /** expression text → the local it is bound to in this block */
  memo: Map<string, string>;
}

/** Where code is being generated: the current block and the enclosing elements (innermost last). */
export interface Cx {
  block: Block;
  els: Val[];
}

export interface NumV { k: "num"; js: string; home: Block }
export interface BoolV { k: "bool"; js: string; home: Block }
/**
 * Where an element came from, when it was reached by iterating (or indexing) a stored list or a
 * collection: that list's iteration key and the element's position in it, a JavaScript expression.
 * A per-candidate model's score (ExprIR `score` with `per`) is read at this position.
 */
export interface At { list: string; pos: string }
export interface ObjV { k: "obj"; coll: CollectionIR; idx: string; missing: boolean; home: Block; at?: At }
export interface P4V { k: "p4"; kin: Kin }
export interface PairV { k: "pair"; a: Val; b: Val; at?: At }
export interface TupleV { k: "tuple"; items: Val[]; at?: At }
export interface ListV {
  k: "list";
  /** identity of the list's content (for iterations built on it) */
  id: string;
  /** the element shape after mapping */
  shape: Shape;
  iter: Iter;
  /** iteration element → list element; null for the identity */
  map: ((cx: Cx, el: Val) => Val) | null;
}
export type Val = NumV | BoolV | ObjV | P4V | PairV | TupleV | ListV;
export type Scalar = NumV | BoolV;

/** A four-vector: its native components by kinematic source, as expressions valid in `home` (produced on first use). */
export interface Kin {
  source: KinSource;
  native(component: string): string;
  home: Block;
  /** prefix for the names of derived components */
  hint: string;
  /**
   * An element of a jagged collection: its derived components come from per-batch arrays, always
   * inside a loop (`inLoop`), and outside one only when a loop already made the array.
   */
  element?: { coll: CollectionIR; idx: string; missing: boolean; inLoop: boolean };
}

/** How to loop over a list's elements. Two lists with the same key have the same elements in the same order. */
export interface Iter {
  key: string;
  shape: Shape;
  /** Emits the loop into cx.block; `body` generates the loop body (in a new block) for the element. */
  each(cx: Cx, body: (cx: Cx, el: Val) => void): void;
  /**
   * Random access, when cheap: the length, and the element at an in-range position (expressions not
   * bound to locals: callers guard or hoist them). Both are valid in `home` and blocks inside it.
   */
  len?: string;
  get?(cx: Cx, k: NumV): Val;
  home?: Block;
  /** for `src where cond`: what it filters, so counts and sums can test the condition without a branch */
  filtered?: { src: ListV; cond: ExprIR };
}

export type KinSource = "pxpypzE" | "ptetaphim" | "ptetaphi" | "pxpy" | "ptphi";
export const NATIVE: Record<KinSource, string[]> = {
  pxpypzE: ["px", "py", "pz", "E"],
  ptetaphim: ["pt", "eta", "phi", "mass"],
  ptetaphi: ["pt", "eta", "phi"],
  pxpy: ["px", "py"],
  ptphi: ["pt", "phi"],
};
export const KIN_FIELDS = new Set(["pt", "eta", "phi", "mass", "E", "px", "py", "pz"]);

/** A value stored as numbers (in scratch arrays or locals): an index, a double, or a 0/1. */
export type SlotKind = "i" | "f" | "b";
/** Each slot's missing value. */
export const DEFAULT: Record<SlotKind, string> = { i: "-1", f: "NaN", b: "0" };

export function slotKinds(s: Shape): SlotKind[] {
  switch (s.k) {
    case "num":
      return ["f"];
    case "bool":
      return ["b"];
    case "obj":
      return ["i"];
    case "p4":
      return ["f", "f", "f", "f"];
    case "pair":
      return [...slotKinds(s.a), ...slotKinds(s.b)];
    case "tuple":
      return s.items.flatMap(slotKinds);
    case "list":
      throw new KernelError("a list of lists cannot be stored");
  }
}

export function elemShape(s: Shape): Shape {
  return s.k === "list" ? s.el : s;
}

export function elemType(t: string): string {
  const m = /^(?:list|collection)<(.*)>$/.exec(t);
  return m ? m[1] : t;
}
