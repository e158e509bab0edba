/**
 * Shape variations (`systematic jes { vary Jet.pt up 1.03 * Jet.pt down 0.97 * Jet.pt }`) as
 * RDataFrame's `Vary` does them: in the same pass as the nominal, recomputing only what depends on
 * the varied inputs. Each variation and direction is a *world*: each varied input becomes a
 * virtual column (computed per element from the nominal one, runtime/columns' `VirtualColumn`),
 * read by a copy of its collection, and a copy of every declaration the plan says it touches
 * (`VaryIR.touches`), renamed `NAME~WORLD`, whose references point into the world. Declarations
 * it does not touch are the nominal ones, computed once per event for every world; so is all the
 * reading and decompressing.
 *
 * A histogram runner asks its world for the varied forms of what it fills from (the events of
 * its regions, their weights, its variables) and gets the nominal columns back where nothing
 * changed. A model's score the world changes is read under the model's name in the world, which
 * its scorer computes from the world's features (runners/world-scores.ts).
 */
import { hashOf } from "../../plan/canonical.js";
import { DATA_CLASS } from "../../plan/classes.js";
import type { CollectionIR, ExprIR, FilterNode, Plan, PlanNode, SystematicIR, WeightNode } from "../../plan/types.js";
import type { VirtualColumn } from "../columns/index.js";
import { RunError } from "./errors.js";
import type { CachedOutput } from "./stream.js";
import { SELECTED, type Events, type SampleScope } from "./runners/types.js";
import { selectedIndices } from "./histogram.js";

export type Direction = "Up" | "Down";

export class World {
  /** `jesUp`: the suffix of the copies' names, and of the declarations renamed into the world. */
  readonly name: string;
  readonly touched: ReadonlySet<string>;
  /** Varied flat branches → their virtual columns; collections with a varied field → their renamed copies. */
  private readonly branches = new Map<string, string>();
  private readonly collections = new Map<string, string>();
  /** A varied collection's name as a whole word of a type (`list<tuple<Jet,Jet,Jet>>`). */
  private readonly typePattern: RegExp | undefined;

  constructor(
    readonly syst: SystematicIR,
    readonly dir: Direction,
  ) {
    const vary = syst.vary!;
    this.name = `${syst.name}${dir}`;
    this.touched = new Set(vary.touches);
    for (const { input } of vary.inputs) {
      if ("branch" in input) this.branches.set(input.branch, this.within(input.branch));
      else this.collections.set(input.collection, this.within(input.collection));
    }
    if (this.collections.size) this.typePattern = new RegExp(`(^|[<,\\s])(${[...this.collections.keys()].join("|")})(?=$|[>,\\s])`, "g");
  }

  /** A name inside the world. `~` is in no ROOT branch's or hepc declaration's name. */
  within(name: string): string {
    return `${name}~${this.name}`;
  }

  /** Whether a node (`define:X`, `filter:R`, `select:S`, `weight:S`, `histogram:...`) changes in this world. */
  touches(id: string): boolean {
    return this.touched.has(id);
  }

  /** The expression as the world computes it: the varied inputs read, touched declarations renamed. */
  rewrite(e: ExprIR): ExprIR {
    return this.retype(this.rewriteNames(e));
  }

  private rewriteNames(e: ExprIR): ExprIR {
    switch (e.op) {
      case "branch": {
        const name = this.branches.get(e.name);
        return name ? { ...e, name } : e;
      }
      case "collection": {
        const name = this.collections.get(e.name);
        return name ? { ...e, name } : e;
      }
      case "ref":
        return this.touches(`${e.decl === "region" ? "filter" : "define"}:${e.name}`) ? { ...e, name: this.within(e.name) } : e;
      case "score": {
        // a model whose features the world changes scores the world's candidates again
        // (runners/world-scores.ts), under the model's name inside the world
        const model = this.touches(`predict:${e.model}`) ? this.within(e.model) : e.model;
        const per = e.per && this.listWithin(e.per);
        return model === e.model && per === e.per ? e : { ...e, model, ...(per ? { per } : {}) };
      }
      default:
        if (!("args" in e)) return e;
        return { ...e, args: e.args.map((a) => this.rewrite(a)) } as ExprIR;
    }
  }

  /** A per-candidate score's list, as the world names it (the world's copy when it changes). */
  private listWithin(per: { decl: "define" | "object" | "collection"; name: string }): typeof per {
    if (per.decl === "collection") {
      const name = this.collections.get(per.name);
      return name ? { ...per, name } : per;
    }
    return this.touches(`define:${per.name}`) ? { ...per, name: this.within(per.name) } : per;
  }

  /**
   * The varied collections' names in the expression's type as well: kernels shape stored values
   * (a `best` candidate, a combination's members) from the type, and a member typed by the
   * nominal collection would read its nominal fields. Both collections have the same elements in
   * the same order, so an element index means the same in either.
   */
  private retype(e: ExprIR): ExprIR {
    if (!this.typePattern || typeof e.type !== "string") return e;
    const type = e.type.replace(this.typePattern, (_, before: string, coll: string) => `${before}${this.collections.get(coll)}`);
    return type === e.type ? e : ({ ...e, type } as ExprIR);
  }

  /** The columns of the varied inputs (what the virtual columns compute), and the collections reading them. */
  declarations(plan: Plan): { columns: VirtualColumn[]; collections: CollectionIR[] } {
    const columns: VirtualColumn[] = [];
    // a collection's varied fields: branch → its virtual column
    const swapped = new Map<string, Map<string, string>>();
    for (const v of this.syst.vary!.inputs) {
      const expr = this.dir === "Up" ? v.up : v.down!;
      const input = v.input;
      if ("branch" in input) {
        columns.push({ name: this.branches.get(input.branch)!, expr });
        continue;
      }
      const c = plan.collections.find((x) => x.name === input.collection);
      const branch = c?.fields[input.field] ?? c?.kinematics?.fields[input.field];
      if (!c || !branch) throw new Error(`internal: the plan has no branch for ${input.collection}.${input.field}`);
      const name = this.within(branch);
      columns.push({ name, expr, each: c.name });
      let swaps = swapped.get(c.name);
      if (!swaps) swapped.set(c.name, (swaps = new Map()));
      swaps.set(branch, name);
    }
    const collections = [...swapped].map(([coll, swaps]) => {
      const c = plan.collections.find((x) => x.name === coll)!;
      const swap = (fields: Record<string, string>) => Object.fromEntries(Object.entries(fields).map(([f, b]) => [f, swaps.get(b) ?? b]));
      return { ...c, name: this.collections.get(coll)!, fields: swap(c.fields), ...(c.kinematics ? { kinematics: { ...c.kinematics, fields: swap(c.kinematics.fields) } } : {}) };
    });
    return { columns, collections };
  }

  /** Whether the variation has a down direction (all its inputs do, or none). */
  static twoSided(s: SystematicIR): boolean {
    return !!s.vary && s.vary.inputs.every((v) => v.down !== null);
  }
}

/**
 * The systematics (of a histogram or a cutflow) that vary one sample's events: those whose `for`
 * names it (all when none is named), but none for a data sample (what was measured has no
 * variations: its copies are its nominal) or an alternative sample (it is itself a variation, of
 * the sample it replaces).
 */
export function varying(systematics: readonly SystematicIR[], read: { sample: string; class: string | null }): SystematicIR[] {
  if (read.class === DATA_CLASS || isAlternative(systematics, read.sample)) return [];
  return systematics.filter((s) => !s.samples || s.samples.includes(read.sample));
}

/** The systematic whose alternative samples include `sample`, if any. */
export function isAlternative(systematics: readonly SystematicIR[], sample: string): SystematicIR | undefined {
  return systematics.find((s) => s.alternatives && (s.alternatives.up === sample || s.alternatives.down === sample));
}

/** Every shape variation's worlds (Up, and Down when written), in the order of the systematics. */
export function worldsOf(plan: Plan): World[] {
  const seen = new Map<string, SystematicIR>();
  for (const n of plan.nodes) if (n.kind === "histogram" || n.kind === "cutflow") for (const s of n.systematics ?? []) if (s.vary && !seen.has(s.name)) seen.set(s.name, s);
  return [...seen.values()].flatMap((s) => [new World(s, "Up"), ...(World.twoSided(s) ? [new World(s, "Down")] : [])]);
}

/** What kernels need besides the plan's own declarations to compute inside every world. */
export function worldDeclarations(plan: Plan): { defines: Record<string, ExprIR>; regions: Record<string, ExprIR>; collections: CollectionIR[]; virtual: VirtualColumn[] } {
  const defines: Record<string, ExprIR> = {};
  const regions: Record<string, ExprIR> = {};
  const collections: CollectionIR[] = [];
  const virtual: VirtualColumn[] = [];
  for (const w of worldsOf(plan)) {
    const made = w.declarations(plan);
    const when = guardOf(plan, w);
    virtual.push(...made.columns.map((c) => (when ? { ...c, when } : c)));
    collections.push(...made.collections);
    for (const n of plan.nodes) {
      if (!w.touches(n.id)) continue;
      if (n.kind === "define") defines[w.within(n.name)] = w.rewrite(n.expr);
      if (n.kind === "filter" && n.scope === "region") regions[w.within(n.name)] = w.rewrite(n.expr);
    }
  }
  return { defines, regions, collections, virtual };
}

/**
 * A condition every event the world's histograms and cutflows count meets, that the varied inputs
 * do not change: per region, the `and` terms it is built of (through the regions it names, those
 * the world changes opened up) that the world leaves as they are; per histogram or cutflow, any of
 * its regions' (`or`); for the world, any of theirs. Its varied inputs are computed only where it
 * holds: in the AGC, a jet resolution's draws only for events with one lepton. Undefined (no
 * guard) when some reader has no such term: a histogram of all events, a step cutflow (its first
 * steps are not the region), a cutflow of a selection the world changes.
 */
export function guardOf(plan: Plan, w: World): ExprIR | undefined {
  const regionExpr = new Map(plan.nodes.flatMap((n) => (n.kind === "filter" && n.scope === "region" ? [[n.name, n.expr] as const] : [])));
  const same = (e: ExprIR) => JSON.stringify(w.rewrite(e)) === JSON.stringify(e);
  const terms = (e: ExprIR): ExprIR[] => {
    if (e.op === "binary" && e.fn === "and") return [...terms(e.args[0]), ...terms(e.args[1])];
    if (e.op === "ref" && e.decl === "region" && w.touches(`filter:${e.name}`)) return terms(regionExpr.get(e.name)!);
    return [e];
  };
  const all = (es: ExprIR[]): ExprIR | undefined => (es.length ? es.reduce((a, b) => ({ op: "binary", type: "bool", fn: "and", args: [a, b] })) : undefined);
  const any = (es: ExprIR[]): ExprIR => es.reduce((a, b) => ({ op: "binary", type: "bool", fn: "or", args: [a, b] }));
  const ofRegion = (r: string) => all(terms({ op: "ref", type: "bool", decl: "region", name: r }).filter(same));
  const guards: ExprIR[] = [];
  for (const n of plan.nodes) {
    if ((n.kind !== "histogram" && n.kind !== "cutflow") || !w.touches(n.id) || !n.systematics?.some((s) => s.name === w.syst.name)) continue;
    // a cutflow's first row is the selection: counted from the varied inputs when the world changes it
    const selectChanged = plan.nodes.some((x) => x.kind === "filter" && x.scope === "sample" && w.touches(x.id));
    if (n.kind === "cutflow" && (n.steps || selectChanged)) return undefined;
    if (!n.regions.length) return undefined;
    const each = n.regions.map(ofRegion);
    if (each.some((g) => !g)) return undefined;
    guards.push(any(each as ExprIR[]));
  }
  const distinct = [...new Map(guards.map((g) => [JSON.stringify(g), g])).values()];
  return distinct.length ? any(distinct) : undefined;
}

/**
 * The events a histogram or a cutflow counts in one world, for one sample: the kernel outputs it
 * needs beyond the nominal ones (a touched selection, region, weight), and, per chunk, the indices
 * and weights of a region's events, as the events link gives the nominal's.
 */
export class WorldEvents {
  private readonly keyPrefix: string;

  constructor(
    readonly world: World,
    private readonly scope: SampleScope,
    private readonly byId: ReadonlyMap<string, PlanNode>,
  ) {
    this.keyPrefix = `world:${world.name}:`;
  }

  /** A cache key for a value computed in the world: the nominal's key and the variation's content. */
  cacheKey(nominal: ExprIR): string {
    return hashOf({ world: this.world.name, vary: this.world.syst.vary, dir: this.world.dir, nominal: this.scope.keyOf(nominal) });
  }

  private selectChanged(): boolean {
    return !!this.scope.select && this.world.touches(this.scope.select.id);
  }

  private weightChanged(): boolean {
    return !!this.scope.weight?.expr && this.world.touches(this.scope.weight.id);
  }

  private regionChanged(r: string): boolean {
    return r !== SELECTED && this.world.touches(`filter:${r}`);
  }

  /** The outputs of the world's selection, regions and weights that differ from the nominal's. */
  outputs(regions: readonly string[]): CachedOutput[] {
    const out: CachedOutput[] = [];
    const { select, weight } = this.scope;
    if (this.selectChanged()) out.push({ key: `${this.keyPrefix}sel`, expr: this.world.rewrite(select!.expr), as: "mask", cacheKey: this.cacheKey(select!.expr) });
    if (this.weightChanged()) out.push({ key: `${this.keyPrefix}w`, expr: this.world.rewrite(weight!.expr!), as: "f64", cacheKey: this.cacheKey(weight!.expr!) });
    for (const r of regions) {
      if (!this.regionChanged(r)) continue;
      const ref: ExprIR = { op: "ref", type: "bool", decl: "region", name: r };
      out.push({ key: `${this.keyPrefix}r:${r}`, expr: this.world.rewrite(ref), as: "mask", cacheKey: this.cacheKey(ref) });
      const f = this.byId.get(`filter:${r}`) as FilterNode;
      if (f.weight) out.push({ key: `${this.keyPrefix}rw:${r}`, expr: this.world.rewrite(f.weight), as: "f64", when: this.world.rewrite(ref), cacheKey: this.cacheKey(f.weight) });
    }
    return out;
  }

  /** The condition an output computed for the world's events of `regions` is guarded by, as the scope's `condition` is for the nominal. */
  condition(regions: readonly string[]): ExprIR | undefined {
    const nominal = this.scope.condition([...regions]);
    return nominal ? this.world.rewrite(nominal.expr) : undefined;
  }

  /** Whether any of a histogram's events or weights differ in the world (its variables are the runner's to ask). */
  changes(regions: readonly string[]): boolean {
    return this.selectChanged() || this.weightChanged() || regions.some((r) => this.regionChanged(r));
  }

  /**
   * The world's events of a region in a chunk, and their weights (null: all 1), valid at those
   * indices; found once per chunk, world and region for all the histograms and cutflows that ask.
   */
  events(ev: Events, r: string): WorldRegion {
    if (!this.changes([r])) return { ...ev.passing(r), w: ev.weightsIn(r) };
    let known = perChunk.get(ev);
    if (!known) perChunk.set(ev, (known = new Map()));
    const key = `${this.world.name}\u0000${r}`;
    let got = known.get(key);
    if (!got) known.set(key, (got = this.resolve(ev, r)));
    return got;
  }

  private resolve(ev: Events, r: string): WorldRegion {
    const n = ev.n;
    const col = (k: string) => ev.columns.get(`${this.keyPrefix}${k}`);
    const sel = this.selectChanged() ? (col("sel") as Uint8Array) : (ev.columns.get("sel") as Uint8Array | undefined) ?? null;
    const reg = r === SELECTED ? null : this.regionChanged(r) ? (col(`r:${r}`) as Uint8Array) : (ev.columns.get(`r:${r}`) as Uint8Array);
    const mask = sel && reg ? and(n, sel, reg) : sel ?? reg;
    const { idx, count } = selectedIndices(n, mask, new Int32Array(n));
    const sw = this.weightChanged() ? (col("w") as Float64Array) : ev.w;
    const rw = r === SELECTED ? undefined : this.regionChanged(r) ? (col(`rw:${r}`) as Float64Array | undefined) : (ev.columns.get(`rw:${r}`) as Float64Array | undefined);
    if (!sw && !rw) return { idx, count, w: null };
    const w = new Float64Array(n);
    for (let q = 0; q < count; q++) {
      const i = idx[q];
      const v = (sw ? sw[i] : 1) * (rw ? rw[i] : 1);
      if (v - v !== 0) {
        const where = ev.locate(i);
        const origin = this.weightChanged() && !(sw![i] - sw![i] === 0) ? (this.scope.weight as WeightNode).origin : this.byId.get(`filter:${r}`)?.origin;
        throw new RunError("HEP6003", { sample: this.scope.read.sample, value: `${v} (in the variation ${this.world.name})`, entry: where.entry, file: where.file }, origin);
      }
      w[i] = v;
    }
    return { idx, count, w };
  }
}

type WorldRegion = { idx: Int32Array; count: number; w: Float64Array | null };
/** Each chunk's world events by world and region (a chunk's Events object lives for its chunk only). */
const perChunk = new WeakMap<Events, Map<string, WorldRegion>>();

function and(n: number, a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i] & b[i];
  return out;
}
