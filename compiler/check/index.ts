/**
 * The checker. In: a loaded program and a host (for the samples' tree metadata). Out: a
 * CheckContext holding symbols, sample inputs, types and resolutions, plus diagnostics (2xxx-4xxx).
 * Must not import runtime/ or lsp/.
 */
import type { CompilerHost } from "../host.js";
import type { Program } from "../load/program.js";
import { CheckContext } from "./context.js";
import { ExprChecker } from "./expr.js";
import { bind } from "./rules/bind.js";
import { dropDiagnosticsInBrokenDecls, useNamesInBrokenDecls } from "./rules/broken.js";
import { checkBinsDecls } from "./rules/bins.js";
import { applyDefaults } from "./rules/defaults.js";
import { checkEvaluate } from "./rules/evaluate.js";
import { checkFeatures } from "./rules/features.js";
import { checkModels } from "./rules/models.js";
import { checkCandidateTrain } from "./rules/candidates.js";
import { checkOutputs } from "./rules/outputs.js";
import { checkClassExprs, resolveClasses } from "./rules/classes.js";
import { checkParams, textOf } from "./rules/params.js";
import { checkEnergy, checkQuantity, checkSampleExprs, checkSamples } from "./rules/samples.js";
import { checkScoreCycles } from "./rules/scores.js";
import { checkSystematics } from "./rules/systematics.js";
import { checkDerivedHistograms } from "./rules/derived.js";
import { checkTrain } from "./rules/train.js";
import { checkThresholdCycles } from "./rules/working-points.js";
import { checkGroups, checkUnused } from "./rules/unused.js";

export { CheckContext } from "./context.js";
export type { Resolution, SampleInput } from "./context.js";

export async function check(program: Program, host: CompilerHost, overrides: ReadonlyMap<string, string> = new Map()): Promise<CheckContext> {
  const ctx = new CheckContext(program, overrides);
  bind(ctx);
  checkParams(ctx, overrides);
  applyDefaults(ctx);
  checkHeader(ctx);
  await checkSamples(ctx, host, program.absPaths[0] ?? host.cwd);
  resolveClasses(ctx);
  const exprs = new ExprChecker(ctx);
  // Every object, define and region is typed, used or not, so mistakes in unused ones show too.
  for (const sym of ctx.symbols.values()) {
    if (sym.kind === "object" || sym.kind === "define" || sym.kind === "region") exprs.typeOfSymbol(sym);
  }
  checkSampleExprs(ctx, exprs);
  checkClassExprs(ctx, exprs);
  checkGroups(ctx);
  checkBinsDecls(ctx);
  checkFeatures(ctx, exprs);
  checkModels(ctx, exprs, host);
  checkCandidateTrain(ctx, exprs);
  checkTrain(ctx, exprs);
  checkEvaluate(ctx, exprs);
  checkOutputs(ctx, exprs);
  checkSystematics(ctx, exprs);
  checkDerivedHistograms(ctx);
  checkScoreCycles(ctx);
  checkThresholdCycles(ctx);
  useNamesInBrokenDecls(ctx);
  checkUnused(ctx);
  dropDiagnosticsInBrokenDecls(ctx);
  return ctx;
}

function checkHeader(ctx: CheckContext): void {
  const a = ctx.analysis;
  if (!a) return;
  const seen = new Set<string>();
  for (const p of a.decl.props) {
    const key = Object.keys(p.value)[0];
    if (seen.has(key)) ctx.report("HEP4004", a.file, p.key.span, { property: key, block: "the analysis header" });
    seen.add(key);
    if ("title" in p.value && p.value.title.kind === "String") textOf(ctx, a.file, p.value.title);
    if ("lumi" in p.value) checkQuantity(ctx, a.file, p.value.lumi, "inverse area", "the luminosity");
    if ("sqrts" in p.value) checkEnergy(ctx, a.file, p.value.sqrts, "the centre-of-mass energy");
    if ("doi" in p.value && p.value.doi.kind === "String" && !/^10\.\d{4,9}\/\S+$/.test(p.value.doi.value)) ctx.report("HEP4061", a.file, p.value.doi.span, { value: p.value.doi.value, what: "a DOI (10.NNNN/...)" });
    if ("arxiv" in p.value && p.value.arxiv.kind === "String" && !/^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})(v\d+)?$/.test(p.value.arxiv.value)) ctx.report("HEP4061", a.file, p.value.arxiv.span, { value: p.value.arxiv.value, what: "an arXiv identifier (2101.01234, hep-ex/0101001)" });
    if ("experiment" in p.value && p.value.experiment.kind === "String" && p.value.experiment.value.trim() === "") ctx.report("HEP4061", a.file, p.value.experiment.span, { value: "", what: "the name of an experiment" });
    if ("seed" in p.value) {
      const s = p.value.seed;
      if (s.kind === "Number" && (!s.isInt || s.value < 0 || s.value > 2 ** 32 - 1)) {
        ctx.report("HEP3001", a.file, s.span, { what: "the seed", expected: "an int in [0, 2^32)", actual: s.raw });
      }
    }
  }
}
