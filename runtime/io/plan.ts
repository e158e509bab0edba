/**
 * Read plans: which bytes of which files make up a set of columns over an entry range, as plain
 * data. The reader makes them on the thread that holds the metadata (jsroot's TTree objects);
 * anything that can read bytes executes them: the reader itself with its decode pool, or a worker
 * thread that was handed the plan and reads, decodes and assembles the columns on its own
 * (`readPlanSync`), so a chunk's bytes and columns never cross threads.
 */
import { SourceError } from "../source/index.js";
import {
  allocTyped,
  BasketError,
  decodePayload,
  decodeStoredBasket,
  decodeStoredBasketInto,
  DTYPE_SIZE,
  typedView,
  type DecodedBasket,
  type Dtype,
  type Interp,
  type TypedArray,
} from "./basket.js";
import { DecompressError } from "./codecs/index.js";
import { RootIoError } from "./errors.js";

export type Column =
  | { kind: "flat"; dtype: Dtype; values: TypedArray }
  | { kind: "jagged"; dtype: Dtype; offsets: Int32Array; values: TypedArray }
  | { kind: "fixed"; dtype: Dtype; shape: number[]; values: TypedArray };

/** One output column of a plan. */
export interface PlannedColumn {
  name: string;
  kind: "flat" | "jagged" | "fixed";
  dtype: Dtype;
  shape?: number[];
  /** Values per entry (flat 1, fixed the product of its shape; unused for jagged). */
  perEntry: number;
}

/** One basket's share of a plan: where its bytes are, how to decode them, which entries to keep. */
export interface PlannedBasket {
  /** Index into `ReadPlan.columns`. */
  column: number;
  /** For reading and for errors. */
  file: string;
  tree: string;
  branch: string;
  /** The basket's number in its branch and its first entry in the file. */
  basket: number;
  first: number;
  /** Bytes in the file (key + payload); `seek` 0 when the basket is embedded in the TBranch. */
  seek: number;
  bytes: number;
  embedded?: { payload: Uint8Array; keylen: number; last: number; nevbuf: number };
  /** Entries the branch's table says the basket holds. */
  entries: number;
  interp: Interp;
  /** Entries of this basket to keep, relative to its first entry, and where they go in the output. */
  from: number;
  to: number;
  outEntry: number;
}

export interface ReadPlan {
  /** Entries in the output. */
  n: number;
  columns: PlannedColumn[];
  /** In output order per column (by `outEntry`). */
  baskets: PlannedBasket[];
}

export function basketContext(b: PlannedBasket): { file: string; tree: string; branch: string; basket: number; entry: number } {
  return { file: b.file, tree: b.tree, branch: b.branch, basket: b.basket, entry: b.first };
}

/** Any failure while reading or decoding a basket, as a RootIoError naming file, tree, branch and basket. */
export function basketError(b: PlannedBasket, e: unknown): RootIoError {
  if (e instanceof RootIoError) return e;
  const ctx = basketContext(b);
  const kind = e instanceof Error ? e.name : "";
  if (e instanceof SourceError || kind === "SourceError") return new RootIoError(`cannot read basket bytes: ${(e as Error).message}`, ctx, { cause: e });
  if (e instanceof BasketError || e instanceof DecompressError || kind === "BasketError" || kind === "DecompressError") {
    return new RootIoError(`corrupted basket: ${(e as Error).message}`, ctx, { cause: e });
  }
  return new RootIoError(`failed to decode basket: ${(e as Error)?.message ?? String(e)}`, ctx, { cause: e });
}

/**
 * Collects decoded baskets into a plan's columns. Flat and fixed columns are allocated up front
 * (in shared memory when workers write into them); jagged ones are stitched from their baskets'
 * pieces once all have arrived.
 */
export class ColumnAssembler {
  /** flat/fixed columns' values, by column index (undefined for jagged). */
  readonly values: (TypedArray | undefined)[];
  private readonly remaining: number[];
  private readonly jaggedParts = new Map<number, { values: TypedArray; counts: Int32Array }>();
  private readonly done: (Column | undefined)[];

  constructor(
    readonly plan: ReadPlan,
    shared: boolean,
    private readonly alloc: (dtype: Dtype, n: number) => TypedArray = allocTyped,
  ) {
    const n = plan.n;
    this.values = plan.columns.map((c) => {
      if (c.kind === "jagged") return undefined;
      const len = n * c.perEntry;
      if (!shared) return alloc(c.dtype, len);
      return typedView(c.dtype, new SharedArrayBuffer(len * DTYPE_SIZE[c.dtype]) as unknown as ArrayBuffer, 0, len);
    });
    this.remaining = plan.columns.map(() => 0);
    for (const b of plan.baskets) this.remaining[b.column]++;
    this.done = plan.columns.map(() => undefined);
  }

  /** Where basket `b`'s kept values go in its flat/fixed column, for a decoder that writes them itself. */
  destination(b: PlannedBasket): TypedArray | undefined {
    const v = this.values[b.column];
    if (!v) return undefined;
    const per = this.plan.columns[b.column].perEntry;
    return v.subarray(b.outEntry * per, (b.outEntry + b.to - b.from) * per) as TypedArray;
  }

  /** Basket number `k` of the plan has been decoded (`null`: its values were written in place). */
  place(k: number, d: DecodedBasket | null): void {
    const b = this.plan.baskets[k];
    const col = this.plan.columns[b.column];
    if (d !== null) {
      if (col.kind !== "jagged") {
        const per = col.perEntry;
        if (d.values.length < b.to * per) throw new RootIoError(`basket decoded to ${d.values.length} values, expected ${b.to * per}`, basketContext(b));
        (this.values[b.column] as TypedArray & { set(a: ArrayLike<number | bigint>, o: number): void }).set(d.values.subarray(b.from * per, b.to * per) as never, b.outEntry * per);
      } else {
        const counts = d.counts!;
        let lo = 0;
        for (let i = 0; i < b.from; i++) lo += counts[i];
        let hi = lo;
        for (let i = b.from; i < b.to; i++) hi += counts[i];
        const whole = b.from === 0 && b.to === counts.length;
        this.jaggedParts.set(k, {
          values: whole ? d.values : (d.values.slice(lo, hi) as TypedArray),
          counts: whole ? counts : counts.slice(b.from, b.to),
        });
      }
    }
    if (--this.remaining[b.column] === 0 && col.kind === "jagged") this.done[b.column] = this.stitch(b.column);
  }

  finish(): Map<string, Column> {
    const out = new Map<string, Column>();
    this.plan.columns.forEach((c, i) => {
      if (c.kind === "jagged") out.set(c.name, this.done[i] ?? this.stitch(i));
      else if (c.kind === "fixed") out.set(c.name, { kind: "fixed", dtype: c.dtype, shape: c.shape ?? [c.perEntry], values: this.values[i]! });
      else out.set(c.name, { kind: "flat", dtype: c.dtype, values: this.values[i]! });
    });
    return out;
  }

  private stitch(column: number): Column {
    const col = this.plan.columns[column];
    const mine: number[] = [];
    this.plan.baskets.forEach((b, k) => {
      if (b.column === column) mine.push(k);
    });
    mine.sort((a, b) => this.plan.baskets[a].outEntry - this.plan.baskets[b].outEntry);
    let total = 0;
    for (const k of mine) total += this.jaggedParts.get(k)!.values.length;
    const values = this.alloc(col.dtype, total);
    const offsets = this.alloc("i4", this.plan.n + 1) as Int32Array;
    offsets[0] = 0;
    let v = 0;
    let e = 0;
    for (const k of mine) {
      const p = this.jaggedParts.get(k)!;
      (values as unknown as { set(a: unknown, o: number): void }).set(p.values, v);
      for (let i = 0; i < p.counts.length; i++) {
        v += p.counts[i];
        offsets[++e] = v;
      }
      this.jaggedParts.delete(k);
    }
    return { kind: "jagged", dtype: col.dtype, offsets, values };
  }
}

/** Synchronous positioned reads, by path (a worker keeps its files open across chunks). */
export interface SyncBytes {
  read(path: string, offset: number, length: number): Uint8Array;
}

/**
 * Executes a plan on this thread: every basket read, decompressed and decoded in turn, flat values
 * written straight into their column. The bytes `io.read` returns may be reused after each call.
 * `alloc` gives the columns' arrays (e.g. from a pool of earlier chunks'); their contents need not
 * be zero: every value is written.
 */
export function readPlanSync(plan: ReadPlan, io: SyncBytes, alloc?: (dtype: Dtype, n: number) => TypedArray): Map<string, Column> {
  const asm = new ColumnAssembler(plan, false, alloc);
  plan.baskets.forEach((b, k) => {
    try {
      if (b.embedded) {
        const e = b.embedded;
        asm.place(k, decodePayload(e.payload, e.keylen, e.last, e.nevbuf, b.interp));
        return;
      }
      if (b.bytes <= 0 || b.seek <= 0) throw new BasketError(`basket has no bytes on disk (seek ${b.seek}, size ${b.bytes})`);
      const raw = io.read(b.file, b.seek, b.bytes);
      const dest = asm.destination(b);
      if (dest) {
        const per = b.interp.perEntry;
        decodeStoredBasketInto(raw, b.entries, b.interp, dest, b.from * per, b.to * per);
        asm.place(k, null);
      } else asm.place(k, decodeStoredBasket(raw, b.entries, b.interp));
    } catch (e) {
      throw basketError(b, e);
    }
  });
  return asm.finish();
}
