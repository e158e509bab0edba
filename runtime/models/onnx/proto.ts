/**
 * ONNX's messages, written with the field numbers of onnx.proto (ModelProto, GraphProto,
 * NodeProto, AttributeProto, TensorProto, ValueInfoProto and the types they hold).
 */
import { ProtoWriter } from "./protobuf.js";

export const DataType = { FLOAT: 1, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;

export type Attr =
  | { name: string; int: number }
  | { name: string; float: number }
  | { name: string; string: string }
  | { name: string; ints: ArrayLike<number> }
  | { name: string; floats: ArrayLike<number> }
  | { name: string; strings: string[] }
  | { name: string; tensor: Tensor };

export interface Tensor {
  name?: string;
  dims: number[];
  type: number;
  /** Values; doubles for DOUBLE, numbers otherwise (BOOL: 0/1). */
  values: ArrayLike<number>;
}

export interface Node {
  op: string;
  domain?: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Attr[];
}

export interface ValueInfo {
  name: string;
  type: number;
  /** A number, or a symbolic name for a free dimension. */
  shape: (number | string)[];
  doc?: string;
}

export interface Model {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producer: string;
  producerVersion: string;
  doc?: string;
  metadata?: [string, string][];
  graph: { name: string; nodes: Node[]; initializers: Tensor[]; inputs: ValueInfo[]; outputs: ValueInfo[] };
}

export function tensorProto(t: Tensor): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.type);
  if (t.name !== undefined) w.string(8, t.name);
  const n = t.values.length;
  let raw: Uint8Array;
  // `+ 0` writes -0 as 0: a model stored as JSON (the model cache) has no -0, and the same model
  // fresh from training or from the cache must export the same bytes; the values are equal
  if (t.type === DataType.DOUBLE) {
    raw = new Uint8Array(8 * n);
    const dv = new DataView(raw.buffer);
    for (let i = 0; i < n; i++) dv.setFloat64(8 * i, t.values[i] + 0, true);
  } else if (t.type === DataType.FLOAT) {
    raw = new Uint8Array(4 * n);
    const dv = new DataView(raw.buffer);
    for (let i = 0; i < n; i++) dv.setFloat32(4 * i, t.values[i] + 0, true);
  } else if (t.type === DataType.INT64) {
    raw = new Uint8Array(8 * n);
    const dv = new DataView(raw.buffer);
    for (let i = 0; i < n; i++) dv.setBigInt64(8 * i, BigInt(t.values[i]), true);
  } else if (t.type === DataType.BOOL) {
    raw = Uint8Array.from({ length: n }, (_, i) => (t.values[i] ? 1 : 0));
  } else throw new Error(`tensor type ${t.type} is not written by this encoder`);
  w.bytes(9, raw);
  return w;
}

// AttributeProto.AttributeType
const A = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

function attributeProto(a: Attr): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  if ("int" in a) w.int(3, a.int).int(20, A.INT);
  else if ("float" in a) w.float(2, a.float).int(20, A.FLOAT);
  else if ("string" in a) w.string(4, a.string).int(20, A.STRING);
  else if ("ints" in a) w.packedInts(8, a.ints).int(20, A.INTS);
  else if ("floats" in a) w.packedFloats(7, a.floats).int(20, A.FLOATS);
  else if ("strings" in a) {
    for (const s of a.strings) w.string(9, s);
    w.int(20, A.STRINGS);
  } else w.message(5, tensorProto(a.tensor)).int(20, A.TENSOR);
  return w;
}

function nodeProto(n: Node): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.op);
  for (const a of n.attrs ?? []) w.message(5, attributeProto(a));
  if (n.domain) w.string(7, n.domain);
  return w;
}

function valueInfoProto(v: ValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) shape.message(1, typeof d === "number" ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensor = new ProtoWriter().int(1, v.type).message(2, shape);
  const type = new ProtoWriter().message(1, tensor);
  const w = new ProtoWriter().string(1, v.name).message(2, type);
  if (v.doc) w.string(3, v.doc);
  return w;
}

export function modelProto(m: Model): Uint8Array {
  const g = new ProtoWriter();
  for (const n of m.graph.nodes) g.message(1, nodeProto(n));
  g.string(2, m.graph.name);
  for (const t of m.graph.initializers) g.message(5, tensorProto(t));
  for (const v of m.graph.inputs) g.message(11, valueInfoProto(v));
  for (const v of m.graph.outputs) g.message(12, valueInfoProto(v));
  const w = new ProtoWriter().int(1, m.irVersion).string(2, m.producer).string(3, m.producerVersion);
  if (m.doc) w.string(6, m.doc);
  w.message(7, g);
  for (const o of m.opsets) w.message(8, new ProtoWriter().string(1, o.domain).int(2, o.version));
  for (const [k, v] of m.metadata ?? []) w.message(14, new ProtoWriter().string(1, k).string(2, v));
  return w.finish();
}
