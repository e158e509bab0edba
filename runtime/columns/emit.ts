/**
 * Emitter plumbing: the state of one kernel's generation and the primitives every family of
 * emitters writes code with (fresh names, blocks, common subexpressions, loops, conversions).
 *
 * Statements go into `Block`s (the kernel's top, the event loop's body, loop bodies). Every value
 * has a *home*, the innermost block its variables live in; common subexpressions are bound once
 * there (`cse`), so a field of the leading muon used in a loop over jets is computed once per event,
 * before the loop, and a jet's derived pt is computed once per jet however often it is used.
 * Appending to a home block is always correct: blocks are emitted into their parent only when
 * complete, so the end of an enclosing block is always before the code being generated.
 *
 * The families (access, lists, kinematics, reductions, combinatorics, calls, expr) are functions
 * over a `Gen`; this file imports none of them.
 */
import type { CollectionIR, ExprIR } from "../../plan/types.js";
import { PRELUDE } from "./prelude.js";
import { type Block, type BoolV, type Cx, KernelError, type NumV, parseType, type Shape, type SlotKind, type Val } from "./values.js";

export interface GenOutput {
  key: string;
  expr: ExprIR;
  as: "f64" | "mask" | "list" | "elements";
  /** Computed only for the events where this condition holds; elsewhere NaN (f64) or 0 (mask). */
  when?: ExprIR;
  /** The expression is per element of this collection (`this`: the element): at each element's place over a jagged one (`as: "elements"`), one number per event over a single one. */
  each?: string;
  /** A list output: `expr` per element of this list (KernelOutput.per). */
  per?: ExprIR;
}

export interface GenSpec {
  outputs: GenOutput[];
  defines: Record<string, ExprIR>;
  regions: Record<string, ExprIR>;
  collections: CollectionIR[];
  /** The sample's stream of random numbers (see KernelSpec). */
  stream?: number;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;
const LITERAL = /^(?:\d+(?:\.\d*)?(?:e[+-]?\d+)?|NaN|Infinity|true|false)$/;
const isSimple = (js: string) => IDENT.test(js) || LITERAL.test(js);

export function indent(lines: string[]): string[] {
  return lines.map((l) => "  " + l);
}

export function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, "_");
}

export function literal(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "(-Infinity)";
  if (Object.is(v, -0)) return "(-0)";
  const s = String(v);
  return v < 0 ? `(${s})` : s;
}

/** The prelude's functions and constants (a collection may itself be called `__x`: not these). */
export const PRELUDE_NAMES = new Set([...PRELUDE.matchAll(/^(?:function|const) (\w+)/gm)].map((m) => m[1]));

/**
 * Cheap enough to evaluate unconditionally instead of branching: comparisons and arithmetic on
 * locals and array reads, with no call other than Math.abs and no statement.
 */
export function cheap(js: string): boolean {
  return !/(?:Math\.(?!abs\b)\w+|__\w+)\(/.test(js) && js.length < 200;
}

/** One kernel's generation: its spec, the code written so far, and what it reads and keeps. */
export class Gen {
  readonly colls = new Map<string, CollectionIR>();
  /** The kernel function's body before the event loop (constants bound here are computed once per batch). */
  readonly root: Block = { lines: [], depth: 0, memo: new Map() };
  /** The event loop's body. */
  readonly ev: Block = { lines: [], depth: 1, memo: new Map() };
  readonly evCx: Cx = { block: this.ev, els: [] };
  /**
   * Where declarations are compiled: the event loop's body, or the block of a group of guarded
   * outputs (`when`) for the declarations only that group uses.
   */
  declCx: Cx = this.evCx;
  counter = 0;
  readonly usedNames = new Set<string>();

  /** Branches read, in first-use order, with their local names and kinds. */
  readonly branches = new Map<string, { index: number; local: string; kind: "flat" | "jagged" }>();
  /**
   * Input columns the executor supplies (model scores, `score:MODEL:OUTPUT`), in first-use order:
   * one double per event each, passed to the kernel function after the outputs.
   */
  readonly inputs = new Map<string, { index: number; local: string }>();
  /** Collections whose per-event bounds are used. */
  readonly bounded = new Map<string, { off: string; b: string; e: string }>();
  /** Scratch arrays, declared before the event loop. */
  readonly scratch: string[] = [];
  /** Arrays kept from batch to batch (declared outside the kernel function, grown as needed). */
  readonly persistent: string[] = [];
  /** Flat passes already emitted, by what they compute: their array's name. */
  readonly flatPasses = new Map<string, string>();
  /** Placeholders of expressions a per-batch array may replace (see `deferred`). */
  readonly deferredByText = new Map<string, string>();
  readonly deferredJs = new Map<string, () => string>();
  /** > 0 while generating a flat pass, whose elements compute everything themselves. */
  flatPassDepth = 0;
  /** Declarations already compiled, by `decl:name`. */
  readonly declared = new Map<string, Val>();
  readonly compiling: string[] = [];

  /** expression text → the declaration it is, for outputs that are declarations */
  readonly declByText = new Map<string, ExprIR>();

  constructor(readonly spec: GenSpec) {
    for (const c of spec.collections) this.colls.set(c.name, c);
    // names the kernel function and its prelude use
    for (const name of ["i", "n", "entry0", "cols", "outs", "ins", ...PRELUDE_NAMES]) this.usedNames.add(name);
    spec.outputs.forEach((_, k) => this.usedNames.add(`o${k}`));
    for (const [name, e] of Object.entries(spec.regions)) this.declByText.set(JSON.stringify(e), { op: "ref", type: e.type, decl: "region", name });
    for (const [name, e] of Object.entries(spec.defines)) if (!this.declByText.has(JSON.stringify(e))) this.declByText.set(JSON.stringify(e), { op: "ref", type: e.type, decl: "define", name });
  }

  fresh(hint: string): string {
    const base = sanitize(hint) || "t";
    let name: string;
    do name = `${base}${this.counter++}`;
    while (this.usedNames.has(name));
    this.usedNames.add(name);
    return name;
  }

  unique(name: string): string {
    let n = sanitize(name);
    if (this.usedNames.has(n)) n = this.fresh(n + "_");
    this.usedNames.add(n);
    return n;
  }

  child(cx: Cx): Cx {
    return { block: { lines: [], depth: cx.block.depth + 1, memo: new Map() }, els: cx.els };
  }

  /** Binds `js` to a local in `home` (once per expression text) and returns the local. */
  cse(home: Block, js: string, hint = "t"): string {
    if (isSimple(js)) return js;
    // Inside a group of guarded outputs, what would be bound once per event is bound in the
    // group's block instead, so that it too is computed only where the guard holds.
    if (home === this.ev && this.declCx !== this.evCx) home = this.declCx.block;
    const hit = home.memo.get(js);
    if (hit) return hit;
    const name = this.fresh(hint);
    home.lines.push(`const ${name} = ${js};`);
    home.memo.set(js, name);
    return name;
  }

  deeper(...homes: Block[]): Block {
    return homes.reduce((a, b) => (b.depth > a.depth ? b : a), this.root);
  }

  homeOf(v: Val): Block {
    switch (v.k) {
      case "num":
      case "bool":
      case "obj":
        return v.home;
      case "p4":
        return v.kin.home;
      case "pair":
        return this.deeper(this.homeOf(v.a), this.homeOf(v.b));
      case "tuple":
        return this.deeper(...v.items.map((x) => this.homeOf(x)));
      case "list":
        throw new KernelError("internal: the home of a list");
    }
  }

  num(js: string, ...homes: Block[]): NumV {
    return { k: "num", js, home: this.deeper(...homes) };
  }

  bool(js: string, ...homes: Block[]): BoolV {
    return { k: "bool", js, home: this.deeper(...homes) };
  }

  /** Emits a loop: `header { body }`. */
  loop(cx: Cx, header: string, fill: (inner: Cx) => void): void {
    const inner = this.child(cx);
    fill(inner);
    cx.block.lines.push(`${header} {`, ...indent(inner.block.lines), "}");
  }

  /** A value bound to locals, for use many times (in a loop, in a memoised declaration). */
  hoist<V extends Val>(v: V, hint = "t"): V {
    switch (v.k) {
      case "num":
      case "bool":
        return { ...v, js: this.cse(v.home, v.js, hint) };
      case "obj":
        return { ...v, idx: this.cse(v.home, v.idx, hint) };
      case "p4": {
        const kin = v.kin;
        return { ...v, kin: { ...kin, native: (c) => this.cse(kin.home, kin.native(c), `${hint}_${c}`) } };
      }
      case "pair":
        return { ...v, a: this.hoist(v.a, hint + "_a"), b: this.hoist(v.b, hint + "_b") };
      case "tuple":
        return { ...v, items: v.items.map((x, n) => this.hoist(x, `${hint}_${n}`)) };
      case "list":
        return v;
    }
    return v;
  }

  shape(type: string): Shape {
    return parseType(type, this.colls);
  }

  numJs(v: Val): string {
    if (v.k === "num") return v.js;
    if (v.k === "bool") return `(${v.js} ? 1 : 0)`;
    throw new KernelError(`expected a number, got a ${v.k}`);
  }

  boolJs(v: Val): string {
    if (v.k === "bool") return v.js;
    throw new KernelError(`expected a condition, got a ${v.k}`);
  }

  /** An output's number: bools as 0/1. */
  number(v: Val, what: string): string {
    if (v.k === "num" || v.k === "bool") return this.numJs(v);
    throw new KernelError(`${what} must be a number or a condition, not a ${v.k === "list" ? "list" : "record"}`);
  }

  /** An output's mask: a condition, or a number that is neither 0 nor missing. */
  truth(v: Val, what: string): string {
    if (v.k === "bool") return v.js;
    if (v.k === "num") {
      const x = this.cse(v.home, v.js);
      return `(${x} !== 0 && ${x} === ${x})`;
    }
    throw new KernelError(`${what} must be a condition, not a ${v.k === "list" ? "list" : "record"}`);
  }

  /**
   * A placeholder for an expression that a per-batch array, if one is made later, replaces
   * (`resolveDeferred`, when the source is assembled). The same expression gets the same
   * placeholder, so common subexpressions are still shared.
   */
  deferred(key: string, inline: string, fromArray: (arr: string) => string): string {
    const id = `${key}|${inline}`;
    const known = this.deferredByText.get(id);
    if (known) return known;
    // shaped as a call: not simple (so bound to a local once) and not cheap (so not evaluated
    // where a branch would have skipped it)
    const token = `__deferred${this.deferredByText.size}()`;
    this.deferredByText.set(id, token);
    this.deferredJs.set(token, () => {
      const arr = this.flatPasses.get(key);
      return `(${arr ? fromArray(arr) : inline})`;
    });
    return token;
  }

  resolveDeferred(source: string): string {
    return this.deferredJs.size ? source.replace(/__deferred\d+\(\)/g, (t) => this.deferredJs.get(t)!()) : source;
  }

  scratchArray(kind: SlotKind, hint: string): string {
    const name = this.fresh(hint);
    const ctor = kind === "i" ? "Int32Array" : kind === "b" ? "Uint8Array" : "Float64Array";
    this.scratch.push(`let ${name} = new ${ctor}(16);`);
    return name;
  }
}
