/**
 * Cutflow nodes: per sample, raw and weighted events of all entries, of the sample's selection and
 * of each row (a region, or a step of one), counted in entry order and normalised after the pass;
 * `with systematics`, the same counts in every variation and direction.
 */
import type { CutflowNode, ExprIR } from "../../../plan/types.js";
import { scaleCount, zero, type Count, type SampleCutflow } from "../cutflow.js";
import type { CutflowResult } from "../types.js";
import { hashOf } from "../../../plan/canonical.js";
import { RunError } from "../errors.js";
import type { CachedOutput } from "../stream.js";
import { isAlternative, varying, World, WorldEvents } from "../variations.js";
import { type Events, SELECTED, type Runner, type SampleScope } from "./types.js";

/**
 * The rows of a step cutflow by name: each term as written (`nbjets >= 1`), numbered where two
 * terms read the same, so that every row keeps its place in the result's table.
 */
export function stepLabels(c: CutflowNode): string[] {
  const seen = new Map<string, number>();
  return (c.steps?.rows ?? []).map((r) => {
    const k = (seen.get(r.label) ?? 0) + 1;
    seen.set(r.label, k);
    return k === 1 ? r.label : `${r.label} (${k})`;
  });
}

type Counts = { selected: Count; regions: Record<string, Count> };
const zeros = (rows: readonly string[]): Counts => ({ selected: zero(), regions: Object.fromEntries(rows.map((r) => [r, zero()])) });
const copyOf = (c: Counts): Counts => ({ selected: { ...c.selected }, regions: Object.fromEntries(Object.entries(c.regions).map(([r, x]) => [r, { ...x }])) });

/** Some of a chunk's events, ascending, and their weights (null: all 1), valid at those indices. */
type Counted = { idx: Int32Array; count: number; w: Float64Array | null };

/**
 * What a cutflow counts in one chunk, in the nominal or in a shape variation's world: the events
 * of the sample's selection, and those of each row (a region, or a step: the first k terms of a
 * region). `outputs` are the kernel columns it reads.
 */
interface View {
  outputs: CachedOutput[];
  selected(ev: Events): Counted;
  row(ev: Events, k: number): Counted;
}

/** Rows that are regions: the events link (nominal) or the world resolves them. */
function regionsView(c: CutflowNode, world?: WorldEvents): View {
  return world
    ? { outputs: world.outputs(c.regions), selected: (ev) => world.events(ev, SELECTED), row: (ev, k) => world.events(ev, c.regions[k]) }
    : { outputs: [], selected: (ev) => ({ ...ev.passing(SELECTED), w: ev.w }), row: (ev, k) => ({ ...ev.passing(c.regions[k]), w: ev.weightsIn(c.regions[k]) }) };
}

/**
 * `cutflow steps R`: one mask per row (the first k terms of R) and its weight, counted within the
 * sample's selection; in a world, the rows' masks and weights as the world computes them.
 */
function stepsView(c: CutflowNode, scope: SampleScope, world?: WorldEvents): View {
  const rows = c.steps!.rows;
  const prefix = world ? `${world.world.name}:` : "";
  const expr = (e: ExprIR) => (world ? world.world.rewrite(e) : e);
  const key = (e: ExprIR) => (world ? world.cacheKey(e) : scope.keyOf(e));
  const outputs: CachedOutput[] = world ? world.outputs([]) : [];
  rows.forEach((row, k) => {
    outputs.push({ key: `${prefix}step:${c.id}:${k}`, expr: expr(row.expr), as: "mask", cacheKey: hashOf({ v: key(row.expr), as: "mask" }) });
    if (row.weight) outputs.push({ key: `${prefix}stepw:${c.id}:${k}`, expr: expr(row.weight), as: "f64", when: expr(row.expr), cacheKey: hashOf({ v: key(row.weight), when: key(row.expr), as: "f64" }) });
  });
  const selected = (ev: Events): Counted => (world ? world.events(ev, SELECTED) : { ...ev.passing(SELECTED), w: ev.w });
  return {
    outputs,
    selected,
    row(ev, k) {
      const all = selected(ev);
      const mask = ev.columns.get(`${prefix}step:${c.id}:${k}`) as Uint8Array;
      const rw = rows[k].weight ? (ev.columns.get(`${prefix}stepw:${c.id}:${k}`) as Float64Array) : null;
      // fresh arrays: a row's events stay valid while the chunk's weight variations count them too
      const idx = new Int32Array(all.count);
      let count = 0;
      for (let q = 0; q < all.count; q++) {
        const i = all.idx[q];
        if (mask[i]) idx[count++] = i;
      }
      if (!rw) return { idx, count, w: all.w };
      const w = new Float64Array(ev.n);
      for (let q = 0; q < count; q++) {
        const i = idx[q];
        const v = (all.w ? all.w[i] : 1) * rw[i];
        if (v - v !== 0) {
          const where = ev.locate(i);
          throw new RunError("HEP6003", { sample: scope.read.sample, value: String(rw[i]), entry: where.entry, file: where.file }, c.origin);
        }
        w[i] = v;
      }
      return { idx, count, w };
    },
  };
}

export const cutflowRunner: Runner<CutflowNode, SampleCutflow> = {
  sample(c, scope, run) {
    const rows = c.steps ? stepLabels(c) : c.regions;
    const view = (world?: WorldEvents) => (c.steps ? stepsView(c, scope, world) : regionsView(c, world));
    const cf: SampleCutflow = { sample: scope.read.sample, class: scope.read.class, entries: 0, ...zeros(rows) };
    const systematics = c.systematics ?? [];
    const mine = varying(systematics, scope.read);
    const nominal = view();
    // what each variation counts from, beyond the nominal: a weight factor, or a shape variation's world
    const outputs: CachedOutput[] = [...nominal.outputs];
    const counted: Array<{ name: string; counts: Counts; factor?: string; world?: View }> = [];
    for (const s of mine) {
      for (const dir of ["Up", "Down"] as const) {
        const name = `${s.name}${dir}`;
        const e = s.weight ? (dir === "Up" ? s.weight.up : s.weight.down) : null;
        if (e) {
          const key = `cw:${c.id}:${name}`;
          outputs.push({ key, expr: e, as: "f64", cacheKey: hashOf({ v: scope.keyOf(e), as: "f64" }) });
          counted.push({ name, counts: zeros(rows), factor: key });
        } else if (s.vary && s.vary.touches.includes(c.id) && (dir === "Up" || World.twoSided(s))) {
          const world = view(new WorldEvents(new World(s, dir), scope, run.byId));
          outputs.push(...world.outputs);
          counted.push({ name, counts: zeros(rows), world });
        }
      }
    }
    let scratch = new Float64Array(0);
    // a weight variation: the nominal's events with their weights times the factor
    const countFactor = (into: Count, f: Float64Array, { idx, count, w }: Counted) => {
      if (scratch.length < f.length) scratch = new Float64Array(f.length);
      for (let q = 0; q < count; q++) {
        const i = idx[q];
        scratch[i] = (w ? w[i] : 1) * f[i];
      }
      countIndexed(into, count, idx, scratch);
    };
    return {
      outputs,
      regions: c.steps ? [] : c.regions,
      chunk(ev) {
        const sel = nominal.selected(ev);
        countIndexed(cf.selected, sel.count, sel.idx, sel.w);
        const byRow = rows.map((r, k) => {
          const got = nominal.row(ev, k);
          countIndexed(cf.regions[r], got.count, got.idx, got.w);
          return got;
        });
        for (const v of counted) {
          if (v.world) {
            const world = v.world;
            const s = world.selected(ev);
            countIndexed(v.counts.selected, s.count, s.idx, s.w);
            rows.forEach((r, k) => {
              const got = world.row(ev, k);
              countIndexed(v.counts.regions[r], got.count, got.idx, got.w);
            });
            continue;
          }
          const f = ev.columns.get(v.factor!) as Float64Array;
          countFactor(v.counts.selected, f, sel);
          rows.forEach((r, k) => countFactor(v.counts.regions[r], f, byRow[k]));
        }
      },
      finish(totals) {
        cf.entries = totals.entries;
        const nominalCounts: Counts = { selected: cf.selected, regions: cf.regions };
        if (systematics.length) {
          const variations: NonNullable<SampleCutflow["variations"]> = {};
          for (const s of systematics) {
            for (const dir of ["Up", "Down"] as const) {
              const name = `${s.name}${dir}`;
              const own = counted.find((v) => v.name === name);
              const k = s.normalisation !== undefined && mine.includes(s) ? (dir === "Up" ? s.normalisation : 1 / s.normalisation) : 1;
              // one-sided weight and shape variations: the down counts mirrored (2·nominal − up)
              const up = counted.find((v) => v.name === `${s.name}Up`);
              const mirrored = dir === "Down" && !own && up && (s.weight || s.vary) ? mirror(nominalCounts, up.counts) : undefined;
              const counts = own?.counts ?? mirrored ?? copyOf(nominalCounts);
              if (k !== 1) scaleCounts(counts, k);
              variations[name] = counts;
            }
          }
          cf.variations = variations;
        }
        if (totals.norm !== 1) {
          scaleCount(cf.selected, totals.norm);
          for (const r of rows) scaleCount(cf.regions[r], totals.norm);
          for (const v of Object.values(cf.variations ?? {})) scaleCounts(v, totals.norm);
        }
        return cf;
      },
    };
  },
  merge(c, partials, run) {
    const samples = partials.map((p) => p.partial);
    // an alternative sample's counts are the variation of the sample it replaces; it has no row
    for (const s of c.systematics ?? []) {
      const alt = s.alternatives;
      if (!alt) continue;
      const target = samples.find((x) => x.sample === alt.sample);
      for (const [dir, name] of [["Up", alt.up], ["Down", alt.down]] as const) {
        const from = samples.find((x) => x.sample === name);
        if (!target?.variations) continue;
        if (from) target.variations[`${s.name}${dir}`] = copyOf(from);
        else if (dir === "Down" && !name) target.variations[`${s.name}Down`] = mirror({ selected: target.selected, regions: target.regions }, target.variations[`${s.name}Up`]);
      }
    }
    const rows = samples.filter((x) => !isAlternative(c.systematics ?? [], x.sample));
    const result: CutflowResult = { node: c.id, file: run.fileOf.get(c.id) ?? "", regions: c.steps ? stepLabels(c) : c.regions, samples: rows, ...(c.steps ? { steps: c.steps.region } : {}) };
    run.results.set(c.id, result);
  },
};

/** 2·nominal − up, count by count (raw counts too: what a mirrored variation would have counted). */
function mirror(nominal: Counts, up: Counts): Counts {
  const m = (a: Count, b: Count): Count => ({ raw: 2 * a.raw - b.raw, weighted: 2 * a.weighted - b.weighted, sumw2: a.sumw2 });
  return { selected: m(nominal.selected, up.selected), regions: Object.fromEntries(Object.keys(nominal.regions).map((r) => [r, m(nominal.regions[r], up.regions[r])])) };
}

function scaleCounts(c: Counts, k: number): void {
  scaleCount(c.selected, k);
  for (const x of Object.values(c.regions)) scaleCount(x, k);
}

/** Adds the events idx[0..count) of a chunk, in entry order. */
function countIndexed(c: Count, count: number, idx: Int32Array, w: Float64Array | null): void {
  c.raw += count;
  if (w === null) {
    // exact: integers below 2^53
    c.weighted += count;
    c.sumw2 += count;
    return;
  }
  let weighted = c.weighted;
  let sumw2 = c.sumw2;
  for (let q = 0; q < count; q++) {
    const wi = w[idx[q]];
    weighted += wi;
    sumw2 += wi * wi;
  }
  c.weighted = weighted;
  c.sumw2 = sumw2;
}
