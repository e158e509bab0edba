/**
 * A per-candidate model's scores, chunk by chunk (imported ONNX models and trained ones alike):
 * handed to the chunk's later links packed as a kernel's list input (`cand:MODEL:K`: the chunk's
 * offsets, then the values), and, when a later pass reads them, kept whole for the sample as
 * `cand:` offsets (its entries + 1) and `candv:` values (stream.ts packs each chunk's part).
 */
import { candidateInput } from "../../columns/index.js";
import { candidateValuesKey } from "../stream.js";
import { GrowableF64 } from "./growable.js";
import type { Events, RunState } from "./types.js";

export class CandidateScores {
  private readonly offsets: GrowableF64 | null;
  private readonly values: GrowableF64[] | null;
  /** Candidates kept so far. */
  private end = 0;

  constructor(
    private readonly model: string,
    outputs: number,
    keep: boolean,
  ) {
    this.offsets = keep ? new GrowableF64() : null;
    this.values = keep ? Array.from({ length: outputs }, () => new GrowableF64()) : null;
    this.offsets?.push(0);
  }

  /** A chunk's scores, one array per output of `rows` candidates, the events' offsets `off` (n + 1). */
  add(ev: Events, off: Float64Array, scores: Float64Array[], rows: number): void {
    const n = ev.n;
    scores.forEach((s, k) => {
      const packed = new Float64Array(n + 1 + rows);
      packed.set(off, 0);
      packed.set(s, n + 1);
      ev.columns.set(candidateInput(this.model, k), packed);
      this.values?.[k].append(s, rows);
    });
    if (this.offsets) {
      for (let i = 1; i <= n; i++) this.offsets.push(this.end + off[i]);
      this.end += off[n];
    }
  }

  /** The kept scores into the run's score columns of the sample (nothing when no later pass reads them). */
  store(run: RunState, sample: string): void {
    if (!this.offsets || !this.values) return;
    const all = run.scoreColumns.get(sample) ?? new Map<string, Float64Array>();
    this.values.forEach((v, k) => {
      all.set(candidateInput(this.model, k), this.offsets!.values());
      all.set(candidateValuesKey(candidateInput(this.model, k)), v.values());
    });
    run.scoreColumns.set(sample, all);
  }
}
