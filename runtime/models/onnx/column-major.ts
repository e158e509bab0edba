/**
 * An imported model rewritten, in memory, to take some of its [batch, values] inputs as
 * [values, batch]: each such input is renamed, declared with its axes swapped, and a `Transpose`
 * (perm [1, 0]) in front of the graph turns it back into the tensor the model was written for,
 * under the input's own name. The rest of the file is copied byte for byte.
 *
 * Why: hepc holds an event's inputs as one column per value. A row-major batch is a gather
 * (each event's values from as many columns: one scattered read per value), which for hundreds of
 * inputs costs more than the network itself; a column-major batch is one contiguous copy per
 * column, and the transpose is left to onnxruntime (on the CPU provider it is folded into the
 * first matrix product; on the GPU it runs there). A transpose moves values without changing
 * them, so the model computes on the same numbers.
 *
 * Where the scores must not change by a bit (the CPU provider), an input is rewritten only when
 * every node reading it is a matrix product taking it as its left operand (MatMul's A, Gemm's A):
 * onnxruntime folds the transpose into the product (transA), whose sums run in the same order, so
 * the scores are the same bits (tests compare them for any batch size and thread count, with the
 * weights constant, as in any exported network: onnxruntime then packs them once). Other
 * readers (a reduction, a normalisation) could see the transpose pushed past them by onnxruntime's
 * optimiser and sum in another order: those inputs stay row-major.
 *
 * The file is read and written at the level of protobuf fields (ModelProto.graph = 7,
 * GraphProto.node = 1, .input = 11), so nothing of the model needs to be understood beyond the
 * names and operators it uses.
 */
import { ProtoWriter } from "./protobuf.js";

/** An input to feed column-major: its name, element type (TensorProto.DataType) and batch dimension's name. */
export interface ColumnMajorInput {
  name: string;
  elem: number;
  width: number;
  /** The symbolic name of the batch axis in the file (null: none). */
  batchDim: string | null;
}

export type ColumnMajorResult = { bytes: Uint8Array; names: Map<string, string> } | { skipped: string };

interface Field {
  field: number;
  wire: number;
  /** Where the field starts (its tag) and ends, in the bytes. */
  start: number;
  end: number;
  /** A length-delimited field's payload. */
  body: [number, number] | null;
  value: number;
}

class Malformed extends Error {}

function varintAt(b: Uint8Array, p: number, end: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (let k = 0; k < 10; k++) {
    if (p >= end) throw new Malformed("truncated");
    const x = b[p++];
    v += (x & 0x7f) * mul;
    if (x < 0x80) return [v, p];
    mul *= 128;
  }
  throw new Malformed("varint too long");
}

/** The fields of the message in bytes [start, end), in order. */
function fields(b: Uint8Array, start: number, end: number): Field[] {
  const out: Field[] = [];
  let p = start;
  while (p < end) {
    const at = p;
    const [tag, q] = varintAt(b, p, end);
    p = q;
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) throw new Malformed("field 0");
    if (wire === 0) {
      const [v, r] = varintAt(b, p, end);
      p = r;
      out.push({ field, wire, start: at, end: p, body: null, value: v });
    } else if (wire === 2) {
      const [len, r] = varintAt(b, p, end);
      if (r + len > end) throw new Malformed("truncated");
      p = r + len;
      out.push({ field, wire, start: at, end: p, body: [r, p], value: len });
    } else if (wire === 1 || wire === 5) {
      p += wire === 1 ? 8 : 4;
      if (p > end) throw new Malformed("truncated");
      out.push({ field, wire, start: at, end: p, body: null, value: 0 });
    } else throw new Malformed(`wire type ${wire}`);
  }
  return out;
}

const text = (b: Uint8Array, f: Field) => new TextDecoder().decode(b.subarray(f.body![0], f.body![1]));

/** The string fields numbered `which` of the sub-message in `f`. */
function stringsOf(b: Uint8Array, f: Field, which: number[]): string[] {
  if (!f.body) return [];
  return fields(b, f.body[0], f.body[1])
    .filter((x) => which.includes(x.field) && x.body)
    .map((x) => text(b, x));
}

/** A length-delimited field's tag and length. */
function header(field: number, len: number): Uint8Array {
  const w: number[] = [];
  for (let v = field * 8 + 2; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      w.push(v);
      break;
    }
    w.push((v % 128) | 0x80);
  }
  for (let v = len; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      w.push(v);
      break;
    }
    w.push((v % 128) | 0x80);
  }
  return Uint8Array.from(w);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** ValueInfoProto of a tensor `name` of `elem` with shape [width, batch]. */
function columnsInfo(name: string, inp: ColumnMajorInput): Uint8Array {
  // TensorShapeProto.dim: dim_value = 1, dim_param = 2 (neither: an unknown size)
  const shape = new ProtoWriter()
    .message(1, new ProtoWriter().int(1, inp.width))
    .message(1, inp.batchDim !== null ? new ProtoWriter().string(2, inp.batchDim) : new ProtoWriter());
  const tensor = new ProtoWriter().int(1, inp.elem).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensor)).finish();
}

/** NodeProto: `Transpose(from) → to`, perm [1, 0]. */
function transposeNode(from: string, to: string): Uint8Array {
  const perm = new ProtoWriter().string(1, "perm").packedInts(8, [1, 0]).int(20, 7); // AttributeProto.INTS
  return new ProtoWriter().string(1, from).string(2, to).string(3, `hepc_columns_${to}`).string(4, "Transpose").message(5, perm).finish();
}

/** Whether every reader of `name` in graph `g` is a matrix product taking it as its left operand, and no subgraph or graph output sees it. */
function onlyProducts(bytes: Uint8Array, g: Field[], name: string): boolean {
  let readers = 0;
  for (const f of g) {
    if (f.field === 12 && stringsOf(bytes, f, [1])[0] === name) return false;
    if (f.field !== 1 || !f.body) continue;
    const node = fields(bytes, f.body[0], f.body[1]);
    // a node with a subgraph (If, Loop, Scan) may read any outer name inside it
    for (const a of node) if (a.field === 5 && a.body && fields(bytes, a.body[0], a.body[1]).some((x) => x.field === 6 || x.field === 11)) return false;
    const ins = node.filter((x) => x.field === 1 && x.body).map((x) => text(bytes, x));
    if (!ins.includes(name)) continue;
    const op = node.find((x) => x.field === 4 && x.body);
    const domain = node.find((x) => x.field === 7 && x.body);
    const standard = domain === undefined || ["", "ai.onnx"].includes(text(bytes, domain));
    if (!standard || !op || !["MatMul", "Gemm"].includes(text(bytes, op)) || ins.lastIndexOf(name) !== 0) return false;
    readers++;
  }
  return readers > 0;
}

/**
 * The model in `bytes` taking `inputs` column-major: the new bytes and, per input, the name its
 * [values, batch] tensor is fed under; or why it was left as it is (the caller then feeds rows).
 * With `exact`, only inputs read by matrix products alone are rewritten (see above).
 */
export function feedColumnMajor(bytes: Uint8Array, wanted: ColumnMajorInput[], exact = false): ColumnMajorResult {
  try {
    const top = fields(bytes, 0, bytes.length);
    const graphs = top.filter((f) => f.field === 7 && f.body);
    if (graphs.length !== 1) return { skipped: "the file has no single graph" };
    // Transpose is an operator of the default domain: a model importing none (only ai.onnx.ml, say) is left alone
    const imports = top.filter((f) => f.field === 8 && f.body).map((f) => fields(bytes, f.body![0], f.body![1]).find((x) => x.field === 1 && x.body));
    if (!imports.some((d) => d === undefined || text(bytes, d) === "" || text(bytes, d) === "ai.onnx")) return { skipped: "the model imports no ai.onnx opset" };
    const graph = graphs[0];
    const g = fields(bytes, graph.body![0], graph.body![1]);
    const inputs = exact ? wanted.filter((i) => onlyProducts(bytes, g, i.name)) : wanted;
    if (inputs.length === 0) return { skipped: "every wide input is read by something other than a matrix product" };
    // every name the graph uses, so that the new inputs' names collide with none
    const used = new Set<string>();
    for (const f of g) {
      if (f.field === 1) stringsOf(bytes, f, [1, 2]).forEach((s) => used.add(s));
      else if (f.field === 5) stringsOf(bytes, f, [8]).forEach((s) => used.add(s));
      else if (f.field === 11 || f.field === 12 || f.field === 13) stringsOf(bytes, f, [1]).forEach((s) => used.add(s));
    }
    const byName = new Map(inputs.map((i) => [i.name, i]));
    const names = new Map<string, string>();
    for (const i of inputs) {
      let name = `${i.name}_hepc_columns`;
      while (used.has(name)) name += "_";
      used.add(name);
      names.set(i.name, name);
    }
    const parts: Uint8Array[] = [];
    // the transposes come first: ONNX wants nodes in an order where each input is produced before use
    for (const i of inputs) {
      const node = transposeNode(names.get(i.name)!, i.name);
      parts.push(header(1, node.length), node);
    }
    let replaced = 0;
    for (const f of g) {
      const name = f.field === 11 ? stringsOf(bytes, f, [1])[0] : undefined;
      const inp = name !== undefined ? byName.get(name) : undefined;
      if (inp) {
        const info = columnsInfo(names.get(inp.name)!, inp);
        parts.push(header(11, info.length), info);
        replaced++;
      } else parts.push(bytes.subarray(f.start, f.end));
    }
    if (replaced !== inputs.length) return { skipped: "an input to transpose is not a graph input" };
    const body = concat(parts);
    const out: Uint8Array[] = [];
    for (const f of top) out.push(f === graph ? concat([header(7, body.length), body]) : bytes.subarray(f.start, f.end));
    return { bytes: concat(out), names };
  } catch (e) {
    if (e instanceof Malformed) return { skipped: `the file could not be read (${e.message})` };
    throw e;
  }
}
