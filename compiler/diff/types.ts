/**
 * The value `hepc diff` computes: what changed between two compiled analyses, declaration by
 * declaration, and what that means for the results (from the plans' content hashes). It is also
 * the JSON output, written down as a schema in diff.schema.json (keep the two in step).
 */

/** Declarations as a reviewer sees them; an `output { ... }` block is compared item by item. */
export type DeclKind =
  | "analysis"
  | "sample"
  | "group"
  | "object"
  | "define"
  | "region"
  | "bins"
  | "features"
  | "model"
  | "train"
  | "evaluate"
  | "histogram"
  | "cutflow"
  | "predictions"
  | "report"
  | "dataset"
  | "onnx"
  | "ntuple"
  | "datacard"
  | "workspace"
  | "param"
  /** `systematic NAME ...`: a variation, compared by what it varies and how. */
  | "systematic"
  /** `histogram NAME = EXPR`: a derived histogram, compared by its linear combination. */
  | "derived";

/** The order changes are listed in: the order of docs/language.md. */
export const DECL_KINDS: readonly DeclKind[] = ["analysis", "sample", "group", "object", "define", "region", "bins", "features", "model", "train", "evaluate", "systematic", "derived", "histogram", "cutflow", "predictions", "report", "dataset", "onnx", "ntuple", "datacard", "workspace", "param"];

export type ChangeKind = "added" | "removed" | "changed" | "renamed";

/**
 * What must be recomputed, from the cheapest to the most expensive: nothing, writing an output
 * file again (its content is known), filling histograms or cutflows again (an event loop),
 * evaluating models again, training models again.
 */
export type Recompute = "none" | "rewrite" | "refill" | "reevaluate" | "retrain";
export const RECOMPUTE_ORDER: readonly Recompute[] = ["none", "rewrite", "refill", "reevaluate", "retrain"];

export interface Location {
  /** As the compiler shows it: relative to the working directory. */
  file: string;
  /** 1-based */
  line: number;
}

/** One field of a declaration: its value on each side (null: not written, or not applicable). */
export interface ValueDetail {
  field: string;
  old: string | null;
  new: string | null;
}

/** A list-valued field (files, members, features, metrics, ...): items added, removed, changed, or reordered. */
export interface ListDetail {
  field: string;
  added: string[];
  removed: string[];
  changed: Array<{ old: string; new: string }>;
  /** Set when the same items are listed in another order (the order matters: features, regions). */
  order?: { old: string[]; new: string[] };
}

export type Detail = ValueDetail | ListDetail;

export function isListDetail(d: Detail): d is ListDetail {
  return "added" in d;
}

/**
 * Plan nodes, by id (`train:bdt`, `evaluate:bdt@sr`, `histogram:out/shapes.root/ht`,
 * `cutflow:out/cutflow.json`, `predict:tagger`) or output path for files to write again. Only
 * results are listed: trainings, evaluations, histograms, cutflows, predictions of imported
 * models, and output files; intermediate nodes (reads, defines, filters) are not.
 */
export interface Impact {
  /** Models to train: changed ones again, new ones for the first time (new names). */
  retrain: string[];
  /** Evaluations (`evaluate:...`) and imported models' predictions (`predict:...`) to compute again. */
  reevaluate: string[];
  /** Histograms and cutflows to fill again (`histogram:...`, `cutflow:...`). */
  refill: string[];
  /** Output files to write again (paths). */
  rewrite: string[];
  /** Results of the old analysis the new one no longer produces (old node ids). */
  removed: string[];
  /** Results whose content hash is identical on both sides: provably unchanged (new node ids). */
  unchanged: string[];
}

export interface DeclChange {
  kind: DeclKind;
  change: ChangeKind;
  /** The new name (the old one for a removed declaration). Outputs: a histogram's name, a file's path. */
  name: string;
  /** The old name, when it differs (renames). */
  oldName?: string;
  /** Changed fields, old and new side by side; empty for added, removed and renamed declarations. */
  details: Detail[];
  /** The declaration in one line, for added and removed ones. */
  summary?: string;
  old?: Location;
  new?: Location;
  /** The most expensive recomputation this change causes downstream. */
  recompute: Recompute;
  impact: Impact;
}

export type InputChangeKind = "content" | "size" | "modified" | "locked" | "unlocked";

/** An input file's identity; modification times are never part of the diff's output. */
export interface InputIdentity {
  size: number;
  sha256?: string;
}

/** An input file read by both sides whose identity differs: its bytes (or what is known of them) changed. */
export interface InputChange {
  /** Relative to the analysis folder. */
  path: string;
  /**
   * content: locked sha256 differs · size: the size differs · modified: same size, other
   * modification time · locked / unlocked: pinned by a lock file on one side only.
   */
  change: InputChangeKind;
  old: InputIdentity;
  new: InputIdentity;
  recompute: Recompute;
  impact: Impact;
}

export interface DiffSide {
  /** What the user named: a file, or `REV:path`. */
  label: string;
  analysis: string;
}

export interface Diff {
  format: "hepc-diff/1";
  old: DiffSide;
  new: DiffSide;
  /** Whether the analyses differ in meaning: any change, input change or recomputation. */
  changed: boolean;
  changes: DeclChange[];
  inputs: InputChange[];
  recompute: Recompute;
  impact: Impact;
  /** A short name for every node id listed in an impact (`evaluate:bdt@sr` → `bdt in sr`). */
  labels: Record<string, string>;
}
