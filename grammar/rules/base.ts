/**
 * What every rule group shares: node construction (ids, spans), recovery values, and the one helper
 * for the language's many `KEYWORD value...` entries (properties of sample, train and evaluate
 * blocks, the analysis header, outputs), driven by a table per block.
 *
 * The grammar is one chevrotain parser split into files by inheritance, the way chevrotain splits
 * grammars: each group's class extends the previous one (base → expressions → declarations →
 * samples → training → outputs → grammar/parser.ts), and rules refer to rules of later groups freely
 * because chevrotain only follows references when it records the grammar, after every rule exists.
 */
import type { IOrAlt, IRecognitionException, IToken, TokenType } from "chevrotain";
import { EmbeddedActionsParser } from "../chevrotain.js";
import type * as A from "../ast.js";
import * as T from "../lexer.js";

/**
 * One `KEYWORD value...` entry of a block. `read` runs after the keyword is consumed: it reads the
 * rest and builds the entry's node. `at` numbers the entry's grammar positions: chevrotain tells two
 * uses of one token or rule within a rule apart by an occurrence index, so an entry uses `at`,
 * `at + 1` ... up to its last slot (SLOTS - 1 of them, see `slot`) and never collides with another
 * entry of its table.
 */
export interface Keyed<N> {
  key: TokenType;
  read: (k: IToken, at: number) => N;
}

/** Occurrence indices reserved per table entry; chevrotain allows indices up to 255. */
export const SLOTS = 8;

const LIST_RULES = new Set(["file", "identList", "axes"]);

export class ParserBase extends EmbeddedActionsParser {
  private nextId = 0;

  /**
   * @param validate run chevrotain's grammar validations (ambiguities, left recursion) while
   *   building: a test does (test/grammar-validations.test.ts); every command skips them, as they
   *   cost a fifth of `hepc check`'s start-up and the grammar does not change at run time.
   */
  constructor(validate = false) {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, skipValidations: !validate });
  }

  /**
   * What a rule returns when recovery gives up inside it: an empty list for list rules, otherwise
   * a `Missing` node at the offending token. Containers drop `Missing` entries of their lists.
   */
  // Typed `any` because a recovered rule breaks its declared return type by design: any child node
  // may be `Missing`, and every later stage checks `kind` before it trusts a child's shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  protected recovery(rule: string): { recoveryValueFunc: (e: IRecognitionException) => any } {
    return {
      recoveryValueFunc: (e: IRecognitionException) => (LIST_RULES.has(rule) ? [] : this.missingAt(e.token)),
    };
  }

  /** Node ids restart per file. (Not `reset`: that name is chevrotain's own state reset.) */
  resetIds(): void {
    this.nextId = 0;
  }
  get nodeCount(): number {
    return this.nextId;
  }

  protected node<N extends { kind: string }>(n: N, start: number, end: number): N & { id: number; span: { start: number; end: number } } {
    // Mutating the fresh literal instead of spreading it into a copy halves parse-time allocation.
    const m = n as N & A.Node;
    m.id = this.nextId++;
    m.span = { start, end };
    return m;
  }
  /** Lists keep what was read; a construct lost to recovery has already been reported. */
  protected keep<N>(list: N[], item: N | A.Missing | undefined): void {
    if (item && (item as A.Missing).kind !== "Missing") list.push(item as N);
  }
  protected missingAt(tok: IToken | undefined): A.Missing {
    const off = tok && !Number.isNaN(tok.startOffset) ? tok.startOffset : this.lastEnd();
    return this.node({ kind: "Missing" as const }, off, off);
  }
  /** A token error recovery inserted: it has no position and stands for nothing the user wrote. */
  protected inserted(t: IToken): boolean {
    return Number.isNaN(t.startOffset);
  }
  /** Token images are slices of the source, so the end is start + length (inserted tokens: where parsing stands). */
  protected tokEnd(t: IToken): number {
    return Number.isNaN(t.startOffset) ? this.lastEnd() : t.startOffset + t.image.length;
  }
  protected ident(t: IToken): A.Ident {
    // A token inserted by recovery has no position: place it where parsing stands.
    const start = Number.isNaN(t.startOffset) ? this.lastEnd() : t.startOffset;
    return this.node({ kind: "Ident" as const, name: t.image }, start, start + t.image.length);
  }
  /** The end of the last token consumed, for spans of nodes that end on a token. */
  protected lastEnd(): number {
    const t = this.LA(0);
    return t && !Number.isNaN(t.startOffset) ? this.tokEnd(t) : 0;
  }

  /** A property node spanning from its key to the last token consumed. */
  protected prop<V extends object>(k: IToken, v: V): A.Node & { kind: "Property"; key: A.Ident } & V {
    return this.node({ kind: "Property" as const, key: this.ident(k), ...v }, k.startOffset, this.lastEnd());
  }

  // ---- keyword tables -------------------------------------------------------------------------

  /**
   * The alternatives of a keyword table, built once per table (not per parse): entry i consumes
   * its keyword at occurrence `slot(i, 0)` and reads its value from `slot(i, 1)` on.
   */
  protected keyedAlts<N>(table: ReadonlyArray<Keyed<N>>): IOrAlt<N>[] {
    if (table.length * SLOTS > 255) throw new Error("internal: a keyword table too long for chevrotain's occurrence indices");
    return table.map((e, i) => ({ ALT: () => e.read(this.consume(slot(i, 0), e.key), slot(i, 1)) }));
  }

  /** `KEYWORD value`: a property whose one value goes in `field`; `value` reads it at an occurrence index. */
  protected field<P extends string, F extends string, V>(key: TokenType, prop: P, name: F, value: (at: number) => V): Keyed<A.Node & { kind: "Property"; key: A.Ident; prop: P } & Record<F, V>> {
    return {
      key,
      read: (k, at) => {
        const v = value(at);
        return this.ACTION(() => this.prop(k, { prop, [name]: v } as { prop: P } & Record<F, V>));
      },
    };
  }

  /**
   * A separated list at an occurrence index. chevrotain has no indexed `atLeastOneSep(idx, ...)`
   * method, only AT_LEAST_ONE_SEP to AT_LEAST_ONE_SEP9: a table entry's list takes the entry's own
   * number (`entryOf(at)`), so a table holds at most ten entries with a list.
   */
  protected sepList(idx: number, sep: TokenType, def: () => void): void {
    const opts = { SEP: sep, DEF: def };
    switch (idx) {
      case 0: return this.AT_LEAST_ONE_SEP(opts);
      case 1: return this.AT_LEAST_ONE_SEP1(opts);
      case 2: return this.AT_LEAST_ONE_SEP2(opts);
      case 3: return this.AT_LEAST_ONE_SEP3(opts);
      case 4: return this.AT_LEAST_ONE_SEP4(opts);
      case 5: return this.AT_LEAST_ONE_SEP5(opts);
      case 6: return this.AT_LEAST_ONE_SEP6(opts);
      case 7: return this.AT_LEAST_ONE_SEP7(opts);
      case 8: return this.AT_LEAST_ONE_SEP8(opts);
      case 9: return this.AT_LEAST_ONE_SEP9(opts);
      default: throw new Error(`internal: separated list at occurrence ${idx}; chevrotain has 0..9`);
    }
  }
}

/** The k-th occurrence index of a table's entry i. */
export function slot(i: number, k: number): number {
  return i * SLOTS + k;
}

/** The table entry an occurrence index belongs to. */
export function entryOf(at: number): number {
  return Math.floor(at / SLOTS);
}
