/**
 * What a fit output is made of, independent of the file format: channels (an observable in a
 * region), each with its processes' nominal histograms and their systematic copies, and what was
 * observed. Built from a run's histograms by exec/outputs.ts; read by datacard.ts and workspace.ts.
 */

/** A histogram's bin contents and their squared weights (over- and underflow left out). */
export interface Bins {
  sumw: number[];
  sumw2: number[];
}

export interface FitProcess {
  /** A sample or group name. */
  name: string;
  signal: boolean;
  nominal: Bins;
  /** systematic name → its Up and Down copies (only the systematics that affect this process). */
  variations: Map<string, { up: Bins; down: Bins }>;
}

export interface FitChannel {
  /** REGION_OBSERVABLE: a valid combine bin name and ROOT directory name. */
  name: string;
  /** The bin edges of the observable (one axis). */
  edges: number[];
  processes: FitProcess[];
  /** The data samples' sum (or the pseudodata), or null: the Asimov sum of the processes' nominals stands in. */
  data: Bins | null;
  /** `data` is the derived histogram `pseudodata`, not data samples (absent: data samples). */
  pseudodata?: boolean;
}

/**
 * `shape`: a weight variation (Up/Down histograms); `normalisation`: a constant factor K, up K
 * and down 1/K (an lnN of K in combine, a normsys in HistFactory).
 */
export interface FitSystematic {
  name: string;
  kind: "shape" | "normalisation";
  factor?: number;
}

export interface FitInput {
  channels: FitChannel[];
  /** In declaration order. */
  systematics: FitSystematic[];
}

/** Where the observation of a channel comes from, for the comment each file carries. */
export function observationSource(input: FitInput): "data" | "asimov" | "mixed" {
  const withData = input.channels.filter((c) => c.data !== null).length;
  return withData === input.channels.length ? "data" : withData === 0 ? "asimov" : "mixed";
}

/** The name of the derived histogram (`histogram pseudodata = ...`) a fit observes when there are no data samples. */
export const PSEUDODATA = "pseudodata";

export type ObservationKind = "data" | "pseudodata" | "asimov";

/** Where a channel's observation comes from: data samples, else the pseudodata, else the Asimov sum. */
export function observationOf(c: FitChannel): ObservationKind {
  return c.data ? (c.pseudodata ? "pseudodata" : "data") : "asimov";
}

/**
 * What each file says of its observations, one phrase per source other than data samples, in the
 * order pseudodata, Asimov: for every channel, or naming the channels when only some.
 */
export function observationNotes(input: FitInput): Array<{ kind: "pseudodata" | "asimov"; which: string }> {
  const out: Array<{ kind: "pseudodata" | "asimov"; which: string }> = [];
  for (const kind of ["pseudodata", "asimov"] as const) {
    const here = input.channels.filter((c) => observationOf(c) === kind);
    if (here.length) out.push({ kind, which: here.length === input.channels.length ? "every channel" : here.map((c) => c.name).join(", ") });
  }
  return out;
}

/** The observation of a channel: its data, else the sum of the processes' nominal contents. */
export function observed(channel: FitChannel): number[] {
  if (channel.data) return channel.data.sumw.slice();
  const out = new Array<number>(channel.edges.length - 1).fill(0);
  for (const p of channel.processes) p.nominal.sumw.forEach((v, i) => (out[i] += v));
  return out;
}

export const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
