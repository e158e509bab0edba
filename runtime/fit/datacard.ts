/**
 * A CMS combine datacard (text) for shape analysis: one `shapes` line naming the ROOT file beside
 * it, laid out `CHANNEL/PROCESS` and `CHANNEL/PROCESS_SYSTEMATIC` (the copies' names are
 * `PROCESS_NAMEUp` / `PROCESS_NAMEDown`, combine's convention), and `CHANNEL/data_obs`.
 * Signal processes take the indices 0, -1, -2, ..., backgrounds 1, 2, ...; rates are -1 (taken
 * from the histograms' integrals).
 */
import { type FitChannel, type FitInput, type FitProcess, observationNotes, observed, PSEUDODATA, sum } from "./model.js";

/** A number as combine reads it: integers as such, others with 10 significant digits, no exponent noise. */
export function cardNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(10)));
}

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join(" ").trimEnd());
}

/** Signals first (in their order), then backgrounds: combine's process columns of a channel. */
export function orderedProcesses(c: FitChannel): Array<{ p: FitProcess; index: number }> {
  const sig = c.processes.filter((p) => p.signal);
  const bkg = c.processes.filter((p) => !p.signal);
  return [...sig.map((p, i) => ({ p, index: -i })), ...bkg.map((p, i) => ({ p, index: i + 1 }))];
}

/**
 * The datacard's text. `shapesFile` is the ROOT file's path relative to the datacard's folder
 * (combine resolves it there); `title` goes in the header comment.
 */
export function writeDatacard(input: FitInput, shapesFile: string, title: string): string {
  const lines: string[] = [`# ${title}`, "# written by hepc; shapes in " + shapesFile];
  for (const { kind, which } of observationNotes(input)) {
    lines.push(`# observation: no data samples (class data) for ${which}: ${kind === "asimov" ? "the Asimov sum of the nominal predictions" : `the pseudodata (histogram ${PSEUDODATA})`}`);
  }
  const columns = input.channels.flatMap((c) => orderedProcesses(c).map((o) => ({ c, ...o })));
  const backgrounds = new Set(columns.filter((x) => !x.p.signal).map((x) => x.p.name));
  const rule = "-".repeat(60);
  lines.push(`imax ${input.channels.length} number of channels`, `jmax ${backgrounds.size + new Set(columns.filter((x) => x.p.signal).map((x) => x.p.name)).size - 1} number of processes minus one`, `kmax ${input.systematics.length} number of nuisance parameters`, rule);
  lines.push(`shapes * * ${shapesFile} $CHANNEL/$PROCESS $CHANNEL/$PROCESS_$SYSTEMATIC`, rule);
  lines.push(...table([["bin", ...input.channels.map((c) => c.name)], ["observation", ...input.channels.map((c) => cardNumber(sum(observed(c))))]]), rule);
  const head: string[][] = [
    ["bin", "", ...columns.map((x) => x.c.name)],
    ["process", "", ...columns.map((x) => x.p.name)],
    ["process", "", ...columns.map((x) => String(x.index))],
    ["rate", "", ...columns.map(() => "-1")],
  ];
  const syst: string[][] = input.systematics.map((s) => [
    s.name,
    s.kind === "shape" ? "shape" : "lnN",
    ...columns.map((x) => (x.p.variations.has(s.name) ? (s.kind === "shape" ? "1" : cardNumber(s.factor ?? 1)) : "-")),
  ]);
  const all = table([...head, ...syst]);
  lines.push(...all.slice(0, head.length), rule, ...all.slice(head.length));
  return lines.join("\n") + "\n";
}

/**
 * The histograms the shapes line names, path → contents: CHANNEL/PROCESS, CHANNEL/PROCESS_NAMEUp
 * and ...Down for every shape systematic affecting it, and CHANNEL/data_obs. Normalisation
 * systematics are lnN lines and get no histograms.
 */
export function shapeHistograms(input: FitInput, isShape: (name: string) => boolean): Array<{ path: string; edges: number[]; bins: { sumw: number[]; sumw2: number[] } }> {
  const out: Array<{ path: string; edges: number[]; bins: { sumw: number[]; sumw2: number[] } }> = [];
  for (const c of input.channels) {
    for (const { p } of orderedProcesses(c)) {
      out.push({ path: `${c.name}/${p.name}`, edges: c.edges, bins: p.nominal });
      for (const [name, v] of p.variations) {
        if (!isShape(name)) continue;
        out.push({ path: `${c.name}/${p.name}_${name}Up`, edges: c.edges, bins: v.up });
        out.push({ path: `${c.name}/${p.name}_${name}Down`, edges: c.edges, bins: v.down });
      }
    }
    const obs = observed(c);
    out.push({ path: `${c.name}/data_obs`, edges: c.edges, bins: c.data ?? { sumw: obs, sumw2: obs.slice() } });
  }
  return out;
}
