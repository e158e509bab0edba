/**
 * Machine learning: feature lists with their scalings, models with their options, and the train
 * and evaluate blocks, whose properties are keyword tables.
 */
import type { IOrAlt, IRecognitionException, TokenType } from "chevrotain";
import type * as A from "../ast.js";
import * as T from "../lexer.js";
import { entryOf, type Keyed } from "./base.js";
import { SampleRules } from "./samples.js";

const K = T.KW;

/**
 * The occurrence of the `+` list inside `merge`: clear of the train table's entry numbers (0..8
 * today), which its other lists use. A clash fails chevrotain's grammar validation at start-up.
 */
const TRAIN_PLUS_LIST = 9;

export class TrainingRules extends SampleRules {
  protected featuresDecl = this.RULE("featuresDecl", (): A.FeaturesDecl => {
    const kw = this.CONSUME(K.features);
    const name = this.CONSUME(T.Identifier);
    const items: A.FeatureItem[] = [];
    let sequence: A.SequenceSpec | undefined;
    this.OPTION(() => {
      sequence = this.SUBRULE(this.sequenceSpec);
    });
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      const it = this.SUBRULE(this.featureItem);
      this.ACTION(() => this.keep(items, it));
      // `{ pt, eta }` as well as `{ pt eta }`: the formatter writes one feature a line
      this.OPTION3(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => this.node({ kind: "Features" as const, name: this.ident(name), items, ...(sequence ? { sequence } : {}) }, kw.startOffset, this.lastEnd()));
  }, this.recovery("featuresDecl"));

  /** `per COLLECTION [sorted by KEY] [length N] [pad P]`: a missing length is reported by the checker, with the fix. */
  protected sequenceSpec = this.RULE("sequenceSpec", (): A.SequenceSpec => {
    const kw = this.CONSUME(K.per);
    const collection = this.SUBRULE(this.expression);
    let key: A.Expr | undefined;
    let length: A.NumberLit | undefined;
    let pad: A.Expr | undefined;
    this.OPTION(() => {
      this.CONSUME(K.sorted);
      this.CONSUME(K.by);
      key = this.SUBRULE1(this.expression);
    });
    this.OPTION1(() => {
      this.CONSUME(K.length);
      length = this.SUBRULE(this.number);
    });
    this.OPTION2(() => {
      this.CONSUME(K.pad);
      pad = this.SUBRULE(this.signedNumber);
    });
    return this.ACTION(() => this.node({ kind: "Sequence" as const, collection, key, length, pad }, kw.startOffset, this.lastEnd()));
  });

  protected featureItem = this.RULE("featureItem", (): A.FeatureItem => {
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

  /** Scalings, a keyword table too: each entry reads its parameters after the scaling's word. */
  private scalings: IOrAlt<A.Scaling>[] = this.keyedAlts<A.Scaling>([
    {
      key: K.normal,
      read: (k, at) => {
        let clip: A.NumberLit | undefined;
        this.option(at, () => {
          this.consume(at, K.clip);
          clip = this.readNumber(at);
        });
        return this.ACTION(() => this.node({ kind: "Scaling" as const, scaling: "normal" as const, clip }, k.startOffset, this.lastEnd()));
      },
    },
    {
      key: K.linear,
      read: (k, at) => {
        const low = this.subrule(at, this.signedNumber);
        this.consume(at, T.DotDot);
        const high = this.subrule(at + 1, this.signedNumber);
        return this.ACTION(() => this.node({ kind: "Scaling" as const, scaling: "linear" as const, low, high }, k.startOffset, this.lastEnd()));
      },
    },
    {
      // weaver's manual scaling: (x - S) * M, clipped to LOW .. HIGH when given.
      key: K.shift,
      read: (k, at) => {
        const shift = this.subrule(at, this.signedNumber);
        this.consume(at, K.scale);
        const factor = this.subrule(at + 1, this.signedNumber);
        let low: A.Expr | undefined;
        let high: A.Expr | undefined;
        this.option(at, () => {
          this.consume(at, K.clip);
          low = this.subrule(at + 2, this.signedNumber);
          this.consume(at, T.DotDot);
          high = this.subrule(at + 3, this.signedNumber);
        });
        return this.ACTION(() => this.node({ kind: "Scaling" as const, scaling: "manual" as const, shift, factor, low, high }, k.startOffset, this.lastEnd()));
      },
    },
    this.simpleScaling(K.categorical, "categorical"),
    this.simpleScaling(K.log, "log"),
    this.simpleScaling(K.none, "none"),
  ] satisfies Keyed<A.Scaling>[]);
  private simpleScaling(key: TokenType, scaling: A.ScalingKind): Keyed<A.Scaling> {
    return { key, read: (k) => this.ACTION(() => this.node({ kind: "Scaling" as const, scaling }, k.startOffset, this.tokEnd(k))) };
  }

  protected scaling = this.RULE("scaling", (): A.Scaling => this.OR(this.scalings), this.recovery("scaling"));

  protected modelDecl = this.RULE("modelDecl", (): A.ModelDecl => {
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

  protected modelOption = this.RULE("modelOption", (): A.ModelOption => {
    // `bins` and `output` are reserved words elsewhere but fine option names.
    const key = this.OR([{ ALT: () => this.CONSUME(T.Identifier) }, { ALT: () => this.CONSUME(K.bins) }, { ALT: () => this.CONSUME(K.output) }]);
    const value = this.SUBRULE(this.optionValue);
    return this.ACTION(() => this.node({ kind: "Option" as const, key: this.ident(key), value }, key.startOffset, this.lastEnd()));
  }, this.recovery("modelOption"));

  protected optionValue = this.RULE(
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

  private trainProps: IOrAlt<A.TrainProp>[] = this.keyedAlts<A.TrainProp>([
    this.field(K.on, "on", "region", (at) => this.readName(at)),
    {
      key: K.folds,
      read: (k, at) => {
        const folds = this.readNumber(at);
        this.consume(at, K.by);
        const by = this.readExpression(at);
        return this.ACTION(() => this.prop(k, { prop: "folds" as const, folds, by }));
      },
    },
    this.field(K.balance, "balance", "mode", (at) => this.readName(at)),
    {
      key: K.reweight,
      read: (k, at) => {
        // `reweight flat in …` or `reweight to SAMPLE in …`: the mode word is `to` itself.
        let target: A.Ident | undefined;
        const m = this.or(at, [
          {
            ALT: () => {
              const to = this.consume(at, K.to);
              target = this.readName(at);
              return to;
            },
          },
          { GATE: () => this.LA(1).tokenType !== K.to, ALT: () => this.consume(at + 1, T.Identifier) },
        ]);
        this.consume(at, K.in);
        const axes = this.subrule(at, this.axes);
        // `merge b + bb, c + cc`: classes reweighted as one (weaver's reweight_classes).
        const merge: A.MergeGroup[] = [];
        this.option(at, () => {
          this.consume(at, K.merge);
          this.sepList(entryOf(at), T.Comma, () => {
            const classes: A.Ident[] = [];
            this.sepList(TRAIN_PLUS_LIST, T.Plus, () => {
              const c = this.readName(at + 2);
              this.ACTION(() => classes.push(c));
            });
            this.ACTION(() => {
              if (classes.length) merge.push(this.node({ kind: "MergeGroup" as const, classes }, classes[0].span.start, this.lastEnd()));
            });
          });
        });
        let maxWeight: A.NumberLit | undefined;
        this.option(at + 1, () => {
          this.consume(at, K.max_weight);
          maxWeight = this.readNumber(at);
        });
        return this.ACTION(() => this.prop(k, { prop: "reweight" as const, mode: this.ident(m), target, axes, merge, maxWeight }));
      },
    },
    this.field(K.validation, "validation", "fraction", (at) => this.readNumber(at)),
    // A number is a seeded fraction, anything else a per-event condition: the checker tells them apart.
    this.field(K.test, "test", "value", (at) => this.readOrExpr(at)),
    {
      key: K.class_weights,
      read: (k, at) => {
        const weights: A.ClassWeight[] = [];
        this.sepList(entryOf(at), T.Comma, () => {
          const n = this.readName(at);
          const v = this.readNumber(at);
          this.ACTION(() => weights.push(this.node({ kind: "ClassWeight" as const, name: n, value: v }, n.span.start, this.lastEnd())));
        });
        return this.ACTION(() => this.prop(k, { prop: "class_weights" as const, weights }));
      },
    },
    this.field(K.negative_weights, "negative_weights", "mode", (at) => this.readName(at)),
    // `device gpu`: where the block's models that can use a GPU train (auto, cpu, gpu)
    this.field(K.device, "device", "mode", (at) => this.readName(at)),
    this.classesEntry<A.TrainProp>(),
  ] satisfies Keyed<A.TrainProp>[]);

  protected trainDecl = this.RULE("trainDecl", (): A.TrainDecl => {
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

  protected trainProp = this.RULE("trainProp", (): A.TrainProp => this.OR(this.trainProps), this.recovery("trainProp"));

  /** `expr binning, expr binning, ...` for reweighting and evaluation bins. */
  protected axes = this.RULE("axes", (): A.ReweightAxis[] => {
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

  private evaluateProps: IOrAlt<A.EvaluateProp>[] = this.keyedAlts<A.EvaluateProp>([
    this.field(K.in, "in", "region", (at) => this.readName(at)),
    this.field(K.bins, "bins", "axes", (at) => this.subrule(at, this.axes)),
    {
      key: K.metrics,
      read: (k, at) => {
        const metrics: A.Metric[] = [];
        this.sepList(entryOf(at), T.Comma, () => {
          const n = this.consume(at, T.Identifier);
          // `auc A vs B`, `auc vs B`: the class before `vs` only when `vs` follows it
          let of: A.Ident | undefined;
          let vs: A.Ident | undefined;
          this.option(at + 1, {
            GATE: () => this.LA(1).tokenType === K.vs || this.LA(2).tokenType === K.vs,
            DEF: () => {
              this.option(at + 2, {
                GATE: () => this.LA(2).tokenType === K.vs,
                DEF: () => {
                  of = this.readName(at + 1);
                },
              });
              this.consume(at, K.vs);
              vs = this.readName(at + 2);
            },
          });
          let at_: A.NumberLit | undefined;
          this.option(at, () => {
            this.consume(at, K.at);
            at_ = this.readNumber(at);
          });
          this.ACTION(() => metrics.push(this.node({ kind: "Metric" as const, name: this.ident(n), at: at_, of, vs }, n.startOffset, this.lastEnd())));
        });
        return this.ACTION(() => this.prop(k, { prop: "metrics" as const, metrics }));
      },
    },
    {
      key: K.working_points,
      read: (k, at) => {
        const points: A.WorkingPoint[] = [];
        this.consume(at, T.LBrace);
        this.many(at, () => {
          const n = this.consume(at, T.Identifier);
          const v = this.readNumber(at);
          this.ACTION(() => points.push(this.node({ kind: "WorkingPoint" as const, name: this.ident(n), value: v }, n.startOffset, this.lastEnd())));
        });
        this.consume(at, T.RBrace);
        // `given MODEL.NAME`: derived among the events passing another discriminator's working point
        let given: { model: A.Ident; point: A.Ident } | undefined;
        this.option(at, () => {
          this.consume(at, K.given);
          // occurrences after the working points' own identifiers (at)
          const model = this.readName(at + 1);
          this.consume(at, T.Dot);
          const point = this.readName(at + 2);
          this.ACTION(() => (given = { model, point }));
        });
        return this.ACTION(() => this.prop(k, { prop: "working_points" as const, points, given }));
      },
    },
    this.field(K.reference, "reference", "model", (at) => this.readName(at)),
  ] satisfies Keyed<A.EvaluateProp>[]);

  protected evaluateDecl = this.RULE("evaluateDecl", (): A.EvaluateDecl => {
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

  protected evaluateProp = this.RULE("evaluateProp", (): A.EvaluateProp => this.OR(this.evaluateProps), this.recovery("evaluateProp"));
}
