/**
 * Run-time errors of the mlp, carrying a code of the diagnostics table (HEP6060–HEP6069) and its
 * arguments, so the executor renders them like every other runtime diagnostic. HEP6005 (the run
 * was interrupted) is the executor's own code, raised here when the run's signal fires mid-fit.
 */
export type MlpCode = "HEP6005" | "HEP6060" | "HEP6061" | "HEP6062" | "HEP6063";

export class MlpError extends Error {
  override readonly name = "MlpError";
  constructor(
    readonly code: MlpCode,
    readonly args: Record<string, string | number>,
  ) {
    super(`${code}: ${Object.entries(args).map(([k, v]) => `${k}=${v}`).join(", ")}`);
  }
}
