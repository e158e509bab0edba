/**
 * Cutflow nodes: per sample, raw and weighted events of all entries, of the sample's selection and
 * of each region, counted in entry order and normalised after the pass.
 */
import type { CutflowNode } from "../../../plan/types.js";
import { scaleCount, zero, type Count, type SampleCutflow } from "../cutflow.js";
import type { CutflowResult } from "../types.js";
import { hashOf } from "../../../plan/canonical.js";
import { RunError } from "../errors.js";
import type { CachedOutput } from "../stream.js";
import { World, WorldEvents } from "../variations.js";
import { SELECTED, type Runner, type SampleScope, type SampleTask } from "./types.js";

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

/** `cutflow steps R`: one mask per row (the first k terms of R) and its weight, counted within the sample's selection. */
function stepsTask(c: CutflowNode, scope: SampleScope): SampleTask<SampleCutflow> {
  const rows = c.steps!.rows;
  const labels = stepLabels(c);
  const cf: SampleCutflow = { sample: scope.read.sample, class: scope.read.class, entries: 0, selected: zero(), regions: Object.fromEntries(labels.map((r) => [r, zero()])) };
  const outputs: CachedOutput[] = [];
  rows.forEach((row, k) => {
    outputs.push({ key: `step:${c.id}:${k}`, expr: row.expr, as: "mask", cacheKey: hashOf({ v: scope.keyOf(row.expr), as: "mask" }) });
    if (row.weight) outputs.push({ key: `stepw:${c.id}:${k}`, expr: row.weight, as: "f64", when: row.expr, cacheKey: hashOf({ v: scope.keyOf(row.weight), when: scope.keyOf(row.expr), as: "f64" }) });
  });
  let idx = new Int32Array(0);
  let w = new Float64Array(0);
  return {
    outputs,
    regions: [],
    chunk(ev) {
      const all = ev.passing(SELECTED);
      countIndexed(cf.selected, all.count, all.idx, ev.w);
      if (idx.length < ev.n) {
        idx = new Int32Array(ev.n);
        w = new Float64Array(ev.n);
      }
      rows.forEach((row, k) => {
        const mask = ev.columns.get(`step:${c.id}:${k}`) as Uint8Array;
        const rw = row.weight ? (ev.columns.get(`stepw:${c.id}:${k}`) as Float64Array) : null;
        let count = 0;
        for (let q = 0; q < all.count; q++) {
          const i = all.idx[q];
          if (mask[i]) idx[count++] = i;
        }
        let weights: Float64Array | null = ev.w;
        if (rw) {
          for (let q = 0; q < count; q++) {
            const i = idx[q];
            const v = (ev.w ? ev.w[i] : 1) * rw[i];
            if (v - v !== 0) {
              const where = ev.locate(i);
              throw new RunError("HEP6003", { sample: scope.read.sample, value: String(rw[i]), entry: where.entry, file: where.file }, c.origin);
            }
            w[i] = v;
          }
          weights = w;
        }
        countIndexed(cf.regions[labels[k]], count, idx, weights);
      });
    },
    finish(totals) {
      cf.entries = totals.entries;
      if (totals.norm !== 1) {
        scaleCount(cf.selected, totals.norm);
        for (const r of labels) scaleCount(cf.regions[r], totals.norm);
      }
      return cf;
    },
  };
}

type Counts = { selected: Count; regions: Record<string, Count> };
const zeros = (regions: readonly string[]): Counts => ({ selected: zero(), regions: Object.fromEntries(regions.map((r) => [r, zero()])) });
const copyOf = (c: Counts): Counts => ({ selected: { ...c.selected }, regions: Object.fromEntries(Object.entries(c.regions).map(([r, x]) => [r, { ...x }])) });
const isAlternative = (c: CutflowNode, sample: string) => (c.systematics ?? []).find((s) => s.alternatives && (s.alternatives.up === sample || s.alternatives.down === sample));

export const cutflowRunner: Runner<CutflowNode, SampleCutflow> = {
  sample(c, scope, run) {
    if (c.steps) return stepsTask(c, scope);
    const cf: SampleCutflow = { sample: scope.read.sample, class: scope.read.class, entries: 0, ...zeros(c.regions) };
    const systematics = c.systematics ?? [];
    const mine = isAlternative(c, scope.read.sample) ? [] : systematics.filter((s) => !s.samples || s.samples.includes(scope.read.sample));
    // what each variation counts from, beyond the nominal: a weight factor, or a shape variation's world
    const outputs: CachedOutput[] = [];
    const counted: Array<{ name: string; counts: Counts; factor?: string; world?: WorldEvents }> = [];
    for (const s of mine) {
      for (const dir of ["Up", "Down"] as const) {
        const name = `${s.name}${dir}`;
        const e = s.weight ? (dir === "Up" ? s.weight.up : s.weight.down) : null;
        if (e) {
          const key = `cw:${c.id}:${name}`;
          outputs.push({ key, expr: e, as: "f64", cacheKey: hashOf({ v: scope.keyOf(e), as: "f64" }) });
          counted.push({ name, counts: zeros(c.regions), factor: key });
        } else if (s.vary && s.vary.touches.includes(c.id) && (dir === "Up" || World.twoSided(s))) {
          const world = new WorldEvents(new World(s, dir), scope, run.byId);
          outputs.push(...world.outputs(c.regions));
          counted.push({ name, counts: zeros(c.regions), world });
        }
      }
    }
    let scratch = new Float64Array(0);
    return {
      outputs,
      regions: c.regions,
      chunk(ev) {
        const all = ev.passing(SELECTED);
        countIndexed(cf.selected, all.count, all.idx, ev.w);
        for (const r of c.regions) {
          const p = ev.passing(r);
          countIndexed(cf.regions[r], p.count, p.idx, ev.weightsIn(r));
        }
        for (const v of counted) {
          for (const r of [SELECTED, ...c.regions]) {
            const into = r === SELECTED ? v.counts.selected : v.counts.regions[r];
            if (v.world) {
              const { idx, count, w } = v.world.events(ev, r);
              countIndexed(into, count, idx, w);
              continue;
            }
            const f = ev.columns.get(v.factor!) as Float64Array;
            const p = ev.passing(r);
            const base = r === SELECTED ? ev.w : ev.weightsIn(r);
            if (scratch.length < ev.n) scratch = new Float64Array(ev.n);
            for (let q = 0; q < p.count; q++) {
              const i = p.idx[q];
              scratch[i] = (base ? base[i] : 1) * f[i];
            }
            countIndexed(into, p.count, p.idx, scratch);
          }
        }
      },
      finish(totals) {
        cf.entries = totals.entries;
        const nominal: Counts = { selected: cf.selected, regions: cf.regions };
        if (systematics.length) {
          const variations: NonNullable<SampleCutflow["variations"]> = {};
          for (const s of systematics) {
            for (const dir of ["Up", "Down"] as const) {
              const name = `${s.name}${dir}`;
              const own = counted.find((v) => v.name === name);
              const k = s.normalisation !== undefined && mine.includes(s) ? (dir === "Up" ? s.normalisation : 1 / s.normalisation) : 1;
              // one-sided weight and shape variations: the down counts mirrored (2·nominal − up)
              const up = counted.find((v) => v.name === `${s.name}Up`);
              const mirrored = dir === "Down" && !own && up && (s.weight || s.vary) ? mirror(nominal, up.counts) : undefined;
              const counts = own?.counts ?? mirrored ?? copyOf(nominal);
              if (k !== 1) scaleCounts(counts, k);
              variations[name] = counts;
            }
          }
          cf.variations = variations;
        }
        if (totals.norm !== 1) {
          scaleCount(cf.selected, totals.norm);
          for (const r of c.regions) scaleCount(cf.regions[r], totals.norm);
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
        if (from) target.variations[`${s.name}${dir}`] = { selected: { ...from.selected }, regions: Object.fromEntries(Object.entries(from.regions).map(([r, x]) => [r, { ...x }])) };
        else if (dir === "Down" && !name) target.variations[`${s.name}Down`] = mirror({ selected: target.selected, regions: target.regions }, target.variations[`${s.name}Up`]);
      }
    }
    const rows = samples.filter((x) => !isAlternative(c, x.sample));
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
