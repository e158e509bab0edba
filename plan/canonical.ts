/**
 * Canonical JSON: keys sorted at every level, no insignificant whitespace differences, numbers as
 * JavaScript prints them (shortest round-trip form). Compiling twice gives the same bytes, and a
 * hash of canonical JSON is a content address.
 */
import { createHash } from "node:crypto";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function canonicalize(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`canonical JSON cannot hold ${value}`);
    return Object.is(value, -0) ? 0 : value;
  }
  if (typeof value === "boolean" || typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(canonicalize);
  if (typeof value === "object") {
    const out: { [key: string]: Json } = {};
    for (const k of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = canonicalize(v);
    }
    return out;
  }
  throw new Error(`canonical JSON cannot hold a ${typeof value}`);
}

/** Pretty, canonical: two-space indentation, sorted keys, trailing newline. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value), null, 2) + "\n";
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The content address of a value: sha256 of its compact canonical JSON. */
export function hashOf(value: unknown): string {
  return sha256Hex(JSON.stringify(canonicalize(value)));
}
