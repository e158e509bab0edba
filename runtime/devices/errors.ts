/**
 * Device errors with a code of the diagnostics table (HEP6090–HEP6099), rendered by the executor
 * like every run-time diagnostic.
 */
export type DeviceCode = "HEP6090" | "HEP6091" | "HEP6092" | "HEP6093" | "HEP6094" | "HEP6136";

export class DeviceError extends Error {
  override readonly name = "DeviceError";
  constructor(
    readonly code: DeviceCode,
    readonly args: Record<string, string | number>,
  ) {
    super(`${code}: ${Object.entries(args).map(([k, v]) => `${k}=${v}`).join(", ")}`);
  }
}
