/**
 * The checker's shared state: the symbol table, each sample's inputs and environment, and side
 * tables keyed by syntax node (types, what each name resolved to, which declarations each
 * declaration depends on). Rules read and add to it; the tree is never modified.
 */
import type * as A from "../../grammar/ast.js";
import { Diagnostic, DiagnosticCode, diagnostic } from "../core/diagnostics.js";
import type { Span } from "../core/source.js";
import type { Type } from "../core/types.js";
import type { TreeSchema } from "../host.js";
import type { Program } from "../load/program.js";
import type { CollectionEntry, Env } from "./env.js";
import type { Located, SymbolInfo } from "./symbols.js";
import type { ParamInfo } from "./rules/params.js";
import type { Labels } from "./rules/classes.js";

export type Resolution =
  | { kind: "symbol"; symbol: SymbolInfo }
  | { kind: "branch"; branch: string }
  | { kind: "collection"; collection: CollectionEntry }
  | { kind: "builtin"; name: string }
  | { kind: "field"; field: string; record: string }
  | { kind: "function"; name: string }
  /** In a shape variation of a collection's field, the collection's name: the element varied (lowered as `this`). */
  | { kind: "element" }
  /** A systematic family's index (`i` in `systematic btag[i in 0 .. 3]`): each member's number. */
  | { kind: "index"; name: string };

export interface SampleInput {
  name: string;
  decl: A.SampleDecl;
  file: string;
  /** Files as written (relative to the analysis) after glob expansion, with absolute paths. */
  files: Array<{ path: string; abs: string }>;
  tree: string;
  klass?: string;
  schema?: TreeSchema;
  env?: Env;
  /** The friend trees joined with the sample's (`friend ... tree ...`), once checked: their files, tree and branches. */
  friend?: { tree: string; files: Array<{ path: string; abs: string }>; branches: Set<string> };
}

export class CheckContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly symbols = new Map<string, SymbolInfo>();
  readonly samples: SampleInput[] = [];
  /** Every sample's schema loaded: unknown names are errors. Otherwise they may be branches we could not read. */
  schemasComplete = true;
  readonly types = new WeakMap<A.Expr, Type>();
  /** While a systematic family's member is lowered: its index's value, by the index's name. */
  readonly familyValues = new Map<string, number>();
  readonly resolutions = new WeakMap<A.Node, Resolution>();
  /** `keyed run, event` names are typed as expressions; the expression made for each key name. */
  readonly keyExprs = new WeakMap<A.Ident, A.NameRef>();
  /**
   * Model names (`bdt`) and class members (`bdt.signal`) used as values: the model and the index of
   * the score in its class order (plan/classes.ts). The name itself resolves to the model symbol.
   */
  readonly scores = new WeakMap<A.Expr, { model: string; output: number; per?: string }>();
  /** Random-number calls: the name of their place (`DECLARATION#n`), which keys their numbers. */
  readonly randomSites = new WeakMap<A.Call, string>();
  /** How many random-number calls each declaration (or file, for the others) has had so far. */
  readonly randomCounts = new Map<string, number>();
  /** Where scores are used, with the declaration using them (undefined: not a declaration), for cycles. */
  readonly scoreUses: Array<{ model: string; file: string; span: Span; owner?: string }> = [];
  /**
   * `MODEL.NAME` naming a working point: the threshold its evaluate block derives at run time. The
   * uses, with the declaration using them, are checked for cycles through the block's events.
   */
  readonly thresholds = new WeakMap<A.Expr, { model: string; point: string; evaluate: A.EvaluateDecl }>();
  readonly thresholdUses: Array<{ model: string; point: string; evaluate: A.EvaluateDecl; file: string; span: Span; owner?: string }> = [];
  /** `working_points { ... } given MODEL.NAME` of an evaluate block, resolved. */
  readonly givens = new WeakMap<A.EvaluateDecl, { model: string; point: string; evaluate: A.EvaluateDecl }>();
  /** Declaration name → names of declarations its expressions use. */
  readonly deps = new Map<string, Set<string>>();
  /** Names referenced from places that are not declarations (train, evaluate, outputs, other symbols). */
  readonly used = new Set<string>();
  analysis?: Located<A.AnalysisDecl>;
  readonly decls: Array<Located<A.Decl>> = [];
  /** Sample properties a sample inherits from `defaults`, by the file of that block (rules/defaults.ts). */
  readonly inheritedFrom = new WeakMap<A.Node, string>();
  /** Names of declarations lost to syntax errors: references to them stay quiet. */
  readonly brokenNames = new Set<string>();
  /** The environment names resolve in: the first sample with a schema, checked against the others. */
  env?: Env;

  /** Samples whose events get classes from a `classes` block (their own or the train block's). */
  readonly labels = new Map<string, Labels>();
  /** The classes of training in output order: a `classes` block's order, else plan/classes.ts's. */
  classOrder: string[] = [];
  /** Parameters by name, with the values in effect (after `--set`). */
  readonly params = new Map<string, ParamInfo>();
  /** `${NAME}` references in strings, for the LSP (definition, references, rename). */
  readonly paramRefs: Array<{ file: string; span: Span; name: string }> = [];
  /** The values of string literals that reference parameters (rules/params.ts); others are their own value. */
  readonly texts = new WeakMap<A.StringLit, string[]>();

  constructor(
    readonly program: Program,
    /** `--set NAME=VALUE` overrides, as given. */
    readonly overrides: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** The one value a string literal stands for once parameters are substituted. */
  text(lit: A.StringLit): string {
    return this.texts.get(lit)?.[0] ?? lit.value;
  }

  report(code: DiagnosticCode, file: string, span: Span, args: Record<string, string | number> = {}, extra: Pick<Diagnostic, "suggestion" | "related"> = {}): void {
    this.diagnostics.push(diagnostic(code, file, span, args, extra));
  }

  declsOf<K extends A.Decl["kind"]>(kind: K): Array<Located<Extract<A.Decl, { kind: K }>>> {
    return this.decls.filter((d) => d.decl.kind === kind) as Array<Located<Extract<A.Decl, { kind: K }>>>;
  }

  symbol(name: string): SymbolInfo | undefined {
    return this.symbols.get(name);
  }
}
