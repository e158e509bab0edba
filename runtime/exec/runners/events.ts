/**
 * The first link of every chunk's chain: the sample's weights (checked event by event, so a bad
 * one stops the run before anything is filled from it), its selection and the regions the tasks
 * ask for, resolved into ascending event indices once per chunk for every task to walk.
 */
import { hashOf } from "../../../plan/canonical.js";
import type { ExprIR, FilterNode, PlanNode } from "../../../plan/types.js";
import { RunError } from "../errors.js";
import { selectedIndices } from "../histogram.js";
import type { Chunk, CachedOutput } from "../stream.js";
import { SELECTED, type Events, type SampleScope } from "./types.js";

export class EventsLink {
  sumw = 0;
  private readonly scratch = new Map<string, Int32Array>();

  constructor(
    private readonly scope: SampleScope,
    private readonly regions: readonly string[],
    private readonly byId: ReadonlyMap<string, PlanNode>,
  ) {}

  /** The kernel outputs the link itself needs: weights, selection, region masks. */
  outputs(regionExprs: Record<string, ExprIR>): CachedOutput[] {
    const { weight, select, read } = this.scope;
    const out: CachedOutput[] = [];
    if (weight?.expr) out.push({ key: "w", expr: weight.expr, as: "f64", cacheKey: hashOf({ w: weight.hash }) });
    if (select) out.push({ key: "sel", expr: select.expr, as: "mask", cacheKey: hashOf({ sel: select.hash }) });
    for (const r of this.regions) out.push({ key: `r:${r}`, expr: regionExprs[r], as: "mask", cacheKey: hashOf({ region: this.byId.get(`filter:${r}`)!.hash, read: read.hash }) });
    // a region's weight, computed where the region holds (elsewhere it is never read)
    for (const r of this.regions) {
      const f = this.byId.get(`filter:${r}`) as FilterNode;
      if (!f.weight) continue;
      const when: ExprIR = { op: "ref", type: "bool", decl: "region", name: r };
      out.push({ key: `rw:${r}`, expr: f.weight, as: "f64", when, cacheKey: hashOf({ regionWeight: f.hash, read: read.hash }) });
    }
    return out;
  }

  /** The chunk as tasks see it; throws HEP6003 on a weight that is not a finite number. */
  events(chunk: Chunk): Events {
    const { columns: cols, n } = chunk;
    const w = (cols.get("w") as Float64Array | undefined) ?? null;
    const sel = (cols.get("sel") as Uint8Array | undefined) ?? null;
    if (w) {
      let sumw = this.sumw;
      for (let i = 0; i < n; i++) {
        const wi = w[i];
        if (wi - wi !== 0) {
          const where = chunk.locate(i);
          throw new RunError("HEP6003", { sample: this.scope.read.sample, value: String(wi), entry: where.entry, file: where.file }, this.scope.weight!.origin);
        }
        sumw += wi;
      }
      this.sumw = sumw;
    } else this.sumw += n;
    const resolved = new Map<string, { idx: Int32Array; count: number }>();
    const passing = (r: string) => {
      let p = resolved.get(r);
      if (!p) {
        const mask = r === SELECTED ? sel : andMasks(n, sel, cols.get(`r:${r}`) as Uint8Array);
        resolved.set(r, (p = selectedIndices(n, mask, this.scratchFor(r, n))));
      }
      return p;
    };
    const weighted = new Map<string, Float64Array | null>();
    const weightsIn = (r: string): Float64Array | null => {
      if (r === SELECTED) return w;
      if (weighted.has(r)) return weighted.get(r)!;
      const rw = cols.get(`rw:${r}`) as Float64Array | undefined;
      let out: Float64Array | null = w;
      if (rw) {
        // the sample's weight times the region's, checked like the sample's on the region's events
        out = new Float64Array(n);
        const { idx, count } = passing(r);
        for (let q = 0; q < count; q++) {
          const i = idx[q];
          const v = (w ? w[i] : 1) * rw[i];
          if (v - v !== 0) {
            const where = chunk.locate(i);
            const f = this.byId.get(`filter:${r}`)!;
            throw new RunError("HEP6003", { sample: this.scope.read.sample, value: String(rw[i]), entry: where.entry, file: where.file }, f.origin);
          }
          out[i] = v;
        }
      }
      weighted.set(r, out);
      return out;
    };
    return { n, entry0: chunk.entry0, columns: cols, locate: chunk.locate, w, passing, weightsIn };
  }

  private scratchFor(r: string, n: number): Int32Array {
    let a = this.scratch.get(r);
    if (!a || a.length < n) this.scratch.set(r, (a = new Int32Array(n)));
    return a;
  }
}

function andMasks(n: number, a: Uint8Array | null, b: Uint8Array): Uint8Array {
  if (a === null) return b;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i] & b[i];
  return out;
}
