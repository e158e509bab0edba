/**
 * Declarations of one line or a small block: the analysis header, include, group, object / define /
 * region, and bins with the binning syntax that histograms and reweighting share.
 */
import type { IOrAlt, IRecognitionException, IToken, TokenType } from "chevrotain";
import type * as A from "../ast.js";
import * as T from "../lexer.js";
import type { Keyed } from "./base.js";
import { ExpressionRules } from "./expressions.js";

const K = T.KW;

export class DeclarationRules extends ExpressionRules {
  /** The header's properties keep their value under the key's name: `{ lumi: 50 /pb }`. */
  private headerValue<F extends "lumi" | "seed" | "title" | "experiment" | "sqrts" | "doi" | "arxiv", V extends A.NumberLit | A.StringLit>(key: TokenType, name: F, value: (at: number) => V): Keyed<A.Property<A.AnalysisValue>> {
    return {
      key,
      read: (k, at) => {
        const v = value(at);
        return this.ACTION(() => this.node({ kind: "Property" as const, key: this.ident(k), value: { [name]: v } as unknown as A.AnalysisValue }, k.startOffset, v.span.end));
      },
    };
  }

  private analysisProps: IOrAlt<A.Property<A.AnalysisValue>>[] = this.keyedAlts([
    this.headerValue(K.lumi, "lumi", (at) => this.readQuantity(at)),
    this.headerValue(K.seed, "seed", (at) => this.readNumber(at)),
    this.headerValue(K.title, "title", (at) => this.readString(at)),
    this.headerValue(K.experiment, "experiment", (at) => this.readString(at)),
    this.headerValue(K.sqrts, "sqrts", (at) => this.readQuantity(at)),
    this.headerValue(K.doi, "doi", (at) => this.readString(at)),
    this.headerValue(K.arxiv, "arxiv", (at) => this.readString(at)),
  ]);

  protected analysisDecl = this.RULE("analysisDecl", (): A.AnalysisDecl => {
    const kw = this.CONSUME(K.analysis);
    const name = this.CONSUME(T.Identifier);
    const props: A.Property<A.AnalysisValue>[] = [];
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      const p = this.OR(this.analysisProps);
      this.ACTION(() => this.keep(props, p));
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => this.node({ kind: "Analysis" as const, name: this.ident(name), props }, kw.startOffset, this.lastEnd()));
  }, this.recovery("analysisDecl"));

  protected includeDecl = this.RULE("includeDecl", (): A.IncludeDecl => {
    const kw = this.CONSUME(K.include);
    const path = this.SUBRULE(this.string);
    return this.ACTION(() => this.node({ kind: "Include" as const, path }, kw.startOffset, path.span.end));
  }, this.recovery("includeDecl"));

  protected groupDecl = this.RULE("groupDecl", (): A.GroupDecl => {
    const kw = this.CONSUME(K.group);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    const members = this.SUBRULE(this.identList);
    return this.ACTION(() => this.node({ kind: "Group" as const, name: this.ident(name), members }, kw.startOffset, this.lastEnd()));
  }, this.recovery("groupDecl"));

  /** `object`, `define` and `region` share one shape: KEYWORD NAME = EXPR. */
  protected namedExprDecl = this.RULE("namedExprDecl", (): A.ObjectDecl | A.DefineDecl | A.RegionDecl => {
    const kw = this.OR([{ ALT: () => this.CONSUME(K.object) }, { ALT: () => this.CONSUME(K.define) }, { ALT: () => this.CONSUME(K.region) }]);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    const expr = this.SUBRULE(this.expression);
    let weight: A.RegionWeight | undefined;
    this.OPTION(() => {
      const open = this.CONSUME(T.LBrace);
      const key = this.CONSUME(K.weight);
      const w = this.SUBRULE1(this.expression);
      this.CONSUME(T.RBrace);
      this.ACTION(() => (weight = this.node({ kind: "RegionWeight" as const, key: this.ident(key), expr: w }, open.startOffset, this.lastEnd())));
    });
    return this.ACTION(() => {
      const kind = kw.image === "object" ? "Object" : kw.image === "define" ? "Define" : "Region";
      return this.node({ kind, name: this.ident(name), expr, ...(weight ? { weight } : {}) } as A.RegionDecl, kw.startOffset, this.lastEnd());
    });
  }, this.recovery("namedExprDecl"));

  protected paramDecl = this.RULE("paramDecl", (): A.ParamDecl => {
    const kw = this.CONSUME(K.param);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    const value = this.SUBRULE(this.expression);
    return this.ACTION(() => this.node({ kind: "Param" as const, name: this.ident(name), value }, kw.startOffset, this.lastEnd()));
  }, this.recovery("paramDecl"));

  protected systematicDecl = this.RULE("systematicDecl", (): A.SystematicDecl => {
    const kw = this.CONSUME(K.systematic);
    const name = this.CONSUME(T.Identifier);
    let family: A.SystematicDecl["family"];
    this.OPTION2(() => {
      this.CONSUME(T.LBracket);
      const index = this.CONSUME1(T.Identifier);
      this.CONSUME1(K.in);
      const from = this.SUBRULE1(this.number);
      this.CONSUME(T.DotDot);
      const to = this.SUBRULE2(this.number);
      this.CONSUME(T.RBracket);
      this.ACTION(() => (family = { index: this.ident(index), from, to }));
    });
    let samples: A.Ident[] = [];
    this.OPTION(() => {
      this.CONSUME(K.for);
      samples = this.SUBRULE(this.identList);
    });
    this.CONSUME(T.LBrace);
    let weight: A.SystematicDecl["weight"];
    let normalisation: A.NumberLit | undefined;
    let vary: A.SystematicDecl["vary"];
    let alternatives: A.SystematicDecl["alternatives"];
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.weight);
          weight = this.SUBRULE(this.upDown);
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.normalisation);
          normalisation = this.SUBRULE(this.number);
        },
      },
      {
        ALT: () => {
          // several inputs varied together: `vary Jet.pt up ... vary MET_pt up ...`
          const entries: A.VaryEntry[] = [];
          this.AT_LEAST_ONE(() => {
            this.CONSUME(K.vary);
            const target = this.SUBRULE(this.postfix);
            const values = this.SUBRULE1(this.upDown);
            this.ACTION(() => entries.push({ target, ...values }));
          });
          vary = entries;
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.samples);
          this.CONSUME2(K.up);
          const up = this.CONSUME2(T.Identifier);
          let down: IToken | undefined;
          this.OPTION3(() => {
            this.CONSUME2(K.down);
            down = this.CONSUME3(T.Identifier);
          });
          this.ACTION(() => (alternatives = { up: this.ident(up), ...(down ? { down: this.ident(down) } : {}) }));
        },
      },
    ]);
    this.CONSUME(T.RBrace);
    return this.ACTION(() =>
      this.node(
        {
          kind: "Systematic" as const,
          name: this.ident(name),
          ...(family ? { family } : {}),
          samples,
          ...(weight ? { weight } : {}),
          ...(normalisation ? { normalisation } : {}),
          ...(vary ? { vary } : {}),
          ...(alternatives ? { alternatives } : {}),
        },
        kw.startOffset,
        this.lastEnd(),
      ),
    );
  }, this.recovery("systematicDecl"));

  /** `up EXPR [down EXPR]`: the two directions of a weight or shape variation. */
  protected upDown = this.RULE("upDown", (): { up: A.Expr; down?: A.Expr } => {
    this.CONSUME(K.up);
    const up = this.SUBRULE(this.expression);
    let down: A.Expr | undefined;
    this.OPTION(() => {
      this.CONSUME(K.down);
      down = this.SUBRULE1(this.expression);
    });
    return this.ACTION(() => ({ up, ...(down ? { down } : {}) }));
  }, { recoveryValueFunc: (e: IRecognitionException) => ({ up: this.missingAt(e.token) }) });

  /** `histogram NAME = EXPR`: a derived histogram (at the top level; `histogram` in an output block is the output item). */
  protected derivedHistogramDecl = this.RULE("derivedHistogramDecl", (): A.DerivedHistogramDecl => {
    const kw = this.CONSUME(K.histogram);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    const expr = this.SUBRULE(this.expression);
    return this.ACTION(() => this.node({ kind: "DerivedHistogram" as const, name: this.ident(name), expr }, kw.startOffset, this.lastEnd()));
  }, this.recovery("derivedHistogramDecl"));

  protected binsDecl = this.RULE("binsDecl", (): A.BinsDecl => {
    const kw = this.CONSUME(K.bins);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    const spec = this.SUBRULE(this.binSpec);
    return this.ACTION(() => this.node({ kind: "Bins" as const, name: this.ident(name), spec }, kw.startOffset, this.lastEnd()));
  }, this.recovery("binsDecl"));

  protected binSpec = this.RULE(
    "binSpec",
    (): A.BinSpec => {
      return this.OR([
        {
          ALT: () => {
            const count = this.SUBRULE(this.number);
            const low = this.SUBRULE(this.signedNumber);
            this.CONSUME(T.DotDot);
            const high = this.SUBRULE1(this.signedNumber);
            return this.ACTION(() => this.node({ kind: "UniformBins" as const, count, low, high }, count.span.start, this.lastEnd()));
          },
        },
        {
          ALT: () => {
            const open = this.CONSUME(T.LBracket);
            const edges: A.Expr[] = [];
            this.AT_LEAST_ONE_SEP({
              SEP: T.Comma,
              DEF: () => {
                const e = this.SUBRULE2(this.signedNumber);
                this.ACTION(() => this.keep(edges, e));
              },
            });
            this.CONSUME(T.RBracket);
            return this.ACTION(() => this.node({ kind: "EdgeBins" as const, edges }, open.startOffset, this.lastEnd()));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.Identifier);
            return this.ACTION(() => this.node({ kind: "NamedBins" as const, name: this.ident(t) }, t.startOffset, this.tokEnd(t)));
          },
        },
      ]);
    },
    { recoveryValueFunc: (e: IRecognitionException) => this.missingAt(e.token) },
  );

}
