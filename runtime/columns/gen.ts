/**
 * The code generator's entry: typed ExprIR → the source of one JavaScript function with a single
 * loop over the events of a batch, every output computed in it. See index.ts for the semantics.
 *
 * This file assembles the kernel: declarations in dependency order, the outputs (grouped by their
 * condition), the column checks before the loop and the per-batch passes. The rest is in families
 * by job, each a file:
 *   - values.ts: the value model (what an expression compiles to at generation time);
 *   - emit.ts: emitter plumbing (the generation's state, names, blocks, common subexpressions);
 *   - expr.ts: expression nodes, declarations and operators;
 *   - access.ts: branches, collections and fields of records;
 *   - lists.ts: iteration, `where`, positional access, storage and lifting over lists;
 *   - kinematics.ts: four-vectors, derived components, two-body functions;
 *   - reductions.ts and combinatorics.ts: count/sum/min/... and best, sort_by, pairs;
 *   - calls.ts: the emitter of every standard-library function, in a table keyed by its name.
 */
import type { ExprIR } from "../../plan/types.js";
import { Gen, type GenOutput, type GenSpec, indent } from "./emit.js";
import { bounds as boundsOf, collection, collectionList, offsetsOf } from "./access.js";
import { compile, ref } from "./expr.js";
import { each } from "./lists.js";
import { PRELUDE } from "./prelude.js";
import { type Cx, KernelError, type ObjV, type Val } from "./values.js";

export { KernelError } from "./values.js";
export type { GenOutput, GenSpec } from "./emit.js";

export interface Generated {
  source: string;
  branches: string[];
  /** Input columns the executor supplies (`score:MODEL:OUTPUT`), in the order the function takes them. */
  inputs: string[];
}

export function generate(spec: GenSpec): Generated {
  return assemble(new Gen(spec));
}

function assemble(g: Gen): Generated {
  const outLines: string[] = [];
  const keys = new Set<string>();
  g.spec.outputs.forEach((o, k) => {
    if (keys.has(o.key)) throw new KernelError(`output '${o.key}' is given twice`);
    keys.add(o.key);
    if (o.as === "elements") {
      // one value per element of a jagged collection, at the element's place in its branches
      const coll = collection(g, o.each ?? "");
      if (coll.shape !== "jagged") throw new KernelError(`output '${o.key}': per-element values need a jagged collection`);
      outLines.push(`const o${k} = outs[${k}] = new Float64Array(${(boundsOf(g, coll), g.bounded.get(coll.name)!).off}[n]); // ${o.key} (elements of ${coll.name})`);
    } else outLines.push(`const o${k} = outs[${k}]; // ${o.key} (${o.as})`);
  });
  if (g.spec.outputs.some((o) => o.as === "list")) outLines.push(LIST_GROW);
  // Outputs with a condition (`when`) are grouped by it; each group is computed inside an
  // `if` on its condition, so that work only some events need (a histogram's variable, needed in
  // its regions) is skipped for the others, as a lazy dataflow would.
  const outputs = g.spec.outputs.map((o, k) => ({ ...o, k }));
  const groups = new Map<string, { when: ExprIR; members: typeof outputs }>();
  for (const o of outputs) {
    if (!o.when) continue;
    const text = JSON.stringify(o.when);
    const grp = groups.get(text);
    if (grp) grp.members.push(o);
    else groups.set(text, { when: o.when, members: [o] });
  }
  const always = outputs.filter((o) => !o.when);

  // Declarations first, dependencies before their users, so that compiling one never recurses
  // into another (chains of thousands of defines). Those the unconditional outputs or the
  // conditions use, or that more than one group uses, go into the event loop's body; the others
  // into their group's block.
  const top = [...always.flatMap((o) => (o.per ? [o.per, o.expr] : [o.expr])), ...[...groups.values()].map((grp) => grp.when)];
  const users = new Map<string, number>();
  for (const grp of groups.values()) for (const d of declarationOrder(g, grp.members.flatMap((o) => (o.per ? [o.per, o.expr] : [o.expr])))) users.set(declKey(d), (users.get(declKey(d)) ?? 0) + 1);
  const shared = declarationOrder(g, top);
  const sharedKeys = new Set(shared.map(declKey));
  for (const grp of groups.values()) for (const d of declarationOrder(g, grp.members.flatMap((o) => (o.per ? [o.per, o.expr] : [o.expr])))) if (users.get(declKey(d))! > 1 && !sharedKeys.has(declKey(d))) shared.push(d);
  // `shared` may now list a declaration before one it uses: order the whole set again
  for (const [decl, name] of declarationOrder(g, shared.map(([decl, name]) => refTo(decl, name)))) ref(g, decl, name);

  for (const o of always) emitOutput(g, o, o.k, g.evCx);
  for (const grp of groups.values()) {
    const cond = g.truth(compile(g, asRef(g, grp.when), g.evCx), "an output's condition");
    const inner = g.child(g.evCx);
    const before = new Set(g.declared.keys());
    g.declCx = inner;
    try {
      for (const [decl, name] of declarationOrder(g, grp.members.flatMap((o) => (o.per ? [o.per, o.expr] : [o.expr])))) ref(g, decl, name);
      for (const o of grp.members) emitOutput(g, o, o.k, inner);
    } finally {
      g.declCx = g.evCx;
      // the group's own declarations are out of scope after its block
      for (const key of [...g.declared.keys()]) if (!before.has(key)) g.declared.delete(key);
    }
    const otherwise = grp.members.map((o) => {
      if (o.as === "list") return `o${o.k}.off[i + 1] = o${o.k}.len;`;
      // per element: the event's elements missing
      if (o.as === "elements") {
        const off = g.bounded.get(collection(g, o.each!).name)!.off;
        return `for (let j = ${off}[i]; j < ${off}[i + 1]; j++) o${o.k}[j] = NaN;`;
      }
      return `o${o.k}[i] = ${o.as === "mask" ? "0" : "NaN"};`;
    })
    g.ev.lines.push(`if (${cond}) {`, ...indent(inner.block.lines), "} else {", ...indent(otherwise), "}");
  }

  // offsets first: a collection read through its count branch only adds that branch
  const offsets: string[] = [];
  for (const [name, c] of g.bounded) offsets.push(...offsetsOf(g, name, c.off));
  const head: string[] = [];
  head.push(`__check(cols.length === ${g.branches.size}, "expected ${g.branches.size} columns, got " + cols.length);`);
  for (const [name, b] of g.branches) {
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
  // kernels without inputs keep the source (and the four-argument call) they had before inputs existed
  if (g.inputs.size) head.push(`__check(ins !== undefined && ins.length === ${g.inputs.size}, "expected ${g.inputs.size} input columns, got " + (ins === undefined ? 0 : ins.length));`);
  for (const [key, c] of g.inputs) {
    head.push(`const ${c.local} = ins[${c.index}]; // ${key} (input)`);
    head.push(`__check(${c.local}.length >= n, ${JSON.stringify(`input column '${key}': fewer values than events`)});`);
  }
  head.push(...offsets);
  head.push(...outLines);
  if (g.scratch.length) head.push("// scratch, reused from event to event", ...g.scratch);

  const bounds: string[] = [];
  for (const c of g.bounded.values()) bounds.push(`const ${c.b} = ${c.off}[i], ${c.e} = ${c.off}[i + 1];`);

  const body = [
    ...head,
    ...g.root.lines.map((l) => g.resolveDeferred(l)),
    "for (let i = 0; i < n; i++) {",
    ...indent([...bounds, ...g.ev.lines.map((l) => g.resolveDeferred(l))]),
    "}",
  ];
  const source = [
    "\"use strict\";",
    `// hepc kernel: ${g.spec.outputs.length} outputs over ${g.branches.size} branches${g.inputs.size ? ` and ${g.inputs.size} input columns` : ""} (generated by runtime/columns)`,
    PRELUDE.trim(),
    ...g.persistent,
    "return function hepcKernel(n, entry0, cols, outs, ins) {",
    ...indent(body),
    "};",
    "",
  ].join("\n");
  return { source, branches: [...g.branches.keys()], inputs: [...g.inputs.keys()] };
}

/**
 * A list output's store: `{ off, v, len }`, the event's elements appended to `v` (grown by
 * doubling) and its end recorded in `off[i + 1]`. Booleans are stored as 0/1, missing numbers as NaN.
 */
const LIST_GROW = "function __growList(o) { const v = new Float64Array(Math.max(16, o.v.length * 2)); v.set(o.v); o.v = v; }";

/** Output k's value for event i, computed in `cx` (a list output: a loop appending its elements). */
function emitOutput(g: Gen, o: GenOutput, k: number, cx: Cx): void {
  if (o.as === "elements") {
    const list = collectionList(g, collection(g, o.each!));
    const loop = g.child(cx);
    each(g, loop, list, (c, el) => {
      const v = compile(g, o.expr, { block: c.block, els: [...c.els, el] });
      c.block.lines.push(`o${k}[${(el as ObjV).idx}] = ${g.number(v, `output '${o.key}'`)};`);
    });
    cx.block.lines.push(...loop.block.lines);
    return;
  }
  if (o.per) {
    // per element of a list: the expression in each element's scope, appended in the list's order
    if (o.as !== "list") throw new KernelError(`output '${o.key}' is per element of a list, but not a list output`);
    const list = compile(g, asRef(g, o.per), cx);
    if (list.k !== "list") throw new KernelError(`output '${o.key}' is per element of something that is not a list`);
    const loop = g.child(cx);
    each(g, loop, list, (c, el) => {
      const x = g.number(compile(g, o.expr, { block: c.block, els: [...c.els, el] }), `output '${o.key}'`);
      c.block.lines.push(`if (o${k}.len === o${k}.v.length) __growList(o${k}); o${k}.v[o${k}.len++] = ${x};`);
    });
    cx.block.lines.push(...loop.block.lines, `o${k}.off[i + 1] = o${k}.len; // ${o.key}`);
    return;
  }
  const v = o.each ? perElement(g, o.each, o.expr, cx) : compile(g, asRef(g, o.expr), cx);
  if (o.as !== "list") {
    cx.block.lines.push(store(g, o, k, v));
    return;
  }
  if (v.k !== "list") throw new KernelError(`output '${o.key}' is a list output, but its expression is not a list`);
  const bools = v.shape.k === "bool";
  if (!bools && v.shape.k !== "num") throw new KernelError(`output '${o.key}': only lists of numbers or conditions can be output`);
  const loop = g.child(cx);
  each(g, loop, v, (c, el) => {
    const x = bools ? `((${g.boolJs(el)}) ? 1 : 0)` : g.numJs(el);
    c.block.lines.push(`if (o${k}.len === o${k}.v.length) __growList(o${k}); o${k}.v[o${k}.len++] = ${x};`);
  });
  cx.block.lines.push(...loop.block.lines, `o${k}.off[i + 1] = o${k}.len; // ${o.key}`);
}

/**
 * An expression per element of a single collection (MET's varied field), `this` the record: the
 * event's value. Over a jagged collection per-element values are "elements" outputs (emitOutput).
 */
function perElement(g: Gen, name: string, expr: ExprIR, cx: Cx): Val {
  const coll = collection(g, name);
  const shape = g.shape(expr.type);
  if (shape.k !== "num") throw new KernelError(`a per-element output over '${name}' must be a number, not ${expr.type}`);
  // a jagged collection's values are written at each element's place ("elements" outputs)
  if (coll.shape !== "single") throw new KernelError(`a per-element output over the jagged '${name}' is an "elements" output`);
  return compile(g, expr, { block: cx.block, els: [...cx.els, { k: "obj", coll, idx: "i", missing: false, home: g.ev }] });
}

/** The line that stores output k's value for event i. */
function store(g: Gen, o: GenOutput, k: number, v: Val): string {
  if (o.as === "mask") return `o${k}[i] = (${g.truth(v, `output '${o.key}'`)}) | 0; // ${o.key}`;
  return `o${k}[i] = ${g.number(v, `output '${o.key}'`)}; // ${o.key}`;
}

/** The declarations some expressions use, transitively, each after those it uses (iterative depth-first search). */
function declarationOrder(g: Gen, exprs: ExprIR[]): Decl[] {
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
    for (const root of refs(asRef(g, e))) {
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
          const expr = top.d[0] === "region" ? g.spec.regions[top.d[1]] : g.spec.defines[top.d[1]];
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
function asRef(g: Gen, e: ExprIR): ExprIR {
  return e.op === "ref" ? e : g.declByText.get(JSON.stringify(e)) ?? e;
}

type Decl = ["define" | "object" | "region", string];

/** A declaration's key in `declared` (objects are defines). */
function declKey([decl, name]: Decl): string {
  return `${decl === "region" ? "region" : "define"}:${name}`;
}

/** A reference to a declaration, as the plan writes one (the type is not read by declarationOrder). */
function refTo(decl: Decl[0], name: string): ExprIR {
  return { op: "ref", type: "", decl, name } as ExprIR;
}
