/** Shared constants of the bin matrix and the histograms (see binning.ts, histograms.ts). */
export const MISSING_BIN = 255;
export const SLOTS = 256;
export const HIST_STRIDE = SLOTS * 2;
export const BLOCK_ROWS = 16384;
export const JOB_INTS = 4;
