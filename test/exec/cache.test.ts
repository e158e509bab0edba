/** The column cache: never a reason for a run to fail, and kept within its budget. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { nodeHost } from "../../cli/host.js";
import { compilePlan } from "../../compiler/compile.js";
import { execute } from "../../runtime/exec/index.js";
import { cacheBudget, CacheWriter, pruneCache } from "../../runtime/exec/cache.js";
import { runCli } from "../helpers/cli-io.js";
import { copyExample } from "../helpers/examples.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-cache-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const copyZmumu = (): string => copyExample(tmp, "zmumu");

describe("the column cache", () => {
  it("that cannot be written does not stop a run: it warns, and the next run reads the files again", async () => {
    const dir = copyZmumu();
    mkdirSync(path.join(dir, ".hepc/cache"), { recursive: true });
    writeFileSync(path.join(dir, ".hepc/cache/columns"), "a file where the cache's folder should be");
    const r = await runCli(["run", "analysis.hep"], dir);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: the column cache .* cannot be written/);
    expect(existsSync(path.join(dir, "out/zmumu.root"))).toBe(true);
    const c = await compilePlan(path.join(dir, "analysis.hep"), nodeHost(dir));
    const again = await execute(c.plan!, { analysisDir: dir, versions: {} });
    expect(again.result.samples[0].read).toBe(true);
    expect(again.result.warnings, again.result.warnings.join("\n")).toHaveLength(1);
  });

  it("whose record of the entries disagrees with the files is set aside: everything is recomputed, with the same results", async () => {
    const dir = copyZmumu();
    const c = await compilePlan(path.join(dir, "analysis.hep"), nodeHost(dir));
    const fresh = await execute(c.plan!, { analysisDir: dir, versions: {} });
    const columns = path.join(dir, ".hepc/cache/columns");
    // damage the record of entries (still 2304 in all, but said to be in two files)
    for (const f of readdirSync(columns).filter((n) => n.endsWith(".json"))) writeFileSync(path.join(columns, f), JSON.stringify({ entries: 2304, files: [2000, 304] }));
    // a changed cut: some columns come from the cache, others are computed
    const text = readFileSync(path.join(dir, "analysis.hep"), "utf8");
    writeFileSync(path.join(dir, "analysis.hep"), text.replace("abs(mll - 91.19) < 15", "abs(mll - 91.19) < 14.99999"));
    const c2 = await compilePlan(path.join(dir, "analysis.hep"), nodeHost(dir));
    const mixed = await execute(c2.plan!, { analysisDir: dir, versions: {} });
    expect(mixed.result.samples[0].read).toBe(true);
    const unaffected = (r: typeof fresh) => JSON.stringify(r.result.histograms.filter((h) => h.region !== "z_window"));
    expect(unaffected(mixed)).toBe(unaffected(fresh));
    // and a record of the wrong shape is ignored too
    for (const f of readdirSync(columns).filter((n) => n.endsWith(".json"))) writeFileSync(path.join(columns, f), JSON.stringify({ entries: 2304 }));
    const again = await execute(c2.plan!, { analysisDir: dir, versions: {} });
    expect(JSON.stringify(again.result.histograms)).toBe(JSON.stringify(mixed.result.histograms));
  });

  it("a writer whose file cannot be created or written reports why and publishes nothing", () => {
    const w = new CacheWriter(path.join(tmp, "no-such-folder", "x.bin"));
    w.append(new Float64Array(4));
    expect(w.commit()).toBe(false);
    expect(w.failure).toMatch(/ENOENT/);
  });

  it("keeps within its budget, removing the least recently used files but never those of the run", () => {
    const dir = path.join(tmp, "prune");
    mkdirSync(dir, { recursive: true });
    const now = Date.now() / 1000;
    for (let k = 0; k < 6; k++) {
      const p = path.join(dir, `c${k}.bin`);
      writeFileSync(p, Buffer.alloc(1000));
      utimesSync(p, now - 1000 + k, now - 1000 + k); // c0 oldest
    }
    writeFileSync(path.join(dir, "c9.bin.tmp-123-abc"), Buffer.alloc(5000)); // another run's work in progress
    const keep = new Set([path.join(dir, "c0.bin")]);
    const r = pruneCache(dir, 3000, keep);
    expect(r.total).toBe(6000);
    expect(r.removed).toBe(3000);
    expect(readdirSync(dir).sort()).toEqual(["c0.bin", "c4.bin", "c5.bin", "c9.bin.tmp-123-abc"]);
    expect(statSync(path.join(dir, "c0.bin")).size).toBe(1000);
  });

  it("has a budget of 4 GiB unless HEPC_CACHE_SIZE says otherwise", () => {
    expect(cacheBudget({})).toBe(4 * 2 ** 30);
    expect(cacheBudget({ HEPC_CACHE_SIZE: "20G" })).toBe(20 * 2 ** 30);
    expect(cacheBudget({ HEPC_CACHE_SIZE: "512MiB" })).toBe(512 * 2 ** 20);
    expect(cacheBudget({ HEPC_CACHE_SIZE: "1.5T" })).toBe(1.5 * 2 ** 40);
    expect(cacheBudget({ HEPC_CACHE_SIZE: "100000" })).toBe(100000);
    expect(cacheBudget({ HEPC_CACHE_SIZE: "lots" })).toBe(4 * 2 ** 30);
  });

  it("runs under a tiny budget: older analyses' columns go, the run's own stay and it warns", async () => {
    const dir = copyZmumu();
    const c = await compilePlan(path.join(dir, "analysis.hep"), nodeHost(dir));
    await execute(c.plan!, { analysisDir: dir, versions: {} });
    const columns = path.join(dir, ".hepc/cache/columns");
    const first = new Set(readdirSync(columns));
    // a different binning reuses every column; a different cut makes new ones
    const text = (await import("node:fs")).readFileSync(path.join(dir, "analysis.hep"), "utf8");
    writeFileSync(path.join(dir, "analysis.hep"), text.replace("abs(mll - 91.19) < 15", "abs(mll - 91.19) < 5"));
    const c2 = await compilePlan(path.join(dir, "analysis.hep"), nodeHost(dir));
    process.env.HEPC_CACHE_SIZE = "1K";
    try {
      const ex = await execute(c2.plan!, { analysisDir: dir, versions: {} });
      expect(ex.result.warnings.join("\n")).toMatch(/more than its budget/);
    } finally {
      delete process.env.HEPC_CACHE_SIZE;
    }
    const after = new Set(readdirSync(columns));
    // the old z_window mask is gone; what the second run used is all still there
    expect([...first].filter((f) => !after.has(f)).length).toBeGreaterThan(0);
    const again = await execute(c2.plan!, { analysisDir: dir, versions: {} });
    expect(again.result.samples[0].read).toBe(false);
  });
});
