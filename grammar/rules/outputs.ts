/** The output block: predictions, histograms, cutflows, the report, training datasets and ONNX exports, each an entry of one keyword table. */
import type { IOrAlt } from "chevrotain";
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
        this.option(at, () => {
          this.consume(at, K.as);
          alias = this.readName(at);
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
        return this.ACTION(() => this.node({ kind: "Histogram" as const, exprs, alias, regions, by, bins, weighted, path }, k.startOffset, this.lastEnd()));
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
        this.consume(at, K.to);
        const path = this.readString(at);
        return this.ACTION(() => this.node({ kind: "Cutflow" as const, regions, ...(steps ? { steps } : {}), path }, k.startOffset, this.lastEnd()));
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
  ] satisfies Keyed<A.OutputItem>[]);

  protected outputDecl = this.RULE("outputDecl", (): A.OutputDecl => {
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

  protected outputItem = this.RULE("outputItem", (): A.OutputItem => this.OR(this.outputItems), this.recovery("outputItem"));
}
