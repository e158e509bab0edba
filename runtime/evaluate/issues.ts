/**
 * Problems the evaluation finds, as values: a diagnostic code from the one table with its
 * arguments and rendered message. The library never throws on bad data; the executor turns these
 * into run diagnostics with the origin of the `evaluate` block.
 */
import { DIAGNOSTICS, formatMessage, type DiagnosticCode } from "../../compiler/core/diagnostics.js";

export interface EvalIssue {
  code: DiagnosticCode;
  severity: "error" | "warning" | "info";
  args: Record<string, string | number>;
  message: string;
}

export function issue(code: DiagnosticCode, args: Record<string, string | number>): EvalIssue {
  const def = DIAGNOSTICS[code];
  return { code, severity: def.severity, args, message: formatMessage(def.message, args) };
}
