/** Outputs: relative paths inside the analysis folder, histogram variables and binnings, regions. */
import { flatOutputItems } from "../../syntax/outputs.js";
import * as path from "node:path";
import type * as A from "../../../grammar/ast.js";
import { HISTOGRAM_SPLITS } from "../../../stdlib/index.js";
import { FLOAT } from "../../core/types.js";
import type { CheckContext } from "../context.js";
import type { ExprChecker } from "../expr.js";
import { checkBins } from "./bins.js";
import { textOf } from "./params.js";
import { expectSymbol } from "./train.js";
import { MODEL_KIND_BY_NAME } from "../../../stdlib/index.js";
import { printExpr } from "../../syntax/print.js";
import { clashes, NTUPLE_FORMATS, ntupleColumns, ntupleFormat } from "./ntuple.js";
import { checkFitOutput } from "./fit.js";

/** The models train blocks name, in the order written. */
export function trainedModels(ctx: CheckContext): string[] {
  return ctx.declsOf("Train").flatMap((t) => t.decl.models.map((m) => m.name).filter(Boolean));
}

/**
 * `dataset [MODEL] "..."`: the named model must be trained; without a name, the analysis must
 * train exactly one model (several models, even of one train block, may have different features).
 */
function checkDataset(ctx: CheckContext, file: string, item: Extract<A.OutputItem, { kind: "Dataset" }>): void {
  if (item.model) {
    const sym = expectSymbol(ctx, file, item.model, "model");
    if (sym && !trainedModels(ctx).includes(sym.name)) ctx.report("HEP4051", file, item.model.span, { model: sym.name });
    return;
  }
  const trained = [...new Set(trainedModels(ctx))];
  if (trained.length === 1) {
    ctx.used.add(trained[0]);
    return;
  }
  const kw = { start: item.span.start, end: item.span.start + "dataset".length };
  ctx.report("HEP4050", file, kw, { reason: trained.length === 0 ? "no train block trains a model" : `the analysis trains ${trained.join(", ")}` });
}

/** `ntuple "..." in REGION keep ...`: its format from the path, its regions, and its columns' names and types. */
function checkNtuple(ctx: CheckContext, exprs: ExprChecker, file: string, item: Extract<A.OutputItem, { kind: "Ntuple" }>): void {
  const format = ntupleFormat(item.path.value);
  if (!format) ctx.report("HEP4078", file, item.path.span, { path: item.path.value, formats: NTUPLE_FORMATS.join(", ") });
  for (const r of item.regions) expectSymbol(ctx, file, r, "region");
  const types = new Map<A.Expr, ReturnType<ExprChecker["check"]>>();
  for (const k of item.keep) types.set(k.expr, exprs.check(k.expr, { file, elements: [] }));
  const { columns, problems } = ntupleColumns(item, (e) => types.get(e)!, printExpr);
  for (const p of problems) ctx.report(p.code, file, p.node.span, p.args);
  for (const c of clashes(columns)) ctx.report("HEP4075", file, c.column.at.span, { name: c.name });
}

export function checkOutputs(ctx: CheckContext, exprs: ExprChecker): void {
  const files = new Map<string, string>(); // output path → kind writing it
  const badPaths = new Set<A.StringLit>();
  for (const { decl, file } of ctx.declsOf("Output")) {
    for (const item of flatOutputItems(decl.items)) {
      if (item.path.kind !== "String") continue;
      const p = textOf(ctx, file, item.path);
      const normal = path.posix.normalize(p);
      if (path.isAbsolute(p) || normal.startsWith("..") || p === "") {
        // a histograms block's entries share its path node: one report
        if (!badPaths.has(item.path)) ctx.report("HEP4025", file, item.path.span, { path: p });
        badPaths.add(item.path);
        continue;
      }
      // Several histograms share one ROOT file; anything else owns its file.
      const prev = files.get(normal);
      if (prev && !(prev === "Histogram" && item.kind === "Histogram")) ctx.report("HEP4024", file, item.path.span, { path: p });
      files.set(normal, item.kind);
      if (item.kind === "FitOutput" && item.format === "datacard") {
        // the datacard's shapes file beside it is an output of its own
        const shapes = `${normal.replace(/\.[^./]*$/, "")}.shapes.root`;
        if (files.has(shapes)) ctx.report("HEP4024", file, item.path.span, { path: shapes });
        files.set(shapes, item.kind);
      }
      switch (item.kind) {
        case "Predictions":
          for (const k of item.keys) {
            const key: A.NameRef = { kind: "Name", name: k.name, id: k.id, span: k.span };
            ctx.keyExprs.set(k, key);
            exprs.requireScalar(key, exprs.check(key, { file, elements: [] }), file, "a prediction key", FLOAT);
          }
          break;
        case "Histogram": {
          for (const e of item.exprs) exprs.requireScalar(e, exprs.check(e, { file, elements: [] }), file, "a histogram variable", FLOAT);
          if (item.exprs.length > 2) ctx.report("HEP4028", file, item.exprs[2].span, { what: "a histogram", expected: "1 or 2", actual: item.exprs.length });
          else if (item.bins.length !== item.exprs.length) ctx.report("HEP4028", file, item.bins[0]?.span ?? item.span, { what: `a ${item.exprs.length}D histogram`, expected: item.exprs.length, actual: item.bins.length });
          for (const b of item.bins) checkBins(ctx, file, b, undefined);
          for (const r of item.regions) expectSymbol(ctx, file, r, "region");
          if (item.by && item.by.name && !(HISTOGRAM_SPLITS as readonly string[]).includes(item.by.name)) ctx.report("HEP4026", file, item.by.span, { what: "histogram split (sample, class or group)", name: item.by.name });
          break;
        }
        case "Cutflow":
          for (const r of item.regions) expectSymbol(ctx, file, r, "region");
          if (item.steps) expectSymbol(ctx, file, item.steps, "region");
          if (item.systematics && !ctx.declsOf("Systematic").length) ctx.report("HEP4117", file, item.systematics.span);
          break;
        case "Report":
          break;
        case "Dataset":
          checkDataset(ctx, file, item);
          break;
        case "Ntuple":
          checkNtuple(ctx, exprs, file, item);
          break;
        case "FitOutput":
          checkFitOutput(ctx, file, item);
          break;
        case "Onnx": {
          const sym = expectSymbol(ctx, file, item.model, "model");
          if (!sym || sym.decl.kind !== "Model") break;
          const kind = MODEL_KIND_BY_NAME.get(sym.decl.modelKind.name);
          if (!kind) break; // reported with the model
          if (!kind.trainable) ctx.report("HEP4052", file, item.model.span, { model: sym.name });
          else if (!trainedModels(ctx).includes(sym.name)) ctx.report("HEP4051", file, item.model.span, { model: sym.name });
          break;
        }
      }
    }
  }
}
