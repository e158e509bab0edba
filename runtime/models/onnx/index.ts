/**
 * ONNX both ways. Export of hepc's models: a protobuf writer of its own (protobuf.ts), ONNX's
 * messages (proto.ts), and the gbdt's folds with their scaling as one `ai.onnx.ml` model (gbdt.ts).
 * Import: an `onnx("...")` model run with onnxruntime-node (infer.ts), its wide inputs fed
 * column-major through a Transpose written into the model in memory (column-major.ts).
 *
 * In: trained models and fitted scalers (plain data); or an .onnx file's bytes and how its inputs
 * are bound (plan/onnx.ts). Out: the bytes of an .onnx file (writing it is the executor's job); or
 * a scorer of feature columns. Must not import the compiler or the executor.
 */
export { gbdtToOnnx, ML_OPSET } from "./gbdt.js";
export { FoldGraph, ONNX_OPSET, OnnxExportError } from "./folds.js";
export { DataType, modelProto, type Model, type Node, type Tensor, type ValueInfo } from "./proto.js";
export { ProtoWriter } from "./protobuf.js";
export { feedColumnMajor, type ColumnMajorInput } from "./column-major.js";
export { BATCH, COLUMN_MAJOR_MIN, openOnnx, OnnxRunError, type OnnxScorer, type OpenOptions } from "./infer.js";
