/**
 * Working points' thresholds in expressions (ExprIR `threshold`, `MODEL.POINT`): numbers that
 * exist only once an evaluation has merged. The executor runs on its own copy of the plan's nodes;
 * after each stage, every threshold whose evaluation is done becomes a constant in place, so the
 * kernels of later passes (stages.ts puts every reader of a threshold in a pass after its
 * evaluation) compile a number, and column cache keys, which hash the expression, cover its value.
 */
import type { ExprIR, PlanNode } from "../../plan/types.js";
import type { EvaluationResult } from "../evaluate/index.js";
import { RunError } from "./errors.js";

type ThresholdIR = Extract<ExprIR, { op: "threshold" }>;

/** Every threshold expression in the nodes, with the node it is in. */
export function thresholdSlots(nodes: readonly PlanNode[]): Array<{ ir: ThresholdIR; node: PlanNode }> {
  const out: Array<{ ir: ThresholdIR; node: PlanNode }> = [];
  const walk = (v: unknown, node: PlanNode): void => {
    if (Array.isArray(v)) for (const x of v) walk(x, node);
    else if (v && typeof v === "object") {
      if ((v as ExprIR).op === "threshold") out.push({ ir: v as ThresholdIR, node });
      else for (const x of Object.values(v)) walk(x, node);
    }
  };
  for (const n of nodes) walk(n, n);
  return out;
}

/**
 * Replaces, in place, the thresholds whose evaluation has a result by their overall threshold
 * (the working point over all of the evaluation's events, also when it is flat in bins). A
 * working point without a threshold stops the run (HEP6055) at the expression's node.
 */
export function resolveThresholds(slots: Array<{ ir: ThresholdIR; node: PlanNode }>, results: ReadonlyMap<string, unknown>): Array<{ ir: ThresholdIR; node: PlanNode }> {
  const left: Array<{ ir: ThresholdIR; node: PlanNode }> = [];
  for (const slot of slots) {
    const { ir, node } = slot;
    const result = results.get(ir.evaluate) as EvaluationResult | undefined;
    if (!result) {
      left.push(slot);
      continue;
    }
    const wp = result.workingPoints.find((w) => w.name === ir.point);
    const reason = !wp ? "the evaluation derived no such working point (it is derived for binary models only)" : "reason" in wp.overall ? wp.overall.reason : null;
    if (!wp || "reason" in wp.overall) throw new RunError("HEP6055", { model: ir.model, name: ir.point, reason: reason! }, node.origin, node.id);
    const value = wp.overall.threshold;
    const constant = ir as unknown as Record<string, unknown>;
    for (const k of ["model", "point", "evaluate"]) delete constant[k];
    Object.assign(constant, { op: "const", type: "float", value });
  }
  return left;
}
