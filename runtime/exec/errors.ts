/**
 * Runtime errors. Each carries a diagnostic code from the one table and, where it comes from the
 * analysis, the origin (file, line, column) of the plan node it belongs to, so the CLI prints it
 * under the `.hep` line it came from.
 */
import { DiagnosticCode, DIAGNOSTICS, formatMessage } from "../../compiler/core/diagnostics.js";
import type { Origin } from "../../plan/types.js";

export class RunError extends Error {
  constructor(
    readonly code: DiagnosticCode,
    readonly args: Record<string, string | number>,
    readonly origin?: Origin,
    /** The plan node it is about, where one is. */
    readonly node?: string,
  ) {
    super(formatMessage(DIAGNOSTICS[code].message, args));
  }
}
