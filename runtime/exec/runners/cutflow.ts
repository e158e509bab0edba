/**
 * Cutflow nodes: per sample, raw and weighted events of all entries, of the sample's selection and
 * of each region, counted in entry order and normalised after the pass.
 */
import type { CutflowNode } from "../../../plan/types.js";
import { scaleCount, zero, type Count, type SampleCutflow } from "../cutflow.js";
import type { CutflowResult } from "../types.js";
import { SELECTED, type Runner } from "./types.js";

export const cutflowRunner: Runner<CutflowNode, SampleCutflow> = {
  sample(c, scope) {
    const cf: SampleCutflow = { sample: scope.read.sample, class: scope.read.class, entries: 0, selected: zero(), regions: Object.fromEntries(c.regions.map((r) => [r, zero()])) };
    return {
      outputs: [],
      regions: c.regions,
      chunk(ev) {
        const all = ev.passing(SELECTED);
        countIndexed(cf.selected, all.count, all.idx, ev.w);
        for (const r of c.regions) {
          const p = ev.passing(r);
          countIndexed(cf.regions[r], p.count, p.idx, ev.w);
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
    const result: CutflowResult = { node: c.id, file: run.fileOf.get(c.id) ?? "", regions: c.regions, samples: partials.map((p) => p.partial) };
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
