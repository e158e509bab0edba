/**
 * Plan building: a checked analysis in, the plan (a DAG of typed nodes, each with its source origin
 * and a content hash of everything upstream) out. Hashes leave out names and layout, so renaming a
 * declaration or reformatting a file keeps them, and they take in the input files' identities, the
 * options, the seed and the hepc version, so anything that changes results changes them.
 */
import { flatOutputItems } from "../syntax/outputs.js";
import * as path from "node:path";
import type * as A from "../../grammar/ast.js";
import { UNITS } from "../../grammar/parser.js";
import { MODEL_KIND_BY_NAME } from "../../stdlib/index.js";
import type { CheckContext } from "../check/context.js";
import { featureName } from "../check/rules/features.js";
import { literalValue } from "../check/rules/bins.js";
import { ntupleColumns } from "../check/rules/ntuple.js";
import { classId } from "../check/rules/classes.js";
import { membersOf } from "../check/rules/systematics.js";
import { Diagnostic, diagnostic } from "../core/diagnostics.js";
import { positionOf, sourceFile, SourceFile, Span } from "../core/source.js";
import { typeToString } from "../core/types.js";
import type { CompilerHost } from "../host.js";
import { printExpr } from "../syntax/print.js";
import { hashOf } from "../../plan/canonical.js";
import { classOrder, DATA_CLASS, learnable } from "../../plan/classes.js";
import { displayPath } from "../load/program.js";
import { readLock, lockPathFor } from "./lock.js";
import { candidateList, evaluateIdOf, lower, refsOf, Usage } from "./lower.js";
import { candidateClassesOf, candidateListOf, candidateListOfModel } from "../check/rules/candidates.js";
import { sequenceColumns } from "./sequence.js";
import { derivedFor } from "./derived.js";
import type { CollectionIR, CutflowNode, ExprIR, InputFile, NegativeWeights, OnnxSpec, Origin, Plan, PlanNode, ScalingIR, SystematicIR, TrainNode, VaryInputIR } from "../../plan/types.js";

export interface BuildOptions {
  version: string;
}

/** A node before hashing (distributes over the union so each kind keeps its fields). */
type Draft = PlanNode extends infer N ? (N extends PlanNode ? Omit<N, "hash"> & { hash?: string } : never) : never;
type WriteDraft = Extract<Draft, { kind: "write" }>;

export function buildPlan(ctx: CheckContext, host: CompilerHost, opts: BuildOptions): { plan?: Plan; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const program = ctx.program;
  const rootAbs = program.absPaths[0];
  const rootDir = path.dirname(rootAbs);
  const sources = new Map<string, { src: SourceFile; abs: string }>(program.files.map((f, i) => [f.path, { src: sourceFile(f.path, f.text), abs: program.absPaths[i] }]));
  const rel = (abs: string) => path.relative(rootDir, abs).split(path.sep).join("/");
  const origin = (file: string, span: Span): Origin => {
    const s = sources.get(file)!;
    const a = positionOf(s.src, span.start);
    const b = positionOf(s.src, span.end);
    return { file: rel(s.abs), line: a.line + 1, column: a.column + 1, endLine: b.line + 1, endColumn: b.column + 1 };
  };
  const usage = new Usage();
  const low = (e: A.Expr) => lower(ctx, e, usage);
  const nodes: Draft[] = [];
  const add = (n: Draft) => nodes.push(n);
  /** A per-candidate list, by name, as an expression: a reference to its define or object, or the collection. */
  const candidateOver = (name: string, written: A.Expr): ExprIR => {
    const per = candidateList(ctx, name);
    const t = ctx.types.get(written);
    const type = t ? typeToString(t) : "?";
    return per.decl === "collection" ? { op: "collection", type, name } : { op: "ref", type, decl: per.decl, name };
  };

  // ---- inputs ----------------------------------------------------------------------------------
  const lockAbs = lockPathFor(rootAbs);
  const lock = readLock(host, lockAbs);
  if (lock.error) diagnostics.push(diagnostic("HEP5003", program.files[0].path, { start: 0, end: 0 }, { file: displayPath(lockAbs, host.cwd), reason: lock.error }));
  const inputs = new Map<string, InputFile>();
  const inputOf = (abs: string, file: string, span: Span): InputFile | undefined => {
    const p = rel(abs);
    const known = inputs.get(p);
    if (known) return known;
    const id = host.identity(abs);
    if (!id) {
      diagnostics.push(diagnostic("HEP2005", file, span, { file: displayPath(abs, host.cwd), reason: "no such file" }));
      return undefined;
    }
    let input: InputFile = { path: p, size: id.size, mtimeMs: id.mtimeMs };
    const locked = lock.inputs?.get(p);
    if (locked) {
      if (locked.size !== id.size) diagnostics.push(diagnostic("HEP5002", file, span, { file: displayPath(abs, host.cwd), actual: `(size ${id.size})`, expected: `${locked.sha256.slice(0, 12)}… (size ${locked.size})` }));
      input = { path: p, size: id.size, sha256: locked.sha256 };
    }
    inputs.set(p, input);
    return input;
  };

  const analysis = ctx.analysis!.decl;
  const lumiLit = analysis.props.map((p) => p.value).find((v): v is { lumi: A.NumberLit } => "lumi" in v)?.lumi;
  const lumi = lumiLit ? lumiLit.value * (lumiLit.unit ? UNITS[lumiLit.unit.name]?.factor ?? 1 : 1) : null;
  const seedLit = analysis.props.map((p) => p.value).find((v): v is { seed: A.NumberLit } => "seed" in v)?.seed;
  const seed = seedLit?.value ?? 0;
  usage.seed = seed;
  const title = analysis.props.map((p) => p.value).find((v): v is { title: A.StringLit } => "title" in v)?.title;
  const titleText = title ? ctx.text(title) : null;

  // ---- samples ---------------------------------------------------------------------------------
  for (const s of ctx.samples) {
    const files: string[] = [];
    for (const f of s.files) {
      const input = inputOf(f.abs, s.file, s.decl.name.span);
      if (input) files.push(input.path);
    }
    const friend = s.friend ? { tree: s.friend.tree, files: s.friend.files.flatMap((f) => inputOf(f.abs, s.file, s.decl.name.span)?.path ?? []), branches: [] as string[] } : undefined;
    add({ kind: "read", id: `read:${s.name}`, origin: origin(s.file, s.decl.span), inputs: [], sample: s.name, tree: s.tree, files, branches: [], class: s.klass ?? null, ...(friend ? { friend } : {}) });
    const prop = <K extends A.SampleProp["prop"]>(k: K) => s.decl.props.find((p) => p.prop === k) as Extract<A.SampleProp, { prop: K }> | undefined;
    const w = prop("weight");
    const xsec = prop("xsec");
    const sumw = prop("sumw");
    const wExpr = w ? low(w.expr) : null;
    add({
      kind: "weight",
      id: `weight:${s.name}`,
      origin: w && ctx.inheritedFrom.has(w) ? origin(ctx.inheritedFrom.get(w)!, w.span) : origin(s.file, (w ?? s.decl).span),
      inputs: [`read:${s.name}`, ...(wExpr ? refsOf(wExpr) : [])],
      sample: s.name,
      expr: wExpr,
      xsec: xsec ? xsec.value.value * (xsec.value.unit ? UNITS[xsec.value.unit.name]?.factor ?? 1 : 1) : null,
      sumw: sumw ? sumw.value.value : null,
      lumi: xsec ? lumi : null,
    });
    const where = prop("where");
    if (where) {
      const expr = low(where.expr);
      add({ kind: "filter", id: `select:${s.name}`, origin: origin(ctx.inheritedFrom.get(where) ?? s.file, where.span), inputs: [`read:${s.name}`, ...refsOf(expr)], name: s.name, scope: "sample", expr });
    }
  }

  // ---- defines, objects, regions ----------------------------------------------------------------
  const regionWeight = regionWeights(ctx, low);
  for (const sym of ctx.symbols.values()) {
    const d = sym.decl;
    if (d.kind !== "Define" && d.kind !== "Object" && d.kind !== "Region") continue;
    const expr = low(d.expr);
    const inputs = [...refsOf(expr)];
    const weight = d.kind === "Region" ? regionWeight(sym.name) : undefined;
    if (weight) for (const r of refsOf(weight)) if (!inputs.includes(r)) inputs.push(r);
    if (d.kind === "Region") add({ kind: "filter", id: `filter:${sym.name}`, origin: origin(sym.file, d.span), inputs, name: sym.name, scope: "region", expr, ...(weight ? { weight } : {}) });
    else add({ kind: "define", id: `define:${sym.name}`, origin: origin(sym.file, d.span), inputs, name: sym.name, declaration: d.kind === "Object" ? "object" : "define", type: typeToString(ctx.types.get(d.expr)!), expr });
  }

  // ---- features, models, training, evaluation ------------------------------------------------------
  for (const { decl, file } of ctx.declsOf("Features")) {
    // a sequence feeds onnx models only: its values are lowered where a model takes it
    const over = candidateListOf(decl);
    if (decl.sequence && over === undefined) continue;
    const features = decl.items.map((f) => {
      const s = f.scaling;
      const scaling: ScalingIR = { kind: s?.scaling ?? "none" };
      if (s?.clip) scaling.clip = s.clip.value;
      if (s?.scaling === "manual") {
        scaling.shift = literalValue(s.shift);
        scaling.scale = literalValue(s.factor);
      }
      if (s?.scaling === "linear" || (s?.scaling === "manual" && s.low && s.high)) {
        scaling.low = literalValue(s.low);
        scaling.high = literalValue(s.high);
      }
      return { name: featureName(f), expr: low(f.expr), scaling };
    });
    const inputs = new Set<string>();
    for (const f of features) refsOf(f.expr, inputs);
    const per = over !== undefined ? candidateOver(over, decl.sequence!.collection) : undefined;
    if (per) refsOf(per, inputs);
    add({ kind: "scale", id: `scale:${decl.name.name}`, origin: origin(file, decl.span), inputs: [...inputs], name: decl.name.name, features, ...(per ? { per } : {}) });
  }

  const featuresDecl = (name: string): A.FeaturesDecl | undefined => {
    const d = ctx.symbol(name)?.decl;
    return d?.kind === "Features" ? d : undefined;
  };
  const classes: Record<string, string[]> = {};
  const labels: NonNullable<TrainNode["labels"]> = {};
  for (const s of ctx.samples) {
    if (learnable(s.klass)) (classes[s.klass] ??= []).push(s.name);
    const l = ctx.labels.get(s.name);
    if (!l) continue;
    const by = l.body.by ? low(l.body.by) : undefined;
    labels[s.name] = l.body.entries.map((e) => ({
      class: e.name.name,
      // `classes by EXPR { b = 0 }`: the class whose id EXPR equals
      expr: by ? { op: "binary", type: "bool", fn: "==", args: [by, { op: "const", type: "int", value: classId(e.value)! }] } : low(e.value),
    }));
    for (const e of labels[s.name]) if (!(classes[e.class] ??= []).includes(s.name)) classes[e.class].push(s.name);
  }
  const labelRefs = new Set<string>();
  for (const ls of Object.values(labels)) for (const l of ls) refsOf(l.expr, labelRefs);
  const classFields = ctx.labels.size ? { order: ctx.classOrder, labels } : {};
  /** A per-candidate train block's classes: each condition (on a candidate) for every sample but data. */
  const candidateLabels = (body: A.ClassesBody) => {
    const samples = ctx.samples.filter((s) => s.klass !== DATA_CLASS).map((s) => s.name);
    const by = body.by ? low(body.by) : undefined;
    const entries = body.entries.map((e) => ({
      class: e.name.name,
      expr: by ? ({ op: "binary", type: "bool", fn: "==", args: [by, { op: "const", type: "int", value: classId(e.value)! }] } as ExprIR) : low(e.value),
    }));
    return {
      order: entries.map((e) => e.class),
      classes: Object.fromEntries(entries.map((e) => [e.class, samples])),
      labels: Object.fromEntries(samples.map((s) => [s, entries])),
    };
  };
  const sampleWeights = ctx.samples.map((s) => `weight:${s.name}`);
  const sampleSelections = ctx.samples.filter((s) => s.decl.props.some((p) => p.prop === "where")).map((s) => `select:${s.name}`);

  const trainOf = new Map<string, A.TrainDecl>();
  for (const { decl } of ctx.declsOf("Train")) for (const m of decl.models) if (!trainOf.has(m.name)) trainOf.set(m.name, decl);
  for (const { decl, file } of ctx.declsOf("Model")) {
    const kind = MODEL_KIND_BY_NAME.get(decl.modelKind.name)!;
    const name = decl.name.name;
    const options: Record<string, unknown> = {};
    for (const spec of kind.options) if (spec.default !== undefined) options[spec.name] = spec.default;
    for (const o of decl.options) options[o.key.name] = optionValue(o.value);
    const train = trainOf.get(name);
    if (kind.argument === "features") {
      const features = (decl.args[0] as A.NameRef).name;
      const t = train ? trainProps(train) : undefined;
      const folds = t?.folds ? { n: t.folds.folds.value, by: low(t.folds.by) } : null;
      const reweight = t?.reweight
        ? {
            mode: t.reweight.mode.name,
            target: t.reweight.target?.name ?? null,
            axes: t.reweight.axes.map((a) => ({ expr: low(a.expr), edges: edgesOf(ctx, a.bins) })),
            merge: t.reweight.merge.length ? t.reweight.merge.map((g) => g.classes.map((c) => c.name)) : null,
            maxWeight: t.reweight.maxWeight?.value ?? null,
          }
        : null;
      const testValue = t?.test?.value;
      const test: TrainNode["test"] = !testValue ? null : testValue.kind === "Number" && !testValue.unit ? { fraction: testValue.value } : { expr: low(testValue) };
      const classWeights = t?.class_weights ? Object.fromEntries(t.class_weights.weights.map((w) => [w.name.name, w.value.value])) : null;
      const inputs = new Set<string>([`scale:${features}`, ...sampleWeights, ...sampleSelections]);
      if (t?.on) inputs.add(`filter:${t.on.region.name}`);
      // a model trained per candidate: its candidates' classes, on every sample but data
      const own = candidateClassesOf(ctx, name);
      const cand = candidateListOfModel(ctx, name) !== undefined && own ? candidateLabels(own.body) : undefined;
      if (cand) for (const ls of Object.values(cand.labels)) for (const l of ls) refsOf(l.expr, inputs);
      else for (const r of labelRefs) inputs.add(r);
      if (folds) refsOf(folds.by, inputs);
      if (test && "expr" in test) refsOf(test.expr, inputs);
      for (const a of reweight?.axes ?? []) refsOf(a.expr, inputs);
      add({
        kind: "train",
        id: `train:${name}`,
        origin: origin(file, (train ?? decl).span),
        inputs: [...inputs],
        model: name,
        modelKind: kind.name,
        options,
        features,
        region: t?.on?.region.name ?? null,
        folds,
        balance: t?.balance?.mode.name ?? "none",
        reweight,
        validation: t?.validation?.fraction.value ?? null,
        test,
        classWeights,
        negativeWeights: (t?.negative_weights?.mode.name as NegativeWeights | undefined) ?? "keep",
        ...(t?.device ? { device: t.device.mode.name as NonNullable<TrainNode["device"]> } : {}),
        seed,
        ...(cand ? { classes: cand.classes, order: cand.order, labels: cand.labels } : { classes, ...classFields }),
      });
      add({ kind: "predict", id: `predict:${name}`, origin: origin(file, decl.span), inputs: [`train:${name}`, `scale:${features}`], model: name, modelKind: kind.name });
    } else if (kind.argument === "expression") {
      const expr = low(decl.args[0]);
      const all = classOrder(ctx.samples.map((s) => s.klass).filter((k): k is string => !!k));
      const signal = typeof options.signal === "string" ? options.signal : all[all.length - 1];
      const background = Array.isArray(options.background) ? (options.background as string[]) : all.filter((c) => c !== signal);
      add({
        kind: "predict",
        id: `predict:${name}`,
        origin: origin(file, decl.span),
        inputs: [...refsOf(expr)],
        model: name,
        modelKind: kind.name,
        discriminant: { expr, signal, background },
      });
    } else {
      const p = ctx.text(decl.args[0] as A.StringLit);
      const abs = path.resolve(path.dirname(sources.get(file)!.abs), p);
      const input = inputOf(abs, file, decl.args[0].span);
      const inputsOpt = decl.options.find((o) => o.key.name === "inputs")?.value;
      // A features list among the inputs feeds its features' values (unscaled: an imported model
      // carries its own preprocessing); any other name feeds its one value.
      const onnxInputs: ExprIR[] = [];
      const groups: NonNullable<OnnxSpec["groups"]> = [];
      let candidates: OnnxSpec["candidates"];
      for (const item of inputsOpt?.kind === "List" ? inputsOpt.items : []) {
        const list = item.kind === "Name" ? featuresDecl(item.name) : undefined;
        const over = list ? candidateListOf(list) : undefined;
        if (list && over !== undefined) {
          // one row per candidate: the features are expressions of the list's element (checked: every input is such a list over the same one)
          candidates = { over: candidateOver(over, list.sequence!.collection) };
          const exprs = list.items.map((f) => low(f.expr));
          onnxInputs.push(...exprs);
          groups.push({ label: list.name.name, width: exprs.length });
          continue;
        }
        const q = list?.sequence;
        if (list && q) {
          const length = q.length!.value;
          const features = list.items.map((f) => low(f.expr));
          // the sorted elements are an object of their own, so a kernel sorts them once per event
          // and not once per value (its name cannot clash: declared names start with a letter)
          const collection = low(q.collection);
          const sortedName = `__sequence_${list.name.name}`;
          const sorted: ExprIR = q.key ? { op: "call", type: collection.type, fn: "sort_by", args: [collection, low(q.key)] } : collection;
          if (!nodes.some((n) => n.id === `define:${sortedName}`)) add({ kind: "define", id: `define:${sortedName}`, origin: origin(ctx.symbol(list.name.name)!.file, list.span), inputs: [...refsOf(sorted)], name: sortedName, declaration: "object", type: collection.type, expr: sorted });
          const ref: ExprIR = { op: "ref", type: collection.type, decl: "object", name: sortedName };
          onnxInputs.push(...sequenceColumns({ collection: ref, key: null, features, length, pad: q.pad ? literalValue(q.pad)! : 0 }));
          groups.push({ label: list.name.name, width: features.length * length, sequence: { features: features.length, length } });
          continue;
        }
        const exprs = list ? list.items.map((f) => low(f.expr)) : [low(item)];
        onnxInputs.push(...exprs);
        groups.push({ label: item.kind === "Name" ? item.name : "value", width: exprs.length });
      }
      const outputOpt = decl.options.find((o) => o.key.name === "output")?.value;
      const columnOpt = decl.options.find((o) => o.key.name === "column")?.value;
      const classesOpt = decl.options.find((o) => o.key.name === "classes")?.value;
      const threadsOpt = decl.options.find((o) => o.key.name === "threads")?.value;
      const refs = new Set<string>();
      for (const i of onnxInputs) refsOf(i, refs);
      if (candidates) refsOf(candidates.over, refs);
      add({
        kind: "predict",
        id: `predict:${name}`,
        origin: origin(file, decl.span),
        inputs: [...refs],
        model: name,
        modelKind: kind.name,
        onnx: {
          path: input?.path ?? rel(abs),
          inputs: onnxInputs,
          groups,
          output: outputOpt?.kind === "String" ? outputOpt.value : null,
          column: columnOpt?.kind === "Number" ? columnOpt.value : null,
          classes: classesOpt?.kind === "List" ? classesOpt.items.flatMap((i) => (i.kind === "Name" ? [i.name] : [])) : null,
          sampleClasses: classes,
          threads: threadsOpt?.kind === "Number" ? threadsOpt.value : 1,
          ...(candidates ? { candidates } : {}),
        },
      });
    }
  }

  const evalIds = new Set<string>();
  for (const { decl, file } of ctx.declsOf("Evaluate")) {
    const props = evaluateProps(decl);
    const region = props.in?.region.name ?? null;
    const bins = (props.bins?.axes ?? []).map((a) => ({ expr: low(a.expr), edges: edgesOf(ctx, a.bins) }));
    const metrics = (props.metrics?.metrics ?? []).map((m) => ({ name: m.name.name, at: m.at?.value ?? null, ...(m.of ? { of: m.of.name } : {}), ...(m.vs ? { vs: m.vs.name } : {}) }));
    const workingPoints = Object.fromEntries((props.working_points?.points ?? []).map((w) => [w.name.name, w.value.value]));
    for (const m of decl.models) {
      const id = evaluateIdOf(ctx, decl, m.name);
      if (evalIds.has(id)) continue; // a model named twice in one block is evaluated once
      evalIds.add(id);
      const inputs = new Set<string>([`predict:${m.name}`, ...sampleWeights, ...sampleSelections, ...labelRefs]);
      if (region) inputs.add(`filter:${region}`);
      for (const b of bins) refsOf(b.expr, inputs);
      const g = ctx.givens.get(decl);
      const given = g ? { model: g.model, point: g.point, evaluate: evaluateIdOf(ctx, g.evaluate, g.model) } : undefined;
      if (given) inputs.add(`predict:${given.model}`).add(given.evaluate);
      add({ kind: "evaluate", id, origin: origin(file, decl.span), inputs: [...inputs], model: m.name, region, bins, metrics, workingPoints, reference: props.reference?.model.name ?? null, ...(given ? { given } : {}) });
    }
  }

  // ---- systematics -----------------------------------------------------------------------------
  const systematics: SystematicIR[] = [];
  const varied: SystematicIR[] = [];
  for (const { decl, file } of ctx.declsOf("Systematic")) {
    const members = (n: string) => ctx.declsOf("Group").find(({ decl: g }) => g.name.name === n)?.decl.members.map((m) => m.name) ?? [n];
    const samples = decl.samples.length ? [...new Set(decl.samples.flatMap((s) => members(s.name)))].sort() : null;
    const f = decl.family;
    // a family's members, each lowered with its index's value in the expressions
    for (const [k, name] of membersOf(decl).entries()) {
      if (f) ctx.familyValues.set(f.index.name, f.from.value + k);
      const s: SystematicIR = {
        name,
        samples,
        ...(decl.weight ? { weight: { up: low(decl.weight.up), down: decl.weight.down ? low(decl.weight.down) : null } } : {}),
        ...(decl.normalisation ? { normalisation: decl.normalisation.value } : {}),
        ...(decl.vary ? { vary: { inputs: decl.vary.map((v) => ({ input: varyInput(low(v.target)), up: low(v.up), down: v.down ? low(v.down) : null })), touches: [] } } : {}),
        ...(decl.alternatives ? { alternatives: { sample: decl.samples[0].name, up: decl.alternatives.up.name, down: decl.alternatives.down?.name ?? null } } : {}),
        origin: origin(file, decl.span),
      };
      if (s.vary) varied.push(s);
      systematics.push(s);
    }
    if (f) ctx.familyValues.delete(f.index.name);
  }

  // ---- outputs ---------------------------------------------------------------------------------
  const writes = new Map<string, WriteDraft>();
  const writeTo = (p: string, format: WriteDraft["format"], file: string, span: Span): WriteDraft => {
    let w = writes.get(p);
    if (!w) {
      w = { kind: "write", id: `write:${p}`, origin: origin(file, span), inputs: [], path: p, format };
      writes.set(p, w);
      add(w);
    }
    return w;
  };
  const fits: WriteDraft[] = [];
  for (const { decl, file } of ctx.declsOf("Output")) {
    for (const item of flatOutputItems(decl.items)) {
      const p = path.posix.normalize(ctx.text(item.path));
      switch (item.kind) {
        case "Histogram": {
          const name = item.alias?.name ?? item.exprs.map(printExpr).join("_vs_");
          const vars = item.exprs.map(low);
          const inputs = new Set<string>([...sampleWeights, ...sampleSelections, ...item.regions.map((r) => `filter:${r.name}`)]);
          for (const v of vars) refsOf(v, inputs);
          const id = `histogram:${p}/${name}`;
          systematicRefs(systematics, inputs);
          const derived = derivedFor(ctx, item.by?.name ?? null);
          add({ kind: "histogram", id, origin: origin(file, item.span), inputs: [...inputs], name, vars, ...(systematics.length ? { systematics } : {}), ...(derived ? { derived } : {}), edges: item.bins.map((b) => edgesOf(ctx, b)), regions: item.regions.map((r) => r.name), by: item.by?.name ?? null, weighted: item.weighted || ctx.samples.some((s) => s.decl.props.some((x) => x.prop === "weight" || x.prop === "xsec")) || item.regions.some((r) => regionWeight(r.name) !== undefined), ...(item.title?.kind === "String" ? { title: ctx.text(item.title) } : {}) });
          writeTo(p, "root", file, item.span).inputs.push(id);
          break;
        }
        case "Cutflow": {
          if (item.steps) {
            const steps = cutflowSteps(ctx, item.steps.name, low, regionWeight);
            const inputs = new Set<string>([...sampleWeights, ...sampleSelections]);
            for (const row of steps.rows) {
              refsOf(row.expr, inputs);
              if (row.weight) refsOf(row.weight, inputs);
            }
            const id = `cutflow:${p}`;
            const varied = item.systematics && systematics.length ? systematics : undefined;
            systematicRefs(varied ?? [], inputs);
            add({ kind: "cutflow", id, origin: origin(file, item.span), inputs: [...inputs], regions: [], steps, ...(varied ? { systematics: varied } : {}) });
            writeTo(p, "json", file, item.span).inputs.push(id);
            break;
          }
          const regions = item.regions.length ? item.regions.map((r) => r.name) : [...ctx.symbols.values()].filter((s) => s.kind === "region").map((s) => s.name).sort();
          const id = `cutflow:${p}`;
          const inputs = new Set([...sampleWeights, ...sampleSelections, ...regions.map((r) => `filter:${r}`)]);
          const varied = item.systematics && systematics.length ? systematics : undefined;
          systematicRefs(varied ?? [], inputs);
          add({ kind: "cutflow", id, origin: origin(file, item.span), inputs: [...inputs], regions, ...(varied ? { systematics: varied } : {}) });
          writeTo(p, "json", file, item.span).inputs.push(id);
          break;
        }
        case "Predictions": {
          const w = writeTo(p, "friend", file, item.span);
          // a per-candidate model has no score per event to write
          w.inputs.push(...[...ctx.symbols.values()].filter((s) => s.kind === "model" && candidateListOfModel(ctx, s.name) === undefined).map((s) => `predict:${s.name}`));
          const keys = item.keys.map((k) => low(ctx.keyExprs.get(k)!));
          w.keys = keys;
          for (const k of keys) for (const r of refsOf(k)) w.inputs.push(r);
          break;
        }
        case "Report": {
          const w = writeTo(p, "html", file, item.span);
          w.inputs.push(...[...evalIds]);
          break;
        }
        case "Dataset": {
          // without a name the checker made sure exactly one model is trained
          const model = item.model?.name ?? [...trainOf.keys()][0];
          writeTo(p, "arrow", file, item.span).inputs.push(`train:${model}`);
          break;
        }
        case "Onnx":
          writeTo(p, "onnx", file, item.span).inputs.push(`train:${item.model.name}`);
          break;
        case "Ntuple": {
          const w = writeTo(p, "ntuple", file, item.span);
          const { columns } = ntupleColumns(item, (e) => ctx.types.get(e)!, printExpr);
          w.regions = item.regions.map((r) => r.name);
          w.columns = columns.map((c) => ({ name: c.name, expr: low(c.expr), type: c.scalar, ...(c.counter ? { counter: c.counter } : {}) }));
          const inputs = new Set<string>([...sampleWeights, ...sampleSelections, ...w.regions.map((r) => `filter:${r}`)]);
          for (const c of w.columns) refsOf(c.expr, inputs);
          w.inputs.push(...inputs);
          break;
        }
        case "FitOutput": {
          const w = writeTo(p, item.format, file, item.span);
          const groups = [item, ...(item.more ?? [])];
          w.observables = [...new Set(groups.flatMap((g) => g.observables.map((o) => o.name)))];
          w.regions = [...new Set(groups.flatMap((g) => g.regions.map((r) => r.name)))];
          if (item.more) w.channels = groups.flatMap((g) => g.observables.flatMap((o) => g.regions.map((r) => ({ observable: o.name, region: r.name }))));
          fits.push(w);
          break;
        }
      }
    }
  }
  // A fit output reads histograms declared anywhere in the output blocks, before or after it.
  for (const w of fits) {
    for (const o of w.observables ?? []) for (const n of nodes) if (n.kind === "histogram" && n.name === o) w.inputs.push(n.id);
  }

  // ---- what each shape variation touches ------------------------------------------------------
  // (the checker has warned of those that reach no histogram)
  for (const s of varied) s.vary!.touches = touchedBy(nodes, s.vary!.inputs.map((v) => v.input));

  // ---- what to read ------------------------------------------------------------------------------
  const collections: CollectionIR[] = [];
  const wanted = new Set<string>([...usage.collections, ...usage.kinematics, ...usage.fields.keys()]);
  const env = ctx.env;
  for (const name of [...wanted].sort()) {
    const c = env?.collections.get(name);
    if (!c) continue;
    const fields: Record<string, string> = {};
    for (const f of usage.fields.get(name) ?? []) {
      const b = c.branchOf.get(f);
      if (b) fields[f] = b;
    }
    const needKin = usage.kinematics.has(name) && c.kinematics;
    collections.push({ name, shape: c.shape, ...(c.countBranch ? { countBranch: c.countBranch } : {}), fields, ...(needKin ? { kinematics: c.kinematics } : {}) });
    for (const b of Object.values(fields)) usage.branches.add(b);
    if (needKin) for (const b of Object.values(c.kinematics!.fields)) usage.branches.add(b);
    if (c.countBranch) usage.branches.add(c.countBranch);
    else if (c.shape === "jagged" && Object.keys(fields).length === 0 && !needKin) {
      // Without a count branch the rows are counted by any member branch: read one.
      const [field, branch] = c.branchOf.entries().next().value!;
      fields[field] = branch;
      usage.branches.add(branch);
    }
  }
  const branches = [...usage.branches].sort();
  for (const n of nodes) {
    if (n.kind !== "read") continue;
    n.branches = branches;
    const fb = ctx.samples.find((s) => s.name === n.sample)?.friend?.branches;
    if (n.friend && fb) n.friend.branches = branches.filter((b) => fb.has(b));
  }

  // ---- hashes ------------------------------------------------------------------------------------
  const groups = Object.fromEntries(ctx.declsOf("Group").map(({ decl }) => [decl.name.name, decl.members.map((m) => m.name)]).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  const finished = hashNodes(nodes, [...inputs.values()], opts.version, groups);
  const plan: Plan = {
    format: "hepc-plan/1",
    hepc: opts.version,
    analysis: { name: analysis.name.name, title: titleText, lumi, seed, ...analysisMetadata(analysis) },
    source: rel(rootAbs),
    locked: lock.inputs !== undefined,
    inputs: [...inputs.values()].sort((a, b) => (a.path < b.path ? -1 : 1)),
    collections,
    groups,
    nodes: finished.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
  if (ctx.params.size) plan.params = Object.fromEntries([...ctx.params.values()].map((p) => [p.name, p.value]).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  return { plan, diagnostics };
}

/** The terms of an `and` chain, in order: `a and b and c` → [a, b, c]. */
function andTerms(e: A.Expr): A.Expr[] {
  return e.kind === "Binary" && e.op === "and" ? [...andTerms(e.left), ...andTerms(e.right)] : [e];
}

/** The region a term names, when it is a bare region name (`presel` in `presel and nb >= 1`). */
function regionTerm(ctx: CheckContext, e: A.Expr): string | undefined {
  if (e.kind !== "Name") return undefined;
  const r = ctx.resolutions.get(e);
  return r?.kind === "symbol" && r.symbol.kind === "region" ? r.symbol.name : undefined;
}

function times(a: ExprIR | undefined, b: ExprIR | undefined): ExprIR | undefined {
  if (!a) return b;
  if (!b) return a;
  return { op: "binary", type: "float", fn: "*", args: [a, b] };
}

/**
 * Each region's weight in effect: the weights of the regions it is built on (named among the terms
 * of its `and` chain), then its own. Memoised; the checker has ruled out cycles between regions.
 */
function regionWeights(ctx: CheckContext, low: (e: A.Expr) => ExprIR): (name: string) => ExprIR | undefined {
  const memo = new Map<string, ExprIR | undefined>();
  const of = (name: string): ExprIR | undefined => {
    if (memo.has(name)) return memo.get(name);
    memo.set(name, undefined);
    const d = ctx.symbol(name)?.decl;
    if (d?.kind !== "Region") return undefined;
    let w: ExprIR | undefined;
    for (const t of andTerms(d.expr)) {
      const r = regionTerm(ctx, t);
      if (r) w = times(w, of(r));
    }
    w = times(w, d.weight ? low(d.weight.expr) : undefined);
    memo.set(name, w);
    return w;
  };
  return of;
}

/**
 * `cutflow steps R`: row k holds the events passing the first k terms of R's `and` chain, weighted
 * by the weights of the region terms among them; the last row is R itself, with R's own weight.
 */
function cutflowSteps(ctx: CheckContext, region: string, low: (e: A.Expr) => ExprIR, weightOf: (name: string) => ExprIR | undefined): NonNullable<CutflowNode["steps"]> {
  const d = ctx.symbol(region)!.decl as A.RegionDecl;
  const terms = andTerms(d.expr);
  const rows: NonNullable<CutflowNode["steps"]>["rows"] = [];
  let expr: ExprIR | undefined;
  let weight: ExprIR | undefined;
  terms.forEach((t, k) => {
    const term = low(t);
    expr = expr ? { op: "binary", type: "bool", fn: "and", args: [expr, term] } : term;
    const r = regionTerm(ctx, t);
    if (r) weight = times(weight, weightOf(r));
    const last = k === terms.length - 1;
    const w = last ? weightOf(region) : weight;
    rows.push({ label: printExpr(t), expr, ...(w ? { weight: w } : {}) });
  });
  return { region, rows };
}

function trainProps(t: A.TrainDecl) {
  const get = <K extends A.TrainProp["prop"]>(k: K) => t.props.find((p) => p.prop === k) as Extract<A.TrainProp, { prop: K }> | undefined;
  return {
    on: get("on"),
    folds: get("folds"),
    balance: get("balance"),
    reweight: get("reweight"),
    validation: get("validation"),
    test: get("test"),
    class_weights: get("class_weights"),
    negative_weights: get("negative_weights"),
    device: get("device"),
  };
}

function evaluateProps(e: A.EvaluateDecl) {
  const get = <K extends A.EvaluateProp["prop"]>(k: K) => e.props.find((p) => p.prop === k) as Extract<A.EvaluateProp, { prop: K }> | undefined;
  return { in: get("in"), bins: get("bins"), metrics: get("metrics"), working_points: get("working_points"), reference: get("reference") };
}

function edgesOf(ctx: CheckContext, b: A.BinSpec): number[] {
  switch (b.kind) {
    case "UniformBins": {
      const n = b.count.value;
      const lo = literalValue(b.low)!;
      const hi = literalValue(b.high)!;
      // As ROOT's TAxis: lo + i * width. Integer-valued edges stay exact (an edge of 3 must not be
      // 3.0000000000000004, or x = 3 falls in the bin below), and i * width ≤ hi - lo stays finite.
      const width = (hi - lo) / n;
      return Array.from({ length: n + 1 }, (_, i) => (i === n ? hi : lo + i * width));
    }
    case "EdgeBins":
      return b.edges.map((e) => literalValue(e)!);
    case "NamedBins": {
      const sym = ctx.symbol(b.name.name)!;
      return edgesOf(ctx, (sym.decl as A.BinsDecl).spec);
    }
    case "Missing":
      return [];
  }
}

/** A model option as the plan (and the semantic diff) records it. */
/** The header's metadata, each field only when written; sqrts in GeV. */
function analysisMetadata(a: A.AnalysisDecl): Pick<Plan["analysis"], "experiment" | "sqrts" | "doi" | "arxiv"> {
  const out: Pick<Plan["analysis"], "experiment" | "sqrts" | "doi" | "arxiv"> = {};
  for (const { value: v } of a.props) {
    if ("experiment" in v && v.experiment.kind === "String") out.experiment = v.experiment.value;
    if ("doi" in v && v.doi.kind === "String") out.doi = v.doi.value;
    if ("arxiv" in v && v.arxiv.kind === "String") out.arxiv = v.arxiv.value;
    if ("sqrts" in v && v.sqrts.kind === "Number") out.sqrts = v.sqrts.value * (v.sqrts.unit ? UNITS[v.sqrts.unit.name]?.factor ?? 1 : 1);
  }
  return out;
}

export function optionValue(v: A.OptionValue): unknown {
  switch (v.kind) {
    case "Number":
      return v.value;
    case "Unary":
      return -(v.operand as A.NumberLit).value;
    case "String":
      return v.value;
    case "Bool":
      return v.value;
    case "Name":
      return v.name;
    case "List":
      return v.items.map((i) => (i.kind === "Number" ? i.value : i.kind === "Name" ? i.name : null));
    default:
      return null;
  }
}

/** Whether a value holds a random-number call (an ExprIR call with a site), anywhere inside. */
function drawsRandom(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(drawsRandom);
  if (v === null || typeof v !== "object") return false;
  const o = v as Record<string, unknown>;
  if (o.op === "call" && typeof o.site === "number") return true;
  return Object.values(o).some(drawsRandom);
}

/**
 * Content hashes, upstream first. A node's hash covers its own content with every reference to
 * another node replaced by that node's hash (so names and ids drop out), the hashes of its inputs,
 * the input files' identities where it reads them, and the hepc version.
 */
function hashNodes(nodes: Draft[], inputs: InputFile[], version: string, groups: Record<string, string[]>): PlanNode[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const identity = new Map(inputs.map((i) => [i.path, i.sha256 ? { sha256: i.sha256 } : { size: i.size, mtimeMs: i.mtimeMs }]));
  const hashes = new Map<string, string>();
  const visiting = new Set<string>();
  const reads = nodes.filter((n) => n.kind === "read").map((n) => n.id);
  // Random numbers are keyed by the sample's name: where an analysis draws them, a read covers its
  // name too, so that every column computed from it (and cached under its hash) does.
  const draws = nodes.some(drawsRandom);

  const hashOfId = (id: string): string => {
    const known = hashes.get(id);
    if (known) return known;
    const n = byId.get(id);
    if (!n) return hashOf({ missing: id });
    if (visiting.has(id)) throw new Error(`internal: plan cycle at ${id}`);
    visiting.add(id);
    const h = hashOf({ hepc: version, kind: n.kind, content: content(n), inputs: n.inputs.map(hashOfId).sort() });
    visiting.delete(id);
    hashes.set(id, h);
    return h;
  };
  const ir = (e: ExprIR | null): unknown => {
    if (!e) return null;
    if (e.op === "ref") return { op: "ref", type: e.type, target: hashOfId(`${e.decl === "region" ? "filter" : "define"}:${e.name}`) };
    // a score is its model's predictions: the model's name drops out, what it learnt from stays in
    if (e.op === "score") return { op: "score", type: e.type, target: hashOfId(`predict:${e.model}`), output: e.output };
    // a threshold is its evaluation's: the working point's target, not its name, stays in
    if (e.op === "threshold") {
      const ev = byId.get(e.evaluate);
      return { op: "threshold", type: e.type, target: hashOfId(e.evaluate), efficiency: ev?.kind === "evaluate" ? ev.workingPoints[e.point] ?? null : null };
    }
    if ("args" in e) return { ...e, args: e.args.map(ir) };
    return e;
  };
  const dataHash = (): string => hashOf(reads.map(hashOfId).sort());
  // a systematic's content: its expressions by what they reference (its origin is where errors point, not content)
  const systematicHashed = ({ origin: _at, ...s }: SystematicIR) => ({ ...s, weight: s.weight ? { up: ir(s.weight.up), down: ir(s.weight.down) } : null, ...(s.vary ? { vary: { ...s.vary, inputs: s.vary.inputs.map((v) => ({ ...v, up: ir(v.up), down: ir(v.down) })) } } : {}) });
  const content = (n: Draft): unknown => {
    switch (n.kind) {
      case "read":
        return {
          tree: n.tree,
          class: n.class,
          files: n.files.map((f) => ({ path: f, identity: identity.get(f) ?? null })),
          ...(n.friend ? { friend: { tree: n.friend.tree, branches: n.friend.branches, files: n.friend.files.map((f) => ({ path: f, identity: identity.get(f) ?? null })) } } : {}),
          ...(draws ? { stream: n.sample } : {}),
        };
      case "weight":
        return { expr: ir(n.expr), xsec: n.xsec, sumw: n.sumw, lumi: n.lumi };
      case "define":
        return { declaration: n.declaration, expr: ir(n.expr), data: dataHash() };
      case "filter":
        return { scope: n.scope, expr: ir(n.expr), data: n.scope === "region" ? dataHash() : null, ...(n.weight ? { weight: ir(n.weight) } : {}) };
      case "scale":
        return { features: n.features.map((f) => ({ name: f.name, expr: ir(f.expr), scaling: f.scaling })) };
      case "train":
        return {
          modelKind: n.modelKind,
          options: n.options,
          features: hashOfId(`scale:${n.features}`),
          region: n.region ? hashOfId(`filter:${n.region}`) : null,
          folds: n.folds ? { n: n.folds.n, by: ir(n.folds.by) } : null,
          balance: n.balance,
          reweight: n.reweight
            ? { mode: n.reweight.mode, target: n.reweight.target, axes: n.reweight.axes.map((a) => ({ expr: ir(a.expr), edges: a.edges })), merge: n.reweight.merge, maxWeight: n.reweight.maxWeight }
            : null,
          validation: n.validation,
          test: n.test && "expr" in n.test ? { expr: ir(n.test.expr) } : n.test,
          classWeights: n.classWeights,
          negativeWeights: n.negativeWeights,
          // only when written: plans without it keep their hashes
          ...(n.device ? { device: n.device } : {}),
          seed: n.seed,
          classes: n.classes,
          ...(n.order ? { order: n.order, labels: Object.fromEntries(Object.entries(n.labels ?? {}).map(([s, ls]) => [s, ls.map((l) => ({ class: l.class, expr: ir(l.expr) }))])) } : {}),
        };
      case "predict":
        return {
          modelKind: n.modelKind,
          onnx: n.onnx ? { file: identity.get(n.onnx.path) ?? n.onnx.path, inputs: n.onnx.inputs.map(ir), groups: n.onnx.groups ?? null, output: n.onnx.output, column: n.onnx.column ?? null, classes: n.onnx.classes ?? null, sampleClasses: n.onnx.sampleClasses ?? null } : null,
          ...(n.discriminant ? { discriminant: { expr: ir(n.discriminant.expr), signal: n.discriminant.signal, background: n.discriminant.background } } : {}),
          data: dataHash(),
        };
      case "evaluate":
        return {
          region: n.region ? hashOfId(`filter:${n.region}`) : null, bins: n.bins.map((b) => ({ expr: ir(b.expr), edges: b.edges })), metrics: n.metrics, workingPoints: n.workingPoints, reference: n.reference ? hashOfId(`predict:${n.reference}`) : null,
          ...(n.given ? { given: ir({ op: "threshold", type: "float", ...n.given }) } : {}),
        };
      case "histogram":
        return {
          // only where there are any: the hashes of analyses without systematics stay as they were
          // a systematic's origin is where errors point, not content
          ...(n.systematics ? { systematics: n.systematics.map(systematicHashed) } : {}),
          ...(n.derived ? { derived: n.derived } : {}),
          name: n.name, vars: n.vars.map(ir), edges: n.edges, regions: n.regions.map((r) => ({ name: r, hash: hashOfId(`filter:${r}`) })), by: n.by, weighted: n.weighted, samples: reads, groups: n.by === "group" ? groups : null, ...(n.title !== undefined ? { title: n.title } : {})
        };
      case "cutflow":
        return {
          ...(n.systematics ? { systematics: n.systematics.map(systematicHashed) } : {}),
          regions: n.regions.map((r) => ({ name: r, hash: hashOfId(`filter:${r}`) })),
          samples: reads,
          ...(n.steps ? { steps: n.steps.rows.map((row) => ({ label: row.label, expr: ir(row.expr), weight: ir(row.weight ?? null) })) } : {}),
        };
      case "write":
        return { path: n.path, format: n.format, keys: (n.keys ?? []).map(ir), ...(n.observables ? { observables: n.observables, regions: n.regions } : {}), ...(n.channels ? { channels: n.channels } : {}) };
    }
  };
  return nodes.map((n) => ({ ...n, hash: hashOfId(n.id) }) as PlanNode);
}

/** The declarations the systematics' weights and varied values read, added to a node's inputs. */
function systematicRefs(systematics: readonly SystematicIR[], inputs: Set<string>): void {
  for (const s of systematics) for (const e of [s.weight?.up, s.weight?.down, ...(s.vary?.inputs ?? []).flatMap((v) => [v.up, v.down])]) if (e) refsOf(e, inputs);
}

/** The input a shape variation replaces, from its target lowered (`branch B`, or `member(f, collection C)`). */
function varyInput(target: ExprIR): VaryInputIR["input"] {
  if (target.op === "branch") return { branch: target.name };
  if (target.op === "member" && target.args[0].op === "collection") return { collection: target.args[0].name, field: target.name };
  throw new Error(`internal: a checked vary target lowered to ${target.op}`);
}

/**
 * The nodes whose values change with varied inputs: those whose own expressions read one (any use
 * of a varied field's collection counts: an element's other fields travel with it through
 * `where`, sorting and combinations), and everything downstream of them.
 */
function touchedBy(nodes: readonly Draft[], inputs: Array<VaryInputIR["input"]>): string[] {
  const branches = new Set(inputs.flatMap((i) => ("branch" in i ? [i.branch] : [])));
  const collections = new Set(inputs.flatMap((i) => ("collection" in i ? [i.collection] : [])));
  const reads = (x: unknown): boolean => {
    if (Array.isArray(x)) return x.some(reads);
    if (!x || typeof x !== "object") return false;
    const o = x as Record<string, unknown>;
    if ((o.op === "branch" && branches.has(o.name as string)) || (o.op === "collection" && collections.has(o.name as string))) return true;
    // a histogram's own variations are not its values
    return Object.entries(o).some(([k, v]) => k !== "systematics" && k !== "origin" && reads(v));
  };
  const byId = new Map(nodes.map((n) => [n.id, n]));
  // A histogram's values: its variables, regions, and its samples' weights and selections, not
  // the other systematics' weights (its inputs too): a copy varies one thing at a time.
  const events = (n: Draft) => n.inputs.filter((i) => i.startsWith("weight:") || i.startsWith("filter:") || i.startsWith("select:"));
  // A model's scores in a world: its features (or inputs) there, through the fitted model as it
  // is; what its training read (classes, region, weights) does not change them, nothing is retrained.
  const inputsOf = (n: Draft): string[] =>
    n.kind === "histogram"
      ? [...events(n), ...n.vars.flatMap((v) => [...refsOf(v)])]
      : n.kind === "cutflow"
        ? [...events(n), ...(n.steps?.rows ?? []).flatMap((r) => [...refsOf(r.expr), ...(r.weight ? refsOf(r.weight) : [])])]
        : n.kind === "predict"
          ? n.inputs.filter((i) => !i.startsWith("train:"))
          : n.inputs;
  const memo = new Map<string, boolean>();
  const touched = (id: string): boolean => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    memo.set(id, false);
    const n = byId.get(id);
    const t = !!n && (reads(n) || inputsOf(n).some(touched));
    memo.set(id, t);
    return t;
  };
  const kinds = new Set(["define", "filter", "weight", "histogram", "cutflow", "predict"]);
  return nodes.filter((n) => kinds.has(n.kind) && touched(n.id)).map((n) => n.id).sort();
}
