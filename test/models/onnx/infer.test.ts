/**
 * Inference of imported ONNX models through hepc's onnx runtime (onnxruntime-node, CPU): scores
 * agree with an independent float64 computation on float32 inputs, whatever the batching (many
 * batches, a fixed batch axis, chunks of any size) and the number of threads; several inputs fed
 * one item each; outputs and columns chosen; every mismatch a named error.
 */
import { describe, expect, it } from "vitest";
import { IMPORTED_MODEL_RUNTIMES, modelErrorOf } from "../../../runtime/models/index.js";
import { BATCH, DataType } from "../../../runtime/models/onnx/index.js";
import type { OnnxInputsSpec } from "../../../plan/onnx.js";
import { expected, linearModel, type LinearSpec } from "./linear.js";

const onnx = IMPORTED_MODEL_RUNTIMES.onnx;
const W = [0.8, -0.5, 0.25, 1.5, -0.01];

function data(n: number, F: number): number[][] {
  let s = 12345;
  const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 4 - 2;
  return Array.from({ length: n }, () => Array.from({ length: F }, () => r()));
}
const cols = (rows: number[][]) => rows[0].map((_, f) => Float64Array.from(rows, (r) => r[f]));
const spec = (widths: number[], more: Partial<OnnxInputsSpec> = {}): OnnxInputsSpec => ({ groups: widths.map((w, k) => ({ label: `g${k}`, width: w })), output: null, column: null, classes: null, ...more });
const open = (s: LinearSpec, sp: OnnxInputsSpec, threads = 1) => onnx.open(linearModel(s), sp, { model: "m", file: "m.onnx", threads });

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  expect(worst).toBeLessThanOrEqual(tol);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    const k = modelErrorOf(e);
    return k ? `${k.code} ${Object.values(k.args).join(" | ")}` : `thrown ${String(e)}`;
  }
  return "no error";
}

describe("onnx runtime: inference", () => {
  const rows = data(2 * BATCH + 123, 5);
  const want = expected({ inputs: [], weights: W, bias: 0.1 }, rows);

  it("one input [n, 5]: scores agree with an independent computation over several batches; identical for any chunking and thread count", async () => {
    const s: LinearSpec = { inputs: [{ name: "x", width: 5 }], weights: W, bias: 0.1 };
    const m = await open(s, spec([5]));
    expect(m.outputs).toBe(1);
    expect(m.binding.output.name).toBe("score");
    const [got] = await m.score(cols(rows), rows.length);
    close(got, want.score);
    // chunks of another size give the same bits
    const parts: number[] = [];
    for (let at = 0; at < rows.length; at += 777) {
      const part = rows.slice(at, at + 777);
      parts.push(...(await m.score(cols(part), part.length))[0]);
    }
    expect(Float64Array.from(parts)).toEqual(got);
    const m4 = await open(s, spec([5]), 4);
    expect((await m4.score(cols(rows), rows.length))[0]).toEqual(got);
    await m.close();
    await m4.close();
  });

  it("several inputs, one features list each (float32 and float64, [n, k], [k, n] and [n]); a fixed batch axis", async () => {
    const s: LinearSpec = { inputs: [{ name: "a", width: 3 }, { name: "b", width: 1, type: DataType.DOUBLE, vector: true }, { name: "c", width: 1 }], weights: W, bias: 0.1 };
    const m = await open(s, spec([3, 1, 1]));
    expect(m.binding.inputs.map((i) => [i.name, i.dtype, i.first, i.width])).toEqual([["a", "float32", 0, 3], ["b", "float64", 3, 1], ["c", "float32", 4, 1]]);
    close((await m.score(cols(rows), rows.length))[0], want.score);
    // the batch axis is the dynamic one: an input [values, batch] and an output [1, batch]
    const t = await open({ inputs: [{ name: "a", width: 3, transposed: true }, { name: "b", width: 2 }], weights: W, bias: 0.1 }, spec([3, 2], { output: "score_t" }));
    expect(t.binding.inputs.map((i) => [i.name, i.batchAxis, i.dims])).toEqual([["a", 1, [3, -1]], ["b", 0, [-1, 2]]]);
    expect(t.binding.output.batchAxis).toBe(1);
    close((await t.score(cols(rows), rows.length))[0], want.score);
    const fixed = await open({ inputs: [{ name: "x", width: 5, batch: 7 }], weights: W, bias: 0.1 }, spec([5]));
    expect(fixed.binding.inputs[0].fixedBatch).toBe(7);
    const few = rows.slice(0, 30); // 4 batches of 7 and one padded
    close((await fixed.score(cols(few), few.length))[0], want.score.slice(0, 30));
  });

  it("outputs and columns: probs' column 1 by default, column 0, the logit, three classes", async () => {
    const s: LinearSpec = { inputs: [{ name: "x", width: 5 }], weights: W, bias: 0.1 };
    const c = cols(rows);
    const n = rows.length;
    close((await (await open(s, spec([5], { output: "probs" }))).score(c, n))[0], want.score);
    close((await (await open(s, spec([5], { output: "probs", column: 0 }))).score(c, n))[0], want.score.map((v) => 1 - v));
    close((await (await open(s, spec([5], { output: "logit" }))).score(c, n))[0], want.logit, 1e-5);
    const three = await open(s, spec([5], { output: "classes", classes: ["a", "b", "c"] }));
    expect(three.outputs).toBe(3);
    const got = await three.score(c, n);
    for (let k = 0; k < 3; k++) close(got[k], want.classes.map((p) => p[k]));
    // two names: binary, the score is the second class's column
    const two = await open(s, spec([5], { output: "probs", classes: ["background", "signal"] }));
    expect(two.outputs).toBe(1);
    close((await two.score(c, n))[0], want.score);
  });

  it("mismatches are named errors, never crashes", async () => {
    const s: LinearSpec = { inputs: [{ name: "x", width: 5 }], weights: W, bias: 0.1 };
    expect(await codeOf(open(s, spec([7])))).toBe("HEP6032 m | expects 5 inputs of float32, features 'g0' have 7");
    expect(await codeOf(open(s, spec([3, 4])))).toBe("HEP6032 m | expects 5 inputs of float32, inputs give 7");
    expect(await codeOf(open({ ...s, inputs: [{ name: "a", width: 3 }, { name: "b", width: 2 }] }, spec([5])))).toContain("HEP6032 m | has 2 inputs ('a', 'b'), 'inputs' lists 1 item");
    expect(await codeOf(open({ ...s, inputs: [{ name: "a", width: 3 }, { name: "b", width: 2 }] }, spec([3, 3])))).toBe("HEP6032 m | expects 2 inputs of float32 in 'b', features 'g1' have 3");
    expect(await codeOf(open({ ...s, inputs: [{ name: "x", width: 5, type: DataType.INT64 }] }, spec([5])))).toBe("HEP6032 m | reads input 'x' as int64: hepc feeds float32 or float64");
    expect(await codeOf(open(s, spec([5], { output: "nope" })))).toBe("HEP6032 m | has no output 'nope' (it has 'score', 'probs', 'logit', 'classes', 'score_t')");
    expect(await codeOf(open(s, spec([5], { output: "probs", column: 2 })))).toBe("HEP6032 m | gives output 'probs' with 2 columns (shape [n, 2]): there is no column 2");
    expect(await codeOf(open(s, spec([5], { output: "classes", classes: ["a", "b"] })))).toBe("HEP6032 m | gives output 'classes' with 3 columns (shape [n, 3]), 'classes' names 2");
    expect(await codeOf(open({ ...s, opset: 30 }, spec([5])))).toBe("HEP6031 load | m.onnx | it needs ai.onnx opset 30");
    const bytes = linearModel(s);
    expect(await codeOf(onnx.open(bytes.subarray(0, bytes.length - 9), spec([5]), { model: "m", file: "m.onnx", threads: 1 }))).toMatch(/^HEP6031 read \| m\.onnx \| .*past the end/);
  });
});
