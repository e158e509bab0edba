/**
 * The rows of every sample in one canonical order, whatever chunks the data pass handed them in:
 * samples in the order of the classes (and of the samples within a class) of the plan, each
 * sample's rows by entry. Every sum later is taken in this order, so the results are the same bits
 * for any chunking and thread count.
 */
import { Problems } from "./problems.js";
import type { Settings } from "./spec.js";
import type { SampleRows } from "./types.js";

export interface Table {
  n: number;
  /** index into Settings.samples */
  sample: Int32Array;
  label: Int32Array;
  entry: Float64Array;
  /** the event weight as the data pass computed it */
  weight: Float64Array;
  /** the fold expression's values as given */
  fold: Float64Array;
  features: Float64Array[];
  axes: Float64Array[];
  /** from a `test` expression; null when the test part is drawn or absent */
  test: Uint8Array | null;
}

export function gatherRows(rows: SampleRows[], s: Settings, problems: Problems): Table | null {
  const nf = s.features.length;
  const na = s.reweight?.axes.length ?? 0;
  const bySample = new Map<string, SampleRows[]>();
  for (const r of rows) {
    // A mismatch here is the executor's bug, not the user's: it promised these shapes.
    const len = r.entry.length;
    if (r.weight.length !== len || r.fold.length !== len || r.features.length !== nf || r.features.some((c) => c.length !== len) || r.reweightAxes.length !== na || r.reweightAxes.some((c) => c.length !== len) || (r.test !== null && r.test.length !== len)) {
      throw new Error(`hepc internal: the rows of sample '${r.sample}' do not match the training's features (${nf}) and reweighting axes (${na})`);
    }
    if (s.test.kind === "expr" && r.test === null) throw new Error(`hepc internal: the rows of sample '${r.sample}' carry no test flags though the test part is an expression`);
    const k = s.sampleClass.get(r.sample);
    if (k === undefined) {
      problems.add("HEP6018", { detail: `sample '${r.sample}' is in no class of this training` });
      continue;
    }
    if (r.class !== s.classes[k]) problems.add("HEP6018", { detail: `sample '${r.sample}' arrived as class '${r.class}', but the plan puts it in '${s.classes[k]}'` });
    if (len > 0) (bySample.get(r.sample) ?? bySample.set(r.sample, []).get(r.sample)!).push(r);
  }
  if (problems.hasErrors) return null;

  let n = 0;
  for (const chunks of bySample.values()) for (const c of chunks) n += c.entry.length;
  const t: Table = {
    n,
    sample: new Int32Array(n),
    label: new Int32Array(n),
    entry: new Float64Array(n),
    weight: new Float64Array(n),
    fold: new Float64Array(n),
    features: Array.from({ length: nf }, () => new Float64Array(n)),
    axes: Array.from({ length: na }, () => new Float64Array(n)),
    test: s.test.kind === "expr" ? new Uint8Array(n) : null,
  };
  let at = 0;
  s.samples.forEach((name, si) => {
    const chunks = bySample.get(name);
    if (!chunks) return;
    // (row chunk, row) pairs ordered by entry: chunks are usually in order already, but a chunk
    // pool may finish them in any order.
    const refs = entryOrder(chunks);
    const label = s.sampleClass.get(name)!;
    for (let j = 0; j < refs.length; j++) {
      const [c, i] = refs[j];
      const o = at + j;
      t.sample[o] = si;
      t.label[o] = label;
      t.entry[o] = c.entry[i];
      t.weight[o] = c.weight[i];
      t.fold[o] = c.fold[i];
      for (let f = 0; f < nf; f++) t.features[f][o] = c.features[f][i];
      for (let a = 0; a < na; a++) t.axes[a][o] = c.reweightAxes[a][i];
      if (t.test) t.test[o] = c.test![i] ? 1 : 0;
      // (a per-candidate training's rows share their event's entry, one per candidate)
      const same = j > 0 && t.entry[o] === t.entry[o - 1] && (!c.candidate || !refs[j - 1][0].candidate || c.candidate[i] === refs[j - 1][0].candidate![refs[j - 1][1]]);
      if (same) problems.add("HEP6018", { detail: `sample '${name}': entry ${t.entry[o]} was given twice` });
    }
    at += refs.length;
  });
  return problems.hasErrors ? null : t;
}

/** (chunk, row) pairs by entry; cheap when each chunk is in entry order and they do not overlap. */
function entryOrder(chunks: SampleRows[]): Array<readonly [SampleRows, number]> {
  const sorted = [...chunks].sort((a, b) => a.entry[0] - b.entry[0]);
  const refs: Array<readonly [SampleRows, number]> = [];
  let last = -Infinity;
  let ordered = true;
  for (const c of sorted) {
    for (let i = 0; i < c.entry.length; i++) {
      if (c.entry[i] < last) ordered = false;
      last = c.entry[i];
      refs.push([c, i]);
    }
  }
  if (!ordered) refs.sort((a, b) => a[0].entry[a[1]] - b[0].entry[b[1]]);
  return refs;
}
