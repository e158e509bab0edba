/**
 * The one table of diagnostics. Codes are stable (tools and users grep for them) and grouped by
 * phase: 1xxx syntax, 2xxx names and inputs, 3xxx types, 4xxx analysis semantics, 5xxx plan,
 * 6xxx runtime. A message template is kept apart from its arguments (`{name}` placeholders) so the
 * LSP, the CLI and docs/diagnostics.md render the same words.
 */
import type { Span } from "./source.js";

export type Severity = "error" | "warning" | "info";

export interface DiagnosticDef {
  readonly severity: Severity;
  /** One line with `{placeholders}`. */
  readonly message: string;
  /** A sentence or two for docs/diagnostics.md: when it fires and how to fix it. */
  readonly explanation: string;
}

export const DIAGNOSTICS = {
  // ---- 1xxx syntax -------------------------------------------------------------------------
  HEP1001: { severity: "error", message: "unexpected character '{char}'", explanation: "The lexer met a character that starts no token of the language." },
  HEP1002: { severity: "error", message: "unterminated string", explanation: "A string literal has no closing double quote before the end of the line." },
  HEP1003: { severity: "error", message: "expected {expected} but found {found}", explanation: "The parser expected another token here. Only the first syntax error of a declaration is reported, and the checker says nothing else about that declaration except about the files it names (HEP2005, HEP2017, ...); the rest of the file is checked in full." },
  HEP1004: { severity: "error", message: "'{open}' is never closed", explanation: "A bracket or brace opened here has no matching closing one." },
  HEP1005: { severity: "error", message: "unmatched '{close}'", explanation: "A closing bracket or brace has no opening one." },
  HEP1006: { severity: "error", message: "the file is empty", explanation: "An analysis file must declare at least an analysis header or one declaration." },
  HEP1007: { severity: "error", message: "the file is not valid UTF-8 text", explanation: "The file contains bytes that are not UTF-8; .hep files are UTF-8 text." },
  HEP1008: { severity: "error", message: "invalid number '{text}'", explanation: "A number literal could not be read." },
  HEP1010: { severity: "error", message: "the analysis nests too deeply for hepc to check ({what})", explanation: "Expressions nested hundreds of levels deep (parentheses, calls, chains of defines) exceed what hepc checks. Split the expression into defines." },
  HEP1009: { severity: "error", message: "unknown unit '{unit}'", explanation: "Units written after numbers must be one of GeV, MeV, TeV, pb, fb, nb, /pb, /fb, /nb." },

  // ---- 2xxx names and inputs -----------------------------------------------------------------
  HEP2001: { severity: "error", message: "unknown name '{name}'", explanation: "The name is not a declaration, a branch of the samples' trees, a collection, a field in scope or a builtin. It gets this code however it is spelt (`npfcands`, `jet_pt`); the suggestion is the nearest of all those names. Inside `where` a name nearest a field of the element is HEP2013 instead." },
  HEP2002: { severity: "error", message: "'{name}' is declared twice", explanation: "Every declaration name is unique across the analysis and its includes." },
  HEP2003: { severity: "warning", message: "{kind} '{name}' is never used", explanation: "The declaration does not reach any region, feature, model, evaluation or output. Remove it or use it." },
  HEP2070: { severity: "warning", message: "{kind} '{name}' is not used by any output, only through {chain}, which nothing uses", explanation: "The declaration is used, but only by declarations that themselves reach no region, model or output: the chain ends in one that nothing uses. Use that one or remove the chain." },
  HEP2004: { severity: "error", message: "branch '{name}' is not in tree '{tree}' of {file}", explanation: "A branch that the first sample's tree has is missing from another sample's tree: every sample must have the branches the analysis uses. The suggestion comes from that file's own branch list. (A name no tree has is HEP2001.)" },
  HEP2071: { severity: "error", message: "'{name}' in 'for' of systematic '{systematic}' is not a sample or a group", explanation: "A systematic's `for` names the samples (or groups of samples) it varies." },
  HEP2005: { severity: "error", message: "cannot read input file '{file}': {reason}", explanation: "A declared input file does not exist or cannot be opened." },
  HEP2006: { severity: "error", message: "no file matches '{pattern}'", explanation: "A glob in a sample's file list matched no file." },
  HEP2007: { severity: "error", message: "'{file}' is not a ROOT file: {reason}", explanation: "The input file exists but could not be read as a ROOT file." },
  HEP2008: { severity: "error", message: "tree '{tree}' is not in {file}", explanation: "The sample's tree name is not among the file's objects." },
  HEP2009: { severity: "error", message: "cannot include '{path}': {reason}", explanation: "An included file could not be read." },
  HEP2019: { severity: "error", message: "cannot read the analysis file '{path}': {reason}", explanation: "The .hep file given on the command line does not exist or cannot be read." },
  HEP2010: { severity: "error", message: "include cycle: {cycle}", explanation: "Files include each other in a loop." },
  HEP2011: { severity: "error", message: "include paths must be relative: '{path}'", explanation: "Includes are hermetic: a relative path inside the analysis folder tree, no absolute paths or URLs." },
  HEP2012: { severity: "error", message: "'{name}' is a {actual}, not a {expected}", explanation: "The name refers to a declaration of another kind than this place needs." },
  HEP2013: { severity: "error", message: "'{name}' has no field '{field}'", explanation: "The record or collection has no such field, in `x.field` or as a bare name inside `where` (the element's fields are suggested in both). Fields come from branches named PREFIX_field and from derived kinematics." },
  HEP2014: { severity: "error", message: "unknown function '{name}'", explanation: "The name is not a function of the standard library." },
  HEP2015: { severity: "error", message: "no collection '{name}' in the samples: no branches start with '{name}_'", explanation: "An object is built from a branch prefix; the samples have no branch with that prefix." },
  HEP2016: { severity: "error", message: "branch '{name}' of {file} has type {type}, which hepc cannot read", explanation: "The branch's type is not one the reader supports (see docs/io.md)." },
  HEP2017: { severity: "error", message: "input files must not be absolute or remote: '{path}'", explanation: "Sample file paths are relative to the analysis file, so an analysis moves with its folder." },
  HEP2018: { severity: "error", message: "branch '{name}' has type {type} in {file} but {otherType} in {otherFile}", explanation: "A branch used by the analysis has different types in different samples." },
  HEP2030: { severity: "error", message: "cannot read the ONNX model '{file}': {reason}", explanation: "The file named in onnx(...) does not exist or cannot be read. Its path is relative to the .hep file that names it." },
  HEP2031: { severity: "error", message: "'{file}' is not an ONNX model: {reason}", explanation: "The file named in onnx(...) does not start like an ONNX model (a protobuf ModelProto: ir_version, opset_import, graph). `hepc check` reads only its first bytes; the model is loaded when the analysis runs. Export the model to ONNX (torch.onnx.export, tf2onnx, skl2onnx, onnxmltools)." },
  HEP2032: { severity: "error", message: "'{file}' needs {opsets}, which onnxruntime does not run (it runs ai.onnx up to opset {max}, ai.onnx.ml up to {mlMax})", explanation: "The model imports an operator set newer than the onnxruntime-node hepc uses. Export it again with an older opset (torch.onnx.export(..., opset_version=17), tf2onnx --opset 17), or run it with a newer onnxruntime-node." },
  HEP2033: { severity: "error", message: "onnx model '{model}' {detail}", explanation: "The values listed in `inputs` must fit the model's inputs: with one model input, all of them, in order, along its second axis ([batch, values]); with several model inputs, one `inputs` item (a features list or a value) per model input, in the model's order. `hepc check` reads the model's input names, shapes and element types from the file." },
  HEP2034: { severity: "error", message: "onnx model '{model}' {detail}", explanation: "hepc feeds each model input as a float32 or float64 tensor of shape [batch, values] or [batch]. An input of another element type (int64 indices, strings) or of more axes needs a model exported for per-event numbers." },
  HEP2035: { severity: "error", message: "onnx model '{model}' {detail}", explanation: "The score is one column of one output: the output named with `output` (default: the first), of float32 or float64 elements and shape [batch] or [batch, columns]; `column` picks the column (default: 1 of two columns, else 0), `classes` names every column for a multiclass model." },
  HEP2036: { severity: "error", message: "'{file}' cannot be read as an ONNX model: {reason}", explanation: "The file starts like an ONNX model but its graph (inputs, outputs, operator sets) cannot be read: it is truncated or damaged. Export it again." },
  HEP2037: { severity: "error", message: "onnx model '{model}' {detail}", explanation: "A sequence features list is fed as a [batch, features, length] float tensor, or [batch, length, features] when the model's input declares that shape; its mask (1 for an element, 0 for padding) goes to a further model input whose name contains `mask`, shaped [batch, 1, length] or [batch, length]." },

  // ---- 3xxx types ----------------------------------------------------------------------------
  HEP3001: { severity: "error", message: "{what} expects {expected}, got {actual}", explanation: "A value has the wrong type for where it is used." },
  HEP3002: { severity: "error", message: "'{name}' takes {expected} argument(s), got {actual}", explanation: "A standard-library function was called with the wrong number of arguments." },
  HEP3003: { severity: "error", message: "argument {index} of '{name}' expects {expected}, got {actual}", explanation: "An argument has the wrong type. See the function's signature in docs/stdlib.md." },
  HEP3004: { severity: "error", message: "{what} must be a per-event scalar, but '{expr}' is {actual}", explanation: "Features, weights, cuts and histogram variables take one value per event. Reduce a collection with an index (jets[0].pt) or a reduction (sum(jets.pt), count(jets))." },
  HEP3005: { severity: "error", message: "operator '{op}' cannot apply to {left} and {right}", explanation: "The operands' types do not fit the operator." },
  HEP3006: { severity: "error", message: "cannot index {actual}; only collections can be indexed", explanation: "Indexing with [i] picks the i-th element of a collection." },
  HEP3007: { severity: "error", message: "an index must be an int, got {actual}", explanation: "Collection indices are integers." },
  HEP3008: { severity: "error", message: "'{unit}' is a unit of {actual}, but {what} needs {expected}", explanation: "Units are optional; where written they must fit the quantity." },
  HEP3009: { severity: "error", message: "'where' filters a collection; got {actual}", explanation: "The left side of 'where' must be a collection (an object or a branch prefix)." },
  HEP3010: { severity: "error", message: "'this' is only meaningful inside 'where' and per-element arguments", explanation: "'this' refers to the current element of a collection being filtered, sorted or searched." },
  HEP3040: { severity: "warning", message: "the left side of '??' is never missing: '{expr}' {why}", explanation: "`a ?? b` gives `b` where `a` is missing (an index past the end, the min, max or mean of an empty list, ...). When `a` always has a value the fallback is never used: drop `?? b`, or check that `a` is the value meant." },
  HEP3041: { severity: "error", message: "'{op}' needs {expected}, got {actual}", explanation: "`x in [a, b, ...]` tests a per-event number (or each number of a list) against a set of per-event numbers; `??` replaces a missing number by another number. Other types do not fit." },
  HEP3042: { severity: "warning", message: "'{expr}' tests membership in an empty set: it is always {value}", explanation: "`x in []` is never true and `x not in []` is true wherever `x` has a value. List the values, or drop the test." },
  HEP3051: { severity: "error", message: "'{name}' inside a per-element expression draws one number per element of a collection, but the element here is {actual}", explanation: "Random numbers in a `where` condition or a per-element argument are keyed by the element's position in its collection (its `index`). Draw them over the collection's objects (`Jet where pt * gauss(1, 0.05) > 30`), not over a list of numbers or of pairs." },
  HEP4090: { severity: "error", message: "the normalisation of systematic '{name}' must be a positive factor, got {value}", explanation: "`normalisation K` scales the histograms by K (up) and 1/K (down), as combine's lnN: K is a number above 0, e.g. 1.03 for 3%." },
  HEP4091: { severity: "warning", message: "systematic '{name}' changes nothing", explanation: "Its weights are 1, its normalisation is 1, its varied input reaches no histogram, or the analysis has no histogram to vary: no `_Up`/`_Down` copy would differ from the nominal." },
  HEP4092: { severity: "error", message: "systematic '{name}' is declared twice", explanation: "Each systematic has one name: the suffix of its histograms' copies." },
  HEP3050: { severity: "error", message: "'{name}' takes the size of its candidates as a number written in the call, from 2 to {max}; got '{actual}'", explanation: "The number of elements of each candidate of combinations(a, k) and permutations(a, k) fixes the candidates' fields (first, second, third, …), so it is written as a number: `combinations(jets, 3)`." },

  // ---- 4xxx analysis semantics -----------------------------------------------------------------
  HEP4001: { severity: "error", message: "define cycle: {cycle}", explanation: "Defines, objects and regions may not depend on themselves." },
  HEP4002: { severity: "error", message: "sample '{name}' has no {property}", explanation: "Every sample declares at least its files and tree." },
  HEP4003: { severity: "error", message: "{block} has no property '{property}'", explanation: "The property is not known in this block. See docs/language.md." },
  HEP4004: { severity: "error", message: "'{property}' is given twice in {block}", explanation: "Each property of a block is given at most once." },
  HEP4005: { severity: "error", message: "model '{model}' has no option '{option}'", explanation: "The option is not among the model kind's options (see docs/language.md#models)." },
  HEP4006: { severity: "error", message: "option '{option}' of model '{model}' expects {expected}, got {actual}", explanation: "Model options are typed." },
  HEP4007: { severity: "error", message: "unknown model kind '{kind}'", explanation: "Model kinds are gbdt, mlp, cut_and_count and onnx." },
  HEP4008: { severity: "error", message: "folds must be at least 2, got {folds}", explanation: "N-fold training needs N ≥ 2 so each event is scored by a model that did not see it." },
  HEP4009: { severity: "error", message: "'{expr}' cannot partition events into {folds} folds: {reason}", explanation: "The fold expression must be an integer per event, typically `entry % N` or `event % N`." },
  HEP4010: { severity: "error", message: "working point '{name}' is {value}, outside (0, 1)", explanation: "Working points are target signal efficiencies strictly between 0 and 1." },
  HEP4011: { severity: "error", message: "bin edges must increase strictly: {edges}", explanation: "Variable bin edges are listed in increasing order." },
  HEP4012: { severity: "error", message: "a uniform binning needs at least one bin and low < high", explanation: "Write `bins N low .. high` with N ≥ 1 and low < high." },
  HEP4013: { severity: "error", message: "a training needs events of at least two classes; {found}", explanation: "Signal-versus-background training uses samples of at least two classes." },
  HEP4014: { severity: "error", message: "model '{model}' is not trained by any train block", explanation: "Models other than onnx and cut_and_count must be trained before they are evaluated." },
  HEP4015: { severity: "error", message: "the analysis header is missing", explanation: "Every analysis starts with `analysis NAME { ... }`." },
  HEP4016: { severity: "error", message: "the analysis header is given twice", explanation: "Only one `analysis` block per analysis (including its includes)." },
  HEP4017: { severity: "error", message: "onnx model '{model}' needs an 'inputs' list: the values fed to the model, in its input order", explanation: "An imported model reads per-event numbers; list them (defines or feature expressions) with `inputs [a, b, c]`." },
  HEP4018: { severity: "error", message: "the cross section needs the luminosity: set `lumi` in the analysis header", explanation: "A sample with `xsec` is normalised as xsec × lumi / sum of generated weights." },
  HEP4019: { severity: "error", message: "feature '{name}' is listed twice in '{features}'", explanation: "Feature names are unique within a feature list." },
  HEP4020: { severity: "error", message: "scaling '{scaling}' {reason}", explanation: "Scaling parameters: `normal [clip S]` with S > 0, `linear LOW .. HIGH` with LOW < HIGH, `shift S scale M [clip LOW .. HIGH]` with M ≠ 0 and LOW < HIGH." },
  HEP4021: { severity: "warning", message: "'{name}' is a {kind} of a sample with class '{klass}' only; a training needs both classes", explanation: "Check the samples' classes." },
  HEP4022: { severity: "error", message: "model '{model}' is trained twice", explanation: "Each model appears in at most one train block." },
  HEP4023: { severity: "error", message: "{what} must be positive, got {value}", explanation: "A sum of weights, a cross section or a luminosity is a positive number." },
  HEP4024: { severity: "error", message: "output '{path}' is written twice", explanation: "Two outputs would overwrite the same file." },
  HEP4025: { severity: "error", message: "output paths must be relative and stay inside the analysis folder: '{path}'", explanation: "Outputs are written below the run directory." },
  HEP4026: { severity: "error", message: "unknown {what} '{name}'", explanation: "The word is not one of the allowed values listed in docs/language.md." },
  HEP4027: { severity: "error", message: "model '{model}' is a {kind} model and is not trained", explanation: "Imported ONNX models and score models (an existing discriminant) are evaluated as they are; only gbdt, mlp and cut_and_count models are trained." },
  HEP4028: { severity: "error", message: "{what} needs {expected} binning(s), one per variable; got {actual}", explanation: "A 1D histogram takes one binning, a 2D histogram two." },
  HEP4030: { severity: "error", message: "a binning of {count} bins is more than hepc fills ({max} per axis)", explanation: "Histograms and reweighting binnings have at most a million bins per axis." },
  HEP4029: { severity: "error", message: "the validation fraction must be in (0, 1), got {value}", explanation: "The fraction of training events held out to monitor training." },
  HEP4040: { severity: "error", message: "'{name}' is not a class of the samples{classes}", explanation: "Class weights and merged reweighting classes name classes that samples declare with `class`." },
  HEP4041: { severity: "error", message: "class '{name}' is named twice in {what}", explanation: "A class has one weight, and belongs to at most one merged reweighting group." },
  HEP4042: { severity: "error", message: "{what} must be a positive number, got {value}", explanation: "Class weights and the largest reweighting weight multiply event weights: zero or a negative value would remove a class or flip its sign." },
  HEP4043: { severity: "error", message: "the test fraction must be in (0, 1), got {value}", explanation: "`test F` holds out a seeded fraction F of every sample's events for the final measurement, apart from training and validation." },
  HEP4044: { severity: "error", message: "'{expr}' is {actual}: the test part is a fraction (e.g. `test 0.1`) or a per-event condition (e.g. `test event % 10 == 0`)", explanation: "A plain number is a seeded fraction of the events; an expression must be a bool per event, true for the held-out events." },
  HEP4060: { severity: "error", message: "'{property}' cannot be a sample default: each sample names its own", explanation: "`defaults { ... }` holds the properties samples share (tree, class, weight, where, xsec, sumw, title); the files are what makes a sample, so each sample lists its own." },
  HEP4061: { severity: "error", message: "'{value}' is not {what}", explanation: "The analysis header's metadata is written into the outputs as given, so it is checked: a DOI starts with `10.` and has a `/` (`10.1103/PhysRevD.108.032004`); an arXiv identifier is `YYMM.NNNNN` (optionally `vN`) or the old `archive/YYMMNNN` (`hep-ex/0101001`); the experiment is not empty." },
  HEP4045: { severity: "warning", message: "merging '{group}' has one class; a merged group takes two or more", explanation: "`merge b + bb` reweights the classes b and bb as one; a group of one class changes nothing." },

  // ---- 4050-4059 training outputs and model scores -----------------------------------------------
  HEP4050: { severity: "error", message: "name the model whose training data to write (`dataset MODEL \"...\"`): {reason}", explanation: "`output { dataset \"out/train.arrow\" }` writes the training data of the analysis' one trained model. With several trained models (or none), write the model's name: `dataset bdt \"out/train.arrow\"`." },
  HEP4051: { severity: "error", message: "model '{model}' is not trained: no train block names it", explanation: "Writing a model's training data (`dataset`) or exporting it (`onnx`) needs a `train` block that trains it." },
  HEP4052: { severity: "error", message: "model '{model}' is an imported onnx model: only trained models are exported", explanation: "`output { onnx MODEL \"...\" }` exports a model hepc trains (gbdt, mlp). An onnx model is read from its file already." },
  HEP4053: { severity: "error", message: "model '{model}' has {count} classes ({classes}): use the score of one class", explanation: "A multiclass model gives one score per class: write `MODEL.CLASS` (e.g. `bdt.signal`) where a number is expected." },
  HEP4054: { severity: "error", message: "'{name}' is not a class of model '{model}' ({classes})", explanation: "`MODEL.CLASS` is the score of one class of a multiclass model; the classes are those the samples declare with `class`." },
  HEP4055: { severity: "error", message: "model '{model}' has two classes and one score: write '{model}', not '{model}.{name}'", explanation: "A binary model gives one score per event (high for the class that sorts last: `signal`, else the last by name). `MODEL.CLASS` is for multiclass models." },
  HEP4056: { severity: "error", message: "the score of model '{model}' is used in its own inputs: {cycle}", explanation: "A model's score cannot feed its own features, training region, folds, test part or reweighting variables, nor the samples' weights and selections (every training reads them), directly or through defines, regions and other models: it exists only once the model is trained. Use another model's score, or remove the dependency." },
  HEP4057: { severity: "error", message: "model '{model}' is not trained, so it has no score: add it to a train block", explanation: "A model's name is its score per event only once it is trained (a `train` block names it) or imported (`onnx(\"...\")`)." },
  HEP4075: { severity: "error", message: "the ntuple has two columns named '{name}'", explanation: "Every column of an ntuple is a branch (or an Arrow column) of its own name, and a jagged column's count branch is named `n` + its collection (`jets.pt` is counted by `njets`). Rename one with `as`." },
  HEP4076: { severity: "error", message: "give the ntuple column `{expr}` a name: `{expr} as NAME`", explanation: "A kept column is named after its expression only when that is a name or a field path (`mu_pt`, `jets.pt` → `jets_pt`); any other expression needs `as NAME`." },
  HEP4077: { severity: "error", message: "ntuple column '{name}' is {type}: an ntuple keeps numbers, conditions and lists of them", explanation: "Branches hold numbers. Keep the fields of a collection or record one by one: `jets.pt, jets.eta`, `mutau.mass`." },
  HEP4078: { severity: "error", message: "cannot tell the ntuple's format from '{path}': end it in {formats}", explanation: "`.root` writes a TTree per sample; `.arrow` and `.feather` one Arrow IPC table with a `sample` column; `.parquet` the same table as Parquet." },

  // ---- 4093-4099 fit-ready outputs (datacard, workspace) ---------------------------------------
  HEP4093: { severity: "error", message: "'{name}' is not a histogram of this analysis{known}", explanation: "`datacard` and `workspace` take their channels from histograms the output block declares (`histogram EXPR as NAME in REGIONS by sample ...`), named by `as` or by their expression." },
  HEP4094: { severity: "error", message: "histogram '{name}' is not filled in region '{region}'{filled}", explanation: "A channel is an observable in a region: the histogram must list the region in its `in` clause." },
  HEP4095: { severity: "error", message: "histogram '{name}' {reason}: a {format} needs a 1D histogram split `by sample` or `by group`", explanation: "A fit's processes are the histogram's splits (samples or groups), each a 1D template over the observable." },
  HEP4096: { severity: "error", message: "{count} histograms are named '{name}': name the one for the {format} uniquely with `as`", explanation: "A channel is found by its histogram's name; two histograms of one name in different files leave it ambiguous." },
  HEP4097: { severity: "error", message: "the {format} has no signal process: no sample has `class signal`", explanation: "A fit measures the signal strength `mu` of the processes made of `class signal` samples (index ≤ 0 in a datacard, the normfactor in a workspace)." },
  HEP4098: { severity: "warning", message: "{what} can be missing: '{part}' has no value for some events, and a missing weight stops the run", explanation: "An index past the end of a list (`jets[0]` of an event without jets) and `first`, `last`, `best`, `mean`, `min` or `max` of an empty list have no value. As a weight that stops the run at the first such event (HEP6003). Give the weight a value there with `??` (the fix-it writes `?? 1`), or ignore the warning when the selection already keeps those events out (e.g. `count(jets) >= 1`)." },
  HEP4110: { severity: "error", message: "'vary' takes a branch or a collection's field (such as 'Jet.pt' or 'MET_pt'), not {actual}", explanation: "A shape variation replaces one input the file holds: a flat branch, or a field of a collection (each element's value). Derived values (defines, objects) change with it; name the input they are computed from." },
  HEP4111: { severity: "error", message: "systematic '{name}' varies '{target}', which is {actual}: only numbers can be varied", explanation: "A shape variation gives an input new numbers (`vary Jet.pt up 1.03 * Jet.pt`). Conditions and lists cannot be varied; vary the numbers they are computed from." },
  HEP4112: { severity: "error", message: "systematic '{name}' has alternative samples: name the one sample they replace with 'for'", explanation: "`samples up A down B` replaces one nominal sample by others (e.g. a ttbar sample with a different generator setting): write `systematic NAME for SAMPLE { samples up A down B }` with exactly one sample (not a group)." },
  HEP4113: { severity: "error", message: "systematic '{systematic}' names '{name}' as an alternative sample, but {problem}", explanation: "The alternatives of a sample are samples declared like any other (their files, tree, weight), used only as the Up and Down variations of the sample `for` names." },
  HEP4114: { severity: "error", message: "a family's range must be whole numbers from low to high, not {from} .. {to}", explanation: "`systematic NAME[i in A .. B]` declares one member per integer i from A to B (both included), named NAME_A … NAME_B." },
  HEP4115: { severity: "error", message: "systematic '{name}' varies '{target}', which the features of model '{model}' read, and its scores are histogrammed ({histogram}): scores are not recomputed under shape variations yet", explanation: "A shape variation recomputes everything that depends on the varied input in the same pass, except models' scores: their features would have to be varied and the model re-run. Restrict the systematic with `for`, or histogram something else, until this is supported." },

  // ---- 4080-4089 working points as values, derived working points --------------------------
  HEP4080: { severity: "error", message: "model '{model}' has no working point '{name}'{points}", explanation: "`MODEL.NAME` of a binary (or score, or imported) model is the score threshold of its working point NAME, derived at run time by an `evaluate` block of the model (`working_points { NAME 0.9 }`). Declare the working point there, or use one of the names it lists." },
  HEP4081: { severity: "error", message: "working point '{name}' of model '{model}' is derived by {count} evaluate blocks (lines {lines})", explanation: "Each evaluate block derives its own thresholds from its own events, so `MODEL.NAME` must name a working point declared by exactly one of them. Rename one of the working points." },
  HEP4082: { severity: "error", message: "working point '{model}.{name}' is used where the events that derive it depend on it: {cycle}", explanation: "A working point's threshold exists only once its evaluate block has run over its region, bins and model, so none of those (nor the samples' weights and selections, nor the model's training) may use it. Derive the threshold in another region, or remove the dependency." },
  HEP4084: { severity: "error", message: "'{metric}' does not compare classes: only auc and roc take 'vs'", explanation: "`auc A vs B`, `auc vs B`, `auc vs rest` and `auc vs pairs` (and the same for `roc`) say which classes a ROC compares. Other metrics are of the model's signal against the rest." },
  HEP4085: { severity: "error", message: "'{pair}' of model '{model}': {reason}", explanation: "`METRIC A vs B` compares class A's score, A as signal, with class B on the events of the two classes; `METRIC vs B` takes A as the signal. A binary model (a score model included) has one score, the signal's, so A must be its signal and B one of its other classes." },
  HEP4086: { severity: "warning", message: "model '{model}' has {count} classes: a plain '{metric}' {meaning}; say which with '{metric} vs rest', '{metric} vs pairs' or '{metric} A vs B'", explanation: "With more than two classes there is no one ROC. A plain `auc` reports the one-vs-rest AUC of every class (sklearn's multi_class='ovr', macro and prevalence-weighted averages) and the one-vs-one AUC of every pair (Hand & Till, multi_class='ovo'); a plain `roc` draws nothing. Name the comparison: `vs rest` (one-vs-rest, a ROC per class), `vs pairs` (one-vs-one, a ROC per ordered pair), `A vs B` (one pair: A's score, A against B on their events)." },
  HEP4083: { severity: "error", message: "working points of model '{model}' cannot be derived given its own working point '{given}'", explanation: "`working_points { ... } given MODEL.NAME` derives thresholds among the events passing another discriminator's working point (TauMLTools' derive_wp), from another evaluate block or another model of this block. A block's own working points are derived together and cannot require each other." },

  // ---- 4100-4109 sequence features (`features pf per pfcands sorted by -pt length 50 pad 0 { ... }`) ----
  HEP4100: { severity: "error", message: "sequence features '{features}' {reason}", explanation: "A sequence features list takes, per event, the elements of a collection sorted by a key, truncated to a fixed length and padded: `features pf per pfcands sorted by -pt length 50 pad 0 { pt, eta }`. The length is a positive whole number (the tensor's size along the sequence axis); the padding a number." },
  HEP4101: { severity: "error", message: "'{collection}' is {actual}: a sequence runs over a collection of objects (e.g. `per jets`)", explanation: "`per` names the objects whose fields make the sequence: a collection of the file (`Jet`), an object (`object jets = Jet where pt > 30`) or such a collection filtered with `where`." },
  HEP4102: { severity: "error", message: "the sort key '{expr}' is {actual}: sort by a number of each element (e.g. `sorted by -pt`)", explanation: "`sorted by KEY` orders each event's elements by increasing KEY (stable: equal keys keep the collection's order, missing keys go last); write `-pt` for decreasing pT." },
  HEP4103: { severity: "error", message: "'{features}' is a sequence features list: {what} takes per-event features, and sequences feed onnx models only for now", explanation: "A sequence (`features NAME per COLL ... length N { ... }`) is a [features, length] tensor per event with a mask, fed to an ONNX model's inputs. hepc's own gbdt and mlp do not take it yet: give them per-event features (e.g. `jets[0].pt`, `count(jets)`)." },
  HEP4104: { severity: "error", message: "the feature '{expr}' of sequence '{features}' is {actual}: a sequence's features are numbers of each element (e.g. `pt`, `abs(eta)`)", explanation: "Inside a sequence list, bare names are fields of the collection's elements; each feature must be one number per element." },

  // ---- 5xxx plan -------------------------------------------------------------------------------
  HEP5001: { severity: "error", message: "the plan does not match its schema: {detail}", explanation: "An internal error: the compiler produced a plan the runtime would not accept. Please report it." },
  HEP5002: { severity: "error", message: "'{file}' does not match the lock file: sha256 {actual}, locked {expected}", explanation: "The input changed since `hepc lock`. Run `hepc lock` again if the change is intended." },
  HEP5003: { severity: "error", message: "cannot read the lock file '{file}': {reason}", explanation: "The lock file beside the analysis is not valid." },

  // ---- 6xxx runtime ----------------------------------------------------------------------------
  HEP6001: { severity: "warning", message: "{what} is not run: {reason}", explanation: "This construct compiles, but this version of the runtime does not execute it. The run does everything that does not depend on it; outputs that need it are not written (a friend tree gets the scores of the models that did run)." },
  HEP6002: { severity: "error", message: "sample '{sample}': cannot read {file}: {reason}", explanation: "An input file could not be read while running (damaged basket, unreadable file). Nothing was written." },
  HEP6003: { severity: "error", message: "sample '{sample}': the weight is {value} at entry {entry} of {file}", explanation: "An event weight must be a finite number. Check the weight expression (a division by zero, a missing value such as an index past the end)." },
  HEP6004: { severity: "error", message: "'{file}' changed since the plan was made ({detail})", explanation: "The plan records each input's size and modification time (or its locked sha256); a run refuses inputs that no longer match. Re-run `hepc plan` (or `hepc lock`)." },
  HEP6005: { severity: "error", message: "the run was interrupted; nothing was written", explanation: "The run stopped on a signal (Ctrl-C). Outputs are written only when a run completes." },
  HEP6006: { severity: "error", message: "cannot write output '{path}': {reason}", explanation: "An output file or the run directory could not be written. Nothing else was changed." },
  HEP6007: { severity: "error", message: "the plan file is not a valid hepc plan: {detail}", explanation: "`hepc run` accepts a .hep analysis or a plan written by `hepc plan --json`." },
  HEP6008: { severity: "error", message: "sample '{sample}': a worker thread stopped while reading {file} ({reason})", explanation: "A thread computing chunks ended abnormally, most often for lack of memory. Nothing was written. Run again with fewer threads (`--threads`) or smaller chunks (`--chunk-size`)." },
  HEP6080: { severity: "error", message: "ntuple column '{column}' has no value for entry {entry} of {file} (sample '{sample}'): an integer column cannot be missing", explanation: "Integer branches have no missing value. Keep the events where the value exists (e.g. `count(jets) >= 1` in the region), or keep a float expression instead, which is NaN where missing." },

  // ---- 6010-6019 training data (runtime/train) ----------------------------------------------------
  HEP6010: { severity: "error", message: "{where} hold {found}: every class needs training events", explanation: "A classifier learns to tell the classes apart, so the training region (and, with folds, the training part of every fold) must hold events of every class the samples declare, with weights that are not all dropped. Check the region (`on`), each sample's `class` and the fold expression. See docs/training.md." },
  HEP6011: { severity: "error", message: "no training events: {reason}", explanation: "The training region selected no events of any sample outside the test part (or every event's weight was dropped). Check the region (`on`), the samples' selections and the test part." },
  HEP6012: { severity: "error", message: "fold {fold} {reason}", explanation: "With `folds N by EXPR`, every fold must hold events (it is scored by a model trained on the others) and the other folds must leave training events for it. Check that EXPR takes every value 0 … N−1 in the training region." },
  HEP6013: { severity: "error", message: "sample '{sample}': the fold expression is {value} at entry {entry}, not an integer in 0 … {last}", explanation: "The fold expression of `folds N by EXPR` must give each training event an integer in 0 … N−1, such as `entry % N` or `event % N`. A missing value (NaN) is not a fold either." },
  HEP6014: { severity: "error", message: "feature '{feature}' is {value} at entry {entry} of sample '{sample}'{more}", explanation: "A feature must be finite or missing (NaN, as an index past the end of a collection gives). An infinity comes from a division by zero or the logarithm of zero; guard the expression (e.g. with a condition or `max`)." },
  HEP6015: { severity: "warning", message: "feature '{feature}' is {what} over the training events", explanation: "A feature that takes one value wherever it is present cannot help a model tell the classes apart; the model is still trained. Check the expression, or drop the feature." },
  HEP6016: { severity: "error", message: "feature '{feature}' is missing (NaN) for every training event", explanation: "No training event has a value for this feature, most often an index past the end of a collection the region does not require (e.g. `jets[1].pt` without two jets). Require the object in the region or drop the feature." },
  HEP6017: { severity: "warning", message: "reweighting bin {bin}: {problem}", explanation: "Reweighting flattens each class (or makes it follow the target's shape) bin by bin. A bin with no events, with events of only one class, or where a class has events but the target has none cannot be reweighted as asked: nothing there is changed, or the events there get weight 0, as the message says. Merge bins (wider edges) or narrow the region. See docs/training.md." },
  HEP6018: { severity: "error", message: "the training data cannot be prepared: {detail}", explanation: "Balancing, reweighting and class weights need each class to have a positive total weight among the training events and event weights that are finite numbers; class weights, merged reweighting groups and the `to` target must name classes (or, for `to`, a sample) of the analysis. The message says which of these failed." },
  HEP6019: { severity: "warning", message: "{count} training events of sample '{sample}' get weight 0 (first at entry {entry}): {reason}", explanation: "These events stay in the dataset but carry no weight in training: a reweighting variable is missing for them, or their reweighting bin has no weight of the target (`to`) or a sum of weights that is not positive. Require the variable in the region, or widen the bins. See docs/training.md." },

  HEP6020: { severity: "error", message: "gbdt: the training data cannot be used: {reason}", explanation: "The booster checks its input before training: at least one training row, a label in the classes for every row, finite weights, the same features in the training and validation parts, and parameters in range. Nothing was written." },
  HEP6021: { severity: "error", message: "gbdt: a training thread stopped ({reason})", explanation: "A worker thread summing histograms ended abnormally, most often for lack of memory. Nothing was written. Run again with fewer threads (`--threads`)." },
  HEP6022: { severity: "error", message: "gbdt: not a valid hepc gbdt model: {reason}", explanation: "A stored gbdt model (in the run's cache or given to hepc) could not be read: it is damaged, or was written by a hepc with another model format. Delete it to retrain." },
  HEP6023: { severity: "error", message: "gbdt: cannot predict: {reason}", explanation: "The feature columns given to a trained gbdt do not match the features it was trained on." },
  HEP6050: { severity: "error", message: "evaluation of {what}: {detail}", explanation: "The scored events handed to the evaluation are inconsistent: arrays of different lengths, a score or weight that is not a finite number, a class index out of range. This is a fault in what produced the scores; nothing is evaluated." },
  HEP6051: { severity: "warning", message: "{what}: {where} has no {missing} events (total weight {total})", explanation: "An evaluation region (or fold, or bin) holds no signal or no background, or their weights sum to zero or less, so curves, AUC and efficiencies are undefined there. They are reported as null with this reason, never as NaN." },
  HEP6052: { severity: "error", message: "working point '{name}': target signal efficiency {target} is outside (0, 1)", explanation: "A working point's target is a signal efficiency strictly between 0 and 1 (0.9 keeps 90% of the signal)." },
  HEP6053: { severity: "warning", message: "working point '{name}': no score threshold reaches signal efficiency {target} in {where}", explanation: "Every threshold keeps either less signal than the target or none is defined (no signal, or a total signal weight of zero or less, as negative weights can give). The working point is reported as null with this reason." },
  HEP6054: { severity: "warning", message: "{what}: {where} has fewer effective events than needed ({detail})", explanation: "The effective number of events (Σw)²/Σw² is zero or the sum of weights is not positive, so a test or an interval that needs it (Kolmogorov–Smirnov, Clopper–Pearson) is reported as null with this reason." },
  HEP6055: { severity: "error", message: "working point '{model}.{name}' has no threshold to use: {reason}", explanation: "An expression reads a working point's threshold, but its evaluation found none (no signal in its region, or no threshold reaches the target). The events that need it cannot be selected; the run stops before writing anything. Change the working point's target or region."},

  // ---- 6060-6069 the mlp (runtime/models/mlp) ----------------------------------------------------
  HEP6060: { severity: "error", message: "mlp: training diverged at epoch {epoch}, batch {batch}: the loss is {loss}", explanation: "The network's loss stopped being a finite number, so its weights are no longer usable; training stopped there and nothing was written. Most often the learning rate is too high for the data: lower `learning_rate`, use a `schedule`, add `batch_norm`, or check that the features are scaled (very large inputs or weights overflow float32)." },
  HEP6061: { severity: "error", message: "mlp: not a valid hepc mlp model: {reason}", explanation: "A stored mlp (in the run's cache or given to hepc) could not be read: it is damaged, or was written by a hepc with another model format. Delete it to retrain." },
  HEP6062: { severity: "error", message: "mlp: cannot predict: {reason}", explanation: "The feature columns given to a trained mlp do not match the features it was trained on." },
  HEP6063: { severity: "error", message: "mlp: the training data cannot be used: {reason}", explanation: "The network checks its input before training: at least one training row and one feature, two classes or more, a label in the classes for every row, training weights that are not all zero, and options in range. Nothing was written." },

  HEP6070: { severity: "error", message: "cut_and_count: no box of cuts reaches signal efficiency {target} on {where}: the closest keeps {reached} (tolerance {tolerance})", explanation: "With `optimise rejection` each target efficiency needs a box whose training signal efficiency lies between the target and the target plus `tolerance`. The efficiencies a box can keep come in steps: few signal events, a few heavy weights, or features with few distinct values make the steps coarse, and a very small target may lie below the smallest one. Choose targets the data can resolve, raise `steps`, or raise `tolerance`. See docs/models.md." },
  HEP6071: { severity: "error", message: "cut_and_count: the training data cannot be used: {detail}", explanation: "Rectangular cuts separate one signal class from one background class: the training needs exactly two classes, the `signal` option must name one of them, both must have a positive total weight on every fold's training part (negative weights may not outweigh the positive ones), and the options must be in range. Nothing was written." },
  HEP6072: { severity: "error", message: "cut_and_count: not a valid hepc cut_and_count model: {reason}", explanation: "A stored cut_and_count model (in the run's cache or given to hepc) could not be read: it is damaged, or was written by a hepc with another model format. Delete it to retrain." },
  HEP6073: { severity: "error", message: "cut_and_count: cannot predict: {reason}", explanation: "The feature columns given to a trained cut_and_count model do not match the features it was trained on." },

  // ---- 6030-6039 imported ONNX models (runtime/models/onnx) --------------------------------------
  HEP6030: { severity: "error", message: "onnx model '{model}' needs the package onnxruntime-node, which is not installed ({reason})", explanation: "onnxruntime-node is an optional dependency of hepc: an install where its download failed (it fetches a CUDA provider on Linux x64) drops it. Install it with `ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node`; everything but ONNX models runs without it." },
  HEP6031: { severity: "error", message: "onnxruntime cannot {what} '{file}': {reason}", explanation: "onnxruntime refused the model or failed while running it (an operator it lacks, a shape it cannot infer). The message is onnxruntime's." },
  HEP6032: { severity: "error", message: "onnx model '{model}' {reason}", explanation: "The model's inputs or outputs do not match the `inputs`, `output`, `column` or `classes` of its declaration, or an output's size differs from what its shape declared. `hepc check` reports the same mismatches before a run." },

  // ---- parameters, classes from expressions, region weights, friend inputs -----------------------
  HEP2050: { severity: "error", message: "unknown parameter '{name}'{where}", explanation: "`${NAME}` in a string and `--set NAME=VALUE` on the command line name a parameter the analysis declares with `param NAME = VALUE`." },
  HEP2051: { severity: "error", message: "friend tree '{tree}' in '{file}' has {entries} entries, but tree '{sampleTree}' in '{sampleFile}' has {sampleEntries}", explanation: "A friend tree joins its sample's tree entry by entry, file by file: each friend file must hold as many entries as the sample's file at the same position. Check that the friend files were made from the same inputs, in the same order." },
  HEP2052: { severity: "error", message: "sample '{name}' has {files} file(s) but its friend '{pattern}' matches {friends}", explanation: "Friend files pair with the sample's files one by one (both sorted by name), so there must be as many of each." },
  HEP2053: { severity: "warning", message: "'{name}' is both a branch of the sample's tree and of its friend tree '{tree}'; the sample's own is used", explanation: "A name is read from the sample's tree first. Rename the friend's branch (or drop it) to read it." },
  HEP4065: { severity: "error", message: "parameter '{name}' takes a string, a number, a bool or a list of one of these", explanation: "A parameter's value is a literal: `param year = \"2018\"`, `param ptmin = 25`, `param blind = true`, `param years = [2017, 2018]`. Its type is the literal's, and `--set` values are read as that type." },
  HEP4066: { severity: "error", message: "--set {name}={value}: parameter '{name}' takes {expected}", explanation: "A value given with `--set` is read as the type of the parameter's declared value: a number parameter takes a number, a bool true or false, a list comma-separated items (`--set years=2017,2018`)." },
  HEP4067: { severity: "error", message: "parameter '{name}' is a list; only `files` expands a list (one pattern per item)", explanation: "`${NAME}` of a list parameter in a `files` pattern gives one pattern per item; titles, trees and output paths take one value." },
  HEP4068: { severity: "error", message: "'${' is not closed with '}'", explanation: "`${NAME}` in a string is a parameter's value; write `$${` for a literal `${`." },
  HEP4069: { severity: "error", message: "parameter '{name}' is a {type}; {use}", explanation: "Number and bool parameters are constants in expressions (`pt > ptmin`); string and list parameters are used in strings as `${NAME}`." },
  HEP4070: { severity: "error", message: "{what}", explanation: "Classes come either from `class NAME` (all events of a sample) or from a `classes { NAME = CONDITION; ... }` block (each event in the first class whose condition holds), in a sample or in the train block; a sample takes one of these. The order of a `classes` block numbers the model's outputs." },
  HEP4071: { severity: "error", message: "class id {id} is given twice in `classes by`", explanation: "`classes by EXPR { b = 0; c = 1 }` maps each integer value of EXPR to one class." },
  HEP4073: { severity: "error", message: "only a region takes a `{ weight ... }` block; {kind} '{name}' does not", explanation: "`region NAME = CONDITION { weight EXPR }` weights the events of the region (and of regions built on it). Objects and defines are values, not selections: weight a sample with its `weight` property." },
  HEP4072: { severity: "warning", message: "events of sample '{sample}' in no class of `classes` are left out of training and evaluation", explanation: "An event takes the first class whose condition holds; an event for which none holds has no label. Add a class for them, or select them away with `where`." },

  // ---- 7001-7049 scale-out (runtime/exec/executors) ----------------------------------------------
  HEP7001: { severity: "error", message: "the {executor} executor needs `{command}`, which is not on PATH{hint}", explanation: "`--executor slurm` submits with sbatch and follows the jobs with squeue (sacct and scontrol where present), and cancels with scancel; `--executor htcondor` submits with condor_submit_dag when it exists and otherwise only writes the DAG. Run on a host where the scheduler's commands are installed (a login node), or use `--executor local`. See docs/scale-out.md." },
  HEP7002: { severity: "error", message: "{scheduler} rejected the submission of stage '{stage}': {message}", explanation: "The scheduler refused the job (an unknown partition or account, a time or memory limit above what the partition allows). The scheduler's own message is shown; change `--partition`, `--account`, `--time` or `--mem` and run again with `--resume`." },
  HEP7003: { severity: "error", message: "task {task} was killed by {scheduler}: {reason}", explanation: "The scheduler ended the task: it ran past its time limit, used more memory than it asked for, or its node failed. Ask for more (`--time`, `--mem`), cut the work finer (`--chunk-files`, `--chunk-events`), and run again with `--resume`: finished tasks are not run again." },
  HEP7004: { severity: "error", message: "the work directory {dir} holds another plan ({found}; this run is {planned})", explanation: "A work directory belongs to one plan and one cut into tasks: its results would not fit this run. Use another `--workdir`, or `--force` to empty it and start again." },
  HEP7005: { severity: "error", message: "the output of task {task} cannot be used: {file} is {problem}", explanation: "Each task records the sha256 of every file it writes, and each is checked before anything is merged from it. A file that is missing or whose content changed (a damaged disk, a partial copy, a task killed while writing) is not merged; run again with `--resume` to redo that task." },
  HEP7006: { severity: "error", message: "task {task} failed after {attempts} attempt(s){detail}", explanation: "The task exited with an error on every attempt (`--retries` sets how many more it gets). The log of each attempt is kept in the work directory; `hepc status WORKDIR` shows the end of each. Fix the cause and run again with `--resume`." },
  HEP7007: { severity: "error", message: "{path} is not a hepc work directory: {reason}", explanation: "`hepc task`, `hepc status` and `hepc cancel` take the work directory that `hepc run --executor ...` wrote (by default .hepc/scale/PLANHASH beside the analysis)." },
  HEP7008: { severity: "error", message: "no task '{task}' in {dir}", explanation: "A task is named by its id (as `hepc status` lists them) or by STAGE:INDEX (read:0, gather:1, merge:0), as array jobs name it." },
  HEP7009: { severity: "error", message: "{scheduler}: {detail}", explanation: "A scheduler command failed while the run was being followed (squeue, scontrol or scancel returned an error). The run's tasks may still be queued: `hepc status WORKDIR` shows them and `hepc cancel WORKDIR` cancels them." },

  HEP6090: { severity: "error", message: "no GPU to run on: {reason}; {hint}", explanation: "The run asked for the GPU (`--device gpu`, `HEPC_DEVICE=gpu` or `device gpu` in a train block) and no WebGPU adapter was found, so nothing was started and nothing was written. `hepc devices` lists the adapters and says how to get one. `--device auto` trains on the GPU when there is one and on the CPU otherwise." },
  HEP6091: { severity: "error", message: "model '{model}' does not fit the GPU at batch {batch}: {what} needs {size}, over the {limit} the adapter grants; use batch {suggest} or less", explanation: "A buffer the network needs on the GPU (the activations of a batch, a layer's weights, or a block of training rows) is larger than one buffer or binding may be on this adapter (`hepc devices` shows its limits). Nothing was written. Use a smaller `batch` (the message says which fits), narrower layers, or `--device cpu`." },
  HEP6092: { severity: "error", message: "the GPU was lost while training: {reason}", explanation: "The device stopped answering (a driver reset, the GPU taken away, out of memory). The run stopped there and nothing was written; run it again, or with `--device cpu`." },
  HEP6094: { severity: "error", message: "model '{model}': its training data and buffers ({size}) do not fit the GPU's memory: {reason}", explanation: "The training rows stay on the GPU for the whole fit (uploaded once, shuffled and batched there), with the network's weights, gradients and optimiser state and a batch's buffers. The device could not allocate them. Nothing was written. Train on fewer events (a tighter `on` region), on a GPU with more memory, or with `--device cpu`." },
  HEP6093: { severity: "error", message: "'{value}' is not a device: use auto, cpu or gpu", explanation: "`--device`, `HEPC_DEVICE` and a train block's `device` take auto (the GPU when there is one, else the CPU), cpu or gpu." },
  HEP6040: { severity: "error", message: "sample '{sample}': friend tree '{tree}' in {file} has {entries} entries, but tree '{sampleTree}' in {sampleFile} has {sampleEntries}", explanation: "A friend tree is joined with its sample's tree entry by entry, file by file, so each pair of files must hold the same number of entries. The files changed since `hepc check` looked at them: make the friend files again from the same inputs." },
  // ---- 6110-6119 fit-ready outputs ----------------------------------------------------------------
  HEP6110: { severity: "error", message: "{format} channel '{channel}' is empty: no process has events in region '{region}'", explanation: "combine and pyhf reject a channel whose templates are all zero. Loosen the region, or leave it out of the datacard's `in` list." },
} as const satisfies Record<string, DiagnosticDef>;

export type DiagnosticCode = keyof typeof DIAGNOSTICS;

export interface RelatedInfo {
  file: string;
  span: Span;
  message: string;
}

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  /** The file the span is in (its path as the user named it). */
  file: string;
  span: Span;
  /** A replacement the user can accept: "did you mean …". */
  suggestion?: { message: string; replacement?: string; span?: Span };
  related?: RelatedInfo[];
}

export function formatMessage(template: string, args: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, key: string) => (key in args ? String(args[key]) : m));
}

export function diagnostic(
  code: DiagnosticCode,
  file: string,
  span: Span,
  args: Record<string, string | number> = {},
  extra: Pick<Diagnostic, "suggestion" | "related"> = {},
): Diagnostic {
  const def: DiagnosticDef = DIAGNOSTICS[code];
  return { code, severity: def.severity, message: formatMessage(def.message, args), file, span, ...extra };
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === "error");
}

/** Deterministic order: by file, position, then code. */
export function sortDiagnostics(diags: Diagnostic[]): Diagnostic[] {
  return diags.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.span.start - b.span.start || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)));
}
