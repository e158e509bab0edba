/**
 * A weight variation's factor must be a finite number at every event a copy is filled from, as a
 * sample's weight must (HEP6003): a NaN or an infinity stops the run naming the sample, the file,
 * the entry and the systematic's declaration (HEP6125), instead of filling the copy silently.
 */
import type { SystematicIR } from "../../../plan/types.js";
import { RunError } from "../errors.js";
import type { Events } from "./types.js";

/** Checks `factor` over the events of `region` (the ones the copy is filled from). */
export function checkVariedWeight(ev: Events, factor: Float64Array, region: string, s: SystematicIR, direction: "Up" | "Down", sample: string): void {
  const { idx, count } = ev.passing(region);
  for (let q = 0; q < count; q++) {
    const v = factor[idx[q]];
    if (v - v !== 0) {
      const where = ev.locate(idx[q]);
      throw new RunError("HEP6125", { sample, systematic: s.name, direction: direction === "Up" ? "up" : "down", value: String(v), entry: where.entry, file: where.file }, s.origin);
    }
  }
}
