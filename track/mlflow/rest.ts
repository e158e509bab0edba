/**
 * Logging runs to an MLflow tracking server through its REST API (the messages of MLflow's
 * mlflow/protos/service.proto, JSON over HTTP under /api/2.0/mlflow/): the experiment by name
 * (created when missing), the run (createRun with its tags, logBatch for params, metrics with
 * steps and tags, in chunks within the server's limits, updateRun with the final status), and
 * the artefacts through the server's artefact proxy (mlflow-artifacts) when the run's artefact
 * URI points there. A run is pushed once: the server's run id is kept in the run directory's
 * mlflow.json per server, and a run already on the server (tag hepc.run_id) is not created again.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { readHistory, type StoredRun } from "../store.js";
import { PUSHED_FILE } from "../types.js";
import { RUN_STATUS, safeKey } from "./names.js";
import { mlflowTags } from "./tags.js";

/** The server could not be reached (or answered with a server error): worth retrying later. */
export class MlflowUnreachable extends Error {}
/** The server refused a request (4xx): retrying the same request will not help. */
export class MlflowRefused extends Error {}

// LogBatch limits as MLflow's validation states them.
const MAX_METRICS = 1000;
const MAX_PARAMS = 100;
const MAX_TAGS = 100;
const MAX_ENTITIES = 1000;

export interface PushResult {
  id: string;
  serverRunId: string;
  status: "pushed" | "already";
  artifacts: number;
  /** Why artefacts were not sent, when they were not. */
  artifactsSkipped?: string;
}

function base(uri: string): string {
  return uri.replace(/\/+$/, "");
}

async function call(uri: string, method: "GET" | "POST" | "PUT", api: string, body?: unknown, raw?: Uint8Array): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(`${base(uri)}${api}`, {
      method,
      headers: raw ? { "Content-Type": "application/octet-stream" } : body === undefined ? {} : { "Content-Type": "application/json" },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new MlflowUnreachable(`${base(uri)} is not reachable (${cause?.code ?? cause?.message ?? (e as Error).message})`);
  }
  const text = await res.text();
  let doc: Record<string, unknown> = {};
  try {
    doc = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    doc = { message: text.slice(0, 200) };
  }
  if (res.status >= 500) throw new MlflowUnreachable(`${base(uri)}${api} answered ${res.status}: ${String(doc.message ?? "")}`);
  if (res.status >= 400) {
    const err = new MlflowRefused(`${base(uri)}${api} refused the request (${res.status} ${String(doc.error_code ?? "")}): ${String(doc.message ?? "")}`);
    (err as MlflowRefused & { code?: unknown }).code = doc.error_code;
    throw err;
  }
  return doc;
}

const API = "/api/2.0/mlflow";

async function experimentId(uri: string, name: string): Promise<string> {
  try {
    const got = await call(uri, "GET", `${API}/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
    return String((got.experiment as { experiment_id: string }).experiment_id);
  } catch (e) {
    if (!(e instanceof MlflowRefused) || (e as { code?: unknown }).code !== "RESOURCE_DOES_NOT_EXIST") throw e;
  }
  const made = await call(uri, "POST", `${API}/experiments/create`, { name });
  return String(made.experiment_id);
}

function pushedTo(run: StoredRun): Record<string, string> {
  try {
    return JSON.parse(readFileSync(path.join(run.dir, PUSHED_FILE), "utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}

function rememberPush(run: StoredRun, uri: string, serverRunId: string): void {
  const all = { ...pushedTo(run), [base(uri)]: serverRunId };
  const tmp = path.join(run.dir, `${PUSHED_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(all, null, 2) + "\n");
  renameSync(tmp, path.join(run.dir, PUSHED_FILE));
}

export function isPushed(run: StoredRun, uri: string): boolean {
  return base(uri) in pushedTo(run);
}

/** Splits params, metrics and tags into logBatch requests within the server's limits. */
export function batches(params: Array<{ key: string; value: string }>, metrics: Array<{ key: string; value: number; timestamp: number; step: number }>, tags: Array<{ key: string; value: string }>) {
  const out: Array<{ params: typeof params; metrics: typeof metrics; tags: typeof tags }> = [];
  let p = 0, m = 0, t = 0;
  while (p < params.length || m < metrics.length || t < tags.length) {
    const bp = params.slice(p, p + MAX_PARAMS);
    const bt = tags.slice(t, t + Math.min(MAX_TAGS, MAX_ENTITIES - bp.length));
    const bm = metrics.slice(m, m + Math.min(MAX_METRICS, MAX_ENTITIES - bp.length - bt.length));
    p += bp.length;
    t += bt.length;
    m += bm.length;
    out.push({ params: bp, metrics: bm, tags: bt });
  }
  return out;
}

export async function pushRun(uri: string, run: StoredRun, experimentName?: string): Promise<PushResult> {
  const r = run.record;
  const known = pushedTo(run)[base(uri)];
  if (known) return { id: r.id, serverRunId: known, status: "already", artifacts: 0 };
  const exp = await experimentId(uri, experimentName ?? r.analysis);
  // pushed before from another copy of the store (a merge): the server has it, tagged with our id
  const found = await call(uri, "POST", `${API}/runs/search`, { experiment_ids: [exp], filter: `tags.\`hepc.run_id\` = '${r.id}'`, max_results: 1 });
  const existing = (found.runs as Array<{ info: { run_id: string } }> | undefined)?.[0];
  if (existing) {
    rememberPush(run, uri, existing.info.run_id);
    return { id: r.id, serverRunId: existing.info.run_id, status: "already", artifacts: 0 };
  }
  const tags = Object.entries(mlflowTags(run)).map(([key, value]) => ({ key, value }));
  const created = await call(uri, "POST", `${API}/runs/create`, {
    experiment_id: exp,
    user_id: process.env.USER ?? "",
    run_name: r.name,
    start_time: Date.parse(r.startedAt),
    tags: tags.filter((t) => t.key === "mlflow.runName" || t.key === "hepc.run_id"),
  });
  const info = (created.run as { info: { run_id: string; artifact_uri?: string } }).info;
  const serverRunId = info.run_id;
  const params = Object.entries(r.params).map(([key, value]) => ({ key: safeKey(key), value }));
  const metrics = readHistory(run).map((m) => ({ key: safeKey(m.key), value: m.value, timestamp: Math.round(m.timestamp), step: m.step }));
  for (const b of batches(params, metrics, tags)) await call(uri, "POST", `${API}/runs/log-batch`, { run_id: serverRunId, ...b });
  let artifacts = 0;
  let artifactsSkipped: string | undefined;
  const au = info.artifact_uri ?? "";
  if (au.startsWith("mlflow-artifacts:")) {
    // mlflow-artifacts:/EXP/RUN/artifacts (or with a host): the path after the scheme and host
    const rel = au.replace(/^mlflow-artifacts:(\/\/[^/]*)?\/?/, "");
    for (const a of r.artifacts) {
      const file = path.join(run.dir, a);
      if (!existsSync(file)) continue;
      const url = `/api/2.0/mlflow-artifacts/artifacts/${[...rel.split("/"), ...a.split("/")].filter(Boolean).map(encodeURIComponent).join("/")}`;
      await call(uri, "PUT", url, undefined, readFileSync(file));
      artifacts++;
    }
  } else {
    artifactsSkipped = `the server keeps artefacts at ${au || "an unknown place"}, not behind its artefact proxy (start it with --serve-artifacts); they stay in the run directory`;
  }
  await call(uri, "POST", `${API}/runs/update`, { run_id: serverRunId, status: RUN_STATUS[r.status].name, end_time: Date.parse(r.endedAt), run_name: r.name });
  rememberPush(run, uri, serverRunId);
  return { id: r.id, serverRunId, status: "pushed", artifacts, ...(artifactsSkipped ? { artifactsSkipped } : {}) };
}
