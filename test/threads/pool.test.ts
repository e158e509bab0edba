/**
 * The process's thread pool (runtime/threads) on its own, with a job handler from fixtures: jobs
 * batched into one message and answered in order, a handler's failure is that job's only, a thread
 * that dies fails its jobs and its slot gets a fresh thread, threads are started only up to the
 * width asked for, and idle threads do not keep the process alive.
 *
 * The threads run the compiled entry from dist/: `npm test` builds first; a plain `vitest run`
 * without a build skips this, saying so.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ThreadPool, ThreadStopped } from "../../runtime/threads/index.js";

const distEntry = new URL("../../dist/runtime/threads/worker.js", import.meta.url);
const distIndex = new URL("../../dist/runtime/threads/index.js", import.meta.url);
const haveDist = existsSync(fileURLToPath(distEntry));
const handler = new URL("../fixtures/workers/jobs.mjs", import.meta.url);

interface Echo {
  value: number;
  thread: number;
  seen: number;
}

describe.skipIf(!haveDist)("the thread pool (compiled dist/ entry)", () => {
  let pool: ThreadPool;
  afterEach(async () => {
    await pool?.close();
  });
  const job = (payload: object) => ({ handler, payload });

  it("runs a message's jobs in order on one thread and answers each", async () => {
    pool = new ThreadPool(distEntry);
    const slot = pool.pick(1)!;
    const replies = (await Promise.all(pool.post(slot, [1, 2, 3].map((value) => job({ op: "echo", value }))))) as Echo[];
    expect(replies.map((r) => [r.value, r.seen])).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect(new Set(replies.map((r) => r.thread)).size).toBe(1);
    expect(slot.busy).toBe(0);
    // a notice wants no reply but runs before what is sent after it
    pool.tell(slot, job({ op: "echo", value: 0 }));
    const after = (await pool.post(slot, [job({ op: "echo", value: 4 })])[0]) as Echo;
    expect(after.seen).toBe(5);
  });

  it("fails only the job whose handler throws, with the handler's error name and message", async () => {
    pool = new ThreadPool(distEntry);
    const [a, b, c] = pool.post(pool.pick(1)!, [job({ op: "echo", value: 1 }), job({ op: "throw", value: 2 }), job({ op: "later", value: 3 })]);
    await expect(a).resolves.toMatchObject({ value: 1 });
    await expect(b).rejects.toMatchObject({ name: "BadJob", message: "bad job 2" });
    await expect(c).resolves.toBe(3);
  });

  it("runs a message after the one before it, even when that one waits for an asynchronous handler", async () => {
    pool = new ThreadPool(distEntry);
    const slot = pool.pick(1)!;
    const order: string[] = [];
    const first = pool.post(slot, [job({ op: "later", value: "late" })])[0].then((v) => order.push(v as string));
    const second = pool.post(slot, [job({ op: "echo", value: 2 })])[0].then((r) => order.push(`seen ${(r as Echo).seen}`));
    await Promise.all([first, second]);
    expect(order).toEqual(["late", "seen 2"]);
  });

  it("moves buffers a handler hands back", async () => {
    pool = new ThreadPool(distEntry);
    const a = (await pool.post(pool.pick(1)!, [job({ op: "buffer", n: 1000, value: 2.5 })])[0]) as Float64Array;
    expect(a).toBeInstanceOf(Float64Array);
    expect(a.length).toBe(1000);
    expect(a.every((x) => x === 2.5)).toBe(true);
  });

  it("starts threads only up to the width asked for, idle ones first, and refuses past the depth", async () => {
    pool = new ThreadPool(distEntry);
    const s0 = pool.pick(2, 1)!;
    const first = pool.post(s0, [job({ op: "later", value: 0 })]);
    const s1 = pool.pick(2, 1)!;
    expect(s1.index).toBe(1);
    const second = pool.post(s1, [job({ op: "later", value: 1 })]);
    expect(pool.pick(2, 1)).toBeNull();
    expect(pool.pick(2)).not.toBeNull(); // no depth: the least busy
    expect(pool.live()).toHaveLength(2);
    await Promise.all([...first, ...second]);
    expect(pool.pick(2, 1)).toBe(s0); // idle again
    expect(pool.live()).toHaveLength(2);
    // A wider client shares the two and starts only what it lacks.
    expect(pool.start(3)).toHaveLength(3);
    expect(pool.live()).toHaveLength(3);
  });

  it("fails the jobs of a thread that dies with ThreadStopped, and gives its slot a fresh thread", async () => {
    pool = new ThreadPool(distEntry);
    const slot = pool.pick(1)!;
    const before = (await pool.post(slot, [job({ op: "echo", value: 1 })])[0]) as Echo;
    const [dies, queued] = pool.post(slot, [job({ op: "exit" }), job({ op: "echo", value: 2 })]);
    const err = await dies.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ThreadStopped);
    expect((err as ThreadStopped).reason).toBe("exit code 3");
    await expect(queued).rejects.toBeInstanceOf(ThreadStopped);
    slot.state.set("k", 1);
    const fresh = pool.pick(1)!;
    expect(fresh).not.toBe(slot);
    expect(fresh.index).toBe(0);
    expect(fresh.state.size).toBe(0);
    const after = (await pool.post(fresh, [job({ op: "echo", value: 3 })])[0]) as Echo;
    expect(after.thread).not.toBe(before.thread);
    expect(after.seen).toBe(1);
  });

  it("fails what is in flight when closed, and starts nothing after", async () => {
    pool = new ThreadPool(distEntry);
    const late = pool.post(pool.pick(1)!, [job({ op: "later", value: 1 })])[0].catch((e: unknown) => e);
    await pool.close();
    expect(await late).toBeInstanceOf(ThreadStopped);
    expect(pool.threaded).toBe(false);
    expect(() => pool.pick(1)).toThrow();
  });

  it("lets the process exit while its threads are idle", () => {
    const script = `
      import { ThreadPool } from ${JSON.stringify(distIndex.href)};
      const pool = new ThreadPool(new URL(${JSON.stringify(distEntry.href)}));
      pool.start(3);
      const r = await pool.post(pool.pick(3), [{ handler: new URL(${JSON.stringify(handler.href)}), payload: { op: "echo", value: 7 } }])[0];
      console.log("reply", r.value);
    `;
    const dir = mkdtempSync(path.join(tmpdir(), "hepc-pool-"));
    const file = path.join(dir, "idle.mjs");
    writeFileSync(file, script);
    const t0 = Date.now();
    const child = spawnSync(process.execPath, [file], { encoding: "utf8", timeout: 20_000 });
    rmSync(dir, { recursive: true, force: true });
    expect(child.stderr).toBe("");
    expect(child.stdout.trim()).toBe("reply 7");
    expect(child.status).toBe(0);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });
});
