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
 *   as a float (Double32_t) or truncated to 12 bits (Float16_t).
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

/** Storage of a Double32_t ("d32") or Float16_t ("f16") whose title is `title`. */
export function packedStorage(kind: "d32" | "f16", title: string | undefined): PackedStorage {
  const r = parseRange(title);
  if (r && r.xmin < r.xmax) {
    const steps = r.nbits < 32 ? 2 ** r.nbits : 0xffffffff;
    return { stored: "range", xmin: r.xmin, factor: steps / (r.xmax - r.xmin), nbits: r.nbits };
  }
  if (r && r.nbits < 15) return { stored: "bits", nbits: r.nbits };
  return kind === "d32" ? { stored: "float" } : { stored: "bits", nbits: 12 };
}
