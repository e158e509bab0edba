/**
 * Calls of standard-library functions.
 */
import type { ExprIR } from "../../plan/types.js";
import { FUNCTION_BY_NAME } from "../../stdlib/index.js";
import type { Gen } from "./emit.js";
import { member } from "./access.js";
import { best, pairs, sortBy } from "./combinatorics.js";
import { compile, listOf } from "./expr.js";
import { kinOf, makeP4, twoBody } from "./kinematics.js";
import { at, capture, lift, randomAccess } from "./lists.js";
import { reduce } from "./reductions.js";
import { type Cx, KernelError, KIN_FIELDS, type Val } from "./values.js";

export function call(g: Gen, ir: Extract<ExprIR, { op: "call" }>, cx: Cx): Val {
  const fn = ir.fn;
  const args = ir.args;
  switch (fn) {
    case "count":
    case "sum":
    case "mean":
    case "any":
    case "all":
    case "ht":
      return reduce(g, fn, listOf(g, args[0], cx), cx);
    case "min":
    case "max":
      if (args.length === 1) return reduce(g, fn, listOf(g, args[0], cx), cx);
      return lift(g, cx, args.map((a) => compile(g, a, cx)), ir, ([x, y]) => g.num(`Math.${fn}(${g.numJs(x)}, ${g.numJs(y)})`, g.homeOf(x), g.homeOf(y)));
    case "first":
      return at(g, cx, listOf(g, args[0], cx), g.num("0"));
    case "last": {
      const list = listOf(g, args[0], cx);
      if (randomAccess(g, list)) return at(g, cx, list, g.num(`(${list.iter.len} - 1)`, list.iter.home!));
      return capture(g, cx, list, null, false);
    }
    case "sort_by":
      return sortBy(g, listOf(g, args[0], cx), args[1], cx);
    case "best":
      return best(g, listOf(g, args[0], cx), args[1], cx);
    case "pairs":
      return pairs(g, args.map((a) => listOf(g, a, cx)), ir);
    case "p4": {
      const [px, py, pz, E] = args.map((a, n) => g.hoist(compile(g, a, cx), ["px", "py", "pz", "E"][n]));
      return makeP4(g, "pxpypzE", { px, py, pz, E });
    }
    case "ptetaphim": {
      const [pt, eta, phi, mass] = args.map((a, n) => g.hoist(compile(g, a, cx), ["pt", "eta", "phi", "mass"][n]));
      return makeP4(g, "ptetaphim", { pt, eta, phi, mass });
    }
    case "met": {
      const [px, py] = args.map((a, n) => g.hoist(compile(g, a, cx), ["met_px", "met_py"][n]));
      return makeP4(g, "pxpy", { px, py });
    }
    case "deltaPhi":
    case "deltaEta":
    case "deltaR":
    case "mT":
      return lift(g, cx, args.map((a) => compile(g, a, cx)), ir, ([x, y]) => twoBody(g, fn, kinOf(g, x), kinOf(g, y)));
  }
  if (KIN_FIELDS.has(fn)) return lift(g, cx, [compile(g, args[0], cx)], ir, ([x]) => member(g, cx, x, fn, "float"));
  const std = FUNCTION_BY_NAME.get(fn);
  if (std?.impl.kind === "scalar") {
    const snippet = std.impl.js;
    return lift(g, cx, args.map((a) => compile(g, a, cx)), ir, (vals) => {
      const home = g.deeper(...vals.map((v) => g.homeOf(v)));
      const uses = (n: number) => (snippet.match(new RegExp(`\\$${n}(?!\\d)`, "g")) ?? []).length;
      const js = vals.map((v, n) => {
        const s = v.k === "bool" && fn === "ifelse" && n === 0 ? v.js : g.numJs(v);
        return uses(n) > 1 ? g.cse(home, s) : `(${s})`;
      });
      return g.num(snippet.replace(/\$(\d+)/g, (_, n: string) => js[Number(n)]), home);
    });
  }
  throw new KernelError(`function '${fn}' has no implementation in runtime/columns`);
}
