/**
 * Feature values: NaN is a missing value (XGBoost's convention), kept as it is; an infinity is an
 * error naming the feature, sample and entry (a division by zero, a log of zero); a feature missing
 * for every training event is an error; a constant one is a warning.
 */
import type { Table } from "./gather.js";
import { Problems, num } from "./problems.js";
import type { Settings } from "./spec.js";

/** Infinities anywhere (every row is scored later, not only the training ones). */
export function checkInfinities(t: Table, s: Settings, problems: Problems): void {
  s.features.forEach((f, fi) => {
    const x = t.features[fi];
    const first = new Map<number, number>();
    const count = new Map<number, number>();
    for (let i = 0; i < t.n; i++) {
      const v = x[i];
      if (v === Infinity || v === -Infinity) {
        if (!first.has(t.sample[i])) first.set(t.sample[i], i);
        count.set(t.sample[i], (count.get(t.sample[i]) ?? 0) + 1);
      }
    }
    for (const [si, i] of first) {
      const more = count.get(si)! - 1;
      problems.add("HEP6014", { feature: f.name, value: num(x[i]), entry: t.entry[i], sample: s.samples[si], more: more > 0 ? ` (and at ${more} more ${more === 1 ? "entry" : "entries"} of that sample)` : "" });
    }
  });
}

/** All-missing and constant features over the rows that train (or validate) a model. */
export function checkFeatureValues(t: Table, s: Settings, rows: Int32Array, problems: Problems): void {
  s.features.forEach((f, fi) => {
    const x = t.features[fi];
    let present = 0;
    let first = NaN;
    let constant = true;
    for (let j = 0; j < rows.length; j++) {
      const v = x[rows[j]];
      if (Number.isNaN(v)) continue;
      if (present === 0) first = v;
      else if (v !== first) constant = false;
      present += 1;
    }
    if (present === 0) problems.add("HEP6016", { feature: f.name });
    else if (constant) problems.add("HEP6015", { feature: f.name, what: `constant (${num(first)} wherever present)` });
  });
}
