/**
 * The kernel generator's table of emitters (runtime/columns/calls.ts) against the standard library's
 * table (stdlib/): every function has an emitter, no emitter is for a function the stdlib lacks, and
 * the reductions fold with the stdlib's own snippets, checked against those snippets run as plain
 * JavaScript here (a loop written in this file, not the generator's).
 */
import { describe, expect, it } from "vitest";
import type { ExprIR } from "../../plan/types.js";
import { FUNCTION_BY_NAME, FUNCTIONS, type Impl } from "../../stdlib/index.js";
import { EMITTERS, emitterFor } from "../../runtime/columns/calls.js";
import { br, call, cmp, evaluate, jagged, num, self, where } from "./helpers.js";

describe("the table of emitters", () => {
  it("has an emitter for every function of the standard library", () => {
    expect(FUNCTIONS.filter((f) => emitterFor(f.name) === undefined).map((f) => f.name)).toEqual([]);
  });

  it("has a hand-written emitter for every function that is not a scalar snippet", () => {
    const missing = FUNCTIONS.filter((f) => f.impl.kind !== "scalar" && !Object.hasOwn(EMITTERS, f.name)).map((f) => f.name);
    expect(missing).toEqual([]);
  });

  it("has no emitter for a name the standard library does not declare", () => {
    expect(Object.keys(EMITTERS).filter((name) => !FUNCTION_BY_NAME.has(name))).toEqual([]);
    expect(emitterFor("no_such_function")).toBeUndefined();
    // names every object has are not functions
    expect(emitterFor("constructor")).toBeUndefined();
    expect(emitterFor("toString")).toBeUndefined();
  });
});

// Lists with the cases folds get wrong: empty, signed zeros in both orders, missing and infinite
// elements, one element.
const NUMBERS = [[], [1, 2, 3], [-0, 0], [0, -0], [NaN, 1], [1, NaN], [Infinity, -Infinity], [5], [-2.5, 7, -9]];
const CONDITIONS = [[], [1, 0], [0, 0], [1, 1], [0], [1], [0, 1, 0], [1, 1, 1], [0, 0, 1]];
const columns = { v: jagged(NUMBERS), b: jagged(CONDITIONS, "bool") };

type Reduce = Extract<Impl, { kind: "reduce" }>;

/** The stdlib's fold run as written: `acc` from `init`, `step` per element `$x`, `n` counted after each step. */
function fold(impl: Reduce, xs: Array<number | boolean>): number | boolean {
  const body = `let acc = ${impl.init}; let n = 0; for (const $x of xs) { ${impl.step} n++; } return ${impl.finish ?? "acc"};`;
  return new Function("xs", body)(xs) as number | boolean;
}

const reductions = FUNCTIONS.filter((f): f is typeof f & { impl: Reduce } => f.impl.kind === "reduce");

describe("reductions fold with the stdlib's snippets", () => {
  it("there are reductions written as stdlib folds", () => {
    expect(reductions.map((f) => f.name).sort()).toEqual(["all", "any", "max", "mean", "min", "sum"]);
  });

  for (const f of reductions) {
    it(`${f.name}: the kernel gives the fold's bits for every event`, () => {
      const bools = f.signatures[0].params[0].kind === "list<bool>";
      const list: ExprIR = bools ? br("b", "list<bool>") : br("v", "list<float>");
      const type = f.signatures[0].returns === "bool" ? "bool" : "float";
      const got = evaluate({ outputs: { x: call(f.name, type, list) } }, columns).x;
      const data = bools ? CONDITIONS.map((l) => l.map((x) => x !== 0)) : NUMBERS;
      const want = data.map((xs) => {
        const r = fold(f.impl, xs);
        return typeof r === "boolean" ? (r ? 1 : 0) : r;
      });
      expect(got.length).toBe(want.length);
      // Object.is: NaN equals NaN, and −0 differs from 0
      got.forEach((g, i) => expect(Object.is(g, want[i]), `event ${i} (${JSON.stringify(data[i])}): ${g} vs ${want[i]}`).toBe(true));
    });
  }

  it("the kernel follows the stdlib's entry: a different step gives a different sum", () => {
    const sum = FUNCTION_BY_NAME.get("sum")!;
    const original = sum.impl;
    const v = br("v", "list<float>");
    // the whole list, and the list filtered (which the generator sums branch-free while sum's fold is addition)
    const outputs = { all: call("sum", "float", v), some: call("sum", "float", where(v, cmp(">", self("float"), num(0)))) };
    const before = evaluate({ outputs }, columns);
    try {
      sum.impl = { kind: "reduce", init: "0", step: "acc += 2 * $x;" };
      const doubled = evaluate({ outputs }, columns);
      expect(doubled.all).toEqual(before.all.map((x) => 2 * x));
      expect(doubled.some).toEqual(before.some.map((x) => 2 * x));
    } finally {
      sum.impl = original;
    }
    expect(evaluate({ outputs }, columns)).toEqual(before);
  });
});
