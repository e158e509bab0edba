/**
 * Expressions and literals: precedence climbing from `where` down to postfix and primary, numbers
 * (with units), strings, booleans, lists, plus the small value readers the keyword tables use.
 */
import type { IRecognitionException, IToken, TokenType } from "chevrotain";
import type * as A from "../ast.js";
import * as T from "../lexer.js";
import { isUnitWord } from "../units.js";
import { entryOf, ParserBase } from "./base.js";

export class ExpressionRules extends ParserBase {
  // ---- expressions ---------------------------------------------------------------------------
  // Precedence, loosest first: where · or · and · not · comparison (and `in`, `is`) · ?? · | · & · << >>
  // · + - · * / % · unary - · ^ · postfix. Bitwise operators bind tighter than comparisons (as in
  // Python, not C), so `jetId & 2 != 0` is `(jetId & 2) != 0`; `??` is looser than them (as in C#),
  // so `x & 2 ?? 0` is `(x & 2) ?? 0`.

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
  protected binaryChain(first: () => A.Expr, next: () => A.Expr, ops: TokenType[], opOf: (t: IToken) => A.BinaryOp): A.Expr {
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

  protected orExpr = this.RULE("orExpr", (): A.Expr => this.binaryChain(() => this.SUBRULE(this.andExpr), () => this.SUBRULE1(this.andExpr), [T.Or], () => "or"), this.recovery("orExpr"));
  protected andExpr = this.RULE("andExpr", (): A.Expr => this.binaryChain(() => this.SUBRULE(this.notExpr), () => this.SUBRULE1(this.notExpr), [T.And], () => "and"), this.recovery("andExpr"));

  protected notExpr = this.RULE("notExpr", (): A.Expr => {
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

  /**
   * Comparisons do not chain: `a < b < c` is a syntax error rather than a surprise. Membership
   * (`x in [0, 1]`, `x not in [...]`) binds like a comparison; `in` starts it only before `[`, so
   * `histogram x in presel` keeps reading regions.
   */
  protected comparison = this.RULE("comparison", (): A.Expr => {
    const left = this.SUBRULE(this.fallback);
    let result = left;
    this.OPTION({
      // Membership only before `[`: elsewhere `in` after an expression belongs to the enclosing entry.
      GATE: () => {
        const t = this.LA(1).tokenType;
        if (t === T.KW.in) return this.LA(2).tokenType === T.LBracket;
        if (t === T.Not) return this.LA(2).tokenType === T.KW.in && this.LA(3).tokenType === T.LBracket;
        return true;
      },
      DEF: () => this.OR1([
        {
          ALT: () => {
            const t = this.OR([
              { ALT: () => this.CONSUME(T.EqEq) },
              { ALT: () => this.CONSUME(T.NotEq) },
              { ALT: () => this.CONSUME(T.LtEq) },
              { ALT: () => this.CONSUME(T.GtEq) },
              { ALT: () => this.CONSUME(T.Lt) },
              { ALT: () => this.CONSUME(T.Gt) },
              { ALT: () => this.CONSUME(T.Tilde) },
              { ALT: () => this.CONSUME(T.KW.is) },
            ]);
            const right = this.SUBRULE1(this.fallback);
            this.ACTION(() => {
              result = this.node({ kind: "Binary" as const, op: t.image as A.BinaryOp, left, right }, left.span.start, right.span.end);
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.KW.in);
            const set = this.SUBRULE(this.list);
            this.ACTION(() => {
              result = this.node({ kind: "In" as const, target: left, negated: false, items: set.kind === "List" ? set.items : [] }, left.span.start, set.span.end);
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Not);
            this.CONSUME1(T.KW.in);
            const set = this.SUBRULE1(this.list);
            this.ACTION(() => {
              result = this.node({ kind: "In" as const, target: left, negated: true, items: set.kind === "List" ? set.items : [] }, left.span.start, set.span.end);
            });
          },
        },
      ]),
    });
    return result;
  }, this.recovery("comparison"));

  /**
   * `a ?? b`: `b` where `a` is missing. Looser than arithmetic and bitwise operators, tighter than comparisons
   * (`max(x) ?? 0 > 30` compares the fallback's result), right-associative like Swift's and
   * Kotlin's: `a ?? b ?? c` tries `a`, then `b`, then `c`.
   */
  protected fallback = this.RULE("fallback", (): A.Expr => {
    const left = this.SUBRULE(this.bitOr);
    let result = left;
    this.OPTION(() => {
      this.CONSUME(T.QuestionQuestion);
      const right = this.SUBRULE(this.fallback);
      this.ACTION(() => {
        result = this.node({ kind: "Binary" as const, op: "??" as const, left, right }, left.span.start, right.span.end);
      });
    });
    return result;
  }, this.recovery("fallback"));

  protected bitOr = this.RULE("bitOr", (): A.Expr =>
    this.binaryChain(() => this.SUBRULE(this.bitAnd), () => this.SUBRULE1(this.bitAnd), [T.Pipe], () => "|"),
    this.recovery("bitOr"));
  protected bitAnd = this.RULE("bitAnd", (): A.Expr =>
    this.binaryChain(() => this.SUBRULE(this.shift), () => this.SUBRULE1(this.shift), [T.Amp], () => "&"),
    this.recovery("bitAnd"));
  protected shift = this.RULE("shift", (): A.Expr =>
    this.binaryChain(() => this.SUBRULE(this.additive), () => this.SUBRULE1(this.additive), [T.ShiftLeft, T.ShiftRight], (t) => t.image as A.BinaryOp),
    this.recovery("shift"));

  protected additive = this.RULE("additive", (): A.Expr =>
    this.binaryChain(() => this.SUBRULE(this.multiplicative), () => this.SUBRULE1(this.multiplicative), [T.Plus, T.Minus], (t) => t.image as A.BinaryOp),
    this.recovery("additive"));
  protected multiplicative = this.RULE("multiplicative", (): A.Expr =>
    this.binaryChain(() => this.SUBRULE(this.unary), () => this.SUBRULE1(this.unary), [T.Star, T.Slash, T.Percent], (t) => t.image as A.BinaryOp),
    this.recovery("multiplicative"));

  protected unary = this.RULE("unary", (): A.Expr => {
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
  protected power = this.RULE("power", (): A.Expr => {
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

  protected postfix = this.RULE("postfix", (): A.Expr => {
    let e = this.SUBRULE(this.primary);
    this.MANY({
      // `jets[0]` indexes; `pt [25, 40]` (with a space) is a binning after an expression.
      GATE: () => this.LA(1).tokenType === T.Dot || (this.LA(1).tokenType === T.LBracket && this.LA(1).startOffset === this.tokEnd(this.LA(0))),
      DEF: () => {
        this.OR([
          {
            // `jets[0]`, or a slice: `jets[1:3]`, `jets[:6]`, `jets[2:]`.
            ALT: () => {
              const open = this.CONSUME(T.LBracket);
              let low: A.Expr | undefined;
              let high: A.Expr | undefined;
              let colon: IToken | undefined;
              this.OR1([
                {
                  ALT: () => {
                    colon = this.CONSUME(T.Colon);
                    this.OPTION(() => {
                      high = this.SUBRULE(this.expression);
                    });
                  },
                },
                {
                  ALT: () => {
                    low = this.SUBRULE1(this.expression);
                    this.OPTION1(() => {
                      colon = this.CONSUME1(T.Colon);
                      this.OPTION2(() => {
                        high = this.SUBRULE2(this.expression);
                      });
                    });
                  },
                },
              ]);
              this.CONSUME(T.RBracket);
              this.ACTION(() => {
                if (colon) e = this.node({ kind: "Slice" as const, target: e, ...(low ? { low } : {}), ...(high ? { high } : {}) }, e.span.start, this.lastEnd());
                else e = this.node({ kind: "Index" as const, target: e, index: low ?? this.missingAt(open) }, e.span.start, this.lastEnd());
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

  protected primary = this.RULE("primary", (): A.Expr => {
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

  protected list = this.RULE("list", (): A.ListExpr => {
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

  protected number = this.RULE("number", (): A.NumberLit => {
    const t = this.CONSUME(T.NumberLit);
    // A number recovery inserted has no value: `Missing`, so no check reads a made-up 0.
    return this.ACTION(() => (this.inserted(t) ? (this.missingAt(undefined) as unknown as A.NumberLit) : this.numberNode(t)));
  }, this.recovery("number"));

  /** In expressions a number may carry a unit: `25 GeV`. Units are words the syntax stage knows. */
  protected numberWithUnit = this.RULE("numberWithUnit", (): A.NumberLit => {
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
  protected quantity = this.RULE("quantity", (): A.NumberLit => {
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

  protected numberNode(t: IToken): A.NumberLit {
    const raw = t.image;
    const isInt = /^\d+$/.test(raw);
    return this.node({ kind: "Number" as const, value: Number(raw), raw, isInt }, t.startOffset, this.tokEnd(t));
  }

  protected string = this.RULE("string", (): A.StringLit => {
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

  protected bool = this.RULE("bool", (): A.BoolLit => {
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

  /** A number with an optional leading minus, as an expression (bin edges, ranges). */
  protected signedNumber = this.RULE("signedNumber", (): A.Expr => {
    let minus: IToken | undefined;
    this.OPTION(() => {
      minus = this.CONSUME(T.Minus);
    });
    const n = this.SUBRULE(this.number);
    return this.ACTION(() =>
      minus ? this.node({ kind: "Unary" as const, op: "-" as const, operand: n }, minus.startOffset, n.span.end) : n,
    );
  }, this.recovery("signedNumber"));

  protected identList = this.RULE("identList", (): A.Ident[] => {
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


  // ---- value readers for keyword tables (grammar/rules/base.ts): one value at an occurrence index ----

  protected readString(at: number): A.StringLit {
    return this.subrule(at, this.string);
  }
  protected readNumber(at: number): A.NumberLit {
    return this.subrule(at, this.number);
  }
  protected readQuantity(at: number): A.NumberLit {
    return this.subrule(at, this.quantity);
  }
  /** An expression without `where`, for values a `where` may follow on the next line. */
  protected readOrExpr(at: number): A.Expr {
    return this.subrule(at, this.orExpr);
  }
  protected readExpression(at: number): A.Expr {
    return this.subrule(at, this.expression);
  }
  protected readName(at: number): A.Ident {
    const t = this.consume(at, T.Identifier);
    return this.ACTION(() => this.ident(t));
  }
  /** `"a", "b", ...`: the list takes its entry's number among the table's lists. */
  protected readStrings(at: number): A.StringLit[] {
    const out: A.StringLit[] = [];
    this.sepList(entryOf(at), T.Comma, () => {
      const s = this.subrule(at, this.string);
      this.ACTION(() => this.keep(out, s));
    });
    return out;
  }
}
