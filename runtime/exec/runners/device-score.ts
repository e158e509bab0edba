/**
 * A trained model's folds scoring on a device: an mlp scores on the GPU when its train block's
 * device (`device`, `--device`, HEPC_DEVICE: the rule training follows) resolves to one. Opened
 * once per run before the pass that scores (the predict runner's `prepare`), closed once the run
 * is over (`release`); each chunk's scores are then awaited. Where scoring ran is kept per model
 * (run.results under scoredKey) for the run summary.
 */
import type { TrainNode } from "../../../plan/types.js";
import { MODEL_RUNTIMES, modelErrorOf, scoreChunk, scoreChunkOn, type DeviceScorer, type LoadedModel } from "../../models/index.js";
import { RunError } from "../errors.js";
import { deviceOf } from "./train.js";
import { perRun, type RunState } from "./types.js";

/** A model's folds opened on a device (null: scored on the CPU), once per run. */
const deviceScorers = perRun<{ scorer: DeviceScorer | null; opened: boolean }>();

/** Where a trained model's events were scored ("cpu", or "gpu: " and the adapter), by the train node. */
export const scoredKey = (t: TrainNode) => `scored:${t.id}`;

export async function openDeviceScorer(t: TrainNode, loaded: LoadedModel, run: RunState): Promise<void> {
  const slot = deviceScorers(run, t.id, () => ({ scorer: null, opened: false }));
  if (slot.opened) return;
  slot.opened = true;
  const open = MODEL_RUNTIMES[t.modelKind]?.openScorer;
  try {
    slot.scorer = open ? await open(loaded.folds.map((f) => f.model), deviceOf(t, run), t.model) : null;
  } catch (e) {
    const known = modelErrorOf(e);
    if (known) throw new RunError(known.code, known.args, t.origin);
    throw e;
  }
  run.results.set(scoredKey(t), slot.scorer?.device ?? "cpu");
}

/** The device scorer of a trained model, if it was opened on one. */
export function deviceScorerOf(t: TrainNode, run: RunState): DeviceScorer | null {
  return deviceScorers(run, t.id, () => ({ scorer: null, opened: false })).scorer;
}

export function closeDeviceScorer(t: TrainNode, run: RunState): void {
  const slot = deviceScorers(run, t.id, () => ({ scorer: null, opened: false }));
  slot.scorer?.close();
  slot.scorer = null;
}

/** A chunk's scores on the model's device (errors rendered under the train block's line), or on the CPU. */
export function scoreOn(scorer: DeviceScorer | null, t: TrainNode, ...a: Parameters<typeof scoreChunk>): ReturnType<typeof scoreChunk> | Promise<ReturnType<typeof scoreChunk>> {
  if (!scorer) return scoreChunk(...a);
  return scoreChunkOn(scorer, ...a).catch((e: unknown) => {
    const known = modelErrorOf(e);
    throw known ? new RunError(known.code, known.args, t.origin) : e;
  });
}

