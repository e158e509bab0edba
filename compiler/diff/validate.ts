/** Validation of a diff's JSON against diff.schema.json (ajv, strict), as the tests do for every output. */
import { Ajv, type ValidateFunction } from "ajv";
import schema from "./diff.schema.json" with { type: "json" };

let validator: ValidateFunction | undefined;

export const DIFF_SCHEMA = schema;

export function validateDiff(diff: unknown): { ok: true } | { ok: false; errors: string[] } {
  validator ??= new Ajv({ strict: true, allErrors: true, strictRequired: true, allowUnionTypes: true }).compile(schema);
  if (validator(diff)) return { ok: true };
  return { ok: false, errors: (validator.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`.trim()) };
}
