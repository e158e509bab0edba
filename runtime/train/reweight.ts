/**
 * Spectral reweighting (as TauMLTools and weaver do it): per reweighting group (a class, or classes
 * merged), a histogram of the training weights over the reweighting axes, and per bin the factor
 * that makes the group flat in those bins (`flat`: every bin holds the same sum of weights) or
 * gives it the target's shape (`to`). Factors average 1 over a group's events, so reweighting moves
 * weight between bins without changing a group's total (before the cap). Values below the first
 * edge or above the last fall in the first or last bin; an event with a missing axis value has no
 * bin and gets factor 0. A bin the factor cannot be formed in gets factor 0, never NaN.
 */
import type { Table } from "./gather.js";
import { Problems } from "./problems.js";
import type { Settings } from "./spec.js";

type Reweight = NonNullable<Settings["reweight"]>;

/** The bin of x on one axis, under- and overflow clipped into the edge bins; -1 when missing. */
export function axisBin(edges: number[], x: number): number {
  if (Number.isNaN(x)) return -1;
  const nb = edges.length - 1;
  if (x < edges[1]) return 0;
  if (x >= edges[nb - 1]) return nb - 1;
  let lo = 1;
  let hi = nb - 1; // edges[lo] <= x < edges[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x >= edges[mid]) lo = mid;
    else hi = mid;
  }
  return lo;
}

export function binCount(rw: Reweight): number {
  return rw.axes.reduce((n, a) => n * (a.edges.length - 1), 1);
}

/** The flat bin of every row (the first axis varies slowest), -1 where an axis value is missing. */
export function binRows(t: Table, rw: Reweight): Int32Array {
  const out = new Int32Array(t.n);
  for (let i = 0; i < t.n; i++) {
    let b = 0;
    for (let a = 0; a < rw.axes.length; a++) {
      const k = axisBin(rw.axes[a].edges, t.axes[a][i]);
      if (k < 0) {
        b = -1;
        break;
      }
      b = b * (rw.axes[a].edges.length - 1) + k;
    }
    out[i] = b;
  }
  return out;
}

/** A bin's name for a message: each axis with its declared edges. */
export function binName(rw: Reweight, b: number): string {
  const parts: string[] = [];
  for (let a = rw.axes.length - 1; a >= 0; a--) {
    const e = rw.axes[a].edges;
    const nb = e.length - 1;
    const k = b % nb;
    b = Math.floor(b / nb);
    parts.unshift(`${rw.axes[a].label} [${e[k]}, ${e[k + 1]}${k === nb - 1 ? "]" : ")"}`);
  }
  return parts.join(" × ");
}

const MAX_BIN_WARNINGS = 20;

/**
 * Factors per group and bin from the reference rows (`rows`, indices into the table) and their
 * weights after the negative-weight policy (`base`). Warnings (when `warn` is given) name each bin
 * that could not be reweighted as asked.
 */
export function fitReweight(
  s: Settings,
  t: Table,
  rows: Int32Array,
  base: Float64Array,
  bins: Int32Array,
  warn: Problems | null,
): Float64Array[] {
  const rw = s.reweight!;
  const nb = binCount(rw);
  const ng = rw.groupNames.length;
  const H = Array.from({ length: ng }, () => new Float64Array(nb));
  const C = Array.from({ length: ng }, () => new Float64Array(nb));
  const HT = new Float64Array(nb);
  const target = rw.target;
  const targetSample = target?.kind === "sample" ? s.samples.indexOf(target.name) : -1;
  for (let j = 0; j < rows.length; j++) {
    const i = rows[j];
    const b = bins[i];
    if (b < 0 || base[i] === 0) continue;
    const g = rw.groupOf[t.label[i]];
    H[g][b] += base[i];
    C[g][b] += 1;
    if (target && (target.kind === "class" ? t.label[i] === target.index : t.sample[i] === targetSample)) HT[b] += base[i];
  }

  // A group that is exactly the target class keeps its weights: its shape is the target's.
  // (A sample is such a target when it is the only sample of a class that is a group of its own.)
  const targetClass = target?.kind === "class" ? target.index : target ? s.sampleClass.get(target.name)! : -1;
  const targetIsClass = target?.kind === "class" || (target !== null && s.samples.filter((x) => s.sampleClass.get(x) === targetClass).length === 1);
  const isTarget = (g: number) => targetIsClass && rw.groupOf.filter((x) => x === g).length === 1 && rw.groupOf[targetClass] === g;
  const factors: Float64Array[] = [];
  for (let g = 0; g < ng; g++) {
    const f = new Float64Array(nb);
    let S = 0;
    let used = 0;
    for (let b = 0; b < nb; b++) if (H[g][b] > 0) (S += H[g][b]), (used += 1);
    if (rw.mode === "flat") {
      for (let b = 0; b < nb; b++) if (H[g][b] > 0) f[b] = S / used / H[g][b];
    } else if (isTarget(g)) {
      f.fill(1);
    } else {
      let Z = 0;
      for (let b = 0; b < nb; b++) if (H[g][b] > 0 && HT[b] > 0) Z += HT[b];
      if (Z > 0) for (let b = 0; b < nb; b++) if (H[g][b] > 0 && HT[b] > 0) f[b] = (HT[b] / Z) * (S / H[g][b]);
    }
    if (rw.maxWeight !== null) for (let b = 0; b < nb; b++) if (f[b] > rw.maxWeight) f[b] = rw.maxWeight;
    factors.push(f);
  }

  if (warn) binWarnings(s, nb, H, C, HT, isTarget, warn);
  return factors;
}

function binWarnings(s: Settings, nb: number, H: Float64Array[], C: Float64Array[], HT: Float64Array, isTarget: (g: number) => boolean, warn: Problems): void {
  const rw = s.reweight!;
  const ng = rw.groupNames.length;
  const targetName = rw.target ? `'${rw.target.name}'` : "";
  let shown = 0;
  let more = 0;
  for (let b = 0; b < nb; b++) {
    const problems: string[] = [];
    const present: number[] = [];
    let total = 0;
    for (let g = 0; g < ng; g++) {
      total += C[g][b];
      if (C[g][b] > 0) present.push(g);
    }
    if (total === 0) problems.push("no training events fall in it");
    else if (rw.mode === "flat" && ng > 1 && present.length === 1) problems.push(`only ${rw.groupNames[present[0]]} has events there, so the classes differ in it however they are weighted`);
    for (const g of present) {
      if (H[g][b] <= 0) problems.push(`the weights of ${rw.groupNames[g]} sum to ${H[g][b]} there: its ${C[g][b]} events there get weight 0`);
    }
    if (rw.mode === "to" && total > 0) {
      if (HT[b] > 0) {
        const absent = [...Array(ng).keys()].filter((g) => C[g][b] === 0 && !isTarget(g));
        if (absent.length > 0) problems.push(`${absent.map((g) => rw.groupNames[g]).join(", ")} ${absent.length === 1 ? "has" : "have"} no events where the target ${targetName} has, so ${absent.length === 1 ? "it" : "they"} cannot follow it there`);
      } else {
        const lost = present.filter((g) => H[g][b] > 0 && !isTarget(g));
        if (lost.length > 0) problems.push(`the target ${targetName} has no weight there: the events of ${lost.map((g) => rw.groupNames[g]).join(", ")} there get weight 0`);
      }
    }
    if (problems.length === 0) continue;
    if (shown < MAX_BIN_WARNINGS) {
      warn.add("HEP6017", { bin: binName(rw, b), problem: problems.join("; ") });
      shown += 1;
    } else more += 1;
  }
  if (more > 0) warn.add("HEP6017", { bin: "(more)", problem: `${more} further bins have problems like those above` });
}
