/**
 * Chunks on worker threads: the same bits as one thread for any chunk size and thread count, errors
 * from inside a worker reported like those of the calling thread, Ctrl-C in the real CLI.
 *
 * Workers run compiled code from dist/ (the thread entry of runtime/threads and the chunk handler of
 * runtime/exec/chunks.ts): `npm test` builds first; a plain `vitest run` without a build skips the
 * worker cases, saying so.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureChunkPool, execute, RunError, workerChunksDone } from "../../runtime/exec/index.js";
import { chunkRanges, chunkTarget } from "../../runtime/exec/stream.js";
import { openRoot } from "../../runtime/io/index.js";
import { configureThreads, threadPool } from "../../runtime/threads/index.js";
import { copyExample as copyExampleInto, planOf } from "../helpers/examples.js";
import { repoPath } from "../helpers/repo.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-threads-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const distWorker = new URL("../../dist/runtime/exec/chunk-worker.js", import.meta.url);
const distEntry = new URL("../../dist/runtime/threads/worker.js", import.meta.url);
const haveDist = existsSync(fileURLToPath(distWorker)) && existsSync(fileURLToPath(distEntry));
const CLI = repoPath("cli/bin/hepc.js");

const copyExample = (name: string): string => copyExampleInto(tmp, name);

/** Jagged collections, where, HT, pairs, weights and cross sections over four samples of several files. */
const JAGGED = (copies: number) => {
  const list = (s: string) => Array.from({ length: copies }, () => `"data/${s}.root"`).join(", ");
  return `analysis jagged { lumi 50 /pb seed 1 }
sample single_top { files ${list("single_top")} tree "events" class signal weight EventWeight }
sample ww { files ${list("ww")} tree "events" class background weight EventWeight xsec 118.7 pb }
sample wz { files ${list("wz")} tree "events" class background weight EventWeight }
sample zz { files ${list("zz")} tree "events" class background weight EventWeight }
object muons = Muon where pt > 10 and abs(eta) < 2.4
object jets = Jet where pt > 20 and abs(eta) < 2.4 and all(deltaR(this, muons) > 0.4)
define ht = ht(jets)
define mjj = mass(jets[0] + jets[1])
define drmin = min(deltaR(muons[0], jets))
define lead = sort_by(jets, -pt)
region one_mu = count(muons) >= 1
region two_jets = one_mu and count(jets) >= 2
output {
  histogram ht by sample bins 50 0 .. 1000 to "out/jagged.root"
  histogram mjj in one_mu, two_jets bins 50 0 .. 1000 to "out/jagged.root"
  histogram drmin, lead[0].pt as dr_pt in one_mu bins 20 0 .. 5, 20 0 .. 200 to "out/jagged.root"
  cutflow in one_mu, two_jets to "out/cutflow.json"
}
`;
};

describe("chunk edges", () => {
  it("follow the baskets every branch shares, and split a basket only past the chunk size", () => {
    // one basket per branch: one chunk per file, however many threads
    expect(chunkRanges(99_904, [[0], [0]], 25_000, 250_000)).toEqual([[0, 99_904]]);
    // shared edges every 200 entries (one branch has baskets every 100)
    expect(chunkRanges(1000, [[0, 100, 200, 300, 400, 500, 600, 700, 800, 900], [0, 200, 400, 600, 800]], 250, 1000)).toEqual([
      [0, 200], [200, 400], [400, 600], [600, 800], [800, 1000],
    ]);
    // a chunk size below the baskets' size cuts them
    const small = chunkRanges(1000, [[0, 500]], 97, 97);
    expect(small[0]).toEqual([0, 97]);
    expect(small.flat().every((e) => e >= 0 && e <= 1000)).toBe(true);
    // no branches: even chunks
    expect(chunkRanges(1000, [], 300, 300)).toEqual([[0, 300], [300, 600], [600, 900], [900, 1000]]);
    // chunks always tile the entries, in order
    for (const [entries, target, max] of [[1, 1, 1], [10_000, 333, 1000], [12_345, 1000, 1000]]) {
      const r = chunkRanges(entries, [[0, 17, 400, 401, 5000], [0, 400, 5000, 9000]], target, max);
      expect(r[0][0]).toBe(0);
      expect(r.at(-1)![1]).toBe(entries);
      for (let i = 1; i < r.length; i++) expect(r[i][0]).toBe(r[i - 1][1]);
      for (const [a, b] of r) expect(b - a).toBeGreaterThan(0);
      for (const [a, b] of r) expect(b - a).toBeLessThanOrEqual(max);
    }
  });

  it("give every thread work on a file smaller than the chunk size", () => {
    expect(chunkTarget(250_000, 100_000, 1)).toBe(250_000);
    expect(chunkTarget(250_000, 100_000, 4)).toBe(25_000);
    expect(chunkTarget(250_000, 1000, 4)).toBe(8192); // not smaller than handing it over is worth
    expect(chunkTarget(100, 100_000, 4)).toBe(100); // the chunk size stays the limit
  });
});

describe.skipIf(!haveDist)("chunks on worker threads (compiled dist/ worker)", () => {
  beforeAll(async () => {
    await configureThreads({ entry: distEntry });
    await configureChunkPool({ workerUrl: distWorker });
  });
  afterAll(async () => {
    await configureChunkPool({ workerUrl: null });
    await configureThreads({ entry: null });
  });

  const run = async (dir: string, file: string, threads: number, chunkSize?: number) => {
    const plan = await planOf(path.join(dir, file));
    const ex = await execute(plan, { analysisDir: dir, versions: { hepc: "test" }, threads, chunkSize, cache: false });
    return JSON.stringify({ h: ex.result.histograms, c: ex.result.cutflows, s: ex.result.samples });
  };

  it("give the same bits as one thread for jagged, weighted, multi-file samples, whatever the chunk size", async () => {
    const dir = copyExample("single-top");
    writeFileSync(path.join(dir, "jagged.hep"), JAGGED(3));
    const before = workerChunksDone();
    const one = await run(dir, "jagged.hep", 1);
    expect(workerChunksDone()).toBe(before); // one thread: no worker
    for (const [threads, chunk] of [[2, undefined], [3, 1000], [2, 97], [4, 5000]] as const) {
      expect(await run(dir, "jagged.hep", threads, chunk), `${threads} threads, chunks of ${chunk ?? "default"}`).toBe(one);
    }
    expect(workerChunksDone() - before).toBeGreaterThan(100);
    // and the histograms are not empty
    const parsed = JSON.parse(one) as { h: Array<{ key: string; data: { entries: number } }> };
    expect(parsed.h.find((h) => h.key === "one_mu/mjj")!.data.entries).toBeGreaterThan(1000);
  });

  it("share one pool of threads: runs of 3 then 2 threads hold 3 threads, not 5", async () => {
    await configureThreads({ entry: distEntry });
    const dir = copyExample("single-top");
    writeFileSync(path.join(dir, "jagged.hep"), JAGGED(2));
    const three = await run(dir, "jagged.hep", 3, 1000);
    expect(threadPool().live().length).toBe(3);
    expect(await run(dir, "jagged.hep", 2, 1000)).toBe(three);
    expect(threadPool().live().length).toBe(3);
  });

  it("give the same bits as one thread on the examples", async () => {
    for (const name of ["zmumu", "nanoaod"]) {
      const dir = copyExample(name);
      const one = await run(dir, "analysis.hep", 1);
      expect(await run(dir, "analysis.hep", 2, 50), name).toBe(one);
      expect(await run(dir, "analysis.hep", 3, 333), name).toBe(one);
    }
  });

  it("draw the same random numbers for any thread count and chunk size (gauss, uniform per event and per jet)", async () => {
    const dir = copyExample("single-top");
    writeFileSync(
      path.join(dir, "random.hep"),
      `analysis random { lumi 50 /pb seed 11 }
sample single_top { files "data/single_top.root", "data/single_top.root" tree "events" class signal weight EventWeight * gauss(1, 0.1) }
sample ww { files "data/ww.root" tree "events" class background weight EventWeight }
object jets = Jet where pt * gauss(1, 0.2) > 25 and uniform(0, 1) < 0.9
define smeared_ht = ht(jets) * gauss(1, 0.05)
region two_jets = count(jets) >= 2
output {
  histogram smeared_ht in two_jets bins 40 0 .. 800 to "out/random.root"
  histogram uniform(0, 1) as u by sample bins 10 0 .. 1 to "out/random.root"
  cutflow in two_jets to "out/cutflow.json"
}
`,
    );
    const one = await run(dir, "random.hep", 1);
    for (const [threads, chunk] of [[2, undefined], [2, 97], [3, 1000]] as const) {
      expect(await run(dir, "random.hep", threads, chunk), `${threads} threads, chunks of ${chunk ?? "default"}`).toBe(one);
    }
    // the draws are not all the same: uniform(0, 1) fills every bin of its histogram
    const parsed = JSON.parse(one) as { h: Array<{ key: string; split: string | null; data: { sumw: number[]; entries: number } }> };
    const u = parsed.h.find((h) => h.key.endsWith("/u/ww"))!;
    expect(u.data.entries).toBe(4580);
    // 4580 unweighted-shape draws in 10 bins (EventWeight is constant for ww): each bin near 458
    const per = u.data.sumw.slice(1, 11).map((w) => w / (u.data.sumw.slice(1, 11).reduce((a, b) => a + b, 0) / 4580));
    for (const c of per) expect(Math.abs(c - 458)).toBeLessThan(5 * Math.sqrt(458));
    expect(parsed.h.find((h) => h.key.includes("smeared_ht"))!.data.entries).toBeGreaterThan(100);
  });

  it("a corrupted basket read by a worker names the sample, file, branch and basket; nothing is written", async () => {
    const dir = copyExample("zmumu");
    const file = path.join(dir, "data/uproot-Zmumu.root");
    const f = await openRoot(file);
    const plan = await f.plan("events", ["M"]);
    await f.close();
    const basket = plan.baskets[0];
    // Damage the compressed payload in the middle of the basket (its key header stays intact).
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.alloc(32, 0x5a), 0, 32, basket.seek + Math.floor(basket.bytes / 2));
    closeSync(fd);
    const p = await planOf(path.join(dir, "analysis.hep"));
    const err = await execute(p, { analysisDir: dir, versions: {}, threads: 2, chunkSize: 500, cache: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunError);
    const e = err as RunError;
    expect(e.code).toBe("HEP6002");
    expect(e.message).toContain("sample 'dimuon'");
    expect(e.message).toContain("data/uproot-Zmumu.root");
    expect(e.message).toMatch(/corrupted basket.*\(branch 'M', basket 0\)/);
    expect(e.origin?.line).toBeGreaterThan(0);
    expect(existsSync(path.join(dir, "out"))).toBe(false);
  });

  it("a failing sample stops the others: its own error is reported, not an interruption; nothing is written", async () => {
    const dir = copyExample("single-top");
    // single_top is long; ww's weight is missing (NaN) for events without a jet
    writeFileSync(
      path.join(dir, "jagged.hep"),
      JAGGED(20).replace('sample ww { files', 'sample ww { files').replace(/(sample ww \{[^}]*)weight EventWeight/, "$1weight EventWeight * Jet[0].pt / Jet[0].pt"),
    );
    const plan = await planOf(path.join(dir, "jagged.hep"));
    for (const threads of [1, 2]) {
      const err = await execute(plan, { analysisDir: dir, versions: {}, threads, chunkSize: 1000, cache: false }).catch((e: unknown) => e);
      expect(err, `${threads} threads`).toBeInstanceOf(RunError);
      expect((err as RunError).code).toBe("HEP6003");
      expect((err as RunError).message).toContain("sample 'ww'");
      expect(existsSync(path.join(dir, "out"))).toBe(false);
    }
  });

  it("an interruption stops the workers' run; nothing is written", async () => {
    const dir = copyExample("single-top");
    writeFileSync(path.join(dir, "jagged.hep"), JAGGED(5));
    const plan = await planOf(path.join(dir, "jagged.hep"));
    const controller = new AbortController();
    const run = execute(plan, { analysisDir: dir, versions: {}, threads: 2, chunkSize: 500, cache: false, signal: controller.signal, onProgress: (p) => p.done > 2000 && controller.abort() });
    await expect(run).rejects.toMatchObject({ code: "HEP6005" });
    expect(existsSync(path.join(dir, "out"))).toBe(false);
  });
});

describe("a worker thread that dies", () => {
  afterAll(async () => {
    await configureChunkPool({ workerUrl: null });
    await configureThreads({ entry: null });
  });

  it("stops the run with HEP6008 naming the sample and file; nothing is written", async () => {
    // The stand-in is a whole thread entry (no dist/ needed): it dies on its first job.
    const dies = new URL("../fixtures/workers/dies.mjs", import.meta.url);
    await configureThreads({ entry: dies });
    await configureChunkPool({ workerUrl: dies });
    const dir = copyExample("zmumu");
    const plan = await planOf(path.join(dir, "analysis.hep"));
    const err = await execute(plan, { analysisDir: dir, versions: {}, threads: 2, cache: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunError);
    expect((err as RunError).code).toBe("HEP6008");
    expect((err as RunError).message).toContain("sample 'dimuon'");
    expect((err as RunError).message).toContain("data/uproot-Zmumu.root");
    expect((err as RunError).message).toContain("exit code 7");
    expect(existsSync(path.join(dir, "out"))).toBe(false);
  });
});

describe.skipIf(!haveDist)("the real CLI with worker threads", () => {
  const runCliChild = (args: string[], cwd: string) =>
    new Promise<{ code: number | null; ms: number; err: string }>((resolve) => {
      const t0 = Date.now();
      const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, ms: Date.now() - t0, err });
      });
    });

  it("exits when the run is over, also with threads that got no chunk, from the cache, and after an error", async () => {
    const dir = copyExample("zmumu"); // one file, one chunk: most of four threads stay idle
    const fresh = await runCliChild(["run", "analysis.hep", "--threads", "4", "--quiet"], dir);
    expect(fresh.code, fresh.err).toBe(0);
    const cached = await runCliChild(["run", "analysis.hep", "--threads", "4", "--quiet"], dir);
    expect(cached.code, cached.err).toBe(0);
    writeFileSync(path.join(dir, "data/uproot-Zmumu.root"), "not a ROOT file any more");
    const failed = await runCliChild(["run", "analysis.hep", "--threads", "4", "--quiet"], dir);
    expect(failed.code).toBe(1);
    for (const r of [fresh, cached, failed]) expect(r.ms).toBeLessThan(25_000);
  });
});

describe.skipIf(!haveDist)("Ctrl-C in the real CLI", () => {
  it("stops a multi-threaded run with exit code 130, says so, and writes nothing", async () => {
    const dir = copyExample("single-top");
    writeFileSync(path.join(dir, "jagged.hep"), JAGGED(400)); // ~6 M events: long enough to interrupt
    const child = spawn(process.execPath, [CLI, "run", "jagged.hep", "--threads", "2", "--no-cache"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    let exited = false;
    const closed = new Promise<number | null>((resolve) => child.on("close", (c) => ((exited = true), resolve(c))));
    // The run directory appears when work starts; interrupt then.
    const runs = path.join(dir, ".hepc", "runs");
    const started = Date.now();
    while (!exited && !(existsSync(runs) && readdirSync(runs).length > 0) && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    expect(exited, `the run ended before it could be interrupted: ${err}`).toBe(false);
    child.kill("SIGINT");
    const code = await closed;
    expect(err).toContain("HEP6005");
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
    expect(code).toBe(130);
    expect(existsSync(path.join(dir, "out"))).toBe(false);
  });
});
