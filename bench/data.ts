/** Seeded synthetic inputs shared by the kernel benchmarks: the same values in every run. */

/** A seeded PRNG (mulberry32): the same inputs in every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());

export interface JaggedData {
  offsets: Int32Array;
  pt: Float32Array;
  eta: Float32Array;
  phi: Float32Array;
}

/**
 * N events of on average 4 objects (Poisson(4) multiplicities): pt = 20 GeV + exponential(20 GeV),
 * eta Gaussian with σ 2.5, phi uniform, all float32.
 */
export function jaggedData(N: number): JaggedData {
  const r = rng(2);
  const offsets = new Int32Array(N + 1);
  for (let i = 0; i < N; i++) {
    // Poisson(4) by inversion
    let k = 0;
    let p = Math.exp(-4);
    let s = p;
    const u = r();
    while (u > s) {
      k++;
      p *= 4 / k;
      s += p;
    }
    offsets[i + 1] = offsets[i] + k;
  }
  const total = offsets[N];
  const pt = new Float32Array(total);
  const eta = new Float32Array(total);
  const phi = new Float32Array(total);
  for (let j = 0; j < total; j++) {
    pt[j] = 20 - 20 * Math.log(r() || 1e-12); // 20 GeV + exponential(20)
    eta[j] = 2.5 * gauss(r);
    phi[j] = Math.PI * (2 * r() - 1);
  }
  return { offsets, pt, eta, phi };
}
