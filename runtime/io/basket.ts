/**
 * One TBasket: its key header, its decompressed payload, and the turning of that payload into
 * little-endian typed arrays. Pure functions on bytes, shared by the worker threads and the main
 * thread (the in-thread fallback), so both paths give the same numbers.
 *
 * Payload layout (after the key): the entries' data, [fLast - fKeylen bytes], then, when the branch
 * has variable-size entries, the entry-offset table: int32 n and n int32 offsets counted from the
 * start of the key. All numbers are big-endian.
 */
import { rootDecompress } from "./codecs/index.js";

export type Dtype = "bool" | "i1" | "u1" | "i2" | "u2" | "i4" | "u4" | "i8" | "u8" | "f4" | "f8";

export const DTYPE_SIZE: Record<Dtype, number> = {
  bool: 1, i1: 1, u1: 1, i2: 2, u2: 2, i4: 4, u4: 4, i8: 8, u8: 8, f4: 4, f8: 8,
};

export type TypedArray =
  | Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array | Float32Array | Float64Array;

export function allocTyped(dtype: Dtype, n: number): TypedArray {
  switch (dtype) {
    case "bool": case "u1": return new Uint8Array(n);
    case "i1": return new Int8Array(n);
    case "i2": return new Int16Array(n);
    case "u2": return new Uint16Array(n);
    case "i4": return new Int32Array(n);
    case "u4": return new Uint32Array(n);
    case "i8": return new BigInt64Array(n);
    case "u8": return new BigUint64Array(n);
    case "f4": return new Float32Array(n);
    case "f8": return new Float64Array(n);
  }
}

export function typedView(dtype: Dtype, buf: ArrayBuffer, byteOffset: number, n: number): TypedArray {
  switch (dtype) {
    case "bool": case "u1": return new Uint8Array(buf, byteOffset, n);
    case "i1": return new Int8Array(buf, byteOffset, n);
    case "i2": return new Int16Array(buf, byteOffset, n);
    case "u2": return new Uint16Array(buf, byteOffset, n);
    case "i4": return new Int32Array(buf, byteOffset, n);
    case "u4": return new Uint32Array(buf, byteOffset, n);
    case "i8": return new BigInt64Array(buf, byteOffset, n);
    case "u8": return new BigUint64Array(buf, byteOffset, n);
    case "f4": return new Float32Array(buf, byteOffset, n);
    case "f8": return new Float64Array(buf, byteOffset, n);
  }
}

/**
 * How a branch's bytes become numbers. Plain data, so it crosses to worker threads unchanged.
 * - stored "plain": big-endian values of `dtype`.
 * - "range": Double32/Float16 with [xmin,xmax,nbits]: uint32 scaled into the range.
 * - "float": Double32 without a range: a float32 widened to double.
 * - "bits": Float16 (or Double32 with [0,0,nbits]): 1 exponent byte + 2 mantissa bytes.
 */
export interface Interp {
  kind: "flat" | "jagged" | "fixed";
  dtype: Dtype;
  stored: "plain" | "range" | "float" | "bits";
  /** Elements per entry for flat (1) and fixed (product of shape); unused for jagged. */
  perEntry: number;
  /** Jagged only: bytes in front of each entry's elements (0 counted array, 1 pointer array, 10 std::vector). */
  header: number;
  /**
   * Leaf lists: each entry is `stride` bytes holding several leaves; this column's values start
   * `offset` bytes into it. Absent for ordinary branches, whose entries hold only their own values.
   */
  stride?: number;
  offset?: number;
  xmin?: number;
  factor?: number;
  nbits?: number;
}

export function storedSize(interp: Interp): number {
  switch (interp.stored) {
    case "plain": return DTYPE_SIZE[interp.dtype];
    case "range": case "float": return 4;
    case "bits": return 3;
  }
}

export interface BasketKey {
  nbytes: number;
  objlen: number;
  keylen: number;
  nevbuf: number;
  last: number;
}

export class BasketError extends Error {
  override readonly name = "BasketError";
}

function readTStringLength(b: Uint8Array, p: number): { len: number; next: number } {
  if (p >= b.length) throw new BasketError("basket key header is truncated");
  let len = b[p];
  let next = p + 1;
  if (len === 255) {
    if (p + 5 > b.length) throw new BasketError("basket key header is truncated");
    len = ((b[p + 1] << 24) | (b[p + 2] << 16) | (b[p + 3] << 8) | b[p + 4]) >>> 0;
    next = p + 5;
  }
  return { len, next: next + len };
}

/** Parses the TKey + TBasket header at the start of a basket's bytes. */
export function parseBasketKey(b: Uint8Array): BasketKey {
  if (b.length < 30) throw new BasketError(`basket is only ${b.length} bytes, too short for its header`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const nbytes = dv.getInt32(0);
  const version = dv.getInt16(4);
  const objlen = dv.getInt32(6);
  const keylen = dv.getInt16(14);
  let p = 18 + (version > 1000 ? 16 : 8);
  for (let i = 0; i < 3; i++) p = readTStringLength(b, p).next; // class name, name, title
  if (p + 19 > b.length) throw new BasketError("basket key header is truncated");
  p += 2; // TBasket version
  p += 4; // fBufferSize
  const nevbufsize = dv.getInt32(p);
  p += 4;
  if (nevbufsize < 0) p += 1; // fIOBits follows a negated fNevBufSize
  const nevbuf = dv.getInt32(p);
  const last = dv.getInt32(p + 4);
  if (nbytes <= 0 || objlen < 0 || keylen <= 0 || keylen > nbytes || last < keylen || nevbuf < 0) {
    throw new BasketError(
      `basket header is inconsistent (Nbytes ${nbytes}, Objlen ${objlen}, Keylen ${keylen}, Last ${last}, entries ${nevbuf})`,
    );
  }
  if (p + 9 !== keylen && p + 9 > keylen) {
    throw new BasketError(`basket key length ${keylen} does not match its header (${p + 9} bytes)`);
  }
  return { nbytes, objlen, keylen, nevbuf, last };
}

export interface DecodedBasket {
  values: TypedArray;
  /** Jagged only: elements per entry. */
  counts?: Int32Array;
}

/**
 * From the bytes of a whole basket as stored in the file (key + compressed payload) to values.
 * `expectEntries` comes from the branch's fBasketEntry table and must agree with the basket.
 */
export function decodeStoredBasket(raw: Uint8Array, expectEntries: number, interp: Interp): DecodedBasket {
  const key = parseBasketKey(raw);
  if (key.nbytes !== raw.length) {
    throw new BasketError(`basket says it is ${key.nbytes} bytes but the branch table says ${raw.length}`);
  }
  if (key.nevbuf !== expectEntries) {
    throw new BasketError(`basket holds ${key.nevbuf} entries but the branch table says ${expectEntries}`);
  }
  const body = raw.subarray(key.keylen);
  if (key.objlen === body.length) return decodePayload(body, key.keylen, key.last, key.nevbuf, interp);
  // A freshly decompressed payload belongs to us alone: numbers may be swapped in place.
  return decodePayload(rootDecompress(body, key.objlen), key.keylen, key.last, key.nevbuf, interp, true);
}

/**
 * Like decodeStoredBasket for flat and fixed columns, but writes values `from..to` straight into
 * `dest` (a view of the output column), byte-swapping on the way: one pass over the data, no
 * intermediate typed array.
 */
export function decodeStoredBasketInto(
  raw: Uint8Array,
  expectEntries: number,
  interp: Interp,
  dest: TypedArray,
  from: number,
  to: number,
): void {
  const key = parseBasketKey(raw);
  if (key.nbytes !== raw.length) {
    throw new BasketError(`basket says it is ${key.nbytes} bytes but the branch table says ${raw.length}`);
  }
  if (key.nevbuf !== expectEntries) {
    throw new BasketError(`basket holds ${key.nevbuf} entries but the branch table says ${expectEntries}`);
  }
  const body = raw.subarray(key.keylen);
  const payload = key.objlen === body.length ? body : rootDecompress(body, key.objlen);
  const size = storedSize(interp);
  const dataLen = key.last - key.keylen;
  const n = key.nevbuf * interp.perEntry;
  if (
    interp.kind === "jagged" ||
    interp.stored !== "plain" ||
    interp.stride !== undefined ||
    payload.byteOffset % size !== 0 ||
    dest.byteOffset % size !== 0
  ) {
    const d = decodePayload(payload, key.keylen, key.last, key.nevbuf, interp, payload !== body);
    if (d.values.length < to) throw new BasketError(`basket decoded to ${d.values.length} values, expected at least ${to}`);
    (dest as unknown as { set(a: unknown): void }).set(d.values.subarray(from, to));
    return;
  }
  if (dataLen > payload.length) {
    throw new BasketError(`basket data ends at ${dataLen} but the decompressed basket is only ${payload.length} bytes`);
  }
  if (n * size !== dataLen) {
    throw new BasketError(`basket has ${dataLen} bytes of data but ${key.nevbuf} entries of ${interp.perEntry} x ${size}-byte values need ${n * size}`);
  }
  if (to > n || dest.length !== to - from) throw new BasketError(`basket has ${n} values, cannot take ${from}..${to}`);
  swapCopy(payload.buffer as ArrayBuffer, payload.byteOffset + from * size, dest.buffer as ArrayBuffer, dest.byteOffset, to - from, size);
}

/** Copies `n` big-endian values of `size` bytes from `src` to `dst` as native little-endian ones. */
function swapCopy(src: ArrayBuffer, srcOff: number, dst: ArrayBuffer, dstOff: number, n: number, size: number): void {
  if (size === 1) {
    new Uint8Array(dst, dstOff, n).set(new Uint8Array(src, srcOff, n));
    return;
  }
  if (size === 2) {
    const a = new Uint16Array(src, srcOff, n);
    const b = new Uint16Array(dst, dstOff, n);
    for (let i = 0; i < n; i++) {
      const v = a[i];
      b[i] = (v >>> 8) | ((v & 0xff) << 8);
    }
    return;
  }
  // DataView's big-endian reads compile to a byte-swap instruction: faster than shifting in JS.
  const m = (n * size) >>> 2;
  const dv = new DataView(src, srcOff, m * 4);
  const b = new Uint32Array(dst, dstOff, m);
  if (size === 4) {
    for (let i = 0; i < m; i++) b[i] = dv.getUint32(i << 2, false);
    return;
  }
  for (let i = 0; i < m; i += 2) {
    b[i] = dv.getUint32((i << 2) + 4, false);
    b[i + 1] = dv.getUint32(i << 2, false);
  }
}

/** Reads the entry-offset table after the data; offsets are made relative to the payload start. */
function entryOffsets(payload: Uint8Array, keylen: number, last: number, nev: number): Int32Array {
  const dataLen = last - keylen;
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (dataLen + 4 > payload.length) {
    throw new BasketError("basket has no entry-offset table, but its branch has variable-size entries");
  }
  const n = dv.getInt32(dataLen);
  if (n < nev || dataLen + 4 + 4 * n > payload.length) {
    throw new BasketError(`basket's entry-offset table is damaged (${n} offsets for ${nev} entries)`);
  }
  const off = new Int32Array(nev + 1);
  let prev = 0;
  for (let i = 0; i < nev; i++) {
    const o = dv.getInt32(dataLen + 4 + 4 * i) - keylen;
    if (o < prev || o > dataLen) throw new BasketError(`basket's entry offset ${i} (${o}) is out of order or out of range`);
    off[i] = o;
    prev = o;
  }
  off[nev] = dataLen;
  if (nev > 0 && off[0] !== 0) throw new BasketError("basket's first entry does not start at the start of its data");
  return off;
}

/**
 * `owned`: the payload is ours to modify (a fresh decompression result), so plain numbers are
 * byte-swapped where they lie and returned as a view, saving an allocation and a copy per basket.
 */
export function decodePayload(
  payload: Uint8Array,
  keylen: number,
  last: number,
  nev: number,
  interp: Interp,
  owned = false,
): DecodedBasket {
  const dataLen = last - keylen;
  if (dataLen > payload.length) {
    throw new BasketError(`basket data ends at ${dataLen} but the decompressed basket is only ${payload.length} bytes`);
  }
  const size = storedSize(interp);
  if (interp.kind !== "jagged" && interp.stride !== undefined) {
    const stride = interp.stride;
    const off = interp.offset ?? 0;
    if (nev * stride !== dataLen || off + interp.perEntry * size > stride) {
      throw new BasketError(`basket has ${dataLen} bytes of data but ${nev} leaf-list entries of ${stride} bytes need ${nev * stride}`);
    }
    const out = allocTyped(interp.dtype, nev * interp.perEntry);
    for (let i = 0; i < nev; i++) convert(payload, i * stride + off, interp.perEntry, interp, out, i * interp.perEntry);
    return { values: out };
  }
  if (interp.kind !== "jagged") {
    const n = nev * interp.perEntry;
    if (n * size !== dataLen) {
      throw new BasketError(
        `basket has ${dataLen} bytes of data but ${nev} entries of ${interp.perEntry} x ${size}-byte values need ${n * size}`,
      );
    }
    if (owned && interp.stored === "plain" && payload.byteOffset % size === 0) {
      return { values: swapInPlace(payload, n, interp.dtype) };
    }
    const out = allocTyped(interp.dtype, n);
    convert(payload, 0, n, interp, out, 0);
    return { values: out };
  }

  const off = entryOffsets(payload, keylen, last, nev);
  const counts = new Int32Array(nev);
  const h = interp.header;
  let total = 0;
  for (let i = 0; i < nev; i++) {
    const bytes = off[i + 1] - off[i] - h;
    // An entry can be empty with no header at all (e.g. an unfilled pointer array).
    if (bytes < 0) {
      if (off[i + 1] === off[i]) continue;
      throw new BasketError(`entry ${i} of the basket is ${off[i + 1] - off[i]} bytes, shorter than its ${h}-byte header`);
    }
    if (bytes % size !== 0) throw new BasketError(`entry ${i} of the basket has ${bytes} bytes, not a whole number of ${size}-byte values`);
    counts[i] = bytes / size;
    total += counts[i];
  }
  if (h === 0 && owned && interp.stored === "plain" && payload.byteOffset % size === 0) {
    return { values: swapInPlace(payload, total, interp.dtype), counts };
  }
  const out = allocTyped(interp.dtype, total);
  if (h === 0) {
    convert(payload, 0, total, interp, out, 0);
  } else {
    const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    let o = 0;
    for (let i = 0; i < nev; i++) {
      const c = counts[i];
      if (h === 10 && off[i + 1] > off[i]) {
        // std::vector: byte count (with flag bit) + version + its own size; all must agree.
        const bc = dv.getUint32(off[i]) & ~0x40000000;
        const vsize = dv.getInt32(off[i] + 6);
        if (bc !== off[i + 1] - off[i] - 4 || vsize !== c) {
          throw new BasketError(`entry ${i}: std::vector header (size ${vsize}, byte count ${bc}) does not match its ${c} elements`);
        }
      }
      if (c > 0) convert(payload, off[i] + h, c, interp, out, o);
      o += c;
    }
  }
  return { values: out, counts };
}

/** Converts `n` stored big-endian values at `src[pos]` into `out[o...]`. */
function convert(src: Uint8Array, pos: number, n: number, interp: Interp, out: TypedArray, o: number): void {
  if (n === 0) return;
  switch (interp.stored) {
    case "plain":
      return swapInto(src, pos, n, DTYPE_SIZE[interp.dtype], out, o);
    case "range": {
      const xmin = interp.xmin ?? 0;
      const factor = interp.factor ?? 1;
      const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
      const f = out as Float32Array | Float64Array;
      for (let i = 0; i < n; i++) f[o + i] = xmin + dv.getUint32(pos + 4 * i) / factor;
      return;
    }
    case "float": {
      const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
      const f = out as Float32Array | Float64Array;
      for (let i = 0; i < n; i++) f[o + i] = dv.getFloat32(pos + 4 * i);
      return;
    }
    case "bits": {
      // ROOT's ReadWithNbits: exponent byte, then a mantissa whose bit nbits+1 is the sign.
      const nbits = interp.nbits ?? 12;
      const tmp = new DataView(new ArrayBuffer(4));
      const f = out as Float32Array | Float64Array;
      const manMask = (1 << (nbits + 1)) - 1;
      for (let i = 0; i < n; i++) {
        const p = pos + 3 * i;
        const exp = src[p];
        const man = (src[p + 1] << 8) | src[p + 2];
        let bits = exp << 23;
        bits |= (man & manMask) << (23 - nbits);
        tmp.setInt32(0, bits);
        let v = tmp.getFloat32(0);
        if ((1 << (nbits + 1)) & man) v = -v;
        f[o + i] = v;
      }
      return;
    }
  }
}

function swapInPlace(payload: Uint8Array, n: number, dtype: Dtype): TypedArray {
  const view = typedView(dtype, payload.buffer as ArrayBuffer, payload.byteOffset, n);
  swapWords(payload.buffer as ArrayBuffer, payload.byteOffset, n, DTYPE_SIZE[dtype]);
  return view;
}

/** Big-endian to native: one memcpy into the output, then an in-place swap on aligned words. */
function swapInto(src: Uint8Array, pos: number, n: number, size: number, out: TypedArray, o: number): void {
  const bytes = n * size;
  const dst8 = new Uint8Array(out.buffer, out.byteOffset + o * size, bytes);
  dst8.set(src.subarray(pos, pos + bytes));
  swapWords(out.buffer as ArrayBuffer, out.byteOffset + o * size, n, size);
}

function swapWords(buf: ArrayBuffer, byteOffset: number, n: number, size: number): void {
  if (size === 1) return;
  if (size === 2) {
    const w = new Uint16Array(buf, byteOffset, n);
    for (let i = 0; i < n; i++) {
      const v = w[i];
      w[i] = (v >>> 8) | ((v & 0xff) << 8);
    }
    return;
  }
  const w = new Uint32Array(buf, byteOffset, (n * size) >>> 2);
  const m = w.length;
  for (let i = 0; i < m; i++) {
    const v = w[i];
    w[i] = (v >>> 24) | ((v >>> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24);
  }
  if (size === 8) {
    for (let i = 0; i < m; i += 2) {
      const t = w[i];
      w[i] = w[i + 1];
      w[i + 1] = t;
    }
  }
}
