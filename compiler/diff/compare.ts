/**
 * Pairing and comparing the two sides' declarations, then attaching each change's impact.
 *
 * Pairing, in order: declarations of the same kind and name; then, repeatedly until nothing more
 * pairs, left-over declarations of the same kind whose fields are equal once the renames found so
 * far are applied (a rename with identical content, also when what it uses was renamed too); then
 * the remaining train, evaluate and output entries by their loose keys (the same model evaluated
 * in another region, a histogram written to another file, the one cutflow moved).
 */
import type { Plan } from "../../plan/types.js";
import { entriesOf, Entry, Facet, IDENTITY, ListFacet, Rename, Side, ValueFacet } from "./decls.js";
import { emptyImpact, impactOf, PlanGraph, recomputeOf } from "./impact.js";
import { DECL_KINDS, DeclChange, Detail, Diff, Impact, InputChange, InputChangeKind, InputIdentity, Recompute, RECOMPUTE_ORDER } from "./types.js";

/** The kinds whose names are symbols (one namespace): renames of these map references. */
const SYMBOL_KINDS = new Set(["sample", "group", "object", "define", "region", "bins", "features", "model", "param"]);
/** Outputs that are one file each, named by their path: one left on each side is the same output moved. */
const FILE_OUTPUTS = new Set(["cutflow", "predictions", "report", "dataset", "onnx", "ntuple", "datacard", "workspace"]);

export function diffSides(oldSide: Side, newSide: Side): Diff {
  const oldEntries = entriesOf(oldSide);
  const newEntries = entriesOf(newSide);
  const renames = new Map<string, string>();
  const rename: Rename = (n) => renames.get(n) ?? n;
  const pairs: Array<[Entry, Entry]> = [];
  const oldLeft = new Set(oldEntries);
  const newLeft = new Set(newEntries);
  const pair = (o: Entry, n: Entry) => {
    pairs.push([o, n]);
    oldLeft.delete(o);
    newLeft.delete(n);
    if (SYMBOL_KINDS.has(o.kind) && o.name !== n.name) renames.set(o.name, n.name);
  };
  const pairBy = (keyOld: (e: Entry) => string | undefined, keyNew: (e: Entry) => string | undefined, filter: (e: Entry) => boolean): boolean => {
    const byKey = new Map<string, Entry[]>();
    for (const n of newLeft) {
      if (!filter(n)) continue;
      const k = keyNew(n);
      if (k !== undefined) byKey.set(k, [...(byKey.get(k) ?? []), n]);
    }
    let any = false;
    for (const o of sortEntries([...oldLeft])) {
      if (!filter(o)) continue;
      const k = keyOld(o);
      const candidates = k === undefined ? undefined : byKey.get(k);
      const n = candidates?.find((c) => newLeft.has(c) && c.kind === o.kind);
      if (n) {
        pair(o, n);
        any = true;
      }
    }
    return any;
  };

  // 1. Symbols by kind and name.
  pairBy((e) => e.matchKey(IDENTITY), (e) => e.matchKey(IDENTITY), (e) => SYMBOL_KINDS.has(e.kind) || e.kind === "analysis");
  // 2. Renames: equal content under the renames known so far, until a fixpoint.
  const signature = (e: Entry, r: Rename) => `${e.kind}\0${JSON.stringify(e.facets(r).map(facetKey))}`;
  while (pairBy((e) => signature(e, rename), (e) => signature(e, IDENTITY), (e) => SYMBOL_KINDS.has(e.kind)));
  // 3. Trains, evaluations and outputs, with every rename known.
  const others = (e: Entry) => !SYMBOL_KINDS.has(e.kind) && e.kind !== "analysis";
  pairBy((e) => e.matchKey(rename), (e) => e.matchKey(IDENTITY), others);
  // An output under another name with the same content: a rename (the name is not among the fields).
  pairBy((e) => signature(e, rename), (e) => signature(e, IDENTITY), (e) => others(e) && (e.kind === "histogram" || e.kind === "systematic" || e.kind === "derived"));
  for (const kind of ["train", "evaluate", "histogram", "cutflow", "predictions", "report", "dataset", "onnx", "ntuple", "datacard", "workspace"]) {
    const o = [...oldLeft].filter((e) => e.kind === kind);
    const n = [...newLeft].filter((e) => e.kind === kind);
    if (FILE_OUTPUTS.has(kind)) {
      if (o.length === 1 && n.length === 1) pair(o[0], n[0]);
    } else pairBy((e) => e.looseKey?.(rename), (e) => e.looseKey?.(IDENTITY), (e) => e.kind === kind);
  }

  // Old plan node id → new id, from the pairs (outputs, evaluations) and the renames.
  const idMap = new Map<string, string>();
  for (const [o, n] of pairs) {
    if (o.kind === "bins" || o.kind === "group" || o.kind === "analysis" || o.kind === "param") continue;
    for (const s of o.seeds) {
      const prefix = s.slice(0, s.indexOf(":"));
      const match = n.seeds.filter((x) => x.startsWith(`${prefix}:`));
      if (match.length === 1) idMap.set(s, match[0]);
    }
    if (FILE_OUTPUTS.has(o.kind) && o.name !== n.name) idMap.set(`write:${o.name}`, `write:${n.name}`);
  }
  const mapOld = (id: string): string => {
    const known = idMap.get(id);
    if (known) return known;
    const colon = id.indexOf(":");
    const prefix = id.slice(0, colon);
    const rest = id.slice(colon + 1);
    if (["define", "filter", "read", "weight", "select", "scale", "train", "predict"].includes(prefix)) return `${prefix}:${rename(rest)}`;
    if (prefix === "evaluate") {
      const m = /^([^@#]+)(?:@([^#]+))?(#\d+)?$/.exec(rest);
      if (m) return `evaluate:${rename(m[1])}${m[2] ? `@${rename(m[2])}` : ""}${m[3] ?? ""}`;
    }
    return id;
  };

  const oldG = new PlanGraph(oldSide.plan);
  const newG = new PlanGraph(newSide.plan);
  // Downstream on both sides; what lay downstream on the old side counts through its new counterpart.
  const impactFrom = (oldSeeds: string[], newSeeds: string[]): Impact => {
    const oldDown = oldG.downstream(oldSeeds);
    const newDown = newG.downstream(newSeeds);
    for (const id of oldDown) if (newG.byId.has(mapOld(id))) newDown.add(mapOld(id));
    return impactOf(oldG, newG, oldDown, newDown, mapOld);
  };

  // ---- declaration changes ----
  const changes: DeclChange[] = [];
  const withImpact = (c: Omit<DeclChange, "recompute" | "impact">, oldSeeds: string[], newSeeds: string[]): DeclChange => {
    const impact = impactFrom(oldSeeds, newSeeds);
    return { ...c, recompute: recomputeOf(impact), impact };
  };
  for (const [o, n] of pairs) {
    const oldFacets = o.facets(rename);
    const newFacets = n.facets(IDENTITY);
    const details: Detail[] = [];
    const oldSeeds = [...o.seeds];
    const newSeeds = [...n.seeds];
    for (const nf of newFacets) {
      const of = oldFacets.find((f) => f.field === nf.field);
      const d = compareFacet(of, nf);
      if (!d) continue;
      details.push(d);
      for (const f of [of, nf]) if (f && "seeds" in f && f.seeds) (f === of ? oldSeeds : newSeeds).push(...f.seeds);
    }
    for (const of of oldFacets) {
      if (newFacets.some((f) => f.field === of.field)) continue;
      const d = compareFacet(of, undefined);
      if (d) details.push(d);
    }
    // A rename is of a declaration's own name (symbols, a histogram's); a train or evaluate entry
    // follows its model's name, and an output file's path is its `to` field.
    const renamed = o.name !== n.name && (SYMBOL_KINDS.has(o.kind) || o.kind === "histogram" || o.kind === "systematic" || o.kind === "derived");
    if (!details.length && !renamed) continue;
    changes.push(
      withImpact(
        { kind: n.kind, change: details.length ? "changed" : "renamed", name: n.name, ...(o.name !== n.name ? { oldName: o.name } : {}), details, old: o.location, new: n.location },
        oldSeeds,
        newSeeds,
      ),
    );
  }
  const summary = (e: Entry) => {
    const s = e.summary();
    return s ? { summary: s } : {};
  };
  for (const o of oldLeft) changes.push(withImpact({ kind: o.kind, change: "removed", name: o.name, details: [], ...summary(o), old: o.location }, o.seeds, o.seeds.map(mapOld)));
  for (const n of newLeft) changes.push(withImpact({ kind: n.kind, change: "added", name: n.name, details: [], ...summary(n), new: n.location }, [], n.seeds));
  const order = (c: DeclChange) => DECL_KINDS.indexOf(c.kind);
  changes.sort((a, b) => order(a) - order(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.change < b.change ? -1 : a.change > b.change ? 1 : 0));

  // ---- inputs ----
  const inputs = inputChanges(oldSide.plan, newSide.plan, (p) => {
    const seeds = newSide.plan.nodes.filter((n) => (n.kind === "read" && n.files.includes(p)) || (n.kind === "predict" && n.onnx?.path === p)).map((n) => n.id);
    const oldSeeds = oldSide.plan.nodes.filter((n) => (n.kind === "read" && n.files.includes(p)) || (n.kind === "predict" && n.onnx?.path === p)).map((n) => n.id);
    return impactFrom(oldSeeds, seeds);
  });

  // ---- the whole ----
  const impact = impactOf(oldG, newG, oldG.byId.keys(), newG.byId.keys(), mapOld);
  const recompute = recomputeOf(impact);
  const changed = changes.length > 0 || inputs.length > 0 || recompute !== "none";
  const labels: Record<string, string> = {};
  const impacts = [impact, ...changes.map((c) => c.impact), ...inputs.map((i) => i.impact)];
  for (const i of impacts) {
    for (const id of [...i.reevaluate, ...i.refill, ...i.unchanged]) labels[id] ??= labelOf(newG, id);
    for (const id of i.removed) labels[id] ??= labelOf(oldG, id);
  }
  return {
    format: "hepc-diff/1",
    old: { label: oldSide.label, analysis: oldSide.plan.analysis.name },
    new: { label: newSide.label, analysis: newSide.plan.analysis.name },
    changed,
    changes,
    inputs,
    recompute,
    impact,
    labels: Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}

/** A result's short name: a model, `model in region`, a histogram's name, an output path. */
function labelOf(g: PlanGraph, id: string): string {
  const n = g.byId.get(id);
  if (!n) return id.slice(id.indexOf(":") + 1);
  switch (n.kind) {
    case "train":
    case "predict":
      return n.model;
    case "evaluate": {
      const k = /#(\d+)$/.exec(id);
      return `${n.model}${n.region ? ` in ${n.region}` : ""}${k ? ` (${k[1]})` : ""}`;
    }
    case "histogram": {
      const path = id.slice("histogram:".length, id.length - n.name.length - 1);
      const twin = [...g.byId.values()].some((m) => m.kind === "histogram" && m.name === n.name && m.id !== id);
      return twin ? `${n.name} in ${path}` : n.name;
    }
    case "cutflow":
      return `cutflow ${id.slice("cutflow:".length)}`;
    case "write":
      return n.path;
    default:
      return id;
  }
}

function sortEntries(es: Entry[]): Entry[] {
  return es.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function facetKey(f: Facet): unknown {
  return "list" in f ? { field: f.field, list: (f.ordered ? f.list : [...f.list].sort((a, b) => (a.id < b.id ? -1 : 1))).map((i) => [i.id, i.key]) } : { field: f.field, key: f.key };
}

function compareFacet(o: Facet | undefined, n: Facet | undefined): Detail | undefined {
  const f = (n ?? o)!;
  if ("list" in f) return compareList(o as ListFacet | undefined, n as ListFacet | undefined, f.field);
  const ov = o as ValueFacet | undefined;
  const nv = n as ValueFacet | undefined;
  if ((ov?.key ?? null) === (nv?.key ?? null)) return undefined;
  if (ov?.alt !== undefined && ov.alt === nv?.alt) return undefined;
  return { field: f.field, old: ov?.show ?? null, new: nv?.show ?? null };
}

function compareList(o: ListFacet | undefined, n: ListFacet | undefined, field: string): Detail | undefined {
  const ol = o?.list ?? [];
  const nl = n?.list ?? [];
  const oldById = new Map(ol.map((i) => [i.id, i]));
  const newById = new Map(nl.map((i) => [i.id, i]));
  const added = nl.filter((i) => !oldById.has(i.id)).map((i) => i.show);
  const removed = ol.filter((i) => !newById.has(i.id)).map((i) => i.show);
  const changed = nl.filter((i) => oldById.has(i.id) && oldById.get(i.id)!.key !== i.key).map((i) => ({ old: oldById.get(i.id)!.show, new: i.show }));
  const detail = { field, added, removed, changed };
  const ordered = (n ?? o)!.ordered;
  if (!added.length && !removed.length && ordered && ol.map((i) => i.id).join("\0") !== nl.map((i) => i.id).join("\0")) {
    return { ...detail, order: { old: ol.map((i) => i.show), new: nl.map((i) => i.show) } };
  }
  return added.length || removed.length || changed.length ? detail : undefined;
}

function identityOf(i: Plan["inputs"][number]): InputIdentity {
  return i.sha256 ? { size: i.size, sha256: i.sha256 } : { size: i.size };
}

function inputChanges(oldPlan: Plan, newPlan: Plan, impactFor: (path: string) => Impact): InputChange[] {
  const out: InputChange[] = [];
  const olds = new Map(oldPlan.inputs.map((i) => [i.path, i]));
  for (const n of newPlan.inputs) {
    const o = olds.get(n.path);
    if (!o) continue;
    let change: InputChangeKind | undefined;
    if (o.sha256 && n.sha256) change = o.sha256 !== n.sha256 ? "content" : undefined;
    else if (!o.sha256 && n.sha256) change = "locked";
    else if (o.sha256 && !n.sha256) change = "unlocked";
    else if (o.size !== n.size) change = "size";
    else if (o.mtimeMs !== n.mtimeMs) change = "modified";
    if (!change) continue;
    const impact = impactFor(n.path);
    out.push({ path: n.path, change, old: identityOf(o), new: identityOf(n), recompute: recomputeOf(impact), impact });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

export function maxRecompute(...rs: Recompute[]): Recompute {
  return rs.reduce((a, b) => (RECOMPUTE_ORDER.indexOf(a) >= RECOMPUTE_ORDER.indexOf(b) ? a : b), "none");
}

export { emptyImpact };
