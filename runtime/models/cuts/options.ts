/**
 * The options of a cut_and_count model as the plan carries them (defaults filled in by the
 * compiler from stdlib/index.ts), checked again here because a plan may come from a file.
 */
import { CutsError } from "./errors.js";

export type Objective = "rejection" | "significance";

export interface CutsParams {
  /** Thresholds tried per feature and class, at weighted quantiles. */
  steps: number;
  /** Target signal efficiencies, distinct, from the loosest (largest) to the tightest. */
  efficiencies: number[];
  objective: Objective;
  /** Rejection: how far above its target a box's training efficiency may end. */
  tolerance: number;
  /** Each box inside the box of every looser target. */
  nested: boolean;
  /** The signal class's name, or null for the default (see signalLabel). */
  signal: string | null;
}

export const DEFAULT_EFFICIENCIES = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];

const bad = (detail: string) => new CutsError("HEP6071", { detail });

export function paramsFromOptions(o: Record<string, unknown>): CutsParams {
  const steps = o.steps ?? 20;
  if (typeof steps !== "number" || !Number.isInteger(steps) || steps < 2 || steps > 1000) throw bad(`steps must be an int in [2, 1000], got ${String(steps)}`);
  const effs = o.efficiencies ?? DEFAULT_EFFICIENCIES;
  if (!Array.isArray(effs) || effs.length === 0 || !effs.every((e) => typeof e === "number" && e > 0 && e <= 1)) {
    throw bad(`efficiencies must be a list of numbers in (0, 1], got ${JSON.stringify(effs)}`);
  }
  const objective = o.optimise ?? "rejection";
  if (objective !== "rejection" && objective !== "significance") throw bad(`optimise must be rejection or significance, got ${String(objective)}`);
  const tolerance = o.tolerance ?? 0.05;
  if (typeof tolerance !== "number" || !(tolerance >= 0 && tolerance <= 1)) throw bad(`tolerance must be a number in [0, 1], got ${String(tolerance)}`);
  const nested = o.nested ?? false;
  if (typeof nested !== "boolean") throw bad(`nested must be true or false, got ${String(nested)}`);
  const signal = o.signal ?? null;
  if (signal !== null && typeof signal !== "string") throw bad(`signal must name a class, got ${String(signal)}`);
  // Nesting runs from the loosest box to the tightest; a repeated target adds nothing.
  const efficiencies = [...new Set(effs as number[])].sort((a, b) => b - a);
  return { steps, efficiencies, objective, tolerance, nested, signal };
}

/**
 * The label of the signal class: the class named by `signal`; else a class called `signal`; else
 * label 1, the class a binary model's score is the probability of.
 */
export function signalLabel(classes: string[], signal: string | null): number {
  if (classes.length !== 2) throw bad(`it separates a signal class from one background class, and this training has ${classes.length} classes (${classes.join(", ")})`);
  if (signal !== null) {
    const k = classes.indexOf(signal);
    if (k < 0) throw bad(`the signal class '${signal}' is not a class of this training (${classes.join(", ")})`);
    return k;
  }
  const named = classes.indexOf("signal");
  return named >= 0 ? named : 1;
}
