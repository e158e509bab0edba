/**
 * Combinatorics and ordering: the best element by a criterion, stable sorting by a key, and the
 * pairs of one list or of two.
 */
import type { ExprIR } from "../../plan/types.js";
import type { Gen } from "./emit.js";
import { compile } from "./expr.js";
import { each, fromSlots, materialize, random, slotsOf } from "./lists.js";
import { type Cx, DEFAULT, elemShape, type Iter, type ListV, slotKinds, type Val } from "./values.js";

/**
 * The element with the smallest criterion (ties: the first; missing criteria never win). Further
 * criteria break ties in order: a present one beats a missing one, two missing ones are equal.
 */
export function best(g: Gen, list: ListV, crits: ExprIR[], cx: Cx): Val {
  if (crits.length > 1) return bestOfKeys(g, list, crits, cx);
  const crit = crits[0];
  const kinds = slotKinds(list.shape);
  const slots = kinds.map((kind) => g.fresh(kind === "i" ? "bi" : "bx"));
  const bk = g.fresh("bk");
  cx.block.lines.push(`let ${bk} = NaN${slots.map((s, n) => `, ${s} = ${DEFAULT[kinds[n]]}`).join("")};`);
  const loopCx = g.child(cx);
  each(g, loopCx, list, (c, el) => {
    const scoped: Cx = { block: c.block, els: [...c.els, el] };
    const k = g.cse(c.block, g.numJs(compile(g, crit, scoped)), "c");
    const vals = slotsOf(g, el);
    c.block.lines.push(`if (${k} < ${bk} || (${bk} !== ${bk} && ${k} === ${k})) { ${bk} = ${k}; ${slots.map((s, n) => `${s} = ${vals[n]};`).join(" ")} }`);
  });
  cx.block.lines.push(...loopCx.block.lines);
  return fromSlots(g, list.shape, slots, cx.block, true);
}

/** `best` with tie-breaking keys: lexicographic on (k0, k1, ...), k0 required to be present. */
function bestOfKeys(g: Gen, list: ListV, crits: ExprIR[], cx: Cx): Val {
  const kinds = slotKinds(list.shape);
  const slots = kinds.map((kind) => g.fresh(kind === "i" ? "bi" : "bx"));
  const bks = crits.map(() => g.fresh("bk"));
  const found = g.fresh("bf");
  cx.block.lines.push(`let ${found} = false${bks.map((b) => `, ${b} = NaN`).join("")}${slots.map((s, n) => `, ${s} = ${DEFAULT[kinds[n]]}`).join("")};`);
  const loopCx = g.child(cx);
  each(g, loopCx, list, (c, el) => {
    const scoped: Cx = { block: c.block, els: [...c.els, el] };
    const ks = crits.map((crit) => g.cse(c.block, g.numJs(compile(g, crit, scoped)), "c"));
    // from the last key back: better here, or equal here and better on the keys after
    let rest = "false";
    for (let i = ks.length - 1; i >= 1; i--) {
      const [k, b] = [ks[i], bks[i]];
      rest = `(${k} < ${b} || (${k} === ${k} && ${b} !== ${b}) || ((${k} === ${b} || (${k} !== ${k} && ${b} !== ${b})) && ${rest}))`;
    }
    const better = `(${ks[0]} < ${bks[0]} || (${ks[0]} === ${bks[0]} && ${rest}))`;
    const vals = slotsOf(g, el);
    c.block.lines.push(`if (${ks[0]} === ${ks[0]} && (!${found} || ${better})) { ${found} = true; ${bks.map((b, n) => `${b} = ${ks[n]};`).join(" ")} ${slots.map((s, n) => `${s} = ${vals[n]};`).join(" ")} }`);
  });
  cx.block.lines.push(...loopCx.block.lines);
  return fromSlots(g, list.shape, slots, cx.block, true);
}

/** Stable sort by a per-element key, increasing, missing keys last (insertion sort: lists are short). */
export function sortBy(g: Gen, list: ListV, keyIr: ExprIR, cx: Cx): ListV {
  const m = materialize(g, cx, list, "sorted", undefined, (c, el) => g.num(g.numJs(compile(g, keyIr, { block: c.block, els: [...c.els, el] })), c.block));
  const key = m.keyArr!;
  const arrays = m.arrays;
  const p = g.fresh("p");
  const q = g.fresh("q");
  const kv = g.fresh("kv");
  const saved = arrays.map(() => g.fresh("sv"));
  cx.block.lines.push(
    `for (let ${p} = 1; ${p} < ${m.count}; ${p}++) {`,
    `  const ${kv} = ${key}[${p}];${arrays.map((a, n) => ` const ${saved[n]} = ${a}[${p}];`).join("")}`,
    `  let ${q} = ${p};`,
    `  while (${q} > 0 && (${kv} < ${key}[${q} - 1] || (${key}[${q} - 1] !== ${key}[${q} - 1] && ${kv} === ${kv}))) {`,
    `    ${key}[${q}] = ${key}[${q} - 1];${arrays.map((a) => ` ${a}[${q}] = ${a}[${q} - 1];`).join("")}`,
    `    ${q}--;`,
    "  }",
    `  ${key}[${q}] = ${kv};${arrays.map((a, n) => ` ${a}[${q}] = ${saved[n]};`).join("")}`,
    "}",
  );
  return m;
}

export function pairs(g: Gen, lists: ListV[], ir: ExprIR): ListV {
  const shape = elemShape(g.shape(ir.type));
  const id = `pairs:${JSON.stringify(ir)}`;
  if (lists.length === 1) {
    const [a] = lists;
    const iter: Iter = {
      key: id,
      shape,
      each: (cx, body) => {
        const r = random(g, cx, a, "pa");
        const p = g.fresh("p");
        const q = g.fresh("q");
        g.loop(cx, `for (let ${p} = 0; ${p} < ${r.len}; ${p}++)`, (outer) => {
          const x = g.hoist(r.get(outer, g.num(p, outer.block)), "first");
          g.loop(outer, `for (let ${q} = ${p} + 1; ${q} < ${r.len}; ${q}++)`, (inner) => {
            const y = g.hoist(r.get(inner, g.num(q, inner.block)), "second");
            body(inner, { k: "pair", a: x, b: y });
          });
        });
      },
    };
    return { k: "list", id, shape, iter, map: null };
  }
  const [a, b] = lists;
  const iter: Iter = {
    key: id,
    shape,
    each: (cx, body) => {
      const rb = random(g, cx, b, "pb");
      const q = g.fresh("q");
      each(g, cx, a, (outer, x) => {
        const hx = g.hoist(x, "first");
        g.loop(outer, `for (let ${q} = 0; ${q} < ${rb.len}; ${q}++)`, (inner) => {
          body(inner, { k: "pair", a: hx, b: g.hoist(rb.get(inner, g.num(q, inner.block)), "second") });
        });
      });
    },
  };
  return { k: "list", id, shape, iter, map: null };
}

const MEMBER_HINTS = ["first", "second", "third", "fourth", "fifth", "sixth"];

/**
 * combinations(a, k) / permutations(a, k): nested loops over positions of `a` (stored first when it
 * has no random access), the candidates in itertools' order. For combinations each position starts
 * after the one before; for permutations each runs over the whole list and skips the positions
 * already taken. A candidate is a tuple of its members.
 */
export function tuples(g: Gen, list: ListV, k: number, ordered: boolean, ir: ExprIR): ListV {
  const shape = elemShape(g.shape(ir.type));
  const id = `${ordered ? "permutations" : "combinations"}:${JSON.stringify(ir)}`;
  const iter: Iter = {
    key: id,
    shape,
    each: (cx, body) => {
      const r = random(g, cx, list, "cb");
      const taken: string[] = [];
      const items: Val[] = [];
      const level = (c: Cx, d: number): void => {
        if (d === k) {
          body(c, { k: "tuple", items: [...items] });
          return;
        }
        const p = g.fresh("p");
        const start = !ordered && d > 0 ? `${taken[d - 1]} + 1` : "0";
        g.loop(c, `for (let ${p} = ${start}; ${p} < ${r.len}; ${p}++)`, (inner) => {
          if (ordered && d > 0) inner.block.lines.push(`if (${taken.map((q) => `${p} === ${q}`).join(" || ")}) continue;`);
          taken.push(p);
          items.push(g.hoist(r.get(inner, g.num(p, inner.block)), MEMBER_HINTS[d]));
          level(inner, d + 1);
          taken.pop();
          items.pop();
        });
      };
      level(cx, 0);
    },
  };
  return { k: "list", id, shape, iter, map: null };
}
