/**
 * The plan: the contract between compiler and runtime. In: nothing but its own definitions. Out:
 * the IR types (types.ts), the order of a model's classes (classes.ts), an ONNX model's signature and
 * how an `onnx(...)` model's inputs bind to it (onnx.ts, read by both checker and runtime), canonical JSON and content hashes (canonical.ts), and validation
 * against the hand-written JSON Schema (validate.ts, plan.schema.json).
 * The compiler writes plans (compiler/plan lowers the checked syntax tree into one); the runtime,
 * executors and the diff read them. Must not import grammar/, compiler/, runtime/, lsp/ or cli/.
 */
export * from "./types.js";
export { classOrder } from "./classes.js";
export { bindOnnx, elemTypeName, MAX_OPSETS, readOnnxSignature, unsupportedOpsets, type BoundInput, type OnnxBinding, type OnnxInputGroup, type OnnxInputsSpec, type OnnxProblem, type OnnxSignature, type OnnxValue } from "./onnx.js";
export { canonicalize, canonicalJson, hashOf, sha256Hex, type Json } from "./canonical.js";
export { validatePlan, PLAN_SCHEMA } from "./validate.js";
