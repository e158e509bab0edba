/**
 * Run-time errors of the booster, carrying a code of the diagnostics table (HEP6020–HEP6029) and
 * its arguments, so the executor renders them like every other runtime diagnostic.
 */
export type GbdtCode = "HEP6020" | "HEP6021" | "HEP6022" | "HEP6023";

export class GbdtError extends Error {
  override readonly name = "GbdtError";
  constructor(
    readonly code: GbdtCode,
    readonly args: Record<string, string | number>,
  ) {
    super(`${code}: ${Object.entries(args).map(([k, v]) => `${k}=${v}`).join(", ")}`);
  }
}
