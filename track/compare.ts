/**
 * Runs side by side: every param and metric any of them has, with each run's value, and for
 * metrics the difference of each run from the first. The semantic diff of the analyses needs
 * the compiler, so the command line adds it (track/ does not import the compiler).
 */
import type { StoredRun } from "./store.js";

export interface Comparison {
  runs: Array<{ id: string; name: string; analysis: string; status: string; startedAt: string; planHash: string }>;
  params: Array<{ key: string; values: Array<string | null>; same: boolean }>;
  metrics: Array<{ key: string; values: Array<number | null>; diffs: Array<number | null> }>;
}

export function compareRuns(runs: StoredRun[]): Comparison {
  const keys = (pick: (r: StoredRun) => Record<string, unknown>) => [...new Set(runs.flatMap((r) => Object.keys(pick(r))))].sort();
  const params = keys((r) => r.record.params).map((key) => {
    const values = runs.map((r) => r.record.params[key] ?? null);
    return { key, values, same: values.every((v) => v === values[0]) };
  });
  const metrics = keys((r) => r.record.metrics).map((key) => {
    const values = runs.map((r) => r.record.metrics[key] ?? null);
    const base = values[0];
    return { key, values, diffs: values.map((v) => (v === null || base === null ? null : v - base)) };
  });
  return {
    runs: runs.map((r) => ({ id: r.record.id, name: r.record.name, analysis: r.record.analysis, status: r.record.status, startedAt: r.record.startedAt, planHash: r.record.planHash })),
    params,
    metrics,
  };
}
