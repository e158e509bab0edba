/**
 * Lists: iteration, mapping, `where`, positional access, storing a list in scratch arrays (values as
 * slots of numbers), and lifting scalar operations over lists element by element.
 */
import type { ExprIR } from "../../plan/types.js";
import { cheap, type Gen, indent } from "./emit.js";
import { compile } from "./expr.js";
import { kinField } from "./kinematics.js";
import { type Block, type Cx, DEFAULT, elemShape, type Iter, KernelError, type ListV, NATIVE, type NumV, type Shape, slotKinds, type Val } from "./values.js";

export function mapList(g: Gen, list: ListV, id: string, shape: Shape, f: (cx: Cx, el: Val) => Val): ListV {
  const inner = list.map;
  return { k: "list", id, shape, iter: list.iter, map: inner ? (cx, el) => f(cx, inner(cx, el)) : f };
}

/** Emits a loop over a list's elements. */
export function each(g: Gen, cx: Cx, list: ListV, body: (cx: Cx, el: Val) => void): void {
  const map = list.map;
  list.iter.each(cx, map ? (c, el) => body(c, map(c, el)) : body);
}

/** `list where cond`: the elements for which the condition holds; each conjunct skips the rest of the loop body. */
export function where(g: Gen, list: ListV, cond: ExprIR): ListV {
  const id = `where:${list.id}:${JSON.stringify(cond)}`;
  const iter: Iter = {
    key: id,
    shape: list.shape,
    each: (cx, body) =>
      each(g, cx, list, (c, element) => {
        const el = g.hoist(element, "e"); // used by the condition and by the body
        const scoped: Cx = { block: c.block, els: [...c.els, el] };
        for (const part of conjuncts(cond)) c.block.lines.push(`if (!${g.boolJs(compile(g, part, scoped))}) continue;`);
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
export function maskOf(g: Gen, c: Cx, el: Val, cond: ExprIR): string | undefined {
  const scoped: Cx = { ...g.child(c), els: [...c.els, el] };
  const parts: string[] = [];
  for (const part of conjuncts(cond)) {
    const v = compile(g, part, scoped);
    if (scoped.block.lines.length || v.k !== "bool" || !cheap(v.js)) return undefined;
    parts.push(v.js);
  }
  return parts.length === 1 ? parts[0] : parts.map((x) => `(${x})`).join(" & ");
}

/** Random access to a list, storing it first when its iteration has none. */
export function random(g: Gen, cx: Cx, list: ListV, hint: string): { len: string; get: (cx: Cx, k: NumV) => Val } {
  const l = randomAccess(g, list) ? list : materialize(g, cx, list, hint);
  const { iter, map } = l;
  return { len: iter.len!, get: (c, k) => (map ? map(c, iter.get!(c, k)) : iter.get!(c, k)) };
}

export function randomAccess(g: Gen, list: ListV): boolean {
  return list.iter.len !== undefined && list.iter.get !== undefined && list.iter.home !== undefined;
}

/** list[k]: the element at position k (missing when k is out of range). */
export function at(g: Gen, cx: Cx, list: ListV, k: NumV): Val {
  if (randomAccess(g, list)) {
    const kk = g.hoist(k, "k");
    const home = g.deeper(kk.home, list.iter.home!);
    const constant = /^\d+$/.test(kk.js);
    const ok = g.cse(home, constant ? `${kk.js} < ${list.iter.len}` : `${kk.js} >= 0 && ${kk.js} < ${list.iter.len}`, "ok");
    const el = guard(g, ok, list.iter.get!(cx, kk), list.iter.shape, home);
    return list.map ? list.map(cx, el) : el;
  }
  // sequential: count to k
  const kk = g.hoist(k, "k");
  return capture(g, cx, list, (p) => `${p} === ${kk.js}`, true);
}

/**
 * `list[low:high]` with Python's rules: a negative bound counts from the end, bounds are clamped to
 * the list, a left-out one is its end; a missing bound gives an empty list. Read by position (the
 * list is stored first when it has no random access).
 */
export function slice(g: Gen, cx: Cx, list: ListV, low: NumV | undefined, high: NumV | undefined): ListV {
  const r = random(g, cx, list, "sl");
  const home = g.deeper(list.iter.home ?? cx.block, cx.block, ...(low ? [low.home] : []), ...(high ? [high.home] : []));
  const n = g.cse(home, r.len, "sl_len");
  const clamp = (v: NumV | undefined, dflt: string) => {
    if (!v) return dflt;
    const x = g.cse(home, v.js, "sl_x");
    return g.cse(home, `(${x} < 0 ? Math.max(0, ${n} + ${x}) : Math.min(${x}, ${n}))`, "sl_b");
  };
  const lo = clamp(low, "0");
  const hi = clamp(high, n);
  // NaN (a missing bound) fails every comparison: the length is then 0
  const len = g.cse(home, `(${hi} > ${lo} ? ${hi} - ${lo} : 0)`, "sl_n");
  const id = `slice:${list.id}:${lo}:${hi}`;
  const shape = list.shape;
  const get = (c: Cx, k: NumV) => r.get(c, g.num(lo === "0" ? k.js : `(${lo} + ${k.js})`, k.home, home));
  const iter: Iter = {
    key: id,
    shape,
    len,
    home,
    get,
    each: (c, body) => {
      const p = g.fresh("p");
      g.loop(c, `for (let ${p} = 0; ${p} < ${len}; ${p}++)`, (inner) => body(inner, get(inner, g.num(p, inner.block))));
    },
  };
  return { k: "list", id, shape, iter, map: null };
}

/** The last element for which `when(position)` holds (stopping at the first when `stop`), as locals. */
export function capture(g: Gen, cx: Cx, list: ListV, when: ((p: string) => string) | null, stop: boolean): Val {
  const kinds = slotKinds(list.shape);
  const slots = kinds.map((kind) => g.fresh(kind === "i" ? "ix" : "x"));
  cx.block.lines.push(`let ${slots.map((s, n) => `${s} = ${DEFAULT[kinds[n]]}`).join(", ")};`);
  const label = g.fresh("L");
  const p = when ? g.fresh("p") : "";
  if (when) cx.block.lines.push(`let ${p} = 0;`);
  const loopCx = g.child(cx);
  each(g, loopCx, list, (c, el) => {
    const vals = slotsOf(g, el);
    const assign = slots.map((s, n) => `${s} = ${vals[n]};`).join(" ");
    if (when) {
      c.block.lines.push(`if (${when(p)}) { ${assign}${stop ? ` break ${label};` : ""} }`, `${p}++;`);
    } else c.block.lines.push(assign);
  });
  cx.block.lines.push(`${label}: {`, ...indent(loopCx.block.lines), "}");
  return fromSlots(g, list.shape, slots, cx.block, true);
}

/** Stores a list's elements in scratch arrays; returns a list reading them back (random access). */
export function materialize(g: Gen, cx: Cx, list: ListV, hint: string, id?: string, key?: (cx: Cx, el: Val) => NumV): ListV & { arrays: string[]; keyArr?: string; count: string } {
  const kinds = slotKinds(list.shape);
  const arrays = kinds.map((kind, n) => g.scratchArray(kind, `${hint}_s${n}`));
  const keyArr = key ? g.scratchArray("f", `${hint}_key`) : undefined;
  const count = g.fresh(`${hint}_n`);
  cx.block.lines.push(`let ${count} = 0;`);
  each(g, cx, list, (c, el) => {
    const vals = slotsOf(g, el);
    const kv = key ? key(c, el).js : undefined;
    const all = keyArr ? [...arrays, keyArr] : arrays;
    c.block.lines.push(`if (${count} === ${arrays[0] ?? keyArr}.length) { ${all.map((a) => `${a} = __grow(${a});`).join(" ")} }`);
    arrays.forEach((a, n) => c.block.lines.push(`${a}[${count}] = ${vals[n]};`));
    if (keyArr) c.block.lines.push(`${keyArr}[${count}] = ${kv};`);
    c.block.lines.push(`${count}++;`);
  });
  const home = cx.block;
  const shape = list.shape;
  const iterId = id ?? g.fresh("mat");
  const iter: Iter = {
    key: iterId,
    shape,
    len: count,
    each: (c, body) => {
      const p = g.fresh("p");
      g.loop(c, `for (let ${p} = 0; ${p} < ${count}; ${p}++)`, (inner) => body(inner, placed(fromSlots(g, shape, arrays.map((a) => g.cse(inner.block, `${a}[${p}]`, "s")), inner.block, false), iterId, p)));
    },
    get: (_c, k) => placed(fromSlots(g, shape, arrays.map((a) => `${a}[${k.js}]`), g.deeper(k.home, home), false), iterId, k.js),
    home,
  };
  return { k: "list", id: iterId, shape, iter, map: null, arrays, keyArr, count };
}

/** An element with its position in the list it was read from (values.ts `At`), for per-candidate scores. */
export function placed(v: Val, list: string, pos: string): Val {
  return v.k === "obj" || v.k === "pair" || v.k === "tuple" ? { ...v, at: { list, pos } } : v;
}

export function slotsOf(g: Gen, v: Val): string[] {
  switch (v.k) {
    case "num":
      return [v.js];
    case "bool":
      return [`(${v.js} ? 1 : 0)`];
    case "obj":
      return [v.idx];
    case "p4":
      return NATIVE.pxpypzE.map((c) => kinField(g, v.kin, c).js);
    case "pair":
      return [...slotsOf(g, v.a), ...slotsOf(g, v.b)];
    case "tuple":
      return v.items.flatMap((x) => slotsOf(g, x));
    case "list":
      throw new KernelError("a list of lists cannot be stored");
  }
}

export function fromSlots(g: Gen, shape: Shape, js: string[], home: Block, missing: boolean): Val {
  let n = 0;
  const build = (s: Shape): Val => {
    switch (s.k) {
      case "num":
        return g.num(js[n++], home);
      case "bool":
        return g.bool(`(${js[n++]} !== 0)`, home);
      case "obj":
        return { k: "obj", coll: s.coll, idx: js[n++], missing, home };
      case "p4": {
        const comp: Record<string, string> = {};
        for (const c of NATIVE.pxpypzE) comp[c] = js[n++];
        return { k: "p4", kin: { source: "pxpypzE", native: (c) => comp[c], home, hint: "p4" } };
      }
      case "pair":
        return { k: "pair", a: build(s.a), b: build(s.b) };
      case "tuple":
        return { k: "tuple", items: s.items.map(build) };
      case "list":
        throw new KernelError("a list of lists cannot be stored");
    }
  };
  return build(shape);
}

/** `ok ? v : missing`, slot by slot. */
export function guard(g: Gen, ok: string, v: Val, shape: Shape, home: Block): Val {
  const kinds = slotKinds(shape);
  const js = slotsOf(g, v).map((s, n) => g.cse(g.deeper(home, g.homeOf(v)), `(${ok} ? ${s} : ${DEFAULT[kinds[n]]})`, kinds[n] === "i" ? "ix" : "x"));
  return fromSlots(g, shape, js, g.deeper(home, g.homeOf(v)), true);
}

/**
 * Applies `f` to the arguments; when some are lists, element by element. Lists of the same
 * iteration are walked together in one loop; a list of another iteration is read by position
 * (stored first if needed), as long as the first list, missing past its own end.
 */
export function lift(g: Gen, cx: Cx, args: Val[], ir: ExprIR, f: (vals: Val[], cx: Cx) => Val): Val {
  const lists = args.map((a, n) => (a.k === "list" ? n : -1)).filter((n) => n >= 0);
  if (lists.length === 0) return f(args, cx);
  const shape = elemShape(g.shape(ir.type));
  const fixed = args.map((a) => (a.k === "list" ? a : g.hoist(a)));
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
  const others = new Map<number, ReturnType<typeof random>>();
  for (const n of lists.slice(1)) {
    const l = fixed[n] as ListV;
    if (l.iter.key !== first.iter.key) others.set(n, random(g, cx, l, "zip"));
  }
  const iter: Iter = {
    key: id,
    shape,
    each: (c, body) => {
      const p = g.fresh("z");
      c.block.lines.push(`let ${p} = 0;`);
      first.iter.each(c, (ci, raw) => {
        const q = g.num(g.cse(ci.block, `${p}++`, "q"), ci.block);
        const vals = fixed.map((a, n) => {
          if (a.k !== "list") return a;
          if (a.iter.key === first.iter.key) return a.map ? a.map(ci, raw) : raw;
          const r = others.get(n)!;
          const ok = g.cse(ci.block, `${q.js} < ${r.len}`, "ok");
          return guard(g, ok, r.get(ci, q), a.shape, ci.block);
        });
        body(ci, f(vals, ci));
      });
    },
  };
  return { k: "list", id, shape, iter, map: null };
}

/** The conjuncts of a chain of `and`s. */
export function conjuncts(e: ExprIR): ExprIR[] {
  if (e.op === "binary" && e.fn === "and" && e.type === "bool") return [...conjuncts(e.args[0]), ...conjuncts(e.args[1])];
  return [e];
}
