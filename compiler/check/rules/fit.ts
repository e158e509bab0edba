/**
 * `datacard` / `workspace` outputs: each observable is one histogram the output block declares (1D,
 * split by sample or group), filled in each region named; a signal process exists. The channels
 * themselves are built at run time from the histograms' results.
 */
import type * as A from "../../../grammar/ast.js";
import { flatOutputItems } from "../../syntax/outputs.js";
import { printExpr } from "../../syntax/print.js";
import type { CheckContext } from "../context.js";
import { expectSymbol } from "./train.js";

type HistogramItem = Extract<A.OutputItem, { kind: "Histogram" }>;

/** The name a histogram output is known by: its `as`, else its expressions (as the plan names it). */
export function histogramName(item: HistogramItem): string {
  return item.alias?.name ?? item.exprs.map(printExpr).join("_vs_");
}

export function checkFitOutput(ctx: CheckContext, file: string, item: Extract<A.OutputItem, { kind: "FitOutput" }>): void {
  const histograms = new Map<string, HistogramItem[]>();
  for (const { decl } of ctx.declsOf("Output")) {
    for (const h of flatOutputItems(decl.items)) {
      if (h.kind !== "Histogram") continue;
      const name = histogramName(h);
      histograms.set(name, [...(histograms.get(name) ?? []), h]);
    }
  }
  for (const group of [item, ...(item.more ?? [])]) checkGroup(ctx, file, item.format, histograms, group);
  if (!ctx.samples.some((s) => s.klass === "signal")) ctx.report("HEP4097", file, { start: item.span.start, end: item.span.start + item.format.length }, { format: item.format });
}

/** One `OBS, ... in REGION, ...` group: each observable a 1D histogram split by sample or group, filled in each region. */
function checkGroup(ctx: CheckContext, file: string, format: string, histograms: ReadonlyMap<string, HistogramItem[]>, item: A.ChannelGroup): void {
  const regions = item.regions.filter((r) => expectSymbol(ctx, file, r, "region"));
  for (const o of item.observables) {
    const found = histograms.get(o.name);
    if (!found) {
      const known = [...histograms.keys()];
      ctx.report("HEP4093", file, o.span, { name: o.name, known: known.length ? ` (histograms: ${known.join(", ")})` : " (it declares none)" });
      continue;
    }
    if (found.length > 1) {
      ctx.report("HEP4096", file, o.span, { count: found.length, name: o.name, format });
      continue;
    }
    const h = found[0];
    const by = h.by?.name;
    if (h.exprs.length !== 1) ctx.report("HEP4095", file, o.span, { name: o.name, reason: `is ${h.exprs.length}D`, format });
    else if (by !== "sample" && by !== "group") ctx.report("HEP4095", file, o.span, { name: o.name, reason: by ? `is split by ${by}` : "is not split", format });
    const filled = h.regions.map((r) => r.name);
    for (const r of regions) {
      if (!filled.includes(r.name)) ctx.report("HEP4094", file, r.span, { name: o.name, region: r.name, filled: filled.length ? ` (it is filled in ${filled.join(", ")})` : " (it has no `in` clause)" });
    }
  }
}
