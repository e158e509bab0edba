/**
 * A pyhf (HistFactory JSON, version 1.0.0) workspace: one channel per FitChannel, one sample per
 * process with `histosys` (weight variations: the Up/Down histograms), `normsys` (normalisations:
 * hi K, lo 1/K) and, on signal samples, a `normfactor` named `mu`, the measurement's POI.
 * One-sided variations arrive already symmetrised (down = 2·nominal − up, as cabinetry does).
 * No `lumi` modifier: the language has a luminosity but no luminosity uncertainty; a
 * `systematic lumi { normalisation K }` is a normsys named lumi.
 */
import { type FitInput, observationNotes, observed, PSEUDODATA } from "./model.js";

export const POI = "mu";

type Modifier =
  | { name: string; type: "histosys"; data: { lo_data: number[]; hi_data: number[] } }
  | { name: string; type: "normsys"; data: { lo: number; hi: number } }
  | { name: string; type: "normfactor"; data: null };

export interface Workspace {
  channels: Array<{ name: string; samples: Array<{ name: string; data: number[]; modifiers: Modifier[] }> }>;
  observations: Array<{ name: string; data: number[] }>;
  measurements: Array<{ name: string; config: { poi: string; parameters: Array<{ name: string; bounds?: number[][]; inits?: number[] }> } }>;
  version: "1.0.0";
}

/**
 * The measurement's name: the analysis', with what the observations are when not data samples
 * (pyhf's schema allows no other key, and an observation's name must be its channel's):
 * `NAME (observations: pseudodata 'pseudodata')`, `... Asimov sum of the nominal`, with the
 * channels named when a source holds for only some.
 */
export function measurementName(input: FitInput, measurement: string): string {
  const notes = observationNotes(input).map(({ kind, which }) => `${kind === "asimov" ? "Asimov sum of the nominal" : `pseudodata '${PSEUDODATA}'`}${which === "every channel" ? "" : ` in ${which}`}`);
  return notes.length ? `${measurement} (observations: ${notes.join("; ")})` : measurement;
}

/**
 * The workspace; `measurement` names its one measurement (the analysis' name). pyhf's schema allows
 * no other keys, so where an observation is the Asimov sum, the measurement's name says so.
 */
export function buildWorkspace(input: FitInput, measurement: string): Workspace {
  const kinds = new Map(input.systematics.map((s) => [s.name, s]));
  const channels = input.channels.map((c) => ({
    name: c.name,
    samples: c.processes.map((p) => {
      const modifiers: Modifier[] = [];
      if (p.signal) modifiers.push({ name: POI, type: "normfactor", data: null });
      for (const s of input.systematics) {
        const v = p.variations.get(s.name);
        if (!v) continue;
        if (kinds.get(s.name)?.kind === "normalisation") {
          const k = s.factor ?? 1;
          modifiers.push({ name: s.name, type: "normsys", data: { hi: k, lo: 1 / k } });
        } else modifiers.push({ name: s.name, type: "histosys", data: { hi_data: v.up.sumw.slice(), lo_data: v.down.sumw.slice() } });
      }
      return { name: p.name, data: p.nominal.sumw.slice(), modifiers };
    }),
  }));
  return {
    channels,
    observations: input.channels.map((c) => ({ name: c.name, data: observed(c) })),
    measurements: [{ name: measurementName(input, measurement), config: { poi: POI, parameters: [{ name: POI, bounds: [[0, 10]], inits: [1] }] } }],
    version: "1.0.0",
  };
}
