/**
 * A diff as text for a terminal (coloured on request) and as Markdown for a merge-request
 * comment. Pure: strings in, strings out; the CLI decides where they go.
 */
import { DeclChange, Detail, Diff, Impact, InputChange, isListDetail, Recompute } from "./types.js";

export interface TextOptions {
  color?: boolean;
}

const RECOMPUTE_TEXT: Record<Recompute, string> = {
  none: "none",
  rewrite: "only writing or removing output files",
  refill: "re-filling histograms and cutflows",
  reevaluate: "re-evaluation",
  retrain: "retraining",
};

const MARK: Record<DeclChange["change"], string> = { changed: "~", added: "+", removed: "-", renamed: "=" };

/** `old → new` for one field; `(none)` for a side where it is not written. */
export function detailText(d: Detail, code: (s: string) => string = (s) => s): string {
  if (!isListDetail(d)) return `${d.field} ${d.old === null ? "(none)" : code(d.old)} → ${d.new === null ? "(none)" : code(d.new)}`;
  const parts: string[] = [];
  if (d.added.length) parts.push(`+${d.added.length} (${d.added.map(code).join(", ")})`);
  if (d.removed.length) parts.push(`-${d.removed.length} (${d.removed.map(code).join(", ")})`);
  for (const c of d.changed) parts.push(`${code(c.old)} → ${code(c.new)}`);
  if (d.order) parts.push(`order ${code(d.order.old.join(", "))} → ${code(d.order.new.join(", "))}`);
  return `${d.field} ${parts.join(", ")}`;
}

function summaryText(c: DeclChange, code: (s: string) => string = (s) => s): string {
  if (!c.summary) return "";
  return /^[={]/.test(c.summary) ? ` ${code(c.summary)}` : `: ${code(c.summary)}`;
}

export function inputText(i: InputChange, code: (s: string) => string = (s) => s): string {
  const sha = (s: string | undefined) => (s ? `${s.slice(0, 12)}…` : "?");
  switch (i.change) {
    case "content":
      return `content changed (sha256 ${code(sha(i.old.sha256))} → ${code(sha(i.new.sha256))})`;
    case "size":
      return `size ${i.old.size} → ${i.new.size} bytes`;
    case "modified":
      return "modified (same size, other modification time)";
    case "locked":
      return `now pinned by the lock file (sha256 ${code(sha(i.new.sha256))})`;
    case "unlocked":
      return "no longer pinned by a lock file";
  }
}

/** A result's name in a sentence, with the kind when `withKind`. */
function label(diff: Diff, id: string, withKind: boolean): string {
  const text = diff.labels[id] ?? id.slice(id.indexOf(":") + 1);
  if (!withKind) return text;
  const kind = id.slice(0, id.indexOf(":"));
  const word: Record<string, string> = { train: "model", evaluate: "evaluation", predict: "predictions of", histogram: "histogram", cutflow: "", write: "file" };
  const w = word[kind] ?? kind;
  return w ? `${w} ${text}` : text;
}

const RANK: Record<string, number> = { train: 0, predict: 1, evaluate: 2, histogram: 3, cutflow: 4, write: 5 };

/** Results in reading order: models, predictions, evaluations, histograms, cutflows, files; by name within each. */
function ordered(diff: Diff, ids: string[]): string[] {
  const rank = (id: string) => RANK[id.slice(0, id.indexOf(":"))] ?? 9;
  return [...ids].sort((a, b) => rank(a) - rank(b) || label(diff, a, false).localeCompare(label(diff, b, false), "en"));
}

/** The recomputation as `verb items` clauses. */
function impactClauses(diff: Diff, i: Impact, code: (s: string) => string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (i.retrain.length) out.push(["retrain", i.retrain.map(code).join(", ")]);
  if (i.reevaluate.length) out.push(["re-evaluate", ordered(diff, i.reevaluate).map((id) => code(label(diff, id, id.startsWith("predict:")))).join(", ")]);
  if (i.refill.length) out.push(["refill", ordered(diff, i.refill).map((id) => code(label(diff, id, false))).join(", ")]);
  if (i.rewrite.length) out.push(["rewrite", i.rewrite.map(code).join(", ")]);
  if (i.removed.length) out.push(["no longer produced", ordered(diff, i.removed).map((id) => code(label(diff, id, true))).join(", ")]);
  return out;
}

function unchangedText(diff: Diff, i: Impact, code: (s: string) => string, max = Infinity): string {
  const items = ordered(diff, i.unchanged).map((id) => code(label(diff, id, true)));
  return items.length > max ? `${items.slice(0, max).join(", ")} and ${items.length - max} more` : items.join(", ");
}

/** The one-line impact of a change: what it makes recompute, or that nothing downstream changes. */
function changeImpactText(diff: Diff, i: Impact, code: (s: string) => string): string {
  const clauses = impactClauses(diff, i, code);
  if (clauses.length) return clauses.map(([v, x]) => `${v} ${x}`).join("; ");
  if (i.unchanged.length) return `nothing to recompute (identical hashes: ${unchangedText(diff, i, code, 6)})`;
  return "nothing to recompute";
}

export function headline(c: DeclChange, code: (s: string) => string = (s) => s): string {
  switch (c.change) {
    case "changed":
      return `${c.kind} ${c.name}: ${c.details.map((d) => detailText(d, code)).join("; ")}`;
    case "renamed":
      return `${c.kind} ${c.oldName} renamed to ${c.name}`;
    case "added":
    case "removed":
      return `${c.kind} ${c.name}${summaryText(c, code)}`;
  }
}

export function renderText(diff: Diff, opts: TextOptions = {}): string {
  const paint = (code: string) => (s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const bold = paint("1");
  const dim = paint("2");
  const colour: Record<string, (s: string) => string> = { "~": paint("33"), "+": paint("32"), "-": paint("31"), "=": paint("36"), "!": paint("35") };
  const lines: string[] = [bold(`hepc diff ${diff.old.label} → ${diff.new.label}`), ""];
  if (!diff.changed) {
    lines.push("No semantic change: both sides compile to the same analysis.");
    return lines.join("\n") + "\n";
  }
  for (const c of diff.changes) {
    const mark = MARK[c.change];
    lines.push(`${colour[mark](mark)} ${headline(c)}`);
    lines.push(dim(`    → ${changeImpactText(diff, c.impact, (s) => s)}`));
  }
  for (const i of diff.inputs) {
    lines.push(`${colour["!"]("!")} input ${i.path}: ${inputText(i)}`);
    lines.push(dim(`    → ${changeImpactText(diff, i.impact, (s) => s)}`));
  }
  if (diff.changes.length || diff.inputs.length) lines.push("");
  lines.push(bold(`Recomputation: ${RECOMPUTE_TEXT[diff.recompute]}`));
  const rows: Array<[string, string]> = impactClauses(diff, diff.impact, (s) => s);
  if (diff.impact.unchanged.length) rows.push(["unchanged", `${unchangedText(diff, diff.impact, (s) => s)} (identical content hashes)`]);
  const width = Math.max(0, ...rows.map(([v]) => v.length));
  for (const [v, x] of rows) lines.push(`  ${v.padEnd(width)}  ${x}`);
  return lines.join("\n") + "\n";
}

export function renderMarkdown(diff: Diff): string {
  const code = (s: string) => "`" + s.replace(/`/g, "'") + "`";
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const out: string[] = [`### hepc diff: ${code(diff.old.label)} → ${code(diff.new.label)}`, ""];
  if (!diff.changed) {
    out.push("No semantic change: both sides compile to the same analysis.");
    return out.join("\n") + "\n";
  }
  const n = diff.changes.length + diff.inputs.length;
  out.push(`**${n} change${n === 1 ? "" : "s"} · recomputation: ${RECOMPUTE_TEXT[diff.recompute]}**`, "");
  if (n) {
    out.push("| | declaration | change | recomputes |", "|---|---|---|---|");
    for (const c of diff.changes) {
      let what: string;
      switch (c.change) {
        case "changed":
          what = c.details.map((d) => detailText(d, code)).join("<br>");
          break;
        case "renamed":
          what = `renamed from ${code(c.oldName ?? "")} to ${code(c.name)}`;
          break;
        default:
          what = `${c.change}${c.summary ? ` ${code(c.summary)}` : ""}`;
      }
      out.push(`| ${MARK[c.change]} | ${c.kind} ${code(c.name)} | ${cell(what)} | ${cell(changeImpactText(diff, c.impact, (s) => s))} |`);
    }
    for (const i of diff.inputs) out.push(`| ! | input ${code(i.path)} | ${cell(inputText(i, code))} | ${cell(changeImpactText(diff, i.impact, (s) => s))} |`);
    out.push("");
  }
  const clauses = impactClauses(diff, diff.impact, code);
  if (clauses.length) {
    for (const [v, x] of clauses) out.push(`- **${v}:** ${x}`);
    out.push("");
  }
  if (diff.impact.unchanged.length) {
    out.push(`<details><summary>Unchanged: ${diff.impact.unchanged.length} result${diff.impact.unchanged.length === 1 ? "" : "s"} with identical content hashes</summary>`, "");
    out.push(unchangedText(diff, diff.impact, code), "", "</details>", "");
  }
  return out.join("\n");
}
