/**
 * How a Double32_t/Float16_t member is stored, from the `[xmin, xmax(, nbits)]` annotation in its
 * title, decided as ROOT decides it when it writes (TStreamerElement::GetRange, then
 * TBufferFile::WriteDouble32/WriteFloat16); reading with any other rule gives wrong numbers, so the
 * rule is ROOT's, quirks included:
 * - the first bracket without a comma is an array dimension ("x[3] [0,1,10]"); the next one is read;
 * - a bound that mentions "pi" is one of 2pi (also "2*pi", "twopi"), pi/2, pi/4 or pi, looked up in
 *   that order, negated when it holds a "-"; any other bound is a number read as C's sscanf("%lg")
 *   reads it (its longest numeric prefix; 0 when there is none);
 * - nbits outside 2..32 is 32;
 * - xmin < xmax: the value is stored as a uint32 scaled into the range (2^nbits steps, 0xffffffff
 *   for 32 bits); otherwise, with nbits < 15, as a float truncated to nbits of mantissa; otherwise
 *   ROOT keeps xmin where the bit count goes, so a positive xmin is read as one (a quirk no sane
 *   annotation meets), and the rest are a float (Double32_t) or truncated to 12 bits (Float16_t).
 * Unlike uproot, which evaluates the bounds as arithmetic, "3*pi" is pi here, as ROOT stored it.
 */
import type { Interp } from "./basket.js";

export type PackedStorage = Pick<Interp, "stored" | "xmin" | "factor" | "nbits">;

const PI = Math.PI;

/** A bound as ROOT reads it: the pi forms by substring, anything else as sscanf's %lg prefix. */
function bound(text: string): number {
  const s = text.toLowerCase().replace(/ /g, "");
  if (s.includes("pi")) {
    let v = PI;
    if (s.includes("2pi") || s.includes("2*pi") || s.includes("twopi")) v = 2 * PI;
    else if (s.includes("pi/2")) v = PI / 2;
    else if (s.includes("pi/4")) v = PI / 4;
    return s.includes("-") ? -v : v;
  }
  return scanDouble(s) ?? 0;
}

/** C's sscanf("%lg"): leading white space, then the longest prefix that is a decimal or hex float, inf or nan. */
function scanDouble(s: string): number | undefined {
  const m = /^\s*([+-]?(?:0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?\d+)?|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|inf(?:inity)?|nan))/i.exec(s);
  if (!m) return undefined;
  const t = m[1].toLowerCase();
  const sign = t.startsWith("-") ? -1 : 1;
  const body = t.replace(/^[+-]/, "");
  if (body.startsWith("inf")) return sign * Infinity;
  if (body === "nan") return NaN;
  if (body.startsWith("0x")) {
    const hm = /^0x([0-9a-f]*)\.?([0-9a-f]*)(?:p([+-]?\d+))?$/.exec(body)!;
    const mant = parseInt(hm[1] || "0", 16) + (hm[2] ? parseInt(hm[2], 16) / 16 ** hm[2].length : 0);
    return sign * mant * 2 ** Number(hm[3] ?? 0);
  }
  return sign * Number(body);
}

/** C's sscanf("%d"): leading white space, an optional sign, digits. */
function scanInt(s: string): number | undefined {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : undefined;
}

/** The `[xmin, xmax(, nbits)]` annotation in a title, as ROOT finds it; null when there is none. */
export function parseRange(title: string | undefined): { xmin: number; xmax: number; nbits: number } | null {
  if (!title) return null;
  let left = title.indexOf("[");
  if (left < 0) return null;
  let right = title.indexOf("]", left);
  if (right < 0) return null;
  let comma = title.indexOf(",", left);
  if (comma < 0 || comma > right) {
    left = title.indexOf("[", right);
    if (left < 0) return null;
    right = title.indexOf("]", left);
    if (right < 0) return null;
    comma = title.indexOf(",", left);
    if (comma < 0 || comma > right) return null;
  }
  let comma2 = title.indexOf(",", comma + 1);
  if (comma2 > right) comma2 = -1;
  let nbits = 32;
  if (comma2 >= 0) {
    nbits = scanInt(title.slice(comma2 + 1, right)) ?? 32;
    if (nbits < 2 || nbits > 32) nbits = 32;
    right = comma2;
  }
  return { xmin: bound(title.slice(left + 1, comma)), xmax: bound(title.slice(comma + 1, right)), nbits };
}

/**
 * Storage from the numbers ROOT keeps on the streamer element (fXmin, fFactor), as
 * TBufferFile::ReadDouble32/ReadFloat16 use them: a factor means a scaled range; otherwise the
 * integer part of fXmin is the number of mantissa bits of a truncated float, and 0 means a plain
 * float (Double32_t) or 12 bits (Float16_t). A string when ROOT could not read the data back either.
 */
function fromElementValues(kind: "d32" | "f16", xmin: number, factor: number, nbits: number): PackedStorage | string {
  if (factor !== 0 && Number.isFinite(factor)) return { stored: "range", xmin, factor, nbits };
  const bits = xmin > 0 ? Math.trunc(xmin) : 0;
  if (bits === 0) return kind === "d32" ? { stored: "float" } : { stored: "bits", nbits: 12 };
  // A float32 has 23 mantissa bits; ROOT's truncation shifts by 23 - nbits.
  if (bits > 23) return `its range annotation makes ROOT store a float truncated to ${bits} bits, which cannot be read back`;
  return { stored: "bits", nbits: bits };
}

/** Storage of a Double32_t ("d32") or Float16_t ("f16") whose title (leaf or streamer element) is `title`. */
export function packedStorage(kind: "d32" | "f16", title: string | undefined): PackedStorage | string {
  const r = parseRange(title);
  if (!r) return fromElementValues(kind, 0, 0, 32);
  const factor = r.xmin < r.xmax ? (r.nbits < 32 ? 2 ** r.nbits : 0xffffffff) / (r.xmax - r.xmin) : 0;
  // GetRange keeps nbits in xmin when there is no range and fewer than 15 bits.
  const xmin = factor === 0 && r.nbits < 15 ? r.nbits + 0.1 : r.xmin;
  return fromElementValues(kind, xmin, factor, r.nbits);
}

const K_HAS_RANGE = 1 << 6;

/**
 * Storage of a member of a split class, from its streamer element as jsroot parsed it. ROOT reads
 * the title's range only when the element has kHasRange (set when it was written with a range or a
 * bit count); streamer elements of version 3 carry fXmin/fXmax/fFactor as numbers instead.
 */
export function elementStorage(kind: "d32" | "f16", elem: { fTitle?: string; fBits?: number; fXmin?: number; fFactor?: number } | undefined): PackedStorage | string {
  if (!elem) return packedStorage(kind, undefined);
  if ((Number(elem.fBits) & K_HAS_RANGE) !== 0) return packedStorage(kind, elem.fTitle);
  return fromElementValues(kind, Number(elem.fXmin) || 0, Number(elem.fFactor) || 0, 32);
}
