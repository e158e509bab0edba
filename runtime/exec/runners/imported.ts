/**
 * Imported models (`onnx("...")`): opened once per run before the first pass that scores with
 * them, applied to every event of every sample. hepc never trained them, so no event counts as a
 * training event: every score is "out of fold" in the sense that matters (the model's own
 * training data is unknown to hepc, and the analysis' events are assumed independent of it), the
 * overtraining comparison has nothing to compare, and an evaluation uses all events of its region.
 * What the other runners need of any model (its classes, a sample's class) is runners/models.ts.
 */
import { resolveDevice } from "../../devices/index.js";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ExprIR, PredictNode } from "../../../plan/types.js";
import { hashOf } from "../../../plan/canonical.js";
import type { OnnxInputsSpec } from "../../../plan/onnx.js";
import { IMPORTED_MODEL_RUNTIMES, modelErrorOf } from "../../models/index.js";
import type { OnnxScorer } from "../../models/onnx/index.js";
import { RunError } from "../errors.js";
import { GrowableF64 } from "./growable.js";
import { unpackList } from "../../columns/index.js";
import { CandidateScores } from "./candidate-scores.js";
import { scoringWorlds } from "./world-scores.js";
import type { CachedOutput } from "../stream.js";
import { perRun, type RunState, type SampleScope, type SampleTask } from "./types.js";

const scorers = perRun<{ scorer?: OnnxScorer; opening?: Promise<OnnxScorer> }>();

export function onnxSpec(p: PredictNode): OnnxInputsSpec {
  const o = p.onnx!;
  return { groups: o.groups ?? o.inputs.map((_, k) => ({ label: `input ${k + 1}`, width: 1 })), output: o.output, column: o.column ?? null, classes: o.classes ?? null };
}

/** The device imported models run on, from the run's `--device` (auto: a hardware adapter when one is found). */
async function deviceFor(run: RunState): Promise<"cpu" | "gpu"> {
  const wanted = run.opts.device ?? "cpu";
  if (wanted === "cpu") return "cpu";
  return (await resolveDevice(wanted)).kind;
}

/** Opens the model file (once per run); its problems are errors under the model's line. */
export async function prepareImported(p: PredictNode, run: RunState): Promise<void> {
  const slot = scorers(run, p.id, () => ({}));
  if (slot.scorer) return;
  const runtime = IMPORTED_MODEL_RUNTIMES[p.modelKind];
  const file = p.onnx!.path;
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path.resolve(run.opts.analysisDir, file));
  } catch (e) {
    throw new RunError("HEP6031", { what: "read", file, reason: (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String((e as Error).message) }, p.origin, p.id);
  }
  // the run's device: `gpu` runs the model on onnxruntime's WebGPU provider, `auto` does where a hardware adapter is found
  slot.opening ??= deviceFor(run).then((device) => runtime.open(bytes, onnxSpec(p), { model: p.model, file, threads: p.onnx!.threads ?? 1, device }));
  try {
    slot.scorer = await slot.opening;
  } catch (e) {
    const known = modelErrorOf(e);
    if (known) throw new RunError(known.code, known.args, p.origin, p.id);
    throw e;
  }
}

export async function releaseImported(p: PredictNode, run: RunState): Promise<void> {
  const slot = scorers(run, p.id, () => ({}));
  const s = slot.scorer;
  slot.scorer = undefined;
  await s?.close();
}

/**
 * A per-candidate model's task: each feature is a list output over the model's list (one value per
 * candidate, in the list's order), the model is run on one row per candidate, and the scores go
 * on to this chunk's later links and later passes (candidate-scores.ts).
 */
function candidateTask(p: PredictNode, scope: SampleScope, run: RunState, scorer: OnnxScorer): SampleTask<null> {
  const over = p.onnx!.candidates!.over;
  const inputs: CachedOutput[] = p.onnx!.inputs.map((e, k) => ({ key: `onnx:${p.model}:${k}:cand`, expr: e, as: "list" as const, per: over, cacheKey: hashOf({ v: scope.keyOf(e), per: scope.keyOf(over), as: "list" }) }));
  const outputs = [...inputs];
  // the nominal's candidates, and each shape variation's that changes them (world-scores.ts)
  const sets = [
    { keys: inputs.map((o) => o.key), kept: new CandidateScores(p.model, scorer.outputs, run.scoresRead.has(p.model)) },
    ...scoringWorlds(p, scope, run).map((w) => {
      const varied = p.onnx!.inputs.map((e, k) => w.output(`onnx:${p.model}:${k}:cand`, e, "list", over));
      outputs.push(...varied);
      return { keys: varied.map((o) => o.key), kept: new CandidateScores(w.model, scorer.outputs, run.scoresRead.has(p.model)) };
    }),
  ];
  return {
    outputs,
    regions: [],
    async chunk(ev) {
      const n = ev.n;
      for (const { keys, kept } of sets) {
        const lists = keys.map((key) => unpackList(ev.columns.get(key) as Float64Array, n));
        const rows = lists.length ? lists[0].values.length : 0;
        const scores = rows ? await scoreImported(p, scorer, lists.map((l) => l.values), rows) : Array.from({ length: scorer.outputs }, () => new Float64Array(0));
        kept.add(ev, lists.length ? lists[0].offsets : new Float64Array(n + 1), scores, rows);
      }
    },
    finish() {
      for (const { kept } of sets) kept.store(run, scope.read.sample);
      return null;
    },
  };
}

/** The model run on a block of rows; its problems are errors under the model's line. */
async function scoreImported(p: PredictNode, scorer: OnnxScorer, columns: Float64Array[], rows: number): Promise<Float64Array[]> {
  try {
    return await scorer.score(columns, rows);
  } catch (e) {
    const known = modelErrorOf(e);
    if (known) throw new RunError(known.code, known.args, p.origin, p.id);
    throw e;
  }
}

/** A predict node's task for an imported model: its inputs computed by the kernel, then inferred per chunk. */
export function importedTask(p: PredictNode, scope: SampleScope, run: RunState, keys: { score: (model: string, k: number) => string; inSample: (k: number) => string; trained: string }): SampleTask<null> {
  const scorer = scorers(run, p.id, () => ({})).scorer;
  if (!scorer) throw new Error(`onnx model '${p.model}' was not opened before its pass`);
  if (p.onnx!.candidates) return candidateTask(p, scope, run, scorer);
  const col = (k: number, expr: ExprIR) => ({ key: `onnx:${p.model}:${k}:all`, expr, as: "f64" as const, cacheKey: hashOf({ v: scope.keyOf(expr), as: "f64" }) });
  const outputs: CachedOutput[] = p.onnx!.inputs.map((e, k) => col(k, e));
  const keep = () => (run.scoresRead.has(p.model) ? Array.from({ length: scorer.outputs }, () => new GrowableF64()) : null);
  // the nominal's inputs, and each shape variation's that changes them (world-scores.ts)
  const sets = [
    { inputs: outputs.map((o) => o.key), model: p.model, kept: keep() },
    ...scoringWorlds(p, scope, run).map((w) => {
      const varied = p.onnx!.inputs.map((e, k) => w.output(`onnx:${p.model}:${k}:all`, e, "f64"));
      outputs.push(...varied);
      return { inputs: varied.map((o) => o.key), model: w.model, kept: keep() };
    }),
  ];
  return {
    outputs,
    regions: [],
    async chunk(ev) {
      const n = ev.n;
      for (const set of sets) {
        const scores = await scoreImported(p, scorer, set.inputs.map((key) => ev.columns.get(key) as Float64Array), n);
        scores.forEach((s, k) => ev.columns.set(keys.score(set.model, k), s));
        if (set.kept) scores.forEach((s, k) => set.kept![k].append(s, n));
      }
      // no event was seen in training: no in-sample scores, and every event is scored out of fold
      for (let k = 0; k < scorer.outputs; k++) ev.columns.set(keys.inSample(k), new Float64Array(n).fill(NaN));
      ev.columns.set(keys.trained, new Uint8Array(n));
    },
    finish() {
      for (const set of sets) if (set.kept) run.scoreColumns.set(scope.read.sample, new Map([...(run.scoreColumns.get(scope.read.sample) ?? []), ...set.kept.map((g, k) => [keys.score(set.model, k), g.values()] as const)]));
      return null;
    },
  };
}
