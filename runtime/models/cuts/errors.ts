/**
 * Run-time errors of cut_and_count, carrying a code of the diagnostics table (HEP6070–HEP6079)
 * and its arguments, so the executor renders them like every other runtime diagnostic (the same
 * shape as the other model kinds' errors: `code` and `args`).
 */
export type CutsCode = "HEP6070" | "HEP6071" | "HEP6072" | "HEP6073";

export class CutsError extends Error {
  override readonly name = "CutsError";
  constructor(
    readonly code: CutsCode,
    readonly args: Record<string, string | number>,
  ) {
    super(`${code}: ${Object.entries(args).map(([k, v]) => `${k}=${v}`).join(", ")}`);
  }
}
