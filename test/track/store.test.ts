/** The run store without running analyses: listing, filters, names, tags, gc, merge, bad input. */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli-io.js";
import { filterRuns, gc, loadStore, mergeStores, resolveRun, StoreError } from "../../track/index.js";
import { writeFakeRun } from "./fake.js";

function scratch(): string {
  return mkdtempSync(path.join(os.tmpdir(), "hepc-track-"));
}

/** An analysis folder with a store of three runs: two of `ana` (bdt), one failed of `other`. */
function analysisWithRuns() {
  const dir = scratch();
  const store = path.join(dir, ".hepc", "runs");
  const a = writeFakeRun(store, { name: "20260101-100000-abababab", startedAt: "2026-01-01T10:00:00.000Z", models: ["bdt"], params: { "bdt.max_depth": "3" }, metrics: { "bdt/auc": 0.85, wall_ms: 900 } });
  const b = writeFakeRun(store, { name: "20260102-100000-abababab", startedAt: "2026-01-02T10:00:00.000Z", models: ["bdt"], params: { "bdt.max_depth": "5" }, metrics: { "bdt/auc": 0.93, wall_ms: 1500 } });
  const c = writeFakeRun(store, { name: "20260103-100000-abababab", startedAt: "2026-01-03T10:00:00.000Z", analysis: "other", status: "failed" });
  return { dir, store, a, b, c };
}

describe("the run store", () => {
  it("lists newest first, with filters on analysis, model, status and metric conditions", () => {
    const { store, a, b, c } = analysisWithRuns();
    const s = loadStore(store);
    expect(s.runs.map((r) => r.record.id)).toEqual([c.id, b.id, a.id]);
    expect(filterRuns(s.runs, { where: "auc(bdt) > 0.9" }).map((r) => r.record.id)).toEqual([b.id]);
    expect(filterRuns(s.runs, { where: "auc(bdt) >= 0.85 and wall_ms < 1000" }).map((r) => r.record.id)).toEqual([a.id]);
    expect(filterRuns(s.runs, { where: "params.bdt.max_depth = 5" }).map((r) => r.record.id)).toEqual([b.id]);
    expect(filterRuns(s.runs, { analysis: "other" }).map((r) => r.record.id)).toEqual([c.id]);
    expect(filterRuns(s.runs, { status: "failed" }).map((r) => r.record.id)).toEqual([c.id]);
    expect(filterRuns(s.runs, { model: "bdt" }).map((r) => r.record.id)).toEqual([b.id, a.id]);
    expect(() => filterRuns(s.runs, { where: "auc(bdt) is big" })).toThrow(StoreError);
  });

  it("names runs by id, unique id prefix, directory name or tag, and refuses unknown and ambiguous names", () => {
    const { store, a } = analysisWithRuns();
    const s = loadStore(store);
    expect(resolveRun(s, a.id).record.id).toBe(a.id);
    expect(resolveRun(s, a.id.slice(0, 6)).record.id).toBe(a.id);
    expect(resolveRun(s, a.name).record.id).toBe(a.id);
    expect(() => resolveRun(s, "ffffffffff")).toThrow(/no run 'ffffffffff'/);
    // every directory name starts with 2026
    expect(() => resolveRun(s, "2026")).toThrow(/ambiguous.*20260103.*20260102.*20260101/);
  });

  it("reports a corrupted run directory and a newer run format, and still lists the others", async () => {
    const { dir, store, a, b, c } = analysisWithRuns();
    writeFileSync(path.join(store, a.name, "run.json"), "{ not json");
    mkdirSync(path.join(store, "20260104-100000-cdcdcdcd"));
    writeFileSync(path.join(store, "20260104-100000-cdcdcdcd", "run.json"), JSON.stringify({ format: "hepc-run/7" }));
    const s = loadStore(store);
    expect(s.runs.map((r) => r.record.id)).toEqual([c.id, b.id]);
    expect(s.problems.map((p) => [path.basename(p.dir), p.reason.split(" (")[0]])).toEqual([
      [a.name, "run.json is corrupted"],
      ["20260104-100000-cdcdcdcd", "written by a newer hepc"],
    ]);
    const text = await runCli(["runs"], dir);
    expect(text.code).toBe(0);
    expect(text.out).toContain(c.id.slice(0, 12));
    expect(text.err).toContain(`skipped ${path.join(".hepc", "runs", a.name)}: run.json is corrupted`);
    const json = await runCli(["runs", "--json"], dir);
    const doc = JSON.parse(json.out);
    expect(doc.runs.map((r: { id: string }) => r.id)).toEqual([c.id, b.id]);
    expect(doc.problems).toHaveLength(2);
  });

  it("refuses a store written by a newer hepc, saying so", async () => {
    const { dir, store } = analysisWithRuns();
    writeFileSync(path.join(store, "store.json"), JSON.stringify({ format: "hepc-runs/2" }));
    expect(() => loadStore(store)).toThrow(/newer hepc.*hepc-runs\/2.*upgrade/);
    const r = await runCli(["runs"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^hepc runs: .*written by a newer hepc/);
  });

  it("tags runs, filters by tag, and gc never removes a tagged run", async () => {
    const { dir, store, a, b, c } = analysisWithRuns();
    expect((await runCli(["runs", "tag", a.id.slice(0, 8), "paper-v1"], dir)).code).toBe(0);
    expect(loadStore(store).runs.find((r) => r.record.id === a.id)!.tags).toEqual(["paper-v1"]);
    const tagged = JSON.parse((await runCli(["runs", "--tag", "paper-v1", "--json"], dir)).out);
    expect(tagged.runs.map((r: { id: string }) => r.id)).toEqual([a.id]);
    // a tag names its run
    expect(resolveRun(loadStore(store), "paper-v1").record.id).toBe(a.id);
    const dry = JSON.parse((await runCli(["runs", "gc", "--keep", "0", "--dry-run", "--json"], dir)).out);
    expect(dry.removed.map((r: { id: string }) => r.id)).toEqual([c.id, b.id]);
    expect(readdirSync(store).filter((d) => d.startsWith("2026"))).toHaveLength(3);
    const real = gc(loadStore(store), 1);
    expect(real.removed.map((r) => r.record.id)).toEqual([b.id]);
    expect(existsSync(path.join(store, a.name))).toBe(true);
    expect(existsSync(path.join(store, b.name))).toBe(false);
    expect(loadStore(store).runs.map((r) => r.record.id)).toEqual([c.id, a.id]);
  });

  it("merges stores from several machines: the same run twice is one run, same-named different runs both stay", () => {
    const here = analysisWithRuns();
    const there = scratch();
    // the same run copied to the other machine (and tagged there), plus a run of its own whose
    // directory name clashes with one here
    cpSync(path.join(here.store, here.a.name), path.join(there, here.a.name), { recursive: true });
    writeFileSync(path.join(there, here.a.name, "tags.json"), JSON.stringify(["from-cluster"]));
    const own = writeFakeRun(there, { name: here.b.name, startedAt: "2026-01-02T10:00:00.000Z", host: "node77", metrics: { "bdt/auc": 0.91 } });
    expect(own.id).not.toBe(here.b.id);
    const r = mergeStores(here.store, [there]);
    expect(r.added.map((x) => x.id)).toEqual([own.id]);
    expect(r.already.map((x) => x.id)).toEqual([here.a.id]);
    const s = loadStore(here.store);
    expect(s.runs).toHaveLength(4);
    expect(new Set(s.runs.map((x) => x.record.id)).size).toBe(4);
    expect(s.runs.find((x) => x.record.id === here.a.id)!.tags).toEqual(["from-cluster"]);
    // merging again changes nothing
    const again = mergeStores(here.store, [there]);
    expect(again.added).toEqual([]);
    expect(loadStore(here.store).runs).toHaveLength(4);
  });

  it("prints listings as text, markdown and one JSON document", async () => {
    const { dir, a, b } = analysisWithRuns();
    const text = await runCli(["runs", "--where", "auc(bdt) > 0.8"], dir);
    expect(text.out.split("\n")[0]).toMatch(/^id\s+started\s+analysis\s+status\s+tags\s+metrics$/);
    expect(text.out).toContain(`${b.id.slice(0, 12)}  2026-01-02 10:00:00Z`);
    expect(text.out).toContain("auc(bdt)=0.9300");
    expect(text.out).toContain("2 runs of 3 in .hepc/runs");
    const md = await runCli(["runs", "--markdown"], dir);
    expect(md.out.split("\n").slice(0, 2)).toEqual(["| id | started | analysis | status | tags | metrics |", "| --- | --- | --- | --- | --- | --- |"]);
    const show = JSON.parse((await runCli(["runs", "show", a.id, "--json"], dir)).out);
    expect(show.id).toBe(a.id);
    expect(show.history).toEqual([{ key: "bdt/auc", value: 0.85, step: 0, timestamp: Date.parse(a.endedAt) }, { key: "wall_ms", value: 900, step: 0, timestamp: Date.parse(a.endedAt) }]);
    const unknown = await runCli(["runs", "show", "0123456789"], dir);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("no run '0123456789'");
  });

  it("compares params side by side and metrics with differences", async () => {
    const { dir, a, b } = analysisWithRuns();
    const doc = JSON.parse((await runCli(["runs", "compare", a.id, b.id, "--json"], dir)).out);
    expect(doc.params).toEqual([{ key: "bdt.max_depth", values: ["3", "5"], same: false }]);
    const auc = doc.metrics.find((m: { key: string }) => m.key === "bdt/auc");
    expect(auc.values).toEqual([0.85, 0.93]);
    expect(auc.diffs[1]).toBeCloseTo(0.08, 12);
    // fake runs have no stored source: the semantic diff says why it is missing
    expect(doc.analysisDiff).toBeNull();
    expect(doc.analysisDiffUnavailable).toMatch(/no stored source/);
  });
});
