/**
 * An ONNX model's signature (its opsets, graph inputs and outputs with element types and shapes)
 * read from the file's bytes, and the binding of an `onnx(...)` model's `inputs` onto it. The
 * checker (through CompilerHost's bytes) and the runtime (before it opens the model in
 * onnxruntime) both use it, so that what `hepc check` accepts is what the run feeds.
 *
 * In: the bytes of an .onnx file; the widths of the `inputs` items. Out: a signature, a binding or
 * the problems found, as plain data (the callers give them their diagnostic codes). Imports
 * nothing: the plan is below both compiler and runtime.
 */

/** TensorProto.DataType names, by number (onnx.proto). */
const ELEM_TYPES = ["undefined", "float32", "uint8", "int8", "uint16", "int16", "int32", "int64", "string", "bool", "float16", "float64", "uint32", "uint64", "complex64", "complex128", "bfloat16"];

export function elemTypeName(t: number): string {
  return ELEM_TYPES[t] ?? `type ${t}`;
}

/** One graph input or output. `shape`: per axis a size, a symbolic name, or null (unknown); null when the rank is unknown. */
export interface OnnxValue {
  name: string;
  /** "tensor" (elem and shape apply), or what else the value is (sequence, map, optional, sparse tensor). */
  kind: "tensor" | "sequence" | "map" | "optional" | "sparse" | "unknown";
  /** TensorProto.DataType of a tensor's elements (1 float32, 11 float64, ...). */
  elem: number;
  shape: Array<number | string | null> | null;
}

export interface OnnxSignature {
  irVersion: number;
  opsets: Array<{ domain: string; version: number }>;
  inputs: OnnxValue[];
  outputs: OnnxValue[];
}

/**
 * The newest opset of each standard domain that the onnxruntime-node hepc depends on (1.30) loads:
 * it refuses a model importing a newer one. Other domains (onnxruntime's contrib ops, custom
 * ones) are left to onnxruntime, which loads them when their operators exist.
 */
export const MAX_OPSETS: Readonly<Record<string, number>> = { "": 26, "ai.onnx": 26, "ai.onnx.ml": 5 };

/** Opsets a model imports that onnxruntime does not run, as `domain opset N` words (empty: none). */
export function unsupportedOpsets(sig: OnnxSignature): string[] {
  return sig.opsets.filter((o) => o.domain in MAX_OPSETS && o.version > MAX_OPSETS[o.domain]).map((o) => `${o.domain || "ai.onnx"} opset ${o.version}`);
}

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array, readonly end = b.length) {}
  varint(): number {
    let v = 0;
    let mul = 1;
    for (let k = 0; k < 10; k++) {
      if (this.pos >= this.end) throw new SignatureError("a field runs past the end of its message (truncated file?)");
      const x = this.b[this.pos++];
      v += (x & 0x7f) * mul;
      if (x < 0x80) return v;
      mul *= 128;
    }
    throw new SignatureError("a varint longer than 10 bytes");
  }
  /** Each field of the message: its number, wire type, and a reader of its bytes (wire 2). */
  *fields(): Generator<{ field: number; wire: number; value: number; sub: Reader | null }> {
    while (this.pos < this.end) {
      const tag = this.varint();
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      if (field === 0) throw new SignatureError(`field number 0 at byte ${this.pos}`);
      if (wire === 0) yield { field, wire, value: this.varint(), sub: null };
      else if (wire === 2) {
        const len = this.varint();
        const start = this.pos;
        if (start + len > this.end) throw new SignatureError(`a field at byte ${start} runs past the end of its message (truncated file?)`);
        this.pos += len;
        yield { field, wire, value: len, sub: new Reader(this.b, start + len).at(start) };
      } else if (wire === 1 || wire === 5) {
        this.pos += wire === 1 ? 8 : 4;
        if (this.pos > this.end) throw new SignatureError("a fixed-size field runs past the end of its message");
        yield { field, wire, value: 0, sub: null };
      } else throw new SignatureError(`wire type ${wire} at byte ${this.pos}: not a protobuf message`);
    }
  }
  at(p: number): Reader {
    this.pos = p;
    return this;
  }
  string(): string {
    return new TextDecoder().decode(this.b.subarray(this.pos, this.end));
  }
}

export class SignatureError extends Error {}

function valueInfo(r: Reader): OnnxValue {
  const v: OnnxValue = { name: "", kind: "unknown", elem: 0, shape: null };
  for (const f of r.fields()) {
    if (f.field === 1 && f.sub) v.name = f.sub.string();
    else if (f.field === 2 && f.sub) {
      for (const t of f.sub.fields()) {
        if (!t.sub) continue;
        if (t.field === 1) {
          v.kind = "tensor";
          for (const x of t.sub.fields()) {
            if (x.field === 1 && x.wire === 0) v.elem = x.value;
            else if (x.field === 2 && x.sub) {
              v.shape = [];
              for (const d of x.sub.fields()) {
                if (d.field !== 1 || !d.sub) continue;
                let dim: number | string | null = null;
                for (const y of d.sub.fields()) {
                  if (y.field === 1 && y.wire === 0) dim = y.value;
                  else if (y.field === 2 && y.sub) dim = y.sub.string();
                }
                v.shape.push(dim);
              }
            }
          }
        } else if (t.field === 4) v.kind = "sequence";
        else if (t.field === 5) v.kind = "map";
        else if (t.field === 9) v.kind = "optional";
        else if (t.field === 8) v.kind = "sparse";
      }
    }
  }
  return v;
}

/**
 * The signature of the model in `bytes`, or why it cannot be read. Inputs that are initializers
 * too (models of IR version < 4 list their weights as inputs) are not inputs to feed.
 */
export function readOnnxSignature(bytes: Uint8Array): { signature: OnnxSignature } | { error: string } {
  try {
    const sig: OnnxSignature = { irVersion: 0, opsets: [], inputs: [], outputs: [] };
    let graph = false;
    for (const f of new Reader(bytes).fields()) {
      if (f.field === 1 && f.wire === 0) sig.irVersion = f.value;
      else if (f.field === 8 && f.sub) {
        const o = { domain: "", version: 0 };
        for (const x of f.sub.fields()) {
          if (x.field === 1 && x.sub) o.domain = x.sub.string();
          else if (x.field === 2 && x.wire === 0) o.version = x.value;
        }
        sig.opsets.push(o);
      } else if (f.field === 7 && f.sub) {
        graph = true;
        const init = new Set<string>();
        const inputs: OnnxValue[] = [];
        for (const g of f.sub.fields()) {
          if (!g.sub) continue;
          if (g.field === 5) {
            for (const t of g.sub.fields()) if (t.field === 8 && t.sub) init.add(t.sub.string());
          } else if (g.field === 11) inputs.push(valueInfo(g.sub));
          else if (g.field === 12) sig.outputs.push(valueInfo(g.sub));
        }
        sig.inputs = inputs.filter((i) => !init.has(i.name));
      }
    }
    if (!graph) return { error: "it has no graph" };
    if (sig.outputs.length === 0) return { error: "its graph has no outputs" };
    return { signature: sig };
  } catch (e) {
    if (e instanceof SignatureError) return { error: e.message };
    throw e;
  }
}

/** An `inputs` item: a features list (its width is its number of features) or one value. */
export interface OnnxInputGroup {
  label: string;
  /** Values per event fed to the model (a sequence: features × length). */
  width: number;
  /**
   * A sequence features list: its values come features-major (feature f of element k at f ×
   * length + k), then `length` mask values (1 for an element, 0 for padding) that are fed only
   * to a model input whose name contains `mask`.
   */
  sequence?: { features: number; length: number };
}

/** Columns a group takes in the flattened inputs: its values, and a sequence's mask. */
export function groupSpan(g: OnnxInputGroup): number {
  return g.width + (g.sequence ? g.sequence.length : 0);
}

export interface OnnxInputsSpec {
  groups: OnnxInputGroup[];
  /** The output to read (null: the first). */
  output: string | null;
  /** The column of the output that is the score (null: the last of a two-column output, else the first). */
  column: number | null;
  /** Names of the output's columns when they are the classes' scores (multiclass), else null. */
  classes: string[] | null;
}

/** How one model input is fed: `width` values per event, from the flattened inputs at `first`. */
export interface BoundInput {
  name: string;
  dtype: "float32" | "float64";
  first: number;
  width: number;
  /** The tensor's dims with the batch axis as -1: [-1, width] or [-1] (one value per event), [-1, F, L] or [-1, L, F] (a sequence), [-1, 1, L] or [-1, L] (its mask). */
  dims: number[];
  /** Which axis holds the events: the model's dynamic axis (0 unless only the second is dynamic). */
  batchAxis: 0 | 1;
  /** Per position of an event's values in the tensor, the offset of its column from `first` (absent: in order). */
  order?: number[];
  /** A batch axis of fixed size: the model runs on exactly this many events at a time. */
  fixedBatch: number | null;
}

export interface OnnxBinding {
  inputs: BoundInput[];
  output: { name: string; index: number; dtype: "float32" | "float64"; batchAxis: 0 | 1 };
  /** The output's columns read as scores, in order (one for a binary score, one per class). */
  columns: number[];
  /** Columns per event in the output (null: not fixed in the file; then checked at run time). */
  width: number | null;
}

export type OnnxProblemKind = "inputs" | "type" | "shape" | "output" | "sequence";
export interface OnnxProblem {
  kind: OnnxProblemKind;
  message: string;
}

const FEEDABLE: Record<number, "float32" | "float64"> = { 1: "float32", 11: "float64" };

function shapeWords(shape: OnnxValue["shape"]): string {
  return shape ? `[${shape.map((d) => (d === null ? "?" : String(d))).join(", ")}]` : "of unknown rank";
}

/** A tensor's batch axis and per-event width: rank 1 [batch] or rank 2 [batch, width] with the batch axis first. */
function layout(v: OnnxValue): { width: number | null; fixedBatch: number | null; batchAxis: 0 | 1 } | string {
  const s = v.shape;
  if (!s) return { width: null, fixedBatch: null, batchAxis: 0 };
  if (s.length === 1) return { width: 1, fixedBatch: typeof s[0] === "number" && s[0] > 0 ? s[0] : null, batchAxis: 0 };
  if (s.length === 2) {
    const [a, b] = s;
    // the batch axis is the dynamic one: [values, batch] when only the second is free
    if (typeof a === "number" && a > 0 && typeof b !== "number") return { width: a, fixedBatch: null, batchAxis: 1 };
    return { width: typeof b === "number" ? b : null, fixedBatch: typeof a === "number" && a > 0 ? a : null, batchAxis: 0 };
  }
  return `'${v.name}' with shape ${shapeWords(s)}: hepc feeds [batch, values] or [batch]`;
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/**
 * The `inputs` items bound to the model's inputs: with one model input, every item's values in
 * order along its second axis; with several, one item per model input, in order. The score is a
 * column of one output. Every problem is named (the counts, the input, its type or shape).
 */
export function bindOnnx(sig: OnnxSignature, spec: OnnxInputsSpec): { binding: OnnxBinding } | { problems: OnnxProblem[] } {
  const problems: OnnxProblem[] = [];
  const inputs: BoundInput[] = [];
  if (spec.groups.some((g) => g.sequence)) bindSequences(sig, spec.groups, inputs, problems);
  else bindFlat(sig, spec, inputs, problems);
  return bindOutput(sig, spec, inputs, problems);
}

/**
 * Inputs with sequence lists: one model input per `inputs` item, in order, except model inputs
 * named like `mask` (any case), which take the masks of the sequences in order. A sequence's
 * input is [batch, F, L], or [batch, L, F] when its declared shape says so; its mask [batch, 1, L]
 * or [batch, L].
 */
function bindSequences(sig: OnnxSignature, groups: OnnxInputGroup[], inputs: BoundInput[], problems: OnnxProblem[]): void {
  const model = sig.inputs;
  const masked = model.length > groups.length ? model.filter((m) => /mask/i.test(m.name)) : [];
  const plain = model.filter((m) => !masked.includes(m));
  const seqs = groups.filter((g) => g.sequence);
  const names = (ms: OnnxValue[]) => ms.map((m) => `'${m.name}'`).join(", ");
  if (plain.length !== groups.length) {
    problems.push({ kind: "sequence", message: `has ${plural(plain.length, "input")} besides masks (${names(plain)}), 'inputs' lists ${plural(groups.length, "item")}: a sequence features list is fed to a model input of its own` });
    return;
  }
  if (masked.length > seqs.length) {
    problems.push({ kind: "sequence", message: `has ${plural(masked.length, "mask input")} (${names(masked)}), 'inputs' lists ${plural(seqs.length, "sequence")}` });
    return;
  }
  let first = 0;
  const firstOf = new Map<OnnxInputGroup, number>();
  for (const g of groups) {
    firstOf.set(g, first);
    first += groupSpan(g);
  }
  const tensorType = (m: OnnxValue): "float32" | "float64" | undefined => {
    const dtype = m.kind === "tensor" ? FEEDABLE[m.elem] : undefined;
    if (!dtype) problems.push({ kind: "type", message: `reads input '${m.name}' as ${m.kind === "tensor" ? elemTypeName(m.elem) : `a ${m.kind}`}: hepc feeds float32 or float64 tensors` });
    return dtype;
  };
  const batchOf = (s: OnnxValue["shape"]) => (s && typeof s[0] === "number" && s[0] > 0 ? s[0] : null);
  plain.forEach((m, j) => {
    const g = groups[j];
    const dtype = tensorType(m);
    if (!dtype) return;
    const at = firstOf.get(g)!;
    if (!g.sequence) {
      const l = layout(m);
      if (typeof l === "string") problems.push({ kind: "shape", message: `reads input ${l}` });
      else if (l.width !== null && l.width !== g.width) problems.push({ kind: "inputs", message: `expects ${plural(l.width, "input")} of ${dtype} in '${m.name}', inputs give ${g.width}` });
      else inputs.push({ name: m.name, dtype, first: at, width: g.width, dims: m.shape?.length === 1 ? [-1] : l.batchAxis === 1 ? [g.width, -1] : [-1, g.width], fixedBatch: l.fixedBatch, batchAxis: l.batchAxis });
      return;
    }
    const { features: F, length: L } = g.sequence;
    const s = m.shape;
    const fits = `sequence '${g.label}' is [batch, ${F}, ${L}] (features, length) or [batch, ${L}, ${F}]`;
    if (s && s.length !== 3) {
      problems.push({ kind: "sequence", message: `reads input '${m.name}' with shape ${shapeWords(s)}: ${fits}` });
      return;
    }
    const [a, c] = s ? [s[1], s[2]] : [null, null];
    const is = (d: number | string | null, n: number) => d === n || typeof d !== "number";
    // the features-first layout unless only the other one fits (weaver's [N, C, P] is features first)
    let lf = false;
    if (is(a, F) && is(c, L)) lf = false;
    else if (is(a, L) && is(c, F)) lf = true;
    else {
      problems.push({ kind: "sequence", message: `reads input '${m.name}' with shape ${shapeWords(s)}: ${fits}` });
      return;
    }
    const order = lf ? Array.from({ length: F * L }, (_, p) => (p % F) * L + Math.floor(p / F)) : undefined;
    inputs.push({ name: m.name, dtype, first: at, width: F * L, dims: lf ? [-1, L, F] : [-1, F, L], fixedBatch: batchOf(s), batchAxis: 0, ...(order ? { order } : {}) });
  });
  masked.forEach((m, j) => {
    const g = seqs[j];
    const L = g.sequence!.length;
    const dtype = tensorType(m);
    if (!dtype) return;
    const s = m.shape;
    const ok = !s || (s.length === 2 && (s[1] === L || typeof s[1] !== "number")) || (s.length === 3 && (s[1] === 1 || typeof s[1] !== "number") && (s[2] === L || typeof s[2] !== "number"));
    if (!ok) {
      problems.push({ kind: "sequence", message: `reads mask input '${m.name}' with shape ${shapeWords(s)}: the mask of sequence '${g.label}' is [batch, 1, ${L}] or [batch, ${L}]` });
      return;
    }
    inputs.push({ name: m.name, dtype, first: firstOf.get(g)! + g.width, width: L, dims: s?.length === 2 ? [-1, L] : [-1, 1, L], fixedBatch: batchOf(s), batchAxis: 0 });
  });
  // the model's inputs in its own order (feeds are by name; this keeps messages and plans stable)
  inputs.sort((x, y) => model.findIndex((m) => m.name === x.name) - model.findIndex((m) => m.name === y.name));
}

function bindFlat(sig: OnnxSignature, spec: OnnxInputsSpec, inputs: BoundInput[], problems: OnnxProblem[]): void {
  const groupWords = (gs: OnnxInputGroup[]) => (gs.length === 1 && gs[0].width > 1 ? `features '${gs[0].label}' have ${gs[0].width}` : `inputs give ${gs.reduce((a, g) => a + g.width, 0)}`);
  const model = sig.inputs;
  if (model.length === 0) problems.push({ kind: "inputs", message: "has no inputs to feed" });
  else if (model.length > 1 && model.length !== spec.groups.length) {
    problems.push({ kind: "inputs", message: `has ${model.length} inputs (${model.map((m) => `'${m.name}'`).join(", ")}), 'inputs' lists ${plural(spec.groups.length, "item")}: give one features list or value per model input` });
  } else {
    const assign = model.length === 1 ? [spec.groups] : spec.groups.map((g) => [g]);
    let first = 0;
    model.forEach((m, k) => {
      const gs = assign[k];
      const width = gs.reduce((a, g) => a + g.width, 0);
      const at = first;
      first += width;
      if (m.kind !== "tensor") {
        problems.push({ kind: "type", message: `reads input '${m.name}' as a ${m.kind}, not a tensor: hepc feeds float32 or float64 tensors` });
        return;
      }
      const dtype = FEEDABLE[m.elem];
      if (!dtype) {
        problems.push({ kind: "type", message: `reads input '${m.name}' as ${elemTypeName(m.elem)}: hepc feeds float32 or float64` });
        return;
      }
      const l = layout(m);
      if (typeof l === "string") {
        problems.push({ kind: "shape", message: `reads input ${l}` });
        return;
      }
      if (l.width !== null && l.width !== width) {
        const where = model.length > 1 ? ` in '${m.name}'` : "";
        problems.push({ kind: "inputs", message: `expects ${plural(l.width, "input")} of ${dtype}${where}, ${groupWords(gs)}` });
        return;
      }
      if (m.shape?.length === 1 && width !== 1) {
        problems.push({ kind: "inputs", message: `expects 1 input of ${dtype} in '${m.name}' (shape ${shapeWords(m.shape)}), ${groupWords(gs)}` });
        return;
      }
      inputs.push({ name: m.name, dtype, first: at, width, dims: m.shape?.length === 1 ? [-1] : l.batchAxis === 1 ? [width, -1] : [-1, width], fixedBatch: l.fixedBatch, batchAxis: l.batchAxis });
    });
  }
}

function bindOutput(sig: OnnxSignature, spec: OnnxInputsSpec, inputs: BoundInput[], problems: OnnxProblem[]): { binding: OnnxBinding } | { problems: OnnxProblem[] } {
  const index = spec.output === null ? 0 : sig.outputs.findIndex((o) => o.name === spec.output);
  const out = sig.outputs[index];
  let columns: number[] = [];
  let width: number | null = null;
  let outType: "float32" | "float64" = "float32";
  let outAxis: 0 | 1 = 0;
  if (!out) problems.push({ kind: "output", message: `has no output '${spec.output}' (it has ${sig.outputs.map((o) => `'${o.name}'`).join(", ")})` });
  else if (out.kind !== "tensor") problems.push({ kind: "output", message: `gives output '${out.name}' as a ${out.kind}, not a tensor of scores${out.kind === "sequence" ? " (a classifier exported with a ZipMap: export it with zipmap=False, or name the probability tensor with 'output')" : ""}` });
  else if (!FEEDABLE[out.elem]) problems.push({ kind: "output", message: `gives output '${out.name}' as ${elemTypeName(out.elem)}: a score is float32 or float64${sig.outputs.length > 1 ? `; choose another output with 'output' (${sig.outputs.map((o) => `'${o.name}'`).join(", ")})` : ""}` });
  else {
    outType = FEEDABLE[out.elem];
    const l = layout(out);
    if (typeof l === "string") problems.push({ kind: "output", message: `gives output ${l}` });
    else {
      width = l.width;
      outAxis = l.batchAxis;
      if (spec.classes) {
        if (spec.column !== null) problems.push({ kind: "output", message: "is given both 'column' and 'classes': 'classes' names every column of the output, 'column' picks one" });
        else if (width !== null && width !== spec.classes.length) problems.push({ kind: "output", message: `gives output '${out.name}' with ${plural(width, "column")} (shape ${shapeWords(out.shape)}), 'classes' names ${spec.classes.length}` });
        // two names: a binary model, its score the second class's column; more: one score per class
        columns = spec.classes.length === 2 ? [1] : spec.classes.map((_, k) => k);
      } else {
        const column = spec.column ?? (width === 2 ? 1 : 0);
        if (width !== null && column >= width) problems.push({ kind: "output", message: `gives output '${out.name}' with ${plural(width, "column")} (shape ${shapeWords(out.shape)}): there is no column ${column}` });
        columns = [column];
      }
    }
  }
  if (problems.length) return { problems };
  return { binding: { inputs, output: { name: out.name, index, dtype: outType, batchAxis: outAxis }, columns, width } };
}
