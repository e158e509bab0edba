/**
 * Reductions: count, sum, mean, min, max, any, all and ht of a list, as one loop fused with the
 * list's iteration, and the branch-free passes that replace that loop where they give the same bits
 * (running counts over a batch, masked sums).
 */
import type { ExprIR } from "../../plan/types.js";
import { FUNCTION_BY_NAME } from "../../stdlib/index.js";
import { cheap, type Gen, indent, PRELUDE_NAMES, sanitize } from "./emit.js";
import { bounds, member } from "./access.js";
import { each, maskOf, randomAccess } from "./lists.js";
import { type Block, type Cx, KernelError, type ListV, type NumV, type Scalar } from "./values.js";

/** Names a flat pass may use besides its own locals, branch arrays and the prelude's helpers. */
const FLAT_GLOBALS = new Set(["Math", "PI", "TWO_PI", "NaN", "Infinity", "true", "false", "const", "let"]);

export function reduce(g: Gen, fn: string, list: ListV, cx: Cx): Scalar {
  const hint = fn;
  if (fn === "count" && list.shape.k !== "bool" && randomAccess(g, list)) return g.num(list.iter.len!, list.iter.home!);
  if (fn === "count" && list.iter.filtered && list.map === null) {
    const flat = flatCount(g, list.iter.filtered.src, list.iter.filtered.cond);
    if (flat) return flat;
    // count(src where cond): add up the condition over src, without a branch per element
    const { src, cond } = list.iter.filtered;
    const acc = g.fresh("count");
    const loopCx = g.child(cx);
    let ok = true;
    each(g, loopCx, src, (c, el) => {
      const m = maskOf(g, c, el, cond);
      if (m === undefined) ok = false;
      else c.block.lines.push(`${acc} += (${m}) | 0;`);
    });
    if (ok) {
      cx.block.lines.push(`let ${acc} = 0;`, ...loopCx.block.lines);
      return g.num(acc, cx.block);
    }
    // not pure: count with the filtering loop below
  }
  if ((fn === "sum" || fn === "ht") && list.iter.filtered && sumIsAddition()) {
    const fast = maskedSum(g, fn, list, cx);
    if (fast) return fast;
  }
  const acc = g.fresh(hint);
  const label = g.fresh("L");
  const rule = reduceRule(fn, list);
  const needN = rule.finish !== undefined && /\bn\b/.test(rule.finish);
  const n = needN ? g.fresh("n") : "";
  const fill = (snippet: string, x?: () => string) =>
    snippet.replace(/\$x|\bacc\b|\bn\b|\bbreak\b/g, (t) => (t === "$x" ? x!() : t === "acc" ? acc : t === "n" ? n : `break ${label}`));
  cx.block.lines.push(`let ${acc} = ${rule.init};${needN ? ` let ${n} = 0;` : ""}`);
  const loopCx = g.child(cx);
  each(g, loopCx, list, (c, el) => {
    const x = () => {
      const v = fn === "ht" ? member(g, c, el, "pt", "float") : el;
      return rule.boolElements ? g.boolJs(v) : g.numJs(v);
    };
    c.block.lines.push(`${fill(rule.step, x)}${needN ? ` ${n}++;` : ""}`);
  });
  // a step that stops early (any, all) leaves the whole loop, which may be nested (pairs)
  if (/\bbreak\b/.test(rule.step)) cx.block.lines.push(`${label}: {`, ...indent(loopCx.block.lines), "}");
  else cx.block.lines.push(...loopCx.block.lines);
  const result = rule.finish === undefined ? acc : `(${fill(rule.finish)})`;
  return rule.boolResult ? g.bool(result, cx.block) : g.num(result, cx.block);
}

/** maskedSum writes the stdlib's fold of sum (0, then acc += $x) branch-free: only while that is sum's fold. */
function sumIsAddition(): boolean {
  const impl = FUNCTION_BY_NAME.get("sum")?.impl;
  return impl?.kind === "reduce" && impl.init === "0" && impl.step === "acc += $x;" && impl.finish === undefined;
}

/**
 * The fold of a reduction: the stdlib's `reduce` implementation (stdlib/reductions.ts), whose
 * snippets are inlined as written there. count and ht are the stdlib's `special` entries: count
 * adds up conditions, or counts the elements of a collection; ht folds the elements' pt as sum does.
 */
function reduceRule(fn: string, list: ListV): { init: string; step: string; finish?: string; boolElements: boolean; boolResult: boolean } {
  if (fn === "count") {
    const bools = list.shape.k === "bool";
    return { init: "0", step: bools ? "acc += ($x) | 0;" : "acc++;", boolElements: bools, boolResult: false };
  }
  const std = FUNCTION_BY_NAME.get(fn === "ht" ? "sum" : fn);
  if (std?.impl.kind !== "reduce") throw new KernelError(`unknown reduction '${fn}'`);
  const { init, step, finish } = std.impl;
  // a fold of conditions (any, all) reads its elements as conditions and gives one
  const boolElements = std.signatures[0].params[0].kind === "list<bool>";
  const boolResult = std.signatures[0].returns === "bool";
  return finish === undefined ? { init, step, boolElements, boolResult } : { init, step, finish, boolElements, boolResult };
}

function readsCandidateScore(e: ExprIR): boolean {
  if (e.op === "score" && e.per) return true;
  return "args" in e && (e.args as ExprIR[]).some(readsCandidateScore);
}

/**
 * count(collection where cond) for every element of the batch in one flat pass, before the event
 * loop: a running count over the elements, which each event reads as a difference at its
 * bounds. A loop per event costs a mispredicted branch at its exit, more than the elements of a
 * typical event; this pass has none. Only where the condition depends on nothing but the
 * element's own fields and constants (checked on the generated code: any other local, such as an
 * event-level value, makes it fall back) and is cheap and pure. Counts are integers, so the
 * result is exactly that of the per-event loop.
 */
export function flatCount(g: Gen, src: ListV, cond: ExprIR): NumV | undefined {
  if (src.map !== null || !src.iter.key.startsWith("coll:") || src.shape.k !== "obj") return undefined;
  // a per-candidate score is read at the element's position in its event: not in a flat pass
  if (readsCandidateScore(cond)) return undefined;
  const coll = src.shape.coll;
  const key = `count:${coll.name}:${JSON.stringify(cond)}`;
  bounds(g, coll);
  const { off, b, e } = g.bounded.get(coll.name)!;
  let cum = g.flatPasses.get(key);
  if (!cum) {
    // Compiling may bind values in the event loop or the kernel's top (e.g. an event-level value
    // the condition uses): undo that if the pass turns out impossible.
    const saved = {
      ev: g.ev.lines.length,
      evMemo: new Map(g.ev.memo),
      root: g.root.lines.length,
      rootMemo: new Map(g.root.memo),
      scratch: g.scratch.length,
      persistent: g.persistent.length,
      passes: new Map(g.flatPasses),
    };
    const undo = () => {
      g.ev.lines.length = saved.ev;
      g.ev.memo = saved.evMemo;
      g.root.lines.length = saved.root;
      g.root.memo = saved.rootMemo;
      g.scratch.length = saved.scratch;
      g.persistent.length = saved.persistent;
      g.flatPasses.clear();
      for (const [k, v] of saved.passes) g.flatPasses.set(k, v);
      return undefined;
    };
    const block: Block = { lines: [], depth: 1, memo: new Map() };
    const j = g.fresh("j");
    g.flatPassDepth++;
    let mask: string | undefined;
    try {
      mask = maskOf(g, { block, els: [] }, { k: "obj", coll, idx: j, missing: false, home: block }, cond);
    } finally {
      g.flatPassDepth--;
    }
    if (mask === undefined || g.ev.lines.length !== saved.ev || g.root.lines.length !== saved.root) return undo();
    const code = [...block.lines, mask].join("\n");
    const declared = new Set([...code.matchAll(/\b(?:const|let) ([A-Za-z_$][\w$]*)/g)].map((m) => m[1]));
    const allowed = (id: string) =>
      id === j || declared.has(id) || FLAT_GLOBALS.has(id) || PRELUDE_NAMES.has(id) || [...g.branches.values()].some((br) => br.local === id);
    for (const m of code.matchAll(/(?<![\w$.])[A-Za-z_$][\w$]*/g)) if (!allowed(m[0])) return undo();
    const kept = g.fresh(`kept_count_${sanitize(coll.name)}`);
    cum = g.fresh(`flat_count_${sanitize(coll.name)}`);
    g.flatPasses.set(key, cum);
    const total = g.fresh("total");
    const c = g.fresh("c");
    g.persistent.push(`let ${kept} = new Int32Array(0); // count(${coll.name} where ...) per element, kept from batch to batch`);
    g.root.lines.push(
      `// count(${coll.name} where ...) over every element of the batch: a running count, read per event at its bounds`,
      `const ${total} = ${off}[n];`,
      `if (${kept}.length <= ${total}) ${kept} = new Int32Array(${total} + 1 + (${total} >> 2));`,
      `const ${cum} = ${kept}; // a local: the loops below then need no context load`,
      `let ${c} = 0;`,
      `for (let ${j} = 0; ${j} < ${total}; ${j}++) {`,
      ...indent([...block.lines, `${cum}[${j}] = ${c};`, `${c} += (${mask}) | 0;`]),
      "}",
      `${cum}[${total}] = ${c};`,
    );
  }
  return g.num(g.cse(g.ev, `(${cum}[${e}] - ${cum}[${b}])`, "count"), g.ev);
}

/**
 * sum(list where cond) without a branch per element: Σ v · cond over the unfiltered list. A
 * missing or infinite v that fails the condition makes v · 0 NaN, so a NaN result is recomputed
 * with the filtering loop; otherwise every failing v added exactly 0 and the result has the bits
 * of the filtering loop's. Only for cheap, pure conditions and values.
 */
export function maskedSum(g: Gen, fn: "sum" | "ht", list: ListV, cx: Cx): NumV | undefined {
  const { src, cond } = list.iter.filtered!;
  const acc = g.fresh("sum");
  const loopCx = g.child(cx);
  let ok = true;
  each(g, loopCx, src, (c, raw) => {
    const el = g.hoist(raw, "e");
    const m = maskOf(g, c, el, cond);
    const mapped = list.map ? list.map(c, el) : el;
    const v = fn === "ht" ? member(g, c, mapped, "pt", "float") : mapped;
    if (m === undefined || v.k !== "num" || !cheap(v.js)) ok = false;
    else c.block.lines.push(`${acc} += ${v.js} * ((${m}) | 0);`);
  });
  if (!ok) return undefined;
  const slow = g.child(cx);
  const again = reduceLoop(g, fn, list, slow);
  cx.block.lines.push(`let ${acc} = 0;`, ...loopCx.block.lines, `if (${acc} !== ${acc}) {`, ...indent(slow.block.lines), `  ${acc} = ${again};`, "}");
  return g.num(acc, cx.block);
}

/** The filtering loop of a sum, into cx; returns its result's local. */
export function reduceLoop(g: Gen, fn: "sum" | "ht", list: ListV, cx: Cx): string {
  const acc = g.fresh("sum");
  cx.block.lines.push(`let ${acc} = 0;`);
  const loopCx = g.child(cx);
  each(g, loopCx, list, (c, x) => c.block.lines.push(`${acc} += ${g.numJs(fn === "ht" ? member(g, c, x, "pt", "float") : x)};`));
  cx.block.lines.push(...loopCx.block.lines);
  return acc;
}
