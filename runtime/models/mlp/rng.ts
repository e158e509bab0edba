/**
 * The mlp's one source of randomness: a seeded 32-bit generator (SplitMix32's mixing of a Weyl
 * sequence) for initial weights, the epoch shuffles and dropout masks. Drawn in a fixed order on
 * one thread, so the same seed gives the same weights bit for bit.
 */
export class Rng {
  private s: number;
  private spare = NaN;
  constructor(seed: number, stream = 0) {
    this.s = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
    for (let i = 0; i < 4; i++) this.u32();
  }
  u32(): number {
    this.s = (this.s + 0x9e3779b9) | 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }
  /** Uniform in [0, 1), 32 bits of resolution. */
  uniform(): number {
    return this.u32() / 4294967296;
  }
  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const v = this.spare;
      this.spare = NaN;
      return v;
    }
    const u = 1 - this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  /** A permutation of 0 … n−1 into `out` (Fisher–Yates). */
  shuffle(out: Int32Array, n: number): void {
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
  }
}
