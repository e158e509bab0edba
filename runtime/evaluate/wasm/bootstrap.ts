/**
 * The AUCs of a Poisson bootstrap's replicates, computed by bootstrap.c in WebAssembly (its
 * comment says why); bootstrap.ts's replicateAuc is the same computation in TypeScript, used
 * where this declines and checked against it (test/evaluate/bootstrap-wasm.test.ts: the same bits).
 */
import { ArenaPlan, wasmArena } from "./arena.js";

/** bootstrap.c's BootArgs, as 32-bit words. */
const B = { n: 0, score: 1, weight: 2, cls: 3, sigIs: 4, orig: 5, seed: 6, replicates: 7, cdf: 8, state: 9, out: 10 } as const;
const ARGS_BYTES = 56;
/** Events per call (bootstrap.c says why the events go in chunks). */
const CHUNK = 16384;
/** bootstrap.c's CDF: the Poisson(1) probabilities it reads. */
const CDF = 20;

/**
 * Every replicate's AUC (NaN where undefined) of events in ranked order, signal where
 * `cls[k] === sigIs`, each event's draws keyed by `orig[k]`; null where the WebAssembly declines
 * (switched off, or its memory cannot be had).
 */
export function replicateAucsInWasm(
  ss: Float64Array, sw: Float64Array, cls: Int32Array | Uint8Array, sigIs: number, orig: Uint32Array,
  seed: number, replicates: number, cdf: readonly number[],
): Float64Array | null {
  const a = wasmArena();
  if (!a) return null;
  if (cdf.length !== CDF) throw new Error(`hepc internal: bootstrap.c reads ${CDF} Poisson probabilities, not ${cdf.length}`);
  const n = ss.length;
  const plan = new ArenaPlan(a);
  const args = plan.take(ARGS_BYTES);
  const at = { score: plan.take(8 * n), weight: plan.take(8 * n), cls: plan.take(4 * n), orig: plan.take(4 * n), cdf: plan.take(8 * cdf.length), state: plan.take(64 * replicates), out: plan.take(8 * replicates) };
  const buf = plan.ready();
  if (!buf) return null;
  new Float64Array(buf, at.score, n).set(ss);
  new Float64Array(buf, at.weight, n).set(sw);
  new Int32Array(buf, at.cls, n).set(cls); // bytes widen to the i32 bootstrap.c reads
  new Uint32Array(buf, at.orig, n).set(orig);
  new Float64Array(buf, at.cdf, cdf.length).set(cdf);
  const W = new Uint32Array(buf, args, ARGS_BYTES / 4);
  W[B.n] = n;
  W[B.score] = at.score;
  W[B.weight] = at.weight;
  W[B.cls] = at.cls;
  new Int32Array(buf, args, ARGS_BYTES / 4)[B.sigIs] = sigIs;
  W[B.orig] = at.orig;
  W[B.seed] = seed;
  W[B.replicates] = replicates;
  W[B.cdf] = at.cdf;
  W[B.state] = at.state;
  W[B.out] = at.out;
  a.bootstrapBegin(args);
  for (let k = 0; k < n; k += CHUNK) a.bootstrapEvents(args, k, Math.min(n, k + CHUNK));
  a.bootstrapEnd(args);
  return new Float64Array(a.memory.buffer, at.out, replicates).slice();
}
