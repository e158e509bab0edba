/** pyhf's published workspace schema (runtime/fit/schemas, Apache-2.0), compiled once with ajv. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.resolve(here, "../../runtime/fit/schemas");
const read = (p: string) => JSON.parse(readFileSync(p, "utf8"));

let validate: ((x: unknown) => boolean) & { errors?: unknown } | undefined;

/** The schema's errors for a document (empty: valid). */
export function pyhfErrors(doc: unknown): unknown[] {
  if (!validate) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addMetaSchema(createRequire(import.meta.url)("ajv/dist/refs/json-schema-draft-06.json"));
    ajv.addSchema(read(path.join(dir, "defs.json")));
    validate = ajv.compile(read(path.join(dir, "workspace.json")));
  }
  return validate(doc) ? [] : ((validate.errors as unknown[]) ?? ["invalid"]);
}
