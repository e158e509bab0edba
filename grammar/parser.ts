/**
 * The .hep parser: tokens in, syntax tree (grammar/ast.ts) and raw parser errors out.
 *
 * It builds the tree directly with embedded actions rather than through a CST and a visitor: one
 * pass and no intermediate allocation. Error recovery is on: a failed rule returns a `Missing` (or
 * `Broken` declaration) node and parsing resumes at the next declaration, so one typo yields one
 * error. Turning raw errors into diagnostics is the syntax stage's job (compiler/syntax).
 *
 * The rules live in grammar/rules/ by group (base helpers and keyword tables, expressions,
 * declarations, samples, training, outputs); this file holds the top: a file is declarations.
 */
import type { IRecognitionException } from "chevrotain";
import type * as A from "./ast.js";
import { OutputRules } from "./rules/outputs.js";

export { UNITS, isUnitWord } from "./units.js";

export class HepParser extends OutputRules {
  constructor(validate = false) {
    super(validate);
    this.performSelfAnalysis();
  }
  // ---- file and declarations ---------------------------------------------------------------

  /** Declarations read so far: what the file rule returns even when recovery gives up at the end. */
  private fileDecls: A.Decl[] = [];

  public file = this.RULE(
    "file",
    (): A.Decl[] => {
      const decls: A.Decl[] = [];
      this.ACTION(() => (this.fileDecls = decls));
      this.MANY(() => {
        const d = this.SUBRULE(this.declaration);
        this.ACTION(() => this.keep(decls, d));
      });
      return decls;
    },
    // An unfinished last declaration (the usual state while typing) must not lose the others.
    { recoveryValueFunc: () => this.fileDecls },
  );

  protected declaration = this.RULE(
    "declaration",
    (): A.Decl => {
      const d = this.OR([
        { ALT: () => this.SUBRULE(this.analysisDecl) },
        { ALT: () => this.SUBRULE(this.includeDecl) },
        { ALT: () => this.SUBRULE(this.sampleDecl) },
        { ALT: () => this.SUBRULE(this.groupDecl) },
        { ALT: () => this.SUBRULE(this.namedExprDecl) },
        { ALT: () => this.SUBRULE(this.binsDecl) },
        { ALT: () => this.SUBRULE(this.featuresDecl) },
        { ALT: () => this.SUBRULE(this.modelDecl) },
        { ALT: () => this.SUBRULE(this.trainDecl) },
        { ALT: () => this.SUBRULE(this.evaluateDecl) },
        { ALT: () => this.SUBRULE(this.outputDecl) },
        { ALT: () => this.SUBRULE(this.paramDecl) },
        { ALT: () => this.SUBRULE(this.defaultsDecl) },
        { ALT: () => this.SUBRULE(this.systematicDecl) },
        { ALT: () => this.SUBRULE(this.derivedHistogramDecl) },
      ]) as A.Decl | A.Missing;
      // A declaration rule that recovered to `Missing` still marks a declaration here.
      return this.ACTION(() => (d.kind === "Missing" ? ({ kind: "Broken", id: d.id, span: d.span } as A.BrokenDecl) : d));
    },
    { recoveryValueFunc: (e: IRecognitionException) => this.broken(e) },
  );

  private broken(e: IRecognitionException): A.BrokenDecl {
    const t = e.token;
    const off = t && !Number.isNaN(t.startOffset) ? t.startOffset : 0;
    return this.node({ kind: "Broken" as const }, off, off);
  }
}

let shared: HepParser | undefined;
/** The parser is costly to build (grammar analysis) and reusable; one per process. */
export function hepParser(): HepParser {
  return (shared ??= new HepParser());
}
