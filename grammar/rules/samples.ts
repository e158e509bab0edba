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
  ] satisfies Keyed<A.SampleProp>[]);

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
