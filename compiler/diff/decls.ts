/**
 * One side of a diff, as a list of entries: every declaration (and every output item, train and
 * evaluate per model) with the fields a reviewer compares. Each field has a compare key, built from
 * the compiled analysis (lowered expressions without types, numbers with their units folded in,
 * binnings as edges, globs expanded) so layout, comments, number spelling and units make no
 * difference, and a display text, printed from the syntax tree as the author wrote it.
 *
 * Keys of the old side are computed through a rename map (old name → new name), so a reference to
 * a renamed declaration is not a change of the declarations that use it.
 */
import { membersOf } from "../check/rules/systematics.js";
import { flatOutputItems } from "../syntax/outputs.js";
import { optionValue } from "../plan/build.js";
import * as path from "node:path";
import type * as A from "../../grammar/ast.js";
import { UNITS } from "../../grammar/parser.js";
import { MODEL_KIND_BY_NAME } from "../../stdlib/index.js";
import type { CheckContext } from "../check/context.js";
import { literalValue } from "../check/rules/bins.js";
import { linearForm } from "../check/rules/derived.js";
import { featureName } from "../check/rules/features.js";
import { pathName } from "../check/rules/ntuple.js";
import type { Compilation } from "../compile.js";
import { positionOf, sourceFile, SourceFile, Span } from "../core/source.js";
import { canonicalize } from "../../plan/canonical.js";
import { lower, Usage } from "../plan/lower.js";
import type { ExprIR, Plan } from "../../plan/types.js";
import { printBins, printExpr, reweightClauses } from "../syntax/print.js";
import type { DeclKind, Location } from "./types.js";

/** A compiled analysis with its plan: one side of a diff. */
export interface Side {
  compilation: Compilation;
  plan: Plan;
  /** What the user named: a file, or `REV:path`. */
  label: string;
}

/** Old name → new name for declarations (one namespace); the identity on the new side. */
export type Rename = (name: string) => string;
export const IDENTITY: Rename = (n) => n;

export interface ValueFacet {
  field: string;
  /** Compared across sides; null when the field is absent and absence has no default. */
  key: string | null;
  show: string | null;
  /**
   * A second key, when the first is about how the value is written: a binning used by name is
   * keyed by that name (a changed `bins` declaration is its own change), and by its edges here, so
   * writing the same edges another way (inline, or through another name) is no change.
   */
  alt?: string;
  /** The plan nodes this field feeds, when not those of the whole declaration (the analysis header). */
  seeds?: string[];
}

export interface ListFacet {
  field: string;
  list: Array<{ id: string; key: string; show: string }>;
  /** Whether the order of the items means something. */
  ordered: boolean;
}

export type Facet = ValueFacet | ListFacet;

export interface Entry {
  kind: DeclKind;
  /** A symbol's name; for the others the name shown (a histogram's name, an output's path, a model). */
  name: string;
  location: Location;
  /** Plan nodes of this declaration: where its effects start. */
  seeds: string[];
  /** `bins` declarations it uses by name. */
  binsUsed: string[];
  /** A histogram split by group (reads every group declaration). */
  byGroup?: boolean;
  /** Pairs entries across sides (with renames applied); equal for the same declaration. */
  matchKey(rename: Rename): string;
  /** For entries of the same kind left unpaired: a second chance (evaluate: same model; outputs: same name or path). */
  looseKey?(rename: Rename): string;
  facets(rename: Rename): Facet[];
  /** The declaration in one line (added and removed ones). */
  summary(): string;
}

// ---- keys ------------------------------------------------------------------------------------

/**
 * An expression's compare key: the lowered IR, references through the rename map, without the
 * types that follow from elsewhere (a reference's type is its declaration's business). A literal
 * keeps its type: `15` and `15.0` differ in the plan, so they differ here.
 */
function irKey(ir: ExprIR | { text: string }, rename: Rename): string {
  const strip = (e: ExprIR): unknown => {
    if (e.op === "const") return e;
    const { type: _type, ...rest } = e as ExprIR & { args?: ExprIR[] };
    if (e.op === "ref") return { op: "ref", decl: e.decl, name: rename(e.name) };
    if (e.op === "score") return { op: "score", model: rename(e.model), output: e.output };
    if (e.op === "threshold") return { op: "threshold", model: rename(e.model), point: e.point };
    if ("args" in rest && rest.args) return { ...rest, args: rest.args.map(strip) };
    return rest;
  };
  return JSON.stringify(canonicalize("op" in ir ? strip(ir) : ir));
}

const json = (v: unknown) => JSON.stringify(canonicalize(v));

function edgesOf(ctx: CheckContext, b: A.BinSpec, seen = new Set<string>()): number[] {
  switch (b.kind) {
    case "UniformBins": {
      const n = b.count.value;
      const lo = literalValue(b.low)!;
      const hi = literalValue(b.high)!;
      return Array.from({ length: n + 1 }, (_, i) => (i === n ? hi : lo + (hi - lo) * (i / n)));
    }
    case "EdgeBins":
      return b.edges.map((e) => literalValue(e)!);
    case "NamedBins": {
      const sym = ctx.symbol(b.name.name);
      if (!sym || sym.decl.kind !== "Bins" || seen.has(sym.name)) return [];
      seen.add(sym.name);
      return edgesOf(ctx, sym.decl.spec, seen);
    }
    case "Missing":
      return [];
  }
}

/** A binning as written in a use: by name when it names a `bins` declaration (its edges are that declaration's business). */
function binsKey(ctx: CheckContext, b: A.BinSpec, rename: Rename): string {
  return b.kind === "NamedBins" ? json({ bins: rename(b.name.name) }) : json(edgesOf(ctx, b));
}

function quantity(n: A.NumberLit): number {
  return n.value * (n.unit ? UNITS[n.unit.name]?.factor ?? 1 : 1);
}

function optionShow(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(optionShow).join(", ")}]`;
  if (typeof v === "string") return v;
  return String(v);
}


// ---- entries ---------------------------------------------------------------------------------

export function entriesOf(side: Side): Entry[] {
  const { compilation, plan } = side;
  const ctx = compilation.checked;
  const program = compilation.program;
  const sources = new Map<string, SourceFile>(program.files.map((f) => [f.path, sourceFile(f.path, f.text)]));
  const loc = (file: string, span: Span): Location => {
    const s = sources.get(file);
    return { file, line: s ? positionOf(s, span.start).line + 1 : 1 };
  };
  const low = (e: A.Expr): ExprIR | { text: string } => {
    try {
      return lower(ctx, e, new Usage());
    } catch {
      return { text: printExpr(e) };
    }
  };
  // ordered: the position of a class is the model's output index
  const classesFacet = (c: (A.Node & A.ClassesBody) | undefined, rename: Rename): ListFacet => ({
    field: "classes",
    list: (c?.entries ?? []).map((e) => ({ id: e.name.name, key: json({ by: c?.by ? JSON.parse(irKey(low(c.by), rename)) : null, value: c?.by ? printExpr(e.value) : JSON.parse(irKey(low(e.value), rename)) }), show: `${e.name.name} = ${printExpr(e.value)}` })),
    ordered: true,
  });
  const exprFacet = (field: string, e: A.Expr | undefined, rename: Rename): ValueFacet =>
    e ? { field, key: irKey(low(e), rename), show: printExpr(e) } : { field, key: null, show: null };
  const nodeIds = new Set(plan.nodes.map((n) => n.id));
  const existing = (ids: string[]) => ids.filter((id) => nodeIds.has(id));
  const namedBins = (specs: A.BinSpec[]) => specs.filter((b): b is A.NamedBins => b.kind === "NamedBins").map((b) => b.name.name);
  const entries: Entry[] = [];
  const symbolEntry = (kind: DeclKind, name: string, file: string, span: Span, seeds: string[], facets: (r: Rename) => Facet[], summary: () => string, binsUsed: string[] = []): Entry => ({
    kind,
    name,
    location: loc(file, span),
    seeds: existing(seeds),
    binsUsed,
    matchKey: (r) => `${kind}:${r(name)}`,
    facets,
    summary,
  });

  // ---- analysis ----
  if (ctx.analysis) {
    const { decl, file } = ctx.analysis;
    const value = <K extends string>(k: K) => decl.props.map((p) => p.value).find((v) => k in v) as Record<K, A.NumberLit | A.StringLit> | undefined;
    const lumi = value("lumi")?.lumi as A.NumberLit | undefined;
    const seed = value("seed")?.seed as A.NumberLit | undefined;
    const title = value("title")?.title as A.StringLit | undefined;
    const trains = plan.nodes.filter((n) => n.kind === "train").map((n) => n.id);
    const xsecWeights = plan.nodes.filter((n) => n.kind === "weight" && n.xsec !== null).map((n) => n.id);
    entries.push({
      kind: "analysis",
      name: decl.name.name,
      location: loc(file, decl.span),
      seeds: [],
      binsUsed: [],
      matchKey: () => "analysis",
      facets: () => [
        { field: "name", key: decl.name.name, show: decl.name.name },
        { field: "title", key: json(title ? ctx.text(title) : null), show: title ? printExpr(title) : null },
        { field: "lumi", key: json(lumi ? quantity(lumi) : null), show: lumi ? printExpr(lumi) : null, seeds: xsecWeights },
        { field: "seed", key: json(seed?.value ?? 0), show: seed ? seed.raw : null, seeds: trains },
        // metadata only labels the outputs: a change rewrites them and recomputes nothing
        ...(["experiment", "sqrts", "doi", "arxiv"] as const).map((k) => {
          const v = value(k)?.[k];
          return { field: k, key: json(v ? (k === "sqrts" ? plan.analysis.sqrts ?? null : (v as A.StringLit).value) : null), show: v ? printExpr(v) : null, seeds: [] };
        }),
      ],
      summary: () => `analysis ${decl.name.name}`,
    });
  }

  // ---- samples ----
  for (const s of ctx.samples) {
    const prop = <K extends A.SampleProp["prop"]>(k: K) => s.decl.props.find((p) => p.prop === k) as Extract<A.SampleProp, { prop: K }> | undefined;
    const read = plan.nodes.find((n) => n.id === `read:${s.name}`);
    const files = read?.kind === "read" ? read.files : s.files.map((f) => f.path);
    const facets = (r: Rename): Facet[] => {
      const xsec = prop("xsec");
      const sumw = prop("sumw");
      const title = prop("title");
      return [
        { field: "files", list: files.map((f) => ({ id: f, key: f, show: f })), ordered: false },
        { field: "tree", key: json(s.tree), show: JSON.stringify(s.tree) },
        { field: "class", key: json(s.klass ?? null), show: s.klass ?? null },
        exprFacet("where", prop("where")?.expr, r),
        exprFacet("weight", prop("weight")?.expr, r),
        { field: "xsec", key: xsec ? json(quantity(xsec.value)) : null, show: xsec ? printExpr(xsec.value) : null },
        { field: "sumw", key: sumw ? json(sumw.value.value) : null, show: sumw ? sumw.value.raw : null },
        { field: "title", key: title ? json(ctx.text(title.title)) : null, show: title ? printExpr(title.title) : null },
        classesFacet(prop("classes"), r),
        { field: "friend", key: read?.kind === "read" && read.friend ? json({ tree: read.friend.tree, files: read.friend.files }) : null, show: prop("friend") ? `${printExpr(prop("friend")!.files)} tree ${printExpr(prop("friend")!.tree)}` : null },
      ];
    };
    entries.push(symbolEntry("sample", s.name, s.file, s.decl.span, [`read:${s.name}`, `weight:${s.name}`, `select:${s.name}`], facets, () => summaryOf(facets(IDENTITY))));
  }

  // ---- named declarations ----
  // split by group, or carrying derived histograms (whose operands may be groups)
  const groupHistograms = plan.nodes.filter((n) => n.kind === "histogram" && (n.by === "group" || n.derived)).map((n) => n.id);
  for (const sym of ctx.symbols.values()) {
    const d = sym.decl;
    switch (d.kind) {
      case "Group": {
        const facets = (r: Rename): Facet[] => [{ field: "members", list: d.members.map((m) => ({ id: r(m.name), key: r(m.name), show: m.name })), ordered: true }];
        entries.push(symbolEntry("group", sym.name, sym.file, d.span, groupHistograms, facets, () => `= ${d.members.map((m) => m.name).join(", ")}`));
        break;
      }
      case "Object":
      case "Define":
      case "Region": {
        const kind = d.kind === "Object" ? "object" : d.kind === "Define" ? "define" : "region";
        const field = kind === "region" ? "cut" : "value";
        const id = kind === "region" ? `filter:${sym.name}` : `define:${sym.name}`;
        const facets = (r: Rename): Facet[] => [exprFacet(field, d.expr, r), ...(kind === "region" ? [exprFacet("weight", d.weight?.expr, r)] : [])];
        entries.push(symbolEntry(kind, sym.name, sym.file, d.span, [id], facets, () => `= ${printExpr(d.expr)}${d.weight ? ` { weight ${printExpr(d.weight.expr)} }` : ""}`));
        break;
      }
      case "Bins": {
        // Seeds: filled in below, from the entries that use these bins.
        const facets = (): Facet[] => [{ field: "bins", key: json(edgesOf(ctx, d.spec)), show: printBins(d.spec) }];
        entries.push(symbolEntry("bins", sym.name, sym.file, d.span, [], facets, () => `= ${printBins(d.spec)}`, namedBins([d.spec])));
        break;
      }
      case "Features": {
        const facets = (r: Rename): Facet[] => [
          {
            field: "features",
            list: d.items.map((f) => ({ id: featureName(f), key: json({ expr: JSON.parse(irKey(low(f.expr), r)), scaling: scalingKey(f.scaling) }), show: featureShow(f) })),
            ordered: true,
          },
          // a sequence's header: a changed collection, key, length or padding changes every value fed
          ...(d.sequence
            ? [
                exprFacet("per", d.sequence.collection, r),
                exprFacet("sorted by", d.sequence.key, r),
                { field: "length", key: d.sequence.length ? String(d.sequence.length.value) : null, show: d.sequence.length?.raw ?? null },
                { field: "pad", key: String(d.sequence.pad ? literalValue(d.sequence.pad) : 0), show: d.sequence.pad ? printExpr(d.sequence.pad) : "0 (default)" },
              ]
            : []),
        ];
        const head = d.sequence ? `per ${printExpr(d.sequence.collection)}${d.sequence.key ? ` sorted by ${printExpr(d.sequence.key)}` : ""} length ${d.sequence.length?.raw ?? "?"} ` : "";
        // a sequence has no scale node: it is lowered into the inputs of the onnx models that read it, where its effects start
        entries.push(symbolEntry("features", sym.name, sym.file, d.span, d.sequence ? plan.nodes.filter((n) => n.kind === "predict" && n.onnx?.groups?.some((g) => g.sequence && g.label === sym.name)).map((n) => n.id) : [`scale:${sym.name}`], facets, () => `${head}{ ${d.items.map(featureShow).join(", ")} }`));
        break;
      }
      case "Model": {
        const kind = MODEL_KIND_BY_NAME.get(d.modelKind.name);
        const facets = (r: Rename): Facet[] => {
          const out: Facet[] = [{ field: "kind", key: d.modelKind.name, show: d.modelKind.name }];
          const arg = d.args[0];
          if (kind?.argument === "features") {
            const f = arg?.kind === "Name" ? arg.name : null;
            out.push({ field: "features", key: f ? r(f) : null, show: f });
          } else if (kind?.argument === "expression") {
            // a score model's discriminant, compared as the expression it computes
            out.push({ field: "discriminant", key: arg ? irKey(low(arg), r) : null, show: arg ? printExpr(arg) : null });
          } else {
            const predict = plan.nodes.find((n) => n.id === `predict:${sym.name}`);
            const file = predict?.kind === "predict" && predict.onnx ? predict.onnx.path : arg?.kind === "String" ? arg.value : null;
            out.push({ field: "file", key: json(file), show: arg ? printExpr(arg) : null });
          }
          for (const spec of kind?.options ?? []) {
            const written = d.options.find((o) => o.key.name === spec.name);
            if (spec.name === "inputs" && written?.value.kind === "List") {
              out.push({ field: "inputs", key: json(written.value.items.map((i) => JSON.parse(irKey(low(i), r)))), show: printExpr(written.value) });
              continue;
            }
            const value = written ? optionValue(written.value) : spec.default;
            const show = written ? printExpr(written.value) : spec.default !== undefined ? `${optionShow(spec.default)} (default)` : null;
            out.push({ field: spec.name, key: value === undefined ? null : json(value), show });
          }
          return out;
        };
        const summary = () => `= ${d.modelKind.name}(${d.args.map(printExpr).join(", ")})${d.options.length ? ` { ${d.options.map((o) => `${o.key.name} ${printExpr(o.value)}`).join(" ")} }` : ""}`;
        entries.push(symbolEntry("model", sym.name, sym.file, d.span, [`train:${sym.name}`, `predict:${sym.name}`], facets, summary));
        break;
      }
      case "Param": {
        // compared by the value in effect (a --set included); what it changes shows in the plans' hashes
        const info = ctx.params.get(sym.name);
        const facets = (): Facet[] => [{ field: "value", key: json(info?.value ?? null), show: printExpr(d.value) }];
        entries.push(symbolEntry("param", sym.name, sym.file, d.span, [], facets, () => `= ${printExpr(d.value)}`));
        break;
      }
      case "Sample":
        break;
    }
  }

  // ---- systematics: what each varies and how; its effects start at the histograms that carry it ----
  // a family's members (NAME_0 …) are carried under their own names
  const carrying = (names: string[]) => plan.nodes.filter((n) => (n.kind === "histogram" || n.kind === "cutflow") && n.systematics?.some((x) => names.includes(x.name))).map((n) => n.id);
  for (const { decl, file } of ctx.declsOf("Systematic")) {
    const name = decl.name.name;
    const facets = (r: Rename): Facet[] => {
      const k = decl.normalisation;
      const f = decl.family;
      const alt = decl.alternatives;
      return [
        // no `for`: every sample, which is not the same as any list of them
        { field: "for", key: json(decl.samples.length ? decl.samples.map((x) => r(x.name)).sort() : "*"), show: decl.samples.length ? decl.samples.map((x) => x.name).join(", ") : "(every sample)" },
        { field: "family", key: f ? json([f.from.value, f.to.value]) : null, show: f ? `${f.index.name} in ${printExpr(f.from)} .. ${printExpr(f.to)}` : null },
        exprFacet("weight up", decl.weight?.up, r),
        exprFacet("weight down", decl.weight?.down, r),
        { field: "normalisation", key: k?.kind === "Number" ? json(k.value) : null, show: k ? printExpr(k) : null },
        ...(decl.vary ?? []).flatMap((v, k) => {
          const at = k ? ` ${k + 1}` : "";
          return [exprFacet(`vary${at}`, v.target, r), exprFacet(`vary${at} up`, v.up, r), exprFacet(`vary${at} down`, v.down, r)];
        }),
        { field: "samples up", key: alt ? json(r(alt.up.name)) : null, show: alt?.up.name ?? null },
        { field: "samples down", key: alt?.down ? json(r(alt.down.name)) : null, show: alt?.down?.name ?? null },
      ];
    };
    entries.push({
      kind: "systematic",
      name,
      location: loc(file, decl.span),
      seeds: existing(carrying(membersOf(decl))),
      binsUsed: [],
      matchKey: () => `systematic:${name}`,
      facets,
      summary: () => summaryOf(facets(IDENTITY)),
    });
  }

  // ---- derived histograms: their linear combination (so `(a + b) / 2` and `0.5 * a + 0.5 * b` are the same) ----
  const deriving = (name: string) => plan.nodes.filter((n) => n.kind === "histogram" && n.derived?.some((x) => x.name === name)).map((n) => n.id);
  for (const { decl, file } of ctx.declsOf("DerivedHistogram")) {
    const name = decl.name.name;
    const form = linearForm(ctx, name, decl.expr, undefined);
    const facets = (r: Rename): Facet[] => [
      { field: "value", key: form?.kind === "hist" ? json([...form.terms].map(([n, c]) => [r(n), c] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1))) : printExpr(decl.expr), show: printExpr(decl.expr) },
    ];
    entries.push({
      kind: "derived",
      name,
      location: loc(file, decl.span),
      seeds: existing(deriving(name)),
      binsUsed: [],
      matchKey: () => `derived:${name}`,
      facets,
      summary: () => `= ${printExpr(decl.expr)}`,
    });
  }

  // ---- train, per model ----
  const trained = new Set<string>();
  for (const { decl, file } of ctx.declsOf("Train")) {
    const get = <K extends A.TrainProp["prop"]>(k: K) => decl.props.find((p) => p.prop === k) as Extract<A.TrainProp, { prop: K }> | undefined;
    const reweight = get("reweight");
    for (const m of decl.models) {
      if (trained.has(m.name)) continue;
      trained.add(m.name);
      const facets = (r: Rename): Facet[] => {
        const on = get("on");
        const folds = get("folds");
        const balance = get("balance");
        const validation = get("validation");
        const test = get("test");
        const classWeights = get("class_weights");
        const negative = get("negative_weights");
        const reweightExtra = reweight ? { merge: reweight.merge.length ? reweight.merge.map((g) => g.classes.map((c) => c.name)) : null, maxWeight: reweight.maxWeight?.value ?? null } : {};
        return [
          { field: "on", key: on ? r(on.region.name) : null, show: on?.region.name ?? null },
          { field: "folds", key: folds ? json({ n: folds.folds.value, by: JSON.parse(irKey(low(folds.by), r)) }) : null, show: folds ? `${folds.folds.raw} by ${printExpr(folds.by)}` : null },
          { field: "balance", key: balance?.mode.name ?? "none", show: balance?.mode.name ?? null },
          {
            field: "reweight",
            key: reweight ? json({ mode: reweight.mode.name, target: reweight.target ? r(reweight.target.name) : null, axes: reweight.axes.map((a) => ({ expr: JSON.parse(irKey(low(a.expr), r)), bins: binsKey(ctx, a.bins, r) })), ...reweightExtra }) : null,
            ...(reweight ? { alt: json({ mode: reweight.mode.name, target: reweight.target ? r(reweight.target.name) : null, axes: reweight.axes.map((a) => ({ expr: JSON.parse(irKey(low(a.expr), r)), edges: edgesOf(ctx, a.bins) })), ...reweightExtra }) } : {}),
            show: reweight ? reweightShow(reweight) : null,
          },
          { field: "validation", key: validation ? json(validation.fraction.value) : null, show: validation?.fraction.raw ?? null },
          {
            field: "test",
            key: !test ? null : test.value.kind === "Number" && !test.value.unit ? json({ fraction: test.value.value }) : json({ expr: JSON.parse(irKey(low(test.value), r)) }),
            show: test ? printExpr(test.value) : null,
          },
          {
            field: "class_weights",
            key: classWeights ? json(Object.fromEntries(classWeights.weights.map((w) => [w.name.name, w.value.value]))) : null,
            show: classWeights ? classWeights.weights.map((w) => `${w.name.name} ${w.value.raw}`).join(", ") : null,
          },
          // Not written means keep: writing `negative_weights keep` changes nothing.
          { field: "negative_weights", key: negative?.mode.name ?? "keep", show: negative?.mode.name ?? null },
          classesFacet(get("classes"), r),
        ];
      };
      entries.push({
        kind: "train",
        name: m.name,
        location: loc(file, decl.span),
        seeds: existing([`train:${m.name}`]),
        binsUsed: namedBins(reweight?.axes.map((a) => a.bins) ?? []),
        matchKey: (r) => `train:${r(m.name)}`,
        facets,
        summary: () => summaryOf(facets(IDENTITY)),
      });
    }
  }

  // ---- evaluate, per model (ids as the plan assigns them) ----
  const evalIds = new Set<string>();
  const evaluations: Array<{ model: string; region: string | null; id: string; decl: A.EvaluateDecl; file: string }> = [];
  for (const { decl, file } of ctx.declsOf("Evaluate")) {
    const region = (decl.props.find((p) => p.prop === "in") as { region: A.Ident } | undefined)?.region.name ?? null;
    for (const m of decl.models) {
      let id = `evaluate:${m.name}${region ? `@${region}` : ""}`;
      for (let k = 2; evalIds.has(id); k++) id = `evaluate:${m.name}${region ? `@${region}` : ""}#${k}`;
      evalIds.add(id);
      evaluations.push({ model: m.name, region, id, decl, file });
    }
  }
  const evalCount = new Map<string, number>();
  for (const e of evaluations) evalCount.set(e.model, (evalCount.get(e.model) ?? 0) + 1);
  for (const e of evaluations) {
    const get = <K extends A.EvaluateProp["prop"]>(k: K) => e.decl.props.find((p) => p.prop === k) as Extract<A.EvaluateProp, { prop: K }> | undefined;
    const bins = get("bins");
    const facets = (r: Rename): Facet[] => {
      const metrics = get("metrics")?.metrics ?? [];
      const points = get("working_points")?.points ?? [];
      const reference = get("reference");
      const wpGiven = get("working_points")?.given;
      return [
        { field: "in", key: e.region ? r(e.region) : null, show: e.region },
        {
          field: "bins",
          key: bins ? json(bins.axes.map((a) => ({ expr: JSON.parse(irKey(low(a.expr), r)), bins: binsKey(ctx, a.bins, r) }))) : null,
          ...(bins ? { alt: json(bins.axes.map((a) => ({ expr: JSON.parse(irKey(low(a.expr), r)), edges: edgesOf(ctx, a.bins) }))) } : {}),
          show: bins ? bins.axes.map((a) => `${printExpr(a.expr)} ${printBins(a.bins)}`).join(", ") : null,
        },
        {
          field: "metrics",
          list: metrics.map((m) => {
            const vs = m.vs ? `${m.of ? ` ${m.of.name}` : ""} vs ${m.vs.name}` : "";
            return { id: `${m.name.name}${vs}@${m.at?.value ?? ""}`, key: "", show: `${m.name.name}${vs}${m.at ? ` at ${m.at.raw}` : ""}` };
          }),
          ordered: false,
        },
        { field: "working_points", list: points.map((w) => ({ id: w.name.name, key: json(w.value.value), show: `${w.name.name} ${w.value.raw}` })), ordered: false },
        { field: "reference", key: reference ? r(reference.model.name) : null, show: reference?.model.name ?? null },
        ...(wpGiven ? [{ field: "given", key: json({ model: r(wpGiven.model.name), point: wpGiven.point.name }), show: `${wpGiven.model.name}.${wpGiven.point.name}` }] : []),
      ];
    };
    entries.push({
      kind: "evaluate",
      name: (evalCount.get(e.model) ?? 0) > 1 && e.region ? `${e.model} in ${e.region}` : e.model,
      location: loc(e.file, e.decl.span),
      seeds: existing([e.id]),
      binsUsed: namedBins(bins?.axes.map((a) => a.bins) ?? []),
      matchKey: (r) => `evaluate:${r(e.model)}@${e.region ? r(e.region) : ""}`,
      looseKey: (r) => `evaluate:${r(e.model)}`,
      facets,
      summary: () => summaryOf(facets(IDENTITY)),
    });
  }

  // ---- outputs, item by item ----
  const histogramNames = new Map<string, number>();
  for (const { decl } of ctx.declsOf("Output")) for (const item of flatOutputItems(decl.items)) if (item.kind === "Histogram") histogramNames.set(histogramName(item), (histogramNames.get(histogramName(item)) ?? 0) + 1);
  for (const { decl, file } of ctx.declsOf("Output")) {
    for (const item of flatOutputItems(decl.items)) {
      const p = path.posix.normalize(item.path.value);
      const to: ValueFacet = { field: "to", key: p, show: printExpr(item.path) };
      switch (item.kind) {
        case "Histogram": {
          const name = histogramName(item);
          const facets = (r: Rename): Facet[] => [
            { field: "of", key: json(item.exprs.map((x) => JSON.parse(irKey(low(x), r)))), show: item.exprs.map(printExpr).join(", ") },
            { field: "bins", key: json(item.bins.map((b) => binsKey(ctx, b, r))), alt: json(item.bins.map((b) => edgesOf(ctx, b))), show: item.bins.map(printBins).join(", ") },
            { field: "in", list: item.regions.map((x) => ({ id: r(x.name), key: r(x.name), show: x.name })), ordered: true },
            { field: "by", key: item.by?.name ?? null, show: item.by?.name ?? null },
            { field: "weighted", key: json(item.weighted), show: item.weighted ? "yes" : "no" },
            { field: "title", key: item.title?.value ?? null, show: item.title ? printExpr(item.title) : null },
            to,
          ];
          entries.push({
            kind: "histogram",
            name: (histogramNames.get(name) ?? 0) > 1 ? `${name} in ${p}` : name,
            location: loc(file, item.span),
            seeds: existing([`histogram:${p}/${name}`]),
            binsUsed: namedBins(item.bins),
            byGroup: item.by?.name === "group",
            matchKey: () => `histogram:${p}/${name}`,
            looseKey: () => `histogram:${name}`,
            facets,
            summary: () => `${item.exprs.map(printExpr).join(", ")}${item.alias ? ` as ${item.alias.name}` : ""}${item.title ? ` title ${printExpr(item.title)}` : ""}${item.regions.length ? ` in ${item.regions.map((x) => x.name).join(", ")}` : ""}${item.by ? ` by ${item.by.name}` : ""} bins ${item.bins.map(printBins).join(", ")}${item.weighted ? " weighted" : ""} to ${printExpr(item.path)}`,
          });
          break;
        }
        case "Cutflow": {
          const facets = (r: Rename): Facet[] =>
            item.steps
              ? [{ field: "steps", key: r(item.steps.name), show: item.steps.name }, to]
              : item.regions.length
              ? [{ field: "in", list: item.regions.map((x) => ({ id: r(x.name), key: r(x.name), show: x.name })), ordered: true }, to]
              : [{ field: "in", key: "*", show: "(all regions)" }, to];
          entries.push(outputEntry("cutflow", p, file, item.span, [`cutflow:${p}`], facets));
          break;
        }
        case "Predictions": {
          const facets = (r: Rename): Facet[] => [
            { field: "friend", key: json(item.friend), show: item.friend ? "yes" : "no" },
            { field: "keyed", list: item.keys.map((k) => ({ id: k.name, key: k.name, show: k.name })), ordered: true },
            to,
          ];
          entries.push(outputEntry("predictions", p, file, item.span, [`write:${p}`], facets));
          break;
        }
        case "Report":
          entries.push(outputEntry("report", p, file, item.span, [`write:${p}`], () => [to]));
          break;
        case "Dataset":
        case "Onnx": {
          // the model by name through renames; a dataset without one is of the one trained model
          const model = item.model?.name;
          const facets = (r: Rename): Facet[] => [{ field: "model", key: model === undefined ? "*" : r(model), show: model ?? "(the trained model)" }, to];
          entries.push(outputEntry(item.kind === "Dataset" ? "dataset" : "onnx", p, file, item.span, [`write:${p}`], facets));
          break;
        }
        case "Ntuple": {
          // columns by their branch name: a changed expression is a changed column, a new name a new one
          const facets = (r: Rename): Facet[] => [
            { field: "in", list: item.regions.map((x) => ({ id: r(x.name), key: r(x.name), show: x.name })), ordered: false },
            {
              field: "keep",
              list: item.keep.map((k) => {
                const name = k.alias?.name ?? pathName(k.expr) ?? printExpr(k.expr);
                return { id: name, key: irKey(low(k.expr), r), show: k.alias ? `${printExpr(k.expr)} as ${k.alias.name}` : printExpr(k.expr) };
              }),
              ordered: true,
            },
            to,
          ];
          entries.push(outputEntry("ntuple", p, file, item.span, [`write:${p}`], facets));
          break;
        }
        case "FitOutput": {
          // observables are histogram names (not symbols); regions follow renames; a channel's order is its place in the file
          const facets = (r: Rename): Facet[] => [
            { field: "for", list: item.observables.map((o) => ({ id: o.name, key: o.name, show: o.name })), ordered: true },
            { field: "in", list: item.regions.map((x) => ({ id: r(x.name), key: r(x.name), show: x.name })), ordered: true },
            // further `OBS in REGIONS` groups, each a list of channels
            { field: "and", list: (item.more ?? []).flatMap((g) => g.observables.flatMap((o) => g.regions.map((x) => ({ id: `${o.name} in ${r(x.name)}`, key: `${o.name} in ${r(x.name)}`, show: `${o.name} in ${x.name}` })))), ordered: true },
            to,
          ];
          entries.push(outputEntry(item.format, p, file, item.span, [`write:${p}`], facets));
          break;
        }
      }
    }
  }

  // A bins declaration feeds what uses it (directly or through another bins declaration).
  const binsEntries = entries.filter((e) => e.kind === "bins");
  for (const b of binsEntries) {
    const users = new Set<string>([b.name]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const o of binsEntries) if (!users.has(o.name) && o.binsUsed.some((u) => users.has(u))) users.add(o.name), (grew = true);
    }
    b.seeds = [...new Set(entries.filter((e) => e.kind !== "bins" && e.binsUsed.some((u) => users.has(u))).flatMap((e) => e.seeds))];
  }
  return entries;

  function outputEntry(kind: DeclKind, p: string, file: string, span: Span, seeds: string[], facets: (r: Rename) => Facet[]): Entry {
    return {
      kind,
      name: p,
      location: loc(file, span),
      seeds: existing(seeds),
      binsUsed: [],
      matchKey: () => `${kind}:${p}`,
      looseKey: () => kind,
      facets,
      summary: () => summaryOf(facets(IDENTITY).filter((f) => f.field !== "to")),
    };
  }
}

function histogramName(item: Extract<A.OutputItem, { kind: "Histogram" }>): string {
  return item.alias?.name ?? item.exprs.map(printExpr).join("_vs_");
}

function scalingKey(s: A.Scaling | undefined): unknown {
  if (!s || s.scaling === "none") return { kind: "none" };
  const manual = s.scaling === "manual" ? { shift: literalValue(s.shift) ?? null, scale: literalValue(s.factor) ?? null } : {};
  return { kind: s.scaling, clip: s.clip?.value ?? null, low: literalValue(s.low) ?? null, high: literalValue(s.high) ?? null, ...manual };
}

function featureShow(f: A.FeatureItem): string {
  const s = f.scaling;
  const p = (x: A.Expr | undefined) => (x ? printExpr(x) : "…");
  const scaling = !s
    ? ""
    : s.scaling === "normal" && s.clip
      ? ` normal clip ${s.clip.raw}`
      : s.scaling === "linear"
        ? ` linear ${p(s.low)} .. ${p(s.high)}`
        : s.scaling === "manual"
          ? ` shift ${p(s.shift)} scale ${p(s.factor)}${s.low && s.high ? ` clip ${p(s.low)} .. ${p(s.high)}` : ""}`
          : ` ${s.scaling}`;
  return `${printExpr(f.expr)}${f.alias ? ` as ${f.alias.name}` : ""}${scaling}`;
}

function reweightShow(p: Extract<A.TrainProp, { prop: "reweight" }>): string {
  return `${p.mode.name}${p.target ? ` to ${p.target.name}` : ""} in ${p.axes.map((a) => `${printExpr(a.expr)} ${printBins(a.bins)}`).join(", ")}${reweightClauses(p, printExpr)}`;
}

/** `field value; field value` for the fields that are written. */
export function summaryOf(facets: Facet[]): string {
  return facets
    .map((f) => ("list" in f ? (f.list.length ? `${f.field} ${f.list.map((i) => i.show).join(", ")}` : "") : f.show === null ? "" : `${f.field} ${f.show}`))
    .filter(Boolean)
    .join("; ");
}
