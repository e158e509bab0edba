/**
 * Progress of `hepc run`, on stderr. On a terminal, a bar redrawn in place (`bar`); elsewhere (CI
 * logs, `| tee`, batch jobs) plain lines at a modest rate that read well in a log file (`plain`):
 * one per sample when it finishes, and one every few seconds for the samples still being read.
 */
import type { RunProgress } from "../runtime/exec/index.js";
import type { CliIo } from "./io.js";

export type ProgressMode = "bar" | "plain" | "none";

export interface ProgressSink {
  update(p: RunProgress): void;
  done(): void;
}

export function progressSink(mode: ProgressMode, io: CliIo, now: () => number = Date.now, intervalMs = 5000): ProgressSink | undefined {
  if (mode === "bar") return new BarProgress(io, now);
  if (mode === "plain") return new PlainProgress(io, now, intervalMs);
  return undefined;
}

/** The fraction read; while later files are still unopened, it follows the files. */
function fraction(p: RunProgress): number {
  const f = p.estimated && p.file && p.files ? (p.file - 1 + (p.total ? p.done / p.total : 0)) / p.files : p.total ? p.done / p.total : 1;
  return Math.min(1, f);
}

const isFinished = (p: RunProgress) => !p.estimated && p.done >= p.total;

export function formatRate(r: number): string {
  return r >= 1e6 ? `${(r / 1e6).toFixed(1)} M` : r >= 1e3 ? `${(r / 1e3).toFixed(0)} k` : r.toFixed(0);
}

/**
 * One line per report, no control characters: a sample's state every `intervalMs` while it is
 * read, and its final count when it finishes.
 */
class PlainProgress implements ProgressSink {
  private readonly started = new Map<string, number>();
  private readonly active = new Map<string, RunProgress>();
  private last: number;
  constructor(
    private readonly io: CliIo,
    private readonly now: () => number,
    private readonly intervalMs: number,
  ) {
    this.last = now();
  }

  update(p: RunProgress): void {
    const t = this.now();
    if (!this.started.has(p.sample)) this.started.set(p.sample, t);
    if (isFinished(p)) {
      this.active.delete(p.sample);
      this.io.stderr(`${this.describe(p, t)}, done\n`);
      return;
    }
    this.active.set(p.sample, p);
    if (t - this.last < this.intervalMs) return;
    this.last = t;
    for (const q of this.active.values()) this.io.stderr(`${this.describe(q, t)}\n`);
  }

  private describe(p: RunProgress, t: number): string {
    const seconds = (t - this.started.get(p.sample)!) / 1000;
    const count = p.estimated ? `${p.done.toLocaleString("en")} events` : `${p.done.toLocaleString("en")}/${p.total.toLocaleString("en")} events`;
    const pct = p.estimated && !(p.file && p.files) ? "" : ` (${Math.floor(fraction(p) * 100)}%)`;
    const files = p.files && p.files > 1 ? `, file ${p.file ?? p.files}/${p.files}` : "";
    const rate = !p.cached && seconds >= 0.5 ? `, ${formatRate(p.done / seconds)} events/s` : "";
    return `hepc run: ${p.sample}: ${count}${pct}${p.cached ? " from the cache" : ""}${files}${rate}`;
  }

  done(): void {
    this.active.clear();
  }
}

/**
 * Progress on a terminal: one status line redrawn in place with the samples being read (a bar,
 * entries done, the file, the rate); a sample that finishes leaves its final line above it.
 * Samples can be read two at a time, so updates of several samples interleave.
 */
class BarProgress implements ProgressSink {
  private last = 0;
  private readonly active = new Map<string, { p: RunProgress; started: number }>();
  private drawn = false;
  constructor(
    private readonly io: CliIo,
    private readonly now: () => number,
  ) {}

  update(p: RunProgress): void {
    const now = this.now();
    const entry = this.active.get(p.sample);
    if (entry) entry.p = p;
    else this.active.set(p.sample, { p, started: now });
    if (isFinished(p)) {
      const { started } = this.active.get(p.sample)!;
      this.active.delete(p.sample);
      this.clear();
      this.io.stderr(`  ${this.describe(p, started, now, 30)}\n`);
      this.last = 0; // redraw the others at once
    }
    if (now - this.last < 100) return;
    this.last = now;
    this.clear();
    const width = this.active.size > 1 ? 12 : 30;
    const line = [...this.active.values()].map(({ p: q, started }) => this.describe(q, started, now, width)).join("  │  ");
    if (line) {
      this.io.stderr(`  ${line}`);
      this.drawn = true;
    }
  }

  private describe(p: RunProgress, started: number, now: number, width: number): string {
    const bar = "█".repeat(Math.round(fraction(p) * width)).padEnd(width, "·");
    const seconds = (now - started) / 1000;
    const rate = seconds > 0.05 ? `  ${formatRate(p.done / seconds)} events/s` : "";
    const count = p.estimated ? p.done.toLocaleString("en") : `${p.done.toLocaleString("en")}/${p.total.toLocaleString("en")}`;
    const files = p.files && p.files > 1 ? `  file ${p.file ?? p.files}/${p.files}` : "";
    return `${p.sample.padEnd(width > 12 ? 16 : 0)} ${bar} ${count}${p.cached ? " (cached)" : `${files}${rate}`}`;
  }

  private clear(): void {
    if (this.drawn) this.io.stderr("\r\x1b[K");
    this.drawn = false;
  }

  done(): void {
    this.clear();
    this.active.clear();
  }
}
