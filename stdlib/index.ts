/**
 * The standard library, declared once. In: nothing. Out: the table of functions and builtins.
 * Imports nothing from compiler/, runtime/ or lsp/: they all read this table.
 */
import { collections } from "./collections.js";
import { constructors } from "./constructors.js";
import { kinematics } from "./kinematics.js";
import { math } from "./math.js";
import { reductions } from "./reductions.js";
import type { StdFunction } from "./types.js";

export * from "./types.js";

export const FUNCTIONS: readonly StdFunction[] = [...kinematics, ...math, ...reductions, ...collections, ...constructors];

export const FUNCTION_BY_NAME: ReadonlyMap<string, StdFunction> = new Map(FUNCTIONS.map((f) => [f.name, f]));

export interface Builtin {
  name: string;
  type: "int" | "float";
  summary: string;
}

/** Per-event values every tree has, whatever its branches. */
export const BUILTINS: readonly Builtin[] = [
  {
    name: "entry",
    type: "int",
    summary: "The entry number of the event in its sample (0-based, counted across the sample's files in order). Folds for files without an event number: `folds 5 by entry % 5`.",
  },
];
export const BUILTIN_BY_NAME: ReadonlyMap<string, Builtin> = new Map(BUILTINS.map((b) => [b.name, b]));

/** Model kinds and their typed options, read by the checker, the LSP's completion and the docs. */
export interface ModelOptionSpec {
  name: string;
  type: "int" | "float" | "bool" | "string" | "name" | "list<int>" | "list<float>" | "list<name>";
  default?: unknown;
  /** For numbers (and the items of a list<float>): inclusive bounds. For names: the allowed values. */
  min?: number;
  max?: number;
  values?: string[];
  summary: string;
}
export interface ModelKind {
  name: string;
  summary: string;
  /** What goes between the parentheses. */
  argument: "features" | "onnx-path" | "expression";
  trainable: boolean;
  options: ModelOptionSpec[];
}

export const MODEL_KINDS: readonly ModelKind[] = [
  {
    name: "gbdt",
    summary: "Gradient-boosted decision trees: hepc's own histogram boosting (binary logistic loss; softmax for more than two classes), weighted, negative weights included.",
    argument: "features",
    trainable: true,
    options: [
      { name: "trees", type: "int", default: 200, min: 1, max: 100000, summary: "Number of boosting rounds (one tree per round, one per class and round for multiclass)." },
      { name: "depth", type: "int", default: 6, min: 1, max: 32, summary: "Maximum depth of each tree (grown depth-wise)." },
      { name: "learning_rate", type: "float", default: 0.1, min: 0, max: 1, summary: "Shrinkage applied to each tree." },
      { name: "min_child_weight", type: "float", default: 1, min: 0, summary: "Minimum sum of hessians in each child of a split; also guards leaf values when negative weights make hessian sums small or negative." },
      { name: "lambda", type: "float", default: 1, min: 0, summary: "L2 regularisation of leaf values (XGBoost's lambda)." },
      { name: "l2", type: "float", min: 0, summary: "The older name of `lambda`; when given it is used instead of `lambda`." },
      { name: "gamma", type: "float", default: 0, min: 0, summary: "Minimum gain of a split (XGBoost's gamma, min_split_loss)." },
      { name: "subsample", type: "float", default: 1, min: 0, max: 1, summary: "Fraction of training events drawn for each tree (seeded)." },
      { name: "colsample", type: "float", default: 1, min: 0, max: 1, summary: "Fraction of features drawn for each tree (seeded)." },
      { name: "bins", type: "int", default: 255, min: 2, max: 255, summary: "Value bins per feature, cut at weighted quantiles of the training events; missing values have a bin of their own." },
      { name: "early_stopping", type: "int", default: 0, min: 0, summary: "Stop when the validation loss has not improved for this many rounds and keep the best round (0: never)." },
    ],
  },
  {
    name: "mlp",
    summary: "A fully connected neural network (sigmoid output for two classes, softmax for more), trained with weighted cross-entropy.",
    argument: "features",
    trainable: true,
    options: [
      { name: "layers", type: "list<int>", default: [64, 64], summary: "Widths of the hidden layers, input side first." },
      { name: "activation", type: "name", default: "relu", values: ["relu", "tanh", "elu", "selu", "sigmoid"], summary: "Activation of the hidden layers." },
      { name: "epochs", type: "int", default: 20, min: 1, max: 100000, summary: "Passes over the training set (fewer when early stopping ends training)." },
      { name: "batch", type: "int", default: 1024, min: 1, max: 16777216, summary: "Mini-batch size." },
      { name: "optimiser", type: "name", default: "adam", values: ["adam", "sgd"], summary: "Adam, or stochastic gradient descent with momentum (both as PyTorch defines them)." },
      { name: "learning_rate", type: "float", default: 0.001, min: 0, max: 10, summary: "The optimiser's step size at the first epoch." },
      { name: "schedule", type: "name", default: "constant", values: ["constant", "exponential", "cosine"], summary: "How the step size changes per epoch: constant; exponential (× decay each epoch); cosine (down to 1% of it at the last epoch)." },
      { name: "decay", type: "float", default: 0.95, min: 0, max: 1, summary: "The exponential schedule's factor per epoch." },
      { name: "momentum", type: "float", default: 0.9, min: 0, max: 1, summary: "Momentum of the sgd optimiser." },
      { name: "l2", type: "float", default: 0, min: 0, max: 1000000, summary: "L2 penalty: adds l2/2 × the sum of squared kernel weights (not biases) to the loss." },
      { name: "dropout", type: "float", default: 0, min: 0, max: 0.9, summary: "Fraction of each hidden layer's outputs dropped in training." },
      { name: "batch_norm", type: "bool", default: false, summary: "Batch normalisation after each hidden layer's product, before its activation." },
      { name: "patience", type: "int", default: 5, min: 0, max: 100000, summary: "Early stopping: epochs without a lower validation loss before training stops (0: never stop early). The weights of the best epoch are kept." },
    ],
  },
  {
    name: "cut_and_count",
    summary: "Rectangular cuts on the features (TMVA's MethodCuts idea): per target signal efficiency, the box of lower and upper cuts with the best background rejection (or significance), optionally nested. The score is the fraction of boxes an event passes; the cuts are written to the model's JSON in the features' own units.",
    argument: "features",
    trainable: true,
    options: [
      { name: "steps", type: "int", default: 20, min: 2, max: 1000, summary: "Thresholds scanned per feature: cuts are tried at this many weighted quantiles of the signal and as many of the background (fewer where values repeat)." },
      { name: "efficiencies", type: "list<float>", default: [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1], min: 0.001, max: 1, summary: "Target signal efficiencies, one box each (order and repeats do not matter)." },
      { name: "optimise", type: "name", default: "rejection", values: ["rejection", "significance"], summary: "rejection: per target, the box keeping at least the target's signal fraction with the least background. significance: the box of highest s/√(s+b) (training weights) among those keeping at least the target." },
      { name: "tolerance", type: "float", default: 0.05, min: 0, max: 1, summary: "rejection: how far above its target a box's training signal efficiency may end before the target counts as not reached (HEP6070)." },
      { name: "nested", type: "bool", default: false, summary: "true: every box lies inside the box of every looser target, so a threshold on the score selects one box exactly; the boxes are then the best among nested ones, which can cost much rejection. false: each target's best box on its own." },
      { name: "signal", type: "name", summary: "The signal class (default: the class named `signal`, else the class with label 1)." },
    ],
  },
  {
    name: "onnx",
    summary: "An imported ONNX model, evaluated with onnxruntime.",
    argument: "onnx-path",
    trainable: false,
    options: [
      { name: "inputs", type: "list<name>", summary: "What the model is fed, in order: features lists (their features' values, unscaled) and defines. With one model input every value goes into it, along its second axis; with several model inputs, one item per model input." },
      { name: "output", type: "string", summary: "The model output to read (default: the first)." },
      { name: "column", type: "int", min: 0, max: 1000000, summary: "The output's column that is the score (default: 1 of a two-column output, the probability of the class numbered 1; else 0)." },
      { name: "classes", type: "list<name>", summary: "Names of the output's columns, one class each (multiclass): the scores are MODEL.CLASS, and an evaluation labels samples by these names." },
      { name: "threads", type: "int", default: 1, min: 1, max: 1024, summary: "onnxruntime's intra-op threads (CPU execution provider)." },
    ],
  },
  {
    name: "score",
    summary: "An existing discriminant evaluated like a model: `score(EXPR)` is the per-event number EXPR (e.g. a tagger's output branches combined, `node_tau / (node_tau + node_e)`), a binary score high for the signal class. Nothing is trained; it can be evaluated, given working points, used as a reference and written with the predictions.",
    argument: "expression",
    trainable: false,
    options: [
      { name: "signal", type: "name", summary: "The signal class (default: the class named `signal`, else the class last by name)." },
      { name: "background", type: "list<name>", summary: "The background classes, e.g. [electron] (default: every class but the signal). Events of other classes are left out of its evaluation." },
    ],
  },
];
export const MODEL_KIND_BY_NAME: ReadonlyMap<string, ModelKind> = new Map(MODEL_KINDS.map((m) => [m.name, m]));

export const SCALINGS = ["normal", "linear", "categorical", "log", "none"] as const;
export const METRICS = ["auc", "roc", "pr", "confusion", "significance", "rejection", "efficiency"] as const;
export const BALANCE_MODES = ["classes", "none"] as const;
export const REWEIGHT_MODES = ["flat", "to"] as const;
export const HISTOGRAM_SPLITS = ["sample", "class", "group"] as const;
