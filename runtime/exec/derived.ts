/**
 * Derived histograms (`histogram NAME = EXPR`, plan `HistogramNode.derived`): after a histogram
 * node's splits are merged, each derived histogram is one more split, computed in every region for
 * the nominal and every systematic copy as a linear combination of the splits the compiler named:
 * contents Σ c·sumw, variances Σ c²·sumw2 (the splits are independent samples: variances add, and
 * scaling by c scales a variance by c²), ROOT's running statistics the same way (Σ c·sumw·x ... and
 * Σ c²·sumw2), entries the sum of the operands' entries (as ROOT's TH1::Add counts them).
 * A split absent from a region contributes nothing (a sample with no events there still has an
 * empty histogram, so this does not arise from a run).
 */
import type { HistogramNode } from "../../plan/types.js";
import type { HistogramData } from "./histogram.js";
import type { HistogramResult } from "./types.js";

/** The node's results with each derived split placed after the splits of its (name, region). */
export function withDerived(h: HistogramNode, results: HistogramResult[]): HistogramResult[] {
  const derived = h.derived ?? [];
  if (!derived.length) return results;
  const out: HistogramResult[] = [];
  const groupKey = (r: HistogramResult) => `${r.data.name}\0${r.region}`;
  for (let i = 0; i < results.length; ) {
    let j = i;
    while (j < results.length && groupKey(results[j]) === groupKey(results[i])) j++;
    const group = results.slice(i, j);
    out.push(...group);
    const first = group[0];
    for (const d of derived) {
      const data = combine(first.data, Object.entries(d.splits).map(([split, c]) => ({ c, data: group.find((r) => r.split === split)?.data })));
      const dir = first.key.split("/")[0];
      out.push({ ...first, key: `${dir}/${first.data.name}/${d.name}`, split: d.name, data });
    }
    i = j;
  }
  return out;
}

function combine(like: HistogramData, terms: Array<{ c: number; data: HistogramData | undefined }>): HistogramData {
  const n = like.sumw.length;
  const sumw = new Array<number>(n).fill(0);
  const sumw2 = new Array<number>(n).fill(0);
  const stats: HistogramData["stats"] = { sumw: 0, sumw2: 0, sumwx: 0, sumwx2: 0, ...(like.stats.sumwy !== undefined ? { sumwy: 0, sumwy2: 0, sumwxy: 0 } : {}) };
  let entries = 0;
  for (const { c, data } of terms) {
    if (!data) continue;
    if (data.sumw.length !== n) throw new Error(`internal: derived histogram over splits of different binnings (${data.sumw.length} and ${n} bins)`);
    for (let b = 0; b < n; b++) {
      sumw[b] += c * data.sumw[b];
      sumw2[b] += c * c * data.sumw2[b];
    }
    entries += data.entries;
    stats.sumw += c * data.stats.sumw;
    stats.sumw2 += c * c * data.stats.sumw2;
    stats.sumwx += c * data.stats.sumwx;
    stats.sumwx2 += c * data.stats.sumwx2;
    if (stats.sumwy !== undefined) {
      stats.sumwy += c * (data.stats.sumwy ?? 0);
      stats.sumwy2! += c * (data.stats.sumwy2 ?? 0);
      stats.sumwxy! += c * (data.stats.sumwxy ?? 0);
    }
  }
  return { name: like.name, edges: like.edges.map((e) => e.slice()), sumw, sumw2, entries, skipped: 0, stats };
}
