/** TH1 histograms: jsroot streams the object; we hand back plain arrays. */
import { jsrootError, openJsFile, readObject, type JsObj } from "./jsfile.js";
import { RootIoError } from "./errors.js";
import { openSource, SourceError } from "../source/index.js";

export interface Histogram1D {
  path: string;
  className: string;
  title: string;
  /** The axes' titles (TAxis fTitle). */
  xtitle: string;
  ytitle: string;
  /** Bin edges, length bins + 1. */
  edges: Float64Array;
  /** Contents including underflow (index 0) and overflow (index bins + 1). */
  valuesWithFlow: Float64Array;
  /** The sums of squared weights (TH1's fSumw2), under- and overflow included; absent when the histogram has none. */
  variancesWithFlow?: Float64Array;
  entries: number;
}

export async function readHistogram(file: string, path: string): Promise<Histogram1D> {
  let source;
  try {
    source = await openSource(file);
  } catch (e) {
    if (e instanceof SourceError) throw new RootIoError(e.code === "missing" ? "no such file" : e.message, { file }, { cause: e });
    throw e;
  }
  try {
    const js = await openJsFile(source);
    const h = await readObject(js, path);
    const cls: string = h._typename ?? "";
    if (!/^TH1[CSIFDL]?$/.test(cls)) throw new RootIoError(`'${path}' is a ${cls}, not a one-dimensional histogram (TH1)`, { file });
    return histogram(h, path, cls);
  } catch (e) {
    throw jsrootError(`histogram '${path}'`, e, [], { file });
  } finally {
    await source.close();
  }
}

/**
 * jsroot hands a TString's bytes back one character per byte; ROOT (and hepc's writer, and uproot)
 * take them as UTF-8, so `m(μτ)` reads back as written.
 */
function utf8(s: string | undefined): string {
  if (!s) return "";
  // eslint-disable-next-line no-control-regex
  return /^[\u0000-\u00ff]*$/.test(s) ? Buffer.from(s, "latin1").toString("utf8") : s;
}

/** The arrays of a TH1 as jsroot parsed it; a damaged object throws (and is named by the caller). */
function histogram(h: JsObj, path: string, cls: string): Histogram1D {
  const ax = h.fXaxis;
  const bins: number = ax.fNbins;
  const edges = new Float64Array(bins + 1);
  if (ax.fXbins && ax.fXbins.length === bins + 1) edges.set(ax.fXbins);
  else for (let i = 0; i <= bins; i++) edges[i] = ax.fXmin + ((ax.fXmax - ax.fXmin) * i) / bins;
  const values = new Float64Array(bins + 2);
  for (let i = 0; i < bins + 2; i++) values[i] = Number(h.fArray?.[i] ?? 0);
  const sumw2 = h.fSumw2 && h.fSumw2.length === bins + 2 ? Float64Array.from(h.fSumw2 as ArrayLike<number>, Number) : undefined;
  return { path, className: cls, title: utf8(h.fTitle), xtitle: utf8(ax.fTitle), ytitle: utf8(h.fYaxis?.fTitle), edges, valuesWithFlow: values, ...(sumw2 ? { variancesWithFlow: sumw2 } : {}), entries: Number(h.fEntries ?? 0) };
}
