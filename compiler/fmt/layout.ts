/**
 * Syntax tree to lines: the canonical text of every declaration, one `Line` per output line, each
 * carrying the source range it stands for so comments can be put back next to it (comments.ts).
 * The layout rules are listed in index.ts.
 */
import type { IToken } from "chevrotain";
import type * as A from "../../grammar/ast.js";
import * as T from "../../grammar/lexer.js";
import { isUnitWord } from "../../grammar/parser.js";
import { exprPrecedence, PRECEDENCE, printBinsWith, printExprWith, printOperand, PrintOptions, reweightClauses } from "../syntax/print.js";

/**
 * What a line is, for the blank-line and comment rules: the first line of a top-level declaration,
 * an item of a block, the closing `}` of a block, a continuation of an expression broken over
 * lines, or the end of the file (no text; it collects the comments after the last declaration).
 */
export type LineRole = "decl" | "item" | "close" | "cont" | "eof";

export interface Line {
  role: LineRole;
  /** In levels of two spaces. */
  indent: number;
  text: string;
  /** The source range the line stands for: comments inside it move above it, one right after it on the same source line trails it. */
  start: number;
  end: number;
  /** A "decl" line whose declaration starts a new group: a blank line goes before it (and its comments). */
  requireBlank?: boolean;
  /** The first line after a block's `{`: never a blank line before it. */
  firstInBlock?: boolean;
}

/** Lines longer than this do not get one-line model option blocks. Expressions are never wrapped. */
export const MAX_WIDTH = 100;

/** A string literal as the formatter writes it: `\`, `"`, newline and tab escaped, everything else as itself. */
export function quoteString(value: string): string {
  return `"${value.replace(/[\\"\n\t]/g, (c) => (c === "\n" ? "\\n" : c === "\t" ? "\\t" : `\\${c}`))}"`;
}

const OPTS: PrintOptions = { quote: quoteString };

const BRACE_KINDS = new Set<A.Decl["kind"]>(["Analysis", "Sample", "Defaults", "Features", "Model", "Train", "Evaluate", "Output"]);

export function layoutFile(text: string, tokens: IToken[], ast: A.FileAst): Line[] {
  const layout = new Layout(tokens, ast.comments);
  const lines: Line[] = [];
  let prev: { kind: A.Decl["kind"]; block: boolean } | undefined;
  for (const d of ast.decls) {
    const dl = layout.decl(d);
    const block = BRACE_KINDS.has(d.kind) && dl.length > 1;
    if (prev) dl[0].requireBlank = prev.kind !== d.kind || prev.block || block;
    lines.push(...dl);
    prev = { kind: d.kind, block };
  }
  lines.push({ role: "eof", indent: 0, text: "", start: text.length, end: text.length });
  return lines;
}

class Layout {
  private readonly commentStarts: number[];

  constructor(
    private readonly tokens: IToken[],
    comments: A.Comment[],
  ) {
    this.commentStarts = comments.map((c) => c.span.start).sort((a, b) => a - b);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private e(x: A.Expr): string {
    return printExprWith(x, OPTS);
  }
  private bins(b: A.BinSpec): string {
    return printBinsWith(b, OPTS);
  }
  private str(s: A.StringLit): string {
    return quoteString(s.value);
  }
  private names(ids: A.Ident[]): string {
    return ids.map((i) => i.name).join(", ");
  }
  private axes(axes: A.ReweightAxis[]): string {
    // A space before the binning always: `x [0, 1]` is a binning, `x[0]` an index. Binnings named
    // like a unit (`bins GeV = ...`) follow a parenthesized expression: `x * 2 GeV` is a quantity.
    return axes.map((a) => `${a.bins.kind === "NamedBins" && isUnitWord(a.bins.name.name) ? `(${this.e(a.expr)})` : this.e(a.expr)} ${this.bins(a.bins)}`).join(", ");
  }

  /** Whether a comment starts in [start, end). */
  private hasComment(start: number, end: number): boolean {
    const i = lowerBound(this.commentStarts, start);
    return i < this.commentStarts.length && this.commentStarts[i] < end;
  }

  /** The first `{` token in [start, end), for the header/closer split of a block. */
  private lbrace(start: number, end: number): IToken | undefined {
    let lo = 0;
    let hi = this.tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.tokens[mid].startOffset < start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.tokens.length && this.tokens[i].startOffset < end; i++) {
      if (this.tokens[i].tokenType === T.LBrace) return this.tokens[i];
    }
    return undefined;
  }

  private line(role: LineRole, indent: number, text: string, node: A.Node): Line {
    return { role, indent, text, start: node.span.start, end: node.span.end };
  }

  /**
   * A block: `head {`, the items' lines one level deeper, `}`; or `head {}` when there is neither
   * an item nor a comment between the braces. `node` spans from the head's first token to `}`.
   */
  private block(role: "decl" | "item", indent: number, head: string, node: A.Node, items: Line[][]): Line[] {
    const open = this.lbrace(node.span.start, node.span.end);
    const openEnd = open ? open.startOffset + 1 : node.span.start;
    const closeStart = node.span.end - 1;
    if (items.length === 0 && !this.hasComment(openEnd, closeStart)) return [this.line(role, indent, `${head} {}`, node)];
    const out: Line[] = [{ role, indent, text: `${head} {`, start: node.span.start, end: openEnd }];
    items.forEach((lines, i) => {
      if (i === 0) lines[0].firstInBlock = true;
      out.push(...lines);
    });
    out.push({ role: "close", indent, text: "}", start: closeStart, end: node.span.end, firstInBlock: items.length === 0 });
    return out;
  }

  /**
   * `prefix` followed by an expression that ends its line: one line, unless it is an `and`/`or`
   * chain (after `where` for a top-level `where`) with a comment inside (see `chain`). `min` is the
   * loosest construct the place takes unparenthesized: a sample's `where` and `weight` take no
   * `where` (the next line's `where` would be read as part of it).
   */
  private exprLines(role: "decl" | "item", indent: number, prefix: string, x: A.Expr, node: A.Node, min = 0): Line[] {
    if (x.kind === "Where" && min <= PRECEDENCE.where) {
      const head = `${prefix}${printOperand(x.target, PRECEDENCE.where + 1, OPTS)} where `;
      return this.chain(role, indent, indent + 1, head, x.cond, PRECEDENCE.where + 1, node.span.start, node.span.end);
    }
    return this.chain(role, indent, indent + 1, prefix, x, min, node.span.start, node.span.end);
  }

  /**
   * `first` followed by `x` as an operand binding at `min`, standing for source [start, end). A
   * chain that `breaks` is written one operand per line, the operator first on the continuation
   * lines (at `contIndent`); its operands that break too continue one level deeper.
   */
  private chain(role: LineRole, indent: number, contIndent: number, first: string, x: A.Expr, min: number, start: number, end: number): Line[] {
    const operands = this.breaks(x, min);
    if (!operands) return [{ role, indent, text: first + printOperand(x, min, OPTS), start, end }];
    const op = (x as A.Binary).op;
    const p = PRECEDENCE[op];
    const out = this.chain(role, indent, contIndent + 1, first, operands[0], p, start, operands[0].span.end);
    for (const o of operands.slice(1)) out.push(...this.chain("cont", contIndent, contIndent + 1, `${op} `, o, p + 1, o.span.start, o.span.end));
    out[out.length - 1].end = end;
    return out;
  }

  /**
   * The operands of `x` when it is to be written one per line: an `and`/`or` chain needing no
   * parentheses at `min`, with a comment after its first operand or a first operand that breaks.
   * Comments inside a first operand that does not break do not count: they move above the line,
   * so after one formatting they are no longer inside the chain and the layout must not change.
   */
  private breaks(x: A.Expr, min: number): A.Expr[] | undefined {
    if (x.kind !== "Binary" || (x.op !== "and" && x.op !== "or") || exprPrecedence(x) < min) return undefined;
    const operands = flatten(x, x.op);
    const inside = this.hasComment(operands[0].span.end, operands[operands.length - 1].span.end);
    return inside || this.breaks(operands[0], PRECEDENCE[x.op]) ? operands : undefined;
  }

  // ---- declarations --------------------------------------------------------------------------

  decl(d: A.Decl): Line[] {
    switch (d.kind) {
      case "Analysis":
        return this.block("decl", 0, `analysis ${d.name.name}`, d, d.props.map((p) => [this.line("item", 1, this.analysisProp(p), p)]));
      case "Include":
        return [this.line("decl", 0, `include ${this.str(d.path)}`, d)];
      case "Sample":
        return this.block("decl", 0, `sample ${d.name.name}`, d, d.props.map((p) => this.sampleProp(p)));
      case "Defaults":
        return this.block("decl", 0, "defaults", d, d.props.map((p) => this.sampleProp(p)));
      case "Group":
        return [this.line("decl", 0, `group ${d.name.name} = ${this.names(d.members)}`, d)];
      case "Object":
      case "Define":
      case "Region": {
        const lines = this.exprLines("decl", 0, `${d.kind.toLowerCase()} ${d.name.name} = `, d.expr, d);
        if (d.weight) lines[lines.length - 1].text += ` { weight ${this.e(d.weight.expr)} }`;
        return lines;
      }
      case "Bins":
        return [this.line("decl", 0, `bins ${d.name.name} = ${this.bins(d.spec)}`, d)];
      case "Features":
        return this.block("decl", 0, `features ${d.name.name}${this.sequenceHead(d.sequence)}`, d, d.items.map((f) => [this.line("item", 1, this.feature(f), f)]));
      case "Model":
        return this.model(d);
      case "Train":
        return this.block("decl", 0, `train ${this.names(d.models)}`, d, d.props.map((p) =>
          p.prop === "test" ? this.exprLines("item", 1, "test ", p.value, p, PRECEDENCE.where + 1) : p.prop === "classes" ? this.classes(p) : [this.line("item", 1, this.trainProp(p), p)],
        ));
      case "Evaluate":
        return this.block("decl", 0, `evaluate ${this.names(d.models)}`, d, d.props.map((p) => this.evaluateProp(p)));
      case "Output":
        if (d.inline && d.items.length === 1 && d.items[0].kind !== "HistogramBlock") return [this.line("decl", 0, `output ${this.outputItem(d.items[0])}`, d)];
        return this.block("decl", 0, "output", d, d.items.map((it) =>
          it.kind === "HistogramBlock"
            ? this.block("item", 1, this.histogramBlockHead(it), it, it.entries.map((e) => [this.line("item", 2, this.histogramClauses(e), e)]))
            : [this.line("item", 1, this.outputItem(it), it)],
        ));
      case "Param":
        return [this.line("decl", 0, `param ${d.name.name} = ${this.e(d.value)}`, d)];
      case "Systematic": {
        const f = d.family;
        const head = `systematic ${d.name.name}${f ? `[${f.index.name} in ${this.e(f.from)} .. ${this.e(f.to)}]` : ""}${d.samples.length ? ` for ${this.names(d.samples)}` : ""}`;
        const upDown = (v: { up: A.Expr; down?: A.Expr }) => `up ${this.e(v.up)}${v.down ? ` down ${this.e(v.down)}` : ""}`;
        const w = d.weight;
        const alt = d.alternatives;
        // an item stands for its values' text (its keywords are not nodes)
        const spanning = (first: A.Node | undefined, last: A.Node | undefined) => (first && last ? { id: -1, span: { start: first.span.start, end: last.span.end } } : d);
        // several varied inputs: one line each
        if (d.vary) return this.block("decl", 0, head, d, d.vary.map((x) => [this.line("item", 1, `vary ${this.e(x.target)} ${upDown(x)}`, spanning(x.target, x.down ?? x.up))]));
        const body = w
          ? `weight ${upDown(w)}`
          : alt
            ? `samples up ${alt.up.name}${alt.down ? ` down ${alt.down.name}` : ""}`
            : `normalisation ${d.normalisation ? this.e(d.normalisation) : ""}`;
        const first: A.Node | undefined = w ? w.up : alt ? alt.up : d.normalisation;
        const last: A.Node | undefined = w ? w.down ?? w.up : alt ? alt.down ?? alt.up : d.normalisation;
        return this.block("decl", 0, head, d, [[this.line("item", 1, body, spanning(first, last))]]);
      }
      case "DerivedHistogram":
        return this.exprLines("decl", 0, `histogram ${d.name.name} = `, d.expr, d);
      case "Broken":
        // Only in files with syntax errors, which are not formatted.
        throw new Error("cannot format a declaration with syntax errors");
    }
  }

  private analysisProp(p: A.Property<A.AnalysisValue>): string {
    const v = p.value;
    if ("lumi" in v) return `lumi ${this.e(v.lumi)}`;
    if ("seed" in v) return `seed ${this.e(v.seed)}`;
    if ("title" in v) return `title ${this.str(v.title)}`;
    if ("experiment" in v) return `experiment ${this.str(v.experiment)}`;
    if ("sqrts" in v) return `sqrts ${this.e(v.sqrts)}`;
    if ("doi" in v) return `doi ${this.str(v.doi)}`;
    if ("arxiv" in v) return `arxiv ${this.str(v.arxiv)}`;
    return [p.key.name, ...v.unknown.map((x) => this.e(x))].join(" ");
  }

  private sampleProp(p: A.SampleProp): Line[] {
    const one = (text: string) => [this.line("item", 1, text, p)];
    switch (p.prop) {
      case "files":
        return one(`files ${p.files.map((f) => this.str(f)).join(", ")}`);
      case "tree":
        return one(`tree ${this.str(p.tree)}`);
      case "class":
        return one(`class ${p.klass.name}`);
      case "weight":
        return this.exprLines("item", 1, "weight ", p.expr, p, PRECEDENCE.where + 1);
      case "where":
        return this.exprLines("item", 1, "where ", p.expr, p, PRECEDENCE.where + 1);
      case "xsec":
        return one(`xsec ${this.e(p.value)}`);
      case "sumw":
        return one(`sumw ${this.e(p.value)}`);
      case "title":
        return one(`title ${this.str(p.title)}`);
      case "classes":
        return this.classes(p);
      case "friend":
        return one(`friend ${this.str(p.files)} tree ${this.str(p.tree)}`);
    }
  }

  /** `classes [by EXPR] { a = x; b = y }` on one line when it fits and holds no comment, else one class per line. */
  private classes(p: A.Node & A.ClassesBody): Line[] {
    const head = `classes${p.by ? ` by ${this.e(p.by)}` : ""}`;
    const items = p.entries.map((e) => `${e.name.name} = ${this.e(e.value)}`);
    const oneLine = `${head} { ${items.join("; ")} }`;
    // only a comment between the braces keeps the block (one before `{` moves above the line)
    const open = this.lbrace(p.span.start, p.span.end);
    const inside = open ? this.hasComment(open.startOffset, p.span.end) : false;
    if (items.length && !inside && 2 + oneLine.length <= MAX_WIDTH) return [this.line("item", 1, oneLine, p)];
    return this.block("item", 1, head, p, p.entries.map((e, i) => [this.line("item", 2, items[i], e)]));
  }

  /** A sequence list's header after its name: ` per COLL sorted by KEY length N pad P`. */
  private sequenceHead(q: A.SequenceSpec | undefined): string {
    if (!q) return "";
    let t = ` per ${this.e(q.collection)}`;
    if (q.key) t += ` sorted by ${this.e(q.key)}`;
    if (q.length) t += ` length ${q.length.raw}`;
    if (q.pad) t += ` pad ${this.e(q.pad)}`;
    return t;
  }

  private feature(f: A.FeatureItem): string {
    let s = this.e(f.expr);
    if (f.alias) s += ` as ${f.alias.name}`;
    if (f.scaling) s += ` ${this.scaling(f.scaling)}`;
    return s;
  }

  private scaling(s: A.Scaling): string {
    switch (s.scaling) {
      case "normal":
        return s.clip ? `normal clip ${this.e(s.clip)}` : "normal";
      case "linear":
        return `linear ${s.low ? this.e(s.low) : "…"} .. ${s.high ? this.e(s.high) : "…"}`;
      case "manual": {
        const clip = s.low && s.high ? ` clip ${this.e(s.low)} .. ${this.e(s.high)}` : "";
        return `shift ${s.shift ? this.e(s.shift) : "…"} scale ${s.factor ? this.e(s.factor) : "…"}${clip}`;
      }
      default:
        return s.scaling;
    }
  }

  private model(d: A.ModelDecl): Line[] {
    const head = `model ${d.name.name} = ${d.modelKind.name}(${d.args.map((a) => this.e(a)).join(", ")})`;
    if (d.options.length === 0) return [this.line("decl", 0, head, d)];
    const options = d.options.map((o) => `${o.key.name} ${this.e(o.value)}`);
    const oneLine = `${head} { ${options.join(" ")} }`;
    const open = this.lbrace(d.span.start, d.span.end);
    const inside = open ? this.hasComment(open.startOffset, d.span.end) : false;
    if (!inside && oneLine.length <= MAX_WIDTH) return [this.line("decl", 0, oneLine, d)];
    return this.block("decl", 0, head, d, d.options.map((o, i) => [this.line("item", 1, options[i], o)]));
  }

  private trainProp(p: Exclude<A.TrainProp, { prop: "test" | "classes" }>): string {
    switch (p.prop) {
      case "on":
        return `on ${p.region.name}`;
      case "folds":
        return `folds ${this.e(p.folds)} by ${this.e(p.by)}`;
      case "balance":
        return `balance ${p.mode.name}`;
      case "reweight":
        // `reweight to SAMPLE in ...`: the mode word is `to` itself.
        return `reweight ${p.target ? `to ${p.target.name}` : p.mode.name} in ${this.axes(p.axes)}${reweightClauses(p, (x) => this.e(x))}`;
      case "validation":
        return `validation ${this.e(p.fraction)}`;
      case "class_weights":
        return `class_weights ${p.weights.map((w) => `${w.name.name} ${this.e(w.value)}`).join(", ")}`;
      case "negative_weights":
        return `negative_weights ${p.mode.name}`;
      case "device":
        return `device ${p.mode.name}`;
    }
  }

  private evaluateProp(p: A.EvaluateProp): Line[] {
    const one = (text: string) => [this.line("item", 1, text, p)];
    switch (p.prop) {
      case "in":
        return one(`in ${p.region.name}`);
      case "bins":
        return one(`bins ${this.axes(p.axes)}`);
      case "metrics":
        return one(`metrics ${p.metrics.map((m) => `${m.name.name}${m.vs ? `${m.of ? ` ${m.of.name}` : ""} vs ${m.vs.name}` : ""}${m.at ? ` at ${this.e(m.at)}` : ""}`).join(", ")}`);
      case "working_points": {
        const given = p.given;
        // `} given MODEL.NAME`: the block's closing line carries the requirement
        const rbrace = given ? this.tokens.filter((t) => t.image === "}" && t.startOffset >= p.span.start && t.startOffset < given.model.span.start).pop() : undefined;
        const end = rbrace ? { ...p, span: { start: p.span.start, end: rbrace.startOffset + 1 } } : p;
        const lines = this.block("item", 1, "working_points", end, p.points.map((w) => [this.line("item", 2, `${w.name.name} ${this.e(w.value)}`, w)]));
        if (given) {
          const last = lines[lines.length - 1];
          last.text = `${last.text} given ${given.model.name}.${given.point.name}`;
          last.end = p.span.end;
        }
        return lines;
      }
      case "reference":
        return one(`reference ${p.model.name}`);
    }
  }

  /** A histogram from its expressions to `weighted`: an output item's or a `histograms` entry's. */
  private histogramClauses(it: A.HistogramEntry | Extract<A.OutputItem, { kind: "Histogram" }>): string {
    let s = it.exprs.map((x) => this.e(x)).join(", ");
    if (it.alias) s += ` as ${it.alias.name}`;
    if (it.title) s += ` title ${this.str(it.title)}`;
    if (it.regions.length) s += ` in ${this.names(it.regions)}`;
    if (it.by) s += ` by ${it.by.name}`;
    s += ` bins ${it.bins.map((b) => this.bins(b)).join(", ")}`;
    if (it.weighted) s += " weighted";
    return s;
  }

  private histogramBlockHead(it: Extract<A.OutputItem, { kind: "HistogramBlock" }>): string {
    let s = "histograms";
    if (it.regions.length) s += ` in ${this.names(it.regions)}`;
    if (it.by) s += ` by ${it.by.name}`;
    if (it.weighted) s += " weighted";
    return `${s} to ${this.str(it.path)}`;
  }

  private outputItem(it: A.OutputItem): string {
    switch (it.kind) {
      case "Predictions": {
        let s = `predictions ${this.str(it.path)}`;
        if (it.friend) s += " friend";
        if (it.keys.length) s += ` keyed ${this.names(it.keys)}`;
        return s;
      }
      case "Histogram":
        return `histogram ${this.histogramClauses(it)} to ${this.str(it.path)}`;
      case "HistogramBlock":
        return this.histogramBlockHead(it);
      case "Cutflow":
        return `cutflow${it.steps ? ` steps ${it.steps.name}` : it.regions.length ? ` in ${this.names(it.regions)}` : ""}${it.systematics ? " with systematics" : ""} to ${this.str(it.path)}`;
      case "Report":
        return `report ${this.str(it.path)}`;
      case "Dataset":
        return `dataset ${it.model ? `${it.model.name} ` : ""}${this.str(it.path)}`;
      case "Onnx":
        return `onnx ${it.model.name} ${this.str(it.path)}`;
      case "Ntuple":
        return `ntuple ${this.str(it.path)}${it.regions.length ? ` in ${this.names(it.regions)}` : ""} keep ${it.keep.map((c) => (c.alias ? `${this.e(c.expr)} as ${c.alias.name}` : this.e(c.expr))).join(", ")}`;
      case "FitOutput":
        return `${it.format} ${this.str(it.path)} for ${[it, ...(it.more ?? [])].map((g) => `${this.names(g.observables)} in ${this.names(g.regions)}`).join(", ")}`;
    }
  }
}

/** The operands of a left-associative chain of one operator: `a and b and c` → [a, b, c]. */
function flatten(x: A.Expr, op: A.BinaryOp): A.Expr[] {
  return x.kind === "Binary" && x.op === op ? [...flatten(x.left, op), x.right] : [x];
}

function lowerBound(xs: number[], v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
