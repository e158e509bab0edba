/** Errors of the ROOT reader: one class, carrying where in the file things went wrong. */
import { editDistance } from "../../compiler/core/suggest.js";

export interface RootIoErrorContext {
  file: string;
  tree?: string;
  branch?: string;
  basket?: number;
  entry?: number;
  suggestions?: string[];
}

/**
 * A ROOT file could not be read as asked. The message already names the file, tree, branch and
 * basket/entry where known, so a CLI can print `err.message` as one line.
 */
export class RootIoError extends Error {
  override readonly name = "RootIoError";
  readonly file: string;
  readonly tree?: string;
  readonly branch?: string;
  readonly basket?: number;
  readonly entry?: number;
  readonly suggestions?: string[];
  /** What went wrong, without the location prefix. */
  readonly detail: string;

  constructor(detail: string, ctx: RootIoErrorContext, options?: { cause?: unknown }) {
    super(formatMessage(detail, ctx), options);
    this.detail = detail;
    this.file = ctx.file;
    if (ctx.tree !== undefined) this.tree = ctx.tree;
    if (ctx.branch !== undefined) this.branch = ctx.branch;
    if (ctx.basket !== undefined) this.basket = ctx.basket;
    if (ctx.entry !== undefined) this.entry = ctx.entry;
    if (ctx.suggestions !== undefined) this.suggestions = ctx.suggestions;
  }
}

function formatMessage(detail: string, ctx: RootIoErrorContext): string {
  const where = [ctx.file];
  if (ctx.tree !== undefined) where.push(`tree '${ctx.tree}'`);
  if (ctx.branch !== undefined) where.push(`branch '${ctx.branch}'`);
  if (ctx.basket !== undefined) where.push(`basket ${ctx.basket}`);
  if (ctx.entry !== undefined) where.push(`entry ${ctx.entry}`);
  let msg = `${where.join(", ")}: ${detail}`;
  if (ctx.suggestions && ctx.suggestions.length > 0) {
    msg += `; did you mean ${ctx.suggestions.map((s) => `'${s}'`).join(", ")}?`;
  }
  return msg;
}

/**
 * The few candidates nearest to `name`, nearest first; none if nothing is plausibly a typo. A prefix
 * either way counts as near; the distance is the compiler's did-you-mean distance
 * (compiler/core/suggest.ts, a file that imports nothing).
 */
export function nearestNames(name: string, candidates: Iterable<string>, max = 3): string[] {
  const scored: { c: string; d: number }[] = [];
  const limit = Math.max(2, Math.floor(name.length / 3));
  for (const c of candidates) {
    const d = editDistance(name, c);
    const prefix = c.toLowerCase().startsWith(name.toLowerCase()) || name.toLowerCase().startsWith(c.toLowerCase());
    if (d <= limit || prefix) scored.push({ c, d: prefix ? Math.min(d, limit) : d });
  }
  scored.sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  return scored.slice(0, max).map((s) => s.c);
}
