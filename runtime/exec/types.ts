/** What a run is asked to do and what it gives back. */
import type { Origin } from "../../plan/types.js";
import type { SampleCutflow } from "./cutflow.js";
import type { HistogramData } from "./histogram.js";
import type { EvaluationResult } from "../evaluate/index.js";
import type { TrainedModel } from "../models/index.js";
import type { DeviceWanted } from "../devices/index.js";
import type { DatasetRows } from "../train/index.js";
import type { FriendResult } from "./runners/friend.js";
import type { NtupleResult } from "./runners/ntuple.js";
import type { FeatureDistribution } from "./runners/train.js";

/** A trained model as the run summary shows it. */
export interface ModelSummary {
  model: string;
  kind: string;
  classes: string[];
  features: string[];
  folds: number;
  /** Taken from the model cache rather than trained. */
  cached: boolean;
  /** Where it was trained: "cpu", or "gpu: " and the adapter (vendor, architecture, backend). */
  device: string;
  /** Where its events were scored in this run ("cpu", or "gpu: " and the adapter); absent: not scored. */
  scored?: string;
  /** Per feature, summed over folds: total gain of its splits and their number. */
  importance?: { gain: number[]; splits: number[] };
  /** What preparing and fitting had to say. */
  summary?: unknown;
}

/** A rendered report: the page and its plots as standalone SVG (with their vega-lite specs). */
export interface RenderedReport {
  html: string;
  plots: Array<{ name: string; svg: string; spec: object }>;
}

export interface RunOptions {
  /** The folder the plan's input paths are relative to (the analysis file's folder). */
  analysisDir: string;
  /** Entries per chunk read from a file. */
  chunkSize?: number;
  /**
   * Threads that read and compute chunks (default: one per core). 1 does everything on this
   * thread; with more, worker threads take whole chunks and this thread only plans them and
   * fills histograms and cutflows from their outputs, in entry order.
   */
  threads?: number;
  /**
   * Where models train: cpu (the default here), gpu (an error before any work when there is no
   * adapter) or auto (the GPU when a hardware one is found). A train block's own `device` wins.
   */
  device?: DeviceWanted;
  /** Folder for cached columns; null disables caching. */
  cacheDir?: string | null;
  signal?: AbortSignal;
  /**
   * A scale-out task's share of a sample (runtime/exec/executors): entries [start, stop) of the
   * sample, which lie in the files `files` (indices into the read node's files, in order), the
   * first of which starts at sample entry `offset`. Entry numbers stay the sample's, so
   * everything computed from `entry` is the same as in a run over the whole sample.
   */
  part?: { files: number[]; offset: number; start: number; stop: number };
  /**
   * After each chunk: entries done in the sample; `total` the sample's entries when known, else
   * those of the files opened so far (`estimated`), with the file being read out of `files`.
   */
  onProgress?: (p: Progress) => void;
}

export interface Progress {
  sample: string;
  done: number;
  total: number;
  cached: boolean;
  /** The file being read (1-based) and the sample's number of files. */
  file?: number;
  files?: number;
  /** `total` counts only the files opened so far: later files are still to come. */
  estimated?: boolean;
}

export interface HistogramResult {
  node: string;
  origin: Origin;
  /** The output file, relative to the analysis folder. */
  file: string;
  /** Where it goes inside the file: REGION/NAME or REGION/NAME/SPLIT. */
  key: string;
  region: string;
  split: string | null;
  data: HistogramData;
}

export interface CutflowResult {
  node: string;
  file: string;
  /** The regions counted; for `cutflow steps R`, the terms of R as written, one row each. */
  regions: string[];
  /** `cutflow steps R`: R. */
  steps?: string;
  samples: SampleCutflow[];
}

export interface SampleResult {
  name: string;
  entries: number;
  /** Sum of event weights over all entries (before any selection). */
  sumw: number;
  /** xsec × lumi / sum of generated weights, or 1. */
  norm: number;
  /** Whether the sample's ROOT files were read (false: every column came from the cache). */
  read: boolean;
}

export interface RunResult {
  histograms: HistogramResult[];
  cutflows: CutflowResult[];
  samples: SampleResult[];
  timings: { readMs: number; computeMs: number; fillMs: number };
  /** What did not stop the run but should be known (a column cache that could not be written). */
  warnings: string[];
  /** What each evaluate block found (runtime/evaluate), in plan order. */
  evaluations: EvaluationResult[];
  /** Friend trees of predictions, per write node. */
  friends: FriendResult[];
  /** Ntuples' rows, per write node. */
  ntuples: NtupleResult[];
  /** The models trained (or taken from the cache) by this run. */
  models: ModelSummary[];
  /** The same models whole (folds, scalers, serialised fits), for their ONNX export. */
  trained: TrainedModel[];
  /** Input-feature distributions per class of each train block, when a report is written. */
  features: Array<{ model: string; distributions: FeatureDistribution[] }>;
  /** Training datasets asked for by outputs, by train node id. */
  datasets: Array<{ node: string; rows: DatasetRows }>;
  /** Each pass over the samples and each round of merges and fits after it: wall time, and the process's peak memory when it ended. */
  stages: Array<{ stage: string; wallMs: number; peakRssBytes: number }>;
  /** Ids of the nodes this runtime could not run (HEP6001) and of everything that needed them. */
  notRun: string[];
}