/**
 * The standard library table (stdlib/) kept honest: every function documented, every example
 * compiling in the documentation analysis (test/fixtures/stdlib/analysis.hep, over the single-top
 * example data), and every signature accepted by the checker with the result type it declares.
 *
 * All calls are appended in memory to the documentation analysis as `define NAME = <expr>` and the
 * result is compiled once (an overlay, so no file is written); each case then looks at the
 * diagnostics inside its own define.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type * as A from "../grammar/ast.js";
import { compile, Compilation } from "../compiler/compile.js";
import type { Diagnostic } from "../compiler/core/diagnostics.js";
import { typeToString } from "../compiler/core/types.js";
import { nodeHost } from "../cli/host.js";
import { BUILTINS, FUNCTIONS, ParamKind, Returns, Signature, StdFunction } from "../stdlib/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..");
const fixture = path.join(here, "fixtures", "stdlib", "analysis.hep");

// Every kind a parameter or a result may have (stdlib/types.ts). A new kind must be taught to the
// checker (compiler/check/expr.ts) and to these tests before a function uses it.
const PARAM_KINDS: readonly ParamKind[] = ["number", "int", "bool", "p4", "collection", "list<number>", "list<bool>", "per-element", "size", "p4-list", "objects"];
const RETURNS: readonly Returns[] = ["float", "int", "bool", "p4", "number-like", "element", "same-list", "list-element-number", "pairs", "tuples", "indices"];
const CATEGORIES: readonly StdFunction["category"][] = ["kinematics", "math", "reductions", "collections", "combinatorics", "constructors", "logic"];

/** An argument of each kind, valid in the documentation analysis, with its type as the checker prints it. */
const ARG: Record<ParamKind, { text: string; type: string }> = {
  number: { text: "muons[0].pt", type: "float" },
  int: { text: "count(jets)", type: "int" },
  bool: { text: "count(jets) > 0", type: "bool" },
  p4: { text: "muons[0]", type: "Muon" },
  collection: { text: "jets", type: "collection<Jet>" },
  "list<number>": { text: "jets.pt", type: "list<float>" },
  "list<bool>": { text: "jets.pt > 50", type: "list<bool>" },
  // Typed per element of the first argument (a collection of jets in every signature that has one).
  "per-element": { text: "pt", type: "float" },
  size: { text: "3", type: "int" },
  "p4-list": { text: "jets", type: "collection<Jet>" },
  objects: { text: "muons", type: "collection<Muon>" },
};
/** The list form of a kind that lifts: the function then applies elementwise. */
const LIFTED_ARG: Partial<Record<ParamKind, string>> = { number: "jets.pt", bool: "jets.pt > 50", p4: "jets" };

/** The result type a signature promises for the arguments of `ARG` (before lifting). */
function expectedResult(s: Signature): string {
  const first = ARG[s.params[0]?.kind ?? "number"].type;
  switch (s.returns) {
    case "float":
    case "int":
    case "bool":
    case "p4":
      return s.returns;
    case "number-like":
      // int only when every number argument is an int; ARG's numbers are floats
      return s.params.some((p) => p.kind === "number") ? "float" : "int";
    case "element":
      return first.replace(/^collection<(.*)>$/, "$1").replace(/^list<(.*)>$/, "$1");
    case "same-list":
      return first;
    case "list-element-number":
      return first === "list<int>" ? "int" : "float";
    case "pairs": {
      const el = (k: ParamKind) => ARG[k].type.replace(/^collection<(.*)>$/, "$1");
      return `collection<pair<${el(s.params[0].kind)},${el(s.params[s.params.length - 1].kind)}>>`;
    }
    case "indices":
      return "list<int>";
    case "tuples": {
      // ARG's size is 3
      const el = ARG[s.params[0].kind].type.replace(/^collection<(.*)>$/, "$1");
      return `collection<tuple<${el},${el},${el}>>`;
    }
  }
}

interface Case {
  name: string;
  expr: string;
}

const exampleCases: Array<Case & { fn: string; example: string }> = [];
const signatureCases: Array<Case & { fn: string; signature: Signature; expected: string }> = [];
const arityCases: Array<Case & { fn: string; args: number }> = [];

for (const fn of FUNCTIONS) {
  fn.examples.forEach((example) => exampleCases.push({ name: `example_${exampleCases.length}`, fn: fn.name, example, expr: example }));
  fn.signatures.forEach((s, i) => {
    const args = s.params.map((p) => ARG[p.kind].text);
    signatureCases.push({ name: `sig_${fn.name}_${i}`, fn: fn.name, signature: s, expr: `${fn.name}(${args.join(", ")})`, expected: expectedResult(s) });
    const liftAt = s.lifts ? s.params.findIndex((p) => LIFTED_ARG[p.kind] !== undefined) : -1;
    if (liftAt >= 0) {
      const lifted = [...args];
      lifted[liftAt] = LIFTED_ARG[s.params[liftAt].kind]!;
      signatureCases.push({ name: `sig_${fn.name}_${i}_lifted`, fn: fn.name, signature: s, expr: `${fn.name}(${lifted.join(", ")})`, expected: `list<${expectedResult(s)}>` });
    }
  });
  const arities = new Set(fn.signatures.map((s) => s.params.length));
  const wrong = [Math.max(...arities) + 1, ...(arities.has(0) ? [] : [0])];
  for (const n of wrong) arityCases.push({ name: `arity_${fn.name}_${n}`, fn: fn.name, args: n, expr: `${fn.name}(${Array.from({ length: n }, () => "1").join(", ")})` });
}

let compilation: Compilation;
let fixtureText: string;
/** Diagnostics of the appended text, by the define they fall in; diagnostics elsewhere under "". */
const byDefine = new Map<string, Diagnostic[]>();
const defineExpr = new Map<string, A.Expr>();

beforeAll(async () => {
  const host = nodeHost(repo);
  fixtureText = new TextDecoder().decode(host.readFile(fixture));
  const cases = [...exampleCases, ...signatureCases, ...arityCases];
  const appended = cases.map((c) => `define ${c.name} = ${c.expr}\n`).join("");
  compilation = await compile(fixture, host, { overlay: new Map([[fixture, `${fixtureText}\n# ---- appended by test/stdlib.test.ts\n${appended}`]]) });
  const root = compilation.program.files[0];
  const defines = root.ast.decls.filter((d): d is A.DefineDecl => d.kind === "Define");
  for (const d of defines) defineExpr.set(d.name.name, d.expr);
  for (const diag of compilation.diagnostics) {
    const owner = diag.file === root.path ? defines.find((d) => d.span.start <= diag.span.start && diag.span.start <= d.span.end) : undefined;
    const key = owner?.name.name ?? "";
    byDefine.set(key, [...(byDefine.get(key) ?? []), diag]);
  }
});

const show = (ds: Diagnostic[] | undefined) => (ds ?? []).map((d) => `${d.code} ${d.message}`);
const errors = (ds: Diagnostic[] | undefined) => show((ds ?? []).filter((d) => d.severity === "error"));
const typeOf = (name: string) => {
  const e = defineExpr.get(name);
  const t = e && compilation.checked.types.get(e);
  return t ? typeToString(t) : undefined;
};

describe("the stdlib table", () => {
  it("has unique function names, distinct from the builtins", () => {
    const names = FUNCTIONS.map((f) => f.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    expect(BUILTINS.map((b) => b.name).filter((n) => names.includes(n))).toEqual([]);
  });

  it.each(FUNCTIONS.map((f) => [f.name, f] as const))("%s is documented", (_name, fn) => {
    expect(fn.summary.trim(), "summary").not.toBe("");
    expect(fn.summary, "a one-line summary").not.toMatch(/\n/);
    expect(fn.examples.length, "examples").toBeGreaterThan(0);
    for (const ex of fn.examples) expect(ex.trim(), "an example").not.toBe("");
    expect(CATEGORIES).toContain(fn.category);
  });

  it.each(FUNCTIONS.map((f) => [f.name, f] as const))("%s has well-formed signatures", (_name, fn) => {
    expect(fn.signatures.length).toBeGreaterThan(0);
    for (const s of fn.signatures) {
      expect(RETURNS).toContain(s.returns);
      for (const p of s.params) {
        expect(PARAM_KINDS).toContain(p.kind);
        expect(p.name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      }
      expect(new Set(s.params.map((p) => p.name)).size, "parameter names are distinct").toBe(s.params.length);
      // A per-element argument is typed per element of the first argument, which must be a list.
      if (s.params.some((p) => p.kind === "per-element")) {
        expect(s.params[0].kind).toBe("collection");
        expect(s.params[0].kind).not.toBe("per-element");
      }
    }
    // Overloads are told apart by arity, then by argument types: no two with the same parameter kinds.
    const shapes = fn.signatures.map((s) => s.params.map((p) => p.kind).join(","));
    expect(shapes.filter((x, i) => shapes.indexOf(x) !== i)).toEqual([]);
  });
});

describe("the documentation analysis", () => {
  it("compiles without diagnostics of its own", () => {
    expect(show(byDefine.get(""))).toEqual([]);
  });
});

describe("stdlib examples compile in the documentation analysis", () => {
  it.each(exampleCases.map((c) => [c.fn, c.example, c] as const))("%s: %s", (_fn, _ex, c) => {
    expect(errors(byDefine.get(c.name))).toEqual([]);
  });
});

describe("the checker accepts each signature", () => {
  it.each(signatureCases.map((c) => [c.expr, c] as const))("%s", (_expr, c) => {
    expect(errors(byDefine.get(c.name))).toEqual([]);
    expect(typeOf(c.name)).toBe(c.expected);
  });
});

describe("the checker rejects a wrong number of arguments", () => {
  it.each(arityCases.map((c) => [c.expr, c] as const))("%s", (_expr, c) => {
    expect(errors(byDefine.get(c.name)).map((m) => m.slice(0, 7))).toEqual(["HEP3002"]);
  });
});
