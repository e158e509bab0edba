/**
 * runtime/columns: the plan's expressions compiled into fused, specialised JavaScript loops.
 *
 * In:  ExprIR (typed, from the plan) for the outputs wanted, the declarations they refer to, and
 *      the plan's CollectionIR; at run time, a batch of columns from runtime/io, and the input
 *      columns the executor computes itself (model scores: ExprIR `score`, `Kernel.inputs`).
 * Out: one typed array per output, one value per event (Float64Array, or Uint8Array for masks).
 *
 * Must not import compiler/check, lsp/ or runtime/exec. It reads the plan's types
 * (plan/types.ts) and the standard library's table (stdlib/: the `scalar` snippets of the math
 * functions and the `reduce` folds are inlined as written there; every other function has its
 * emitter in calls.ts's table, keyed by the stdlib's names).
 *
 * Files: gen.ts assembles a kernel; values.ts (what an expression compiles to), emit.ts (the
 * generation's state and primitives), expr.ts (expression nodes, declarations, operators),
 * access.ts (branches, collections, fields), lists.ts (iteration, `where`, storage, lifting),
 * kinematics.ts, reductions.ts, combinatorics.ts and calls.ts are the emitters, by job;
 * prelude.ts is the helpers every kernel's source carries.
 *
 * `compileKernel` generates the source of one JavaScript function (see gen.ts) with a single loop
 * over the events of a batch; every output is computed in that loop, each declaration once per
 * event, and an output with a condition (`when`) only for the events where it holds, inside a
 * branch with the declarations only such outputs use. Lists are never built per event: reductions, `where`, fields and elementwise operations
 * are fused into loops over the branch arrays; objects (collection-typed declarations) and
 * `sort_by` results are kept as indices in scratch arrays reused from event to event. The source
 * is self-contained (helpers included), so a worker thread rebuilds the kernel from it with
 * `kernelFromSource`.
 *
 * ## Values and missing values (the runtime's side of docs/language.md, "Jagged broadcasting rules")
 *
 * - Numbers are doubles. `int` branches and results are exact up to 2^53; 64-bit integer branches
 *   (i8/u8, BigInt64Array) are converted to doubles when the batch is read, so values beyond 2^53
 *   are rounded. `/` always divides as floats (7 / 2 = 3.5); `x / 0` is ±Infinity and `0 / 0`
 *   missing. `%` is the floor modulo (Python's): the result has the sign of the divisor, so
 *   `entry % 5` is always in [0, 5) and `-7 % 3 == 2`; `x % 0` is missing. `^` is Math.pow
 *   (`x ^ 2` is computed as x * x).
 * - A missing value is NaN. It comes from: an index past the end or negative (`jets[5].pt` with
 *   two jets), first/last/best of an empty list, min/max/mean of an empty list, a field of a
 *   missing element, and invalid arithmetic (sqrt and log of negative numbers, 0 / 0). The math
 *   functions are the stdlib's snippets (Math.*, or for atan2 and cosh the prelude's branch-free
 *   versions of the same algorithms, with the same bits), so `log(0)` is −Infinity, not missing.
 * - Missing values propagate through arithmetic, fields, four-vector sums and elementwise
 *   functions. Reductions: count of an empty list is 0, sum 0, any false, all true; mean, min and
 *   max of an empty list are missing, and sum, mean, min and max of a list with a missing element
 *   are missing.
 * - Conditions are never missing. A comparison (`<`, `<=`, `>`, `>=`, `==`, `!=`) with a missing
 *   side is false — including `!=`: `jets[2].pt != 30` is false with two jets. A condition field
 *   of a missing element is false. After that, `and`, `or` and `not` are plain boolean logic, so
 *   `not (jets[2].pt > 30)` is true for an event with two jets: require the element explicitly
 *   (`count(jets) >= 3 and ...`) when its absence must fail.
 * - Masks are 1 where the condition is true and 0 otherwise (a missing value fails every cut).
 *   A number output is NaN where missing; a condition as a number output is 0 or 1.
 * - `best(list, criterion)` is the element with the smallest criterion; ties go to the first;
 *   elements whose criterion is missing are never chosen, so it is missing when every criterion
 *   is. `sort_by(list, key)` is stable and increasing, elements with a missing key last.
 * - Lists of two different iterations combined element by element (`jets.pt + muons.pt`, which the
 *   checker accepts but the language leaves undefined) are matched by position, as long as the
 *   first list; positions past the end of the other are missing.
 *
 * ## Kinematics
 *
 * Every record with kinematics has pt, eta, phi, mass, E, px, py, pz; the ones not read from the
 * file are derived from the source the plan's CollectionIR names (a field the file has is read as
 * it is, even when it could be derived):
 * - pxpypzE: pt = √(px² + py²), phi = atan2(py, px), eta = asinh(pz / pt) (±Infinity along the
 *   beam, missing for a null vector), mass = √(E² − p²); a negative m² (rounding, or unphysical
 *   inputs) gives a negative mass −√(p² − E²), as ROOT's TLorentzVector::M() and scikit-hep
 *   vector do, so `mass > 0` cuts such candidates.
 * - ptetaphim: px = pt cos φ, py = pt sin φ, pz = pt sinh η, E = √(pt² + pz² + m²).
 * - ptetaphi: as ptetaphim with mass 0.
 * - pxpy, ptphi (transverse only, e.g. the missing momentum): massless with pz = 0, eta = 0 and
 *   E = pt.
 * - `a + b` of two records and the kinematics of a pair are the sum of (px, py, pz, E).
 *   `p4(px, py, pz, E)`, `ptetaphim(pt, eta, phi, m)` and `met(px, py)` build four-vectors of the
 *   corresponding source.
 * - deltaPhi = φa − φb wrapped into [−π, π]; deltaEta = ηa − ηb; deltaR = √(Δη² + Δφ²);
 *   mT = √(2 pt_a pt_b (1 − cos Δφ)); ht(c) = Σ pt.
 * - pairs(a) is every i < j pair of one list in order (i outer); pairs(a, b) every combination,
 *   a outer.
 *
 * ## Batches
 *
 * A batch is n events: flat columns with at least n values, jagged ones with n + 1 offsets
 * starting at 0 for the batch. `entry` is `batch.entry0 + i`. The outputs of an event depend only
 * on that event's values and its entry number, so splitting events into batches differently gives
 * identical outputs, bit for bit.
 */
import { setFlagsFromString } from "node:v8";
import type { CollectionIR, ExprIR } from "../../plan/types.js";
import type { Column } from "../io/index.js";
import { generate, KernelError } from "./gen.js";

// A kernel's loop calls the prelude's math (__atan2, __cosh, ...) once per event. V8 inlines
// such calls until the inlined bytecode of one function reaches a budget (920 bytes by default);
// past it, every call boxes its numbers on the heap, which halved the speed of a loop computing
// atan2 and cosh together. Kernels are whole analyses in one loop, so the budget is raised for
// code optimised from here on. A tuning of the optimiser only: no result depends on it.
try {
  setFlagsFromString("--max-inlined-bytecode-size-cumulative=4000");
} catch {
  // an engine without the flag: kernels run, slower
}

export { KernelError } from "./gen.js";

export interface KernelOutput {
  key: string;
  expr: ExprIR;
  /**
   * mask: a condition → Uint8Array of 0/1 (missing → 0); f64: a number → Float64Array (missing →
   * NaN; conditions as 0/1); list: a list of numbers or conditions → one Float64Array packing the
   * batch's n + 1 offsets (from 0), then its values (see `unpackList`). An event outside a `when`
   * has an empty list.
   */
  as: "f64" | "mask" | "list";
  /**
   * Only the events where this condition holds need the output (e.g. a histogram's variable, in
   * its regions): it is computed for those, inside a branch with the other outputs of the same
   * condition, and is NaN (f64) or 0 (mask) for the others.
   */
  when?: ExprIR;
  /**
   * A list output computed per element of this list: `expr` is evaluated for each of its elements
   * (its fields as `field` nodes, `this` the element), in the list's order. Per-candidate features.
   */
  per?: ExprIR;
}

/**
 * A column the kernel computes before its loop and then reads as if it were a branch (a shape
 * variation's varied field): `expr` per element of collection `each` (a jagged column with the
 * collection's offsets) or, without `each`, per event (a flat column).
 */
export interface VirtualColumn {
  name: string;
  expr: ExprIR;
  each?: string;
  /** Computed only for the events where this holds (elsewhere missing): no reader looks at the others. */
  when?: ExprIR;
}

export interface KernelSpec {
  outputs: KernelOutput[];
  /** Columns computed from the branches first, read by the outputs by name as branches. */
  virtual?: VirtualColumn[];
  /** Declarations by name, for `ref` nodes: defines and objects (`define:NAME` ids in the plan). */
  defines: Record<string, ExprIR>;
  /** Regions by name (`filter:NAME`): conditions. */
  regions: Record<string, ExprIR>;
  collections: CollectionIR[];
  /**
   * The sample's part of random numbers' key (`randomStream`): required when an expression draws
   * them (gauss, uniform); written into the source as a constant.
   */
  stream?: number;
}

/** A sample's stream of random numbers: FNV-1a (32 bits) of its name. */
export function randomStream(sample: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(sample)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

export interface Batch {
  n: number;
  /** Absolute entry index of the batch's first event within its sample (for the `entry` builtin). */
  entry0: number;
  columns: Map<string, Column>;
  /**
   * The input columns the kernel reads (`Kernel.inputs`: model scores, `score:MODEL:OUTPUT`), each
   * at least n values for exactly this batch's events (value i is event entry0 + i). A
   * per-candidate model's scores, `cand:MODEL:OUTPUT`, are packed as list outputs are (this
   * batch's n + 1 offsets from 0, then the values; see `unpackList`).
   */
  inputs?: ReadonlyMap<string, Float64Array>;
}

/** An output as a worker needs it to rebuild a kernel: its key and kind. */
export interface OutputSlot {
  key: string;
  as: "f64" | "mask" | "list" | "elements";
}

/**
 * A list output's packed array as offsets and values (views, no copy): a list output travels
 * between threads, through chunk queues and recycling as one Float64Array like any other output.
 */
export function unpackList(packed: Float64Array, n: number): { offsets: Float64Array; values: Float64Array } {
  if (packed.length < n + 1 || packed[n] !== packed.length - n - 1) throw new KernelError(`a list output of ${packed.length} numbers does not pack ${n} events`);
  return { offsets: packed.subarray(0, n + 1), values: packed.subarray(n + 1) };
}

export interface Kernel {
  /** Branches the kernel reads (flat and jagged), so the executor asks the reader for exactly these. */
  branches: string[];
  /**
   * Columns the executor supplies with each batch (`Batch.inputs`), not read from the file: the
   * scores of models (ExprIR `score`), keyed `score:MODEL:OUTPUT` (see `scoreInput`).
   */
  inputs: string[];
  /** The outputs, in the order of the spec. */
  outputs: OutputSlot[];
  /** The generated source (for debugging, caching and shipping to worker threads). */
  source: string;
  /** A kernel reading virtual columns (KernelSpec.virtual): `pre` computes them on each batch, then `main` runs (this kernel is the pair). */
  virtual?: { pre: Kernel; main: Kernel; columns: VirtualSlot[] };
  /**
   * Computes the outputs for a batch. `into` (optional) holds arrays to write them into, by key,
   * each at least `batch.n` long, e.g. those of a previous batch that are no longer needed:
   * writing into fresh memory costs a page fault per 4 KB, as much as a simple output's
   * computation. Outputs missing from `into` are allocated. The returned arrays are exactly n long
   * (views of the given arrays when those are longer).
   */
  run(batch: Batch, into?: ReadonlyMap<string, Float64Array | Uint8Array>): Map<string, Float64Array | Uint8Array>;
}

const EMPTY = new Float64Array(0);

interface ListStore {
  off: Float64Array;
  v: Float64Array;
  len: number;
}
type KernelFn = (n: number, entry0: number, cols: Column[], outs: Array<Float64Array | Uint8Array | ListStore>, ins: Float64Array[]) => void;

export { candidateInput, scoreInput } from "./expr.js";

/** A virtual column as a worker needs it: its name and, per element, a jagged branch of its collection (its offsets are the column's). */
export interface VirtualSlot {
  name: string;
  like?: string;
}

export function compileKernel(spec: KernelSpec): Kernel {
  const { source, branches, inputs } = generate(spec);
  const main = kernelFromSource(source, branches, spec.outputs.map((o) => ({ key: o.key, as: o.as })), inputs);
  // only the virtual columns the outputs read are computed
  const wanted = (spec.virtual ?? []).filter((v) => branches.includes(v.name));
  if (!wanted.length) return main;
  const slots = wanted.map((v) => ({ name: v.name, like: v.each ? jaggedBranchOf(spec, v.each) : undefined }));
  const pre = generate({ defines: spec.defines, regions: spec.regions, collections: spec.collections, stream: spec.stream, outputs: wanted.map((v, k) => ({ key: v.name, expr: v.expr, as: slots[k].like ? "elements" : "f64", ...(v.each ? { each: v.each } : {}), ...(v.when ? { when: v.when } : {}) })) });
  if (pre.inputs.length) throw new KernelError(`virtual column '${wanted[0].name}': a varied value cannot read a model's score`);
  return withVirtual(kernelFromSource(pre.source, pre.branches, slots.map((v) => ({ key: v.name, as: v.like ? "elements" : "f64" }))), slots, main);
}

/** A jagged branch of a collection, whose offsets a per-element virtual column shares (undefined: a single collection). */
function jaggedBranchOf(spec: KernelSpec, name: string): string | undefined {
  const c = spec.collections.find((x) => x.name === name);
  if (!c || c.shape !== "jagged") return undefined;
  const b = [...Object.values(c.fields), ...Object.values(c.kinematics?.fields ?? {})][0];
  if (!b) throw new KernelError(`collection '${name}' has no branch for a per-element column to share its offsets with`);
  return b;
}

/**
 * A kernel reading virtual columns: `pre` computes them from the batch, then `main` runs over the
 * batch with them added as columns (a jagged one with the offsets of its list output, which are
 * its collection's). The pair reads the branches of both, less the virtual ones.
 */
export function withVirtual(pre: Kernel, columns: VirtualSlot[], main: Kernel): Kernel {
  const virtual = new Set(columns.map((c) => c.name));
  const branches = [...new Set([...pre.branches, ...columns.flatMap((c) => (c.like ? [c.like] : [])), ...main.branches.filter((b) => !virtual.has(b))])];
  return {
    branches,
    inputs: main.inputs,
    outputs: main.outputs,
    source: main.source,
    virtual: { pre, main, columns },
    run(batch, into) {
      const made = pre.run(batch);
      const cols = new Map(batch.columns);
      for (const c of columns) {
        const values = made.get(c.name) as Float64Array;
        const like = c.like ? batch.columns.get(c.like) : undefined;
        if (c.like && like?.kind !== "jagged") throw new KernelError(`the batch has no jagged column '${c.like}' for the offsets of '${c.name}'`);
        cols.set(c.name, like?.kind === "jagged" ? { kind: "jagged", dtype: "f8", values, offsets: like.offsets } : { kind: "flat", dtype: "f8", values });
      }
      return main.run({ ...batch, columns: cols }, into);
    },
  };
}

/** Rebuild a kernel from its source in a worker thread (no plan needed there). */
/**
 * Compiled kernel functions by source, so that samples with the same outputs (the usual case: the
 * same regions and variables, the same weight expression) share one function and V8's optimised
 * code for it, instead of warming up a fresh copy per sample. A kernel function keeps scratch
 * arrays between calls; calls never overlap (one thread, synchronous), so sharing is safe.
 */
const compiled = new Map<string, KernelFn>();
const COMPILED_KEEP = 64;

export function kernelFromSource(source: string, branches: string[], outputs: OutputSlot[], inputs: readonly string[] = []): Kernel {
  let fn = compiled.get(source);
  if (!fn) {
    try {
      fn = new Function(source)() as KernelFn;
    } catch (e) {
      throw new KernelError(`the generated source does not compile: ${(e as Error).message}`);
    }
    if (compiled.size >= COMPILED_KEEP) compiled.delete(compiled.keys().next().value as string);
    compiled.set(source, fn);
  }
  const run = fn;
  const slots = outputs.map((o) => ({ key: o.key, as: o.as }));
  return {
    branches: [...branches],
    inputs: [...inputs],
    outputs: slots,
    source,
    run(batch: Batch, into?: ReadonlyMap<string, Float64Array | Uint8Array>): Map<string, Float64Array | Uint8Array> {
      const n = batch.n;
      if (!Number.isInteger(n) || n < 0) throw new KernelError(`bad batch size ${n}`);
      const cols = branches.map((b) => {
        const c = batch.columns.get(b);
        if (!c) throw new KernelError(`the batch has no column '${b}'`);
        return asNumbers(c);
      });
      const ins = inputs.map((key) => {
        const a = batch.inputs?.get(key);
        if (!(a instanceof Float64Array)) throw new KernelError(`the batch has no input column '${key}' (a Float64Array)`);
        if (a.length < n) throw new KernelError(`input column '${key}' has ${a.length} values for ${n} events`);
        return a;
      });
      const outs = slots.map((o): Float64Array | Uint8Array | ListStore => {
        if (o.as === "list") return { off: new Float64Array(n + 1), v: new Float64Array(Math.max(16, n)), len: 0 };
        // the kernel allocates it once it knows the number of elements
        if (o.as === "elements") return EMPTY;
        const given = into?.get(o.key);
        if (!given) return o.as === "mask" ? new Uint8Array(n) : new Float64Array(n);
        const ok = o.as === "mask" ? given instanceof Uint8Array : given instanceof Float64Array;
        if (!ok || given.length < n) throw new KernelError(`output '${o.key}': the array given is not a ${o.as === "mask" ? "Uint8Array" : "Float64Array"} of at least ${n} values`);
        return given.length === n ? given : given.subarray(0, n);
      });
      run(n, batch.entry0, cols, outs, ins);
      const out = new Map<string, Float64Array | Uint8Array>();
      slots.forEach((o, k) => {
        const a = outs[k];
        if (!("len" in a)) return void out.set(o.key, a);
        const packed = new Float64Array(n + 1 + a.len);
        packed.set(a.off);
        packed.set(a.v.subarray(0, a.len), n + 1);
        out.set(o.key, packed);
      });
      return out;
    },
  };
}

/** 64-bit integer columns as doubles (exact up to 2^53), so generated code only sees numbers. */
function asNumbers(c: Column): Column {
  const v = c.values;
  if (!(v instanceof BigInt64Array || v instanceof BigUint64Array)) return c;
  const f = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) f[i] = Number(v[i]);
  return { ...c, dtype: "f8", values: f };
}
