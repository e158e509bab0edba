/**
 * Kernel speed, columns in memory, one thread (runtime/columns), against numpy/awkward.
 *
 *  - flat: 1,000,000 events of float32 columns, three cuts, three defines (sqrt(a^2+b^2),
 *    x*cosh(y), atan2(u, v)) and two weighted 100-bin histograms filled with the executor's
 *    selectedIndices and Hist1D.fillIndexed (runtime/exec/histogram.ts) over the kernel's outputs. Reference: numpy 1.24 took
 *    16.7 ms (60 M events/s) on this machine when idle; target ≥ 100 M events/s.
 *  - jagged: 1,000,000 events of on average 4 objects (pt, eta, phi float32, Poisson(4)
 *    multiplicities): (a) count of objects with pt > 25 — awkward 10–12 ms; (b) the sum of pt over
 *    objects with pt > 30 and |eta| < 2.4 — awkward 78–81 ms; (c) the minimum deltaR between the
 *    leading object and the others — awkward 330–425 ms. Target ≥ 5× faster than awkward.
 *
 * The machine has 2 cores shared with other jobs (load shows as CPU steal inside this VM), so
 * besides the fixed reference figures the same computations are timed in numpy in the same run,
 * on the same data (handed over as raw files): the flat case as numpy code, and the three jagged
 * ones as numpy on the flat content and offsets, which is how awkward computes them (awkward
 * itself is not installed here). Kernel outputs are written into arrays reused from run to run
 * (`Kernel.run(batch, into)`), as numpy reuses freed memory; the time with fresh output arrays is
 * reported too (on this VM, the page faults of 8 MB of fresh memory per output cost ~10 ms).
 *
 * Run: `npm run build && node dist/bench/kernels.js`. Median (and minimum) of 9 runs after 2
 * warm-ups. Writes bench/results/kernels.json.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { CollectionIR, ExprIR } from "../plan/types.js";
import { compileKernel, type Kernel } from "../runtime/columns/index.js";
import { Hist1D, selectedIndices } from "../runtime/exec/histogram.js";
import type { Column } from "../runtime/io/index.js";
import { gauss, jaggedData, rng, type JaggedData } from "./data.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const N = 1_000_000;
const RUNS = 9;

// ---- data ----------------------------------------------------------------------------------------

const FLAT_NAMES = ["a", "b", "x", "y", "u", "v", "c1", "c2", "c3", "w"];

function flatData(): Map<string, Float32Array> {
  const r = rng(1);
  return new Map(
    FLAT_NAMES.map((name) => {
      const v = new Float32Array(N);
      for (let i = 0; i < N; i++) v[i] = gauss(r);
      return [name, v];
    }),
  );
}

// ---- timing --------------------------------------------------------------------------------------

interface Timing {
  median: number;
  min: number;
}
function time(f: () => void): Timing {
  f();
  f();
  const ts: number[] = [];
  for (let k = 0; k < RUNS; k++) {
    const t = performance.now();
    f();
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  return { median: ts[Math.floor(ts.length / 2)], min: ts[0] };
}

/** CPU time stolen from this VM by the host (other jobs), from /proc/stat, in jiffies summed over CPUs. */
function stolen(): { steal: number; total: number } | undefined {
  try {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    return { steal: f[7] ?? 0, total: f.reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

// ---- IR ------------------------------------------------------------------------------------------

const num = (value: number): ExprIR => ({ op: "const", type: Number.isInteger(value) ? "int" : "float", value });
const br = (name: string): ExprIR => ({ op: "branch", type: "float", name });
const bin = (fn: string, type: string, a: ExprIR, b: ExprIR): ExprIR => ({ op: "binary", fn, type, args: [a, b] });
const call = (fn: string, type: string, ...args: ExprIR[]): ExprIR => ({ op: "call", fn, type, args });
const fld = (name: string): ExprIR => ({ op: "field", type: "float", name });

// ---- flat ----------------------------------------------------------------------------------------

function flat(data: Map<string, Float32Array>) {
  const columns = new Map<string, Column>([...data].map(([k, v]) => [k, { kind: "flat", dtype: "f4", values: v }]));
  // c1 > -1 and c2 < 1 and abs(c3) > 0.1
  const cut = bin("and", "bool", bin("and", "bool", bin(">", "bool", br("c1"), num(-1)), bin("<", "bool", br("c2"), num(1))), bin(">", "bool", call("abs", "float", br("c3")), num(0.1)));
  // the cut as the executor has it: a region, computed once per event, its mask an output
  const region: ExprIR = { op: "ref", type: "bool", decl: "region", name: "cut" };
  const k = compileKernel({
    outputs: [
      { key: "cut", expr: region, as: "mask" },
      // the histograms' variables are needed only where the cut holds, and the executor asks for
      // them so (runtime/exec/run.ts); e, histogrammed nowhere, is computed for every event
      { key: "r", expr: call("sqrt", "float", bin("+", "float", bin("^", "float", br("a"), num(2)), bin("^", "float", br("b"), num(2)))), as: "f64", when: region },
      { key: "e", expr: bin("*", "float", br("x"), call("cosh", "float", br("y"))), as: "f64" },
      { key: "t", expr: call("atan2", "float", br("u"), br("v")), as: "f64", when: region },
      { key: "w", expr: br("w"), as: "f64" },
    ],
    defines: {},
    regions: { cut },
    collections: [],
  });
  const batch = { n: N, entry0: 0, columns };
  const into = k.run(batch);
  const rEdges = Float64Array.from({ length: 101 }, (_, i) => (i * 5) / 100);
  const tEdges = Float64Array.from({ length: 101 }, (_, i) => -Math.PI + (i * 2 * Math.PI) / 100);
  // the executor's fills (runtime/exec: the region's events resolved into indices once, then each
  // histogram filled over them with edges, sums of squares and statistics)
  const idx = new Int32Array(N);
  const fill = (o: Map<string, Float64Array | Uint8Array>) => {
    const sel = selectedIndices(N, o.get("cut") as Uint8Array, idx);
    const w = o.get("w") as Float64Array;
    const h1 = new Hist1D("r", rEdges);
    const h2 = new Hist1D("t", tEdges);
    h1.fillIndexed(sel.count, sel.idx, o.get("r") as Float64Array, w);
    h2.fillIndexed(sel.count, sel.idx, o.get("t") as Float64Array, w);
    return h1.sumw[50] + h2.sumw[50];
  };
  // the simplest possible fill of uniform bins, for scale
  const fillBare = (o: Map<string, Float64Array | Uint8Array>) => {
    const m = o.get("cut") as Uint8Array;
    const w = o.get("w") as Float64Array;
    const h1 = fillUniform(o.get("r") as Float64Array, w, m, 0, 5, 100);
    const h2 = fillUniform(o.get("t") as Float64Array, w, m, -Math.PI, Math.PI, 100);
    return h1[50] + h2[50];
  };
  const total = time(() => fill(k.run(batch, into)));
  const kernel = time(() => k.run(batch, into));
  const fills = time(() => fill(into));
  const fillsBare = time(() => fillBare(into));
  const fresh = time(() => fill(k.run(batch)));
  return { total, kernel, fills, fillsBare, fresh, source: k.source };
}

/** A weighted histogram of uniform bins (0: underflow, n + 1: overflow) over the events of a mask; missing values skipped. */
function fillUniform(x: Float64Array, w: Float64Array, mask: Uint8Array, lo: number, hi: number, n: number): Float64Array {
  const sumw = new Float64Array(n + 2);
  const scale = n / (hi - lo);
  for (let i = 0; i < x.length; i++) {
    if (mask[i] === 0) continue;
    const v = x[i];
    if (v !== v) continue;
    let b = v < lo ? 0 : v >= hi ? n + 1 : ((v - lo) * scale + 1) | 0;
    if (b > n + 1) b = n + 1;
    sumw[b] += w[i];
  }
  return sumw;
}

// ---- jagged --------------------------------------------------------------------------------------

function jagged(d: JaggedData) {
  const columns = new Map<string, Column>([
    ["Obj_pt", { kind: "jagged", dtype: "f4", offsets: d.offsets, values: d.pt }],
    ["Obj_eta", { kind: "jagged", dtype: "f4", offsets: d.offsets, values: d.eta }],
    ["Obj_phi", { kind: "jagged", dtype: "f4", offsets: d.offsets, values: d.phi }],
  ]);
  const collections: CollectionIR[] = [{ name: "Obj", shape: "jagged", fields: { pt: "Obj_pt", eta: "Obj_eta" }, kinematics: { source: "ptetaphi", fields: { pt: "Obj_pt", eta: "Obj_eta", phi: "Obj_phi" } } }];
  const Obj: ExprIR = { op: "collection", type: "collection<Obj>", name: "Obj" };
  const where = (l: ExprIR, c: ExprIR): ExprIR => ({ op: "where", type: l.type, args: [l, c] });
  const kernel = (expr: ExprIR): Kernel => compileKernel({ outputs: [{ key: "o", expr, as: "f64" }], defines: {}, regions: {}, collections });
  const timed = (k: Kernel) => {
    const batch = { n: N, entry0: 0, columns };
    const into = k.run(batch);
    return { ...time(() => k.run(batch, into)), checksum: checksum(into.get("o") as Float64Array) };
  };
  // (a) count(Obj where pt > 25)
  const a = kernel(call("count", "int", where(Obj, bin(">", "bool", fld("pt"), num(25)))));
  // (b) sum((Obj where pt > 30 and abs(eta) < 2.4).pt)
  const b = kernel(
    call("sum", "float", { op: "member", name: "pt", type: "list<float>", args: [where(Obj, bin("and", "bool", bin(">", "bool", fld("pt"), num(30)), bin("<", "bool", call("abs", "float", fld("eta")), num(2.4))))] }),
  );
  // (c) min(deltaR(Obj[0], Obj) where this > 0): the leading object against the others (itself is at 0)
  const dr = call("deltaR", "list<float>", { op: "index", type: "Obj", args: [Obj, num(0)] }, Obj);
  const c = kernel(call("min", "float", where(dr, bin(">", "bool", { op: "this", type: "float" }, num(0)))));
  return { count: timed(a), sum: timed(b), minDeltaR: timed(c), sources: [a.source, b.source, c.source] };
}

/** Sum of the finite values and count of the missing ones: the same in the numpy run. */
function checksum(a: Float64Array): { sum: number; missing: number } {
  let s = 0;
  let m = 0;
  for (const x of a) {
    if (Number.isNaN(x)) m++;
    else s += x;
  }
  return { sum: s, missing: m };
}

// ---- numpy in the same run ---------------------------------------------------------------------------

const NUMPY = String.raw`
import json, sys, time
import numpy as np
d = sys.argv[1]
N = 1_000_000
RUNS = 9
def t(f):
    f(); f()
    ts = []
    for _ in range(RUNS):
        s = time.perf_counter(); f(); ts.append((time.perf_counter() - s) * 1000)
    ts.sort()
    return {"median": ts[len(ts) // 2], "min": ts[0]}
c = {k: np.fromfile(f"{d}/{k}.f32", dtype=np.float32) for k in ["a","b","x","y","u","v","c1","c2","c3","w"]}
c64 = {k: v.astype(np.float64) for k, v in c.items()}
def math(c):
    m = (c["c1"] > -1) & (c["c2"] < 1) & (np.abs(c["c3"]) > 0.1)
    r = np.sqrt(c["a"]**2 + c["b"]**2); e = c["x"] * np.cosh(c["y"]); a = np.arctan2(c["u"], c["v"])
    return m, r, a
def hists(c, m, r, a):
    np.histogram(r[m], bins=100, range=(0, 5), weights=c["w"][m]); np.histogram(a[m], bins=100, range=(-np.pi, np.pi), weights=c["w"][m])
def flat(c=c):
    hists(c, *math(c))
def parts(c):
    m, r, a = math(c)
    return {"whole": t(lambda: flat(c)), "math": t(lambda: math(c)), "histograms": t(lambda: hists(c, m, r, a))}
off = np.fromfile(f"{d}/offsets.i32", dtype=np.int32).astype(np.int64)
pt = np.fromfile(f"{d}/pt.f32", dtype=np.float32); eta = np.fromfile(f"{d}/eta.f32", dtype=np.float32); phi = np.fromfile(f"{d}/phi.f32", dtype=np.float32)
counts = np.diff(off)
def per_event_sum(x):
    cs = np.concatenate(([0], np.cumsum(x)))
    return cs[off[1:]] - cs[off[:-1]]
def count():
    return per_event_sum(pt > 25)
def total():
    return per_event_sum(np.where((pt > 30) & (np.abs(eta) < 2.4), pt, np.float32(0)).astype(np.float64))
ev = np.repeat(np.arange(N), counts)
nonempty = counts > 0
def mindr():
    lead = off[:-1][ev]
    deta = eta - eta[lead]
    dphi = (phi - phi[lead] + np.float32(np.pi)) % np.float32(2 * np.pi) - np.float32(np.pi)
    dr = np.sqrt(deta * deta + dphi * dphi)
    dr = np.where(dr > 0, dr, np.float32(np.inf))
    out = np.full(N, np.inf, dtype=np.float32)
    out[nonempty] = np.minimum.reduceat(dr, off[:-1][nonempty])
    out[~np.isfinite(out)] = np.nan
    return out
def check(x):
    x = np.asarray(x, dtype=np.float64)
    return {"sum": float(np.nansum(x)), "missing": int(np.isnan(x).sum())}
print(json.dumps({"numpy": np.__version__, "flat": t(flat), "flatParts": {"float32": parts(c), "float64": parts(c64)}, "count": {**t(count), "checksum": check(count())}, "sum": {**t(total), "checksum": check(total())}, "minDeltaR": {**t(mindr), "checksum": check(mindr())}}))
`;

/**
 * The Python with numpy to compare with: HEPC_BENCH_PYTHON, else Debian's /usr/bin/python3 when it
 * has numpy 1.24 (the version of the issue's reference figures; `apt-get install python3-numpy`),
 * else `python3`.
 */
const PYTHON = (() => {
  if (process.env.HEPC_BENCH_PYTHON) return process.env.HEPC_BENCH_PYTHON;
  const debian = spawnSync("/usr/bin/python3", ["-c", "import numpy; print(numpy.__version__)"], { encoding: "utf8" });
  if (debian.status === 0 && debian.stdout.startsWith("1.24")) return "/usr/bin/python3";
  return "python3";
})();

function numpyRun(flatCols: Map<string, Float32Array>, jag: JaggedData) {
  const dir = mkdtempSync(path.join(tmpdir(), "hepc-bench-kernels-"));
  try {
    const write = (name: string, a: Float32Array | Int32Array) => writeFileSync(path.join(dir, name), Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    for (const [k, v] of flatCols) write(`${k}.f32`, v);
    write("offsets.i32", jag.offsets);
    write("pt.f32", jag.pt);
    write("eta.f32", jag.eta);
    write("phi.f32", jag.phi);
    // glibc returns freed big blocks to the kernel and numpy's temporaries then fault in fresh
    // pages on every call, which on this VM costs ~3 ms per MB and tripled numpy's times: keep
    // them in the heap, as hepc's kernels keep their output arrays, so numpy is timed at its best.
    const env = { ...process.env, MALLOC_MMAP_THRESHOLD_: String(2 ** 31), MALLOC_TRIM_THRESHOLD_: String(2 ** 31) };
    const r = spawnSync(PYTHON, ["-c", NUMPY, dir], { encoding: "utf8", maxBuffer: 1 << 20, env });
    if (r.status !== 0) return undefined;
    return JSON.parse(r.stdout.trim()) as {
      numpy: string;
      flat: Timing;
      /** The flat case on the float32 columns and on the same columns as float64: whole, the mask and defines alone, the two histograms alone. */
      flatParts: Record<"float32" | "float64", Record<"whole" | "math" | "histograms", Timing>>;
      count: Timing & { checksum: { sum: number; missing: number } };
      sum: Timing & { checksum: { sum: number; missing: number } };
      minDeltaR: Timing & { checksum: { sum: number; missing: number } };
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- main ----------------------------------------------------------------------------------------

const load0 = loadavg();
const steal0 = stolen();
const flatCols = flatData();
const jag = jaggedData(N);
const np1 = numpyRun(flatCols, jag);
const f = flat(flatCols);
const j = jagged(jag);
const np2 = numpyRun(flatCols, jag);
const steal1 = stolen();
const load1 = loadavg();
const best = <K extends "flat" | "count" | "sum" | "minDeltaR">(key: K) => {
  const xs = [np1, np2].filter((x) => x !== undefined).map((x) => x![key]);
  return xs.length ? xs.reduce((a, b) => (b.median < a.median ? b : a)) : undefined;
};
const stealPct = steal0 && steal1 && steal1.total > steal0.total ? (100 * (steal1.steal - steal0.steal)) / (steal1.total - steal0.total) : null;

const ms = (x: number) => x.toFixed(1).padStart(7);
const ratio = (x: number) => `${x.toFixed(2)}×`.padStart(7);
const rows: string[] = [];
const flatNp = best("flat");
const npVersion = np1?.numpy ?? np2?.numpy ?? "-";
rows.push(`case                                     hepc ms (min)      reference                   ratio   numpy ${npVersion} same run ms   ratio`);
rows.push(
  `flat: 3 cuts, 3 defines, 2 histograms  ${ms(f.total.median)} (${ms(f.total.min).trim()})   numpy 1.24 idle 16.7 ms     ${ratio(16.7 / f.total.median)}   ${flatNp ? ms(flatNp.median) : "      -"}           ${flatNp ? ratio(flatNp.median / f.total.median) : "-"}`,
);
const jrow = (label: string, t: Timing, refMs: number, refText: string, np: Timing | undefined) =>
  `${label.padEnd(39)}${ms(t.median)} (${ms(t.min).trim()})   ${refText.padEnd(27)} ${ratio(refMs / t.median)}   ${np ? ms(np.median) : "      -"}           ${np ? ratio(np.median / t.median) : "-"}`;
rows.push(jrow("jagged (a) count(pt > 25)", j.count, 11, "awkward 10–12 ms", best("count")));
rows.push(jrow("jagged (b) sum(pt, pt>30 & |eta|<2.4)", j.sum, 79.5, "awkward 78–81 ms", best("sum")));
rows.push(jrow("jagged (c) min deltaR(lead, others)", j.minDeltaR, 377.5, "awkward 330–425 ms", best("minDeltaR")));
console.log(rows.join("\n"));
console.log(
  `\nflat: ${(N / (f.total.median / 1000) / 1e6).toFixed(1)} M events/s (target 100; numpy reference 60); kernel alone ${f.kernel.median.toFixed(1)} ms, ` +
    `histogram fills (runtime/exec's selectedIndices + Hist1D.fillIndexed) ${f.fills.median.toFixed(1)} ms (a bare uniform-bin loop: ${f.fillsBare.median.toFixed(1)} ms); with fresh output arrays ${f.fresh.median.toFixed(1)} ms`,
);
const parts = (np1 ?? np2)?.flatParts;
if (parts) {
  const p = (x: Record<"whole" | "math" | "histograms", Timing>) => `${x.whole.median.toFixed(1)} ms = mask and defines ${x.math.median.toFixed(1)} + histograms ${x.histograms.median.toFixed(1)}`;
  console.log(`flat, where the time goes: hepc ${f.total.median.toFixed(1)} ms = kernel ${f.kernel.median.toFixed(1)} + fills ${f.fills.median.toFixed(1)}; numpy on float32 columns ${p(parts.float32)}; on float64 columns ${p(parts.float64)}`);
}
console.log(`checksums (hepc / numpy): ${["count", "sum", "minDeltaR"].map((k) => `${k} ${j[k as "count"].checksum.sum.toFixed(1)} / ${best(k as "count")?.checksum.sum.toFixed(1) ?? "-"}`).join("; ")}`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}; load average ${load0.map((x) => x.toFixed(2)).join(" ")} → ${load1.map((x) => x.toFixed(2)).join(" ")}; CPU steal during the run ${stealPct === null ? "n/a" : stealPct.toFixed(1) + "%"}`);

const result = {
  date: new Date().toISOString(),
  node: process.version,
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? null, loadavgBefore: load0, loadavgAfter: load1, stealPercent: stealPct },
  numpy: np1?.numpy ?? np2?.numpy ?? null,
  flat: {
    ms: f.total,
    eventsPerSecond: N / (f.total.median / 1000),
    kernelMs: f.kernel,
    fillMs: f.fills,
    fillBareMs: f.fillsBare,
    freshOutputsMs: f.fresh,
    reference: { numpy124IdleMs: 16.7, ratio: 16.7 / f.total.median },
    numpySameRun: flatNp ? { ms: flatNp, ratio: flatNp.median / f.total.median } : null,
    numpyParts: parts ?? null,
  },
  jagged: Object.fromEntries(
    (["count", "sum", "minDeltaR"] as const).map((key) => {
      const ref = { count: 11, sum: 79.5, minDeltaR: 377.5 }[key];
      const np = best(key);
      return [key, { ms: { median: j[key].median, min: j[key].min }, checksum: j[key].checksum, awkwardReferenceMs: ref, ratio: ref / j[key].median, numpySameRun: np ? { ms: { median: np.median, min: np.min }, checksum: np.checksum, ratio: np.median / j[key].median } : null }];
    }),
  ),
};
mkdirSync(path.join(repo, "bench", "results"), { recursive: true });
writeFileSync(path.join(repo, "bench", "results", "kernels.json"), JSON.stringify(result, null, 2) + "\n");
if (process.env.HEPC_BENCH_SHOW_SOURCE) console.log(f.source, ...j.sources);
