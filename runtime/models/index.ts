/**
 * The model kinds, each in a folder of its own (gbdt/, and later mlp/, cuts/, onnx/): how a kind
 * fits one fold of prepared training data, and how a fitted fold is stored and loaded. In: a
 * FoldData (runtime/train/types.ts) and the model's options from the plan. Out: fitted folds
 * that score scaled feature columns. Must not import runtime/exec: the executor calls this.
 */
import type { DiagnosticCode } from "../../compiler/core/diagnostics.js";
import { applyScalers } from "../train/scaling.js";
import { gbdtRuntime } from "./gbdt/runtime.js";
import type { FittedScaler, FoldData } from "../train/types.js";
import { cutAndCount } from "./cuts/index.js";
import { mlpRuntime } from "./mlp/index.js";
import { openOnnx, type OnnxScorer, type OpenOptions } from "./onnx/index.js";
import type { OnnxInputsSpec } from "../../plan/onnx.js";
import type { DeviceWanted } from "../devices/index.js";

/** One fold's fitted model, able to score scaled feature columns. */
export interface FittedModel {
  /** Probabilities: n values (binary: of the class with label 1), or n × classes row-major. */
  predict(columns: Float32Array[], n: number): Float64Array;
  /** A stable serialisation: equal models give equal JSON. */
  toJSON(): unknown;
  /** Per feature: total gain of its splits and their number (tree models). */
  importance?: { gain: number[]; splits: number[] };
  /** Per round or epoch: training and validation loss. */
  curves?: { train: number[]; valid: number[] };
  /** The round or epoch kept (early stopping). */
  bestIteration?: number;
  /** Where it was trained: "cpu", or "gpu: " and the adapter; absent: the CPU. */
  device?: string;
}

export interface FitContext {
  seed: number;
  threads: number;
  classes: string[];
  signal?: AbortSignal;
  /** Where to train, for the kinds that can use a GPU (mlp); absent: the CPU. */
  device?: DeviceWanted;
  /** The model's name, for messages. */
  model?: string;
  /** Progress: a round or epoch done, with its losses. */
  onRound?: (round: number, trainLoss: number, validLoss: number | null) => void;
}

/** What a model kind gives the executor. */
export interface ModelKindRuntime {
  fit(data: FoldData, options: Record<string, unknown>, ctx: FitContext): Promise<FittedModel>;
  load(json: unknown): FittedModel;
  /** The folds as one ONNX model with the scaling in front (output: the folds' mean probability). */
  toOnnx?(folds: FittedModel[], scalers: FittedScaler[][], featureNames: string[]): Uint8Array;
  /**
   * The folds opened for scoring on a device (the GPU), for the kinds that can (mlp); null where
   * they score on the CPU (`cpu` asked, `auto` without a hardware GPU, a network the GPU cannot
   * run). `gpu` without an adapter is HEP6090, as for training.
   */
  openScorer?(folds: FittedModel[], device: DeviceWanted, model: string): Promise<DeviceScorer | null>;
}

/** A model's folds scoring on a device: `predict` as FittedModel's, for fold k, asynchronously. */
export interface DeviceScorer {
  predict(k: number, columns: Float32Array[], n: number): Promise<Float64Array>;
  /** "gpu: " and the adapter. */
  device: string;
  close(): void;
}

/** The model kinds this runtime trains, by the plan's modelKind. */
export const MODEL_RUNTIMES: Readonly<Record<string, ModelKindRuntime>> = {
  gbdt: gbdtRuntime,
  cut_and_count: cutAndCount,
  mlp: mlpRuntime,
};

/**
 * Model kinds that are imported, not trained: a file opened once per run, then applied to every
 * event of every sample (there are no folds: no event was seen in training, as far as hepc knows).
 */
export interface ImportedModelRuntime {
  open(bytes: Uint8Array, spec: OnnxInputsSpec, opts: OpenOptions): Promise<OnnxScorer>;
}

export const IMPORTED_MODEL_RUNTIMES: Readonly<Record<string, ImportedModelRuntime>> = {
  onnx: { open: openOnnx },
};

/**
 * A model kind's run-time error: a code of the diagnostics table and its arguments (GbdtError is
 * one). The executor renders it under the train block's line.
 */
export function modelErrorOf(e: unknown): { code: DiagnosticCode; args: Record<string, string | number> } | undefined {
  const x = e as { code?: unknown; args?: unknown };
  return e instanceof Error && typeof x.code === "string" && /^HEP\d{4}$/.test(x.code) && typeof x.args === "object" && x.args !== null ? { code: x.code as DiagnosticCode, args: x.args as Record<string, string | number> } : undefined;
}

/** A trained model as stored in the cache and the run directory: every fold with its scaling. */
export interface TrainedModel {
  format: "hepc-model/1";
  model: string;
  kind: string;
  /** The train node's content hash: what the model was fitted from. */
  hash: string;
  /** Class names; a class's label is its position. */
  classes: string[];
  features: string[];
  /** Number of folds (0: trained without folds). */
  nFolds: number;
  /** Per fold: its scalers, the kind's serialised model, the round kept and the loss curves (null: no value, e.g. no validation part). */
  folds: Array<{ fold: number; scalers: FittedScaler[]; model: unknown; bestIteration?: number; curves?: { train: Array<number | null>; valid: Array<number | null> }; device?: string }>;
  importance?: { gain: number[]; splits: number[] };
  /** What the preparation reported (events and weights per class and fold). */
  summary: unknown;
  /** Where the folds were trained: "cpu", or "gpu: " and the adapter. */
  device?: string;
}

/** A trained model with its folds loaded, ready to score. */
export interface LoadedModel {
  trained: TrainedModel;
  folds: Array<{ fold: number; scalers: FittedScaler[]; model: FittedModel }>;
  /** Scores per event: 1 (binary) or the number of classes. */
  outputs: number;
}

export function loadModel(trained: TrainedModel): LoadedModel {
  const kind = MODEL_RUNTIMES[trained.kind];
  if (!kind) throw new Error(`no runtime for model kind ${trained.kind}`);
  return {
    trained,
    folds: trained.folds.map((f) => ({ fold: f.fold, scalers: f.scalers.map(scalerFromJson), model: kind.load(f.model) })),
    outputs: trained.classes.length > 2 ? trained.classes.length : 1,
  };
}

/**
 * Scores of a chunk's events. `inTraining[i]`: whether the training saw event i through some fold,
 * so that its score is the out-of-fold one (the model of fold `fold[i]`); other events get the
 * mean over the folds. Without folds every event gets the one model's score. `inSample` holds, for
 * events the training saw, the score of a model that trained on them (the next fold's), which the
 * overtraining test compares with the out-of-fold one; NaN elsewhere.
 */
export function scoreChunk(m: LoadedModel, features: Float64Array[], n: number, fold: Float64Array | null, inTraining: Uint8Array): { scores: Float64Array[]; inSample: Float64Array[] } {
  const cols = features.map((c) => c.subarray(0, n));
  return combineFolds(m, m.folds.map((f) => f.model.predict(applyScalers(cols, f.scalers), n)), n, fold, inTraining);
}

/** scoreChunk with the folds' scores from a device scorer; the folds combine as on the CPU. */
export async function scoreChunkOn(scorer: DeviceScorer, m: LoadedModel, features: Float64Array[], n: number, fold: Float64Array | null, inTraining: Uint8Array): Promise<{ scores: Float64Array[]; inSample: Float64Array[] }> {
  const cols = features.map((c) => c.subarray(0, n));
  const perFold: Float64Array[] = [];
  for (let f = 0; f < m.folds.length; f++) perFold.push(await scorer.predict(f, applyScalers(cols, m.folds[f].scalers), n));
  return combineFolds(m, perFold, n, fold, inTraining);
}

function combineFolds(m: LoadedModel, perFold: Float64Array[], n: number, fold: Float64Array | null, inTraining: Uint8Array): { scores: Float64Array[]; inSample: Float64Array[] } {
  const k = m.outputs;
  const out = Array.from({ length: k }, () => new Float64Array(n));
  const inSample = Array.from({ length: k }, () => new Float64Array(n).fill(NaN));
  const folds = perFold.length;
  for (let i = 0; i < n; i++) {
    const own = fold !== null && folds > 1 && inTraining[i] ? foldIndex(m, fold[i]) : -1;
    const seen = own >= 0 ? (own + 1) % folds : folds === 1 && inTraining[i] ? 0 : -1;
    for (let c = 0; c < k; c++) {
      if (own >= 0) out[c][i] = perFold[own][i * k + c];
      else {
        let s = 0;
        for (let f = 0; f < folds; f++) s += perFold[f][i * k + c];
        out[c][i] = s / folds;
      }
      if (seen >= 0) inSample[c][i] = perFold[seen][i * k + c];
    }
  }
  return { scores: out, inSample };
}

function foldIndex(m: LoadedModel, v: number): number {
  for (let f = 0; f < m.folds.length; f++) if (m.folds[f].fold === v) return f;
  return -1;
}

/** Scalers as stored (JSON has no infinities: an unbounded side is null). */
export function scalerToJson(s: FittedScaler): unknown {
  return { ...s, lo: Number.isFinite(s.lo) ? s.lo : null, hi: Number.isFinite(s.hi) ? s.hi : null };
}
function scalerFromJson(j: unknown): FittedScaler {
  const s = j as FittedScaler & { lo: number | null; hi: number | null };
  return { ...s, lo: s.lo ?? -Infinity, hi: s.hi ?? Infinity };
}

/** The ONNX export of a trained model, or why there is none. */
export function exportOnnx(trained: TrainedModel): { bytes: Uint8Array } | { error: string } {
  const kind = MODEL_RUNTIMES[trained.kind];
  if (!kind?.toOnnx) return { error: `${trained.kind} models cannot be exported as ONNX in this version` };
  const loaded = loadModel(trained);
  return { bytes: kind.toOnnx(loaded.folds.map((f) => f.model), loaded.folds.map((f) => f.scalers), trained.features) };
}
