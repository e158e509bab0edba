/**
 * Code generation: the plan's typed expressions become the body of one JavaScript function that
 * loops over the events of a batch and computes every requested output in that single loop.
 *
 * Values are tracked at generation time, not at run time: a number is a JS expression; an object
 * of a collection is the index of its row in the collection's column arrays (−1 when missing); a
 * computed four-vector is four locals; a pair is two such values; a list is either *lazy* (a
 * length and a way to produce element k inside whatever loop consumes it, so `sum(jets.pt)` or
 * `count(jets.pt > 25)` fuse into one loop without temporaries) or materialised into a scratch
 * buffer that is reused event after event (no allocation in the loop).
 */
import type { CollectionIR, ExprIR } from "../../compiler/plan/types.js";
import { FUNCTION_BY_NAME } from "../../stdlib/index.js";

export type Val =
  | { t: "num"; e: string }
  | { t: "elem"; coll: string; e: string }
  | { t: "p4"; px: string; py: string; pz: string; E: string }
  | { t: "pair"; a: Val; b: Val }
  | ListVal;

/** A list: `len` elements, element k produced by `at` (which may emit statements first). */
export interface ListVal {
  t: "list";
  /** What the elements are: numbers, rows of a collection, or pairs of rows. */
  of: "num" | "elem" | "pair";
  coll?: string;
  collB?: string;
  len: string;
  at(k: string, ctx: Ctx): Val;
}

export interface Ctx {
  out: string[];
  /** The current element of the innermost `where` or per-element argument. */
  self?: Val;
}

const KIN = ["px", "py", "pz", "E", "pt", "eta", "phi", "mass"] as const;
type Kin = (typeof KIN)[number];

export class Generator {
  private n = 0;
  /** Declarations that live in the function's prologue (scratch buffers). */
  readonly prologue: string[] = [];
  /** Per-batch set-up: column arrays and kinematic helpers. */
  readonly setup: string[] = [];
  readonly branches = new Set<string>();
  private readonly collections: Map<string, CollectionIR>;
  private readonly usedCollections = new Set<string>();
  /** Defines computed at the top of each event, in dependency order, with the value they hold. */
  private readonly defineVals = new Map<string, Val>();
  private readonly eventPrelude: string[] = [];
  private readonly inProgress = new Set<string>();

  constructor(
    collections: CollectionIR[],
    private readonly defines: Record<string, ExprIR>,
    private readonly regions: Record<string, ExprIR>,
  ) {
    this.collections = new Map(collections.map((c) => [c.name, c]));
  }

  fresh(prefix = "v"): string {
    return `${prefix}${this.n++}`;
  }

  /** The statements that compute every define an output needs, once per event. */
  get prelude(): string[] {
    return this.eventPrelude;
  }

  // ---- branches and collections ------------------------------------------------------------------

  private branchArray(name: string): string {
    this.branches.add(name);
    return `col(${JSON.stringify(name)})`;
  }

  private colVar(name: string): string {
    const v = `b_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;
    if (!this.setup.some((l) => l.startsWith(`const ${v} =`))) this.setup.push(`const ${v} = ${this.branchArray(name)};`);
    return v;
  }

  private offsetsVar(name: string): string {
    const v = `o_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;
    if (!this.setup.some((l) => l.startsWith(`const ${v} =`))) {
      this.branches.add(name);
      this.setup.push(`const ${v} = offsets(${JSON.stringify(name)});`);
    }
    return v;
  }

  /** Offsets built from a count branch (nMuon): the rows of event i are off[i] .. off[i + 1]. */
  private countOffsets(branch: string): string {
    const v = `oc_${branch.replace(/[^A-Za-z0-9_]/g, "_")}`;
    if (!this.setup.some((l) => l.startsWith(`const ${v} =`))) this.setup.push(`const ${v} = countsToOffsets(${this.colVar(branch)}, n);`);
    return v;
  }

  private collection(name: string): CollectionIR {
    const c = this.collections.get(name);
    if (!c) throw new Error(`internal: no collection '${name}' in the plan`);
    if (!this.usedCollections.has(name)) {
      this.usedCollections.add(name);
      if (c.kinematics) this.kinematicHelpers(c);
    }
    return c;
  }

  /** The jagged branch whose offsets count a collection's rows. */
  private countingBranch(c: CollectionIR): string {
    const candidates = [...Object.values(c.kinematics?.fields ?? {}), ...Object.values(c.fields)];
    if (candidates.length === 0) throw new Error(`internal: collection '${c.name}' has no branch to count it by`);
    return candidates[0];
  }

  /** Field f of row `k` of collection c (NaN for a missing row). */
  field(collName: string, f: string, k: string): string {
    const c = this.collection(collName);
    if ((KIN as readonly string[]).includes(f) && c.kinematics) return `K_${c.name}_${f}(${k})`;
    const branch = c.fields[f];
    if (!branch) throw new Error(`internal: collection '${c.name}' has no field '${f}' in the plan`);
    return `(${k} >= 0 ? ${this.colVar(branch)}[${k}] : NaN)`;
  }

  private kinematicHelpers(c: CollectionIR): void {
    const k = c.kinematics!;
    const a = (comp: string) => this.colVar(k.fields[comp]);
    const fn = (name: Kin, body: string) => this.setup.push(`const K_${c.name}_${name} = (k) => (k < 0 ? NaN : ${body});`);
    switch (k.source) {
      case "pxpypzE":
        fn("px", `${a("px")}[k]`);
        fn("py", `${a("py")}[k]`);
        fn("pz", `${a("pz")}[k]`);
        fn("E", `${a("E")}[k]`);
        fn("pt", `Math.hypot(${a("px")}[k], ${a("py")}[k])`);
        fn("phi", `Math.atan2(${a("py")}[k], ${a("px")}[k])`);
        fn("eta", `etaOf(${a("px")}[k], ${a("py")}[k], ${a("pz")}[k])`);
        fn("mass", `massOf(${a("px")}[k], ${a("py")}[k], ${a("pz")}[k], ${a("E")}[k])`);
        break;
      case "ptetaphim":
      case "ptetaphi": {
        const m = k.source === "ptetaphim" ? `${a("mass")}[k]` : "0";
        fn("pt", `${a("pt")}[k]`);
        fn("eta", `${a("eta")}[k]`);
        fn("phi", `${a("phi")}[k]`);
        fn("mass", m);
        fn("px", `${a("pt")}[k] * Math.cos(${a("phi")}[k])`);
        fn("py", `${a("pt")}[k] * Math.sin(${a("phi")}[k])`);
        fn("pz", `${a("pt")}[k] * Math.sinh(${a("eta")}[k])`);
        fn("E", `Math.hypot(${a("pt")}[k] * Math.cosh(${a("eta")}[k]), ${m})`);
        break;
      }
      case "pxpy":
      case "ptphi": {
        // Transverse-only objects (missing momentum): massless, pz = 0.
        const pt = k.source === "pxpy" ? `Math.hypot(${a("px")}[k], ${a("py")}[k])` : `${a("pt")}[k]`;
        const phi = k.source === "pxpy" ? `Math.atan2(${a("py")}[k], ${a("px")}[k])` : `${a("phi")}[k]`;
        fn("pt", pt);
        fn("phi", phi);
        fn("eta", "0");
        fn("mass", "0");
        fn("pz", "0");
        fn("E", pt);
        fn("px", k.source === "pxpy" ? `${a("px")}[k]` : `${pt} * Math.cos(${phi})`);
        fn("py", k.source === "pxpy" ? `${a("py")}[k]` : `${pt} * Math.sin(${phi})`);
        break;
      }
    }
  }

  // ---- scratch buffers ----------------------------------------------------------------------------

  /** A reusable buffer, grown when an event needs more room. */
  private scratch(kind: "f64" | "i32"): string {
    const v = this.fresh(kind === "f64" ? "sf" : "si");
    this.prologue.push(`let ${v} = new ${kind === "f64" ? "Float64Array" : "Int32Array"}(16);`);
    return v;
  }
  private ensure(ctx: Ctx, buf: string, need: string, kind: "f64" | "i32"): void {
    ctx.out.push(`if (${buf}.length < ${need}) ${buf} = new ${kind === "f64" ? "Float64Array" : "Int32Array"}(Math.max(16, 2 * (${need})));`);
  }

  private let(ctx: Ctx, e: string, prefix = "v"): string {
    const v = this.fresh(prefix);
    ctx.out.push(`const ${v} = ${e};`);
    return v;
  }

  // ---- values -------------------------------------------------------------------------------------

  /** A number (bools as 1/0; NaN is missing, and falsy). */
  num(v: Val, ctx: Ctx): string {
    if (v.t === "num") return v.e;
    throw new Error(`internal: expected a number, got a ${v.t}`);
  }

  /** Materialises a list into a scratch buffer so it can be indexed and reused. */
  materialize(l: ListVal, ctx: Ctx): ListVal {
    const len = this.let(ctx, l.len, "n");
    if (l.of === "num") {
      const buf = this.scratch("f64");
      this.ensure(ctx, buf, len, "f64");
      const k = this.fresh("k");
      const inner: Ctx = { out: [], self: ctx.self };
      const e = this.num(l.at(k, inner), inner);
      ctx.out.push(`for (let ${k} = 0; ${k} < ${len}; ${k}++) {`, ...inner.out, `${buf}[${k}] = ${e};`, `}`);
      return { t: "list", of: "num", len, at: (kk) => ({ t: "num", e: `${buf}[${kk}]` }) };
    }
    if (l.of === "elem") {
      const buf = this.scratch("i32");
      this.ensure(ctx, buf, len, "i32");
      const k = this.fresh("k");
      const inner: Ctx = { out: [], self: ctx.self };
      const e = l.at(k, inner) as { e: string };
      ctx.out.push(`for (let ${k} = 0; ${k} < ${len}; ${k}++) {`, ...inner.out, `${buf}[${k}] = ${e.e};`, `}`);
      return { t: "list", of: "elem", coll: l.coll, len, at: (kk) => ({ t: "elem", coll: l.coll!, e: `${buf}[${kk}]` }) };
    }
    const ba = this.scratch("i32");
    const bb = this.scratch("i32");
    this.ensure(ctx, ba, len, "i32");
    this.ensure(ctx, bb, len, "i32");
    const k = this.fresh("k");
    const inner: Ctx = { out: [], self: ctx.self };
    const p = l.at(k, inner) as { t: "pair"; a: { e: string }; b: { e: string } };
    ctx.out.push(`for (let ${k} = 0; ${k} < ${len}; ${k}++) {`, ...inner.out, `${ba}[${k}] = ${p.a.e}; ${bb}[${k}] = ${p.b.e};`, `}`);
    return {
      t: "list",
      of: "pair",
      coll: l.coll,
      collB: l.collB,
      len,
      at: (kk) => ({ t: "pair", a: { t: "elem", coll: l.coll!, e: `${ba}[${kk}]` }, b: { t: "elem", coll: l.collB!, e: `${bb}[${kk}]` } }),
    };
  }

  /** The four-vector components of an object, a pair (their sum) or a computed p4. */
  p4(v: Val, ctx: Ctx): { px: string; py: string; pz: string; E: string } {
    if (v.t === "p4") return v;
    if (v.t === "elem") {
      const idx = this.let(ctx, v.e, "i");
      return {
        px: this.let(ctx, this.field(v.coll, "px", idx)),
        py: this.let(ctx, this.field(v.coll, "py", idx)),
        pz: this.let(ctx, this.field(v.coll, "pz", idx)),
        E: this.let(ctx, this.field(v.coll, "E", idx)),
      };
    }
    if (v.t === "pair") return this.sum(this.p4(v.a, ctx), this.p4(v.b, ctx), ctx);
    throw new Error(`internal: not a four-vector: ${v.t}`);
  }

  private sum(a: { px: string; py: string; pz: string; E: string }, b: { px: string; py: string; pz: string; E: string }, ctx: Ctx) {
    return {
      px: this.let(ctx, `${a.px} + ${b.px}`),
      py: this.let(ctx, `${a.py} + ${b.py}`),
      pz: this.let(ctx, `${a.pz} + ${b.pz}`),
      E: this.let(ctx, `${a.E} + ${b.E}`),
    };
  }

  /** One kinematic component; objects of a collection read it from their own branches. */
  kin(v: Val, comp: Kin, ctx: Ctx): string {
    if (v.t === "elem") return this.field(v.coll, comp, v.e);
    const p = this.p4(v, ctx);
    switch (comp) {
      case "px":
      case "py":
      case "pz":
      case "E":
        return p[comp];
      case "pt":
        return `Math.hypot(${p.px}, ${p.py})`;
      case "phi":
        return `Math.atan2(${p.py}, ${p.px})`;
      case "eta":
        return `etaOf(${p.px}, ${p.py}, ${p.pz})`;
      case "mass":
        return `massOf(${p.px}, ${p.py}, ${p.pz}, ${p.E})`;
    }
  }

  /** A field of a record value: an object's column, a pair's member or kinematics. */
  member(v: Val, name: string, ctx: Ctx): Val {
    if (v.t === "pair") {
      if (name === "first") return v.a;
      if (name === "second") return v.b;
      return { t: "num", e: this.kin(v, name as Kin, ctx) };
    }
    if (v.t === "p4") return { t: "num", e: this.kin(v, name as Kin, ctx) };
    if (v.t === "elem") return { t: "num", e: this.field(v.coll, name, v.e) };
    if (v.t === "list") return this.mapList(v, (el, c) => this.member(el, name, c), "num");
    throw new Error(`internal: no field '${name}' on a ${v.t}`);
  }

  /** A lazy list of f(element). */
  mapList(l: ListVal, f: (el: Val, ctx: Ctx) => Val, of: ListVal["of"], coll?: string): ListVal {
    return { t: "list", of, coll: coll ?? (of === "elem" ? l.coll : undefined), len: l.len, at: (k, ctx) => f(l.at(k, ctx), ctx) };
  }

  // ---- expressions --------------------------------------------------------------------------------

  gen(e: ExprIR, ctx: Ctx): Val {
    switch (e.op) {
      case "const":
        return { t: "num", e: typeof e.value === "boolean" ? (e.value ? "1" : "0") : numberLiteral(e.value) };
      case "branch":
        return this.branch(e);
      case "builtin":
        if (e.name === "entry") return { t: "num", e: "(entry0 + i)" };
        throw new Error(`internal: unknown builtin '${e.name}'`);
      case "this":
        if (!ctx.self) throw new Error("internal: 'this' outside an element scope");
        return ctx.self;
      case "field":
        if (!ctx.self) throw new Error(`internal: field '${e.name}' outside an element scope`);
        return this.member(ctx.self, e.name, ctx);
      case "collection":
        return this.baseCollection(e.name);
      case "ref":
        return this.ref(e.decl, e.name);
      case "unary": {
        const a = this.gen(e.args[0], ctx);
        return this.lift([a], ([x]) => (e.fn === "not" ? `(${x} ? 0 : ${x} === ${x} ? 1 : NaN)` : `(-${x})`), ctx);
      }
      case "binary":
        return this.binary(e, ctx);
      case "call":
        return this.call(e, ctx);
      case "index": {
        const l = this.gen(e.args[0], ctx) as ListVal;
        const i = this.let(ctx, this.num(this.gen(e.args[1], ctx), ctx), "x");
        const m = this.materialize(l, ctx);
        if (m.of === "num") return { t: "num", e: `(${i} >= 0 && ${i} < ${m.len} ? ${(m.at(i, ctx) as { e: string }).e} : NaN)` };
        if (m.of === "elem") return { t: "elem", coll: m.coll!, e: this.let(ctx, `(${i} >= 0 && ${i} < ${m.len} ? ${(m.at(i, ctx) as { e: string }).e} : -1)`, "i") };
        const p = m.at(i, ctx) as { t: "pair"; a: { e: string; coll: string }; b: { e: string; coll: string } };
        const ok = this.let(ctx, `(${i} >= 0 && ${i} < ${m.len})`, "ok");
        return { t: "pair", a: { t: "elem", coll: p.a.coll, e: `(${ok} ? ${p.a.e} : -1)` }, b: { t: "elem", coll: p.b.coll, e: `(${ok} ? ${p.b.e} : -1)` } };
      }
      case "member":
        return this.member(this.gen(e.args[0], ctx), e.name, ctx);
      case "where":
        return this.where(this.gen(e.args[0], ctx) as ListVal, e.args[1], ctx);
    }
  }

  private branch(e: Extract<ExprIR, { op: "branch" }>): Val {
    if (e.type.startsWith("list<")) {
      const off = this.offsetsVar(e.name);
      const vals = this.colVar(e.name);
      return { t: "list", of: "num", len: `(${off}[i + 1] - ${off}[i])`, at: (k) => ({ t: "num", e: `${vals}[${off}[i] + ${k}]` }) };
    }
    return { t: "num", e: `${this.colVar(e.name)}[i]` };
  }

  private baseCollection(name: string): Val {
    const c = this.collection(name);
    if (c.shape === "single") return { t: "elem", coll: name, e: "i" };
    const off = c.countBranch ? this.countOffsets(c.countBranch) : this.offsetsVar(this.countingBranch(c));
    return { t: "list", of: "elem", coll: name, len: `(${off}[i + 1] - ${off}[i])`, at: (k) => ({ t: "elem", coll: name, e: `(${off}[i] + ${k})` }) };
  }

  /** A define or region: computed once per event at the top of the loop, then reused. */
  private ref(decl: "define" | "object" | "region", name: string): Val {
    const key = `${decl === "region" ? "region" : "define"}:${name}`;
    const known = this.defineVals.get(key);
    if (known) return known;
    if (this.inProgress.has(key)) throw new Error(`internal: cycle through ${key}`);
    this.inProgress.add(key);
    const ir = decl === "region" ? this.regions[name] : this.defines[name];
    if (!ir) throw new Error(`internal: no ${decl} '${name}' in the plan`);
    const ctx: Ctx = { out: this.eventPrelude };
    this.eventPrelude.push(`// ${decl} ${name}`);
    let v = this.gen(ir, ctx);
    if (v.t === "list") v = this.materialize(v, ctx);
    else if (v.t === "num") v = { t: "num", e: this.let(ctx, v.e, `d_${name}_`) };
    else if (v.t === "elem") v = { t: "elem", coll: v.coll, e: this.let(ctx, v.e, `d_${name}_`) };
    else if (v.t === "pair") {
      const pv = v;
      v = { t: "pair", a: this.pinned(pv.a, ctx), b: this.pinned(pv.b, ctx) };
    } else v = { t: "p4", ...this.p4(v, ctx) };
    this.inProgress.delete(key);
    this.defineVals.set(key, v);
    return v;
  }

  private pinned(v: Val, ctx: Ctx): Val {
    if (v.t === "elem") return { t: "elem", coll: v.coll, e: this.let(ctx, v.e, "i") };
    if (v.t === "num") return { t: "num", e: this.let(ctx, v.e) };
    return v;
  }

  /** Applies a scalar operation elementwise when any argument is a list (lazily, same length). */
  lift(args: Val[], f: (xs: string[]) => string, ctx: Ctx): Val {
    const lists = args.filter((a): a is ListVal => a.t === "list");
    if (lists.length === 0) return { t: "num", e: f(args.map((a) => this.num(a, ctx))) };
    const pinnedArgs = args.map((a) => (a.t === "num" ? ({ t: "num", e: this.let(ctx, a.e) } as Val) : a));
    const len = lists.length === 1 ? lists[0].len : `Math.min(${lists.map((l) => l.len).join(", ")})`;
    return {
      t: "list",
      of: "num",
      len,
      at: (k, c) => ({ t: "num", e: f(pinnedArgs.map((a) => (a.t === "list" ? this.num(a.at(k, c), c) : this.num(a, c)))) }),
    };
  }

  /** Elementwise over lists of objects for functions of four-vectors (deltaR(mu, jets)). */
  private liftRecords(args: Val[], f: (xs: Val[], c: Ctx) => string, ctx: Ctx): Val {
    const lists = args.filter((a): a is ListVal => a.t === "list");
    if (lists.length === 0) return { t: "num", e: f(args, ctx) };
    const len = lists.length === 1 ? lists[0].len : `Math.min(${lists.map((l) => l.len).join(", ")})`;
    return { t: "list", of: "num", len, at: (k, c) => ({ t: "num", e: f(args.map((a) => (a.t === "list" ? a.at(k, c) : a)), c) }) };
  }

  private binary(e: Extract<ExprIR, { op: "binary" }>, ctx: Ctx): Val {
    const a = this.gen(e.args[0], ctx);
    const b = this.gen(e.args[1], ctx);
    if (e.fn === "+" && a.t !== "num" && a.t !== "list") {
      return { t: "p4", ...this.sum(this.p4(a, ctx), this.p4(b, ctx), ctx) };
    }
    const op = (xs: string[]): string => {
      const [x, y] = xs;
      switch (e.fn) {
        case "and":
          return `(${x} && ${y} ? 1 : 0)`;
        case "or":
          return `(${x} || ${y} ? 1 : 0)`;
        case "==":
          return `(${x} === ${y} ? 1 : 0)`;
        case "!=":
          // Missing is never equal nor unequal: a cut on it fails.
          return `(${x} !== ${y} && ${x} === ${x} && ${y} === ${y} ? 1 : 0)`;
        case "<":
        case "<=":
        case ">":
        case ">=":
          return `(${x} ${e.fn} ${y} ? 1 : 0)`;
        case "~=":
          return `Math.abs(${x} - ${y})`;
        case "%":
          return `floorMod(${x}, ${y})`;
        case "^":
          return `Math.pow(${x}, ${y})`;
        default:
          return `(${x} ${e.fn} ${y})`;
      }
    };
    return this.lift([a, b], op, ctx);
  }

  private where(l: ListVal, cond: ExprIR, ctx: Ctx): ListVal {
    const len = this.let(ctx, l.len, "n");
    const count = this.fresh("m");
    ctx.out.push(`let ${count} = 0;`);
    const k = this.fresh("k");
    if (l.of === "pair") {
      const ba = this.scratch("i32");
      const bb = this.scratch("i32");
      this.ensure(ctx, ba, len, "i32");
      this.ensure(ctx, bb, len, "i32");
      const inner: Ctx = { out: [] };
      const el = l.at(k, inner) as { t: "pair"; a: { e: string }; b: { e: string } };
      const pa = this.let(inner, el.a.e, "i");
      const pb = this.let(inner, el.b.e, "i");
      const self: Val = { t: "pair", a: { t: "elem", coll: l.coll!, e: pa }, b: { t: "elem", coll: l.collB!, e: pb } };
      inner.self = self;
      const c = this.num(this.gen(cond, inner), inner);
      ctx.out.push(`for (let ${k} = 0; ${k} < ${len}; ${k}++) {`, ...inner.out, `if (${c}) { ${ba}[${count}] = ${pa}; ${bb}[${count}] = ${pb}; ${count}++; }`, `}`);
      return { t: "list", of: "pair", coll: l.coll, collB: l.collB, len: count, at: (kk) => ({ t: "pair", a: { t: "elem", coll: l.coll!, e: `${ba}[${kk}]` }, b: { t: "elem", coll: l.collB!, e: `${bb}[${kk}]` } }) };
    }
    const kind = l.of === "num" ? "f64" : "i32";
    const buf = this.scratch(kind);
    this.ensure(ctx, buf, len, kind);
    const inner: Ctx = { out: [] };
    const el = l.at(k, inner) as { e: string };
    const pinned = this.let(inner, el.e, "x");
    inner.self = l.of === "num" ? { t: "num", e: pinned } : { t: "elem", coll: l.coll!, e: pinned };
    const c = this.num(this.gen(cond, inner), inner);
    ctx.out.push(`for (let ${k} = 0; ${k} < ${len}; ${k}++) {`, ...inner.out, `if (${c}) ${buf}[${count}++] = ${pinned};`, `}`);
    if (l.of === "num") return { t: "list", of: "num", len: count, at: (kk) => ({ t: "num", e: `${buf}[${kk}]` }) };
    return { t: "list", of: "elem", coll: l.coll, len: count, at: (kk) => ({ t: "elem", coll: l.coll!, e: `${buf}[${kk}]` }) };
  }

  /** A fold over a list, fused with whatever produces its elements. */
  private fold(l: ListVal, ctx: Ctx, init: string, step: (acc: string, x: string) => string, finish?: (acc: string, n: string) => string): Val {
    const len = this.let(ctx, l.len, "n");
    const acc = this.fresh("acc");
    const k = this.fresh("k");
    ctx.out.push(`let ${acc} = ${init};`);
    const inner: Ctx = { out: [], self: ctx.self };
    const x = this.num(l.at(k, inner), inner);
    ctx.out.push(`for (let ${k} = 0; ${k} < ${len}; ${k}++) {`, ...inner.out, `${acc} = ${step(acc, `(${x})`)};`, `}`);
    return { t: "num", e: finish ? finish(acc, len) : acc };
  }

  private call(e: Extract<ExprIR, { op: "call" }>, ctx: Ctx): Val {
    const fn = e.fn;
    const perElement = ["sort_by", "best"].includes(fn);
    const args = perElement ? [this.gen(e.args[0], ctx)] : e.args.map((a) => this.gen(a, ctx));
    const list0 = args[0] as ListVal;
    switch (fn) {
      case "pt":
      case "eta":
      case "phi":
      case "mass":
      case "E":
      case "px":
      case "py":
      case "pz":
        return this.liftRecords(args, ([x], c) => this.kin(x, fn, c), ctx);
      case "deltaPhi":
        return this.liftRecords(args, ([a, b], c) => `wrapPhi(${this.kin(a, "phi", c)} - ${this.kin(b, "phi", c)})`, ctx);
      case "deltaEta":
        return this.liftRecords(args, ([a, b], c) => `(${this.kin(a, "eta", c)} - ${this.kin(b, "eta", c)})`, ctx);
      case "deltaR":
        return this.liftRecords(args, ([a, b], c) => `Math.hypot(${this.kin(a, "eta", c)} - ${this.kin(b, "eta", c)}, wrapPhi(${this.kin(a, "phi", c)} - ${this.kin(b, "phi", c)}))`, ctx);
      case "mT":
        return this.liftRecords(args, ([a, b], c) => `Math.sqrt(Math.max(0, 2 * ${this.kin(a, "pt", c)} * ${this.kin(b, "pt", c)} * (1 - Math.cos(${this.kin(a, "phi", c)} - ${this.kin(b, "phi", c)}))))`, ctx);
      case "p4":
        return { t: "p4", px: this.let(ctx, this.num(args[0], ctx)), py: this.let(ctx, this.num(args[1], ctx)), pz: this.let(ctx, this.num(args[2], ctx)), E: this.let(ctx, this.num(args[3], ctx)) };
      case "ptetaphim": {
        const [pt, eta, phi, m] = args.map((a) => this.let(ctx, this.num(a, ctx)));
        return { t: "p4", px: this.let(ctx, `${pt} * Math.cos(${phi})`), py: this.let(ctx, `${pt} * Math.sin(${phi})`), pz: this.let(ctx, `${pt} * Math.sinh(${eta})`), E: this.let(ctx, `Math.hypot(${pt} * Math.cosh(${eta}), ${m})`) };
      }
      case "met": {
        const [px, py] = args.map((a) => this.let(ctx, this.num(a, ctx)));
        return { t: "p4", px, py, pz: "0", E: this.let(ctx, `Math.hypot(${px}, ${py})`) };
      }
      case "count":
        if (list0.of === "num") return this.fold(list0, ctx, "0", (acc, x) => `${acc} + (${x} ? 1 : 0)`);
        return { t: "num", e: list0.len };
      case "sum":
        return this.fold(list0, ctx, "0", (acc, x) => `${acc} + ${x}`);
      case "mean":
        return this.fold(list0, ctx, "0", (acc, x) => `${acc} + ${x}`, (acc, n) => `(${n} > 0 ? ${acc} / ${n} : NaN)`);
      case "min":
      case "max":
        if (args.length === 2) return this.lift(args, ([a, b]) => `Math.${fn}(${a}, ${b})`, ctx);
        return this.fold(list0, ctx, fn === "min" ? "Infinity" : "-Infinity", (acc, x) => `(${x} ${fn === "min" ? "<" : ">"} ${acc} || ${x} !== ${x} ? ${x} : ${acc})`, (acc, n) => `(${n} > 0 ? ${acc} : NaN)`);
      case "any":
        return this.fold(list0, ctx, "0", (acc, x) => `(${acc} || ${x} ? 1 : 0)`);
      case "all":
        return this.fold(list0, ctx, "1", (acc, x) => `(${acc} && ${x} ? 1 : 0)`);
      case "ht":
        return this.fold(this.mapList(list0, (el, c) => ({ t: "num", e: this.kin(el, "pt", c) }), "num"), ctx, "0", (acc, x) => `${acc} + ${x}`);
      case "first":
      case "last":
        return this.lastOrFirst(list0, fn, ctx);
      case "sort_by":
        return this.sortBy(list0, e.args[1], ctx);
      case "best":
        return this.best(list0, e.args[1], ctx);
      case "pairs":
        return this.pairs(args as ListVal[], ctx);
      default: {
        const std = FUNCTION_BY_NAME.get(fn);
        if (std?.impl.kind === "scalar") {
          const js = std.impl.js;
          return this.lift(args, (xs) => js.replace(/\$(\d)/g, (_m, d: string) => `(${xs[Number(d)]})`), ctx);
        }
        throw new Error(`internal: no kernel for function '${fn}'`);
      }
    }
  }

  private lastOrFirst(l: ListVal, fn: string, ctx: Ctx): Val {
    const m = this.materialize(l, ctx);
    const idx = fn === "first" ? "0" : `${m.len} - 1`;
    const ok = this.let(ctx, `${m.len} > 0`, "ok");
    const el = m.at(idx, ctx);
    if (el.t === "num") return { t: "num", e: `(${ok} ? ${el.e} : NaN)` };
    if (el.t === "elem") return { t: "elem", coll: el.coll, e: this.let(ctx, `(${ok} ? ${el.e} : -1)`, "i") };
    const p = el as { t: "pair"; a: { coll: string; e: string }; b: { coll: string; e: string } };
    return { t: "pair", a: { t: "elem", coll: p.a.coll, e: `(${ok} ? ${p.a.e} : -1)` }, b: { t: "elem", coll: p.b.coll, e: `(${ok} ? ${p.b.e} : -1)` } };
  }

  /** Per-element keys into a scratch buffer: the key expression sees the element as `this`. */
  private keys(m: ListVal, key: ExprIR, ctx: Ctx): string {
    const buf = this.scratch("f64");
    this.ensure(ctx, buf, m.len, "f64");
    const k = this.fresh("k");
    const inner: Ctx = { out: [] };
    inner.self = this.pinned(m.at(k, inner), inner);
    const x = this.num(this.gen(key, inner), inner);
    ctx.out.push(`for (let ${k} = 0; ${k} < ${m.len}; ${k}++) {`, ...inner.out, `${buf}[${k}] = ${x};`, `}`);
    return buf;
  }

  private sortBy(l: ListVal, key: ExprIR, ctx: Ctx): ListVal {
    const m = this.materialize(l, ctx);
    const keys = this.keys(m, key, ctx);
    const order = this.scratch("i32");
    this.ensure(ctx, order, m.len, "i32");
    // Stable insertion sort of positions by key: lists per event are short. Missing keys go last.
    ctx.out.push(`stableOrder(${keys}, ${m.len}, ${order});`);
    return { ...m, at: (kk, c) => m.at(`${order}[${kk}]`, c) };
  }

  private best(l: ListVal, crit: ExprIR, ctx: Ctx): Val {
    const m = this.materialize(l, ctx);
    const keys = this.keys(m, crit, ctx);
    const pos = this.let(ctx, `argMin(${keys}, ${m.len})`, "p");
    const el = m.at(pos, ctx);
    if (el.t === "num") return { t: "num", e: `(${pos} >= 0 ? ${el.e} : NaN)` };
    if (el.t === "elem") return { t: "elem", coll: el.coll, e: this.let(ctx, `(${pos} >= 0 ? ${el.e} : -1)`, "i") };
    const p = el as { t: "pair"; a: { coll: string; e: string }; b: { coll: string; e: string } };
    return {
      t: "pair",
      a: { t: "elem", coll: p.a.coll, e: this.let(ctx, `(${pos} >= 0 ? ${p.a.e} : -1)`, "i") },
      b: { t: "elem", coll: p.b.coll, e: this.let(ctx, `(${pos} >= 0 ? ${p.b.e} : -1)`, "i") },
    };
  }

  private pairs(lists: ListVal[], ctx: Ctx): ListVal {
    const a = this.materialize(lists[0], ctx);
    const same = lists.length === 1;
    const b = same ? a : this.materialize(lists[1], ctx);
    const ba = this.scratch("i32");
    const bb = this.scratch("i32");
    const need = this.let(ctx, `${a.len} * ${b.len}`, "n");
    this.ensure(ctx, ba, need, "i32");
    this.ensure(ctx, bb, need, "i32");
    const count = this.fresh("m");
    const x = this.fresh("k");
    const y = this.fresh("k");
    const ea = (a.at(x, ctx) as { e: string }).e;
    const eb = (b.at(y, ctx) as { e: string }).e;
    ctx.out.push(
      `let ${count} = 0;`,
      `for (let ${x} = 0; ${x} < ${a.len}; ${x}++) for (let ${y} = ${same ? `${x} + 1` : "0"}; ${y} < ${b.len}; ${y}++) { ${ba}[${count}] = ${ea}; ${bb}[${count}] = ${eb}; ${count}++; }`,
    );
    return {
      t: "list",
      of: "pair",
      coll: a.coll,
      collB: b.coll,
      len: count,
      at: (kk) => ({ t: "pair", a: { t: "elem", coll: a.coll!, e: `${ba}[${kk}]` }, b: { t: "elem", coll: b.coll!, e: `${bb}[${kk}]` } }),
    };
  }
}

function numberLiteral(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v < 0 ? `(${v})` : String(v);
}

/** Helpers every kernel has in scope (kept small so V8 inlines them). */
export const RUNTIME_HELPERS = `
const TWO_PI = 2 * Math.PI;
const wrapPhi = (d) => d - TWO_PI * Math.round(d / TWO_PI);
const etaOf = (px, py, pz) => { const pt = Math.hypot(px, py); return pt === 0 ? (pz === 0 ? 0 : pz > 0 ? Infinity : -Infinity) : Math.asinh(pz / pt); };
const massOf = (px, py, pz, E) => { const m2 = E * E - px * px - py * py - pz * pz; return m2 >= 0 ? Math.sqrt(m2) : -Math.sqrt(-m2); };
const floorMod = (a, b) => a - b * Math.floor(a / b);
const countsToOffsets = (counts, n) => { const o = new Int32Array(n + 1); for (let i = 0; i < n; i++) o[i + 1] = o[i] + counts[i]; return o; };
const argMin = (keys, n) => { let best = -1; for (let k = 0; k < n; k++) { const x = keys[k]; if (x === x && (best < 0 || x < keys[best])) best = k; } return best; };
const stableOrder = (keys, n, order) => {
  for (let k = 0; k < n; k++) order[k] = k;
  for (let k = 1; k < n; k++) {
    const o = order[k]; const x = keys[o]; let j = k - 1;
    while (j >= 0 && (keys[order[j]] > x || (keys[order[j]] !== keys[order[j]] && x === x))) { order[j + 1] = order[j]; j--; }
    order[j + 1] = o;
  }
};
`;
