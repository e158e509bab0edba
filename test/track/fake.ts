/** Run directories written the way recordRun writes them, with chosen contents, for store tests. */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { runIdOf } from "../../track/record.js";
import type { MetricPoint, RunRecord } from "../../track/types.js";

export interface FakeRun {
  name: string;
  startedAt: string;
  analysis?: string;
  status?: RunRecord["status"];
  params?: Record<string, string>;
  metrics?: Record<string, number>;
  models?: string[];
  history?: MetricPoint[];
  host?: string;
}

export function fakeRecord(f: FakeRun): RunRecord {
  const host = { hostname: f.host ?? "node01", platform: "linux", arch: "x64", cpus: 4, node: "v20" };
  const planHash = "ab".repeat(32);
  const rec: RunRecord = {
    format: "hepc-run/1",
    id: runIdOf({ planHash, startedAt: f.startedAt, host, name: f.name }, 1),
    name: f.name,
    analysis: f.analysis ?? "ana",
    source: { path: "analysis.hep", sha256: null },
    planHash,
    status: f.status ?? "ok",
    exitCode: f.status === "failed" ? 1 : 0,
    error: f.status === "failed" ? "it broke" : null,
    startedAt: f.startedAt,
    endedAt: new Date(Date.parse(f.startedAt) + 1000).toISOString(),
    wallMs: 1000,
    host,
    git: null,
    inputs: [],
    versions: { hepc: "0.1.0" },
    seed: 1,
    params: f.params ?? {},
    metrics: f.metrics ?? {},
    models: (f.models ?? []).map((m) => ({ model: m, kind: "gbdt", hash: "cd".repeat(32) })),
    stages: { readMs: 10 },
    peakRssBytes: 1 << 20,
    artifacts: ["summary.json"],
  };
  return rec;
}

export function writeFakeRun(store: string, f: FakeRun): RunRecord {
  const rec = fakeRecord(f);
  const dir = path.join(store, f.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "summary.json"), "{}\n");
  writeFileSync(path.join(dir, "run.json"), JSON.stringify(rec, null, 2));
  const history = f.history ?? Object.entries(rec.metrics).map(([key, value]) => ({ key, value, step: 0, timestamp: Date.parse(rec.endedAt) }));
  writeFileSync(path.join(dir, "metrics.jsonl"), history.map((m) => JSON.stringify(m)).join("\n") + "\n");
  return rec;
}
