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

export const cutflowRunner: Runner<CutflowNode, SampleCutflow> = {
  sample(c, scope) {
    if (c.steps) return stepsTask(c, scope);
    const cf: SampleCutflow = { sample: scope.read.sample, class: scope.read.class, entries: 0, selected: zero(), regions: Object.fromEntries(c.regions.map((r) => [r, zero()])) };
    return {
      outputs: [],
      regions: c.regions,
      chunk(ev) {
        const all = ev.passing(SELECTED);
        countIndexed(cf.selected, all.count, all.idx, ev.w);
        for (const r of c.regions) {
          const p = ev.passing(r);
          countIndexed(cf.regions[r], p.count, p.idx, ev.weightsIn(r));
        }
      },
      finish(totals) {
        cf.entries = totals.entries;
        if (totals.norm !== 1) {
          scaleCount(cf.selected, totals.norm);
          for (const r of c.regions) scaleCount(cf.regions[r], totals.norm);
        }
        return cf;
      },
    };
  },
  merge(c, partials, run) {
    const result: CutflowResult = { node: c.id, file: run.fileOf.get(c.id) ?? "", regions: c.steps ? stepLabels(c) : c.regions, samples: partials.map((p) => p.partial), ...(c.steps ? { steps: c.steps.region } : {}) };
    run.results.set(c.id, result);
  },
};

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
