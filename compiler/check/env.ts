/**
 * The event environment: what names a tree offers. Branches are per-event values; branches sharing
 * a prefix (`Muon_pt`, `Muon_eta`, ... counted by `nMuon`/`NMuon`) form a collection whose elements
 * are records; flat branches sharing a prefix (`MET_px`, `MET_py`) form one record per event.
 * Kinematics missing from the file are derived from the ones present.
 */
import { BOOL, FLOAT, INT, KINEMATIC_FIELDS, RecordType, Type, list } from "../core/types.js";
import type { BranchSchema, TreeSchema } from "../host.js";

export interface BranchEntry {
  schema: BranchSchema;
  type: Type | undefined;
}

export type KinematicSource = "pxpypzE" | "ptetaphim" | "ptetaphi" | "pxpy" | "ptphi";

export interface CollectionEntry {
  /** "Muon" */
  prefix: string;
  /** jagged: one list per event; single: one record per event (flat branches, e.g. MET) */
  shape: "jagged" | "single";
  record: RecordType;
  /** field name → branch name, for fields read from the file */
  branchOf: Map<string, string>;
  countBranch?: string;
  /** How kinematics are obtained, when the record has them. */
  kinematics?: { source: KinematicSource; fields: Record<string, string> };
}

export interface Env {
  branches: Map<string, BranchEntry>;
  collections: Map<string, CollectionEntry>;
}

export function dtypeType(dtype: string | null): Type | undefined {
  if (!dtype) return undefined;
  if (dtype === "bool") return BOOL;
  if (dtype.startsWith("f")) return FLOAT;
  return INT;
}

export function branchType(b: BranchSchema): Type | undefined {
  const scalar = dtypeType(b.dtype);
  if (!scalar || b.kind === "unsupported") return undefined;
  return b.kind === "flat" ? scalar : list(scalar);
}

/** Names of kinematic fields as files spell them, by canonical name. */
const KIN_ALIASES: Record<string, string[]> = {
  px: ["px", "Px", "PX"],
  py: ["py", "Py", "PY"],
  pz: ["pz", "Pz", "PZ"],
  E: ["E", "e", "energy", "Energy"],
  pt: ["pt", "Pt", "PT"],
  eta: ["eta", "Eta"],
  phi: ["phi", "Phi"],
  mass: ["mass", "Mass", "m", "M"],
};

export function buildEnv(schema: TreeSchema): Env {
  const branches = new Map<string, BranchEntry>();
  for (const b of schema.branches) branches.set(b.name, { schema: b, type: branchType(b) });

  const byPrefix = new Map<string, BranchSchema[]>();
  for (const b of schema.branches) {
    const i = b.name.indexOf("_");
    if (i <= 0 || i === b.name.length - 1) continue;
    const prefix = b.name.slice(0, i);
    let arr = byPrefix.get(prefix);
    if (!arr) byPrefix.set(prefix, (arr = []));
    arr.push(b);
  }

  const collections = new Map<string, CollectionEntry>();
  for (const [prefix, members] of byPrefix) {
    const jagged = members.filter((b) => b.kind === "jagged" && dtypeType(b.dtype));
    const flat = members.filter((b) => b.kind === "flat" && dtypeType(b.dtype));
    const countBranch = ["n" + prefix, "N" + prefix].find((n) => branches.has(n));
    // A prefix is a collection when it has jagged members (or a count branch); otherwise, with two
    // or more flat members, a single record per event.
    const shape: "jagged" | "single" | undefined = jagged.length > 0 ? "jagged" : flat.length >= 2 ? "single" : undefined;
    if (!shape) continue;
    const used = shape === "jagged" ? jagged : flat;
    const fields = new Map<string, Type>();
    const branchOf = new Map<string, string>();
    for (const b of used) {
      const field = b.name.slice(prefix.length + 1);
      fields.set(field, dtypeType(b.dtype)!);
      branchOf.set(field, b.name);
    }
    const kinematics = deriveKinematics(branchOf);
    if (kinematics) for (const f of KINEMATIC_FIELDS) if (!fields.has(f)) fields.set(f, FLOAT);
    // An element's position in the event's collection (a branch of that name wins).
    if (shape === "jagged" && !fields.has("index")) fields.set("index", INT);
    collections.set(prefix, {
      prefix,
      shape,
      record: { name: prefix, fields, lorentz: kinematics !== undefined },
      branchOf,
      countBranch: shape === "jagged" ? countBranch ?? used.find((b) => b.countBranch)?.countBranch : undefined,
      kinematics,
    });
  }
  return { branches, collections };
}

function deriveKinematics(branchOf: Map<string, string>): CollectionEntry["kinematics"] {
  const find = (canonical: string): string | undefined => KIN_ALIASES[canonical].find((a) => branchOf.has(a));
  const have: Record<string, string> = {};
  for (const f of Object.keys(KIN_ALIASES)) {
    const a = find(f);
    if (a) have[f] = a;
  }
  // fields: canonical component → the branch it is read from
  const pick = (names: string[], source: KinematicSource) =>
    names.every((n) => have[n]) ? { source, fields: Object.fromEntries(names.map((n) => [n, branchOf.get(have[n])!])) } : undefined;
  return (
    pick(["px", "py", "pz", "E"], "pxpypzE") ??
    pick(["pt", "eta", "phi", "mass"], "ptetaphim") ??
    pick(["pt", "eta", "phi"], "ptetaphi") ??
    pick(["px", "py"], "pxpy") ??
    pick(["pt", "phi"], "ptphi")
  );
}

export const INT_TYPE = INT;
