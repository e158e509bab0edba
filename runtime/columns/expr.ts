/**
 * Expressions: the dispatch on the plan's expression nodes, declarations (compiled once per event
 * and bound to locals), and the operators.
 */
import type { ExprIR } from "../../plan/types.js";
import { cheap, type Gen, indent, literal } from "./emit.js";
import { branchList, collection, collectionList, column, inputColumn, member } from "./access.js";
import { call } from "./calls.js";
import { kinOf, sumKin } from "./kinematics.js";
import { at, lift, materialize, slice, where } from "./lists.js";
import { type BoolV, type Cx, KernelError, type ListV, type Val } from "./values.js";

export function compile(g: Gen, ir: ExprIR, cx: Cx): Val {
  switch (ir.op) {
    case "const":
      return typeof ir.value === "boolean" ? g.bool(String(ir.value)) : g.num(literal(ir.value));
    case "branch": {
      const shape = g.shape(ir.type);
      if (shape.k === "list") return branchList(g, ir.name, shape.el, ir.type);
      const local = column(g, ir.name, "flat");
      const js = `${local}[i]`;
      if (shape.k === "bool") return g.bool(`(${js} !== 0)`, g.ev);
      if (shape.k !== "num") throw new KernelError(`branch '${ir.name}' has type ${ir.type}`);
      return g.num(js, g.ev);
    }
    case "builtin":
      if (ir.name === "entry") return g.num("(entry0 + i)", g.ev);
      throw new KernelError(`unknown builtin '${ir.name}'`);
    case "ref":
      return ref(g, ir.decl, ir.name);
    case "this": {
      const el = cx.els[cx.els.length - 1];
      if (!el) throw new KernelError("'this' outside an element scope");
      return el;
    }
    case "field": {
      const el = cx.els[cx.els.length - 1];
      if (!el) throw new KernelError(`field '${ir.name}' outside an element scope`);
      return member(g, cx, el, ir.name, ir.type);
    }
    case "collection": {
      const coll = collection(g, ir.name);
      if (coll.shape === "single") return { k: "obj", coll, idx: "i", missing: false, home: g.ev };
      return collectionList(g, coll);
    }
    case "unary": {
      const a = compile(g, ir.args[0], cx);
      if (ir.fn === "-") return lift(g, cx, [a], ir, ([x]) => g.num(`(-${g.numJs(x)})`, g.homeOf(x)));
      return lift(g, cx, [a], ir, ([x]) => g.bool(`(!${g.boolJs(x)})`, g.homeOf(x)));
    }
    case "binary":
      return binary(g, ir, cx);
    case "call":
      return call(g, ir, cx);
    case "index": {
      const list = compile(g, ir.args[0], cx);
      const k = compile(g, ir.args[1], cx);
      if (list.k !== "list" || k.k !== "num") throw new KernelError(`cannot index ${ir.args[0].type} with ${ir.args[1].type}`);
      return at(g, cx, list, k);
    }
    case "slice": {
      const [target, ...bounds] = ir.args;
      const list = compile(g, target, cx);
      if (list.k !== "list") throw new KernelError(`cannot slice ${target.type}`);
      const bound = (on: boolean) => {
        if (!on) return undefined;
        const v = compile(g, bounds.shift()!, cx);
        if (v.k !== "num") throw new KernelError("a slice's bound must be a number");
        return v;
      };
      const low = bound(ir.from);
      return slice(g, cx, list, low, bound(ir.to));
    }
    case "member": {
      return member(g, cx, compile(g, ir.args[0], cx), ir.name, ir.type);
    }
    case "score":
      // not a branch: the executor computes the scores and hands them to the kernel with the batch
      if (ir.per) return candidateScore(g, ir.model, ir.output, ir.per, cx);
      return g.num(`${inputColumn(g, scoreInput(ir.model, ir.output))}[i]`, g.ev);
    case "threshold":
      // the executor puts the derived number in its place before a kernel is compiled
      throw new KernelError(`working point ${ir.model}.${ir.point} has no threshold yet`);
    case "where": {
      const target = compile(g, ir.args[0], cx);
      if (target.k !== "list") throw new KernelError(`'where' on ${ir.args[0].type}`);
      return where(g, target, ir.args[1]);
    }
    case "in":
      return membership(g, ir, cx);
  }
}

/**
 * `x in [a, b]`: one strict comparison per value; a missing x (NaN) equals none of them, so `in`
 * is false, and `not in` checks that x is there before it says true (conditions are never missing).
 */
function membership(g: Gen, ir: Extract<ExprIR, { op: "in" }>, cx: Cx): Val {
  const vals = ir.args.map((a) => compile(g, a, cx));
  return lift(g, cx, vals, ir, ([x, ...set]) => {
    const home = [x, ...set].reduce((h, v) => g.deeper(h, g.homeOf(v)), g.homeOf(x));
    if (set.length === 0) return g.bool(ir.negated ? `(${g.numJs(x)} === ${g.numJs(x)})` : "false", home);
    const t = g.cse(home, g.numJs(x));
    const tests = set.map((v) => `${t} ${ir.negated ? "!==" : "==="} ${g.numJs(v)}`);
    return g.bool(ir.negated ? `(${t} === ${t} && ${tests.join(" && ")})` : `(${tests.join(" || ")})`, home);
  });
}

/**
 * A per-candidate model's score: that of the innermost enclosing element of its list, read from
 * the packed input column `cand:MODEL:OUTPUT` (event i's scores at n + 1 + off[i], in the list's
 * order) at the element's position in the list. A position past the event's scores (which the
 * scorer computed over the same list) is missing.
 */
function candidateScore(g: Gen, model: string, output: number, per: { decl: string; name: string }, cx: Cx): Val {
  const list = per.decl === "collection" ? `coll:${per.name}` : `ref:define:${per.name}`;
  const el = [...cx.els].reverse().find((e) => (e.k === "obj" || e.k === "pair" || e.k === "tuple") && e.at?.list === list);
  if (!el || (el.k !== "obj" && el.k !== "pair" && el.k !== "tuple") || !el.at) throw new KernelError(`the score of '${model}' is per element of '${per.name}', used outside an element of it`);
  const col = inputColumn(g, candidateInput(model, output));
  const home = g.deeper(g.homeOf(el), g.ev);
  const b = g.cse(g.ev, `${col}[i]`, "cand_b");
  const e = g.cse(g.ev, `${col}[i + 1]`, "cand_e");
  const pos = g.cse(home, el.at.pos, "cand_p");
  return g.num(g.cse(home, `(${pos} < ${e} - ${b} ? ${col}[n + 1 + ${b} + ${pos}] : NaN)`, `cand_${model}`), home);
}

/** The key of a per-candidate model's packed score column: `cand:MODEL:OUTPUT`. */
export function candidateInput(model: string, output: number): string {
  return `cand:${model}:${output}`;
}

/** The key of a model score's input column: `score:MODEL:OUTPUT`, the executor's name for it too. */
export function scoreInput(model: string, output: number): string {
  return `score:${model}:${output}`;
}

/** A declaration's value, compiled once, into the event loop's body, and bound to locals. */
export function ref(g: Gen, decl: "define" | "object" | "region", name: string): Val {
  const key = `${decl === "region" ? "region" : "define"}:${name}`;
  const known = g.declared.get(key);
  if (known) return known;
  if (g.compiling.includes(key)) throw new KernelError(`declaration '${name}' refers to itself`);
  const expr = decl === "region" ? g.spec.regions[name] : g.spec.defines[name];
  if (!expr) throw new KernelError(`${decl} '${name}' is not in the kernel's declarations`);
  g.compiling.push(key);
  const cx = g.declCx;
  cx.block.lines.push(`// ${decl} ${name}`);
  let v = compile(g, expr, cx);
  const hint = `${decl === "region" ? "r" : "d"}_${name}`;
  if (v.k === "list") {
    // Collections of records (objects, pairs) are stored once per event; lists of numbers stay
    // lazy and are fused into each use.
    if (v.shape.k !== "num" && v.shape.k !== "bool") v = materialize(g, cx, v, hint, `ref:${key}`);
  } else if (v.k === "num" || v.k === "bool") {
    const local = g.unique(hint);
    cx.block.lines.push(`const ${local} = ${v.js};`);
    v = { ...v, js: local, home: g.deeper(v.home, cx.block) };
  } else v = g.hoist(v, hint);
  g.compiling.pop();
  g.declared.set(key, v);
  return v;
}

export function binary(g: Gen, ir: Extract<ExprIR, { op: "binary" }>, cx: Cx): Val {
  const op = ir.fn;
  const [l, r] = ir.args;
  const listy = (e: ExprIR) => e.type.startsWith("list<") || e.type.startsWith("collection<");
  if ((op === "and" || op === "or") && !listy(l) && !listy(r)) return logic(g, op, l, r, cx);
  const a = compile(g, l, cx);
  const b = compile(g, r, cx);
  if (op === "+" && a.k !== "list" && b.k !== "list" && a.k !== "num" && a.k !== "bool") {
    const kin = sumKin(g, kinOf(g, a), kinOf(g, b), "sum");
    return { k: "p4", kin };
  }
  return lift(g, cx, [a, b], ir, ([x, y]) => scalarBinary(g, op, x, y));
}

export function scalarBinary(g: Gen, op: string, x: Val, y: Val): Val {
  const home = g.deeper(g.homeOf(x), g.homeOf(y));
  // A condition is never missing: its fallback is never used (the checker warns).
  if (op === "??" && x.k === "bool") return x;
  if (op === "and" || op === "or") return g.bool(`(${g.boolJs(x)} ${op === "and" ? "&&" : "||"} ${g.boolJs(y)})`, home);
  if ((op === "==" || op === "!=") && x.k === "bool" && y.k === "bool") return g.bool(`(${x.js} ${op === "==" ? "===" : "!=="} ${y.js})`, home);
  if (op === "is") {
    // the same element: same collection (the checker's rule) and same position; a missing one is nothing
    if (x.k !== "obj" || y.k !== "obj") throw new KernelError(`'is' of a ${x.k} and a ${y.k}`);
    return g.bool(`(${x.idx} >= 0 && ${x.idx} === ${y.idx})`, home);
  }
  const a = g.numJs(x);
  const b = g.numJs(y);
  switch (op) {
    case "+":
    case "-":
    case "*":
    case "/":
      return g.num(`(${a} ${op} ${b})`, home);
    case "%":
      return g.num(`__mod(${a}, ${b})`, home);
    case "^":
      if (b === "2") {
        const t = g.cse(home, a);
        return g.num(`(${t} * ${t})`, home);
      }
      return g.num(`Math.pow(${a}, ${b})`, home);
    case "~=":
      return g.num(`Math.abs(${a} - ${b})`, home);
    case "??": {
      // NaN is the one value not equal to itself: the missing marker throughout the kernels
      const p = g.cse(home, a);
      return g.num(`(${p} === ${p} ? ${p} : ${b})`, home);
    }
    case "&":
    case "|":
    case "<<":
    case ">>": {
      // on the low 32 bits, as JavaScript's operators are; missing stays missing (NaN | 0 would be 0)
      const p = g.cse(home, a);
      const q = g.cse(home, b);
      return g.num(`(${p} === ${p} && ${q} === ${q} ? (${p} ${op} ${q}) : NaN)`, home);
    }
    case "<":
    case "<=":
    case ">":
    case ">=":
      return g.bool(`(${a} ${op} ${b})`, home);
    case "==":
      return g.bool(`(${a} === ${b})`, home);
    case "!=": {
      // false when either side is missing, like every other comparison
      const p = g.cse(home, a);
      const q = g.cse(home, b);
      return g.bool(`(${p} < ${q} || ${p} > ${q})`, home);
    }
  }
  throw new KernelError(`unknown operator '${op}'`);
}

/** `and` / `or` of two conditions, short-circuiting when the right side needs statements. */
export function logic(g: Gen, op: "and" | "or", l: ExprIR, r: ExprIR, cx: Cx): BoolV {
  const a = compile(g, l, cx);
  const inner = g.child(cx);
  const b = compile(g, r, inner);
  const aj = g.boolJs(a);
  const bj = g.boolJs(b);
  if (inner.block.lines.length === 0) {
    // two cheap comparisons: evaluate both and combine the bits, which beats a mispredicted branch
    if (cheap(aj) && cheap(bj)) return g.bool(`((${aj} ${op === "and" ? "&" : "|"} ${bj}) !== 0)`, g.homeOf(a), g.homeOf(b));
    return g.bool(`(${aj} ${op === "and" ? "&&" : "||"} ${bj})`, g.homeOf(a), g.homeOf(b));
  }
  const t = g.fresh(op === "and" ? "and" : "or");
  cx.block.lines.push(`let ${t} = ${aj};`, `if (${op === "and" ? t : `!${t}`}) {`, ...indent(inner.block.lines), `  ${t} = ${bj};`, "}");
  return g.bool(t, cx.block);
}

export function listOf(g: Gen, ir: ExprIR, cx: Cx): ListV {
  const v = compile(g, ir, cx);
  if (v.k !== "list") throw new KernelError(`expected a list, got ${ir.type}`);
  return v;
}
