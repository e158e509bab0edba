/**
 * TH1F/TH1D (and TH2F/TH2D) records in the layouts of TH1 v8, TAxis v10, TH2 v5.
 *
 * Bin arrays include under/overflow (ROOT's bin 0 and nbins+1; for 2D, bin = ix + (nx+2)*iy).
 * Attribute defaults are the ones ROOT gives a freshly constructed histogram, so the objects
 * draw like histograms booked in ROOT.
 */
import { RBuffer, kObjectBits } from "./buffer.js";

export interface HistStats {
  sumw: number;
  sumw2: number;
  sumwx: number;
  sumwx2: number;
}

export interface HistogramSpec {
  /** "dir/sub/name" */
  path: string;
  title: string;
  kind: "TH1F" | "TH1D";
  /** nbins+1 edges, fixed or variable width */
  edges: Float64Array;
  /** nbins+2 values including underflow (0) and overflow (nbins+1) */
  contents: Float64Array;
  /** nbins+2 sums of squared weights */
  sumw2: Float64Array;
  entries: number;
  xtitle?: string;
  ytitle?: string;
  /** fTsumw, fTsumw2, fTsumwx, fTsumwx2 from the fills; computed from in-range bins when absent */
  stats?: HistStats;
}

export interface Hist2DStats extends HistStats {
  sumwy: number;
  sumwy2: number;
  sumwxy: number;
}

export interface Histogram2DSpec {
  path: string;
  title: string;
  kind: "TH2F" | "TH2D";
  xedges: Float64Array;
  yedges: Float64Array;
  /** (nx+2)*(ny+2) values, bin = ix + (nx+2)*iy, with ix, iy in 0..n+1 (0 = underflow) */
  contents: Float64Array;
  sumw2: Float64Array;
  entries: number;
  xtitle?: string;
  ytitle?: string;
  ztitle?: string;
  stats?: Hist2DStats;
}

/** TH1 objects carry kMustCleanup in addition to the usual heap bits. */
const kHistBits = kObjectBits | 0x8;

function checkEdges(edges: Float64Array, what: string, path: string): void {
  if (!(edges instanceof Float64Array)) throw new Error(`hepc ROOT writer: histogram "${path}": ${what} must be a Float64Array`);
  if (edges.length < 2) throw new Error(`hepc ROOT writer: histogram "${path}": ${what} needs at least 2 edges`);
  for (let i = 0; i < edges.length; i++) {
    if (!Number.isFinite(edges[i])) throw new Error(`hepc ROOT writer: histogram "${path}": ${what}[${i}] is not finite`);
    if (i > 0 && !(edges[i] > edges[i - 1])) throw new Error(`hepc ROOT writer: histogram "${path}": ${what} must increase strictly (at ${i})`);
  }
}

/**
 * Uniform edges are written as (nbins, xmin, xmax) with an empty fXbins, like a histogram booked
 * with fixed bins in ROOT; anything else keeps the explicit edges.
 */
export function isUniform(edges: Float64Array): boolean {
  const n = edges.length - 1;
  const lo = edges[0];
  const hi = edges[n];
  const tol = 1e-9 * (hi - lo);
  for (let i = 1; i < n; i++) if (Math.abs(edges[i] - (lo + ((hi - lo) * i) / n)) > tol) return false;
  return true;
}

function centers(edges: Float64Array): Float64Array {
  const c = new Float64Array(edges.length - 1);
  for (let i = 0; i < c.length; i++) c[i] = 0.5 * (edges[i] + edges[i + 1]);
  return c;
}

function tnamed(b: RBuffer, name: string, title: string, bits = kObjectBits): void {
  const end = b.beginVersioned(1);
  b.tobject(bits);
  b.string(name);
  b.string(title);
  end();
}

/** A bare TNamed: a name and a title (ROOT's way to store a labelled string in a file). */
export function serializeTNamed(name: string, title: string, keylen: number): { bytes: Uint8Array; classes: Iterable<string> } {
  const b = new RBuffer(keylen, 64 + title.length * 3);
  tnamed(b, name, title);
  return { bytes: b.bytes(), classes: ["TNamed"] };
}

function arrayD(b: RBuffer, a: ArrayLike<number>): void {
  b.i32(a.length);
  for (let i = 0; i < a.length; i++) b.f64(a[i]);
}

function writeAxis(b: RBuffer, name: string, title: string, edges: Float64Array | null): void {
  const end = b.beginVersioned(10);
  tnamed(b, name, title);
  const att = b.beginVersioned(4); // TAttAxis, ROOT's defaults
  b.i32(510); // fNdivisions
  b.i16(1); // fAxisColor
  b.i16(1); // fLabelColor
  b.i16(42); // fLabelFont
  b.f32(0.005); // fLabelOffset
  b.f32(0.035); // fLabelSize
  b.f32(0.03); // fTickLength
  b.f32(1); // fTitleOffset
  b.f32(0.035); // fTitleSize
  b.i16(1); // fTitleColor
  b.i16(42); // fTitleFont
  att();
  if (edges === null) {
    // The unused axes of lower-dimensional histograms: one bin over [0, 1].
    b.i32(1);
    b.f64(0);
    b.f64(1);
    b.i32(0);
  } else {
    const n = edges.length - 1;
    b.i32(n);
    b.f64(edges[0]);
    b.f64(edges[n]);
    arrayD(b, isUniform(edges) ? [] : edges);
  }
  b.i32(0); // fFirst
  b.i32(0); // fLast
  b.u16(0); // fBits2
  b.bool(false); // fTimeDisplay
  b.string(""); // fTimeFormat
  b.nullPointer(); // fLabels
  b.nullPointer(); // fModLabs
  end();
}

interface TH1Body {
  name: string;
  title: string;
  ncells: number;
  x: Float64Array;
  y: Float64Array | null;
  xtitle: string;
  ytitle: string;
  ztitle: string;
  entries: number;
  stats: HistStats;
  sumw2: Float64Array;
}

function writeTH1(b: RBuffer, h: TH1Body): void {
  const end = b.beginVersioned(8);
  tnamed(b, h.name, h.title, kHistBits);
  let e = b.beginVersioned(2); // TAttLine
  b.i16(602);
  b.i16(1);
  b.i16(1);
  e();
  e = b.beginVersioned(2); // TAttFill
  b.i16(0);
  b.i16(1001);
  e();
  e = b.beginVersioned(2); // TAttMarker
  b.i16(1);
  b.i16(1);
  b.f32(1);
  e();
  b.i32(h.ncells);
  writeAxis(b, "xaxis", h.xtitle, h.x);
  writeAxis(b, "yaxis", h.ytitle, h.y);
  writeAxis(b, "zaxis", h.ztitle, null);
  b.i16(0); // fBarOffset
  b.i16(1000); // fBarWidth
  b.f64(h.entries);
  b.f64(h.stats.sumw);
  b.f64(h.stats.sumw2);
  b.f64(h.stats.sumwx);
  b.f64(h.stats.sumwx2);
  b.f64(-1111); // fMaximum: unset
  b.f64(-1111); // fMinimum: unset
  b.f64(0); // fNormFactor
  b.i32(0); // fContour
  arrayD(b, h.sumw2);
  b.string(""); // fOption
  // fFunctions is a never-null pointer member: written in place as an empty TList.
  e = b.beginVersioned(5);
  b.tobject();
  b.string("");
  b.i32(0);
  e();
  b.use("TList");
  b.i32(0); // fBufferSize
  b.u8(0); // fBuffer: no array
  b.i32(0); // fBinStatErrOpt: kNormal
  b.i32(2); // fStatOverflows: kNeutral (follow the global setting)
  end();
}

function writeContents(b: RBuffer, contents: Float64Array, float: boolean): void {
  b.i32(contents.length);
  if (float) for (let i = 0; i < contents.length; i++) b.f32(contents[i]);
  else for (let i = 0; i < contents.length; i++) b.f64(contents[i]);
}

function finiteArray(a: Float64Array, what: string, path: string, n: number): void {
  if (!(a instanceof Float64Array)) throw new Error(`hepc ROOT writer: histogram "${path}": ${what} must be a Float64Array`);
  if (a.length !== n) throw new Error(`hepc ROOT writer: histogram "${path}": ${what} has ${a.length} values, expected ${n}`);
}

export function validateHistogram(h: HistogramSpec): void {
  if (h.kind !== "TH1F" && h.kind !== "TH1D") throw new Error(`hepc ROOT writer: histogram "${h.path}": kind must be TH1F or TH1D`);
  checkEdges(h.edges, "edges", h.path);
  const n = h.edges.length - 1;
  finiteArray(h.contents, "contents", h.path, n + 2);
  finiteArray(h.sumw2, "sumw2", h.path, n + 2);
  if (!Number.isFinite(h.entries)) throw new Error(`hepc ROOT writer: histogram "${h.path}": entries must be finite`);
}

/** Statistics as ROOT recomputes them from bin contents (in-range bins at bin centres). */
export function statsFromContents(edges: Float64Array, contents: Float64Array, sumw2: Float64Array): HistStats {
  const c = centers(edges);
  const s = { sumw: 0, sumw2: 0, sumwx: 0, sumwx2: 0 };
  for (let i = 1; i <= c.length; i++) {
    const w = contents[i];
    const x = c[i - 1];
    s.sumw += w;
    s.sumw2 += sumw2[i];
    s.sumwx += w * x;
    s.sumwx2 += w * x * x;
  }
  return s;
}

export function serializeTH1(h: HistogramSpec, name: string, keylen: number): { bytes: Uint8Array; classes: Iterable<string> } {
  const b = new RBuffer(keylen, 1024 + 20 * h.contents.length);
  const end = b.beginVersioned(3); // TH1F and TH1D are both version 3
  writeTH1(b, {
    name,
    title: h.title,
    ncells: h.contents.length,
    x: h.edges,
    y: null,
    xtitle: h.xtitle ?? "",
    ytitle: h.ytitle ?? "",
    ztitle: "",
    entries: h.entries,
    stats: h.stats ?? statsFromContents(h.edges, h.contents, h.sumw2),
    sumw2: h.sumw2,
  });
  writeContents(b, h.contents, h.kind === "TH1F");
  end();
  return { bytes: b.bytes(), classes: [h.kind, ...b.classesUsed] };
}

export function validateHistogram2D(h: Histogram2DSpec): void {
  if (h.kind !== "TH2F" && h.kind !== "TH2D") throw new Error(`hepc ROOT writer: histogram "${h.path}": kind must be TH2F or TH2D`);
  checkEdges(h.xedges, "xedges", h.path);
  checkEdges(h.yedges, "yedges", h.path);
  const n = (h.xedges.length + 1) * (h.yedges.length + 1);
  finiteArray(h.contents, "contents", h.path, n);
  finiteArray(h.sumw2, "sumw2", h.path, n);
  if (!Number.isFinite(h.entries)) throw new Error(`hepc ROOT writer: histogram "${h.path}": entries must be finite`);
}

export function stats2DFromContents(h: Histogram2DSpec): Hist2DStats {
  const cx = centers(h.xedges);
  const cy = centers(h.yedges);
  const nx2 = cx.length + 2;
  const s = { sumw: 0, sumw2: 0, sumwx: 0, sumwx2: 0, sumwy: 0, sumwy2: 0, sumwxy: 0 };
  for (let iy = 1; iy <= cy.length; iy++) {
    for (let ix = 1; ix <= cx.length; ix++) {
      const bin = ix + nx2 * iy;
      const w = h.contents[bin];
      const x = cx[ix - 1];
      const y = cy[iy - 1];
      s.sumw += w;
      s.sumw2 += h.sumw2[bin];
      s.sumwx += w * x;
      s.sumwx2 += w * x * x;
      s.sumwy += w * y;
      s.sumwy2 += w * y * y;
      s.sumwxy += w * x * y;
    }
  }
  return s;
}

export function serializeTH2(h: Histogram2DSpec, name: string, keylen: number): { bytes: Uint8Array; classes: Iterable<string> } {
  const b = new RBuffer(keylen, 1024 + 20 * h.contents.length);
  const stats = h.stats ?? stats2DFromContents(h);
  const end = b.beginVersioned(4); // TH2F and TH2D are both version 4
  const end2 = b.beginVersioned(5); // TH2
  writeTH1(b, {
    name,
    title: h.title,
    ncells: h.contents.length,
    x: h.xedges,
    y: h.yedges,
    xtitle: h.xtitle ?? "",
    ytitle: h.ytitle ?? "",
    ztitle: h.ztitle ?? "",
    entries: h.entries,
    stats,
    sumw2: h.sumw2,
  });
  b.f64(1); // fScalefactor
  b.f64(stats.sumwy);
  b.f64(stats.sumwy2);
  b.f64(stats.sumwxy);
  end2();
  writeContents(b, h.contents, h.kind === "TH2F");
  end();
  return { bytes: b.bytes(), classes: [h.kind, ...b.classesUsed] };
}
