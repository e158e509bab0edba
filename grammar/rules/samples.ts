/** Samples: a block of keyword properties, read from one table. */
import type { IOrAlt } from "chevrotain";
import type * as A from "../ast.js";
import * as T from "../lexer.js";
import type { Keyed } from "./base.js";
import { DeclarationRules } from "./declarations.js";

const K = T.KW;

export class SampleRules extends DeclarationRules {
  private sampleProps: IOrAlt<A.SampleProp>[] = this.keyedAlts<A.SampleProp>([
    this.field(K.files, "files", "files", (at) => this.readStrings(at)),
    this.field(K.tree, "tree", "tree", (at) => this.readString(at)),
    this.field(K.class, "class", "klass", (at) => this.readName(at)),
    // Without `where`: the next line's `where` is the sample's selection, not a filter of the weight.
    this.field(K.weight, "weight", "expr", (at) => this.readOrExpr(at)),
    this.field(T.Where, "where", "expr", (at) => this.readOrExpr(at)),
    this.field(K.xsec, "xsec", "value", (at) => this.readQuantity(at)),
    this.field(K.sumw, "sumw", "value", (at) => this.readNumber(at)),
    this.field(K.title, "title", "title", (at) => this.readString(at)),
    this.classesEntry(),
    {
      key: K.friend,
      read: (k, at) => {
        const files = this.readString(at);
        // required, so that a sample's own `tree` on the next line is never taken for the friend's
        this.consume(at, K.tree);
        const tree = this.subrule(at + 1, this.string);
        return this.ACTION(() => this.prop(k, { prop: "friend" as const, files, tree }));
      },
    },
  ] satisfies Keyed<A.SampleProp>[]);

  /** The `classes` entry of the sample and train tables: `classes [by EXPR] { NAME = VALUE ... }`. */
  protected classesEntry<P extends A.SampleProp | A.TrainProp>(): Keyed<P> {
    return {
      key: K.classes,
      read: (k, at) => {
        const body = this.subrule(at, this.classesBody);
        return this.ACTION(() => this.prop(k, { prop: "classes" as const, by: body.by, entries: body.entries }) as P);
      },
    };
  }

  protected classesBody = this.RULE("classesBody", (): A.ClassesBody => {
    let by: A.Expr | undefined;
    this.OPTION(() => {
      this.CONSUME(K.by);
      by = this.SUBRULE(this.expression);
    });
    const entries: A.ClassEntry[] = [];
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      const e = this.SUBRULE(this.classEntry);
      this.ACTION(() => this.keep(entries, e));
      this.OPTION1(() => this.OR([{ ALT: () => this.CONSUME(T.Semicolon) }, { ALT: () => this.CONSUME(T.Comma) }]));
    });
    this.CONSUME(T.RBrace);
    return { by, entries };
  }, { recoveryValueFunc: () => ({ entries: [] }) });

  protected classEntry = this.RULE("classEntry", (): A.ClassEntry => {
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    const value = this.SUBRULE(this.expression);
    return this.ACTION(() => this.node({ kind: "ClassEntry" as const, name: this.ident(name), value }, name.startOffset, this.lastEnd()));
  }, this.recovery("classEntry"));

  protected sampleDecl = this.RULE("sampleDecl", (): A.SampleDecl => {
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

  /** `defaults { PROPERTY ... }`: the properties of a sample block, shared by every sample. */
  protected defaultsDecl = this.RULE("defaultsDecl", (): A.DefaultsDecl => {
    const kw = this.CONSUME(K.defaults);
    const props: A.SampleProp[] = [];
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      const p = this.SUBRULE(this.sampleProp);
      this.ACTION(() => this.keep(props, p));
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => this.node({ kind: "Defaults" as const, props }, kw.startOffset, this.lastEnd()));
  }, this.recovery("defaultsDecl"));

  protected sampleProp = this.RULE("sampleProp", (): A.SampleProp => this.OR(this.sampleProps), this.recovery("sampleProp"));
}
