/**
 * Input columns the executor supplies to kernels (model scores, ExprIR `score`): a kernel over a
 * ROOT file's branches and a supplied column gives the same mask as a direct computation, on this
 * thread and on worker threads, for chunks of any size.
 *
 * Workers run compiled code from dist/ (the thread entry of runtime/threads and the chunk handler,
 * see threads.test.ts): without a build the worker case is skipped.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileKernel, KernelError, scoreInput, type KernelSpec } from "../../runtime/columns/index.js";
import { InThreadRunner, WorkerRunner, type ChunkRunner } from "../../runtime/exec/chunks.js";
import { openRoot } from "../../runtime/io/index.js";
import type { ExprIR } from "../../plan/types.js";
import { configureThreads } from "../../runtime/threads/index.js";
import { repoPath } from "../helpers/repo.js";

const FILE = repoPath("test/fixtures/root/cms-hep-tutorial/single_top.root");
const distWorker = new URL("../../dist/runtime/exec/chunk-worker.js", import.meta.url);
const distEntry = new URL("../../dist/runtime/threads/worker.js", import.meta.url);
const haveDist = existsSync(fileURLToPath(distWorker)) && existsSync(fileURLToPath(distEntry));

const score: ExprIR = { op: "score", type: "float", model: "bdt", output: 0 };
const nmuon: ExprIR = { op: "branch", type: "int", name: "NMuon" };
const gt = (a: ExprIR, v: number): ExprIR => ({ op: "binary", type: "bool", fn: ">", args: [a, { op: "const", type: "float", value: v }] });
/** `bdt > 0.5 and NMuon > 0`, and the score itself doubled (a number output). */
const SPEC: KernelSpec = {
  outputs: [
    { key: "tight", as: "mask", expr: { op: "binary", type: "bool", fn: "and", args: [gt(score, 0.5), gt(nmuon, 0)] } },
    { key: "twice", as: "f64", expr: { op: "binary", type: "float", fn: "*", args: [score, { op: "const", type: "int", value: 2 }] } },
  ],
  defines: {},
  regions: {},
  collections: [],
};

/** A score per entry, different for every entry (a hash of the entry number into [0, 1)). */
function scores(n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (Math.imul(i + 1, 2654435761) >>> 0) / 2 ** 32;
  return out;
}

beforeAll(async () => {
  if (haveDist) await configureThreads({ entry: distEntry });
});
afterAll(async () => {
  await configureThreads({ entry: null });
});

async function runAll(runner: ChunkRunner, chunk: number) {
  const kernel = compileKernel(SPEC);
  const file = await openRoot(FILE);
  try {
    const entries = (await file.tree("events")).entries;
    const x = scores(entries);
    const done: Array<Promise<{ outputs: Map<string, Float64Array | Uint8Array> }>> = [];
    for (let start = 0; start < entries; start += chunk) {
      const stop = Math.min(entries, start + chunk);
      const plan = await file.plan("events", kernel.branches, { start, stop });
      // a view of the whole sample's column, as the executor holds it
      done.push(runner.run(kernel, plan, start, new Map([[scoreInput("bdt", 0), x.subarray(start, stop)]])));
    }
    const parts = await Promise.all(done);
    const join = <T extends Float64Array | Uint8Array>(key: string, make: (n: number) => T): T => {
      const out = make(entries);
      let at = 0;
      for (const p of parts) {
        const a = p.outputs.get(key)!;
        out.set(a, at);
        at += a.length;
      }
      return out;
    };
    runner.release();
    return { tight: join("tight", (n) => new Uint8Array(n)), twice: join("twice", (n) => new Float64Array(n)), x, entries };
  } finally {
    await file.close();
  }
}

async function expected() {
  const file = await openRoot(FILE);
  try {
    const cols = await file.read("events", ["NMuon"]);
    const nm = cols.get("NMuon")!.values as Int32Array;
    const x = scores(nm.length);
    return { tight: Uint8Array.from(nm, (m, i) => (x[i] > 0.5 && m > 0 ? 1 : 0)), twice: Float64Array.from(x, (v) => v * 2) };
  } finally {
    await file.close();
  }
}

describe("kernel input columns", () => {
  it("are listed by the kernel, apart from the branches it reads", () => {
    const k = compileKernel(SPEC);
    expect(k.branches).toEqual(["NMuon"]);
    expect(k.inputs).toEqual(["score:bdt:0"]);
  });

  it("are read once each, through declarations and conditions, in first-use order", () => {
    const cls = (k: number): ExprIR => ({ op: "score", type: "float", model: "multi", output: k });
    const k = compileKernel({
      outputs: [
        { key: "sel", as: "mask", expr: { op: "ref", type: "bool", decl: "region", name: "tight" } },
        { key: "other", as: "f64", expr: cls(0), when: { op: "ref", type: "bool", decl: "region", name: "tight" } },
        { key: "sum", as: "f64", expr: { op: "binary", type: "float", fn: "+", args: [{ op: "ref", type: "float", decl: "define", name: "sig" }, cls(0)] } },
      ],
      defines: { sig: cls(2) },
      regions: { tight: gt({ op: "ref", type: "float", decl: "define", name: "sig" }, 0.5) },
      collections: [],
    });
    expect(k.branches).toEqual([]);
    expect(k.inputs).toEqual(["score:multi:2", "score:multi:0"]);
    const sig = Float64Array.from([0.9, 0.1, NaN, 0.6]);
    const bkg = Float64Array.from([0.05, 0.7, 0.2, 0.3]);
    const out = k.run({ n: 4, entry0: 0, columns: new Map(), inputs: new Map([["score:multi:2", sig], ["score:multi:0", bkg]]) });
    expect(Array.from(out.get("sel")!)).toEqual([1, 0, 0, 1]);
    // computed only where the region holds, NaN elsewhere
    expect(Array.from(out.get("other")!)).toEqual([0.05, NaN, NaN, 0.3]);
    expect(Array.from(out.get("sum")!)).toEqual([0.9 + 0.05, 0.1 + 0.7, NaN, 0.6 + 0.3]);
    // a column shorter than the batch is refused, naming it
    expect(() => k.run({ n: 4, entry0: 0, columns: new Map(), inputs: new Map([["score:multi:2", sig], ["score:multi:0", bkg.subarray(0, 3)]]) })).toThrow(/score:multi:0/);
  });

  it("are combined with branches on this thread, for any chunk size", async () => {
    const want = await expected();
    // some events pass and some fail on each side of the `and`
    expect(want.tight.reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
    for (const chunk of [5684, 1000, 333]) {
      const got = await runAll(new InThreadRunner(), chunk);
      expect(got.tight).toEqual(want.tight);
      expect(got.twice).toEqual(want.twice);
    }
  });

  it.skipIf(!haveDist)("are copied to worker threads and give the same bits on 2 threads", async () => {
    const want = await expected();
    const pool = new WorkerRunner(distWorker, 2);
    const got = await runAll(pool, 700);
    expect(got.tight).toEqual(want.tight);
    expect(got.twice).toEqual(want.twice);
    // the caller's column is untouched (a copy crossed, not the buffer)
    expect(got.x.length).toBe(got.entries);
    expect(got.x).toEqual(scores(got.entries));
  });

  it("missing from a batch is an error naming the column, on this thread and on workers", async () => {
    const kernel = compileKernel(SPEC);
    const file = await openRoot(FILE);
    try {
      const plan = await file.plan("events", kernel.branches, { start: 0, stop: 100 });
      await expect(new InThreadRunner().run(kernel, plan, 0)).rejects.toThrow(/input column 'score:bdt:0'/);
      await expect(new InThreadRunner().run(kernel, plan, 0)).rejects.toBeInstanceOf(KernelError);
      if (haveDist) {
        const pool = new WorkerRunner(distWorker, 2);
        await expect(pool.run(kernel, plan, 0)).rejects.toThrow(/input column 'score:bdt:0'/);
      }
    } finally {
      await file.close();
    }
  });
});
