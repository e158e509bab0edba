/**
 * What the executor hands the report: plain data (numbers, strings, arrays; no typed arrays, no
 * functions), so a run can also write it as JSON and re-render it later. Every number may be
 * missing (null) where the run has none; the report says so instead of drawing NaN.
 */
import type { MetricsDocument } from "../runtime/evaluate/index.js";

export type { MetricsDocument };

export interface ReportInput {
  analysis: {
    /** The analysis name (the `.hep` file's `analysis` block). */
    name: string;
    /** A human title; the name when absent. */
    title?: string;
    /** The `.hep` file, as the user named it (relative to where hepc ran). */
    source: string;
    /** The plan's hash (the run's identity). */
    planHash: string;
    /** When the run happened (ISO 8601); absent keeps the page byte-identical between renders. */
    generated?: string;
    /** The header's metadata as written (experiment, sqrts, doi, arxiv), when any. */
    metadata?: Record<string, string>;
  };
  /** The ROOT files read. */
  inputs: ReportInputFile[];
  /** Tool and library versions, e.g. { hepc: "0.1.0", node: "20.11.0" }. */
  tools: Record<string, string>;
  /** Cutflows as the executor counts them (runtime/exec/cutflow.ts's SampleCutflow, copied). */
  cutflows: ReportCutflow[];
  /** Input-feature distributions, one entry per feature (and region), filled per class. */
  features: FeatureHistogram[];
  /** Units of variables by name (features, bin variables), e.g. { tau_pt: "GeV" }. */
  units?: Record<string, string>;
  models: ReportModel[];
}

export interface ReportInputFile {
  path: string;
  /** Bytes. */
  size: number;
  sha256?: string;
  /** Modification time (ISO 8601), when no hash was taken. */
  mtime?: string;
}

export interface CutflowCount {
  raw: number;
  weighted: number;
  /** Σw², for the uncertainty of `weighted`. */
  sumw2: number;
}

export interface ReportCutflow {
  /** Where it was written (or the cutflow's name). */
  name: string;
  regions: string[];
  samples: Array<{
    sample: string;
    class: string | null;
    entries: number;
    selected: CutflowCount;
    regions: Record<string, CutflowCount>;
  }>;
}

export interface FeatureHistogram {
  feature: string;
  /** The region the events come from (absent: the training selection). */
  region?: string;
  /** n + 1 increasing edges. */
  edges: number[];
  /** One entry per class, each with n bins. */
  classes: Array<{ class: string; sumw: number[]; sumw2: number[] }>;
}

export interface TrainingCurve {
  fold: number;
  /** Loss per round or epoch; null where the round has none (e.g. no validation part). */
  train: Array<number | null>;
  valid: Array<number | null>;
  /** The round kept (early stopping), 0-based. */
  bestIteration?: number;
}

export interface ReportModel {
  name: string;
  /** The model kind: gbdt, mlp, cut, onnx, score (an existing discriminant). */
  kind: string;
  classes: string[];
  /** The loss name, for the training curves' axis (e.g. "log loss"). */
  loss?: string;
  /** "round" (trees) or "epoch" (networks). */
  step?: "round" | "epoch";
  training: TrainingCurve[];
  /**
   * buildMetricsDocument's output for this model (records of other models are ignored, so the
   * run's one document may be passed to every model); null when the model was not evaluated.
   */
  metrics: MetricsDocument | null;
  /** Why there are no metrics (a failed evaluation), shown in place of the plots. */
  metricsReason?: string;
  /** The `reference` model's name: another entry of `models`, drawn beside this one. */
  reference?: string | null;
}

export interface ReportPlot {
  /** A file-name-safe name, e.g. roc_bdt; the executor writes `<name>.svg` (and `.vl.json`). */
  name: string;
  title: string;
  svg: string;
  /** The vega-lite spec, data inline: open it in the vega editor to explore. */
  spec: object;
}

export interface ReportOutput {
  html: string;
  plots: ReportPlot[];
}
