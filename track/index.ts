/**
 * The run store. In: the run directories the executor writes in `.hepc/runs` (plan, inputs,
 * versions, summary, metrics, outputs), completed after each run by `recordRun` with a run record
 * (run.json: source, git state, host, checksums, params, metrics, status). Out: listing, filters,
 * comparison, tags, gc, merging of stores, reproduction checks, and MLflow's formats (the
 * file-store layout and the REST API).
 * Must not import the compiler, cli/ or lsp/ (the command line adds the semantic diff); reads
 * plans and the runtime's results only.
 */
export * from "./types.js";
export { recordRun, newRunDir, runDirsOf, paramsOf, evaluationMetrics, curveMetrics, runIdOf, type RecordOptions } from "./record.js";
export { loadStore, resolveRun, readRun, readHistory, readTags, writeTags, ensureStore, StoreError, STORE_FILE, STORE_FORMAT, type Store, type StoredRun, type StoreProblem } from "./store.js";
export { filterRuns, parseWhere, type RunFilter } from "./query.js";
export { compareRuns, type Comparison } from "./compare.js";
export { gc, gcPlan } from "./gc.js";
export { mergeStores, storeDirOf, type MergeResult } from "./merge.js";
export { exportFileStore, runFiles, type ExportResult } from "./mlflow/filestore.js";
export { sha256File, checksums } from "./checksums.js";
