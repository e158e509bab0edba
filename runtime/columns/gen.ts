/**
 * The code generator: typed ExprIR → the source of one JavaScript function with a single loop over
 * the events of a batch, every output computed in it. See index.ts for the semantics.
 *
 * How it works. Each expression compiles to a compile-time *value* (`Val`) that says how to get its
 * run-time value in the generated code:
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
 * Statements go into `Block`s (the kernel's top, the event loop's body, loop bodies). Every value
 * has a *home*, the innermost block its variables live in; common subexpressions are bound once
 * there (`cse`), so a field of the leading muon used in a loop over jets is computed once per event,
 * before the loop, and a jet's derived pt is computed once per jet however often it is used.
 * Appending to a home block is always correct: blocks are emitted into their parent only when
 * complete, so the end of an enclosing block is always before the code being generated.
 */
import type { CollectionIR, ExprIR } from "../../plan/types.js";
import { FUNCTION_BY_NAME } from "../../stdlib/index.js";
import { PRELUDE } from "./prelude.js";

export class KernelError extends Error {
  constructor(message: string) {
    super(`runtime/columns: ${message}`);
    this.name = "KernelError";
  }
}

// ---- shapes (from the IR's type strings) ---------------------------------------------------------

export type Shape =
  | { k: "num" }
  | { k: "bool" }
  | { k: "obj"; coll: CollectionIR }
  | { k: "p4" }
  | { k: "pair"; a: Shape; b: Shape }
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

// ---- blocks and values ---------------------------------------------------------------------------

interface Block {
  lines: string[];
  depth: number;
  /** expression text → the local it is bound to in this block */
  memo: Map<string, string>;
}

/** Where code is being generated: the current block and the enclosing elements (innermost last). */
interface Cx {
  block: Block;
  els: Val[];
}

interface NumV { k: "num"; js: string; home: Block }
interface BoolV { k: "bool"; js: string; home: Block }
interface ObjV { k: "obj"; coll: CollectionIR; idx: string; missing: boolean; home: Block }
interface P4V { k: "p4"; kin: Kin }
interface PairV { k: "pair"; a: Val; b: Val }
interface ListV {
  k: "list";
  /** identity of the list's content (for iterations built on it) */
  id: string;
  /** the element shape after mapping */
  shape: Shape;
  iter: Iter;
  /** iteration element → list element; null for the identity */
  map: ((cx: Cx, el: Val) => Val) | null;
}
type Val = NumV | BoolV | ObjV | P4V | PairV | ListV;
type Scalar = NumV | BoolV;

/** A four-vector: its native components by kinematic source, as expressions valid in `home` (produced on first use). */
interface Kin {
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
interface Iter {
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

type KinSource = "pxpypzE" | "ptetaphim" | "ptetaphi" | "pxpy" | "ptphi";
const NATIVE: Record<KinSource, string[]> = {
  pxpypzE: ["px", "py", "pz", "E"],
  ptetaphim: ["pt", "eta", "phi", "mass"],
  ptetaphi: ["pt", "eta", "phi"],
  pxpy: ["px", "py"],
  ptphi: ["pt", "phi"],
};
const KIN_FIELDS = new Set(["pt", "eta", "phi", "mass", "E", "px", "py", "pz"]);

const IDENT = /^[A-Za-z_$][\w$]*$/;
const LITERAL = /^(?:\d+(?:\.\d*)?(?:e[+-]?\d+)?|NaN|Infinity|true|false)$/;
const isSimple = (js: string) => IDENT.test(js) || LITERAL.test(js);

function indent(lines: string[]): string[] {
  return lines.map((l) => "  " + l);
}

function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, "_");
}

function literal(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "(-Infinity)";
  if (Object.is(v, -0)) return "(-0)";
  const s = String(v);
  return v < 0 ? `(${s})` : s;
}

// ---- the generator -------------------------------------------------------------------------------

export interface GenOutput {
  key: string;
  expr: ExprIR;
  as: "f64" | "mask";
  /** Computed only for the events where this condition holds; elsewhere NaN (f64) or 0 (mask). */
  when?: ExprIR;
}

export interface GenSpec {
  outputs: GenOutput[];
  defines: Record<string, ExprIR>;
  regions: Record<string, ExprIR>;
  collections: CollectionIR[];
}

export interface Generated {
  source: string;
  branches: string[];
}

export function generate(spec: GenSpec): Generated {
  return new Gen(spec).run();
}

class Gen {
  private readonly colls = new Map<string, CollectionIR>();
  /** The kernel function's body before the event loop (constants bound here are computed once per batch). */
  private readonly root: Block = { lines: [], depth: 0, memo: new Map() };
  /** The event loop's body. */
  private readonly ev: Block = { lines: [], depth: 1, memo: new Map() };
  private readonly evCx: Cx = { block: this.ev, els: [] };
  /**
   * Where declarations are compiled: the event loop's body, or the block of a group of guarded
   * outputs (`when`) for the declarations only that group uses.
   */
  private declCx: Cx = this.evCx;
  private counter = 0;
  private readonly usedNames = new Set<string>();

  /** Branches read, in first-use order, with their local names and kinds. */
  private readonly branches = new Map<string, { index: number; local: string; kind: "flat" | "jagged" }>();
  /** Collections whose per-event bounds are used. */
  private readonly bounded = new Map<string, { off: string; b: string; e: string }>();
  /** Scratch arrays, declared before the event loop. */
  private readonly scratch: string[] = [];
  /** Arrays kept from batch to batch (declared outside the kernel function, grown as needed). */
  private readonly persistent: string[] = [];
  /** Flat passes already emitted, by what they compute: their array's name. */
  private readonly flatPasses = new Map<string, string>();
  /** Placeholders of expressions a per-batch array may replace (see `deferred`). */
  private readonly deferredByText = new Map<string, string>();
  private readonly deferredJs = new Map<string, () => string>();
  /** > 0 while generating a flat pass, whose elements compute everything themselves. */
  private flatPassDepth = 0;
  /** Declarations already compiled, by `decl:name`. */
  private readonly declared = new Map<string, Val>();
  private readonly compiling: string[] = [];

  /** expression text → the declaration it is, for outputs that are declarations */
  private readonly declByText = new Map<string, ExprIR>();

  constructor(private readonly spec: GenSpec) {
    for (const c of spec.collections) this.colls.set(c.name, c);
    // names the kernel function and its prelude use
    for (const name of ["i", "n", "entry0", "cols", "outs", ...PRELUDE_NAMES]) this.usedNames.add(name);
    spec.outputs.forEach((_, k) => this.usedNames.add(`o${k}`));
    for (const [name, e] of Object.entries(spec.regions)) this.declByText.set(JSON.stringify(e), { op: "ref", type: e.type, decl: "region", name });
    for (const [name, e] of Object.entries(spec.defines)) if (!this.declByText.has(JSON.stringify(e))) this.declByText.set(JSON.stringify(e), { op: "ref", type: e.type, decl: "define", name });
  }

  run(): Generated {
    const outLines: string[] = [];
    const keys = new Set<string>();
    this.spec.outputs.forEach((o, k) => {
      if (keys.has(o.key)) throw new KernelError(`output '${o.key}' is given twice`);
      keys.add(o.key);
      outLines.push(`const o${k} = outs[${k}]; // ${o.key} (${o.as})`);
    });
    // Outputs with a condition (`when`) are grouped by it; each group is computed inside an
    // `if` on its condition, so that work only some events need (a histogram's variable, needed in
    // its regions) is skipped for the others, as a lazy dataflow would.
    const outputs = this.spec.outputs.map((o, k) => ({ ...o, k }));
    const groups = new Map<string, { when: ExprIR; members: typeof outputs }>();
    for (const o of outputs) {
      if (!o.when) continue;
      const text = JSON.stringify(o.when);
      const g = groups.get(text);
      if (g) g.members.push(o);
      else groups.set(text, { when: o.when, members: [o] });
    }
    const always = outputs.filter((o) => !o.when);

    // Declarations first, dependencies before their users, so that compiling one never recurses
    // into another (chains of thousands of defines). Those the unconditional outputs or the
    // conditions use, or that more than one group uses, go into the event loop's body; the others
    // into their group's block.
    const top = [...always.map((o) => o.expr), ...[...groups.values()].map((g) => g.when)];
    const users = new Map<string, number>();
    for (const g of groups.values()) for (const d of this.declarationOrder(g.members.map((o) => o.expr))) users.set(declKey(d), (users.get(declKey(d)) ?? 0) + 1);
    const shared = this.declarationOrder(top);
    const sharedKeys = new Set(shared.map(declKey));
    for (const g of groups.values()) for (const d of this.declarationOrder(g.members.map((o) => o.expr))) if (users.get(declKey(d))! > 1 && !sharedKeys.has(declKey(d))) shared.push(d);
    // `shared` may now list a declaration before one it uses: order the whole set again
    for (const [decl, name] of this.declarationOrder(shared.map(([decl, name]) => refTo(decl, name)))) this.ref(decl, name);

    for (const o of always) this.ev.lines.push(this.store(o, o.k, this.compile(this.asRef(o.expr), this.evCx)));
    for (const g of groups.values()) {
      const cond = this.truth(this.compile(this.asRef(g.when), this.evCx), "an output's condition");
      const inner = this.child(this.evCx);
      const before = new Set(this.declared.keys());
      this.declCx = inner;
      try {
        for (const [decl, name] of this.declarationOrder(g.members.map((o) => o.expr))) this.ref(decl, name);
        for (const o of g.members) inner.block.lines.push(this.store(o, o.k, this.compile(this.asRef(o.expr), inner)));
      } finally {
        this.declCx = this.evCx;
        // the group's own declarations are out of scope after its block
        for (const key of [...this.declared.keys()]) if (!before.has(key)) this.declared.delete(key);
      }
      const otherwise = g.members.map((o) => `o${o.k}[i] = ${o.as === "mask" ? "0" : "NaN"};`);
      this.ev.lines.push(`if (${cond}) {`, ...indent(inner.block.lines), "} else {", ...indent(otherwise), "}");
    }

    // offsets first: a collection read through its count branch only adds that branch
    const offsets: string[] = [];
    for (const [name, c] of this.bounded) offsets.push(...this.offsetsOf(name, c.off));
    const head: string[] = [];
    head.push(`__check(cols.length === ${this.branches.size}, "expected ${this.branches.size} columns, got " + cols.length);`);
    for (const [name, b] of this.branches) {
      const q = JSON.stringify(name);
      head.push(`// ${name} (${b.kind})`);
      head.push(`__check(cols[${b.index}].kind === "${b.kind}", ${JSON.stringify(`branch '${name}' must be a ${b.kind} column`)});`);
      if (b.kind === "flat") {
        head.push(`const ${b.local} = cols[${b.index}].values;`);
        head.push(`__check(${b.local}.length >= n, "branch " + ${q} + ": fewer values than events");`);
      } else {
        head.push(`const ${b.local} = cols[${b.index}].values, ${b.local}_o = cols[${b.index}].offsets;`);
        head.push(`__check(${b.local}_o.length >= n + 1 && ${b.local}.length >= ${b.local}_o[n], "branch " + ${q} + ": offsets do not match the events");`);
      }
    }
    head.push(...offsets);
    head.push(...outLines);
    if (this.scratch.length) head.push("// scratch, reused from event to event", ...this.scratch);

    const bounds: string[] = [];
    for (const c of this.bounded.values()) bounds.push(`const ${c.b} = ${c.off}[i], ${c.e} = ${c.off}[i + 1];`);

    const body = [
      ...head,
      ...this.root.lines.map((l) => this.resolveDeferred(l)),
      "for (let i = 0; i < n; i++) {",
      ...indent([...bounds, ...this.ev.lines.map((l) => this.resolveDeferred(l))]),
      "}",
    ];
    const source = [
      "\"use strict\";",
      `// hepc kernel: ${this.spec.outputs.length} outputs over ${this.branches.size} branches (generated by runtime/columns)`,
      PRELUDE.trim(),
      ...this.persistent,
      "return function hepcKernel(n, entry0, cols, outs) {",
      ...indent(body),
      "};",
      "",
    ].join("\n");
    return { source, branches: [...this.branches.keys()] };
  }

  /** The line that stores output k's value for event i. */
  private store(o: GenOutput, k: number, v: Val): string {
    if (o.as === "mask") return `o${k}[i] = (${this.truth(v, `output '${o.key}'`)}) | 0; // ${o.key}`;
    return `o${k}[i] = ${this.number(v, `output '${o.key}'`)}; // ${o.key}`;
  }

  /** The declarations some expressions use, transitively, each after those it uses (iterative depth-first search). */
  private declarationOrder(exprs: ExprIR[]): Decl[] {
    const refs = (e: ExprIR): Decl[] => {
      const out: Decl[] = [];
      const stack = [e];
      while (stack.length) {
        const x = stack.pop()!;
        if (x.op === "ref") out.push([x.decl, x.name]);
        if ("args" in x) stack.push(...x.args);
      }
      return out;
    };
    const keyOf = declKey;
    const order: Decl[] = [];
    const state = new Map<string, "open" | "done">();
    for (const e of exprs) {
      for (const root of refs(this.asRef(e))) {
        const stack: Array<{ d: Decl; deps?: Decl[] }> = [{ d: root }];
        while (stack.length) {
          const top = stack[stack.length - 1];
          const key = keyOf(top.d);
          if (!top.deps) {
            if (state.get(key) === "done") {
              stack.pop();
              continue;
            }
            if (state.get(key) === "open") throw new KernelError(`declaration '${top.d[1]}' refers to itself`);
            const expr = top.d[0] === "region" ? this.spec.regions[top.d[1]] : this.spec.defines[top.d[1]];
            if (!expr) throw new KernelError(`${top.d[0]} '${top.d[1]}' is not in the kernel's declarations`);
            state.set(key, "open");
            top.deps = refs(expr);
          }
          const next = top.deps.pop();
          if (next) {
            if (state.get(keyOf(next)) !== "done") stack.push({ d: next });
          } else {
            state.set(key, "done");
            order.push(top.d);
            stack.pop();
          }
        }
      }
    }
    return order;
  }

  /** An output that is a declaration's expression (a region's mask, a define's value) reads the declaration. */
  private asRef(e: ExprIR): ExprIR {
    return e.op === "ref" ? e : this.declByText.get(JSON.stringify(e)) ?? e;
  }

  // ---- names, blocks, common subexpressions -------------------------------------------------------

  private fresh(hint: string): string {
    const base = sanitize(hint) || "t";
    let name: string;
    do name = `${base}${this.counter++}`;
    while (this.usedNames.has(name));
    this.usedNames.add(name);
    return name;
  }

  private unique(name: string): string {
    let n = sanitize(name);
    if (this.usedNames.has(n)) n = this.fresh(n + "_");
    this.usedNames.add(n);
    return n;
  }

  private child(cx: Cx): Cx {
    return { block: { lines: [], depth: cx.block.depth + 1, memo: new Map() }, els: cx.els };
  }

  /** Binds `js` to a local in `home` (once per expression text) and returns the local. */
  private cse(home: Block, js: string, hint = "t"): string {
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

  private deeper(...homes: Block[]): Block {
    return homes.reduce((a, b) => (b.depth > a.depth ? b : a), this.root);
  }

  private homeOf(v: Val): Block {
    switch (v.k) {
      case "num":
      case "bool":
      case "obj":
        return v.home;
      case "p4":
        return v.kin.home;
      case "pair":
        return this.deeper(this.homeOf(v.a), this.homeOf(v.b));
      case "list":
        throw new KernelError("internal: the home of a list");
    }
  }

  private num(js: string, ...homes: Block[]): NumV {
    return { k: "num", js, home: this.deeper(...homes) };
  }
  private bool(js: string, ...homes: Block[]): BoolV {
    return { k: "bool", js, home: this.deeper(...homes) };
  }

  /** Emits a loop: `header { body }`. */
  private loop(cx: Cx, header: string, fill: (inner: Cx) => void): void {
    const inner = this.child(cx);
    fill(inner);
    cx.block.lines.push(`${header} {`, ...indent(inner.block.lines), "}");
  }

  /** A value bound to locals, for use many times (in a loop, in a memoised declaration). */
  private hoist<V extends Val>(v: V, hint = "t"): V {
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
      case "list":
        return v;
    }
    return v;
  }

  // ---- columns and collections --------------------------------------------------------------------

  private column(name: string, kind: "flat" | "jagged"): string {
    const known = this.branches.get(name);
    if (known) {
      if (known.kind !== kind) throw new KernelError(`branch '${name}' is used both as a flat and as a jagged branch`);
      return known.local;
    }
    const local = this.unique(`b_${name}`);
    this.branches.set(name, { index: this.branches.size, local, kind });
    return local;
  }

  private collection(name: string): CollectionIR {
    const c = this.colls.get(name);
    if (!c) throw new KernelError(`collection '${name}' is not in the plan's collections`);
    return c;
  }

  /** Per-event bounds [b, e) of a jagged collection's elements in its branch arrays. */
  private bounds(coll: CollectionIR): { b: string; e: string } {
    let c = this.bounded.get(coll.name);
    if (!c) {
      const base = sanitize(coll.name);
      c = { off: this.unique(`k_${base}_o`), b: this.unique(`k_${base}_b`), e: this.unique(`k_${base}_e`) };
      this.bounded.set(coll.name, c);
    }
    return c;
  }

  /** The offsets of a collection: those of one of its jagged branches read, else built from its count branch. */
  private offsetsOf(name: string, off: string): string[] {
    const coll = this.collection(name);
    const own = [...Object.values(coll.fields), ...Object.values(coll.kinematics?.fields ?? {})].filter((b) => this.branches.get(b)?.kind === "jagged");
    if (own.length) {
      const first = this.branches.get(own[0])!.local;
      const lines = [`const ${off} = ${first}_o; // offsets of collection ${name}`];
      for (const b of [...new Set(own.slice(1))]) {
        const l = this.branches.get(b)!.local;
        if (l !== first) lines.push(`__check(${l}_o[n] === ${off}[n], ${JSON.stringify(`branches '${own[0]}' and '${b}' of collection ${name} have different numbers of elements`)});`);
      }
      return lines;
    }
    if (!coll.countBranch) throw new KernelError(`collection '${name}' has neither a count branch nor a field read by the plan`);
    const cnt = this.column(coll.countBranch, "flat");
    return [`const ${off} = __offsets(${cnt}, n); // offsets of collection ${name}, from its counts`];
  }

  // ---- expressions --------------------------------------------------------------------------------

  compile(ir: ExprIR, cx: Cx): Val {
    switch (ir.op) {
      case "const":
        return typeof ir.value === "boolean" ? this.bool(String(ir.value)) : this.num(literal(ir.value));
      case "branch": {
        const shape = this.shape(ir.type);
        if (shape.k === "list") return this.branchList(ir.name, shape.el, ir.type);
        const local = this.column(ir.name, "flat");
        const js = `${local}[i]`;
        if (shape.k === "bool") return this.bool(`(${js} !== 0)`, this.ev);
        if (shape.k !== "num") throw new KernelError(`branch '${ir.name}' has type ${ir.type}`);
        return this.num(js, this.ev);
      }
      case "builtin":
        if (ir.name === "entry") return this.num("(entry0 + i)", this.ev);
        throw new KernelError(`unknown builtin '${ir.name}'`);
      case "ref":
        return this.ref(ir.decl, ir.name);
      case "this": {
        const el = cx.els[cx.els.length - 1];
        if (!el) throw new KernelError("'this' outside an element scope");
        return el;
      }
      case "field": {
        const el = cx.els[cx.els.length - 1];
        if (!el) throw new KernelError(`field '${ir.name}' outside an element scope`);
        return this.member(cx, el, ir.name, ir.type);
      }
      case "collection": {
        const coll = this.collection(ir.name);
        if (coll.shape === "single") return { k: "obj", coll, idx: "i", missing: false, home: this.ev };
        return this.collectionList(coll);
      }
      case "unary": {
        const a = this.compile(ir.args[0], cx);
        if (ir.fn === "-") return this.lift(cx, [a], ir, ([x]) => this.num(`(-${this.numJs(x)})`, this.homeOf(x)));
        return this.lift(cx, [a], ir, ([x]) => this.bool(`(!${this.boolJs(x)})`, this.homeOf(x)));
      }
      case "binary":
        return this.binary(ir, cx);
      case "call":
        return this.call(ir, cx);
      case "index": {
        const list = this.compile(ir.args[0], cx);
        const k = this.compile(ir.args[1], cx);
        if (list.k !== "list" || k.k !== "num") throw new KernelError(`cannot index ${ir.args[0].type} with ${ir.args[1].type}`);
        return this.at(cx, list, k);
      }
      case "member": {
        return this.member(cx, this.compile(ir.args[0], cx), ir.name, ir.type);
      }
      case "where": {
        const target = this.compile(ir.args[0], cx);
        if (target.k !== "list") throw new KernelError(`'where' on ${ir.args[0].type}`);
        return this.where(target, ir.args[1]);
      }
    }
  }

  private shape(type: string): Shape {
    return parseType(type, this.colls);
  }

  /** A declaration's value, compiled once, into the event loop's body, and bound to locals. */
  private ref(decl: "define" | "object" | "region", name: string): Val {
    const key = `${decl === "region" ? "region" : "define"}:${name}`;
    const known = this.declared.get(key);
    if (known) return known;
    if (this.compiling.includes(key)) throw new KernelError(`declaration '${name}' refers to itself`);
    const expr = decl === "region" ? this.spec.regions[name] : this.spec.defines[name];
    if (!expr) throw new KernelError(`${decl} '${name}' is not in the kernel's declarations`);
    this.compiling.push(key);
    const cx = this.declCx;
    cx.block.lines.push(`// ${decl} ${name}`);
    let v = this.compile(expr, cx);
    const hint = `${decl === "region" ? "r" : "d"}_${name}`;
    if (v.k === "list") {
      // Collections of records (objects, pairs) are stored once per event; lists of numbers stay
      // lazy and are fused into each use.
      if (v.shape.k !== "num" && v.shape.k !== "bool") v = this.materialize(cx, v, hint, `ref:${key}`);
    } else if (v.k === "num" || v.k === "bool") {
      const local = this.unique(hint);
      cx.block.lines.push(`const ${local} = ${v.js};`);
      v = { ...v, js: local, home: this.deeper(v.home, cx.block) };
    } else v = this.hoist(v, hint);
    this.compiling.pop();
    this.declared.set(key, v);
    return v;
  }

  // ---- records ------------------------------------------------------------------------------------

  private member(cx: Cx, v: Val, name: string, type: string): Val {
    switch (v.k) {
      case "obj": {
        const branch = v.coll.fields[name];
        if (branch !== undefined) return this.read(v, branch, type === "bool" ? "bool" : "num", name);
        if (KIN_FIELDS.has(name) && v.coll.kinematics) return this.kinField(this.kinOf(v), name);
        throw new KernelError(`collection '${v.coll.name}' has no field '${name}' in the plan`);
      }
      case "p4":
        if (KIN_FIELDS.has(name)) return this.kinField(v.kin, name);
        break;
      case "pair":
        if (name === "first") return v.a;
        if (name === "second") return v.b;
        if (KIN_FIELDS.has(name)) return this.kinField(this.kinOf(v), name);
        break;
      case "list":
        return this.mapList(v, `member:${name}:${v.id}`, elemShape(this.shape(type)), (c, el) => this.member(c, el, name, elemType(type)));
      default:
        break;
    }
    void cx;
    throw new KernelError(`no field '${name}' on a ${v.k} value`);
  }

  /** A field of a collection element read from its branch (missing element → NaN / false). */
  private read(v: ObjV, branch: string, kind: "num" | "bool", field: string): Scalar {
    const local = v.coll.shape === "single" ? this.column(branch, "flat") : this.column(branch, "jagged");
    const at = `${local}[${v.idx}]`;
    const hint = `${v.coll.name}_${field}`;
    if (kind === "bool") {
      const js = v.missing ? `(${v.idx} >= 0 && ${at} !== 0)` : `(${at} !== 0)`;
      return this.bool(this.cse(v.home, js, hint), v.home);
    }
    const js = v.missing ? `(${v.idx} < 0 ? NaN : ${at})` : at;
    return this.num(this.cse(v.home, js, hint), v.home);
  }

  /** The four-vector of a record with kinematics. */
  private kinOf(v: Val): Kin {
    switch (v.k) {
      case "p4":
        return v.kin;
      case "obj": {
        const k = v.coll.kinematics;
        if (!k) throw new KernelError(`collection '${v.coll.name}' has no kinematics in the plan`);
        const source = k.source as KinSource;
        if (!NATIVE[source]) throw new KernelError(`unknown kinematics source '${k.source}'`);
        for (const c of NATIVE[source]) {
          if (!k.fields[c]) throw new KernelError(`collection '${v.coll.name}': kinematics ${k.source} without a branch for ${c}`);
        }
        const kin: Kin = { source, native: (c) => this.read(v, k.fields[c], "num", c).js, home: v.home, hint: sanitize(v.coll.name) };
        // Inside a loop an element's derived kinematics would be recomputed wherever the loop
        // runs (a muon's η for every jet it is compared with): read them from arrays computed once
        // per batch instead. An element used once per event (muons[0]) computes its own, unless
        // such an array is there anyway: reading it is cheaper than asinh or atan2, and the
        // array holds the same expression's bits.
        if (v.coll.shape === "jagged" && this.flatPassDepth === 0) kin.element = { coll: v.coll, idx: v.idx, missing: v.missing, inLoop: v.home.depth > this.declCx.block.depth };
        return kin;
      }
      case "pair": {
        const a = this.kinOf(v.a);
        const b = this.kinOf(v.b);
        return this.sumKin(a, b, "pair");
      }
      default:
        throw new KernelError(`a ${v.k} value is not a four-vector`);
    }
  }

  private sumKin(a: Kin, b: Kin, hint: string): Kin {
    const home = this.deeper(a.home, b.home);
    return { source: "pxpypzE", native: (c) => this.cse(home, `${this.kinField(a, c).js} + ${this.kinField(b, c).js}`, `${hint}_${c}`), home, hint };
  }

  /** A kinematic component: native, or derived from the native ones (see index.ts for the formulas). */
  private kinField(kin: Kin, name: string): NumV {
    if (NATIVE[kin.source].includes(name)) return this.num(kin.native(name), kin.home);
    const el = kin.element;
    const fromArray = (arr: string) => (el!.missing ? `(${el!.idx} < 0 ? NaN : ${arr}[${el!.idx}])` : `${arr}[${el!.idx}]`);
    if (el?.inLoop) return this.num(this.cse(kin.home, fromArray(this.flatDerived(el.coll, name)), `${kin.hint}_${name}`), kin.home);
    const f = (c: string) => this.kinField(kin, c).js;
    const anchor = f(NATIVE[kin.source][0]);
    const zero = `(${anchor} === ${anchor} ? 0 : NaN)`;
    let js: string;
    switch (`${kin.source}.${name}`) {
      case "pxpypzE.pt":
      case "pxpy.pt":
        js = `Math.sqrt(${f("px")} * ${f("px")} + ${f("py")} * ${f("py")})`;
        break;
      case "pxpypzE.phi":
      case "pxpy.phi":
        js = `__atan2(${f("py")}, ${f("px")})`;
        break;
      case "pxpypzE.eta":
        js = `Math.asinh(${f("pz")} / ${f("pt")})`;
        break;
      case "pxpypzE.mass": {
        // ROOT's and scikit-hep vector's sign convention: m² < 0 gives −√(−m²)
        const m2 = this.cse(kin.home, `${f("E")} * ${f("E")} - (${f("px")} * ${f("px")} + ${f("py")} * ${f("py")} + ${f("pz")} * ${f("pz")})`, `${kin.hint}_m2`);
        js = `(${m2} >= 0 ? Math.sqrt(${m2}) : -Math.sqrt(-${m2}))`;
        break;
      }
      case "ptetaphim.px":
      case "ptetaphi.px":
      case "ptphi.px":
        js = `${f("pt")} * Math.cos(${f("phi")})`;
        break;
      case "ptetaphim.py":
      case "ptetaphi.py":
      case "ptphi.py":
        js = `${f("pt")} * Math.sin(${f("phi")})`;
        break;
      case "ptetaphim.pz":
      case "ptetaphi.pz":
        js = `${f("pt")} * Math.sinh(${f("eta")})`;
        break;
      case "ptetaphim.E":
        js = `Math.sqrt(${f("pt")} * ${f("pt")} + ${f("pz")} * ${f("pz")} + ${f("mass")} * ${f("mass")})`;
        break;
      case "ptetaphi.E":
        js = `Math.sqrt(${f("pt")} * ${f("pt")} + ${f("pz")} * ${f("pz")})`;
        break;
      case "ptetaphi.mass":
      case "pxpy.pz":
      case "pxpy.eta":
      case "pxpy.mass":
      case "ptphi.pz":
      case "ptphi.eta":
      case "ptphi.mass":
        js = zero;
        break;
      case "pxpy.E":
      case "ptphi.E":
        js = f("pt");
        break;
      default:
        throw new KernelError(`cannot derive ${name} from ${kin.source}`);
    }
    if (el) {
      // Outside a loop: the per-batch array if some loop makes one, even one compiled later, else
      // the expression itself; which of the two is settled when the source is assembled.
      const key = flatDerivedKey(el.coll, name);
      js = this.flatPasses.has(key) ? fromArray(this.flatPasses.get(key)!) : this.deferred(key, js, fromArray);
    }
    return this.num(this.cse(kin.home, js, `${kin.hint}_${name}`), kin.home);
  }

  /**
   * A placeholder for an expression that a per-batch array, if one is made later, replaces
   * (`resolveDeferred`, when the source is assembled). The same expression gets the same
   * placeholder, so common subexpressions are still shared.
   */
  private deferred(key: string, inline: string, fromArray: (arr: string) => string): string {
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

  private resolveDeferred(source: string): string {
    return this.deferredJs.size ? source.replace(/__deferred\d+\(\)/g, (t) => this.deferredJs.get(t)!()) : source;
  }

  // ---- conversions ----------------------------------------------------------------------------------

  private numJs(v: Val): string {
    if (v.k === "num") return v.js;
    if (v.k === "bool") return `(${v.js} ? 1 : 0)`;
    throw new KernelError(`expected a number, got a ${v.k}`);
  }

  private boolJs(v: Val): string {
    if (v.k === "bool") return v.js;
    throw new KernelError(`expected a condition, got a ${v.k}`);
  }

  /** An output's number: bools as 0/1. */
  private number(v: Val, what: string): string {
    if (v.k === "num" || v.k === "bool") return this.numJs(v);
    throw new KernelError(`${what} must be a number or a condition, not a ${v.k === "list" ? "list" : "record"}`);
  }

  /** An output's mask: a condition, or a number that is neither 0 nor missing. */
  private truth(v: Val, what: string): string {
    if (v.k === "bool") return v.js;
    if (v.k === "num") {
      const x = this.cse(v.home, v.js);
      return `(${x} !== 0 && ${x} === ${x})`;
    }
    throw new KernelError(`${what} must be a condition, not a ${v.k === "list" ? "list" : "record"}`);
  }

  // ---- lists ----------------------------------------------------------------------------------------

  private collectionList(coll: CollectionIR): ListV {
    const shape: Shape = { k: "obj", coll };
    const { b, e } = this.bounds(coll);
    const iter: Iter = {
      key: `coll:${coll.name}`,
      shape,
      each: (cx, body) => {
        const j = this.fresh("j");
        this.loop(cx, `for (let ${j} = ${b}; ${j} < ${e}; ${j}++)`, (inner) => body(inner, { k: "obj", coll, idx: j, missing: false, home: inner.block }));
      },
      len: `(${e} - ${b})`,
      get: (_cx, k) => ({ k: "obj", coll, idx: `(${b} + ${k.js})`, missing: false, home: this.deeper(k.home, this.ev) }),
      home: this.ev,
    };
    return { k: "list", id: `coll:${coll.name}`, shape, iter, map: null };
  }

  /** A jagged branch used directly: a list of numbers or conditions. */
  private branchList(name: string, el: Shape, type: string): ListV {
    if (el.k !== "num" && el.k !== "bool") throw new KernelError(`branch '${name}' has type ${type}`);
    const local = this.column(name, "jagged");
    const b = this.cse(this.ev, `${local}_o[i]`, `${local}_b`);
    const e = this.cse(this.ev, `${local}_o[i + 1]`, `${local}_e`);
    const elem = (js: string, home: Block): Val => (el.k === "bool" ? this.bool(`(${js} !== 0)`, home) : this.num(js, home));
    const iter: Iter = {
      key: `branch:${name}`,
      shape: el,
      each: (cx, body) => {
        const j = this.fresh("j");
        this.loop(cx, `for (let ${j} = ${b}; ${j} < ${e}; ${j}++)`, (inner) => body(inner, elem(this.cse(inner.block, `${local}[${j}]`, sanitize(name)), inner.block)));
      },
      len: `(${e} - ${b})`,
      get: (_cx, k) => elem(`${local}[${b} + ${k.js}]`, this.deeper(k.home, this.ev)),
      home: this.ev,
    };
    return { k: "list", id: `branch:${name}`, shape: el, iter, map: null };
  }

  private mapList(list: ListV, id: string, shape: Shape, f: (cx: Cx, el: Val) => Val): ListV {
    const inner = list.map;
    return { k: "list", id, shape, iter: list.iter, map: inner ? (cx, el) => f(cx, inner(cx, el)) : f };
  }

  /** Emits a loop over a list's elements. */
  private each(cx: Cx, list: ListV, body: (cx: Cx, el: Val) => void): void {
    const map = list.map;
    list.iter.each(cx, map ? (c, el) => body(c, map(c, el)) : body);
  }

  /** `list where cond`: the elements for which the condition holds; each conjunct skips the rest of the loop body. */
  private where(list: ListV, cond: ExprIR): ListV {
    const id = `where:${list.id}:${JSON.stringify(cond)}`;
    const iter: Iter = {
      key: id,
      shape: list.shape,
      each: (cx, body) =>
        this.each(cx, list, (c, element) => {
          const el = this.hoist(element, "e"); // used by the condition and by the body
          const scoped: Cx = { block: c.block, els: [...c.els, el] };
          for (const part of conjuncts(cond)) c.block.lines.push(`if (!${this.boolJs(this.compile(part, scoped))}) continue;`);
          body(c, el);
        }),
      filtered: { src: list, cond },
    };
    return { k: "list", id, shape: list.shape, iter, map: null };
  }

  /**
   * A condition per element of `list` as one branch-free expression (`&` of its conjuncts), when
   * every conjunct is pure and cheap; undefined otherwise. Used by count(list where cond).
   */
  private maskOf(c: Cx, el: Val, cond: ExprIR): string | undefined {
    const scoped: Cx = { ...this.child(c), els: [...c.els, el] };
    const parts: string[] = [];
    for (const part of conjuncts(cond)) {
      const v = this.compile(part, scoped);
      if (scoped.block.lines.length || v.k !== "bool" || !cheap(v.js)) return undefined;
      parts.push(v.js);
    }
    return parts.length === 1 ? parts[0] : parts.map((x) => `(${x})`).join(" & ");
  }

  /** Random access to a list, storing it first when its iteration has none. */
  private random(cx: Cx, list: ListV, hint: string): { len: string; get: (cx: Cx, k: NumV) => Val } {
    const l = this.randomAccess(list) ? list : this.materialize(cx, list, hint);
    const { iter, map } = l;
    return { len: iter.len!, get: (c, k) => (map ? map(c, iter.get!(c, k)) : iter.get!(c, k)) };
  }

  private randomAccess(list: ListV): boolean {
    return list.iter.len !== undefined && list.iter.get !== undefined && list.iter.home !== undefined;
  }

  /** list[k]: the element at position k (missing when k is out of range). */
  private at(cx: Cx, list: ListV, k: NumV): Val {
    if (this.randomAccess(list)) {
      const kk = this.hoist(k, "k");
      const home = this.deeper(kk.home, list.iter.home!);
      const constant = /^\d+$/.test(kk.js);
      const ok = this.cse(home, constant ? `${kk.js} < ${list.iter.len}` : `${kk.js} >= 0 && ${kk.js} < ${list.iter.len}`, "ok");
      const el = this.guard(ok, list.iter.get!(cx, kk), list.iter.shape, home);
      return list.map ? list.map(cx, el) : el;
    }
    // sequential: count to k
    const kk = this.hoist(k, "k");
    return this.capture(cx, list, (p) => `${p} === ${kk.js}`, true);
  }

  /** The last element for which `when(position)` holds (stopping at the first when `stop`), as locals. */
  private capture(cx: Cx, list: ListV, when: ((p: string) => string) | null, stop: boolean): Val {
    const kinds = slotKinds(list.shape);
    const slots = kinds.map((kind) => this.fresh(kind === "i" ? "ix" : "x"));
    cx.block.lines.push(`let ${slots.map((s, n) => `${s} = ${DEFAULT[kinds[n]]}`).join(", ")};`);
    const label = this.fresh("L");
    const p = when ? this.fresh("p") : "";
    if (when) cx.block.lines.push(`let ${p} = 0;`);
    const loopCx = this.child(cx);
    this.each(loopCx, list, (c, el) => {
      const vals = this.slotsOf(el);
      const assign = slots.map((s, n) => `${s} = ${vals[n]};`).join(" ");
      if (when) {
        c.block.lines.push(`if (${when(p)}) { ${assign}${stop ? ` break ${label};` : ""} }`, `${p}++;`);
      } else c.block.lines.push(assign);
    });
    cx.block.lines.push(`${label}: {`, ...indent(loopCx.block.lines), "}");
    return this.fromSlots(list.shape, slots, cx.block, true);
  }

  /** Stores a list's elements in scratch arrays; returns a list reading them back (random access). */
  private materialize(cx: Cx, list: ListV, hint: string, id?: string, key?: (cx: Cx, el: Val) => NumV): ListV & { arrays: string[]; keyArr?: string; count: string } {
    const kinds = slotKinds(list.shape);
    const arrays = kinds.map((kind, n) => this.scratchArray(kind, `${hint}_s${n}`));
    const keyArr = key ? this.scratchArray("f", `${hint}_key`) : undefined;
    const count = this.fresh(`${hint}_n`);
    cx.block.lines.push(`let ${count} = 0;`);
    this.each(cx, list, (c, el) => {
      const vals = this.slotsOf(el);
      const kv = key ? key(c, el).js : undefined;
      const all = keyArr ? [...arrays, keyArr] : arrays;
      c.block.lines.push(`if (${count} === ${arrays[0] ?? keyArr}.length) { ${all.map((a) => `${a} = __grow(${a});`).join(" ")} }`);
      arrays.forEach((a, n) => c.block.lines.push(`${a}[${count}] = ${vals[n]};`));
      if (keyArr) c.block.lines.push(`${keyArr}[${count}] = ${kv};`);
      c.block.lines.push(`${count}++;`);
    });
    const home = cx.block;
    const shape = list.shape;
    const iterId = id ?? this.fresh("mat");
    const iter: Iter = {
      key: iterId,
      shape,
      len: count,
      each: (c, body) => {
        const p = this.fresh("p");
        this.loop(c, `for (let ${p} = 0; ${p} < ${count}; ${p}++)`, (inner) => body(inner, this.fromSlots(shape, arrays.map((a) => this.cse(inner.block, `${a}[${p}]`, "s")), inner.block, false)));
      },
      get: (_c, k) => this.fromSlots(shape, arrays.map((a) => `${a}[${k.js}]`), this.deeper(k.home, home), false),
      home,
    };
    return { k: "list", id: iterId, shape, iter, map: null, arrays, keyArr, count };
  }

  private scratchArray(kind: SlotKind, hint: string): string {
    const name = this.fresh(hint);
    const ctor = kind === "i" ? "Int32Array" : kind === "b" ? "Uint8Array" : "Float64Array";
    this.scratch.push(`let ${name} = new ${ctor}(16);`);
    return name;
  }

  // ---- slots: a value as a tuple of numbers (to store it, or to keep the best one) ---------------------

  private slotsOf(v: Val): string[] {
    switch (v.k) {
      case "num":
        return [v.js];
      case "bool":
        return [`(${v.js} ? 1 : 0)`];
      case "obj":
        return [v.idx];
      case "p4":
        return NATIVE.pxpypzE.map((c) => this.kinField(v.kin, c).js);
      case "pair":
        return [...this.slotsOf(v.a), ...this.slotsOf(v.b)];
      case "list":
        throw new KernelError("a list of lists cannot be stored");
    }
  }

  private fromSlots(shape: Shape, js: string[], home: Block, missing: boolean): Val {
    let n = 0;
    const build = (s: Shape): Val => {
      switch (s.k) {
        case "num":
          return this.num(js[n++], home);
        case "bool":
          return this.bool(`(${js[n++]} !== 0)`, home);
        case "obj":
          return { k: "obj", coll: s.coll, idx: js[n++], missing, home };
        case "p4": {
          const comp: Record<string, string> = {};
          for (const c of NATIVE.pxpypzE) comp[c] = js[n++];
          return { k: "p4", kin: { source: "pxpypzE", native: (c) => comp[c], home, hint: "p4" } };
        }
        case "pair":
          return { k: "pair", a: build(s.a), b: build(s.b) };
        case "list":
          throw new KernelError("a list of lists cannot be stored");
      }
    };
    return build(shape);
  }

  /** `ok ? v : missing`, slot by slot. */
  private guard(ok: string, v: Val, shape: Shape, home: Block): Val {
    const kinds = slotKinds(shape);
    const js = this.slotsOf(v).map((s, n) => this.cse(this.deeper(home, this.homeOf(v)), `(${ok} ? ${s} : ${DEFAULT[kinds[n]]})`, kinds[n] === "i" ? "ix" : "x"));
    return this.fromSlots(shape, js, this.deeper(home, this.homeOf(v)), true);
  }

  // ---- lifting: scalar operations over lists ---------------------------------------------------------

  /**
   * Applies `f` to the arguments; when some are lists, element by element. Lists of the same
   * iteration are walked together in one loop; a list of another iteration is read by position
   * (stored first if needed), as long as the first list, missing past its own end.
   */
  private lift(cx: Cx, args: Val[], ir: ExprIR, f: (vals: Val[], cx: Cx) => Val): Val {
    const lists = args.map((a, n) => (a.k === "list" ? n : -1)).filter((n) => n >= 0);
    if (lists.length === 0) return f(args, cx);
    const shape = elemShape(this.shape(ir.type));
    const fixed = args.map((a) => (a.k === "list" ? a : this.hoist(a)));
    const first = fixed[lists[0]] as ListV;
    const id = `lift:${JSON.stringify(ir)}`;
    const same = lists.every((n) => (fixed[n] as ListV).iter.key === first.iter.key);
    if (same) {
      const iter = first.iter;
      return {
        k: "list",
        id,
        shape,
        iter,
        map: (c, el) => f(fixed.map((a) => (a.k === "list" ? (a.map ? a.map(c, el) : el) : a)), c),
      };
    }
    // zip by position
    const others = new Map<number, ReturnType<Gen["random"]>>();
    for (const n of lists.slice(1)) {
      const l = fixed[n] as ListV;
      if (l.iter.key !== first.iter.key) others.set(n, this.random(cx, l, "zip"));
    }
    const iter: Iter = {
      key: id,
      shape,
      each: (c, body) => {
        const p = this.fresh("z");
        c.block.lines.push(`let ${p} = 0;`);
        first.iter.each(c, (ci, raw) => {
          const q = this.num(this.cse(ci.block, `${p}++`, "q"), ci.block);
          const vals = fixed.map((a, n) => {
            if (a.k !== "list") return a;
            if (a.iter.key === first.iter.key) return a.map ? a.map(ci, raw) : raw;
            const r = others.get(n)!;
            const ok = this.cse(ci.block, `${q.js} < ${r.len}`, "ok");
            return this.guard(ok, r.get(ci, q), a.shape, ci.block);
          });
          body(ci, f(vals, ci));
        });
      },
    };
    return { k: "list", id, shape, iter, map: null };
  }

  // ---- operators --------------------------------------------------------------------------------------

  private binary(ir: Extract<ExprIR, { op: "binary" }>, cx: Cx): Val {
    const op = ir.fn;
    const [l, r] = ir.args;
    const listy = (e: ExprIR) => e.type.startsWith("list<") || e.type.startsWith("collection<");
    if ((op === "and" || op === "or") && !listy(l) && !listy(r)) return this.logic(op, l, r, cx);
    const a = this.compile(l, cx);
    const b = this.compile(r, cx);
    if (op === "+" && a.k !== "list" && b.k !== "list" && a.k !== "num" && a.k !== "bool") {
      const kin = this.sumKin(this.kinOf(a), this.kinOf(b), "sum");
      return { k: "p4", kin };
    }
    return this.lift(cx, [a, b], ir, ([x, y]) => this.scalarBinary(op, x, y));
  }

  private scalarBinary(op: string, x: Val, y: Val): Val {
    const home = this.deeper(this.homeOf(x), this.homeOf(y));
    if (op === "and" || op === "or") return this.bool(`(${this.boolJs(x)} ${op === "and" ? "&&" : "||"} ${this.boolJs(y)})`, home);
    if ((op === "==" || op === "!=") && x.k === "bool" && y.k === "bool") return this.bool(`(${x.js} ${op === "==" ? "===" : "!=="} ${y.js})`, home);
    const a = this.numJs(x);
    const b = this.numJs(y);
    switch (op) {
      case "+":
      case "-":
      case "*":
      case "/":
        return this.num(`(${a} ${op} ${b})`, home);
      case "%":
        return this.num(`__mod(${a}, ${b})`, home);
      case "^":
        if (b === "2") {
          const t = this.cse(home, a);
          return this.num(`(${t} * ${t})`, home);
        }
        return this.num(`Math.pow(${a}, ${b})`, home);
      case "~=":
        return this.num(`Math.abs(${a} - ${b})`, home);
      case "<":
      case "<=":
      case ">":
      case ">=":
        return this.bool(`(${a} ${op} ${b})`, home);
      case "==":
        return this.bool(`(${a} === ${b})`, home);
      case "!=": {
        // false when either side is missing, like every other comparison
        const p = this.cse(home, a);
        const q = this.cse(home, b);
        return this.bool(`(${p} < ${q} || ${p} > ${q})`, home);
      }
    }
    throw new KernelError(`unknown operator '${op}'`);
  }

  /** `and` / `or` of two conditions, short-circuiting when the right side needs statements. */
  private logic(op: "and" | "or", l: ExprIR, r: ExprIR, cx: Cx): BoolV {
    const a = this.compile(l, cx);
    const inner = this.child(cx);
    const b = this.compile(r, inner);
    const aj = this.boolJs(a);
    const bj = this.boolJs(b);
    if (inner.block.lines.length === 0) {
      // two cheap comparisons: evaluate both and combine the bits, which beats a mispredicted branch
      if (cheap(aj) && cheap(bj)) return this.bool(`((${aj} ${op === "and" ? "&" : "|"} ${bj}) !== 0)`, this.homeOf(a), this.homeOf(b));
      return this.bool(`(${aj} ${op === "and" ? "&&" : "||"} ${bj})`, this.homeOf(a), this.homeOf(b));
    }
    const t = this.fresh(op === "and" ? "and" : "or");
    cx.block.lines.push(`let ${t} = ${aj};`, `if (${op === "and" ? t : `!${t}`}) {`, ...indent(inner.block.lines), `  ${t} = ${bj};`, "}");
    return this.bool(t, cx.block);
  }

  // ---- functions ---------------------------------------------------------------------------------------

  private call(ir: Extract<ExprIR, { op: "call" }>, cx: Cx): Val {
    const fn = ir.fn;
    const args = ir.args;
    switch (fn) {
      case "count":
      case "sum":
      case "mean":
      case "any":
      case "all":
      case "ht":
        return this.reduce(fn, this.list(args[0], cx), cx);
      case "min":
      case "max":
        if (args.length === 1) return this.reduce(fn, this.list(args[0], cx), cx);
        return this.lift(cx, args.map((a) => this.compile(a, cx)), ir, ([x, y]) => this.num(`Math.${fn}(${this.numJs(x)}, ${this.numJs(y)})`, this.homeOf(x), this.homeOf(y)));
      case "first":
        return this.at(cx, this.list(args[0], cx), this.num("0"));
      case "last": {
        const list = this.list(args[0], cx);
        if (this.randomAccess(list)) return this.at(cx, list, this.num(`(${list.iter.len} - 1)`, list.iter.home!));
        return this.capture(cx, list, null, false);
      }
      case "sort_by":
        return this.sortBy(this.list(args[0], cx), args[1], cx);
      case "best":
        return this.best(this.list(args[0], cx), args[1], cx);
      case "pairs":
        return this.pairs(args.map((a) => this.list(a, cx)), ir);
      case "p4": {
        const [px, py, pz, E] = args.map((a, n) => this.hoist(this.compile(a, cx), ["px", "py", "pz", "E"][n]));
        return this.p4("pxpypzE", { px, py, pz, E });
      }
      case "ptetaphim": {
        const [pt, eta, phi, mass] = args.map((a, n) => this.hoist(this.compile(a, cx), ["pt", "eta", "phi", "mass"][n]));
        return this.p4("ptetaphim", { pt, eta, phi, mass });
      }
      case "met": {
        const [px, py] = args.map((a, n) => this.hoist(this.compile(a, cx), ["met_px", "met_py"][n]));
        return this.p4("pxpy", { px, py });
      }
      case "deltaPhi":
      case "deltaEta":
      case "deltaR":
      case "mT":
        return this.lift(cx, args.map((a) => this.compile(a, cx)), ir, ([x, y]) => this.twoBody(fn, this.kinOf(x), this.kinOf(y)));
    }
    if (KIN_FIELDS.has(fn)) return this.lift(cx, [this.compile(args[0], cx)], ir, ([x]) => this.member(cx, x, fn, "float"));
    const std = FUNCTION_BY_NAME.get(fn);
    if (std?.impl.kind === "scalar") {
      const snippet = std.impl.js;
      return this.lift(cx, args.map((a) => this.compile(a, cx)), ir, (vals) => {
        const home = this.deeper(...vals.map((v) => this.homeOf(v)));
        const uses = (n: number) => (snippet.match(new RegExp(`\\$${n}(?!\\d)`, "g")) ?? []).length;
        const js = vals.map((v, n) => {
          const s = v.k === "bool" && fn === "ifelse" && n === 0 ? v.js : this.numJs(v);
          return uses(n) > 1 ? this.cse(home, s) : `(${s})`;
        });
        return this.num(snippet.replace(/\$(\d+)/g, (_, n: string) => js[Number(n)]), home);
      });
    }
    throw new KernelError(`function '${fn}' has no implementation in runtime/columns`);
  }

  private list(ir: ExprIR, cx: Cx): ListV {
    const v = this.compile(ir, cx);
    if (v.k !== "list") throw new KernelError(`expected a list, got ${ir.type}`);
    return v;
  }

  private p4(source: KinSource, parts: Record<string, Val>): P4V {
    const comp: Record<string, string> = {};
    const homes: Block[] = [];
    for (const [c, v] of Object.entries(parts)) {
      comp[c] = this.numJs(v);
      homes.push(this.homeOf(v));
    }
    return { k: "p4", kin: { source, native: (c) => comp[c], home: this.deeper(...homes), hint: "p4" } };
  }

  private twoBody(fn: string, a: Kin, b: Kin): NumV {
    const home = this.deeper(a.home, b.home);
    const f = (k: Kin, c: string) => this.kinField(k, c).js;
    const dphi = () => this.cse(home, `__dphi(${f(a, "phi")} - ${f(b, "phi")})`, "dphi");
    const deta = () => this.cse(home, `${f(a, "eta")} - ${f(b, "eta")}`, "deta");
    switch (fn) {
      case "deltaPhi":
        return this.num(dphi(), home);
      case "deltaEta":
        return this.num(deta(), home);
      case "deltaR": {
        const p = dphi();
        const e = deta();
        return this.num(`Math.sqrt(${e} * ${e} + ${p} * ${p})`, home);
      }
      case "mT":
        return this.num(`Math.sqrt(2 * ${f(a, "pt")} * ${f(b, "pt")} * (1 - Math.cos(${f(a, "phi")} - ${f(b, "phi")})))`, home);
    }
    throw new KernelError(`unknown function '${fn}'`);
  }

  // ---- reductions ----------------------------------------------------------------------------------

  private reduce(fn: string, list: ListV, cx: Cx): Scalar {
    const hint = fn;
    if (fn === "count" && list.shape.k !== "bool" && this.randomAccess(list)) return this.num(list.iter.len!, list.iter.home!);
    if (fn === "count" && list.iter.filtered && list.map === null) {
      const flat = this.flatCount(list.iter.filtered.src, list.iter.filtered.cond);
      if (flat) return flat;
      // count(src where cond): add up the condition over src, without a branch per element
      const { src, cond } = list.iter.filtered;
      const acc = this.fresh("count");
      const loopCx = this.child(cx);
      let ok = true;
      this.each(loopCx, src, (c, el) => {
        const m = this.maskOf(c, el, cond);
        if (m === undefined) ok = false;
        else c.block.lines.push(`${acc} += (${m}) | 0;`);
      });
      if (ok) {
        cx.block.lines.push(`let ${acc} = 0;`, ...loopCx.block.lines);
        return this.num(acc, cx.block);
      }
      // not pure: count with the filtering loop below
    }
    if ((fn === "sum" || fn === "ht") && list.iter.filtered) {
      const fast = this.maskedSum(fn, list, cx);
      if (fast) return fast;
    }
    const acc = this.fresh(hint);
    const label = this.fresh("L");
    let init: string;
    let result: (acc: string, n: string) => Scalar;
    let step: (x: Val, c: Cx, n: string) => string;
    let needN = false;
    switch (fn) {
      case "count":
        init = "0";
        step = list.shape.k === "bool" ? (x) => `${acc} += (${this.boolJs(x)}) | 0;` : () => `${acc}++;`;
        result = (a) => this.num(a, cx.block);
        break;
      case "sum":
      case "ht":
        init = "0";
        step = (x, c) => `${acc} += ${this.numJs(fn === "ht" ? this.member(c, x, "pt", "float") : x)};`;
        result = (a) => this.num(a, cx.block);
        break;
      case "mean":
        init = "0";
        needN = true;
        step = (x, _c, n) => `${acc} += ${this.numJs(x)}; ${n}++;`;
        result = (a, n) => this.num(`(${n} > 0 ? ${a} / ${n} : NaN)`, cx.block);
        break;
      case "min":
      case "max": {
        init = fn === "min" ? "Infinity" : "-Infinity";
        needN = true;
        // Math.min/max: no branch, and a missing element makes the result missing
        step = (x, _c, n) => `${acc} = Math.${fn}(${acc}, ${this.numJs(x)}); ${n}++;`;
        result = (a, n) => this.num(`(${n} > 0 ? ${a} : NaN)`, cx.block);
        break;
      }
      case "any":
        init = "false";
        step = (x) => `if (${this.boolJs(x)}) { ${acc} = true; break ${label}; }`;
        result = (a) => this.bool(a, cx.block);
        break;
      case "all":
        init = "true";
        step = (x) => `if (!${this.boolJs(x)}) { ${acc} = false; break ${label}; }`;
        result = (a) => this.bool(a, cx.block);
        break;
      default:
        throw new KernelError(`unknown reduction '${fn}'`);
    }
    const n = needN ? this.fresh("n") : "";
    cx.block.lines.push(`let ${acc} = ${init};${needN ? ` let ${n} = 0;` : ""}`);
    const loopCx = this.child(cx);
    this.each(loopCx, list, (c, el) => c.block.lines.push(step(el, c, n)));
    if (fn === "any" || fn === "all") cx.block.lines.push(`${label}: {`, ...indent(loopCx.block.lines), "}");
    else cx.block.lines.push(...loopCx.block.lines);
    return result(acc, n);
  }

  /**
   * A derived kinematic component (η from px, py, pz, ...) of every element of a jagged
   * collection in the batch, computed in one flat pass before the event loop into an array kept
   * from batch to batch. The same expression as inline, so the same bits.
   */
  private flatDerived(coll: CollectionIR, name: string): string {
    const key = flatDerivedKey(coll, name);
    const known = this.flatPasses.get(key);
    if (known) return known;
    this.bounds(coll);
    const { off } = this.bounded.get(coll.name)!;
    const block: Block = { lines: [], depth: 1, memo: new Map() };
    const j = this.fresh("j");
    this.flatPassDepth++;
    let v: NumV;
    try {
      v = this.kinField(this.kinOf({ k: "obj", coll, idx: j, missing: false, home: block }), name);
    } finally {
      this.flatPassDepth--;
    }
    const kept = this.fresh(`kept_${sanitize(coll.name)}_${name}`);
    const arr = this.fresh(`all_${sanitize(coll.name)}_${name}`);
    const total = this.fresh("total");
    this.flatPasses.set(key, arr);
    this.persistent.push(`let ${kept} = new Float64Array(0); // ${coll.name}.${name} per element, kept from batch to batch`);
    this.root.lines.push(
      `// ${coll.name}.${name} of every element of the batch, computed once`,
      `const ${total} = ${off}[n];`,
      `if (${kept}.length < ${total}) ${kept} = new Float64Array(${total} + (${total} >> 2));`,
      `const ${arr} = ${kept};`,
      `for (let ${j} = 0; ${j} < ${total}; ${j}++) {`,
      ...indent([...block.lines, `${arr}[${j}] = ${v.js};`]),
      "}",
    );
    return arr;
  }

  /**
   * count(collection where cond) for every element of the batch in one flat pass, before the event
   * loop: a running count over the elements, which each event reads as a difference at its
   * bounds. A loop per event costs a mispredicted branch at its exit, more than the elements of a
   * typical event; this pass has none. Only where the condition depends on nothing but the
   * element's own fields and constants (checked on the generated code: any other local, such as an
   * event-level value, makes it fall back) and is cheap and pure. Counts are integers, so the
   * result is exactly that of the per-event loop.
   */
  private flatCount(src: ListV, cond: ExprIR): NumV | undefined {
    if (src.map !== null || !src.iter.key.startsWith("coll:") || src.shape.k !== "obj") return undefined;
    const coll = src.shape.coll;
    const key = `count:${coll.name}:${JSON.stringify(cond)}`;
    this.bounds(coll);
    const { off, b, e } = this.bounded.get(coll.name)!;
    let cum = this.flatPasses.get(key);
    if (!cum) {
      // Compiling may bind values in the event loop or the kernel's top (e.g. an event-level value
      // the condition uses): undo that if the pass turns out impossible.
      const saved = {
        ev: this.ev.lines.length,
        evMemo: new Map(this.ev.memo),
        root: this.root.lines.length,
        rootMemo: new Map(this.root.memo),
        scratch: this.scratch.length,
        persistent: this.persistent.length,
        passes: new Map(this.flatPasses),
      };
      const undo = () => {
        this.ev.lines.length = saved.ev;
        this.ev.memo = saved.evMemo;
        this.root.lines.length = saved.root;
        this.root.memo = saved.rootMemo;
        this.scratch.length = saved.scratch;
        this.persistent.length = saved.persistent;
        this.flatPasses.clear();
        for (const [k, v] of saved.passes) this.flatPasses.set(k, v);
        return undefined;
      };
      const block: Block = { lines: [], depth: 1, memo: new Map() };
      const j = this.fresh("j");
      this.flatPassDepth++;
      let mask: string | undefined;
      try {
        mask = this.maskOf({ block, els: [] }, { k: "obj", coll, idx: j, missing: false, home: block }, cond);
      } finally {
        this.flatPassDepth--;
      }
      if (mask === undefined || this.ev.lines.length !== saved.ev || this.root.lines.length !== saved.root) return undo();
      const code = [...block.lines, mask].join("\n");
      const declared = new Set([...code.matchAll(/\b(?:const|let) ([A-Za-z_$][\w$]*)/g)].map((m) => m[1]));
      const allowed = (id: string) =>
        id === j || declared.has(id) || FLAT_GLOBALS.has(id) || PRELUDE_NAMES.has(id) || [...this.branches.values()].some((br) => br.local === id);
      for (const m of code.matchAll(/(?<![\w$.])[A-Za-z_$][\w$]*/g)) if (!allowed(m[0])) return undo();
      const kept = this.fresh(`kept_count_${sanitize(coll.name)}`);
      cum = this.fresh(`flat_count_${sanitize(coll.name)}`);
      this.flatPasses.set(key, cum);
      const total = this.fresh("total");
      const c = this.fresh("c");
      this.persistent.push(`let ${kept} = new Int32Array(0); // count(${coll.name} where ...) per element, kept from batch to batch`);
      this.root.lines.push(
        `// count(${coll.name} where ...) over every element of the batch: a running count, read per event at its bounds`,
        `const ${total} = ${off}[n];`,
        `if (${kept}.length <= ${total}) ${kept} = new Int32Array(${total} + 1 + (${total} >> 2));`,
        `const ${cum} = ${kept}; // a local: the loops below then need no context load`,
        `let ${c} = 0;`,
        `for (let ${j} = 0; ${j} < ${total}; ${j}++) {`,
        ...indent([...block.lines, `${cum}[${j}] = ${c};`, `${c} += (${mask}) | 0;`]),
        "}",
        `${cum}[${total}] = ${c};`,
      );
    }
    return this.num(this.cse(this.ev, `(${cum}[${e}] - ${cum}[${b}])`, "count"), this.ev);
  }

  /**
   * sum(list where cond) without a branch per element: Σ v · cond over the unfiltered list. A
   * missing or infinite v that fails the condition makes v · 0 NaN, so a NaN result is recomputed
   * with the filtering loop; otherwise every failing v added exactly 0 and the result has the bits
   * of the filtering loop's. Only for cheap, pure conditions and values.
   */
  private maskedSum(fn: "sum" | "ht", list: ListV, cx: Cx): NumV | undefined {
    const { src, cond } = list.iter.filtered!;
    const acc = this.fresh("sum");
    const loopCx = this.child(cx);
    let ok = true;
    this.each(loopCx, src, (c, raw) => {
      const el = this.hoist(raw, "e");
      const m = this.maskOf(c, el, cond);
      const mapped = list.map ? list.map(c, el) : el;
      const v = fn === "ht" ? this.member(c, mapped, "pt", "float") : mapped;
      if (m === undefined || v.k !== "num" || !cheap(v.js)) ok = false;
      else c.block.lines.push(`${acc} += ${v.js} * ((${m}) | 0);`);
    });
    if (!ok) return undefined;
    const slow = this.child(cx);
    const again = this.reduceLoop(fn, list, slow);
    cx.block.lines.push(`let ${acc} = 0;`, ...loopCx.block.lines, `if (${acc} !== ${acc}) {`, ...indent(slow.block.lines), `  ${acc} = ${again};`, "}");
    return this.num(acc, cx.block);
  }

  /** The filtering loop of a sum, into cx; returns its result's local. */
  private reduceLoop(fn: "sum" | "ht", list: ListV, cx: Cx): string {
    const acc = this.fresh("sum");
    cx.block.lines.push(`let ${acc} = 0;`);
    const loopCx = this.child(cx);
    this.each(loopCx, list, (c, x) => c.block.lines.push(`${acc} += ${this.numJs(fn === "ht" ? this.member(c, x, "pt", "float") : x)};`));
    cx.block.lines.push(...loopCx.block.lines);
    return acc;
  }

  // ---- collections -----------------------------------------------------------------------------------

  /** The element with the smallest criterion (ties: the first; missing criteria never win). */
  private best(list: ListV, crit: ExprIR, cx: Cx): Val {
    const kinds = slotKinds(list.shape);
    const slots = kinds.map((kind) => this.fresh(kind === "i" ? "bi" : "bx"));
    const bk = this.fresh("bk");
    cx.block.lines.push(`let ${bk} = NaN${slots.map((s, n) => `, ${s} = ${DEFAULT[kinds[n]]}`).join("")};`);
    const loopCx = this.child(cx);
    this.each(loopCx, list, (c, el) => {
      const scoped: Cx = { block: c.block, els: [...c.els, el] };
      const k = this.cse(c.block, this.numJs(this.compile(crit, scoped)), "c");
      const vals = this.slotsOf(el);
      c.block.lines.push(`if (${k} < ${bk} || (${bk} !== ${bk} && ${k} === ${k})) { ${bk} = ${k}; ${slots.map((s, n) => `${s} = ${vals[n]};`).join(" ")} }`);
    });
    cx.block.lines.push(...loopCx.block.lines);
    return this.fromSlots(list.shape, slots, cx.block, true);
  }

  /** Stable sort by a per-element key, increasing, missing keys last (insertion sort: lists are short). */
  private sortBy(list: ListV, keyIr: ExprIR, cx: Cx): ListV {
    const m = this.materialize(cx, list, "sorted", undefined, (c, el) => this.num(this.numJs(this.compile(keyIr, { block: c.block, els: [...c.els, el] })), c.block));
    const key = m.keyArr!;
    const arrays = m.arrays;
    const p = this.fresh("p");
    const q = this.fresh("q");
    const kv = this.fresh("kv");
    const saved = arrays.map(() => this.fresh("sv"));
    cx.block.lines.push(
      `for (let ${p} = 1; ${p} < ${m.count}; ${p}++) {`,
      `  const ${kv} = ${key}[${p}];${arrays.map((a, n) => ` const ${saved[n]} = ${a}[${p}];`).join("")}`,
      `  let ${q} = ${p};`,
      `  while (${q} > 0 && (${kv} < ${key}[${q} - 1] || (${key}[${q} - 1] !== ${key}[${q} - 1] && ${kv} === ${kv}))) {`,
      `    ${key}[${q}] = ${key}[${q} - 1];${arrays.map((a) => ` ${a}[${q}] = ${a}[${q} - 1];`).join("")}`,
      `    ${q}--;`,
      "  }",
      `  ${key}[${q}] = ${kv};${arrays.map((a, n) => ` ${a}[${q}] = ${saved[n]};`).join("")}`,
      "}",
    );
    return m;
  }

  private pairs(lists: ListV[], ir: ExprIR): ListV {
    const shape = elemShape(this.shape(ir.type));
    const id = `pairs:${JSON.stringify(ir)}`;
    if (lists.length === 1) {
      const [a] = lists;
      const iter: Iter = {
        key: id,
        shape,
        each: (cx, body) => {
          const r = this.random(cx, a, "pa");
          const p = this.fresh("p");
          const q = this.fresh("q");
          this.loop(cx, `for (let ${p} = 0; ${p} < ${r.len}; ${p}++)`, (outer) => {
            const x = this.hoist(r.get(outer, this.num(p, outer.block)), "first");
            this.loop(outer, `for (let ${q} = ${p} + 1; ${q} < ${r.len}; ${q}++)`, (inner) => {
              const y = this.hoist(r.get(inner, this.num(q, inner.block)), "second");
              body(inner, { k: "pair", a: x, b: y });
            });
          });
        },
      };
      return { k: "list", id, shape, iter, map: null };
    }
    const [a, b] = lists;
    const iter: Iter = {
      key: id,
      shape,
      each: (cx, body) => {
        const rb = this.random(cx, b, "pb");
        const q = this.fresh("q");
        this.each(cx, a, (outer, x) => {
          const hx = this.hoist(x, "first");
          this.loop(outer, `for (let ${q} = 0; ${q} < ${rb.len}; ${q}++)`, (inner) => {
            body(inner, { k: "pair", a: hx, b: this.hoist(rb.get(inner, this.num(q, inner.block)), "second") });
          });
        });
      },
    };
    return { k: "list", id, shape, iter, map: null };
  }
}

type Decl = ["define" | "object" | "region", string];
type SlotKind = "i" | "f" | "b";
const DEFAULT: Record<SlotKind, string> = { i: "-1", f: "NaN", b: "0" };

/** A declaration's key in `declared` (objects are defines). */
function declKey([decl, name]: Decl): string {
  return `${decl === "region" ? "region" : "define"}:${name}`;
}

/** A reference to a declaration, as the plan writes one (the type is not read by declarationOrder). */
function refTo(decl: Decl[0], name: string): ExprIR {
  return { op: "ref", type: "", decl, name } as ExprIR;
}

/** The key of a derived component's per-batch array among the flat passes. */
function flatDerivedKey(coll: CollectionIR, name: string): string {
  return `kin:${coll.name}:${name}`;
}

function slotKinds(s: Shape): SlotKind[] {
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
    case "list":
      throw new KernelError("a list of lists cannot be stored");
  }
}

function elemShape(s: Shape): Shape {
  return s.k === "list" ? s.el : s;
}

function elemType(t: string): string {
  const m = /^(?:list|collection)<(.*)>$/.exec(t);
  return m ? m[1] : t;
}

/**
 * Cheap enough to evaluate unconditionally instead of branching: comparisons and arithmetic on
 * locals and array reads, with no call other than Math.abs and no statement.
 */
/** The prelude's functions and constants (a collection may itself be called `__x`: not these). */
const PRELUDE_NAMES = new Set([...PRELUDE.matchAll(/^(?:function|const) (\w+)/gm)].map((m) => m[1]));

/** Names a flat pass may use besides its own locals, branch arrays and the prelude's helpers. */
const FLAT_GLOBALS = new Set(["Math", "PI", "TWO_PI", "NaN", "Infinity", "true", "false", "const", "let"]);

function cheap(js: string): boolean {
  return !/(?:Math\.(?!abs\b)\w+|__\w+)\(/.test(js) && js.length < 200;
}

/** The conjuncts of a chain of `and`s. */
function conjuncts(e: ExprIR): ExprIR[] {
  if (e.op === "binary" && e.fn === "and" && e.type === "bool") return [...conjuncts(e.args[0]), ...conjuncts(e.args[1])];
  return [e];
}
