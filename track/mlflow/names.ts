/**
 * What MLflow accepts, as its tracking store validates it (mlflow/utils/validation.py): run ids
 * and experiment ids are word characters and dashes starting with a letter or digit; metric,
 * param and tag keys are letters, digits, `_ - . / :` and spaces, without `..` path steps.
 * hepc's own keys keep to these; a key that does not is spelled with `_` in its place.
 */
export const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;
export const EXPERIMENT_ID = /^[a-zA-Z0-9][\w-]{0,63}$/;
export const KEY = /^[/\w.\- :]*$/;

export function safeKey(key: string): string {
  const k = key.replace(/[^/\w.\- :]/g, "_").replace(/\.\.+/g, "_").replace(/^\/+|\/+$/g, "");
  return k || "_";
}

/** MLflow's RunStatus numbers (as FileStore keeps them in meta.yaml) and names (as REST sends them). */
export const RUN_STATUS = { ok: { code: 3, name: "FINISHED" }, failed: { code: 4, name: "FAILED" }, interrupted: { code: 5, name: "KILLED" } } as const;

/** The experiment of an analysis: MLflow ids are strings of digits; hepc's is derived from the name. */
export function experimentIdOf(analysis: string): string {
  let h = 0n;
  for (const b of Buffer.from(analysis, "utf8")) h = (h * 131n + BigInt(b)) % 900_000_000_000_000_000n;
  return String(h + 100_000_000_000_000_000n);
}
