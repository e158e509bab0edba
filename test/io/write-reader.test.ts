/**
 * Round trips through the project's own reader (runtime/io): what the runtime writes as
 * prediction friend trees and histograms must come back as the same columns and bins,
 * including 64-bit integers beyond 2^53 and entry ranges that cut through baskets.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRootFile, openRoot, readHistogram, type TreeColumnSpec } from "../../runtime/io/index.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hepc-write-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("ROOT writer -> runtime/io reader", () => {
  it("returns every dtype unchanged, whole and by entry range", async () => {
    const n = 2500;
    const r = rng(11);
    const big = () => (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32));
    const cols: Record<string, ArrayLike<number | bigint> & { subarray(a: number, b: number): ArrayLike<number | bigint> }> = {
      f4: Float32Array.from({ length: n }, () => (r() - 0.5) * 100),
      f8: Float64Array.from({ length: n }, () => (r() - 0.5) * 1e300),
      i4: Int32Array.from({ length: n }, () => Math.floor((r() - 0.5) * 2 ** 32)),
      u4: Uint32Array.from({ length: n }, () => Math.floor(r() * 2 ** 32)),
      // Full 64-bit range: beyond 2^53 and negative with any low word.
      i8: BigInt64Array.from({ length: n }, () => BigInt.asIntN(64, big())),
      u8: BigUint64Array.from({ length: n }, () => big()),
      i2: Int16Array.from({ length: n }, () => Math.floor((r() - 0.5) * 2 ** 16)),
      u2: Uint16Array.from({ length: n }, () => Math.floor(r() * 2 ** 16)),
      i1: Int8Array.from({ length: n }, () => Math.floor((r() - 0.5) * 256)),
      u1: Uint8Array.from({ length: n }, () => Math.floor(r() * 256)),
      bool: Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0)),
    };
    const specs: TreeColumnSpec[] = Object.keys(cols).map((k) => ({ name: k, dtype: k as TreeColumnSpec["dtype"] }));
    const path = join(dir, "friend.root");
    const w = await createRootFile(path);
    const t = w.tree("friends/pred", "predictions", specs, { basketEntries: 700 });
    for (let a = 0; a < n; a += 333) {
      const chunk: Record<string, ArrayLike<number | bigint>> = {};
      for (const [k, v] of Object.entries(cols)) chunk[k] = v.subarray(a, Math.min(n, a + 333));
      await t.append(chunk);
    }
    await w.close();

    const f = await openRoot(path);
    try {
      const info = await f.tree("friends/pred");
      expect(info.entries).toBe(n);
      expect(info.branches.map((b) => b.name)).toEqual(Object.keys(cols));

      const all = await f.read("friends/pred", Object.keys(cols));
      for (const [k, v] of Object.entries(cols)) {
        const c = all.get(k)!;
        expect(c.kind).toBe("flat");
        expect(c.dtype).toBe(k);
        expect(Array.from(c.values as ArrayLike<number | bigint>)).toEqual(Array.from(v));
      }

      // A range that starts and ends inside baskets (700-entry baskets: 650..1890 spans 3).
      const part = await f.read("friends/pred", ["f8", "i8"], { start: 650, stop: 1890 });
      expect(Array.from(part.get("f8")!.values as Float64Array)).toEqual(Array.from((cols.f8 as Float64Array).subarray(650, 1890)));
      expect(Array.from(part.get("i8")!.values as BigInt64Array)).toEqual(Array.from((cols.i8 as BigInt64Array).subarray(650, 1890)));
    } finally {
      await f.close();
    }
  });

  it("reads histograms back with their edges, flows and entries", async () => {
    const path = join(dir, "h.root");
    const w = await createRootFile(path);
    const edges = Float64Array.from([0, 15, 40, 100, 1000]);
    const contents = Float64Array.from([3.5, 1, 2, 3, 4.25, 0.5]);
    w.histogram({ path: "sr/ht", title: "HT", kind: "TH1D", edges, contents, sumw2: contents, entries: 17 });
    const fixed = Float64Array.from({ length: 21 }, (_, i) => i * 0.5);
    const fc = Float64Array.from({ length: 22 }, (_, i) => i);
    w.histogram({ path: "cr/njet", title: "nj", kind: "TH1F", edges: fixed, contents: fc, sumw2: fc, entries: 231 });
    await w.close();

    const ht = await readHistogram(path, "sr/ht");
    expect(ht.className).toBe("TH1D");
    expect(Array.from(ht.edges)).toEqual(Array.from(edges));
    expect(Array.from(ht.valuesWithFlow)).toEqual(Array.from(contents));
    expect(ht.entries).toBe(17);
    const nj = await readHistogram(path, "cr/njet");
    expect(nj.className).toBe("TH1F");
    expect(Array.from(nj.edges)).toEqual(Array.from(fixed));
    expect(Array.from(nj.valuesWithFlow)).toEqual(Array.from(fc));
  });
});
