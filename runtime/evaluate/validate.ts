/** Validation of a metrics document against the hand-written schema (ajv, strict). */
import { Ajv, type ValidateFunction } from "ajv";
import schema from "./metrics.schema.json" with { type: "json" };

let validator: ValidateFunction | undefined;

export const METRICS_SCHEMA = schema;

export function validateMetrics(doc: unknown): { ok: true } | { ok: false; errors: string[] } {
  validator ??= new Ajv({ strict: true, allErrors: true, strictRequired: false, allowUnionTypes: true }).compile(schema);
  if (validator(doc)) return { ok: true };
  return { ok: false, errors: (validator.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`.trim()) };
}
