/**
 * `hepc runs push` and `hepc run` with MLFLOW_TRACKING_URI against a stand-in MLflow server on
 * 127.0.0.1 that checks every request against MLflow's REST API definitions.
 */
import { createServer } from "node:net";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyExample } from "../helpers/examples.js";
import { runCli } from "../helpers/cli-io.js";
import { batches } from "../../track/mlflow/rest.js";
import { loadStore } from "../../track/index.js";
import { startFakeMlflow, type FakeMlflow } from "./mlflow-server.js";
import { writeFakeRun } from "./fake.js";

const servers: FakeMlflow[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
  delete process.env.MLFLOW_TRACKING_URI;
});

async function server(opts = {}) {
  const s = await startFakeMlflow(opts);
  servers.push(s);
  return s;
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function deadUri(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

function storeWithRuns() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "hepc-push-"));
  const store = path.join(dir, ".hepc", "runs");
  const history = Array.from({ length: 1500 }, (_, i) => ({ key: "bdt/fold0/loss_train", value: 1 / (i + 1), step: i, timestamp: 1767261600000 }));
  const a = writeFakeRun(store, { name: "20260101-100000-abababab", startedAt: "2026-01-01T10:00:00.000Z", params: Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`bdt.opt${i}`, String(i)])), metrics: { "bdt/auc": 0.9 }, history: [...history, { key: "bdt/auc", value: 0.9, step: 0, timestamp: 1767261601000 }] });
  const b = writeFakeRun(store, { name: "20260102-100000-abababab", startedAt: "2026-01-02T10:00:00.000Z", status: "failed" });
  writeFileSync(path.join(store, a.name, "summary.json"), JSON.stringify({ hello: "artefact" }));
  return { dir, store, a, b };
}

describe("hepc runs push", () => {
  it("logs each run once through MLflow's REST API, every request as the protos define it", async () => {
    const s = await server();
    const { dir, a, b } = storeWithRuns();
    const r = await runCli(["runs", "push", s.uri, "--json"], dir);
    expect(r.code, r.err).toBe(0);
    expect(s.violations).toEqual([]);
    const doc = JSON.parse(r.out);
    expect(doc.pushed).toBe(2);
    // the experiment was looked up, created once, then found
    expect(s.requests.filter((q) => q.message === "CreateExperiment").map((q) => q.body)).toEqual([{ name: "ana" }]);
    expect(s.requests.map((q) => q.message).filter((m) => m !== "LogBatch")).toEqual([
      "GetExperimentByName", "CreateExperiment", "SearchRuns", "CreateRun", "UploadArtifact", "UpdateRun",
      "GetExperimentByName", "SearchRuns", "CreateRun", "UploadArtifact", "UpdateRun",
    ]);
    const [ra, rb] = [...s.runs.values()];
    expect(ra.tags.get("hepc.run_id")).toBe(a.id);
    expect(ra.tags.get("mlflow.runName")).toBe(a.name);
    expect(ra.params.size).toBe(130);
    expect(ra.params.get("bdt.opt7")).toBe("7");
    // 1501 metric values, 130 params and the tags, spread over batches within LogBatch's limits
    expect(ra.metrics).toHaveLength(1501);
    expect(ra.metrics.filter((m) => m.key === "bdt/fold0/loss_train").map((m) => m.step)).toEqual(Array.from({ length: 1500 }, (_, i) => i));
    expect(s.requests.filter((q) => q.message === "LogBatch").length).toBeGreaterThanOrEqual(3);
    expect(ra.status).toBe("FINISHED");
    expect(rb.status).toBe("FAILED");
    expect(ra.endTime).toBe(Date.parse(a.endedAt));
    expect([...ra.artifacts.keys()]).toEqual(["summary.json"]);
    expect(ra.artifacts.get("summary.json")).toBe(JSON.stringify({ hello: "artefact" }).length);
    expect(b.id).toBe(rb.tags.get("hepc.run_id"));

    // again: nothing is created twice
    const before = s.requests.length;
    const again = JSON.parse((await runCli(["runs", "push", s.uri, "--json"], dir)).out);
    expect(again.pushed).toBe(0);
    expect(again.already).toBe(2);
    expect(s.requests.length).toBe(before);
    expect(s.runs.size).toBe(2);
  });

  it("does not duplicate a run pushed from another copy of the store (found by its hepc.run_id tag)", async () => {
    const s = await server();
    const one = storeWithRuns();
    expect((await runCli(["runs", "push", s.uri], one.dir)).code).toBe(0);
    // a copy made before the push knows nothing of it
    const two = storeWithRuns();
    const r = JSON.parse((await runCli(["runs", "push", s.uri, "--json"], two.dir)).out);
    expect(r.already).toBe(2);
    expect(s.runs.size).toBe(2);
    expect(s.violations).toEqual([]);
  });

  it("says so when the server is out of reach, keeps the runs, and sends them later", async () => {
    const { dir } = storeWithRuns();
    const dead = await deadUri();
    const r = await runCli(["runs", "push", dead], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`${dead.replace(/[.:/]/g, "\\$&")} is not reachable \\(ECONNREFUSED\\).*the runs stay in the store and \`hepc runs push\` sends the rest later`));
    expect(loadStore(path.join(dir, ".hepc", "runs")).runs).toHaveLength(2);
    const s = await server();
    const later = JSON.parse((await runCli(["runs", "push", s.uri, "--json"], dir)).out);
    expect(later.pushed).toBe(2);
    expect(s.violations).toEqual([]);
  });

  it("keeps artefacts in the run directory when the server has no artefact proxy, and says so", async () => {
    const s = await server({ artifactProxy: false });
    const { dir } = storeWithRuns();
    const r = await runCli(["runs", "push", s.uri], dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain("artefacts not sent: the server keeps artefacts at s3://");
    expect(s.requests.some((q) => q.message === "UploadArtifact")).toBe(false);
  });

  it("splits logBatch requests within MLflow's limits", () => {
    const params = Array.from({ length: 250 }, (_, i) => ({ key: `p${i}`, value: "1" }));
    const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: "m", value: i, timestamp: 0, step: i }));
    const tags = Array.from({ length: 120 }, (_, i) => ({ key: `t${i}`, value: "x" }));
    const b = batches(params, metrics, tags);
    for (const x of b) {
      expect(x.params.length).toBeLessThanOrEqual(100);
      expect(x.tags.length).toBeLessThanOrEqual(100);
      expect(x.metrics.length).toBeLessThanOrEqual(1000);
      expect(x.params.length + x.tags.length + x.metrics.length).toBeLessThanOrEqual(1000);
    }
    expect(b.flatMap((x) => x.metrics).map((m) => m.step)).toEqual(metrics.map((m) => m.step));
    expect(b.flatMap((x) => x.params)).toEqual(params);
    expect(b.flatMap((x) => x.tags)).toEqual(tags);
  });
});

describe("hepc run with MLFLOW_TRACKING_URI", () => {
  it("logs the run to the server, and when the server is out of reach still succeeds, stores the run and says how to send it", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "hepc-run-push-"));
    const dir = copyExample(root, "zmumu");
    process.env.MLFLOW_TRACKING_URI = await deadUri();
    const r = await runCli(["run", "analysis.hep", "--quiet"], dir);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/the run is stored in \.hepc\/runs\/[^ ]+ but was not logged to MLflow: .*not reachable.*`hepc runs push http:\/\/127\.0\.0\.1:\d+` sends it later/);
    const [run] = loadStore(path.join(dir, ".hepc", "runs")).runs;
    expect(run.record.status).toBe("ok");
    const s = await server();
    process.env.MLFLOW_TRACKING_URI = s.uri;
    expect((await runCli(["run", "analysis.hep", "--quiet"], dir)).code).toBe(0);
    expect(s.violations).toEqual([]);
    expect(s.runs.size).toBe(1);
    const [pushed] = [...s.runs.values()];
    const newest = loadStore(path.join(dir, ".hepc", "runs")).runs[0];
    expect(pushed.tags.get("hepc.run_id")).toBe(newest.record.id);
    expect(JSON.parse(readFileSync(path.join(newest.dir, "mlflow.json"), "utf8"))).toEqual({ [s.uri]: [...s.runs.keys()][0] });
    // the earlier run goes with the next push
    const later = JSON.parse((await runCli(["runs", "push", s.uri, "--json"], dir)).out);
    expect(later.pushed).toBe(1);
    expect(later.already).toBe(1);
  }, 120_000);
});
