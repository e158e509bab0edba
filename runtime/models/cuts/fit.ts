/**
 * One fold's fit: options checked, the thresholds and bins of every feature (grid.ts), the nested
 * boxes (search.ts) found on the fold's training part, turned into cuts in scaled and in the
 * features' own units (units.ts), with their efficiencies on the training and validation parts.
 */
import type { FitContext } from "../index.js";
import type { FoldData } from "../../train/types.js";
import { CutsError } from "./errors.js";
import { buildGrid, type FeatureGrid } from "./grid.js";
import { CutsModel, passMask, type BoxFigures, type Cut, type CutsBox } from "./model.js";
import { paramsFromOptions, signalLabel, type CutsParams } from "./options.js";
import { searchBoxes, significance, type Box } from "./search.js";
import { threshold } from "./units.js";

export function fitCuts(data: FoldData, options: Record<string, unknown>, ctx: Pick<FitContext, "classes">): CutsModel {
  const params = paramsFromOptions(options);
  const sig = signalLabel(ctx.classes, params.signal);
  const { n, columns } = data;
  const where = data.fold >= 0 ? `the training events of fold ${data.fold}'s model` : "the training events";
  const isSignal = new Uint8Array(n);
  const weight = Float64Array.from(data.weight);
  let sTotal = 0;
  let bTotal = 0;
  for (let i = 0; i < n; i++) {
    isSignal[i] = data.label[i] === sig ? 1 : 0;
    if (isSignal[i]) sTotal += weight[i];
    else bTotal += weight[i];
  }
  for (const [what, total] of [[`signal ('${ctx.classes[sig]}')`, sTotal], [`background ('${ctx.classes[1 - sig]}')`, bTotal]] as const) {
    if (!(total > 0)) throw new CutsError("HEP6071", { detail: `the ${what} weights of ${where} sum to ${total}; efficiencies need a positive total` });
  }
  if (columns.length !== data.scalers.length) throw new CutsError("HEP6071", { detail: `${columns.length} feature columns for ${data.scalers.length} scalers` });
  const grids = columns.map((c) => buildGrid(c, n, isSignal, weight, params.steps));
  const { boxes } = searchBoxes({ grids, isSignal, weight, n }, params.efficiencies, params.objective, params.nested, params.tolerance);
  const out: CutsBox[] = boxes.map((b, k) => {
    const box: CutsBox = { target: params.efficiencies[k], cuts: cutsOf(b, grids, data), train: EMPTY, validation: null };
    box.train = figures(box, columns, data.label, data.weight, n, sig);
    box.validation = data.valid.n > 0 ? figures(box, data.valid.columns, data.valid.label, data.valid.weight, data.valid.n, sig) : null;
    return box;
  });
  checkReached(out, params, where);
  return new CutsModel({ format: "hepc-cuts/1", objective: params.objective, nested: params.nested, signal: { label: sig, class: ctx.classes[sig] }, features: columns.length, boxes: out });
}

const EMPTY: BoxFigures = { events: 0, signal: 0, background: 0, signalEfficiency: null, backgroundEfficiency: null, rejection: null, significance: null };

function cutsOf(b: Box, grids: FeatureGrid[], data: FoldData): Cut[] {
  const cuts: Cut[] = [];
  grids.forEach((g, j) => {
    const K = g.cut.length;
    if (b.lo[j] === 0 && b.hi[j] === K) return;
    const s = data.scalers[j];
    // bins at or above lo pass: the lower threshold is the one below bin lo
    const lower = b.lo[j] > 0 ? threshold(s, g.below[b.lo[j] - 1], g.above[b.lo[j] - 1]) : null;
    const upper = b.hi[j] < K ? threshold(s, g.below[b.hi[j]], g.above[b.hi[j]]) : null;
    const flip = s.a < 0;
    cuts.push({
      feature: j,
      above: (flip ? upper : lower)?.raw ?? null,
      below: (flip ? lower : upper)?.raw ?? null,
      scaledAbove: lower?.scaled ?? null,
      scaledBelow: upper?.scaled ?? null,
    });
  });
  return cuts;
}

/** Weighted sums of a box on one part of the data. */
export function figures(box: CutsBox, columns: ArrayLike<number>[], label: ArrayLike<number>, weight: ArrayLike<number>, n: number, sig: number): BoxFigures {
  const pass = passMask(box, columns, n);
  let s = 0;
  let b = 0;
  let sAll = 0;
  let bAll = 0;
  let events = 0;
  for (let i = 0; i < n; i++) {
    const w = weight[i];
    const isSig = label[i] === sig;
    if (isSig) sAll += w;
    else bAll += w;
    if (!pass[i]) continue;
    events++;
    if (isSig) s += w;
    else b += w;
  }
  const z = significance(s, b);
  return {
    events,
    signal: s,
    background: b,
    signalEfficiency: sAll > 0 ? s / sAll : null,
    backgroundEfficiency: bAll > 0 ? b / bAll : null,
    rejection: bAll > 0 ? 1 - b / bAll : null,
    significance: Number.isFinite(z) ? z : null,
  };
}

/** Rejection: a box must keep its target, and not more than the tolerance above it. */
function checkReached(boxes: CutsBox[], params: CutsParams, where: string): void {
  if (params.objective !== "rejection") return;
  for (const b of boxes) {
    const e = b.train.signalEfficiency!;
    if (e > b.target + params.tolerance + 1e-12) {
      throw new CutsError("HEP6070", { target: b.target, where, reached: round(e), tolerance: params.tolerance });
    }
  }
}

const round = (x: number) => Number(x.toPrecision(4));
