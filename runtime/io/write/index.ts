/**
 * ROOT file writer: TTrees of numeric branches (flat, and jagged with a count branch) and TH1/TH2 histograms, in directories,
 * readable by ROOT, uproot and jsroot.
 *
 * In:  a destination path, then tree columns (typed arrays or arrays of numbers/bigints,
 *      appended in chunks) and histogram bin arrays (with under/overflow and sum of squared
 *      weights).
 * Out: one ROOT file (ZLIB-compressed records, TStreamerInfo for every class written), which
 *      appears at the destination only when close() succeeds: data goes to a temporary file in
 *      the same directory and is renamed into place; abort() or any failure removes it.
 *
 * Limits: files stay below 2,000,000,000 bytes (ROOT's switch to 64-bit seek pointers); writing
 * past that throws instead of producing a file ROOT would misread.
 *
 * Must not import compiler/ or lsp/: the runtime links this without the toolchain.
 */
import { openRootWriter, type RootWriter, type RootWriterOptions } from "./writer.js";

export type { RootWriter, RootWriterOptions } from "./writer.js";
export type { HistogramSpec, Histogram2DSpec, HistStats, Hist2DStats } from "./hist.js";
export type { TreeColumnSpec, TreeWriter, ColumnDtype, ColumnValues, JaggedValues } from "./tree.js";
export type { Compression } from "./compress.js";
export type { FileStamp } from "./file.js";

export async function createRootFile(path: string, opts?: RootWriterOptions): Promise<RootWriter> {
  return openRootWriter(path, opts);
}
