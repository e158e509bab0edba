/** The run record: what `run.json` in a run directory holds, and the names of the files beside it. */

/** The record's format. A store holding a higher number was written by a newer hepc. */
export const RUN_FORMAT = "hepc-run/1";
export const RUN_FORMAT_VERSION = 1;

export type RunStatus = "ok" | "failed" | "interrupted";

/** One value of a metric; `step` orders curves (tree or epoch), 0 for single figures. */
export interface MetricPoint {
  key: string;
  value: number;
  step: number;
  /** Milliseconds since the epoch (MLflow's unit). */
  timestamp: number;
}

export interface RunRecord {
  format: typeof RUN_FORMAT;
  /** Content-derived: the same run copied to two stores keeps its id; 32 hex digits (an MLflow run id). */
  id: string;
  /** The run directory's name (DATE-TIME-PLANHASH[-N]). */
  name: string;
  analysis: string;
  /** The analysis file as given to the compiler, and the sha256 of its text (stored in source.hep). */
  source: { path: string; sha256: string | null };
  planHash: string;
  status: RunStatus;
  exitCode: number;
  error: string | null;
  startedAt: string;
  endedAt: string;
  wallMs: number;
  host: { hostname: string; platform: string; arch: string; cpus: number; node: string };
  /** The repository of the analysis file; null outside git. The diff (when dirty) is in git.diff. */
  git: { commit: string; branch: string | null; dirty: boolean } | null;
  inputs: Array<{ path: string; size: number; sha256: string }>;
  versions: Record<string, string>;
  seed: number;
  /** Flat, MLflow-style: `model.option` → value as text. */
  params: Record<string, string>;
  /** The last value of each metric; the full history with steps is in metrics.jsonl. */
  metrics: Record<string, number>;
  models: Array<{ model: string; kind: string; hash: string }>;
  /** Wall time per stage of the executor (ms); peak memory is the process's over the whole run. */
  stages: Record<string, number>;
  peakRssBytes: number;
  /** Paths relative to the run directory. */
  artifacts: string[];
  /** The run this one reproduced, when made by `hepc reproduce`. */
  reproduces?: string;
}

export const RECORD_FILE = "run.json";
export const TAGS_FILE = "tags.json";
export const HISTORY_FILE = "metrics.jsonl";
export const SOURCE_FILE = "source.hep";
export const DIFF_FILE = "git.diff";
/** Where each MLflow server a run was pushed to knows it: `{ uri: runId }`. */
export const PUSHED_FILE = "mlflow.json";
