/**
 * runtime/io: ROOT files <-> columns.
 *
 * In:  paths of ROOT files (bytes come through runtime/source as positioned reads).
 * Out: object listings, tree/branch metadata (`TreeInfo`) and columns as typed arrays
 *      (`Column`: flat, jagged = offsets + values, fixed = row-major values).
 *
 * jsroot supplies keys, directories, streamer info and TTree/TBranch objects; baskets are read,
 * decompressed (zlib, LZ4, zstd, LZMA, none) and decoded here, in worker threads when available.
 * Every failure is a `RootIoError` naming file, tree, branch and basket/entry where known.
 *
 * Must not import compiler/, lsp/ or cli/: the language and its tools depend on this, not the
 * other way round.
 */
export type { Dtype, TypedArray } from "./basket.js";
export type { BranchInfo, TreeInfo } from "./tree.js";
export type { ObjectInfo } from "./jsfile.js";
export type { Column, EntryRange, RootFile } from "./reader.js";
export { RootIoError, nearestNames } from "./errors.js";
export { openRoot, readTreeSchema, readChain } from "./reader.js";
export { configureDecodePool } from "./pool.js";
export { readPlanSync, type ReadPlan, type SyncBytes } from "./plan.js";
export { readHistogram, type Histogram1D } from "./hist.js";
export * from "./write/index.js";
