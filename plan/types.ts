/**
 * The plan: the contract between compiler and runtime, also written down as a JSON Schema
 * (plan.schema.json, by hand) that every emitted plan is validated against. The runtime may rely on
 * everything here and on nothing else from the compiler.
 */

/** An expression, resolved and typed. `type` is the type's text: "float", "list<int>", "collection<Muon>", "Muon", "p4". */
export type ExprIR =
  | { op: "const"; type: string; value: number | boolean }
  | { op: "branch"; type: string; name: string }
  /** A declaration's value by name: a define, an object or a region (bool). */
  | { op: "ref"; type: string; decl: "define" | "object" | "region"; name: string }
  | { op: "builtin"; type: string; name: string }
  /** The current element of the innermost `where` or per-element argument. */
  | { op: "this"; type: string }
  /** A field of the current element (a bare name inside `where`). */
  | { op: "field"; type: string; name: string }
  | { op: "collection"; type: string; name: string }
  | { op: "unary"; type: string; fn: "-" | "not"; args: [ExprIR] }
  | { op: "binary"; type: string; fn: string; args: [ExprIR, ExprIR] }
  /**
   * A call of a stdlib function. Random numbers (gauss, uniform) carry their key: `site`, a 32-bit
   * number naming the call (its declaration and its order in it), and the analysis's `seed`.
   */
  | { op: "call"; type: string; fn: string; args: ExprIR[]; site?: number; seed?: number }
  | { op: "index"; type: string; args: [ExprIR, ExprIR] }
  /**
   * `list[low:high]`: positions low ≤ p < high, Python's rules (negative bounds count from the end,
   * bounds clamped to the list). args: the list, then low when `from`, then high when `to`.
   */
  | { op: "slice"; type: string; from: boolean; to: boolean; args: ExprIR[] }
  | { op: "member"; type: string; name: string; args: [ExprIR] }
  | { op: "where"; type: string; args: [ExprIR, ExprIR] }
  /**
   * `args[0] in [args[1], ...]` (negated: `not in`), type "bool" or "list<bool>" (each element of a
   * list). A missing number is in no set and `not in` none either: conditions are never missing.
   */
  | { op: "in"; type: string; negated: boolean; args: ExprIR[] }
  /**
   * A model's score per event (type "float"): `output` is the class's index in classOrder (plan/
   * classes.ts) for a multiclass model, 0 for a binary or imported one. The node using it lists
   * `predict:MODEL` among its inputs; the runtime supplies the column `score:MODEL:OUTPUT`.
   */
  | {
      op: "score";
      type: string;
      model: string;
      output: number;
      /**
       * A model scoring each candidate of a list (per-candidate features): the list, by name. The
       * score is that of the innermost enclosing element of this list; the runtime supplies the
       * packed column `cand:MODEL:OUTPUT` (per event, the scores of the list's elements in order).
       */
      per?: { decl: "define" | "object" | "collection"; name: string };
    }
  /**
   * A working point's score threshold (type "float"), `MODEL.POINT`: derived at run time by the
   * evaluate node `evaluate`, which the node using it lists among its inputs (so it runs in a
   * later pass); the runtime puts the number in its place before compiling a kernel.
   */
  | { op: "threshold"; type: string; model: string; point: string; evaluate: string };

export interface Origin {
  file: string;
  /** 1-based */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface InputFile {
  /** Relative to the analysis file's folder, '/'-separated. */
  path: string;
  size: number;
  /** Cheap identity (size + modification time) unless the analysis is locked, then the locked sha256. */
  mtimeMs?: number;
  sha256?: string;
}

/** A collection read from branches sharing a prefix. */
export interface CollectionIR {
  name: string;
  shape: "jagged" | "single";
  countBranch?: string;
  /** field → branch, for the fields the plan uses */
  fields: Record<string, string>;
  kinematics?: { source: string; fields: Record<string, string> };
}

interface NodeBase {
  id: string;
  origin: Origin;
  /** Ids of the nodes this one reads. */
  inputs: string[];
  /** sha256 of the node's content and everything upstream of it; independent of names and layout. */
  hash: string;
}

export interface ReadNode extends NodeBase {
  kind: "read";
  sample: string;
  tree: string;
  files: string[];
  branches: string[];
  class: string | null;
  /**
   * A friend tree: `files[k]` pairs with the sample's `files[k]`, entry by entry (checked equal),
   * and `branches` (also in `branches` above) are read from it instead of the sample's tree.
   */
  friend?: { tree: string; files: string[]; branches: string[] };
}
export interface WeightNode extends NodeBase {
  kind: "weight";
  sample: string;
  expr: ExprIR | null;
  /** pb */
  xsec: number | null;
  sumw: number | null;
  /** /pb */
  lumi: number | null;
}
export interface DefineNode extends NodeBase {
  kind: "define";
  name: string;
  declaration: "define" | "object";
  type: string;
  expr: ExprIR;
}
export interface FilterNode extends NodeBase {
  kind: "filter";
  name: string;
  /** a region, or the selection of one sample */
  scope: "region" | "sample";
  expr: ExprIR;
  /**
   * A region's weight (`region sr = ... { weight sf }`) times the weights of the regions it is built
   * on (those among the terms of its `and` chain): every event counted in the region is weighted by
   * it on top of its sample's weight. Absent: 1.
   */
  weight?: ExprIR;
}
/**
 * A feature's scaling. `normal` (clip in standard deviations), `linear` (low .. high to [0, 1]),
 * `log`, `categorical`, `none`, and `manual`: clamp((x - shift) * scale, low, high), the clamp only
 * when low and high are given.
 */
export interface ScalingIR {
  kind: string;
  clip?: number;
  low?: number;
  high?: number;
  shift?: number;
  scale?: number;
}
export interface ScaleNode extends NodeBase {
  kind: "scale";
  name: string;
  features: Array<{ name: string; expr: ExprIR; scaling: ScalingIR }>;
  /**
   * Per-candidate features: one row per element of this list (a reference to a define or object,
   * or a collection), the features being expressions of that element (`field` nodes). Absent: one
   * row per event.
   */
  per?: ExprIR;
}
/** What a training does with events of negative weight: keep them as they are, take |w|, or drop them. */
export const NEGATIVE_WEIGHT_MODES = ["keep", "abs", "drop"] as const;
export type NegativeWeights = (typeof NEGATIVE_WEIGHT_MODES)[number];
/** Where a train block's models that can use a GPU (mlp) train; the run's `--device` otherwise. */
export const TRAIN_DEVICES = ["auto", "cpu", "gpu"] as const;
export interface TrainNode extends NodeBase {
  kind: "train";
  model: string;
  modelKind: string;
  options: Record<string, unknown>;
  features: string;
  region: string | null;
  folds: { n: number; by: ExprIR } | null;
  balance: string;
  /**
   * `merge`: groups of classes reweighted as one (each group ≥ 1 class, no class twice);
   * `maxWeight`: the reweighting factors are capped at it. Both null when not written.
   */
  reweight: {
    mode: string;
    target: string | null;
    axes: Array<{ expr: ExprIR; edges: number[] }>;
    merge: string[][] | null;
    maxWeight: number | null;
  } | null;
  validation: number | null;
  /**
   * The held-out test part, apart from training and validation: a seeded fraction of each
   * sample's events (drawn with `seed`), or the events where a bool expression holds. Null: none.
   */
  test: { fraction: number } | { expr: ExprIR } | null;
  /** class → factor multiplying its events' training weights; null when not written. */
  classWeights: Record<string, number> | null;
  negativeWeights: NegativeWeights;
  /** Written only when the block says `device`: it then wins over the run's --device. */
  device?: (typeof TRAIN_DEVICES)[number];
  seed: number;
  /** class → the samples with events of that class (a sample classed by conditions is under each of its classes). */
  classes: Record<string, string[]>;
  /** The classes in output order when `classes` blocks give it; absent: plan/classes.ts's order. */
  order?: string[];
  /**
   * Samples whose events are classed by conditions (`classes { b = is_b; ... }`): sample → its
   * classes with their conditions, in order; an event takes the first class whose condition holds
   * and is left out of training and evaluation when none does.
   */
  labels?: Record<string, Array<{ class: string; expr: ExprIR }>>;
}
export interface PredictNode extends NodeBase {
  kind: "predict";
  model: string;
  modelKind: string;
  /** onnx: the model file and the inputs fed to it */
  onnx?: OnnxSpec;
  /**
   * score: an existing discriminant, one number per event (`expr`), evaluated like a binary
   * model with `signal` against `background` (class names; other classes' events are left out).
   */
  discriminant?: { expr: ExprIR; signal: string; background: string[] };
}
/** An imported ONNX model: its file, what it is fed, which output is its score, and the samples' classes for evaluation. */
export interface OnnxSpec {
  path: string;
  /** Every value fed, flattened in the order of the `inputs` items (a features list: its features). */
  inputs: ExprIR[];
  /** Per `inputs` item: its label (a features list's or a value's name) and number of values (absent in older plans: one item per value). */
  groups?: Array<{ label: string; width: number; sequence?: { features: number; length: number } }>;
  output: string | null;
  /** The output's column that is the score (null: the default, plan/onnx.ts). */
  column?: number | null;
  /** The output's columns as classes' scores (multiclass), or null. */
  classes?: string[] | null;
  /** class → samples, as a train node's: the labels an evaluation of the model uses. */
  sampleClasses?: Record<string, string[]>;
  /** onnxruntime's intra-op threads (scores do not depend on it). */
  threads?: number;
  /**
   * Per-candidate features: the model is fed one row per element of `over` (a reference to a
   * define or object, or a collection), and `inputs` are expressions of that element (its fields
   * as `field` nodes, as inside `where`). Absent: one row per event.
   */
  candidates?: { over: ExprIR };
}
export interface EvaluateNode extends NodeBase {
  kind: "evaluate";
  model: string;
  region: string | null;
  bins: Array<{ expr: ExprIR; edges: number[] }>;
  /** `vs`: the classes a ROC compares (`auc A vs B`: of A, vs B; `vs rest`, `vs pairs`), when written. */
  metrics: Array<{ name: string; at: number | null; of?: string; vs?: string }>;
  workingPoints: Record<string, number>;
  reference: string | null;
  /**
   * `given MODEL.POINT`: the working points are derived among the events whose MODEL score passes
   * POINT's threshold, which the evaluate node `evaluate` derives (an input, so this node runs a
   * pass later; `predict:MODEL` is an input too). Absent when not written.
   */
  given?: { model: string; point: string; evaluate: string };
}
export interface HistogramNode extends NodeBase {
  kind: "histogram";
  name: string;
  vars: ExprIR[];
  edges: number[][];
  regions: string[];
  by: string | null;
  weighted: boolean;
  /** `title "..."` as written (ROOT's "title;x axis;y axis"); absent when not written, so plans without titles keep their hashes. */
  title?: string;
  /** The variations the histogram gets `_NAMEUp` / `_NAMEDown` copies of (absent: none). */
  systematics?: SystematicIR[];
  /**
   * Derived histograms (`histogram NAME = EXPR`), for a histogram split by sample or group: each a
   * split of its own, computed after the pass as Σ coefficient · split (contents) and
   * Σ coefficient² · split (variances), in every region and for the nominal and every copy.
   * Absent when the analysis declares none.
   */
  derived?: DerivedIR[];
}

/** A derived histogram over one histogram node's splits: split name → coefficient (the splits of the operands, resolved by the compiler). */
export interface DerivedIR {
  name: string;
  splits: Record<string, number>;
}

/**
 * A systematic variation. The copies fill the nominal's events: with the weight times `weight.up`
 * (`down`; a one-sided variation's down copy is the nominal mirrored, 2·nominal − up), or scaled
 * by `normalisation` (up) and its inverse (down). Samples outside `samples` (null: all) give
 * their nominal to every copy.
 */
export interface SystematicIR {
  name: string;
  samples: string[] | null;
  weight?: { up: ExprIR; down: ExprIR | null };
  normalisation?: number;
  vary?: VaryIR;
  /**
   * Alternative samples: the nominal `sample`'s part of each histogram is replaced by sample `up`'s
   * (`down`'s; one-sided: the nominal mirrored) in the copies. The alternatives are variations,
   * not processes: they fill no nominal histogram and no other variation's copy.
   */
  alternatives?: { sample: string; up: string; down: string | null };
  /** Where it is declared, for errors of the run (a varied weight that is not a finite number); not part of any hash. */
  origin?: Origin;
}

/**
 * A shape variation (RDataFrame's `Vary`): inputs replaced by `up` (`down`) in the copies, and
 * everything computed from them recomputed in the same pass. An input is a flat branch (`up` one
 * number per event) or a collection's field (`up` one number per element, evaluated with the
 * nominal element as `this`: its fields are the nominal values; the collection's other fields,
 * its element count and order stay as they are). A one-sided variation's down copy is the
 * nominal mirrored, as for weights.
 */
export interface VaryIR {
  /** The inputs replaced, each by its own values, all at once (`down` null for all or for none). */
  inputs: VaryInputIR[];
  /**
   * The nodes whose values change with the input (defines, objects, regions, sample selections
   * and weights, histograms, cutflows), sorted: what the run recomputes, and all it recomputes.
   */
  touches: string[];
}
export interface VaryInputIR {
  input: { branch: string } | { collection: string; field: string };
  up: ExprIR;
  down: ExprIR | null;
}
export interface CutflowNode extends NodeBase {
  kind: "cutflow";
  regions: string[];
  /**
   * `cutflow steps R`: the cumulative `and` terms of region R, one row each (row k: the first k
   * terms), with the region weights that apply from that row on. `regions` is empty then.
   */
  steps?: { region: string; rows: Array<{ label: string; expr: ExprIR; weight?: ExprIR }> };
  /** `with systematics`: the counts in every variation and direction too (absent: nominal only). */
  systematics?: SystematicIR[];
}
export interface WriteNode extends NodeBase {
  kind: "write";
  path: string;
  /**
   * arrow: a train node's training data (inputs: [train:MODEL]); onnx: a trained model exported
   * (inputs: [train:MODEL]); ntuple: the events of `regions` (any of them; none: every selected
   * event) of every sample, with `columns` (the path's ending says ROOT, Arrow or Parquet).
   */
  format: "root" | "json" | "html" | "friend" | "arrow" | "onnx" | "ntuple" | "datacard" | "workspace";
  keys?: ExprIR[];
  /**
   * datacard, workspace: the histograms (by name; inputs: their nodes) whose splits in each of
   * `regions` are a channel's processes, one channel per observable and region.
   */
  observables?: string[];
  regions?: string[];
  /**
   * When the output pairs observables and regions in groups (`for ht in r4j1b, m_bjj in r4j2b`):
   * its channels, in order (`observables` and `regions` then list every one named). Absent: one
   * channel per observable and region.
   */
  channels?: Array<{ observable: string; region: string }>;
  columns?: NtupleColumnIR[];
}

/**
 * A column of an ntuple: a number or condition per event (flat), or with `counter` a list of them
 * per event (jagged), counted by the branch of that name; columns with the same counter have the
 * same lengths in every event.
 */
export interface NtupleColumnIR {
  name: string;
  expr: ExprIR;
  type: "bool" | "int" | "float";
  counter?: string;
}

export type PlanNode = ReadNode | WeightNode | DefineNode | FilterNode | ScaleNode | TrainNode | PredictNode | EvaluateNode | HistogramNode | CutflowNode | WriteNode;

export interface Plan {
  format: "hepc-plan/1";
  hepc: string;
  analysis: {
    name: string;
    title: string | null;
    lumi: number | null;
    seed: number;
    /** Metadata from the header, present only when written (plans without it keep their hashes): written into the outputs. */
    experiment?: string;
    /** The centre-of-mass energy, GeV. */
    sqrts?: number;
    doi?: string;
    arxiv?: string;
  };
  /** The analysis file, as given to the compiler. */
  source: string;
  locked: boolean;
  inputs: InputFile[];
  collections: CollectionIR[];
  /** group name → its samples, for histograms split by group */
  groups: Record<string, string[]>;
  nodes: PlanNode[];
  /**
   * Parameter name → the value in effect (declared, or given with `--set`), when the analysis
   * declares parameters. Strings and constants of the nodes already hold these values; the record
   * is here so that a run says what it was run with, and so that the plan's hash differs with them.
   */
  params?: Record<string, string | number | boolean | Array<string | number | boolean>>;
}
