/**
 * What preparing training data reports: each problem carries a code from the one diagnostics
 * table and its message arguments, so the executor turns an error into a RunError (with the train
 * node's origin) and prints a warning, without this folder importing the executor.
 */
import { DIAGNOSTICS, formatMessage, type DiagnosticCode } from "../../compiler/core/diagnostics.js";

export interface TrainProblem {
  code: DiagnosticCode;
  severity: "error" | "warning";
  args: Record<string, string | number>;
  message: string;
}

/** The result style of this folder: a value (null when an error was found) and what was found. */
export interface Reported<T> {
  value: T | null;
  problems: TrainProblem[];
}

export class Problems {
  readonly list: TrainProblem[] = [];

  add(code: DiagnosticCode, args: Record<string, string | number>): void {
    const def = DIAGNOSTICS[code];
    this.list.push({ code, severity: def.severity === "error" ? "error" : "warning", args, message: formatMessage(def.message, args) });
  }

  get hasErrors(): boolean {
    return this.list.some((p) => p.severity === "error");
  }
}

/** Numbers in messages: shortest form that round-trips, with infinities spelled out. */
export function num(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "+inf";
  if (x === -Infinity) return "-inf";
  return String(x);
}
