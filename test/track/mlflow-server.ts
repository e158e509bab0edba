/**
 * A stand-in MLflow tracking server on 127.0.0.1 for the tests: it checks every request against
 * the REST API as MLflow's protos define it (mlflow/protos/service.proto: the endpoint paths and
 * methods, each message's field names and types, LogBatch's limits; mlflow_artifacts.proto's
 * upload), answers as the server does, and keeps what it was sent. Violations are collected,
 * never thrown, so a test sees all of them.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

type Kind = "string" | "int64" | "int32" | "double" | "enum" | { repeated: Record<string, Kind> } | "repeated string";

const RUN_TAG = { key: "string", value: "string" } as const;
const METRIC = { key: "string", value: "double", timestamp: "int64", step: "int64", dataset_name: "string", dataset_digest: "string", model_id: "string", run_id: "string" } as const;
const PARAM = { key: "string", value: "string" } as const;
const RUN_STATUS = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"];

interface Endpoint {
  method: string;
  message: string;
  fields: Record<string, Kind>;
  required: string[];
}

const ENDPOINTS: Record<string, Endpoint> = {
  "/api/2.0/mlflow/experiments/get-by-name": { method: "GET", message: "GetExperimentByName", fields: { experiment_name: "string" }, required: ["experiment_name"] },
  "/api/2.0/mlflow/experiments/create": { method: "POST", message: "CreateExperiment", fields: { name: "string", artifact_location: "string", tags: { repeated: RUN_TAG } }, required: ["name"] },
  "/api/2.0/mlflow/runs/search": { method: "POST", message: "SearchRuns", fields: { experiment_ids: "repeated string", filter: "string", run_view_type: "enum", max_results: "int32", order_by: "repeated string", page_token: "string" }, required: [] },
  "/api/2.0/mlflow/runs/create": { method: "POST", message: "CreateRun", fields: { experiment_id: "string", user_id: "string", start_time: "int64", tags: { repeated: RUN_TAG }, run_name: "string" }, required: ["experiment_id"] },
  "/api/2.0/mlflow/runs/log-batch": { method: "POST", message: "LogBatch", fields: { run_id: "string", metrics: { repeated: METRIC }, params: { repeated: PARAM }, tags: { repeated: RUN_TAG } }, required: ["run_id"] },
  "/api/2.0/mlflow/runs/update": { method: "POST", message: "UpdateRun", fields: { run_id: "string", run_uuid: "string", status: "enum", end_time: "int64", run_name: "string" }, required: ["run_id"] },
};

export interface Request {
  method: string;
  path: string;
  message: string;
  body: Record<string, unknown>;
  bytes?: number;
}

export interface FakeMlflow {
  uri: string;
  requests: Request[];
  violations: string[];
  runs: Map<string, { experimentId: string; name: string; status: string; endTime?: number; params: Map<string, string>; tags: Map<string, string>; metrics: Array<{ key: string; value: number; timestamp: number; step: number }>; artifacts: Map<string, number> }>;
  experiments: Map<string, string>;
  close(): Promise<void>;
}

function checkFields(where: string, value: unknown, fields: Record<string, Kind>, violations: string[]): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    violations.push(`${where}: not a message`);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    const kind = fields[k];
    if (!kind) {
      violations.push(`${where}: no field '${k}'`);
      continue;
    }
    const at = `${where}.${k}`;
    if (kind === "string" && typeof v !== "string") violations.push(`${at}: not a string`);
    if ((kind === "int64" || kind === "int32") && !(Number.isInteger(v) || (kind === "int64" && typeof v === "string" && /^-?\d+$/.test(v)))) violations.push(`${at}: not an integer`);
    if (kind === "double" && typeof v !== "number") violations.push(`${at}: not a number`);
    if (kind === "repeated string" && !(Array.isArray(v) && v.every((x) => typeof x === "string"))) violations.push(`${at}: not a list of strings`);
    if (typeof kind === "object") {
      if (!Array.isArray(v)) violations.push(`${at}: not a list`);
      else v.forEach((x, i) => checkFields(`${at}[${i}]`, x, kind.repeated, violations));
    }
  }
}

const KEY = /^[/\w.\- :]*$/;

export async function startFakeMlflow(opts: { artifactProxy?: boolean } = {}): Promise<FakeMlflow> {
  const requests: Request[] = [];
  const violations: string[] = [];
  const experiments = new Map<string, string>([["Default", "0"]]);
  const runs: FakeMlflow["runs"] = new Map();
  let next = 1;
  const read = (req: IncomingMessage) => new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
  });
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const raw = await read(req);
    const send = (status: number, doc: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(doc));
    };
    if (url.pathname.startsWith("/api/2.0/mlflow-artifacts/artifacts/")) {
      requests.push({ method: req.method!, path: url.pathname, message: "UploadArtifact", body: {}, bytes: raw.length });
      if (req.method !== "PUT") violations.push(`UploadArtifact: method ${req.method}`);
      const rest = decodeURIComponent(url.pathname.slice("/api/2.0/mlflow-artifacts/artifacts/".length));
      const [exp, runId, artifacts, ...file] = rest.split("/");
      const run = runs.get(runId);
      if (!run || run.experimentId !== exp || artifacts !== "artifacts" || !file.length) violations.push(`UploadArtifact: path ${rest}`);
      else run.artifacts.set(file.join("/"), raw.length);
      return send(200, {});
    }
    const ep = ENDPOINTS[url.pathname];
    if (!ep) {
      violations.push(`${req.method} ${url.pathname}: no such endpoint`);
      return send(404, { error_code: "ENDPOINT_NOT_FOUND", message: "no such endpoint" });
    }
    if (req.method !== ep.method) violations.push(`${ep.message}: method ${req.method}, not ${ep.method}`);
    let body: Record<string, unknown> = {};
    if (ep.method === "GET") body = Object.fromEntries(url.searchParams);
    else {
      if (req.headers["content-type"] !== "application/json") violations.push(`${ep.message}: content type ${req.headers["content-type"]}`);
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        violations.push(`${ep.message}: body not JSON`);
      }
    }
    requests.push({ method: req.method!, path: url.pathname, message: ep.message, body });
    checkFields(ep.message, body, ep.fields, violations);
    for (const r of ep.required) if (body[r] === undefined) violations.push(`${ep.message}: missing ${r}`);
    switch (ep.message) {
      case "GetExperimentByName": {
        const id = experiments.get(String(body.experiment_name));
        return id ? send(200, { experiment: { experiment_id: id, name: body.experiment_name, lifecycle_stage: "active" } }) : send(404, { error_code: "RESOURCE_DOES_NOT_EXIST", message: `Could not find experiment with name '${body.experiment_name}'` });
      }
      case "CreateExperiment": {
        const id = String(100 + next++);
        experiments.set(String(body.name), id);
        return send(200, { experiment_id: id });
      }
      case "SearchRuns": {
        const m = /^tags\.`hepc\.run_id` = '([0-9a-f]+)'$/.exec(String(body.filter ?? ""));
        const ids = body.experiment_ids as string[];
        const hits = [...runs.entries()].filter(([, r]) => ids.includes(r.experimentId) && (!m || r.tags.get("hepc.run_id") === m[1]));
        return send(200, { runs: hits.slice(0, Number(body.max_results ?? 1000)).map(([id, r]) => ({ info: { run_id: id, run_uuid: id, experiment_id: r.experimentId } })) });
      }
      case "CreateRun": {
        const id = `${(next++).toString(16).padStart(32, "0")}`;
        const tags = new Map(((body.tags as Array<{ key: string; value: string }>) ?? []).map((t) => [t.key, t.value]));
        runs.set(id, { experimentId: String(body.experiment_id), name: String(body.run_name ?? ""), status: "RUNNING", params: new Map(), tags, metrics: [], artifacts: new Map() });
        const artifactUri = opts.artifactProxy === false ? `s3://bucket/${body.experiment_id}/${id}/artifacts` : `mlflow-artifacts:/${body.experiment_id}/${id}/artifacts`;
        return send(200, { run: { info: { run_id: id, run_uuid: id, experiment_id: body.experiment_id, run_name: body.run_name, status: "RUNNING", start_time: body.start_time, artifact_uri: artifactUri, lifecycle_stage: "active" }, data: {} } });
      }
      case "LogBatch": {
        const run = runs.get(String(body.run_id));
        if (!run) return send(404, { error_code: "RESOURCE_DOES_NOT_EXIST", message: "no run" });
        const metrics = (body.metrics as FakeMlflow["runs"] extends Map<string, infer R> ? R extends { metrics: infer M } ? M : never : never) ?? [];
        const params = (body.params as Array<{ key: string; value: string }>) ?? [];
        const tags = (body.tags as Array<{ key: string; value: string }>) ?? [];
        if (metrics.length > 1000 || params.length > 100 || tags.length > 100 || metrics.length + params.length + tags.length > 1000) violations.push(`LogBatch: over the limits (${metrics.length} metrics, ${params.length} params, ${tags.length} tags)`);
        for (const x of [...metrics, ...params, ...tags]) if (!KEY.test(x.key)) violations.push(`LogBatch: key '${x.key}'`);
        for (const p of params) {
          if (run.params.has(p.key) && run.params.get(p.key) !== p.value) violations.push(`LogBatch: param ${p.key} changed`);
          run.params.set(p.key, p.value);
        }
        for (const t of tags) run.tags.set(t.key, t.value);
        run.metrics.push(...metrics);
        return send(200, {});
      }
      case "UpdateRun": {
        const run = runs.get(String(body.run_id));
        if (!run) return send(404, { error_code: "RESOURCE_DOES_NOT_EXIST", message: "no run" });
        if (body.status !== undefined && !RUN_STATUS.includes(String(body.status))) violations.push(`UpdateRun: status ${body.status}`);
        run.status = String(body.status);
        run.endTime = Number(body.end_time);
        return send(200, { run_info: { run_id: body.run_id, status: body.status } });
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    uri: `http://127.0.0.1:${port}`,
    requests,
    violations,
    runs,
    experiments,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
