/**
 * Without WebAssembly SIMD (forced here with HEPC_MLP_KERNELS=js, as on an engine without it),
 * the mlp trains and scores with its TypeScript kernels, names that backend, stays deterministic,
 * and still learns.
 */
import { describe, expect, it } from "vitest";
import { fitMlp, kernelBackend } from "../../../runtime/models/mlp/index.js";
import { auc, fold, ring } from "./data.js";

process.env.HEPC_MLP_KERNELS = "js";

describe("TypeScript kernels", () => {
  it("train a ring deterministically and name their backend", async () => {
    expect(kernelBackend()).toBe("hepc-js");
    const d = fold(ring(3000, 1), ring(500, 3));
    const opts = { layers: [16, 16], epochs: 15, batch: 64, learning_rate: 0.01, patience: 0 };
    const ctx = { seed: 2, threads: 1, classes: ["b", "s"] };
    const a = await fitMlp(d, opts, ctx);
    const b = await fitMlp(d, opts, ctx);
    expect(JSON.stringify(a.toJSON())).toBe(JSON.stringify(b.toJSON()));
    expect((a.toJSON() as { backend: string }).backend).toBe("hepc-js");
    const t = ring(2000, 2);
    expect(auc(a.predict(t.columns, t.n), t.label, t.weight)).toBeGreaterThan(0.95);
  });
});
