/**
 * Ntuples (`output ntuple "..." in REGION keep ...`): per sample, the events of the regions (any of
 * them; none: every event of the sample's selection), in entry order, with their columns: flat
 * ones one value per event, jagged ones (list outputs of the kernel) offsets and values. Chunks
 * arrive in entry order whatever the threads, so the rows are the same for any thread count and
 * chunk size. The rows are kept in memory until the run's outputs are staged (outputs.ts), which
 * writes each sample's tree only once the whole run has succeeded.
 */
import { hashOf } from "../../../plan/canonical.js";
import type { NtupleColumnIR, WriteNode } from "../../../plan/types.js";
import { unpackList } from "../../columns/index.js";
import { RunError } from "../errors.js";
import { GrowableF64 } from "./growable.js";
import { SELECTED, type Runner } from "./types.js";

export interface NtupleSample {
  sample: string;
  /** Rows (selected events). */
  rows: number;
  /** Per column, in the plan's order: values, and for a jagged column its offsets (rows + 1). */
  columns: Array<{ values: Float64Array; offsets?: Int32Array }>;
}

export interface NtupleResult {
  node: string;
  path: string;
  columns: Array<Omit<NtupleColumnIR, "expr">>;
  samples: NtupleSample[];
}

class GrowableI32 {
  private buf = new Int32Array(1025);
  length = 1; // offsets start with 0
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Int32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  values(): Int32Array {
    return this.buf.slice(0, this.length);
  }
}

export const ntupleRunner: Runner<WriteNode, NtupleSample> = {
  sample(w, scope) {
    if (w.format !== "ntuple") return null;
    const columns = w.columns ?? [];
    const regions = w.regions ?? [];
    const when = scope.condition(regions);
    const keyOf = (k: number) => `nt:${w.id}:${k}`;
    const outputs = columns.map((c, k) => ({
      key: keyOf(k),
      expr: c.expr,
      as: c.counter ? ("list" as const) : ("f64" as const),
      // computed only for the events kept: the condition is part of the cache key
      when: when?.expr,
      cacheKey: when ? hashOf({ v: scope.keyOf(c.expr), when: when.hash }) : scope.keyOf(c.expr),
    }));
    const values = columns.map(() => new GrowableF64());
    const offsets = columns.map((c) => (c.counter ? new GrowableI32() : null));
    const picked = regions.length > 1 ? { mask: new Uint8Array(0), idx: new Int32Array(0) } : null;
    let rows = 0;
    return {
      outputs,
      regions: regions.length ? regions : [SELECTED],
      chunk(ev) {
        let idx: Int32Array;
        let count: number;
        if (!picked) ({ idx, count } = ev.passing(regions[0] ?? SELECTED));
        else {
          // events in any of the regions, in entry order
          if (picked.mask.length < ev.n) [picked.mask, picked.idx] = [new Uint8Array(ev.n), new Int32Array(ev.n)];
          const mask = picked.mask;
          mask.fill(0, 0, ev.n);
          for (const r of regions) {
            const p = ev.passing(r);
            for (let q = 0; q < p.count; q++) mask[p.idx[q]] = 1;
          }
          count = 0;
          for (let i = 0; i < ev.n; i++) if (mask[i]) picked.idx[count++] = i;
          idx = picked.idx;
        }
        columns.forEach((c, k) => {
          const col = ev.columns.get(keyOf(k)) as Float64Array;
          if (!c.counter) {
            if (c.type === "int") {
              for (let q = 0; q < count; q++) {
                const v = col[idx[q]];
                if (v !== v) {
                  const at = ev.locate(idx[q]);
                  throw new RunError("HEP6080", { column: c.name, sample: scope.read.sample, file: at.file, entry: at.entry }, w.origin);
                }
              }
            }
            values[k].gather(col, idx, count);
            return;
          }
          const { offsets: off, values: vals } = unpackList(col, ev.n);
          const g = values[k];
          const o = offsets[k]!;
          for (let q = 0; q < count; q++) {
            const i = idx[q];
            for (let j = off[i]; j < off[i + 1]; j++) {
              const v = vals[j];
              if (v !== v && c.type === "int") {
                const at = ev.locate(i);
                throw new RunError("HEP6080", { column: c.name, sample: scope.read.sample, file: at.file, entry: at.entry }, w.origin);
              }
              g.push(v);
            }
            o.push(g.length);
          }
        });
        rows += count;
      },
      finish: () => ({
        sample: scope.read.sample,
        rows,
        columns: columns.map((c, k) => ({ values: values[k].values(), ...(offsets[k] ? { offsets: offsets[k]!.values() } : {}) })),
      }),
    };
  },
  merge(w, partials, run) {
    if (w.format !== "ntuple") return;
    const result: NtupleResult = {
      node: w.id,
      path: w.path,
      columns: (w.columns ?? []).map(({ name, type, counter }) => ({ name, type, ...(counter ? { counter } : {}) })),
      samples: partials.map((p) => p.partial),
    };
    run.results.set(w.id, result);
  },
};
