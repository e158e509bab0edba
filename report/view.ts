/** The page's structure before rendering: sections of plots, tables and notes (plain data for the template). */
import type { Spec } from "./specs.js";

export interface Cell { text: string; cls?: string; title?: string }
export interface Table { caption?: string; head: string[]; rows: Cell[][]; /** A key–value table: no header row. */ kv?: boolean }
export interface PlotRef { name: string; title: string; spec: Spec; caption?: string }
export interface Block { plot?: PlotRef; table?: Table; note?: string; warn?: string; heading?: string }
export interface Section { id: string; title: string; blocks: Block[] }

export function cell(text: string, cls?: string, title?: string): Cell {
  return { text, ...(cls ? { cls } : {}), ...(title ? { title } : {}) };
}

/** File-name-safe: letters, digits, _ and -. */
export function slug(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("_").replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") || "plot";
}
