/**
 * A `histograms` block as the `histogram` items it stands for: each entry with the block's file,
 * and the block's `in`, `by` and `weighted` where the entry gives none of its own. Checker, planner
 * and diff read outputs through this, so a block and the items written out one by one mean the
 * same; the formatter keeps the block as written.
 */
import type * as A from "../../grammar/ast.js";

export type FlatOutputItem = Exclude<A.OutputItem, { kind: "HistogramBlock" }>;
export type HistogramItem = Extract<A.OutputItem, { kind: "Histogram" }>;

const expanded = new WeakMap<A.OutputItem, HistogramItem[]>();

export function flatOutputItems(items: readonly A.OutputItem[]): FlatOutputItem[] {
  return items.flatMap((it): FlatOutputItem[] => (it.kind === "HistogramBlock" ? blockHistograms(it) : [it]));
}

function blockHistograms(b: Extract<A.OutputItem, { kind: "HistogramBlock" }>): HistogramItem[] {
  let out = expanded.get(b);
  if (!out) {
    // The entry's own node id and span: diagnostics and hover point at the entry.
    out = b.entries.map((e) => ({
      kind: "Histogram" as const,
      id: e.id,
      span: e.span,
      exprs: e.exprs,
      alias: e.alias,
      title: e.title,
      regions: e.regions.length ? e.regions : b.regions,
      by: e.by ?? b.by,
      bins: e.bins,
      weighted: e.weighted || b.weighted,
      path: b.path,
    }));
    expanded.set(b, out);
  }
  return out;
}
