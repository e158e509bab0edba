/**
 * `output dataset "….arrow"`: every row of a train block's region (test part included) as an Arrow
 * IPC file, which pandas (`pyarrow.ipc.open_file(...).read_pandas()`) and polars (`read_ipc`) open.
 * Columns: each feature by name, unscaled (float64, NaN where missing), then
 *   label (int32, the class index), class (string), weight (float64, the training weight),
 *   fold (int32, -1 without folds), sample (string), entry (int64), test (bool), validation (bool).
 * apache-arrow is imported here only, and lazily, so that commands that never write a dataset do
 * not load it.
 */
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import type { DatasetRows } from "./prepare.js";
import { Problems, type Reported } from "./problems.js";

export const DATASET_COLUMNS = ["label", "class", "weight", "fold", "sample", "entry", "test", "validation"] as const;

/** The dataset as Arrow IPC file bytes. */
export async function datasetBytes(d: DatasetRows): Promise<Reported<Uint8Array>> {
  const problems = new Problems();
  const clash = d.featureNames.filter((n) => (DATASET_COLUMNS as readonly string[]).includes(n));
  for (const n of clash) problems.add("HEP6018", { detail: `feature '${n}' has the name of a column the dataset writes itself (${DATASET_COLUMNS.join(", ")}); rename it with \`as\`` });
  if (problems.hasErrors) return { value: null, problems: problems.list };

  const A = await import("apache-arrow");
  // Dictionary ids given explicitly: apache-arrow otherwise numbers dictionaries from a counter of
  // the process, so a second dataset written by the same process would differ in its bytes.
  const dict = (id: number, codes: Int32Array, names: string[]) =>
    A.makeVector(A.makeData({ type: new A.Dictionary(new A.Utf8(), new A.Int32(), id), length: codes.length, nullCount: 0, data: codes, dictionary: A.vectorFromArray(names, new A.Utf8()) }));
  const bools = (x: Uint8Array) => A.vectorFromArray(Array.from(x, (v) => v === 1), new A.Bool());
  const columns: Record<string, ReturnType<typeof A.makeVector>> = {};
  // Exact copies: a view into a larger buffer (rows gathered into growing arrays) is written with
  // the whole buffer's length in the message header by apache-arrow, which readers then refuse.
  const exact = <T extends Float64Array | Int32Array>(x: T): T => x.slice() as T;
  d.featureNames.forEach((n, f) => (columns[n] = A.makeVector(exact(d.features[f]))));
  columns.label = A.makeVector(exact(d.label));
  columns.class = dict(0, exact(d.label), d.classes);
  columns.weight = A.makeVector(exact(d.weight));
  columns.fold = A.makeVector(exact(d.fold));
  columns.sample = dict(1, exact(d.sample), d.samples);
  columns.entry = A.makeVector(BigInt64Array.from(d.entry, (e) => BigInt(e)));
  columns.test = bools(d.test);
  columns.validation = bools(d.valid);
  return { value: A.tableToIPC(new A.Table(columns), "file"), problems: [] };
}

/**
 * Writes the dataset to `file`, whole or not at all: the bytes go to a temporary file beside it,
 * renamed into place once complete.
 */
export async function writeDataset(file: string, d: DatasetRows): Promise<Reported<{ bytes: number }>> {
  const made = await datasetBytes(d);
  if (!made.value) return { value: null, problems: made.problems };
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, made.value);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return { value: { bytes: made.value.length }, problems: [] };
}
