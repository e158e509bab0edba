/**
 * Histogram nodes: each sample fills its own accumulators, in its entry order, from the events of
 * the histogram's regions; after the pass they are normalised and added together in plan order,
 * per split (sample, class or group). That order, not the threads', fixes the sums' bits.
 */
import { hashOf } from "../../../plan/canonical.js";
import type { HistogramNode } from "../../../plan/types.js";
import { Hist1D, Hist2D } from "../histogram.js";
import type { HistogramResult } from "../types.js";
import { SELECTED, type Runner } from "./types.js";

type Local = Map<string, Hist1D | Hist2D>; // region → this sample's histogram

/** Histograms outside any region are kept under SELECTED; their directory in the file is "all". */
export const histogramRunner: Runner<HistogramNode, Local> = {
  sample(h, scope) {
    const when = scope.condition(h.regions);
    const outputs = h.vars.map((v, k) => ({
      key: `v:${h.id}:${k}`,
      expr: v,
      as: "f64" as const,
      // computed only for the events of its regions: the condition is part of the cache key
      when: when?.expr,
      cacheKey: when ? hashOf({ v: scope.keyOf(v), when: when.hash }) : scope.keyOf(v),
    }));
    const local: Local = new Map();
    for (const r of h.regions.length ? h.regions : [SELECTED]) {
      local.set(r, h.vars.length === 1 ? new Hist1D(h.name, Float64Array.from(h.edges[0])) : new Hist2D(h.name, Float64Array.from(h.edges[0]), Float64Array.from(h.edges[1])));
    }
    return {
      outputs,
      regions: [...local.keys()],
      chunk(ev) {
        const x = ev.columns.get(`v:${h.id}:0`) as Float64Array;
        const y = ev.columns.get(`v:${h.id}:1`) as Float64Array | undefined;
        for (const [r, hist] of local) {
          const hw = h.weighted ? ev.weightsIn(r) : null;
          const { idx, count } = ev.passing(r);
          if (y) (hist as Hist2D).fillIndexed(count, idx, x, y, hw);
          else (hist as Hist1D).fillIndexed(count, idx, x, hw);
        }
      },
      finish: () => local,
    };
  },

  merge(h, partials, run) {
    const groupOf = new Map<string, string>();
    for (const [g, members] of Object.entries(run.plan.groups ?? {})) for (const m of members) if (!groupOf.has(m)) groupOf.set(m, g);
    const merged = new Map<string, Map<string, Hist1D | Hist2D>>(); // region → split → sum
    for (const { scope, totals, partial } of partials) {
      const read = scope.read;
      const split = h.by === "sample" ? read.sample : h.by === "class" ? read.class ?? "unclassified" : h.by === "group" ? groupOf.get(read.sample) ?? read.sample : "";
      for (const [r, hist] of partial) {
        if (h.weighted && totals.norm !== 1) hist.scale(totals.norm);
        let bySplit = merged.get(r);
        if (!bySplit) merged.set(r, (bySplit = new Map()));
        const target = bySplit.get(split);
        if (target) (target as Hist1D).add(hist as Hist1D);
        else bySplit.set(split, hist);
      }
    }
    const out: HistogramResult[] = [];
    for (const [r, bySplit] of merged) {
      for (const [split, hist] of [...bySplit].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
        const dir = r === SELECTED ? "all" : r;
        out.push({ node: h.id, origin: h.origin, file: run.fileOf.get(h.id) ?? "", key: split ? `${dir}/${h.name}/${split}` : `${dir}/${h.name}`, region: dir, split: split || null, data: hist.data() });
      }
    }
    run.results.set(h.id, out);
  },
};
