/** The output block: predictions, histograms, cutflows, the report, training datasets, ONNX exports and ntuples, each an entry of one keyword table. */
import { tokenMatcher, type IOrAlt } from "chevrotain";
import type * as A from "../ast.js";
import * as T from "../lexer.js";
import type { Keyed } from "./base.js";
import { TrainingRules } from "./training.js";

const K = T.KW;

export class OutputRules extends TrainingRules {
  private outputItems: IOrAlt<A.OutputItem>[] = this.keyedAlts<A.OutputItem>([
    {
      key: K.predictions,
      read: (k, at) => {
        const path = this.readString(at);
        let friend = false;
        let keys: A.Ident[] = [];
        this.option(at, () => {
          this.consume(at, K.friend);
          friend = true;
        });
        this.option(at + 1, () => {
          this.consume(at, K.keyed);
          keys = this.subrule(at, this.identList);
        });
        return this.ACTION(() => this.node({ kind: "Predictions" as const, path, friend, keys }, k.startOffset, this.lastEnd()));
      },
    },
    {
      key: K.histogram,
      read: (k, at) => {
        const exprs: A.Expr[] = [];
        this.sepList(0, T.Comma, () => {
          const e = this.readExpression(at);
          this.ACTION(() => this.keep(exprs, e));
        });
        let alias: A.Ident | undefined;
        let regions: A.Ident[] = [];
        let by: A.Ident | undefined;
        let weighted = false;
        let title: A.StringLit | undefined;
        this.option(at, () => {
          this.consume(at, K.as);
          alias = this.readName(at);
        });
        this.option(at + 4, () => {
          this.consume(at, K.title);
          title = this.subrule(at + 1, this.string);
        });
        this.option(at + 1, () => {
          this.consume(at, K.in);
          regions = this.subrule(at, this.identList);
        });
        this.option(at + 2, () => {
          this.consume(at, K.by);
          // `sample` and `group` are reserved words elsewhere (they start declarations) but are splits here.
          const t = this.or(at, [{ ALT: () => this.consume(at + 1, T.Identifier) }, { ALT: () => this.consume(at, K.sample) }, { ALT: () => this.consume(at, K.group) }]);
          this.ACTION(() => (by = this.ident(t)));
        });
        this.consume(at, K.bins);
        const bins: A.BinSpec[] = [];
        this.sepList(1, T.Comma, () => {
          const b = this.subrule(at, this.binSpec);
          this.ACTION(() => this.keep(bins, b));
        });
        this.option(at + 3, () => {
          this.consume(at, K.weighted);
          weighted = true;
        });
        this.consume(at, K.to);
        const path = this.readString(at);
        return this.ACTION(() => this.node({ kind: "Histogram" as const, exprs, alias, title, regions, by, bins, weighted, path }, k.startOffset, this.lastEnd()));
      },
    },
    {
      key: K.histograms,
      read: (k, at) => {
        let regions: A.Ident[] = [];
        let by: A.Ident | undefined;
        let weighted = false;
        this.option(at, () => {
          this.consume(at, K.in);
          regions = this.subrule(at, this.identList);
        });
        this.option(at + 1, () => {
          this.consume(at, K.by);
          const t = this.or(at, [{ ALT: () => this.consume(at + 1, T.Identifier) }, { ALT: () => this.consume(at, K.sample) }, { ALT: () => this.consume(at, K.group) }]);
          this.ACTION(() => (by = this.ident(t)));
        });
        this.option(at + 2, () => {
          this.consume(at, K.weighted);
          weighted = true;
        });
        this.consume(at, K.to);
        const path = this.readString(at);
        this.consume(at, T.LBrace);
        const entries: A.HistogramEntry[] = [];
        this.many(at, () => {
          const e = this.subrule(at, this.histogramEntry);
          this.ACTION(() => this.keep(entries, e));
        });
        this.consume(at, T.RBrace);
        return this.ACTION(() => this.node({ kind: "HistogramBlock" as const, regions, by, weighted, path, entries }, k.startOffset, this.lastEnd()));
      },
    },
    {
      key: K.cutflow,
      read: (k, at) => {
        let regions: A.Ident[] = [];
        let steps: A.Ident | undefined;
        this.option(at, () => {
          this.or(at, [
            {
              ALT: () => {
                this.consume(at, K.in);
                regions = this.subrule(at, this.identList);
              },
            },
            {
              ALT: () => {
                this.consume(at, K.steps);
                steps = this.readName(at);
              },
            },
          ]);
        });
        let systematics: A.Ident | undefined;
        this.option(at + 1, () => {
          this.consume(at + 1, K.with);
          const t = this.consume(at + 1, K.systematics);
          this.ACTION(() => (systematics = this.ident(t)));
        });
        this.consume(at, K.to);
        const path = this.readString(at);
        return this.ACTION(() => this.node({ kind: "Cutflow" as const, regions, ...(steps ? { steps } : {}), ...(systematics ? { systematics } : {}), path }, k.startOffset, this.lastEnd()));
      },
    },
    {
      key: K.report,
      read: (k, at) => {
        const path = this.readString(at);
        return this.ACTION(() => this.node({ kind: "Report" as const, path }, k.startOffset, this.lastEnd()));
      },
    },
    {
      key: K.dataset,
      read: (k, at) => {
        // The model is optional: the string tells the two forms apart.
        let model: A.Ident | undefined;
        this.option(at, () => {
          model = this.readName(at);
        });
        const path = this.readString(at);
        return this.ACTION(() => this.node({ kind: "Dataset" as const, model, path }, k.startOffset, this.lastEnd()));
      },
    },
    {
      key: K.onnx,
      read: (k, at) => {
        const model = this.readName(at);
        const path = this.readString(at);
        return this.ACTION(() => this.node({ kind: "Onnx" as const, model, path }, k.startOffset, this.lastEnd()));
      },
    },
    {
      key: K.ntuple,
      read: (k, at) => {
        const path = this.readString(at);
        let regions: A.Ident[] = [];
        this.option(at, () => {
          this.consume(at, K.in);
          regions = this.subrule(at, this.identList);
        });
        this.consume(at, K.keep);
        const keep: A.KeepColumn[] = [];
        // the table's seventh entry: its list takes occurrence 6 (see sepList)
        this.sepList(6, T.Comma, () => {
          const expr = this.readExpression(at);
          let alias: A.Ident | undefined;
          this.option(at + 1, () => {
            this.consume(at, K.as);
            alias = this.readName(at);
          });
          this.ACTION(() => {
            if (expr && (expr as A.Expr | A.Missing).kind !== "Missing") keep.push(this.node({ kind: "Keep" as const, expr, alias }, expr.span.start, this.lastEnd()));
          });
        });
        return this.ACTION(() => this.node({ kind: "Ntuple" as const, path, regions, keep }, k.startOffset, this.lastEnd()));
      },
    },
    this.fitOutput(K.datacard, "datacard"),
    this.fitOutput(K.workspace, "workspace"),
  ] satisfies Keyed<A.OutputItem>[]);

  /** `datacard|workspace PATH for OBSERVABLE, ... in REGION, ...` (both lists required: a channel is one of each). */
  private fitOutput(key: (typeof K)[string], format: "datacard" | "workspace"): Keyed<A.OutputItem> {
    return {
      key,
      read: (k, at) => {
        const path = this.readString(at);
        this.consume(at, K.for);
        const groups = this.subrule(at, this.channelGroups);
        return this.ACTION(() => {
          const [first, ...more] = groups.length ? groups : [{ observables: [], regions: [] }];
          return this.node({ kind: "FitOutput" as const, format, path, observables: first.observables, regions: first.regions, ...(more.length ? { more } : {}) }, k.startOffset, this.lastEnd());
        });
      },
    };
  }

  /** `OBS, ... in REGION, ...`, then more such groups after commas (`ht in r4j1b, m_bjj in r4j2b`). */
  protected channelGroups = this.RULE("channelGroups", (): A.ChannelGroup[] => {
    const groups: A.ChannelGroup[] = [];
    this.AT_LEAST_ONE_SEP({
      SEP: T.Comma,
      DEF: () => {
        const g = this.SUBRULE(this.channelGroup);
        this.ACTION(() => groups.push(g));
      },
    });
    return groups;
  }, { recoveryValueFunc: () => [] });

  protected channelGroup = this.RULE("channelGroup", (): A.ChannelGroup => {
    const observables: A.Ident[] = [];
    const regions: A.Ident[] = [];
    this.AT_LEAST_ONE_SEP({
      SEP: T.Comma,
      DEF: () => {
        const t = this.CONSUME(T.Identifier);
        this.ACTION(() => observables.push(this.ident(t)));
      },
    });
    this.CONSUME(K.in);
    const r = this.CONSUME1(T.Identifier);
    this.ACTION(() => regions.push(this.ident(r)));
    // the regions go on until a comma starts the next group (names followed by `in`)
    this.MANY({
      GATE: () => this.LA(1).tokenType === T.Comma && !this.groupStartsAt(2),
      DEF: () => {
        this.CONSUME(T.Comma);
        const t = this.CONSUME2(T.Identifier);
        this.ACTION(() => regions.push(this.ident(t)));
      },
    });
    return { observables, regions };
  }, { recoveryValueFunc: () => ({ observables: [], regions: [] }) });

  /** Whether the tokens from LA(i) on are `NAME, ..., NAME in`: a channel group's start. */
  private groupStartsAt(i: number): boolean {
    while (tokenMatcher(this.LA(i), T.Identifier) && this.LA(i + 1).tokenType === T.Comma) i += 2;
    return tokenMatcher(this.LA(i), T.Identifier) && this.LA(i + 1).tokenType === K.in;
  }

  /** An entry of a `histograms` block: `EXPR [, EXPR] [as NAME] [title STRING] [in REGIONS] [by SPLIT] bins BINNING [, BINNING] [weighted]`. */
  protected histogramEntry = this.RULE("histogramEntry", (): A.HistogramEntry => {
    const exprs: A.Expr[] = [];
    let alias: A.Ident | undefined;
    let title: A.StringLit | undefined;
    let regions: A.Ident[] = [];
    let by: A.Ident | undefined;
    let weighted = false;
    const start = this.LA(1).startOffset;
    this.AT_LEAST_ONE_SEP({
      SEP: T.Comma,
      DEF: () => {
        const e = this.SUBRULE(this.expression);
        this.ACTION(() => this.keep(exprs, e));
      },
    });
    this.OPTION(() => {
      this.CONSUME(K.as);
      const t = this.CONSUME(T.Identifier);
      this.ACTION(() => (alias = this.ident(t)));
    });
    this.OPTION1(() => {
      this.CONSUME(K.title);
      title = this.SUBRULE(this.string);
    });
    this.OPTION2(() => {
      this.CONSUME(K.in);
      regions = this.SUBRULE(this.identList);
    });
    this.OPTION3(() => {
      this.CONSUME(K.by);
      const t = this.OR([{ ALT: () => this.CONSUME1(T.Identifier) }, { ALT: () => this.CONSUME(K.sample) }, { ALT: () => this.CONSUME(K.group) }]);
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
    this.OPTION4(() => {
      this.CONSUME(K.weighted);
      weighted = true;
    });
    return this.ACTION(() => this.node({ kind: "HistogramEntry" as const, exprs, alias, title, regions, by, bins, weighted }, start, this.lastEnd()));
  }, this.recovery("histogramEntry"));

  protected outputDecl = this.RULE("outputDecl", (): A.OutputDecl => {
    const kw = this.CONSUME(K.output);
    const items: A.OutputItem[] = [];
    let inline = false;
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LBrace);
          this.MANY(() => {
            const it = this.SUBRULE(this.outputItem);
            this.ACTION(() => this.keep(items, it));
          });
          this.CONSUME(T.RBrace);
        },
      },
      {
        // `output ntuple "..." ...`: one item without braces
        ALT: () => {
          const it = this.SUBRULE1(this.outputItem);
          this.ACTION(() => {
            this.keep(items, it);
            inline = true;
          });
        },
      },
    ]);
    return this.ACTION(() => this.node({ kind: "Output" as const, items, ...(inline ? { inline } : {}) }, kw.startOffset, this.lastEnd()));
  }, this.recovery("outputDecl"));

  protected outputItem = this.RULE("outputItem", (): A.OutputItem => this.OR(this.outputItems), this.recovery("outputItem"));
}
