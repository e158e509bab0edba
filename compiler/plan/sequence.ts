/**
 * A sequence features list (`features pf per pfcands sorted by -pt length 50 pad 0 { pt, eta }`)
 * lowered to per-event columns the kernels already compute: feature f of the k-th element is
 * `FEATURE(sort_by(COLL, KEY)[k]) ?? PAD` (the feature's field names read from that element), so
 * an element past the end, a missing field value or invalid arithmetic is the padding; mask k is
 * `count(COLL) > k`. The values come features-major (f × length + k), then the length mask values:
 * plan/onnx.ts's layout of a sequence group.
 *
 * The plan builder passes the sorted collection as an object of its own (a define node), so a
 * kernel sorts each event's elements once; each of the features × length values is then a column.
 */
import { FUNCTION_BY_NAME } from "../../stdlib/index.js";
import type { ExprIR } from "../../plan/types.js";

export interface SequenceIR {
  collection: ExprIR;
  key: ExprIR | null;
  features: ExprIR[];
  length: number;
  pad: number;
}

/** The record type's name of a collection's elements ("collection<Jet>" → "Jet"). */
function elementType(collection: ExprIR): string {
  const m = /^collection<(.+)>$/.exec(collection.type);
  if (!m) throw new Error(`internal: a sequence over ${collection.type}`);
  return m[1];
}

/**
 * `e` with the current element (its bare fields and `this`) replaced by `el`. Arguments that open
 * an element scope of their own (a `where` condition, a per-element argument such as sort_by's
 * key) keep their names: those are the inner elements' fields.
 */
export function onElement(e: ExprIR, el: ExprIR): ExprIR {
  switch (e.op) {
    case "field":
      return { op: "member", type: e.type, name: e.name, args: [el] };
    case "this":
      return el;
    case "where":
      return { ...e, args: [onElement(e.args[0], el), e.args[1]] };
    case "call": {
      const fn = FUNCTION_BY_NAME.get(e.fn);
      const perElement = (i: number) => !!fn?.signatures.some((s) => s.params[i]?.kind === "per-element");
      return { ...e, args: e.args.map((a, i) => (perElement(i) ? a : onElement(a, el))) };
    }
    default:
      return "args" in e ? ({ ...e, args: (e.args as ExprIR[]).map((a) => onElement(a, el)) } as ExprIR) : e;
  }
}

/** The sequence's columns: features × length values, features-major, then length mask values. */
export function sequenceColumns(q: SequenceIR): ExprIR[] {
  const record = elementType(q.collection);
  const sorted: ExprIR = q.key ? { op: "call", type: q.collection.type, fn: "sort_by", args: [q.collection, q.key] } : q.collection;
  const int = (value: number): ExprIR => ({ op: "const", type: "int", value });
  const out: ExprIR[] = [];
  for (const f of q.features) {
    for (let k = 0; k < q.length; k++) {
      const el: ExprIR = { op: "index", type: record, args: [sorted, int(k)] };
      out.push({ op: "binary", type: "float", fn: "??", args: [onElement(f, el), { op: "const", type: "float", value: q.pad }] });
    }
  }
  for (let k = 0; k < q.length; k++) out.push({ op: "binary", type: "bool", fn: ">", args: [{ op: "call", type: "int", fn: "count", args: [q.collection] }, int(k)] });
  return out;
}
