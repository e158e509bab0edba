/**
 * The documented random draws, written independently of the prelude: Philox-4x32-10 with 64-bit
 * products in BigInt, and the key layout (counter: entry low, entry high, element or 0xffffffff,
 * call site; key: seed, the sample's stream) with the unit and Box–Muller steps.
 */
/** Philox-4x32-10 with 64-bit products in BigInt: the published algorithm, independently of the prelude's WebAssembly. */
export function philoxBig(ctr: number[], key: number[]): number[] {
  const M = [0xd2511f53n, 0xcd9e8d57n];
  let [c0, c1, c2, c3] = ctr.map(BigInt);
  let [k0, k1] = key.map(BigInt);
  const mask = 0xffffffffn;
  for (let r = 0; r < 10; r++) {
    if (r > 0) {
      k0 = (k0 + 0x9e3779b9n) & mask;
      k1 = (k1 + 0xbb67ae85n) & mask;
    }
    const p0 = M[0] * c0;
    const p1 = M[1] * c2;
    [c0, c1, c2, c3] = [((p1 >> 32n) ^ c1 ^ k0) & mask, p1 & mask, ((p0 >> 32n) ^ c3 ^ k1) & mask, p0 & mask];
  }
  return [c0, c1, c2, c3].map(Number);
}

const unit = (a: number, b: number) => ((a >>> 5) * 67108864 + (b >>> 6)) / 9007199254740992;
/** The documented draws: counter (entry low, entry high, element or 0xffffffff, site), key (seed, stream). */
export function expectedDraw(fn: "gauss" | "uniform", p: number, q: number, entry: number, el: number, site: number, seed: number, stream: number): number {
  const w = philoxBig([entry >>> 0, Math.floor(entry / 2 ** 32) >>> 0, el >>> 0, site], [seed, stream]);
  if (fn === "uniform") return p + (q - p) * unit(w[0], w[1]);
  return p + q * Math.sqrt(-2 * Math.log(1 - unit(w[0], w[1]))) * Math.cos(2 * Math.PI * unit(w[2], w[3]));
}


/**
 * The key (call site and seed) of the one `fn` call in a plan or any part of one (an expression),
 * for the draws above; an error unless exactly one distinct key is found.
 */
export function randomCall(x: unknown, fn: "gauss" | "uniform" = "gauss"): { site: number; seed: number } {
  const found = new Map<string, { site: number; seed: number }>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (o.op === "call" && o.fn === fn) found.set(`${o.site}/${o.seed}`, { site: o.site as number, seed: (o.seed as number | undefined) ?? 0 });
      else Object.values(o).forEach(walk);
    }
  };
  walk(x);
  if (found.size !== 1) throw new Error(`${found.size} distinct ${fn} calls, not one`);
  return [...found.values()][0];
}
