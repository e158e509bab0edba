/**
 * ONNX export of hepc's models: a protobuf writer of its own (protobuf.ts), ONNX's messages
 * (proto.ts), and the gbdt's folds with their scaling as one `ai.onnx.ml` model (gbdt.ts).
 *
 * In: trained models and fitted scalers (plain data). Out: the bytes of an .onnx file; writing it
 * is the executor's job. Must not import the compiler or the executor.
 */
export { gbdtToOnnx, ML_OPSET } from "./gbdt.js";
export { FoldGraph, ONNX_OPSET, OnnxExportError } from "./folds.js";
export { DataType, modelProto, type Model, type Node, type Tensor, type ValueInfo } from "./proto.js";
export { ProtoWriter } from "./protobuf.js";
