/**
 * An `onnx("PATH")` model's file, checked without running it: it must exist, start like an ONNX
 * model (a protobuf ModelProto), have a readable graph and operator sets onnxruntime runs. Its
 * signature (plan/onnx.ts) is then checked against the declaration by models.ts.
 */
import * as path from "node:path";
import type { CompilerHost } from "../../host.js";
import { displayPath } from "../../load/program.js";
import type { Span } from "../../core/source.js";
import type { CheckContext } from "../context.js";
import { MAX_OPSETS, readOnnxSignature, unsupportedOpsets, type OnnxSignature } from "../../../plan/onnx.js";

/** What is read of the file: enough for the first fields, cheap for a model of any size. */
export const ONNX_HEAD_BYTES = 4096;

/** Signatures read, by path, size and modification time (the oldest dropped beyond 64). */
const SIGNATURES = new Map<string, ReturnType<typeof readOnnxSignature>>();

/** ModelProto's fields (onnx.proto) and their wire types: 0 varint, 2 length-delimited. */
const MODEL_FIELDS = new Map<number, number>([
  [1, 0], // ir_version
  [2, 2], // producer_name
  [3, 2], // producer_version
  [4, 2], // domain
  [5, 0], // model_version
  [6, 2], // doc_string
  [7, 2], // graph
  [8, 2], // opset_import
  [14, 2], // metadata_props
  [20, 2], // training_info
  [25, 2], // functions
]);

/**
 * Why `head` (the first bytes of a file of `size` bytes) is not the start of an ONNX model, or
 * undefined when it may be. Walks the top-level protobuf fields within `head`: the first must be a
 * ModelProto field, every known field must have its wire type, and no field may run past the end
 * of the file. Fields added to ModelProto later are let through (any field number, a valid wire
 * type) so that newer models are not refused.
 */
export function notOnnxReason(head: Uint8Array, size: number): string | undefined {
  if (size === 0) return "the file is empty";
  let pos = 0;
  let fields = 0;
  const varint = (): number | undefined => {
    let v = 0;
    let mul = 1;
    for (let k = 0; k < 10; k++) {
      if (pos >= head.length) return undefined;
      const b = head[pos++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
    return Number.NaN; // longer than any varint
  };
  while (pos < head.length) {
    const at = pos;
    const tag = varint();
    if (tag === undefined) break;
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    const expected = MODEL_FIELDS.get(field);
    const bad = Number.isNaN(tag) || field === 0 || ![0, 1, 2, 5].includes(wire) || (expected !== undefined && expected !== wire) || (fields === 0 && expected === undefined);
    if (bad) return `byte ${at} does not start a field of an ONNX ModelProto (is it a model saved in another format?)`;
    if (wire === 0) {
      if (varint() === undefined) break;
    } else if (wire === 2) {
      const len = varint();
      if (len === undefined) break;
      if (Number.isNaN(len) || pos + len > size) return `a field at byte ${at} runs past the end of the file (truncated?)`;
      pos += len;
    } else pos += wire === 1 ? 8 : 4;
    fields++;
  }
  return undefined;
}

/**
 * Reports a missing, unreadable or non-ONNX model file on the string that names it, and one whose
 * graph cannot be read or that needs operator sets onnxruntime does not run. Returns the model's
 * signature when the file passed, for the inputs and outputs to be checked against it.
 */
export function checkOnnxFile(ctx: CheckContext, host: CompilerHost, file: string, abs: string, span: Span): OnnxSignature | undefined {
  const shown = displayPath(abs, host.cwd);
  const id = host.identity(abs);
  if (!id) {
    ctx.report("HEP2030", file, span, { file: shown, reason: "no such file" });
    return undefined;
  }
  const head = host.readHead ? host.readHead(abs, ONNX_HEAD_BYTES) : host.readFile(abs)?.subarray(0, ONNX_HEAD_BYTES);
  if (!head) {
    ctx.report("HEP2030", file, span, { file: shown, reason: "it cannot be read" });
    return undefined;
  }
  const why = notOnnxReason(head, id.size);
  if (why) {
    ctx.report("HEP2031", file, span, { file: shown, reason: why });
    return undefined;
  }
  // the start looks right: the whole file, for its graph's inputs and outputs (read again only
  // when the file changed: the language server checks on every edit)
  const key = `${abs}\0${id.size}\0${id.mtimeMs}`;
  let read = SIGNATURES.get(key);
  if (!read) {
    const bytes = host.readFile(abs);
    if (!bytes) {
      ctx.report("HEP2030", file, span, { file: shown, reason: "it cannot be read" });
      return undefined;
    }
    read = readOnnxSignature(bytes);
    if (SIGNATURES.size >= 64) SIGNATURES.delete(SIGNATURES.keys().next().value!);
    SIGNATURES.set(key, read);
  }
  if ("error" in read) {
    ctx.report("HEP2036", file, span, { file: shown, reason: read.error });
    return undefined;
  }
  const opsets = unsupportedOpsets(read.signature);
  if (opsets.length) {
    ctx.report("HEP2032", file, span, { file: shown, opsets: opsets.join(", "), max: MAX_OPSETS[""], mlMax: MAX_OPSETS["ai.onnx.ml"] });
    return undefined;
  }
  return read.signature;
}

/** The model file's absolute path: relative to the .hep file that names it, as the plan takes it. */
export function onnxPath(ctx: CheckContext, file: string, written: string): string {
  const i = ctx.program.files.findIndex((f) => f.path === file);
  return path.resolve(path.dirname(ctx.program.absPaths[i]), written);
}
