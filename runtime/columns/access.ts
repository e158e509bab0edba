/**
 * Column and collection access: the branches a kernel reads, the input columns the executor
 * supplies (model scores), the per-event bounds of jagged
 * collections, collections and jagged branches as lists, and fields of records (read from a branch,
 * or a kinematic component derived by kinematics.ts).
 */
import type { CollectionIR } from "../../plan/types.js";
import { type Gen, sanitize } from "./emit.js";
import { kinField, kinOf } from "./kinematics.js";
import { mapList } from "./lists.js";
import { type Block, type Cx, elemShape, elemType, type Iter, KernelError, KIN_FIELDS, type ListV, type ObjV, type Scalar, type Shape, type Val } from "./values.js";

export function column(g: Gen, name: string, kind: "flat" | "jagged"): string {
  const known = g.branches.get(name);
  if (known) {
    if (known.kind !== kind) throw new KernelError(`branch '${name}' is used both as a flat and as a jagged branch`);
    return known.local;
  }
  const local = g.unique(`b_${name}`);
  g.branches.set(name, { index: g.branches.size, local, kind });
  return local;
}

/** An input column the executor supplies (a model's score): its local array, one double per event. */
export function inputColumn(g: Gen, key: string): string {
  const known = g.inputs.get(key);
  if (known) return known.local;
  const local = g.unique(`in_${key}`);
  g.inputs.set(key, { index: g.inputs.size, local });
  return local;
}

export function collection(g: Gen, name: string): CollectionIR {
  const c = g.colls.get(name);
  if (!c) throw new KernelError(`collection '${name}' is not in the plan's collections`);
  return c;
}

/** Per-event bounds [b, e) of a jagged collection's elements in its branch arrays. */
export function bounds(g: Gen, coll: CollectionIR): { b: string; e: string } {
  let c = g.bounded.get(coll.name);
  if (!c) {
    const base = sanitize(coll.name);
    c = { off: g.unique(`k_${base}_o`), b: g.unique(`k_${base}_b`), e: g.unique(`k_${base}_e`) };
    g.bounded.set(coll.name, c);
  }
  return c;
}

/** The offsets of a collection: those of one of its jagged branches read, else built from its count branch. */
export function offsetsOf(g: Gen, name: string, off: string): string[] {
  const coll = collection(g, name);
  const own = [...Object.values(coll.fields), ...Object.values(coll.kinematics?.fields ?? {})].filter((b) => g.branches.get(b)?.kind === "jagged");
  if (own.length) {
    const first = g.branches.get(own[0])!.local;
    const lines = [`const ${off} = ${first}_o; // offsets of collection ${name}`];
    for (const b of [...new Set(own.slice(1))]) {
      const l = g.branches.get(b)!.local;
      if (l !== first) lines.push(`__check(${l}_o[n] === ${off}[n], ${JSON.stringify(`branches '${own[0]}' and '${b}' of collection ${name} have different numbers of elements`)});`);
    }
    return lines;
  }
  if (!coll.countBranch) throw new KernelError(`collection '${name}' has neither a count branch nor a field read by the plan`);
  const cnt = column(g, coll.countBranch, "flat");
  return [`const ${off} = __offsets(${cnt}, n); // offsets of collection ${name}, from its counts`];
}

export function collectionList(g: Gen, coll: CollectionIR): ListV {
  const shape: Shape = { k: "obj", coll };
  const { b, e } = bounds(g, coll);
  const iter: Iter = {
    key: `coll:${coll.name}`,
    shape,
    each: (cx, body) => {
      const j = g.fresh("j");
      g.loop(cx, `for (let ${j} = ${b}; ${j} < ${e}; ${j}++)`, (inner) => body(inner, { k: "obj", coll, idx: j, missing: false, home: inner.block, at: { list: `coll:${coll.name}`, pos: `(${j} - ${b})` } }));
    },
    len: `(${e} - ${b})`,
    get: (_cx, k) => ({ k: "obj", coll, idx: `(${b} + ${k.js})`, missing: false, home: g.deeper(k.home, g.ev), at: { list: `coll:${coll.name}`, pos: k.js } }),
    home: g.ev,
  };
  return { k: "list", id: `coll:${coll.name}`, shape, iter, map: null };
}

/** A jagged branch used directly: a list of numbers or conditions. */
export function branchList(g: Gen, name: string, el: Shape, type: string): ListV {
  if (el.k !== "num" && el.k !== "bool") throw new KernelError(`branch '${name}' has type ${type}`);
  const local = column(g, name, "jagged");
  const b = g.cse(g.ev, `${local}_o[i]`, `${local}_b`);
  const e = g.cse(g.ev, `${local}_o[i + 1]`, `${local}_e`);
  const elem = (js: string, home: Block): Val => (el.k === "bool" ? g.bool(`(${js} !== 0)`, home) : g.num(js, home));
  const iter: Iter = {
    key: `branch:${name}`,
    shape: el,
    each: (cx, body) => {
      const j = g.fresh("j");
      g.loop(cx, `for (let ${j} = ${b}; ${j} < ${e}; ${j}++)`, (inner) => body(inner, elem(g.cse(inner.block, `${local}[${j}]`, sanitize(name)), inner.block)));
    },
    len: `(${e} - ${b})`,
    get: (_cx, k) => elem(`${local}[${b} + ${k.js}]`, g.deeper(k.home, g.ev)),
    home: g.ev,
  };
  return { k: "list", id: `branch:${name}`, shape: el, iter, map: null };
}

export function member(g: Gen, cx: Cx, v: Val, name: string, type: string): Val {
  switch (v.k) {
    case "obj": {
      const branch = v.coll.fields[name];
      if (branch !== undefined) return read(g, v, branch, type === "bool" ? "bool" : "num", name);
      if (name === "index" && v.coll.shape === "jagged") return position(g, v);
      if (KIN_FIELDS.has(name) && v.coll.kinematics) return kinField(g, kinOf(g, v), name);
      throw new KernelError(`collection '${v.coll.name}' has no field '${name}' in the plan`);
    }
    case "p4":
      if (KIN_FIELDS.has(name)) return kinField(g, v.kin, name);
      break;
    case "pair":
      if (name === "first") return v.a;
      if (name === "second") return v.b;
      if (KIN_FIELDS.has(name)) return kinField(g, kinOf(g, v), name);
      break;
    case "tuple": {
      const n = MEMBERS.indexOf(name);
      if (n >= 0 && n < v.items.length) return v.items[n];
      if (KIN_FIELDS.has(name)) return kinField(g, kinOf(g, v), name);
      break;
    }
    case "list":
      return mapList(g, v, `member:${name}:${v.id}`, elemShape(g.shape(type)), (c, el) => member(g, c, el, name, elemType(type)));
    default:
      break;
  }
  void cx;
  throw new KernelError(`no field '${name}' on a ${v.k} value`);
}

/** Names of a candidate's members (the checker's MEMBER_NAMES). */
const MEMBERS = ["first", "second", "third", "fourth", "fifth", "sixth"];

/**
 * An element's `index`: its position in the event's collection as the file holds it (what
 * NanoAOD's cross-references such as Muon_jetIdx count), whichever filtered view reached it.
 */
export function position(g: Gen, v: ObjV): Scalar {
  const { b } = bounds(g, v.coll);
  const home = g.deeper(v.home, g.ev);
  const js = v.missing ? `(${v.idx} < 0 ? NaN : ${v.idx} - ${b})` : `(${v.idx} - ${b})`;
  return g.num(g.cse(home, js, `${v.coll.name}_index`), home);
}

/** A field of a collection element read from its branch (missing element → NaN / false). */
export function read(g: Gen, v: ObjV, branch: string, kind: "num" | "bool", field: string): Scalar {
  const local = v.coll.shape === "single" ? column(g, branch, "flat") : column(g, branch, "jagged");
  const at = `${local}[${v.idx}]`;
  const hint = `${v.coll.name}_${field}`;
  if (kind === "bool") {
    const js = v.missing ? `(${v.idx} >= 0 && ${at} !== 0)` : `(${at} !== 0)`;
    return g.bool(g.cse(v.home, js, hint), v.home);
  }
  const js = v.missing ? `(${v.idx} < 0 ? NaN : ${at})` : at;
  return g.num(g.cse(v.home, js, hint), v.home);
}
