/**
 * Rendering diagnostics for people (CLI, golden baselines) and machines (`--format json`).
 * Positions are 1-based here; the LSP renders its own 0-based ones from the same Diagnostic.
 */
import type { Diagnostic } from "./diagnostics.js";
import { lineText, positionOf, SourceFile } from "./source.js";

export interface RenderOptions {
  color?: boolean;
}

const C = {
  red: (s: string) => `\x1b[31;1m${s}\x1b[0m`,
  yellow: (s: string) => `\x1b[33;1m${s}\x1b[0m`,
  blue: (s: string) => `\x1b[34;1m${s}\x1b[0m`,
  bold: (s: string) => `\x1b[1m${s}\x1b[0m`,
  green: (s: string) => `\x1b[32m${s}\x1b[0m`,
};

/**
 * ```
 * analysis.hep:12:20: error[HEP2004]: branch 'Muon_Iso2' is not in tree 'events' of data/single_top.root
 *    12 | object muons = Muon where Muon_Iso2 < 0.1
 *       |                           ^^^^^^^^^
 *       = help: did you mean 'Muon_Iso'?
 * ```
 */
export function renderDiagnostic(d: Diagnostic, file: SourceFile | undefined, opts: RenderOptions = {}): string {
  const paint = opts.color ? C : { red: id, yellow: id, blue: id, bold: id, green: id };
  const sev = d.severity === "error" ? paint.red("error") : d.severity === "warning" ? paint.yellow("warning") : paint.blue("info");
  if (!file) return `${d.file}: ${sev}[${d.code}]: ${paint.bold(d.message)}\n`;
  const { line, column } = positionOf(file, d.span.start);
  let out = `${d.file}:${line + 1}:${column + 1}: ${sev}[${d.code}]: ${paint.bold(d.message)}\n`;
  const text = lineText(file, line);
  const gutter = String(line + 1).length + 1;
  const pad = " ".repeat(gutter);
  // Tabs would misalign the caret: show them as one space each.
  const shown = text.replace(/\t/g, " ");
  const end = positionOf(file, Math.max(d.span.start, d.span.end));
  const width = end.line === line ? Math.max(1, end.column - column) : Math.max(1, shown.length - column);
  out += `${paint.blue(String(line + 1).padStart(gutter))} ${paint.blue("|")} ${shown}\n`;
  out += `${pad} ${paint.blue("|")} ${" ".repeat(column)}${(d.severity === "error" ? paint.red : paint.yellow)("^".repeat(width))}\n`;
  if (d.suggestion) out += `${pad} ${paint.blue("=")} ${paint.green("help")}: ${d.suggestion.message}\n`;
  for (const r of d.related ?? []) out += `${pad} ${paint.blue("=")} note: ${r.message} (${r.file})\n`;
  return out;
}

function id(s: string): string {
  return s;
}

export interface JsonDiagnostic {
  code: string;
  severity: string;
  message: string;
  file: string;
  /** 1-based */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  suggestion?: { message: string; replacement?: string };
}

export function diagnosticToJson(d: Diagnostic, file: SourceFile | undefined): JsonDiagnostic {
  const s = file ? positionOf(file, d.span.start) : { line: 0, column: 0 };
  const e = file ? positionOf(file, d.span.end) : s;
  const out: JsonDiagnostic = { code: d.code, severity: d.severity, message: d.message, file: d.file, line: s.line + 1, column: s.column + 1, endLine: e.line + 1, endColumn: e.column + 1 };
  if (d.suggestion) out.suggestion = { message: d.suggestion.message, ...(d.suggestion.replacement !== undefined ? { replacement: d.suggestion.replacement } : {}) };
  return out;
}

export function summaryLine(diags: readonly Diagnostic[]): string {
  const errors = diags.filter((d) => d.severity === "error").length;
  const warnings = diags.filter((d) => d.severity === "warning").length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}
