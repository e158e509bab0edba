/**
 * Progress of `hepc run` where stdout is not a terminal (CI logs, `| tee`, batch jobs): plain
 * lines on stderr, at a modest rate, without control characters; a bar on a terminal; none when
 * asked.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { progressSink } from "../../cli/progress.js";
import type { RunProgress } from "../../runtime/exec/index.js";
import { captureIo, runCli } from "../helpers/cli-io.js";
import { copyExample } from "../helpers/examples.js";

const tmp = mkdtempSync(path.join(tmpdir(), "hepc-progress-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Two samples read together for a minute, reporting every 50 ms; then both finish. */
function feed(mode: "plain" | "bar") {
  let t = 0;
  const io = captureIo(tmp, mode === "bar");
  const sink = progressSink(mode, io, () => t, 5000)!;
  const total = 1_200_000;
  for (; t <= 60_000; t += 50) {
    for (const sample of ["ttbar", "wjets"]) sink.update({ sample, done: Math.floor((t / 60_000) * total) - 1, total, cached: false, file: 1, files: 3 } satisfies RunProgress);
  }
  for (const sample of ["ttbar", "wjets"]) sink.update({ sample, done: total, total, cached: false, file: 3, files: 3 });
  sink.done();
  return io.err;
}

describe("progress", () => {
  it("plain: a line per sample every 5 s and one when it finishes, no control characters", () => {
    const err = feed("plain");
    const lines = err.split("\n").filter(Boolean);
    // 2400 updates in 60 s: 12 reports of 2 samples, and 2 final lines.
    expect(lines.length).toBe(12 * 2 + 2);
    expect(err).not.toMatch(/[\r\x1b]/);
    expect(lines.every((l) => l.startsWith("hepc run: "))).toBe(true);
    expect(lines.at(-1)).toBe("hepc run: wjets: 1,200,000/1,200,000 events (100%), file 3/3, 20 k events/s, done");
    expect(lines[0]).toMatch(/^hepc run: ttbar: 99,999\/1,200,000 events \(8%\), file 1\/3, 20 k events\/s$/);
  });

  it("bar: redrawn in place on a terminal", () => {
    const err = feed("bar");
    expect(err).toContain("\r\x1b[K");
    expect(err).toContain("█");
  });

  it("hepc run with stdout not a terminal prints plain lines by default; --progress none and --quiet print none", async () => {
    const dir = copyExample(tmp, "zmumu");
    const plain = await runCli(["run", "analysis.hep", "--threads", "1"], dir);
    expect(plain.code).toBe(0);
    expect(plain.err).toMatch(/^hepc run: dimuon: ([\d,]+)\/\1 events \(100%\).*, done\n$/);
    for (const quiet of [["--progress", "none"], ["--quiet"], ["--json"]]) {
      const r = await runCli(["run", "analysis.hep", "--threads", "1", ...quiet], dir);
      expect(r.code).toBe(0);
      expect(r.err).toBe("");
    }
    // Asked for explicitly, progress goes to stderr beside a JSON summary on stdout.
    const withJson = await runCli(["run", "analysis.hep", "--threads", "1", "--json", "--progress", "plain"], dir);
    expect(withJson.err).toContain("hepc run: dimuon: ");
    expect(JSON.parse(withJson.out).status).toBe("ok");
    const bad = await runCli(["run", "analysis.hep", "--progress", "fancy"], dir);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--progress must be bar, plain or none");
  });
});
