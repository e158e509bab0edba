/**
 * Calls of standard-library functions: one emitter per function, in a table keyed by the names of
 * the stdlib's entries (stdlib/ declares every function once). A `scalar` entry's emitter is its
 * own snippet, inlined and lifted over lists; every other entry (`reduce`, `special`) has an
 * emitter here. Adding a function is one stdlib entry and, unless it is a scalar snippet, one
 * emitter in this table; test/columns/emitters.test.ts checks that none is missing.
 */
import type { ExprIR } from "../../plan/types.js";
import { FUNCTION_BY_NAME, type StdFunction } from "../../stdlib/index.js";
import type { Gen } from "./emit.js";
import { member, position } from "./access.js";
import { best, pairs, sortBy, tuples } from "./combinatorics.js";
import { compile, listOf } from "./expr.js";
import { kinOf, makeP4, twoBody } from "./kinematics.js";
import { at, capture, lift, mapList, random as randomList, randomAccess } from "./lists.js";
import { reduce } from "./reductions.js";
import { type Cx, KernelError, type ObjV, type Val } from "./values.js";

export type CallIR = Extract<ExprIR, { op: "call" }>;

/** Compiles one call: its arguments are the call's (typed, checked) argument expressions. */
export type Emitter = (g: Gen, ir: CallIR, cx: Cx) => Val;

/** A fold of the first argument's list (the stdlib's `reduce` snippets, or count and ht). */
const reduction: Emitter = (g, ir, cx) => reduce(g, ir.fn, listOf(g, ir.args[0], cx), cx);

/** min/max: of a list, a fold; of two numbers, the smaller/larger (lifted: `min(jets.pt, 50)`). */
const extremum: Emitter = (g, ir, cx) => {
  const fn = ir.fn;
  if (ir.args.length === 1) return reduce(g, fn, listOf(g, ir.args[0], cx), cx);
  return lift(g, cx, ir.args.map((a) => compile(g, a, cx)), ir, ([x, y]) => g.num(`Math.${fn}(${g.numJs(x)}, ${g.numJs(y)})`, g.homeOf(x), g.homeOf(y)));
};

/** pt(x), eta(x), ...: the field of the same name, read or derived. */
const component: Emitter = (g, ir, cx) => lift(g, cx, [compile(g, ir.args[0], cx)], ir, ([x]) => member(g, cx, x, ir.fn, "float"));

/** deltaPhi, deltaEta, deltaR, mT of two four-vectors, lifted over collections. */
const twoBodyFn: Emitter = (g, ir, cx) => lift(g, cx, ir.args.map((a) => compile(g, a, cx)), ir, ([x, y]) => twoBody(g, ir.fn, kinOf(g, x), kinOf(g, y)));

/**
 * gauss / uniform: the prelude's Philox draws, keyed by the call's site and seed (from the plan),
 * the sample's stream (the kernel spec's), the entry and, inside a per-element expression, the
 * innermost element's position in its collection (a missing element draws nothing: missing).
 */
const random: Emitter = (g, ir, cx) => {
  if (ir.site === undefined) throw new KernelError(`${ir.fn}: the call has no site in the plan`);
  const stream = g.spec.stream;
  if (stream === undefined) throw new KernelError(`${ir.fn}: random numbers need the sample's stream (KernelSpec.stream)`);
  const [a, b] = ir.args.map((x) => compile(g, x, cx));
  const inner = cx.els[cx.els.length - 1];
  // a single collection's record (MET's varied field) is the event's: one draw per event
  const el = inner && inner.k === "obj" && inner.coll.shape === "single" ? undefined : inner;
  let pos = "4294967295";
  let homes = [g.ev];
  let missing: string | undefined;
  if (el) {
    if (el.k !== "obj" || el.coll.shape !== "jagged") throw new KernelError(`${ir.fn}: per element of a ${el.k}, not of a collection`);
    const p = position(g, el);
    pos = p.js;
    homes = [p.home];
    if (el.missing) missing = `${el.idx} >= 0`;
  }
  const seed = ((ir.seed ?? 0) % 4294967296) >>> 0;
  const home = g.deeper(g.homeOf(a), g.homeOf(b), ...homes);
  const draw = `__${ir.fn}(${g.numJs(a)}, ${g.numJs(b)}, entry0 + i, ${pos}, ${ir.site}, ${seed}, ${stream})`;
  return g.num(missing ? `(${missing} ? ${draw} : NaN)` : draw, home);
};

/**
 * match(a, b, maxDR): per element of `a`, a loop over `b` (stored once per event when it has no
 * random access) keeping the strictly nearest element within maxDR; the result is that element's
 * `index` (its position in its collection), NaN when none is near enough. The first of equal
 * distances wins (strict `<`); a missing distance (NaN) never matches.
 */
const match: Emitter = (g, ir, cx) => {
  const a = listOf(g, ir.args[0], cx);
  const b = randomList(g, cx, listOf(g, ir.args[1], cx), "mb");
  const r = g.hoist(compile(g, ir.args[2], cx), "mdr");
  return mapList(g, a, `match:${JSON.stringify(ir)}`, { k: "num" }, (c, x) => {
    const hx = g.hoist(x, "mx");
    const found = g.fresh("mi");
    const near = g.fresh("md");
    c.block.lines.push(`let ${found} = NaN, ${near} = ${g.numJs(r)};`);
    const q = g.fresh("q");
    g.loop(c, `for (let ${q} = 0; ${q} < ${b.len}; ${q}++)`, (inner) => {
      const y = b.get(inner, g.num(q, inner.block));
      if (y.k !== "obj" || y.coll.shape !== "jagged") throw new KernelError(`match: the second list's elements are ${y.k === "obj" ? "a single record" : `a ${y.k}`}, not elements of a collection`);
      const d = g.cse(inner.block, twoBody(g, "deltaR", kinOf(g, hx), kinOf(g, y)).js, "dr");
      const pos = position(g, y as ObjV);
      inner.block.lines.push(`if (${d} < ${near}) { ${near} = ${d}; ${found} = ${pos.js}; }`);
    });
    return g.num(found, c.block);
  });
};

/** The emitters of the functions that are not scalar snippets, by stdlib name. */
export const EMITTERS: Readonly<Record<string, Emitter>> = {
  // kinematics
  pt: component,
  eta: component,
  phi: component,
  mass: component,
  E: component,
  px: component,
  py: component,
  pz: component,
  deltaPhi: twoBodyFn,
  deltaEta: twoBodyFn,
  deltaR: twoBodyFn,
  mT: twoBodyFn,
  match,
  // reductions
  count: reduction,
  sum: reduction,
  mean: reduction,
  min: extremum,
  max: extremum,
  any: reduction,
  all: reduction,
  ht: reduction,
  // collections and combinatorics
  first: (g, ir, cx) => at(g, cx, listOf(g, ir.args[0], cx), g.num("0")),
  last: (g, ir, cx) => {
    const list = listOf(g, ir.args[0], cx);
    if (randomAccess(g, list)) return at(g, cx, list, g.num(`(${list.iter.len} - 1)`, list.iter.home!));
    return capture(g, cx, list, null, false);
  },
  sort_by: (g, ir, cx) => sortBy(g, listOf(g, ir.args[0], cx), ir.args[1], cx),
  best: (g, ir, cx) => best(g, listOf(g, ir.args[0], cx), ir.args.slice(1), cx),
  pairs: (g, ir, cx) => pairs(g, ir.args.map((a) => listOf(g, a, cx)), ir),
  // k is a literal (the checker requires it): the candidates' type already says it
  combinations: (g, ir, cx) => tuples(g, listOf(g, ir.args[0], cx), tupleSize(ir), false, ir),
  permutations: (g, ir, cx) => tuples(g, listOf(g, ir.args[0], cx), tupleSize(ir), true, ir),
  // random numbers
  gauss: random,
  uniform: random,
  // constructors
  p4: (g, ir, cx) => {
    const [px, py, pz, E] = ir.args.map((a, n) => g.hoist(compile(g, a, cx), ["px", "py", "pz", "E"][n]));
    return makeP4(g, "pxpypzE", { px, py, pz, E });
  },
  ptetaphim: (g, ir, cx) => {
    const [pt, eta, phi, mass] = ir.args.map((a, n) => g.hoist(compile(g, a, cx), ["pt", "eta", "phi", "mass"][n]));
    return makeP4(g, "ptetaphim", { pt, eta, phi, mass });
  },
  met: (g, ir, cx) => {
    const [px, py] = ir.args.map((a, n) => g.hoist(compile(g, a, cx), ["met_px", "met_py"][n]));
    return makeP4(g, "pxpy", { px, py });
  },
};

function tupleSize(ir: CallIR): number {
  const k = ir.args[1];
  if (k.op !== "const" || typeof k.value !== "number") throw new KernelError(`${ir.fn}: the size of the candidates must be a constant`);
  return k.value;
}

/** A scalar entry's snippet with its arguments substituted, element by element over lists. */
function snippetEmitter(std: StdFunction, js: string): Emitter {
  const uses = (n: number) => (js.match(new RegExp(`\\$${n}(?!\\d)`, "g")) ?? []).length;
  return (g, ir, cx) =>
    lift(g, cx, ir.args.map((a) => compile(g, a, cx)), ir, (vals) => {
      const home = g.deeper(...vals.map((v) => g.homeOf(v)));
      const params = std.signatures.find((s) => s.params.length === vals.length)?.params ?? [];
      const args = vals.map((v, n) => {
        // a condition parameter (ifelse's) takes the condition itself, others numbers
        const s = v.k === "bool" && params[n]?.kind === "bool" ? v.js : g.numJs(v);
        return uses(n) > 1 ? g.cse(home, s) : `(${s})`;
      });
      return g.num(js.replace(/\$(\d+)/g, (_, n: string) => args[Number(n)]), home);
    });
}

/** The emitter of a stdlib function (undefined for a name the stdlib does not have, or one without an emitter). */
export function emitterFor(name: string): Emitter | undefined {
  if (Object.hasOwn(EMITTERS, name)) return EMITTERS[name];
  const std = FUNCTION_BY_NAME.get(name);
  if (std?.impl.kind === "scalar") return snippetEmitter(std, std.impl.js);
  return undefined;
}

export function call(g: Gen, ir: CallIR, cx: Cx): Val {
  const emit = emitterFor(ir.fn);
  if (!emit) throw new KernelError(`function '${ir.fn}' has no implementation in runtime/columns`);
  return emit(g, ir, cx);
}
