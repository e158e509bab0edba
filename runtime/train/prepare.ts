/**
 * prepareTraining: the rows of every sample → one FoldData per fold (or one without folds), each
 * with weights and scalers fitted on that fold's training part only, plus the pooled weights the
 * dataset and the run summary report. docs/training.md states the semantics this implements.
 */
import { checkFeatureValues, checkInfinities } from "./checks.js";
import { gatherRows, type Table } from "./gather.js";
import { Problems, type Reported } from "./problems.js";
import { binRows } from "./reweight.js";
import { fitScaler, scaleRows } from "./scaling.js";
import { resolveSettings } from "./settings.js";
import type { ScaleSpec, Settings, TrainSpec } from "./spec.js";
import { splitRows, type Parts } from "./split.js";
import type { FoldData, SampleRows } from "./types.js";
import { baseWeights, fitWeights, rowFactor, rowWeight, type WeightModel } from "./weights.js";

export interface ClassSummary {
  class: string;
  /** training events (outside the validation and test parts, all folds together) */
  events: number;
  /** their sum of event weights as the data pass gave them */
  sumBefore: number;
  /** their sum of training weights, fitted on all of them together */
  sumAfter: number;
}

export interface FoldSummary {
  /** -1 without folds */
  fold: number;
  /** rows this fold's model trains on and validates on (non-zero weight) */
  train: number;
  valid: number;
  /** rows of this fold (scored by its model), test part included */
  scored: number;
  /** per class, in class order */
  trainPerClass: number[];
  sumTrainPerClass: number[];
}

export interface TrainingSummary {
  classes: ClassSummary[];
  events: { total: number; train: number; valid: number; test: number; negative: number; zeroWeight: number };
  folds: FoldSummary[];
}

/** Every row in canonical order with its parts and pooled training weight: the dataset's content. */
export interface DatasetRows {
  samples: string[];
  classes: string[];
  featureNames: string[];
  n: number;
  sample: Int32Array;
  entry: Float64Array;
  label: Int32Array;
  /** the training weight fitted on all folds' training parts together (see docs/training.md) */
  weight: Float64Array;
  /** -1 without folds */
  fold: Int32Array;
  test: Uint8Array;
  valid: Uint8Array;
  /** unscaled */
  features: Float64Array[];
}

export interface Prepared {
  folds: FoldData[];
  classes: string[];
  summary: TrainingSummary;
  dataset: DatasetRows;
}

function select(n: number, keep: (i: number) => boolean): Int32Array {
  let m = 0;
  for (let i = 0; i < n; i++) if (keep(i)) m++;
  const out = new Int32Array(m);
  m = 0;
  for (let i = 0; i < n; i++) if (keep(i)) out[m++] = i;
  return out;
}

/** HEP6010 unless every class has a row of non-zero base weight among `rows`. */
function checkClasses(s: Settings, t: Table, rows: Int32Array, base: Float64Array, where: string, problems: Problems): boolean {
  const seen = new Uint8Array(s.classes.length);
  for (let j = 0; j < rows.length; j++) if (base[rows[j]] !== 0) seen[t.label[rows[j]]] = 1;
  const missing = s.classes.filter((_, k) => !seen[k]);
  if (missing.length === 0) return true;
  const present = s.classes.filter((_, k) => seen[k]);
  const found = present.length === 1 ? `only events of class '${present[0]}'` : `no events of class${missing.length > 1 ? "es" : ""} ${missing.map((c) => `'${c}'`).join(", ")}`;
  problems.add("HEP6010", { where, found });
  return false;
}

/** Zero-weight events the user did not ask for (a missing reweighting value, a bin without target). */
function zeroWeightWarnings(s: Settings, t: Table, parts: Parts, base: Float64Array, bins: Int32Array | null, model: WeightModel, problems: Problems): void {
  if (!bins) return;
  const reasons = [
    "a reweighting variable is missing (NaN) for them",
    s.reweight!.mode === "to" ? "their reweighting bin has no weight of the target (or of their own class)" : "their reweighting bin has a sum of weights that is not positive",
  ];
  const count = reasons.map(() => new Map<number, { n: number; entry: number }>());
  for (let i = 0; i < t.n; i++) {
    if (parts.test[i] || base[i] === 0) continue;
    const r = bins[i] < 0 ? 0 : rowFactor(model, s, t, bins, i) === 0 ? 1 : -1;
    if (r < 0) continue;
    const c = count[r].get(t.sample[i]);
    if (c) c.n += 1;
    else count[r].set(t.sample[i], { n: 1, entry: t.entry[i] });
  }
  count.forEach((m, r) => {
    for (const [si, c] of m) problems.add("HEP6019", { count: c.n, sample: s.samples[si], entry: c.entry, reason: reasons[r] });
  });
}

function buildFold(fold: number, s: Settings, t: Table, trainRows: Int32Array, validRows: Int32Array, base: Float64Array, bins: Int32Array | null, model: WeightModel): { data: FoldData; summary: FoldSummary } {
  const K = s.classes.length;
  const weighted = (rows: Int32Array) => {
    const w = new Float64Array(rows.length);
    const kept = new Int32Array(rows.length);
    let m = 0;
    for (let j = 0; j < rows.length; j++) {
      const x = rowWeight(model, s, t, base, bins, rows[j]);
      // A zero weight carries nothing in a weighted loss; leaving the row out keeps it out of the
      // scalers, the quantile sketches and the counts too.
      if (x !== 0) {
        w[m] = x;
        kept[m++] = rows[j];
      }
    }
    return { rows: kept.slice(0, m), w: w.slice(0, m) };
  };
  const tr = weighted(trainRows);
  const va = weighted(validRows);
  const scalers = s.features.map((f, fi) => fitScaler(f.scaling, t.features[fi], tr.rows, tr.w));
  const part = (p: { rows: Int32Array; w: Float64Array }) => {
    const label = new Int32Array(p.rows.length);
    for (let j = 0; j < p.rows.length; j++) label[j] = t.label[p.rows[j]];
    return { columns: scalers.map((sc, fi) => scaleRows(sc, t.features[fi], p.rows)), label, weight: Float32Array.from(p.w), n: p.rows.length };
  };
  const trainPart = part(tr);
  const trainPerClass = new Array<number>(K).fill(0);
  const sumTrainPerClass = new Array<number>(K).fill(0);
  for (let j = 0; j < tr.rows.length; j++) {
    trainPerClass[t.label[tr.rows[j]]] += 1;
    sumTrainPerClass[t.label[tr.rows[j]]] += tr.w[j];
  }
  return {
    data: { fold, ...trainPart, valid: part(va), scalers },
    summary: { fold, train: tr.rows.length, valid: va.rows.length, scored: 0, trainPerClass, sumTrainPerClass },
  };
}

/**
 * Prepares the training data of one `train` block. `rows` may come in any chunks and order: the
 * result is the same. Errors leave `value` null; warnings come with a value.
 */
export function prepareTraining(rows: SampleRows[], train: TrainSpec, scale: ScaleSpec): Reported<Prepared> {
  const problems = new Problems();
  const fail = (): Reported<Prepared> => ({ value: null, problems: problems.list });
  const s = resolveSettings(train, scale, problems);
  if (!s) return fail();
  const t = gatherRows(rows, s, problems);
  if (!t) return fail();
  if (t.n === 0) {
    problems.add("HEP6011", { reason: "the training region selected no events in any sample" });
    return fail();
  }
  const parts = splitRows(t, s, problems);
  checkInfinities(t, s, problems);
  const base = baseWeights(t, s, problems);
  if (!parts || !base || problems.hasErrors) return fail();

  const pooled = select(t.n, (i) => !parts.test[i] && !parts.valid[i]);
  if (!pooled.some((i) => base[i] !== 0)) {
    problems.add("HEP6011", { reason: "every selected event is in the test or validation part, or has weight 0" });
    return fail();
  }
  if (!checkClasses(s, t, pooled, base, "the training events", problems)) return fail();
  checkFeatureValues(t, s, select(t.n, (i) => !parts.test[i]), problems);
  if (problems.hasErrors) return fail();

  const bins = s.reweight ? binRows(t, s.reweight) : null;
  const model = fitWeights(s, t, pooled, base, bins, "the training events", problems, problems);
  if (!model) return fail();
  zeroWeightWarnings(s, t, parts, base, bins, model, problems);

  const folds: FoldData[] = [];
  const foldSummaries: FoldSummary[] = [];
  if (s.folds === null) {
    const valid = select(t.n, (i) => parts.valid[i] === 1);
    const { data, summary } = buildFold(-1, s, t, pooled, valid, base, bins, model);
    summary.scored = t.n;
    folds.push(data);
    foldSummaries.push(summary);
  } else {
    const scored = new Array<number>(s.folds).fill(0);
    for (let i = 0; i < t.n; i++) scored[parts.fold[i]] += 1;
    scored.forEach((n, k) => n === 0 && problems.add("HEP6012", { fold: k, reason: `holds no events: the fold expression never gives ${k} in the training region` }));
    if (problems.hasErrors) return fail();
    for (let k = 0; k < s.folds; k++) {
      const trainRows = select(t.n, (i) => !parts.test[i] && !parts.valid[i] && parts.fold[i] !== k);
      const where = `fold ${k}'s training events (the other folds)`;
      if (!trainRows.some((i) => base[i] !== 0)) {
        problems.add("HEP6012", { fold: k, reason: "has no training events: the other folds hold none outside the validation and test parts" });
        continue;
      }
      if (!checkClasses(s, t, trainRows, base, where, problems)) continue;
      const m = fitWeights(s, t, trainRows, base, bins, where, problems, null);
      if (!m) continue;
      const validRows = select(t.n, (i) => parts.valid[i] === 1 && parts.fold[i] !== k);
      const { data, summary } = buildFold(k, s, t, trainRows, validRows, base, bins, m);
      summary.scored = scored[k];
      folds.push(data);
      foldSummaries.push(summary);
    }
    if (problems.hasErrors) return fail();
  }

  const weight = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) weight[i] = rowWeight(model, s, t, base, bins, i);
  const classes: ClassSummary[] = s.classes.map((c) => ({ class: c, events: 0, sumBefore: 0, sumAfter: 0 }));
  for (let j = 0; j < pooled.length; j++) {
    const i = pooled[j];
    const c = classes[t.label[i]];
    c.events += 1;
    c.sumBefore += t.weight[i];
    c.sumAfter += weight[i];
  }
  let test = 0;
  let valid = 0;
  let negative = 0;
  let zeroWeight = 0;
  for (let i = 0; i < t.n; i++) {
    test += parts.test[i];
    valid += parts.valid[i];
    if (t.weight[i] < 0) negative += 1;
    if (!parts.test[i] && weight[i] === 0) zeroWeight += 1;
  }

  return {
    value: {
      folds,
      classes: s.classes,
      summary: { classes, events: { total: t.n, train: pooled.length, valid, test, negative, zeroWeight }, folds: foldSummaries },
      dataset: {
        samples: s.samples,
        classes: s.classes,
        featureNames: s.features.map((f) => f.name),
        n: t.n,
        sample: t.sample,
        entry: t.entry,
        label: t.label,
        weight,
        fold: s.folds === null ? new Int32Array(t.n).fill(-1) : parts.fold,
        test: parts.test,
        valid: parts.valid,
        features: t.features,
      },
    },
    problems: problems.list,
  };
}
