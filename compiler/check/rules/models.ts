/** Models: a known kind, the right argument (a features name or an ONNX path), typed options. */
import { textOf } from "./params.js";
import * as path from "node:path";
import type * as A from "../../../grammar/ast.js";
import { MODEL_KIND_BY_NAME, ModelOptionSpec } from "../../../stdlib/index.js";
import { suggest } from "../../core/suggest.js";
import { FLOAT } from "../../core/types.js";
import type { CheckContext } from "../context.js";
import type { ExprChecker } from "../expr.js";
import type { CompilerHost } from "../../host.js";
import { checkOnnxFile, onnxPath } from "./onnx-file.js";
import { bindOnnx, type OnnxInputGroup, type OnnxSignature } from "../../../plan/onnx.js";
import { candidateListOf, isCandidateFeatures } from "./candidates.js";

export function checkModels(ctx: CheckContext, exprs: ExprChecker, host: CompilerHost): void {
  for (const { decl, file } of ctx.declsOf("Model")) {
    const kind = MODEL_KIND_BY_NAME.get(decl.modelKind.name);
    if (!kind) {
      if (decl.modelKind.name) {
        const near = suggest(decl.modelKind.name, MODEL_KIND_BY_NAME.keys(), 1);
        ctx.report("HEP4007", file, decl.modelKind.span, { kind: decl.modelKind.name }, near.length ? { suggestion: { message: `did you mean '${near[0]}'?`, replacement: near[0], span: decl.modelKind.span } } : {});
      }
      continue;
    }
    const arg = decl.args[0];
    let signature: OnnxSignature | undefined;
    if (decl.args.length !== 1) {
      ctx.report("HEP3002", file, decl.modelKind.span, { name: kind.name, expected: 1, actual: decl.args.length });
    } else if (kind.argument === "features") {
      if (arg.kind !== "Name") ctx.report("HEP3001", file, arg.span, { what: `a ${kind.name} model`, expected: "the name of a features list", actual: "an expression" });
      else {
        const sym = ctx.symbol(arg.name);
        if (!sym) {
          if (!ctx.brokenNames.has(arg.name)) {
            const near = suggest(arg.name, [...ctx.symbols.values()].filter((s) => s.kind === "features").map((s) => s.name), 1);
            ctx.report("HEP2001", file, arg.span, { name: arg.name }, near.length ? { suggestion: { message: `did you mean '${near[0]}'?`, replacement: near[0], span: arg.span } } : {});
          }
        } else {
          ctx.resolutions.set(arg, { kind: "symbol", symbol: sym });
          dep(ctx, decl.name.name, sym.name);
          if (sym.kind !== "features") ctx.report("HEP2012", file, arg.span, { name: arg.name, actual: sym.kind, expected: "features list" });
          else if ((sym.decl as A.FeaturesDecl).sequence && !isCandidateFeatures(sym.decl as A.FeaturesDecl)) ctx.report("HEP4103", file, arg.span, { features: arg.name, what: `a ${kind.name} model` });
        }
      }
    } else if (kind.argument === "expression") {
      // an existing discriminant: one number per event, whose names the model depends on
      exprs.requireScalar(arg, exprs.check(arg, { file, owner: decl.name.name, elements: [] }), file, `the discriminant of model '${decl.name.name}'`, FLOAT);
    } else if (arg.kind !== "String") {
      ctx.report("HEP3001", file, arg.span, { what: "an onnx model", expected: "the path of an .onnx file", actual: "an expression" });
    } else if (path.isAbsolute(textOf(ctx, file, arg))) {
      ctx.report("HEP2017", file, arg.span, { path: ctx.text(arg) });
    } else {
      signature = checkOnnxFile(ctx, host, file, onnxPath(ctx, file, ctx.text(arg)), arg.span);
    }
    const seen = new Set<string>();
    for (const o of decl.options) {
      const spec = kind.options.find((s) => s.name === o.key.name);
      if (!spec) {
        const near = suggest(o.key.name, kind.options.map((s) => s.name), 1);
        ctx.report("HEP4005", file, o.key.span, { model: decl.name.name, option: o.key.name }, near.length ? { suggestion: { message: `did you mean '${near[0]}'?`, replacement: near[0], span: o.key.span } } : {});
        continue;
      }
      if (seen.has(spec.name)) ctx.report("HEP4004", file, o.key.span, { property: spec.name, block: `model '${decl.name.name}'` });
      seen.add(spec.name);
      const problem = optionProblem(spec, o.value);
      if (problem) ctx.report("HEP4006", file, o.value.span, { option: spec.name, model: decl.name.name, expected: problem, actual: valueWords(o.value) });
      if (spec.type === "list<name>" && spec.name === "inputs" && o.value.kind === "List") {
        // ONNX inputs are features lists (their values) or per-event numbers, typed like any other expression.
        for (const item of o.value.items) {
          if (item.kind !== "Name") continue;
          const sym = ctx.symbol(item.name);
          if (sym?.kind === "features") {
            ctx.resolutions.set(item, { kind: "symbol", symbol: sym });
            dep(ctx, decl.name.name, sym.name);
          } else exprs.requireScalar(item, exprs.check(item, { file, elements: [] }), file, "an onnx input", FLOAT);
        }
      }
    }
    if (kind.name === "onnx" && !decl.options.some((o) => o.key.name === "inputs")) ctx.report("HEP4017", file, decl.name.span, { model: decl.name.name });
    if (kind.name === "onnx") checkCandidateInputs(ctx, file, decl);
    if (kind.name === "score") checkScoreClasses(ctx, file, decl);
    if (signature) checkOnnxSignature(ctx, file, decl, signature);
  }
}

/** A score model's `signal` and `background` name classes of the samples, the signal not among the background. */
function checkScoreClasses(ctx: CheckContext, file: string, decl: A.ModelDecl): void {
  const classes = ctx.classOrder;
  const known = (id: { name: string; span: A.Span }): boolean => {
    if (classes.includes(id.name)) return true;
    const near = suggest(id.name, classes, 1);
    ctx.report("HEP4040", file, id.span, { name: id.name, classes: classes.length ? ` (${classes.join(", ")})` : "" }, near.length ? { suggestion: { message: `did you mean '${near[0]}'?`, replacement: near[0], span: id.span } } : {});
    return false;
  };
  const signal = decl.options.find((o) => o.key.name === "signal")?.value;
  if (signal?.kind === "Name") known({ name: signal.name, span: signal.span });
  const background = decl.options.find((o) => o.key.name === "background")?.value;
  if (background?.kind === "List") {
    for (const item of background.items) {
      if (item.kind !== "Name" || !known({ name: item.name, span: item.span })) continue;
      const sig = signal?.kind === "Name" ? signal.name : classes[classes.length - 1];
      if (item.name === sig) ctx.report("HEP3001", file, item.span, { what: `the background of model '${decl.name.name}'`, expected: "classes other than its signal", actual: `'${item.name}', its signal class` });
    }
  }
}

/**
 * The declaration against the model file's signature: the `inputs` items' widths against the
 * model's inputs (count, values per input, element type, shape), then the output, column and
 * classes. Only when every option is well formed (a bad one is reported already).
 */
function checkOnnxSignature(ctx: CheckContext, file: string, decl: A.ModelDecl, sig: OnnxSignature): void {
  const opt = (name: string) => decl.options.find((o) => o.key.name === name);
  const inputs = opt("inputs");
  if (!inputs || inputs.value.kind !== "List" || decl.options.some((o) => { const spec = MODEL_KIND_BY_NAME.get("onnx")!.options.find((s) => s.name === o.key.name); return !spec || optionProblem(spec, o.value); })) return;
  const groups: OnnxInputGroup[] = [];
  for (const item of inputs.value.items) {
    if (item.kind !== "Name") return;
    const sym = ctx.symbol(item.name);
    if (!sym) return; // reported as unknown
    groups.push(sym.kind === "features" ? onnxGroup(item.name, sym.decl as A.FeaturesDecl) : { label: item.name, width: 1 });
  }
  const output = opt("output")?.value;
  const column = opt("column")?.value;
  const classes = opt("classes")?.value;
  const bound = bindOnnx(sig, {
    groups,
    output: output?.kind === "String" ? output.value : null,
    column: column?.kind === "Number" ? column.value : null,
    classes: classes?.kind === "List" ? classes.items.flatMap((i) => (i.kind === "Name" ? [i.name] : [])) : null,
  });
  if (!("problems" in bound)) return;
  const model = decl.name.name;
  for (const p of bound.problems) {
    if (p.kind === "output") ctx.report("HEP2035", file, (classes ?? column ?? output ?? decl.args[0]).span, { model, detail: p.message });
    else ctx.report(p.kind === "inputs" ? "HEP2033" : p.kind === "sequence" ? "HEP2037" : "HEP2034", file, inputs.value.span, { model, detail: p.message });
  }
}

/**
 * An onnx model fed per-candidate features has one row per candidate: every item of its inputs is
 * then per-candidate features over one and the same list.
 */
function checkCandidateInputs(ctx: CheckContext, file: string, decl: A.ModelDecl): void {
  const inputs = decl.options.find((o) => o.key.name === "inputs")?.value;
  if (inputs?.kind !== "List") return;
  const features = inputs.items.map((i) => {
    const d = i.kind === "Name" ? ctx.symbol(i.name)?.decl : undefined;
    return d?.kind === "Features" ? d : undefined;
  });
  const first = features.findIndex((f) => f && isCandidateFeatures(f));
  if (first < 0) return;
  const list = candidateListOf(features[first]!);
  const model = decl.name.name;
  inputs.items.forEach((item, k) => {
    const f = features[k];
    if (f && isCandidateFeatures(f)) {
      const other = candidateListOf(f);
      if (list && other && other !== list) ctx.report("HEP4143", file, item.span, { model, reason: `its inputs run over different lists of candidates ('${list}' and '${other}'): one row per candidate needs one list` });
    } else ctx.report("HEP4143", file, item.span, { model, reason: `'${item.kind === "Name" ? item.name : "this input"}' is ${!f ? "a per-event value" : f.sequence ? "a sequence" : "a per-event features list"}, but the model scores each candidate of '${list ?? "its list"}': feed it per-candidate features only` });
  });
}

/** A features list as an `inputs` item: its values, a sequence's with its shape (an unchecked length counts as 1). */
export function onnxGroup(label: string, d: A.FeaturesDecl): OnnxInputGroup {
  if (!d.sequence || isCandidateFeatures(d)) return { label, width: d.items.length };
  const q = d.sequence.length;
  const length = q && q.isInt && q.value > 0 ? q.value : 1;
  return { label, width: d.items.length * length, sequence: { features: d.items.length, length } };
}

function dep(ctx: CheckContext, owner: string, name: string): void {
  let s = ctx.deps.get(owner);
  if (!s) ctx.deps.set(owner, (s = new Set()));
  s.add(name);
}

function num(v: A.OptionValue): number | undefined {
  if (v.kind === "Number") return v.value;
  if (v.kind === "Unary" && v.op === "-" && v.operand.kind === "Number") return -v.operand.value;
  return undefined;
}

/** What the option expects when the value does not fit, else undefined. */
export function optionProblem(spec: ModelOptionSpec, v: A.OptionValue): string | undefined {
  const range = (x: number) =>
    (spec.min !== undefined && x < spec.min) || (spec.max !== undefined && x > spec.max);
  const bounds = spec.min !== undefined || spec.max !== undefined ? ` in [${spec.min ?? "-∞"}, ${spec.max ?? "∞"}]` : "";
  switch (spec.type) {
    case "int": {
      const x = num(v);
      return x === undefined || !Number.isInteger(x) || (v.kind === "Number" && !v.isInt) || range(x) ? `an int${bounds}` : undefined;
    }
    case "float": {
      const x = num(v);
      return x === undefined || range(x) ? `a number${bounds}` : undefined;
    }
    case "bool":
      return v.kind === "Bool" ? undefined : "true or false";
    case "string":
      return v.kind === "String" ? undefined : "a string";
    case "name":
      return v.kind === "Name" && (!spec.values || spec.values.includes(v.name)) ? undefined : `one of ${spec.values?.join(", ")}`;
    case "list<int>":
      return v.kind === "List" && v.items.length > 0 && v.items.every((i) => i.kind === "Number" && i.isInt && i.value > 0) ? undefined : "a list of positive ints, e.g. [64, 64]";
    case "list<float>":
      return v.kind === "List" && v.items.length > 0 && v.items.every((i) => i.kind === "Number" && !range(i.value)) ? undefined : `a list of numbers${bounds}, e.g. [0.9, 0.5]`;
    case "list<name>":
      return v.kind === "List" && v.items.every((i) => i.kind === "Name") ? undefined : "a list of names, e.g. [ht, met]";
  }
}

function valueWords(v: A.OptionValue): string {
  switch (v.kind) {
    case "Number":
      return v.raw;
    case "String":
      return JSON.stringify(v.value);
    case "Bool":
      return String(v.value);
    case "Name":
      return v.name;
    case "List":
      return "a list";
    default:
      return "nothing";
  }
}
