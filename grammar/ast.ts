/**
 * The syntax tree the parser builds. Nodes carry offsets (`span`) into their file's text and a
 * per-file numeric `id` so later stages keep their results (types, resolutions) in side tables and
 * the tree itself stays immutable. A construct the parser could not read becomes `Missing`, so later
 * stages skip it instead of reporting a cascade of errors.
 */

/**
 * A range of a file's text as UTF-16 offsets (`start` inclusive, `end` exclusive), as JS strings
 * index. Declared here, at the bottom of the pipeline, so the tree needs nothing above it;
 * compiler/core/source.ts re-exports it with the positions built on it.
 */
export interface Span {
  start: number;
  end: number;
}

export interface Node {
  id: number;
  span: Span;
}

export interface Ident extends Node {
  kind: "Ident";
  name: string;
}

// ---- expressions -----------------------------------------------------------------------------

export type BinaryOp = "or" | "and" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "~=" | "+" | "-" | "*" | "/" | "%" | "^" | "??"
  | "is" | "|" | "&" | "<<" | ">>";
export type UnaryOp = "-" | "not";

export type Expr =
  | NumberLit
  | StringLit
  | BoolLit
  | NameRef
  | ThisRef
  | Unary
  | Binary
  | Call
  | IndexExpr
  | SliceExpr
  | MemberExpr
  | WhereExpr
  | ListExpr
  | InExpr
  | Missing;

export interface NumberLit extends Node {
  kind: "Number";
  value: number;
  /** As written, so the formatter keeps `1e3` and `0.10` as the author wrote them. */
  raw: string;
  isInt: boolean;
  unit?: Ident;
}
export interface StringLit extends Node {
  kind: "String";
  value: string;
  raw: string;
}
export interface BoolLit extends Node {
  kind: "Bool";
  value: boolean;
}
export interface NameRef extends Node {
  kind: "Name";
  name: string;
}
/** The current element inside `where` and per-element function arguments. */
export interface ThisRef extends Node {
  kind: "This";
}
export interface Unary extends Node {
  kind: "Unary";
  op: UnaryOp;
  operand: Expr;
}
export interface Binary extends Node {
  kind: "Binary";
  op: BinaryOp;
  left: Expr;
  right: Expr;
}
export interface Call extends Node {
  kind: "Call";
  callee: Ident;
  args: Expr[];
}
export interface IndexExpr extends Node {
  kind: "Index";
  target: Expr;
  index: Expr;
}
/** `jets[a:b]`, `jets[:6]`: positions a ≤ p < b; either bound may be left out. */
export interface SliceExpr extends Node {
  kind: "Slice";
  target: Expr;
  low?: Expr;
  high?: Expr;
}
export interface MemberExpr extends Node {
  kind: "Member";
  target: Expr;
  field: Ident;
}
export interface WhereExpr extends Node {
  kind: "Where";
  target: Expr;
  cond: Expr;
}
export interface ListExpr extends Node {
  kind: "List";
  items: Expr[];
}
/** `x in [0, 1, 10]`, `x not in [...]`: membership of a number in a literal set. */
export interface InExpr extends Node {
  kind: "In";
  target: Expr;
  negated: boolean;
  items: Expr[];
}
export interface Missing extends Node {
  kind: "Missing";
}

// ---- binnings --------------------------------------------------------------------------------

export type BinSpec = UniformBins | EdgeBins | NamedBins | Missing;
/** `20 0 .. 1000`: 20 equal bins from 0 to 1000. */
export interface UniformBins extends Node {
  kind: "UniformBins";
  count: NumberLit;
  low: Expr;
  high: Expr;
}
/** `[25, 40, 60, 1000]`: variable edges. */
export interface EdgeBins extends Node {
  kind: "EdgeBins";
  edges: Expr[];
}
/** A `bins NAME = ...` declaration used by name. */
export interface NamedBins extends Node {
  kind: "NamedBins";
  name: Ident;
}

// ---- declarations ----------------------------------------------------------------------------

export type Decl =
  | AnalysisDecl
  | IncludeDecl
  | SampleDecl
  | GroupDecl
  | ObjectDecl
  | DefineDecl
  | RegionDecl
  | BinsDecl
  | FeaturesDecl
  | ModelDecl
  | TrainDecl
  | EvaluateDecl
  | OutputDecl
  | ParamDecl
  | DefaultsDecl
  | SystematicDecl
  | DerivedHistogramDecl
  | BrokenDecl;

/** A generic `key value...` entry of a block; the value's shape depends on the key. */
export interface Property<V> extends Node {
  kind: "Property";
  key: Ident;
  value: V;
}

export interface AnalysisDecl extends Node {
  kind: "Analysis";
  name: Ident;
  props: Property<AnalysisValue>[];
}
export type AnalysisValue =
  | { lumi: NumberLit }
  | { seed: NumberLit }
  | { title: StringLit }
  /** Metadata written into the outputs: the experiment, the centre-of-mass energy, the publication. */
  | { experiment: StringLit }
  | { sqrts: NumberLit }
  | { doi: StringLit }
  | { arxiv: StringLit }
  | { unknown: Expr[] };

export interface IncludeDecl extends Node {
  kind: "Include";
  path: StringLit;
}

export interface SampleDecl extends Node {
  kind: "Sample";
  name: Ident;
  props: SampleProp[];
}
export type SampleProp =
  | (Node & { kind: "Property"; key: Ident; prop: "files"; files: StringLit[] })
  | (Node & { kind: "Property"; key: Ident; prop: "tree"; tree: StringLit })
  | (Node & { kind: "Property"; key: Ident; prop: "class"; klass: Ident })
  | (Node & { kind: "Property"; key: Ident; prop: "weight"; expr: Expr })
  | (Node & { kind: "Property"; key: Ident; prop: "where"; expr: Expr })
  | (Node & { kind: "Property"; key: Ident; prop: "xsec"; value: NumberLit })
  | (Node & { kind: "Property"; key: Ident; prop: "sumw"; value: NumberLit })
  | (Node & { kind: "Property"; key: Ident; prop: "title"; title: StringLit })
  | (Node & { kind: "Property"; key: Ident; prop: "classes" } & ClassesBody)
  /** `friend "preds/*.root" tree "scores"`: trees joined entry by entry with the sample's, file by file. */
  | (Node & { kind: "Property"; key: Ident; prop: "friend"; files: StringLit; tree: StringLit });

/** `b = label_b` in a `classes` block; with `classes by EXPR`, `b = 0` (an integer id). */
export interface ClassEntry extends Node {
  kind: "ClassEntry";
  name: Ident;
  value: Expr;
}
/** A `classes [by EXPR] { NAME = VALUE; ... }` block: ordered, the position is the model's output index. */
export interface ClassesBody {
  by?: Expr;
  entries: ClassEntry[];
}

/** `defaults { tree "t" ... }`: sample properties every sample has unless it gives its own. */
export interface DefaultsDecl extends Node {
  kind: "Defaults";
  props: SampleProp[];
}

export interface GroupDecl extends Node {
  kind: "Group";
  name: Ident;
  members: Ident[];
}
/**
 * `systematic NAME [for SAMPLES] { weight up EXPR [down EXPR] }`, `{ normalisation K }`,
 * `{ vary INPUT up EXPR [down EXPR] }` (a branch, or a collection's field, replaced by EXPR) or
 * `{ samples up SAMPLE [down SAMPLE] }` (alternative samples of the one sample `for` names): a
 * variation every histogram of the samples named (all when none) gets `_NAMEUp`/`_NAMEDown`
 * copies of. `systematic NAME[i in A .. B]` declares a family: one member per integer i from A to
 * B, named NAME_i, with `i` that number in its expressions.
 */
/** `vary TARGET up EXPR [down EXPR]`: `target` a branch's name or `Collection.field`; in `up`/`down` the collection's name is the element varied. */
export interface VaryEntry {
  target: Expr;
  up: Expr;
  down?: Expr;
}
export interface SystematicDecl extends Node {
  kind: "Systematic";
  name: Ident;
  family?: { index: Ident; from: NumberLit; to: NumberLit };
  /** samples or groups; empty: every sample */
  samples: Ident[];
  weight?: { up: Expr; down?: Expr };
  normalisation?: NumberLit;
  /** One or more `vary TARGET up ... down ...` lines, varied together (one set of copies). */
  vary?: VaryEntry[];
  alternatives?: { up: Ident; down?: Ident };
}
/**
 * `histogram NAME = EXPR`: a histogram computed after the pass from the splits of every histogram
 * output split by sample or group; EXPR combines samples and groups with `+`, `-`, `*` by a number
 * and `/` by a number (the checker keeps it to that).
 */
export interface DerivedHistogramDecl extends Node {
  kind: "DerivedHistogram";
  name: Ident;
  expr: Expr;
}
export interface ObjectDecl extends Node {
  kind: "Object";
  name: Ident;
  expr: Expr;
  /** Read by the parser as for a region, and reported by the checker (HEP4073). */
  weight?: RegionWeight;
}
export interface DefineDecl extends Node {
  kind: "Define";
  name: Ident;
  expr: Expr;
  /** Read by the parser as for a region, and reported by the checker (HEP4073). */
  weight?: RegionWeight;
}
export interface RegionDecl extends Node {
  kind: "Region";
  name: Ident;
  expr: Expr;
  /** `region sr = ... { weight sf }`: a per-event weight applied in this region and the regions built on it. */
  weight?: RegionWeight;
}
/** The `{ weight EXPR }` block after a named expression (the checker accepts it on regions only). */
export interface RegionWeight extends Node {
  kind: "RegionWeight";
  key: Ident;
  expr: Expr;
}
export interface BinsDecl extends Node {
  kind: "Bins";
  name: Ident;
  spec: BinSpec;
}

export type ScalingKind = "normal" | "linear" | "categorical" | "log" | "none" | "manual";
export interface Scaling extends Node {
  kind: "Scaling";
  scaling: ScalingKind;
  /** `normal clip S` */
  clip?: NumberLit;
  /** `linear LOW .. HIGH`, and the optional `clip LOW .. HIGH` of a manual scaling */
  low?: Expr;
  high?: Expr;
  /** Manual (`shift S scale M`): the value becomes (x - S) * M, clipped to LOW .. HIGH when given. */
  shift?: Expr;
  factor?: Expr;
}
export interface FeatureItem extends Node {
  kind: "Feature";
  expr: Expr;
  alias?: Ident;
  scaling?: Scaling;
}
export interface FeaturesDecl extends Node {
  kind: "Features";
  name: Ident;
  items: FeatureItem[];
  /** `per COLLECTION [sorted by KEY] length N [pad P]`: the items are fields of each element, per event a padded sequence. */
  sequence?: SequenceSpec;
}
export interface SequenceSpec extends Node {
  kind: "Sequence";
  collection: Expr;
  key?: Expr;
  length?: NumberLit;
  pad?: Expr;
}

export type OptionValue = NumberLit | Unary | StringLit | BoolLit | NameRef | ListExpr | Missing;
export interface ModelOption extends Node {
  kind: "Option";
  key: Ident;
  value: OptionValue;
}
export interface ModelDecl extends Node {
  kind: "Model";
  name: Ident;
  modelKind: Ident;
  args: Expr[];
  options: ModelOption[];
}

export interface ReweightAxis extends Node {
  kind: "Axis";
  expr: Expr;
  bins: BinSpec;
}
/** `b + bb` in `reweight ... merge b + bb, c + cc`: classes reweighted as one. */
export interface MergeGroup extends Node {
  kind: "MergeGroup";
  classes: Ident[];
}
/** `signal 1` in `class_weights signal 1, background 2.5`. */
export interface ClassWeight extends Node {
  kind: "ClassWeight";
  name: Ident;
  value: NumberLit;
}
export type TrainProp =
  | (Node & { kind: "Property"; key: Ident; prop: "on"; region: Ident })
  | (Node & { kind: "Property"; key: Ident; prop: "folds"; folds: NumberLit; by: Expr })
  | (Node & { kind: "Property"; key: Ident; prop: "balance"; mode: Ident })
  | (Node & { kind: "Property"; key: Ident; prop: "reweight"; mode: Ident; target?: Ident; axes: ReweightAxis[]; merge: MergeGroup[]; maxWeight?: NumberLit })
  | (Node & { kind: "Property"; key: Ident; prop: "validation"; fraction: NumberLit })
  /** `test 0.1` (a number: a seeded fraction) or `test EXPR` (a per-event bool): the held-out test part. */
  | (Node & { kind: "Property"; key: Ident; prop: "test"; value: Expr })
  | (Node & { kind: "Property"; key: Ident; prop: "class_weights"; weights: ClassWeight[] })
  | (Node & { kind: "Property"; key: Ident; prop: "negative_weights"; mode: Ident })
  /** `device gpu`: where the block's models that can use a GPU train. */
  | (Node & { kind: "Property"; key: Ident; prop: "device"; mode: Ident })
  /** Classes of every sample without its own `class` or `classes`, in output order. */
  | (Node & { kind: "Property"; key: Ident; prop: "classes" } & ClassesBody);
export interface TrainDecl extends Node {
  kind: "Train";
  models: Ident[];
  props: TrainProp[];
}

export interface Metric extends Node {
  kind: "Metric";
  name: Ident;
  at?: NumberLit;
  /**
   * `auc A vs B` / `auc vs B`: one class against another (`of` absent: the signal); `vs rest`
   * one-vs-rest, `vs pairs` one-vs-one.
   */
  of?: Ident;
  vs?: Ident;
}
export interface WorkingPoint extends Node {
  kind: "WorkingPoint";
  name: Ident;
  value: NumberLit;
}
export type EvaluateProp =
  | (Node & { kind: "Property"; key: Ident; prop: "in"; region: Ident })
  | (Node & { kind: "Property"; key: Ident; prop: "bins"; axes: ReweightAxis[] })
  | (Node & { kind: "Property"; key: Ident; prop: "metrics"; metrics: Metric[] })
  /** `given MODEL.NAME`: thresholds derived among the events passing another discriminator's working point. */
  | (Node & { kind: "Property"; key: Ident; prop: "working_points"; points: WorkingPoint[]; given?: { model: Ident; point: Ident } })
  | (Node & { kind: "Property"; key: Ident; prop: "reference"; model: Ident });
export interface EvaluateDecl extends Node {
  kind: "Evaluate";
  models: Ident[];
  props: EvaluateProp[];
}

export type OutputItem =
  | (Node & { kind: "Predictions"; path: StringLit; friend: boolean; keys: Ident[] })
  | (Node & {
      kind: "Histogram";
      exprs: Expr[];
      alias?: Ident;
      /** ROOT's title convention: "title;x axis;y axis". */
      title?: StringLit;
      regions: Ident[];
      by?: Ident;
      bins: BinSpec[];
      weighted: boolean;
      path: StringLit;
    })
  /** `histograms [in R] [by S] [weighted] to PATH { ENTRY ... }`: histograms sharing a file and defaults. */
  | (Node & { kind: "HistogramBlock"; regions: Ident[]; by?: Ident; weighted: boolean; path: StringLit; entries: HistogramEntry[] })
  /** `cutflow [in R1, R2 | steps R] to PATH`: `steps` lists the cumulative `and` terms of one region. */
  | (Node & { kind: "Cutflow"; regions: Ident[]; steps?: Ident; path: StringLit; /** `with systematics`: the counts in every variation too */ systematics?: Ident })
  | (Node & { kind: "Report"; path: StringLit })
  /** `dataset [MODEL] "out/train.arrow"`: a train block's training data as Arrow IPC; the model may be left out when one train block exists. */
  | (Node & { kind: "Dataset"; model?: Ident; path: StringLit })
  /** `onnx MODEL "out/model.onnx"`: a trained model exported as ONNX. */
  | (Node & { kind: "Onnx"; model: Ident; path: StringLit })
  /** `ntuple "out/sr.root" [in REGION, ...] keep COLUMN, ...`: a skim of the selected events, a tree (or table) per sample. */
  | (Node & { kind: "Ntuple"; path: StringLit; regions: Ident[]; keep: KeepColumn[] })
  /** `datacard|workspace PATH for OBSERVABLE, ... in REGION, ...`: a fit's input, one channel per observable and region. */
  /** `datacard|workspace PATH for OBS, ... in REGION, ...[, OBS, ... in REGION, ...]`: the first group, then `more`. */
  | (Node & { kind: "FitOutput"; format: "datacard" | "workspace"; path: StringLit; observables: Ident[]; regions: Ident[]; more?: ChannelGroup[] });

/** Observables fitted in regions: one channel per observable and region. */
export interface ChannelGroup {
  observables: Ident[];
  regions: Ident[];
}
/** A column of an ntuple: an expression (a number, condition or list of them) and its name when given with `as`. */
export interface KeepColumn extends Node {
  kind: "Keep";
  expr: Expr;
  alias?: Ident;
}
/** One histogram of a `histograms` block: a `histogram` item without its file; its `in`/`by` replace the block's. */
export interface HistogramEntry extends Node {
  kind: "HistogramEntry";
  exprs: Expr[];
  alias?: Ident;
  title?: StringLit;
  regions: Ident[];
  by?: Ident;
  bins: BinSpec[];
  weighted: boolean;
}
export interface OutputDecl extends Node {
  kind: "Output";
  items: OutputItem[];
  /** `output ITEM` written without braces (one item). */
  inline?: boolean;
}

/**
 * `param year = "2018"`: a named value of the analysis (a string, number, bool or list of them),
 * used as `${year}` in strings and as a constant in expressions, overridable from the command line
 * (`--set year=2017`). The checker takes the value's type from the literal.
 */
export interface ParamDecl extends Node {
  kind: "Param";
  name: Ident;
  value: Expr;
}

/** A top-level declaration the parser could not read; its name (when seen) is kept so uses elsewhere stay quiet. */
export interface BrokenDecl extends Node {
  kind: "Broken";
  keyword?: string;
  name?: Ident;
}

export interface Comment {
  span: Span;
  text: string;
}

export interface FileAst {
  decls: Decl[];
  comments: Comment[];
  /** Number of node ids used, for side tables sized by id. */
  nodeCount: number;
}
