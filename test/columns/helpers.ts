/** Helpers for the kernel tests: ExprIR by hand, columns by hand, batches split, plans to kernel specs. */
import * as path from "node:path";
import { expect } from "vitest";
import { nodeHost } from "../../cli/host.js";
import { compilePlan } from "../../compiler/compile.js";
import type { CollectionIR, ExprIR, Plan } from "../../plan/types.js";
import type { Column } from "../../runtime/io/index.js";
import { compileKernel, type Batch, type Kernel, type KernelOutput, type KernelSpec } from "../../runtime/columns/index.js";
import { REPO_ROOT } from "../helpers/repo.js";

// ---- ExprIR ------------------------------------------------------------------------------------------

export const num = (value: number, type: "int" | "float" = Number.isInteger(value) ? "int" : "float"): ExprIR => ({ op: "const", type, value });
export const bool = (value: boolean): ExprIR => ({ op: "const", type: "bool", value });
export const br = (name: string, type = "float"): ExprIR => ({ op: "branch", type, name });
export const coll = (name: string, type = `collection<${name}>`): ExprIR => ({ op: "collection", type, name });
export const def = (name: string, type: string): ExprIR => ({ op: "ref", type, decl: type.startsWith("collection<") ? "object" : "define", name });
export const region = (name: string): ExprIR => ({ op: "ref", type: "bool", decl: "region", name });
export const self = (type: string): ExprIR => ({ op: "this", type });
export const field = (name: string, type = "float"): ExprIR => ({ op: "field", type, name });
export const entry: ExprIR = { op: "builtin", type: "int", name: "entry" };
export const neg = (a: ExprIR): ExprIR => ({ op: "unary", type: a.type, fn: "-", args: [a] });
export const not = (a: ExprIR): ExprIR => ({ op: "unary", type: a.type, fn: "not", args: [a] });
export const bin = (fn: string, type: string, a: ExprIR, b: ExprIR): ExprIR => ({ op: "binary", type, fn, args: [a, b] });
export const call = (fn: string, type: string, ...args: ExprIR[]): ExprIR => ({ op: "call", type, fn, args });
export const at = (list: ExprIR, k: ExprIR | number, type = elementType(list.type)): ExprIR => ({ op: "index", type, args: [list, typeof k === "number" ? num(k) : k] });
/** The list type of elements of type t: list<float>, collection<Jet>. */
export const listOf = (t: string): string => (/^(int|float|bool)$/.test(t) ? `list<${t}>` : `collection<${t}>`);
/** `target.name`, a field of type `type` (lifted over a list target). */
export const mem = (target: ExprIR, name: string, type = "float"): ExprIR => ({ op: "member", type: isList(target.type) ? listOf(type) : type, name, args: [target] });
export const where = (list: ExprIR, cond: ExprIR): ExprIR => ({ op: "where", type: list.type, args: [list, cond] });

export function isList(t: string): boolean {
  return t.startsWith("list<") || t.startsWith("collection<");
}
export function elementType(t: string): string {
  const m = /^(?:list|collection)<(.*)>$/.exec(t);
  if (!m) throw new Error(`not a list type: ${t}`);
  return m[1];
}
/** `a > b` with list lifting of the type. */
export function cmp(fn: string, a: ExprIR, b: ExprIR): ExprIR {
  return bin(fn, isList(a.type) || isList(b.type) ? "list<bool>" : "bool", a, b);
}
/** arithmetic with list lifting; int only for two ints (and not for / and ^) */
export function arith(fn: string, a: ExprIR, b: ExprIR): ExprIR {
  const base = (t: string) => (isList(t) ? elementType(t) : t);
  const intish = base(a.type) === "int" && base(b.type) === "int" && fn !== "/" && fn !== "^" && fn !== "~=";
  const t = intish ? "int" : "float";
  return bin(fn, isList(a.type) || isList(b.type) ? `list<${t}>` : t, a, b);
}

// ---- columns -----------------------------------------------------------------------------------------

export function flat(values: ArrayLike<number>, dtype: "f4" | "f8" | "i4" | "bool" = "f8"): Column {
  const ctor = dtype === "f4" ? Float32Array : dtype === "i4" ? Int32Array : dtype === "bool" ? Uint8Array : Float64Array;
  return { kind: "flat", dtype, values: ctor.from(values) };
}

export function jagged(lists: number[][], dtype: "f4" | "f8" | "i4" | "bool" = "f8"): Column {
  const ctor = dtype === "f4" ? Float32Array : dtype === "i4" ? Int32Array : dtype === "bool" ? Uint8Array : Float64Array;
  const offsets = new Int32Array(lists.length + 1);
  lists.forEach((l, i) => (offsets[i + 1] = offsets[i] + l.length));
  return { kind: "jagged", dtype, offsets, values: ctor.from(lists.flat()) };
}

export function batchOf(columns: Record<string, Column>, entry0 = 0): Batch {
  const map = new Map(Object.entries(columns));
  const first = map.values().next().value as Column | undefined;
  const n = !first ? 0 : first.kind === "jagged" ? first.offsets.length - 1 : first.values.length;
  return { n, entry0, columns: map };
}

/** Events [start, stop) of a batch as a batch of their own (jagged offsets rebased to 0). */
export function sliceBatch(b: Batch, start: number, stop: number): Batch {
  const columns = new Map<string, Column>();
  for (const [name, c] of b.columns) {
    if (c.kind === "flat") columns.set(name, { ...c, values: c.values.slice(start, stop) as typeof c.values });
    else if (c.kind === "jagged") {
      const o0 = c.offsets[start];
      const offsets = c.offsets.slice(start, stop + 1).map((o) => o - o0);
      columns.set(name, { ...c, offsets, values: c.values.slice(o0, c.offsets[stop]) as typeof c.values });
    } else throw new Error("fixed columns are not used here");
  }
  return { n: stop - start, entry0: b.entry0 + start, columns };
}

// ---- kernels -----------------------------------------------------------------------------------------

export interface Simple {
  /** name → expression; each is an output (f64, or mask for bool expressions) */
  outputs: Record<string, ExprIR>;
  defines?: Record<string, ExprIR>;
  regions?: Record<string, ExprIR>;
  collections?: CollectionIR[];
}

export function specOf(s: Simple): KernelSpec {
  return {
    outputs: Object.entries(s.outputs).map(([key, expr]): KernelOutput => ({ key, expr, as: expr.type === "bool" ? "mask" : "f64" })),
    defines: s.defines ?? {},
    regions: s.regions ?? {},
    collections: s.collections ?? [],
  };
}

/** Compiles and runs; returns each output as a plain array. */
export function evaluate(s: Simple, columns: Record<string, Column>, entry0 = 0): Record<string, number[]> {
  const k = compileKernel(specOf(s));
  const out = k.run(batchOf(columns, entry0));
  return Object.fromEntries([...out].map(([key, a]) => [key, Array.from(a)]));
}

/** One output's values. */
export function values(e: ExprIR, columns: Record<string, Column>, extra: Omit<Simple, "outputs"> = {}): number[] {
  return evaluate({ ...extra, outputs: { x: e } }, columns).x;
}

/** Every output of a kernel on a batch, and on the same events split into the given chunk sizes, must agree bit for bit. */
export function expectChunkInvariant(k: Kernel, b: Batch, cuts: number[]): void {
  const whole = k.run(b);
  let start = 0;
  const parts: Array<Map<string, Float64Array | Uint8Array>> = [];
  for (const stop of [...cuts, b.n]) {
    parts.push(k.run(sliceBatch(b, start, stop)));
    start = stop;
  }
  for (const [key, all] of whole) {
    const joined = new (all.constructor as Float64ArrayConstructor)(b.n);
    let at = 0;
    for (const p of parts) {
      joined.set(p.get(key)!, at);
      at += p.get(key)!.length;
    }
    expect(Buffer.from(joined.buffer).equals(Buffer.from(all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength))), `output ${key}`).toBe(true);
  }
}

// ---- plans -------------------------------------------------------------------------------------------

/**
 * Compiles analysis text as if it were the file `rel` of the repository (so relative sample paths
 * reach test fixtures), with the real host; fails the test on any error.
 */
export async function planFromText(text: string, rel = "test/columns/__inline__.hep"): Promise<Plan> {
  const overlay = new Map([[path.join(REPO_ROOT, rel), text]]);
  const c = await compilePlan(rel, nodeHost(REPO_ROOT), { overlay });
  expect(c.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  expect(c.plan).toBeDefined();
  return c.plan!;
}

/** A kernel spec with every scalar define (f64) and every region (mask) of a plan as outputs, keyed by node id. */
export function planSpec(plan: Plan, only?: string[]): KernelSpec {
  const defines: Record<string, ExprIR> = {};
  const regions: Record<string, ExprIR> = {};
  const outputs: KernelOutput[] = [];
  for (const n of plan.nodes) {
    // declarations reading a model's score need the executor's score columns: not these kernels'
    if (n.inputs.some((i) => i.startsWith("predict:"))) continue;
    if (n.kind === "define") {
      defines[n.name] = n.expr;
      if (/^(int|float|bool)$/.test(n.type)) outputs.push({ key: n.id, expr: n.expr, as: n.type === "bool" ? "mask" : "f64" });
    } else if (n.kind === "filter" && n.scope === "region") {
      regions[n.name] = n.expr;
      outputs.push({ key: n.id, expr: n.expr, as: "mask" });
    }
  }
  return { outputs: only ? outputs.filter((o) => only.includes(o.key)) : outputs, defines, regions, collections: plan.collections };
}
