/** The gbdt kind as the executor sees it (runtime/models/index.ts): fit a fold, load a stored one. */
import type { FitContext, ModelKindRuntime } from "../index.js";
import type { FoldData } from "../../train/types.js";
import { trainGbdt } from "./booster.js";
import { GbdtModel, type GbdtModelJson } from "./model.js";
import { paramsFromOptions } from "./params.js";
import { gbdtToOnnx } from "../onnx/gbdt.js";

export const gbdtRuntime: ModelKindRuntime = {
  fit(data: FoldData, options: Record<string, unknown>, ctx: FitContext) {
    return trainGbdt(data, paramsFromOptions(options, ctx.seed), {
      threads: ctx.threads,
      classes: ctx.classes.length,
      signal: ctx.signal,
      onRound: ctx.onRound ? (round, train, valid) => ctx.onRound!(round, train, Number.isNaN(valid) ? null : valid) : undefined,
    });
  },
  load: (json) => GbdtModel.fromJSON(json as GbdtModelJson),
  toOnnx: (folds, scalers, names) => gbdtToOnnx(folds as GbdtModel[], scalers, names),
};
