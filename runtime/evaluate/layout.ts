/**
 * A binary model's events laid out side by side in their ranked order (dense.ts's Dense, less the
 * order over them), and where such arrays go.
 */

export interface Layout {
  score: Float64Array;
  weight: Float64Array;
  label: Int32Array;
  /** 0 for the signal, 1 for every other class (a binary confusion matrix's rows). */
  twoClass: Int32Array;
  /** Each event's index in the input (bootstrap draws are keyed by it). */
  orig: Uint32Array;
  /** The events' flattened bins and folds, when asked for (else null). */
  bin: Int32Array | null;
  fold: Int32Array | null;
}

/**
 * Where a layout's arrays go: one buffer of at least `bytes`. evaluateModel lends them
 * (scratch.ts): its layouts live only through the call (the sections keep curves and figures,
 * never the events), and 10M events' layouts were ~0.3 s of page faults per evaluation.
 */
export type Memory = (bytes: number) => ArrayBuffer;

const fresh: Memory = (bytes) => new ArrayBuffer(bytes);

const a8 = (x: number) => Math.ceil(x / 8) * 8;

/** The bytes of m events' layout (layoutArrays). */
export function layoutBytes(m: number, withBin: boolean, withFold: boolean): number {
  return 2 * 8 * m + a8(4 * m) * (3 + Number(withBin) + Number(withFold));
}

/** The arrays of m events' layout, carved from one buffer of `memory` (each 8-byte aligned). */
export function layoutArrays(m: number, withBin: boolean, withFold: boolean, memory: Memory = fresh): Layout {
  const buf = memory(layoutBytes(m, withBin, withFold));
  let off = 0;
  // the next array's offset, in the order of layoutBytes
  const at = (bytes: number) => {
    const o = off;
    off += a8(bytes * m);
    return o;
  };
  return {
    score: new Float64Array(buf, at(8), m), weight: new Float64Array(buf, at(8), m), label: new Int32Array(buf, at(4), m),
    twoClass: new Int32Array(buf, at(4), m), orig: new Uint32Array(buf, at(4), m),
    bin: withBin ? new Int32Array(buf, at(4), m) : null, fold: withFold ? new Int32Array(buf, at(4), m) : null,
  };
}
