/**
 * Filters over stored runs: analysis, model, tag, status, and metric or param conditions such as
 * `auc(bdt) > 0.9 and params.bdt.max_depth = 4`. `f(model)` names the metric `model/f`
 * (`f(model, region)`: `model/region/f`); any other left side is a metric key as stored, or
 * `params.NAME`. A run without the metric does not match.
 */
import type { StoredRun } from "./store.js";
import { StoreError } from "./store.js";
import type { RunStatus } from "./types.js";

export interface RunFilter {
  analysis?: string;
  model?: string;
  tag?: string;
  status?: RunStatus;
  where?: string;
}

type Op = ">" | ">=" | "<" | "<=" | "=" | "!=";
interface Condition {
  text: string;
  param: string | null;
  metric: string | null;
  op: Op;
  value: string;
}

const COND = /^\s*(.+?)\s*(>=|<=|!=|==|=|>|<)\s*(\S+)\s*$/;

export function parseWhere(where: string): Condition[] {
  return where.split(/\s+and\s+/i).map((text) => {
    const m = COND.exec(text);
    if (!m) throw new StoreError(`--where: cannot read '${text.trim()}': write METRIC OP NUMBER, e.g. 'auc(bdt) > 0.9'`);
    const [, lhs, rawOp, value] = m;
    const op = (rawOp === "==" ? "=" : rawOp) as Op;
    const call = /^([A-Za-z_][\w]*)\s*\(\s*([\w.-]+)\s*(?:,\s*([\w.-]+)\s*)?\)$/.exec(lhs);
    if (call) return { text: text.trim(), param: null, metric: [call[2], ...(call[3] ? [call[3]] : []), call[1]].join("/"), op, value };
    if (lhs.startsWith("params.")) return { text: text.trim(), param: lhs.slice(7), metric: null, op, value };
    if (/^[\w./ -]+$/.test(lhs)) return { text: text.trim(), param: null, metric: lhs, op, value };
    throw new StoreError(`--where: '${lhs}' is neither a metric (auc(bdt), wall_ms) nor params.NAME`);
  });
}

function holds(actual: number | string, op: Op, wanted: string): boolean {
  const n = Number(wanted);
  const numeric = typeof actual === "number" ? actual : Number(actual);
  if (Number.isFinite(n) && Number.isFinite(numeric)) {
    switch (op) {
      case ">": return numeric > n;
      case ">=": return numeric >= n;
      case "<": return numeric < n;
      case "<=": return numeric <= n;
      case "=": return numeric === n;
      case "!=": return numeric !== n;
    }
  }
  if (op === "=") return String(actual) === wanted;
  if (op === "!=") return String(actual) !== wanted;
  return false;
}

export function filterRuns(runs: StoredRun[], f: RunFilter): StoredRun[] {
  const conds = f.where ? parseWhere(f.where) : [];
  return runs.filter((r) => {
    const rec = r.record;
    if (f.analysis !== undefined && rec.analysis !== f.analysis) return false;
    if (f.model !== undefined && !rec.models.some((m) => m.model === f.model) && !(`${f.model}.kind` in rec.params)) return false;
    if (f.tag !== undefined && !r.tags.includes(f.tag)) return false;
    if (f.status !== undefined && rec.status !== f.status) return false;
    for (const c of conds) {
      const actual = c.param !== null ? rec.params[c.param] : rec.metrics[c.metric!];
      if (actual === undefined || !holds(actual, c.op, c.value)) return false;
    }
    return true;
  });
}
