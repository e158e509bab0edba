/**
 * Validation of a plan against the hand-written schema, with ajv in strict mode. The compiler
 * validates what it emits; the runtime validates what it is given (a plan may come from a file).
 */
import { Ajv, type ValidateFunction } from "ajv";
import schema from "./plan.schema.json" with { type: "json" };

let validator: ValidateFunction | undefined;

export const PLAN_SCHEMA = schema;

export function validatePlan(plan: unknown): { ok: true } | { ok: false; errors: string[] } {
  validator ??= new Ajv({ strict: true, allErrors: true, strictRequired: false, allowUnionTypes: true }).compile(schema);
  if (validator(plan)) return { ok: true };
  return { ok: false, errors: (validator.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`.trim()) };
}
