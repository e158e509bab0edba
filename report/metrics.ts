/**
 * Typed views over a metrics document's records (runtime/evaluate/document.ts writes them as
 * loosely typed records; the shapes are those of metrics.schema.json).
 */
import type { MetricsDocument } from "./types.js";

export interface BinRange { variable: string; lo: number; hi: number }
export interface Bin { index: number; ranges: BinRange[] }
export interface Located { model: string; region: string; fold: number | "all"; bin: Bin | null }

export interface ModelEntry { model: string; region: string; kind: "binary" | "multiclass"; classes: string[]; signal: string | null; folds: number; bins: { variable: string; edges: number[] }[] | null }
export interface FigureRec extends Located {
  metric: string; value: number | null; reason?: string; interval?: { lo: number; hi: number; cl: number };
  at?: { signal_efficiency?: number; background_efficiency?: number; threshold?: number };
  kind?: string; class?: string; vs?: string; average?: string; s?: number; b?: number; n_eff?: number[];
}
export interface CurveRec extends Located { kind: "roc" | "pr" | "significance"; significance?: string; class?: string; vs?: string; x: number[]; y: (number | null)[]; thresholds: (number | null)[]; points: number }
export interface ConfusionRec extends Located { prediction: "argmax" | { threshold: number }; classes: string[]; matrix: number[][]; by_truth: (number | null)[][]; by_prediction: (number | null)[][] }
export interface WorkingPointRec extends Located { name: string; target: number; threshold: number | null; reason?: string; signal_efficiency?: number; background_efficiency?: number; given?: { name: string; threshold: number; signal_efficiency?: number } }
export interface EfficiencyRec extends Located { working_point: string; thresholds: "overall" | "flat"; class: "signal" | "background"; value: number | null; reason?: string; interval?: { lo: number; hi: number; cl: number }; n_eff?: number; k_eff?: number; n?: number; k?: number }
export interface HistogramRec extends Located { class: string; output: string; sample: "train" | "test"; edges: number[]; sumw: number[]; sumw2: number[] }

/** One model's records in one region. */
export interface ModelMetrics {
  entry: ModelEntry;
  figures: FigureRec[];
  curves: CurveRec[];
  confusion: ConfusionRec[];
  workingPoints: WorkingPointRec[];
  efficiencies: EfficiencyRec[];
  histograms: HistogramRec[];
}

/** The (model, region) evaluations of `model` in a document, in document order. */
export function metricsOf(doc: MetricsDocument | null, model: string): ModelMetrics[] {
  if (!doc) return [];
  const mine = <T extends Located>(rows: Record<string, unknown>[], region: string) =>
    (rows as unknown as T[]).filter((r) => r.model === model && r.region === region);
  return (doc.models as unknown as ModelEntry[])
    .filter((m) => m.model === model)
    .map((entry) => ({
      entry,
      figures: mine<FigureRec>(doc.figures, entry.region),
      curves: mine<CurveRec>(doc.curves, entry.region),
      confusion: mine<ConfusionRec>(doc.confusion, entry.region),
      workingPoints: mine<WorkingPointRec>(doc.working_points, entry.region),
      efficiencies: mine<EfficiencyRec>(doc.efficiencies, entry.region),
      histograms: mine<HistogramRec>(doc.histograms, entry.region),
    }));
}

/** Overall (all folds, no bin). */
export function overall<T extends Located>(r: T): boolean {
  return r.fold === "all" && r.bin === null;
}

export function binLabel(bin: Bin, units: Record<string, string> = {}): string {
  return bin.ranges.map((r) => `${fmtNum(r.lo)} ≤ ${r.variable} < ${fmtNum(r.hi)}${units[r.variable] ? ` ${units[r.variable]}` : ""}`).join(", ");
}

/** A number for a table: never NaN or Infinity in the page. */
export function fmtNum(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "—";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (Number.isInteger(x) && a < 1e7) return String(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}
