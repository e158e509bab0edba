/**
 * Small data files of the golden cases (test/cases/data), made with the project's own ROOT writer.
 * The golden test writes a missing one when accepting baselines (`npm run baselines`) and checks
 * the committed ones still have the shape the cases rely on.
 */
import { createRootFile, type TreeColumnSpec } from "../../runtime/io/index.js";

export interface CaseDataFile {
  /** Relative to test/cases/data. */
  name: string;
  tree: string;
  columns: TreeColumnSpec[];
  /** Why a case needs it. */
  purpose: string;
}

export const CASE_DATA: CaseDataFile[] = [
  {
    name: "zmumu-float-charge.root",
    tree: "events",
    // uproot-Zmumu.root has Q1/Q2 as int32 and M as double: here Q1 is a float.
    columns: [
      { name: "Q1", dtype: "f4" },
      { name: "Q2", dtype: "i4" },
      { name: "M", dtype: "f8" },
    ],
    purpose: "a branch (Q1) with another type than in examples/zmumu/data/uproot-Zmumu.root: HEP2018",
  },
];

export async function writeCaseData(file: CaseDataFile, abs: string): Promise<void> {
  const n = 4;
  const w = await createRootFile(abs);
  const t = w.tree(file.tree, file.purpose, file.columns);
  const cols: Record<string, ArrayLike<number>> = {};
  for (const c of file.columns) cols[c.name] = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1));
  await t.append(cols);
  await w.close();
}
