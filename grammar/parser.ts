/**
 * The .hep parser: tokens in, syntax tree (grammar/ast.ts) and raw parser errors out.
 *
 * It builds the tree directly with embedded actions rather than through a CST and a visitor: one
 * pass and no intermediate allocation. Error recovery is on: a failed rule returns a `Missing` (or
 * `Broken` declaration) node and parsing resumes at the next declaration, so one typo yields one
 * error. Turning raw errors into diagnostics is the syntax stage's job (compiler/syntax).
 */
import type { IRecognitionException, IToken, TokenType } from "chevrotain";
import { EmbeddedActionsParser } from "./chevrotain.js";
import type * as A from "./ast.js";
import * as T from "./lexer.js";

const K = T.KW;


export class HepParser extends EmbeddedActionsParser {
  private nextId = 0;

  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, skipValidations: false });
    this.performSelfAnalysis();
  }

  /**
   * What a rule returns when recovery gives up inside it: an empty list for list rules, otherwise
   * a `Missing` node at the offending token. Containers drop `Missing` entries of their lists.
   */
  // Typed `any` because a recovered rule breaks its declared return type by design: any child node
  // may be `Missing`, and every later stage checks `kind` before it trusts a child's shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private recovery(rule: string): { recoveryValueFunc: (e: IRecognitionException) => any } {
    const lists = new Set(["file", "identList", "axes"]);
    return {
      recoveryValueFunc: (e: IRecognitionException) => (lists.has(rule) ? [] : this.missingAt(e.token)),
    };
  }

  /** Node ids restart per file. (Not `reset`: that name is chevrotain's own state reset.) */
  resetIds(): void {
    this.nextId = 0;
  }
  get nodeCount(): number {
    return this.nextId;
  }

  private node<N extends { kind: string }>(n: N, start: number, end: number): N & { id: number; span: { start: number; end: number } } {
    // Mutating the fresh literal instead of spreading it into a copy halves parse-time allocation.
    const m = n as N & A.Node;
    m.id = this.nextId++;
    m.span = { start, end };
    return m;
  }
  /** Lists keep what was read; a construct lost to recovery has already been reported. */
  private keep<N>(list: N[], item: N | A.Missing | undefined): void {
    if (item && (item as A.Missing).kind !== "Missing") list.push(item as N);
  }
  private missingAt(tok: IToken | undefined): A.Missing {
    const off = tok && !Number.isNaN(tok.startOffset) ? tok.startOffset : this.lastEnd();
    return this.node({ kind: "Missing" as const }, off, off);
  }
  /** A token error recovery inserted: it has no position and stands for nothing the user wrote. */
  private inserted(t: IToken): boolean {
    return Number.isNaN(t.startOffset);
  }
  /** Token images are slices of the source, so the end is start + length (inserted tokens: where parsing stands). */
  private tokEnd(t: IToken): number {
    return Number.isNaN(t.startOffset) ? this.lastEnd() : t.startOffset + t.image.length;
  }
  private ident(t: IToken): A.Ident {
    // A token inserted by recovery has no position: place it where parsing stands.
    const start = Number.isNaN(t.startOffset) ? this.lastEnd() : t.startOffset;
    return this.node({ kind: "Ident" as const, name: t.image }, start, start + t.image.length);
  }
  /** The end of the last token consumed, for spans of nodes that end on a token. */
  private lastEnd(): number {
    const t = this.LA(0);
    return t && !Number.isNaN(t.startOffset) ? this.tokEnd(t) : 0;
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

  private declaration = this.RULE(
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

  private analysisDecl = this.RULE("analysisDecl", (): A.AnalysisDecl => {
    const kw = this.CONSUME(K.analysis);
    const name = this.CONSUME(T.Identifier);
    const props: A.Property<A.AnalysisValue>[] = [];
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      const p = this.OR([
        {
          ALT: () => {
            const k = this.CONSUME(K.lumi);
            const v = this.SUBRULE(this.quantity);
            return this.ACTION(() => this.node({ kind: "Property" as const, key: this.ident(k), value: { lumi: v } }, k.startOffset, v.span.end));
          },
        },
        {
          ALT: () => {
            const k = this.CONSUME(K.seed);
            const v = this.SUBRULE1(this.number);
            return this.ACTION(() => this.node({ kind: "Property" as const, key: this.ident(k), value: { seed: v } }, k.startOffset, v.span.end));
          },
        },
        {
          ALT: () => {
            const k = this.CONSUME(K.title);
            const v = this.SUBRULE(this.string);
            return this.ACTION(() => this.node({ kind: "Property" as const, key: this.ident(k), value: { title: v } }, k.startOffset, v.span.end));
          },
        },
      ]);
      this.ACTION(() => this.keep(props, p));
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => this.node({ kind: "Analysis" as const, name: this.ident(name), props }, kw.startOffset, this.lastEnd()));
  }, this.recovery("analysisDecl"));

  private includeDecl = this.RULE("includeDecl", (): A.IncludeDecl => {
    const kw = this.CONSUME(K.include);
    const path = this.SUBRULE(this.string);
    return this.ACTION(() => this.node({ kind: "Include" as const, path }, kw.startOffset, path.span.end));
  }, this.recovery("includeDecl"));

  private sampleDecl = this.RULE("sampleDecl", (): A.SampleDecl => {
    const kw = this.CONSUME(K.sample);
    const name = this.CONSUME(T.Identifier);
    const props: A.SampleProp[] = [];
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      const p = this.SUBRULE(this.sampleProp);
      this.ACTION(() => this.keep(props, p));
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => this.node({ kind: "Sample" as const, name: this.ident(name), props }, kw.startOffset, this.lastEnd()));
  }, this.recovery("sampleDecl"));

  private sampleProp = this.RULE("sampleProp", (): A.SampleProp => {
    return this.OR([
      {
        ALT: () => {
          const k = this.CONSUME(K.files);
          const files: A.StringLit[] = [];
          this.AT_LEAST_ONE_SEP({
            SEP: T.Comma,
            DEF: () => {
              const s = this.SUBRULE(this.string);
              this.ACTION(() => this.keep(files, s));
            },
          });
          return this.ACTION(() => this.prop(k, { prop: "files" as const, files }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(K.tree);
          const tree = this.SUBRULE1(this.string);
          return this.ACTION(() => this.prop(k, { prop: "tree" as const, tree }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(K.class);
          const klass = this.CONSUME(T.Identifier);
          return this.ACTION(() => this.prop(k, { prop: "class" as const, klass: this.ident(klass) }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(K.weight);
          // Without `where`: the next line's `where` is the sample's selection, not a filter of the weight.
          const expr = this.SUBRULE(this.orExpr);
          return this.ACTION(() => this.prop(k, { prop: "weight" as const, expr }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(T.Where);
          const expr = this.SUBRULE1(this.orExpr);
          return this.ACTION(() => this.prop(k, { prop: "where" as const, expr }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(K.xsec);
          const value = this.SUBRULE(this.quantity);
          return this.ACTION(() => this.prop(k, { prop: "xsec" as const, value }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(K.sumw);
          const value = this.SUBRULE1(this.number);
          return this.ACTION(() => this.prop(k, { prop: "sumw" as const, value }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(K.title);
          const title = this.SUBRULE2(this.string);
          return this.ACTION(() => this.prop(k, { prop: "title" as const, title }));
        },
      },
    ]);
  }, this.recovery("sampleProp"));

  /** A property node spanning from its key to the last token consumed. */
  private prop<V extends object>(k: IToken, v: V): A.Node & { kind: "Property"; key: A.Ident } & V {
    return this.node({ kind: "Property" as const, key: this.ident(k), ...v }, k.startOffset, this.lastEnd());
  }

  private groupDecl = this.RULE("groupDecl", (): A.GroupDecl => {
    const kw = this.CONSUME(K.group);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    const members = this.SUBRULE(this.identList);
    return this.ACTION(() => this.node({ kind: "Group" as const, name: this.ident(name), members }, kw.startOffset, this.lastEnd()));
  }, this.recovery("groupDecl"));

  private identList = this.RULE("identList", (): A.Ident[] => {
    const out: A.Ident[] = [];
    this.AT_LEAST_ONE_SEP({
      SEP: T.Comma,
      DEF: () => {
        const t = this.CONSUME(T.Identifier);
        this.ACTION(() => out.push(this.ident(t)));
      },
    });
    return out;
  }, this.recovery("identList"));

  /** `object`, `define` and `region` share one shape: KEYWORD NAME = EXPR. */
  private namedExprDecl = this.RULE("namedExprDecl", (): A.ObjectDecl | A.DefineDecl | A.RegionDecl => {
    const kw = this.OR([{ ALT: () => this.CONSUME(K.object) }, { ALT: () => this.CONSUME(K.define) }, { ALT: () => this.CONSUME(K.region) }]);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    const expr = this.SUBRULE(this.expression);
    return this.ACTION(() => {
      const kind = kw.image === "object" ? "Object" : kw.image === "define" ? "Define" : "Region";
      return this.node({ kind, name: this.ident(name), expr } as A.DefineDecl, kw.startOffset, this.lastEnd());
    });
  }, this.recovery("namedExprDecl"));

  private binsDecl = this.RULE("binsDecl", (): A.BinsDecl => {
    const kw = this.CONSUME(K.bins);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    const spec = this.SUBRULE(this.binSpec);
    return this.ACTION(() => this.node({ kind: "Bins" as const, name: this.ident(name), spec }, kw.startOffset, this.lastEnd()));
  }, this.recovery("binsDecl"));

  private binSpec = this.RULE(
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

  /** A number with an optional leading minus, as an expression (bin edges, ranges). */
  private signedNumber = this.RULE("signedNumber", (): A.Expr => {
    let minus: IToken | undefined;
    this.OPTION(() => {
      minus = this.CONSUME(T.Minus);
    });
    const n = this.SUBRULE(this.number);
    return this.ACTION(() =>
      minus ? this.node({ kind: "Unary" as const, op: "-" as const, operand: n }, minus.startOffset, n.span.end) : n,
    );
  }, this.recovery("signedNumber"));

  private featuresDecl = this.RULE("featuresDecl", (): A.FeaturesDecl => {
    const kw = this.CONSUME(K.features);
    const name = this.CONSUME(T.Identifier);
    const items: A.FeatureItem[] = [];
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      const it = this.SUBRULE(this.featureItem);
      this.ACTION(() => this.keep(items, it));
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => this.node({ kind: "Features" as const, name: this.ident(name), items }, kw.startOffset, this.lastEnd()));
  }, this.recovery("featuresDecl"));

  private featureItem = this.RULE("featureItem", (): A.FeatureItem => {
    const expr = this.SUBRULE(this.expression);
    let alias: A.Ident | undefined;
    let scaling: A.Scaling | undefined;
    this.OPTION(() => {
      this.CONSUME(K.as);
      const t = this.CONSUME(T.Identifier);
      this.ACTION(() => (alias = this.ident(t)));
    });
    this.OPTION1(() => {
      scaling = this.SUBRULE(this.scaling);
    });
    return this.ACTION(() => this.node({ kind: "Feature" as const, expr, alias, scaling }, expr.span.start, this.lastEnd()));
  }, this.recovery("featureItem"));

  private scaling = this.RULE("scaling", (): A.Scaling => {
    return this.OR([
      {
        ALT: () => {
          const k = this.CONSUME(K.normal);
          let clip: A.NumberLit | undefined;
          this.OPTION(() => {
            this.CONSUME(K.clip);
            clip = this.SUBRULE(this.number);
          });
          return this.ACTION(() => this.node({ kind: "Scaling" as const, scaling: "normal" as const, clip }, k.startOffset, this.lastEnd()));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(K.linear);
          const low = this.SUBRULE(this.signedNumber);
          this.CONSUME(T.DotDot);
          const high = this.SUBRULE1(this.signedNumber);
          return this.ACTION(() => this.node({ kind: "Scaling" as const, scaling: "linear" as const, low, high }, k.startOffset, this.lastEnd()));
        },
      },
      { ALT: () => this.simpleScaling(this.CONSUME(K.categorical), "categorical") },
      { ALT: () => this.simpleScaling(this.CONSUME(K.log), "log") },
      { ALT: () => this.simpleScaling(this.CONSUME(K.none), "none") },
    ]);
  }, this.recovery("scaling"));
  private simpleScaling(k: IToken, scaling: A.ScalingKind): A.Scaling {
    return this.ACTION(() => this.node({ kind: "Scaling" as const, scaling }, k.startOffset, this.tokEnd(k)));
  }

  private modelDecl = this.RULE("modelDecl", (): A.ModelDecl => {
    const kw = this.CONSUME(K.model);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    const kind = this.CONSUME1(T.Identifier);
    this.CONSUME(T.LParen);
    const args: A.Expr[] = [];
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () => {
        const a = this.SUBRULE(this.expression);
        this.ACTION(() => this.keep(args, a));
      },
    });
    this.CONSUME(T.RParen);
    const options: A.ModelOption[] = [];
    this.OPTION(() => {
      this.CONSUME(T.LBrace);
      this.MANY(() => {
        const o = this.SUBRULE(this.modelOption);
        this.ACTION(() => this.keep(options, o));
      });
      this.CONSUME(T.RBrace);
    });
    return this.ACTION(() =>
      this.node({ kind: "Model" as const, name: this.ident(name), modelKind: this.ident(kind), args, options }, kw.startOffset, this.lastEnd()),
    );
  }, this.recovery("modelDecl"));

  private modelOption = this.RULE("modelOption", (): A.ModelOption => {
    // `bins` and `output` are reserved words elsewhere but fine option names.
    const key = this.OR([{ ALT: () => this.CONSUME(T.Identifier) }, { ALT: () => this.CONSUME(K.bins) }, { ALT: () => this.CONSUME(K.output) }]);
    const value = this.SUBRULE(this.optionValue);
    return this.ACTION(() => this.node({ kind: "Option" as const, key: this.ident(key), value }, key.startOffset, this.lastEnd()));
  }, this.recovery("modelOption"));

  private optionValue = this.RULE(
    "optionValue",
    (): A.OptionValue => {
      return this.OR([
        { ALT: () => this.SUBRULE(this.signedNumber) as A.OptionValue },
        { ALT: () => this.SUBRULE(this.string) },
        { ALT: () => this.SUBRULE(this.bool) },
        {
          ALT: () => {
            const t = this.CONSUME(T.Identifier);
            return this.ACTION(() => this.node({ kind: "Name" as const, name: t.image }, t.startOffset, this.tokEnd(t)));
          },
        },
        { ALT: () => this.SUBRULE(this.list) },
      ]);
    },
    { recoveryValueFunc: (e: IRecognitionException) => this.missingAt(e.token) },
  );

  private trainDecl = this.RULE("trainDecl", (): A.TrainDecl => {
    const kw = this.CONSUME(K.train);
    const models = this.SUBRULE(this.identList);
    const props: A.TrainProp[] = [];
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      const p = this.SUBRULE(this.trainProp);
      this.ACTION(() => this.keep(props, p));
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => this.node({ kind: "Train" as const, models, props }, kw.startOffset, this.lastEnd()));
  }, this.recovery("trainDecl"));

  private trainProp = this.RULE("trainProp", (): A.TrainProp => {
    return this.OR([
      {
        ALT: () => {
          const k = this.CONSUME(K.on);
          const r = this.CONSUME(T.Identifier);
          return this.ACTION(() => this.prop(k, { prop: "on" as const, region: this.ident(r) }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(K.folds);
          const folds = this.SUBRULE(this.number);
          this.CONSUME(K.by);
          const by = this.SUBRULE(this.expression);
          return this.ACTION(() => this.prop(k, { prop: "folds" as const, folds, by }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(K.balance);
          const m = this.CONSUME1(T.Identifier);
          return this.ACTION(() => this.prop(k, { prop: "balance" as const, mode: this.ident(m) }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(K.reweight);
          // `reweight flat in …` or `reweight to SAMPLE in …`: the mode word is `to` itself.
          let target: A.Ident | undefined;
          const m = this.OR1([
            {
              ALT: () => {
                const to = this.CONSUME(K.to);
                const t = this.CONSUME3(T.Identifier);
                this.ACTION(() => (target = this.ident(t)));
                return to;
              },
            },
            { GATE: () => this.LA(1).tokenType !== K.to, ALT: () => this.CONSUME2(T.Identifier) },
          ]);
          this.CONSUME(K.in);
          const axes = this.SUBRULE(this.axes);
          return this.ACTION(() => this.prop(k, { prop: "reweight" as const, mode: this.ident(m), target, axes }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(K.validation);
          const fraction = this.SUBRULE1(this.number);
          return this.ACTION(() => this.prop(k, { prop: "validation" as const, fraction }));
        },
      },
    ]);
  }, this.recovery("trainProp"));

  /** `expr binning, expr binning, ...` for reweighting and evaluation bins. */
  private axes = this.RULE("axes", (): A.ReweightAxis[] => {
    const out: A.ReweightAxis[] = [];
    this.AT_LEAST_ONE_SEP({
      SEP: T.Comma,
      DEF: () => {
        const expr = this.SUBRULE(this.expression);
        const bins = this.SUBRULE(this.binSpec);
        this.ACTION(() => out.push(this.node({ kind: "Axis" as const, expr, bins }, expr.span.start, this.lastEnd())));
      },
    });
    return out;
  }, this.recovery("axes"));

  private evaluateDecl = this.RULE("evaluateDecl", (): A.EvaluateDecl => {
    const kw = this.CONSUME(K.evaluate);
    const models = this.SUBRULE(this.identList);
    const props: A.EvaluateProp[] = [];
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      const p = this.SUBRULE(this.evaluateProp);
      this.ACTION(() => this.keep(props, p));
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => this.node({ kind: "Evaluate" as const, models, props }, kw.startOffset, this.lastEnd()));
  }, this.recovery("evaluateDecl"));

  private evaluateProp = this.RULE("evaluateProp", (): A.EvaluateProp => {
    return this.OR([
      {
        ALT: () => {
          const k = this.CONSUME(K.in);
          const r = this.CONSUME(T.Identifier);
          return this.ACTION(() => this.prop(k, { prop: "in" as const, region: this.ident(r) }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(K.bins);
          const axes = this.SUBRULE(this.axes);
          return this.ACTION(() => this.prop(k, { prop: "bins" as const, axes }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(K.metrics);
          const metrics: A.Metric[] = [];
          this.AT_LEAST_ONE_SEP({
            SEP: T.Comma,
            DEF: () => {
              const n = this.CONSUME1(T.Identifier);
              let at: A.NumberLit | undefined;
              this.OPTION(() => {
                this.CONSUME(K.at);
                at = this.SUBRULE(this.number);
              });
              this.ACTION(() => metrics.push(this.node({ kind: "Metric" as const, name: this.ident(n), at }, n.startOffset, this.lastEnd())));
            },
          });
          return this.ACTION(() => this.prop(k, { prop: "metrics" as const, metrics }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(K.working_points);
          const points: A.WorkingPoint[] = [];
          this.CONSUME(T.LBrace);
          this.MANY(() => {
            const n = this.CONSUME2(T.Identifier);
            const v = this.SUBRULE1(this.number);
            this.ACTION(() => points.push(this.node({ kind: "WorkingPoint" as const, name: this.ident(n), value: v }, n.startOffset, this.lastEnd())));
          });
          this.CONSUME(T.RBrace);
          return this.ACTION(() => this.prop(k, { prop: "working_points" as const, points }));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(K.reference);
          const m = this.CONSUME3(T.Identifier);
          return this.ACTION(() => this.prop(k, { prop: "reference" as const, model: this.ident(m) }));
        },
      },
    ]);
  }, this.recovery("evaluateProp"));

  private outputDecl = this.RULE("outputDecl", (): A.OutputDecl => {
    const kw = this.CONSUME(K.output);
    const items: A.OutputItem[] = [];
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      const it = this.SUBRULE(this.outputItem);
      this.ACTION(() => this.keep(items, it));
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => this.node({ kind: "Output" as const, items }, kw.startOffset, this.lastEnd()));
  }, this.recovery("outputDecl"));

  private outputItem = this.RULE("outputItem", (): A.OutputItem => {
    return this.OR([
      {
        ALT: () => {
          const k = this.CONSUME(K.predictions);
          const path = this.SUBRULE(this.string);
          let friend = false;
          let keys: A.Ident[] = [];
          this.OPTION(() => {
            this.CONSUME(K.friend);
            friend = true;
          });
          this.OPTION1(() => {
            this.CONSUME(K.keyed);
            keys = this.SUBRULE(this.identList);
          });
          return this.ACTION(() => this.node({ kind: "Predictions" as const, path, friend, keys }, k.startOffset, this.lastEnd()));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(K.histogram);
          const exprs: A.Expr[] = [];
          this.AT_LEAST_ONE_SEP({
            SEP: T.Comma,
            DEF: () => {
              const e = this.SUBRULE(this.expression);
              this.ACTION(() => this.keep(exprs, e));
            },
          });
          let alias: A.Ident | undefined;
          let regions: A.Ident[] = [];
          let by: A.Ident | undefined;
          let weighted = false;
          this.OPTION2(() => {
            this.CONSUME(K.as);
            const t = this.CONSUME(T.Identifier);
            this.ACTION(() => (alias = this.ident(t)));
          });
          this.OPTION3(() => {
            this.CONSUME(K.in);
            regions = this.SUBRULE1(this.identList);
          });
          this.OPTION4(() => {
            this.CONSUME(K.by);
            // `sample` and `group` are reserved words elsewhere (they start declarations) but are splits here.
            const t = this.OR1([{ ALT: () => this.CONSUME1(T.Identifier) }, { ALT: () => this.CONSUME(K.sample) }, { ALT: () => this.CONSUME(K.group) }]);
            this.ACTION(() => (by = this.ident(t)));
          });
          this.CONSUME(K.bins);
          const bins: A.BinSpec[] = [];
          this.AT_LEAST_ONE_SEP1({
            SEP: T.Comma,
            DEF: () => {
              const b = this.SUBRULE(this.binSpec);
              this.ACTION(() => this.keep(bins, b));
            },
          });
          this.OPTION5(() => {
            this.CONSUME(K.weighted);
            weighted = true;
          });
          this.CONSUME(K.to);
          const path = this.SUBRULE1(this.string);
          return this.ACTION(() =>
            this.node({ kind: "Histogram" as const, exprs, alias, regions, by, bins, weighted, path }, k.startOffset, this.lastEnd()),
          );
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(K.cutflow);
          let regions: A.Ident[] = [];
          this.OPTION6(() => {
            this.CONSUME1(K.in);
            regions = this.SUBRULE2(this.identList);
          });
          this.CONSUME1(K.to);
          const path = this.SUBRULE2(this.string);
          return this.ACTION(() => this.node({ kind: "Cutflow" as const, regions, path }, k.startOffset, this.lastEnd()));
        },
      },
      {
        ALT: () => {
          const k = this.CONSUME(K.report);
          const path = this.SUBRULE3(this.string);
          return this.ACTION(() => this.node({ kind: "Report" as const, path }, k.startOffset, this.lastEnd()));
        },
      },
    ]);
  }, this.recovery("outputItem"));

  // ---- expressions ---------------------------------------------------------------------------
  // Precedence, loosest first: where · or · and · not · comparison · + - · * / % · unary - · ^ · postfix

  public expression = this.RULE(
    "expression",
    (): A.Expr => {
      const target = this.SUBRULE(this.orExpr);
      let cond: A.Expr | undefined;
      this.OPTION(() => {
        this.CONSUME(T.Where);
        cond = this.SUBRULE1(this.orExpr);
      });
      return this.ACTION(() => (cond ? this.node({ kind: "Where" as const, target, cond }, target.span.start, cond.span.end) : target));
    },
    { recoveryValueFunc: (e: IRecognitionException) => this.missingAt(e.token) },
  );

  /** Chevrotain tells the two operand positions apart by their SUBRULE index, hence two thunks. */
  private binaryChain(first: () => A.Expr, next: () => A.Expr, ops: TokenType[], opOf: (t: IToken) => A.BinaryOp): A.Expr {
    let left = first();
    this.MANY(() => {
      const t = this.OR(ops.map((op) => ({ ALT: () => this.CONSUME(op) })));
      const right = next();
      this.ACTION(() => {
        left = this.node({ kind: "Binary" as const, op: opOf(t), left, right }, left.span.start, right.span.end);
      });
    });
    return left;
  }

  private orExpr = this.RULE("orExpr", (): A.Expr => this.binaryChain(() => this.SUBRULE(this.andExpr), () => this.SUBRULE1(this.andExpr), [T.Or], () => "or"), this.recovery("orExpr"));
  private andExpr = this.RULE("andExpr", (): A.Expr => this.binaryChain(() => this.SUBRULE(this.notExpr), () => this.SUBRULE1(this.notExpr), [T.And], () => "and"), this.recovery("andExpr"));

  private notExpr = this.RULE("notExpr", (): A.Expr => {
    return this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(T.Not);
          const operand = this.SUBRULE(this.notExpr);
          return this.ACTION(() => this.node({ kind: "Unary" as const, op: "not" as const, operand }, t.startOffset, operand.span.end));
        },
      },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]);
  }, this.recovery("notExpr"));

  /** Comparisons do not chain: `a < b < c` is a syntax error rather than a surprise. */
  private comparison = this.RULE("comparison", (): A.Expr => {
    const left = this.SUBRULE(this.additive);
    let result = left;
    this.OPTION(() => {
      const t = this.OR([
        { ALT: () => this.CONSUME(T.EqEq) },
        { ALT: () => this.CONSUME(T.NotEq) },
        { ALT: () => this.CONSUME(T.LtEq) },
        { ALT: () => this.CONSUME(T.GtEq) },
        { ALT: () => this.CONSUME(T.Lt) },
        { ALT: () => this.CONSUME(T.Gt) },
        { ALT: () => this.CONSUME(T.Tilde) },
      ]);
      const right = this.SUBRULE1(this.additive);
      this.ACTION(() => {
        result = this.node({ kind: "Binary" as const, op: t.image as A.BinaryOp, left, right }, left.span.start, right.span.end);
      });
    });
    return result;
  }, this.recovery("comparison"));

  private additive = this.RULE("additive", (): A.Expr =>
    this.binaryChain(() => this.SUBRULE(this.multiplicative), () => this.SUBRULE1(this.multiplicative), [T.Plus, T.Minus], (t) => t.image as A.BinaryOp),
    this.recovery("additive"));
  private multiplicative = this.RULE("multiplicative", (): A.Expr =>
    this.binaryChain(() => this.SUBRULE(this.unary), () => this.SUBRULE1(this.unary), [T.Star, T.Slash, T.Percent], (t) => t.image as A.BinaryOp),
    this.recovery("multiplicative"));

  private unary = this.RULE("unary", (): A.Expr => {
    return this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(T.Minus);
          const operand = this.SUBRULE(this.unary);
          return this.ACTION(() => this.node({ kind: "Unary" as const, op: "-" as const, operand }, t.startOffset, operand.span.end));
        },
      },
      { ALT: () => this.SUBRULE(this.power) },
    ]);
  }, this.recovery("unary"));

  /** `^` is right-associative and binds tighter than unary minus: -a^2 is -(a^2). */
  private power = this.RULE("power", (): A.Expr => {
    const base = this.SUBRULE(this.postfix);
    let result = base;
    this.OPTION(() => {
      this.CONSUME(T.Caret);
      const exp = this.SUBRULE(this.unary);
      this.ACTION(() => {
        result = this.node({ kind: "Binary" as const, op: "^" as const, left: base, right: exp }, base.span.start, exp.span.end);
      });
    });
    return result;
  }, this.recovery("power"));

  private postfix = this.RULE("postfix", (): A.Expr => {
    let e = this.SUBRULE(this.primary);
    this.MANY({
      // `jets[0]` indexes; `pt [25, 40]` (with a space) is a binning after an expression.
      GATE: () => this.LA(1).tokenType === T.Dot || (this.LA(1).tokenType === T.LBracket && this.LA(1).startOffset === this.tokEnd(this.LA(0))),
      DEF: () => {
        this.OR([
          {
            ALT: () => {
              this.CONSUME(T.LBracket);
              const index = this.SUBRULE(this.expression);
              this.CONSUME(T.RBracket);
              this.ACTION(() => {
                e = this.node({ kind: "Index" as const, target: e, index }, e.span.start, this.lastEnd());
              });
            },
          },
          {
            ALT: () => {
              this.CONSUME(T.Dot);
              const f = this.CONSUME(T.Identifier);
              this.ACTION(() => {
                e = this.node({ kind: "Member" as const, target: e, field: this.ident(f) }, e.span.start, this.tokEnd(f));
              });
            },
          },
        ]);
      },
    });
    return e;
  }, this.recovery("postfix"));

  private primary = this.RULE("primary", (): A.Expr => {
    return this.OR([
      { ALT: () => this.SUBRULE(this.numberWithUnit) },
      { ALT: () => this.SUBRULE(this.string) },
      { ALT: () => this.SUBRULE(this.bool) },
      {
        ALT: () => {
          const t = this.CONSUME(T.This);
          return this.ACTION(() => this.node({ kind: "This" as const }, t.startOffset, this.tokEnd(t)));
        },
      },
      {
        // A call: NAME(args). Two tokens of lookahead tell it from a plain name.
        ALT: () => {
          const t = this.CONSUME(T.Identifier);
          this.CONSUME(T.LParen);
          const args: A.Expr[] = [];
          this.MANY_SEP({
            SEP: T.Comma,
            DEF: () => {
              const a = this.SUBRULE(this.expression);
              this.ACTION(() => this.keep(args, a));
            },
          });
          this.CONSUME(T.RParen);
          return this.ACTION(() => this.node({ kind: "Call" as const, callee: this.ident(t), args }, t.startOffset, this.lastEnd()));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME1(T.Identifier);
          return this.ACTION(() => this.node({ kind: "Name" as const, name: t.image }, t.startOffset, this.tokEnd(t)));
        },
      },
      {
        ALT: () => {
          this.CONSUME1(T.LParen);
          const inner = this.SUBRULE1(this.expression);
          this.CONSUME1(T.RParen);
          // Parentheses are not kept as nodes: the formatter re-derives them from precedence.
          return inner;
        },
      },
      { ALT: () => this.SUBRULE(this.list) },
    ]);
  }, this.recovery("primary"));

  private list = this.RULE("list", (): A.ListExpr => {
    const open = this.CONSUME(T.LBracket);
    const items: A.Expr[] = [];
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () => {
        const e = this.SUBRULE(this.expression);
        this.ACTION(() => this.keep(items, e));
      },
    });
    this.CONSUME(T.RBracket);
    return this.ACTION(() => this.node({ kind: "List" as const, items }, open.startOffset, this.lastEnd()));
  }, this.recovery("list"));

  private number = this.RULE("number", (): A.NumberLit => {
    const t = this.CONSUME(T.NumberLit);
    // A number recovery inserted has no value: `Missing`, so no check reads a made-up 0.
    return this.ACTION(() => (this.inserted(t) ? (this.missingAt(undefined) as unknown as A.NumberLit) : this.numberNode(t)));
  }, this.recovery("number"));

  /** In expressions a number may carry a unit: `25 GeV`. Units are words the syntax stage knows. */
  private numberWithUnit = this.RULE("numberWithUnit", (): A.NumberLit => {
    const t = this.CONSUME(T.NumberLit);
    let unit: IToken | undefined;
    this.OPTION({
      GATE: () => isUnitWord(this.LA(1).image) && this.LA(1).tokenType === T.Identifier,
      DEF: () => {
        unit = this.CONSUME(T.Identifier);
      },
    });
    return this.ACTION(() => {
      const n = this.numberNode(t);
      if (!unit) return n;
      return { ...n, unit: this.ident(unit), span: { start: n.span.start, end: this.tokEnd(unit) } };
    });
  }, this.recovery("numberWithUnit"));

  /** A number with an optional unit, also inverse ones: `50 /pb`, `1.2 pb`. */
  private quantity = this.RULE("quantity", (): A.NumberLit => {
    const t = this.CONSUME(T.NumberLit);
    let slash: IToken | undefined;
    let unit: IToken | undefined;
    this.OPTION({
      GATE: () => this.LA(1).tokenType === T.Slash || (isUnitWord(this.LA(1).image) && this.LA(1).tokenType === T.Identifier),
      DEF: () => {
        this.OPTION1(() => {
          slash = this.CONSUME(T.Slash);
        });
        unit = this.CONSUME(T.Identifier);
      },
    });
    return this.ACTION(() => {
      if (this.inserted(t)) return this.missingAt(undefined) as unknown as A.NumberLit;
      const n = this.numberNode(t);
      if (!unit || this.inserted(unit)) return n;
      const start = slash ? slash.startOffset : unit.startOffset;
      const u = this.node({ kind: "Ident" as const, name: (slash ? "/" : "") + unit.image }, start, this.tokEnd(unit));
      return { ...n, unit: u, span: { start: n.span.start, end: this.tokEnd(unit) } };
    });
  }, this.recovery("quantity"));

  private numberNode(t: IToken): A.NumberLit {
    const raw = t.image;
    const isInt = /^\d+$/.test(raw);
    return this.node({ kind: "Number" as const, value: Number(raw), raw, isInt }, t.startOffset, this.tokEnd(t));
  }

  private string = this.RULE("string", (): A.StringLit => {
    const t = this.CONSUME(T.StringLit);
    return this.ACTION(() => {
      // A string recovery inserted is no path or title: `Missing`, so the loader does not include "".
      if (this.inserted(t)) return this.missingAt(undefined) as unknown as A.StringLit;
      const closed = t.tokenType !== T.UnterminatedString;
      const body = closed ? t.image.slice(1, -1) : t.image.slice(1);
      const value = body.replace(/\\(.)/g, (_m, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
      return this.node({ kind: "String" as const, value, raw: t.image }, t.startOffset, this.tokEnd(t));
    });
  }, this.recovery("string"));

  private bool = this.RULE("bool", (): A.BoolLit => {
    return this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(T.True);
          return this.ACTION(() => this.node({ kind: "Bool" as const, value: true }, t.startOffset, this.tokEnd(t)));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.False);
          return this.ACTION(() => this.node({ kind: "Bool" as const, value: false }, t.startOffset, this.tokEnd(t)));
        },
      },
    ]);
  }, this.recovery("bool"));
}

/** Units a number may carry. Energies convert to GeV; areas to pb; inverse areas to /pb. */
export const UNITS: Record<string, { dimension: "energy" | "area" | "inverse area"; factor: number }> = {
  MeV: { dimension: "energy", factor: 1e-3 },
  GeV: { dimension: "energy", factor: 1 },
  TeV: { dimension: "energy", factor: 1e3 },
  fb: { dimension: "area", factor: 1e-3 },
  pb: { dimension: "area", factor: 1 },
  nb: { dimension: "area", factor: 1e3 },
  "/fb": { dimension: "inverse area", factor: 1e3 },
  "/pb": { dimension: "inverse area", factor: 1 },
  "/nb": { dimension: "inverse area", factor: 1e-3 },
};

export function isUnitWord(word: string): boolean {
  return word in UNITS;
}

let shared: HepParser | undefined;
/** The parser is costly to build (grammar analysis) and reusable; one per process. */
export function hepParser(): HepParser {
  return (shared ??= new HepParser());
}
