/** Cutflow counters: raw and weighted events per sample, for all events, the sample selection and each region. */

export interface Count {
  raw: number;
  weighted: number;
  /** sum of squared weights, for the statistical uncertainty of `weighted` */
  sumw2: number;
}

export interface SampleCutflow {
  sample: string;
  class: string | null;
  entries: number;
  /** events passing the sample's own selection (all events without one) */
  selected: Count;
  regions: Record<string, Count>;
  /**
   * `cutflow ... with systematics`: the counts in each variation and direction, keyed
   * `{systematic}Up` / `{systematic}Down` (a sample a variation is not for has its nominal counts
   * there; an alternative sample's counts are those of the sample it replaces, and it has no row).
   */
  variations?: Record<string, { selected: Count; regions: Record<string, Count> }>;
}

export function zero(): Count {
  return { raw: 0, weighted: 0, sumw2: 0 };
}

export function scaleCount(c: Count, f: number): void {
  c.weighted *= f;
  c.sumw2 *= f * f;
}

/** A fixed-width table: one row per region, one column per sample and the total. */
/**
 * The cutflow as a text table at most `width` characters wide where it can be: samples as columns
 * when they fit, else one row per sample, its columns (entries, selected, the regions) wrapped into
 * blocks that each fit, every block repeating the sample names.
 */
export function formatCutflow(regions: string[], samples: SampleCutflow[], weighted: boolean, width = Infinity): string {
  const fmt = (c: Count) => (weighted ? `${c.raw}  (${c.weighted.toPrecision(6)})` : String(c.raw));
  const total = (pick: (s: SampleCutflow) => Count): Count =>
    samples.reduce((acc, s) => {
      const c = pick(s);
      return { raw: acc.raw + c.raw, weighted: acc.weighted + c.weighted, sumw2: acc.sumw2 + c.sumw2 };
    }, zero());
  const rows: string[][] = [["", ...samples.map((s) => s.sample), ...(samples.length > 1 ? ["total"] : [])]];
  const row = (label: string, pick: (s: SampleCutflow) => Count) => rows.push([label, ...samples.map((s) => fmt(pick(s))), ...(samples.length > 1 ? [fmt(total(pick))] : [])]);
  rows.push(["entries", ...samples.map((s) => String(s.entries)), ...(samples.length > 1 ? [String(samples.reduce((a, s) => a + s.entries, 0))] : [])]);
  row("selected", (s) => s.selected);
  for (const r of regions) row(r, (s) => s.regions[r]);
  if (tableWidth(rows) <= width) return layout(rows);
  // one row per sample: the table transposed
  const byRow = rows[0].map((_, j) => rows.map((r) => r[j]));
  byRow[0][0] = "sample";
  const blocks: string[] = [];
  let cols: number[] = [];
  const block = (cs: number[]) => layout(byRow.map((r) => [r[0], ...cs.map((j) => r[j])]));
  for (let j = 1; j < byRow[0].length; j++) {
    if (cols.length && tableWidth(byRow.map((r) => [r[0], ...[...cols, j].map((k) => r[k])])) > width) {
      blocks.push(block(cols));
      cols = [];
    }
    cols.push(j);
  }
  if (cols.length) blocks.push(block(cols));
  return blocks.join("\n");
}

const GAP = "   ";

function tableWidth(rows: string[][]): number {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
}

function layout(rows: string[][]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return rows.map((r) => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join(GAP)).join("\n") + "\n";
}
