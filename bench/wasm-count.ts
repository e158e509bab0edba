/**
 * How much a WebAssembly SIMD backend could gain on the jagged count, count(pt > 25) over
 * 1,000,000 events of on average 4 objects (the data of bench/kernels.ts), against hepc's
 * generated JavaScript in the same run.
 *
 * bench/wasm-count.wat does the same two passes as the generated code (a running count over the
 * objects, then a difference per event), four objects per instruction. It is timed twice: with
 * the columns already in WebAssembly memory (what a backend whose reader decodes into that memory
 * would see) and with the copies in and out that hepc's columns, ordinary typed arrays, would need.
 * Also timed: a JavaScript loop that only counts the objects with pt > 25 over the whole batch,
 * storing nothing, over an array V8 sees as a constant (module scope), so that it checks the
 * array once rather than at every access: the floor of any scalar code. A kernel's columns are
 * arguments, which V8 checks at every access in a loop (about 1 ns per value here).
 *
 * The text is assembled with wabt, which hepc does not depend on:
 *   npm install --no-save wabt && npm run build && node dist/bench/wasm-count.js
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { CollectionIR, ExprIR } from "../plan/types.js";
import { compileKernel } from "../runtime/columns/index.js";
import { jaggedData } from "./data.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const N = 1_000_000;

// The project's TypeScript libraries (ES2023, Node's types) do not declare WebAssembly: just what is used.
declare const WebAssembly: { instantiate(bytes: Uint8Array): Promise<{ instance: { exports: unknown } }> };

interface Exports {
  mem: { buffer: ArrayBuffer; grow(pages: number): number };
  prefix(pt: number, total: number, pre: number, threshold: number): number;
  events(off: number, n: number, pre: number, out: number): void;
}

async function assemble(): Promise<Exports | undefined> {
  const name = "wabt"; // not a dependency: resolved at run time
  let init: () => Promise<{ parseWat(file: string, text: string, features: object): { toBinary(o: object): { buffer: Uint8Array } } }>;
  try {
    init = (await import(name)).default;
  } catch {
    return undefined;
  }
  const wabt = await init();
  const file = path.join(repo, "bench/wasm-count.wat");
  const { buffer } = wabt.parseWat(file, readFileSync(file, "utf8"), { simd: true }).toBinary({});
  const { instance } = await WebAssembly.instantiate(buffer);
  return instance.exports as unknown as Exports;
}

function time(f: () => void): { median: number; min: number } {
  for (let k = 0; k < 3; k++) f();
  const ts: number[] = [];
  for (let k = 0; k < 15; k++) {
    const t = performance.now();
    f();
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  return { median: ts[7], min: ts[0] };
}

const wasm = await assemble();
if (!wasm) {
  console.error("bench/wasm-count needs wabt to assemble bench/wasm-count.wat: npm install --no-save wabt");
  process.exit(2);
}

const { offsets, pt } = jaggedData(N);
const T = offsets[N];

// hepc's kernel, as in bench/kernels.ts
const collections: CollectionIR[] = [{ name: "Obj", shape: "jagged", fields: { pt: "Obj_pt" } }];
const Obj: ExprIR = { op: "collection", type: "collection<Obj>", name: "Obj" };
const cond: ExprIR = { op: "binary", fn: ">", type: "bool", args: [{ op: "field", type: "float", name: "pt" }, { op: "const", type: "int", value: 25 }] };
const kernel = compileKernel({ outputs: [{ key: "o", expr: { op: "call", fn: "count", type: "int", args: [{ op: "where", type: Obj.type, args: [Obj, cond] }] }, as: "f64" }], defines: {}, regions: {}, collections });
const batch = { n: N, entry0: 0, columns: new Map([["Obj_pt", { kind: "jagged" as const, dtype: "f4" as const, offsets, values: pt }]]) };
const into = kernel.run(batch);

// WebAssembly memory: pt, the running count, the offsets, the counts
const align = (x: number) => (x + 63) & ~63;
const PT = 0;
const PRE = align(PT + 4 * T);
const OFF = align(PRE + 4 * (T + 1));
const OUT = align(OFF + 4 * (N + 1));
const need = OUT + 8 * N;
if (wasm.mem.buffer.byteLength < need) wasm.mem.grow(Math.ceil((need - wasm.mem.buffer.byteLength) / 65536));
const out = new Float64Array(N);
const copyIn = () => {
  new Float32Array(wasm.mem.buffer, PT, T).set(pt);
  new Int32Array(wasm.mem.buffer, OFF, N + 1).set(offsets);
};
const compute = () => {
  wasm.prefix(PT, T, PRE, 25);
  wasm.events(OFF, N, PRE, OUT);
};
copyIn();

const js = time(() => kernel.run(batch, into));
const inMemory = time(compute);
const withCopies = time(() => {
  copyIn();
  compute();
  out.set(new Float64Array(wasm.mem.buffer, OUT, N));
});
let total = 0;
const floor = time(() => {
  let c = 0;
  for (let j = 0; j < T; j++) c += +(pt[j] > 25);
  total = c;
});

// the same counts
const a = into.get("o") as Float64Array;
const b = new Float64Array(wasm.mem.buffer, OUT, N);
for (let i = 0; i < N; i++) if (a[i] !== b[i]) throw new Error(`event ${i}: hepc ${a[i]}, WebAssembly ${b[i]}`);
if (a.reduce((x: number, y: number) => x + y, 0) !== total) throw new Error("the per-event counts do not add up to the objects counted");

const f = (t: { median: number; min: number }) => `${t.median.toFixed(2)} ms (min ${t.min.toFixed(2)})`;
console.log(`count(pt > 25), ${N.toLocaleString("en")} events, ${T.toLocaleString("en")} objects, one thread; the counts agree`);
console.log(`  hepc (generated JavaScript)                    ${f(js)}`);
console.log(`  WebAssembly SIMD, columns in its memory        ${f(inMemory)}   ${(js.median / inMemory.median).toFixed(2)}× hepc`);
console.log(`  WebAssembly SIMD, with copies in and out       ${f(withCopies)}   ${(js.median / withCopies.median).toFixed(2)}× hepc`);
console.log(`  JavaScript count over all objects, no stores  ${f(floor)}   (the floor of scalar code: no per-event pass, the array a constant)`);
console.log(`  target (5× awkward's 10–12 ms)                 2.2 ms`);
