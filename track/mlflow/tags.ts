/** The tags hepc gives a run in MLflow: MLflow's own (mlflow.*) where one exists, hepc.* for the rest. */
import type { StoredRun } from "../store.js";
import { safeKey } from "./names.js";

export function mlflowTags(run: StoredRun): Record<string, string> {
  const r = run.record;
  const tags: Record<string, string> = {
    "mlflow.runName": r.name,
    "mlflow.source.name": r.source.path,
    "mlflow.source.type": "LOCAL",
    "mlflow.user": process.env.USER ?? "",
    "hepc.run_id": r.id,
    "hepc.plan_hash": r.planHash,
    "hepc.analysis": r.analysis,
    "hepc.status": r.status,
    "hepc.host": r.host.hostname,
    "hepc.exit_code": String(r.exitCode),
    "hepc.peak_rss_bytes": String(r.peakRssBytes),
  };
  if (r.git) {
    tags["mlflow.source.git.commit"] = r.git.commit;
    if (r.git.branch) tags["mlflow.source.git.branch"] = r.git.branch;
    tags["hepc.git.dirty"] = String(r.git.dirty);
  }
  if (r.error) tags["hepc.error"] = r.error;
  if (r.reproduces) tags["hepc.reproduces"] = r.reproduces;
  for (const v of Object.keys(r.versions)) tags[`hepc.version.${safeKey(v)}`] = r.versions[v];
  for (const t of run.tags) tags[`hepc.tag.${safeKey(t)}`] = "true";
  return tags;
}
