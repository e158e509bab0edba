/**
 * MLflow's FileStore as it reads a folder (mlflow/store/tracking/file_store.py, read for these
 * facts, and the validation rules of mlflow/utils/validation.py), written again here so the test
 * does not trust the exporter: every problem a FileStore would raise on, or silently skip, is
 * returned as a message.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import YAML from "yaml";

const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;
const EXPERIMENT_ID = /^[a-zA-Z0-9][\w-]{0,63}$/;
const KEY = /^[/\w.\- :]*$/;
// Experiment.from_dictionary and RunInfo (plus what _make_persisted_run_info_dict and create_run add)
const EXPERIMENT_FIELDS = ["artifact_location", "creation_time", "experiment_id", "last_update_time", "lifecycle_stage", "name"];
const RUN_FIELDS = ["artifact_uri", "deleted_time", "end_time", "entry_point_name", "experiment_id", "lifecycle_stage", "run_id", "run_name", "run_uuid", "source_name", "source_type", "source_version", "start_time", "status", "tags", "user_id"];
const RESERVED = new Set(["tags", "datasets", "traces"]);

export interface ReadRun {
  experimentId: string;
  runId: string;
  meta: Record<string, unknown>;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** key → [timestamp, value, step] per line, as FileStore parses them */
  metrics: Record<string, Array<[number, number, number]>>;
}

function files(dir: string, base = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name), `${base}${e.name}/`) : [`${base}${e.name}`]));
}

function validKey(k: string): boolean {
  return KEY.test(k) && !k.split("/").includes("..") && !k.startsWith("/") && k.length <= 250;
}

export function readFileStore(root: string): { problems: string[]; experiments: Array<{ id: string; name: string }>; runs: ReadRun[] } {
  const problems: string[] = [];
  const experiments: Array<{ id: string; name: string }> = [];
  const runs: ReadRun[] = [];
  if (!existsSync(path.join(root, ".trash"))) problems.push("no .trash folder");
  if (!existsSync(path.join(root, "0", "meta.yaml"))) problems.push("no Default experiment 0");
  for (const exp of readdirSync(root)) {
    if (exp === ".trash" || exp === "models" || !statSync(path.join(root, exp)).isDirectory()) continue;
    if (exp.startsWith(".")) {
      problems.push(`${exp}: a leftover temporary folder`);
      continue;
    }
    const meta = YAML.parse(readFileSync(path.join(root, exp, "meta.yaml"), "utf8")) as Record<string, unknown>;
    const keys = Object.keys(meta).sort();
    if (keys.join() !== EXPERIMENT_FIELDS.join()) problems.push(`${exp}/meta.yaml: fields ${keys.join(",")}`);
    if (typeof meta.experiment_id !== "string" || meta.experiment_id !== exp || !EXPERIMENT_ID.test(exp)) problems.push(`${exp}/meta.yaml: experiment_id ${JSON.stringify(meta.experiment_id)}`);
    if (typeof meta.name !== "string" || !meta.name) problems.push(`${exp}/meta.yaml: name`);
    if (meta.lifecycle_stage !== "active") problems.push(`${exp}/meta.yaml: lifecycle_stage`);
    for (const t of ["creation_time", "last_update_time"]) if (!Number.isInteger(meta[t])) problems.push(`${exp}/meta.yaml: ${t} not an integer`);
    if (typeof meta.artifact_location !== "string" || !meta.artifact_location.startsWith("file://")) problems.push(`${exp}/meta.yaml: artifact_location`);
    experiments.push({ id: exp, name: String(meta.name) });
    for (const run of readdirSync(path.join(root, exp))) {
      const dir = path.join(root, exp, run);
      if (RESERVED.has(run) || !statSync(dir).isDirectory()) continue;
      if (run.startsWith(".")) {
        problems.push(`${exp}/${run}: a leftover temporary folder`);
        continue;
      }
      const m = YAML.parse(readFileSync(path.join(dir, "meta.yaml"), "utf8")) as Record<string, unknown>;
      const where = `${exp}/${run}/meta.yaml`;
      const rk = Object.keys(m).sort();
      if (rk.join() !== RUN_FIELDS.join()) problems.push(`${where}: fields ${rk.join(",")}`);
      if (!RUN_ID.test(run) || m.run_id !== run || m.run_uuid !== run) problems.push(`${where}: run id`);
      if (m.experiment_id !== exp) problems.push(`${where}: experiment_id ${JSON.stringify(m.experiment_id)} (FileStore ignores the run)`);
      if (![1, 2, 3, 4, 5].includes(m.status as number)) problems.push(`${where}: status ${JSON.stringify(m.status)}`);
      if (!Number.isInteger(m.start_time) || !(m.end_time === null || Number.isInteger(m.end_time))) problems.push(`${where}: times`);
      if (m.lifecycle_stage !== "active" || m.source_type !== 4 || !Array.isArray(m.tags) || (m.tags as unknown[]).length) problems.push(`${where}: persisted constants`);
      if (typeof m.artifact_uri !== "string" || !m.artifact_uri.startsWith("file://") || !existsSync(new URL(m.artifact_uri))) problems.push(`${where}: artifact_uri`);
      const r: ReadRun = { experimentId: exp, runId: run, meta: m, params: {}, tags: {}, metrics: {} };
      for (const k of files(path.join(dir, "params"))) {
        if (!validKey(k)) problems.push(`${exp}/${run}: param name ${k}`);
        r.params[k] = readFileSync(path.join(dir, "params", k), "utf8");
      }
      for (const k of files(path.join(dir, "tags"))) {
        if (!validKey(k)) problems.push(`${exp}/${run}: tag name ${k}`);
        r.tags[k] = readFileSync(path.join(dir, "tags", k), "utf8");
      }
      for (const k of files(path.join(dir, "metrics"))) {
        if (!validKey(k)) problems.push(`${exp}/${run}: metric name ${k}`);
        const lines = readFileSync(path.join(dir, "metrics", k), "utf8").split("\n").filter((l) => l.length);
        if (!lines.length) problems.push(`${exp}/${run}: metric ${k} has no data`);
        r.metrics[k] = lines.map((l) => {
          const parts = l.trim().split(" ");
          // int(ts), float(value), int(step), as _get_metric_from_line parses them
          if (parts.length !== 3 || !/^-?\d+$/.test(parts[0]) || !/^-?\d+$/.test(parts[2]) || !/^(-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|NaN|-?Infinity)$/.test(parts[1])) {
            problems.push(`${exp}/${run}: metric ${k}: line '${l}'`);
          }
          return [Number(parts[0]), Number(parts[1]), Number(parts[2])] as [number, number, number];
        });
      }
      runs.push(r);
    }
  }
  return { problems, experiments, runs };
}
