/**
 * The event environment: what names a tree offers. Branches are per-event values; branches sharing
 * a prefix (`Muon_pt`, `Muon_eta`, ... counted by `nMuon`/`NMuon`) form a collection whose elements
 * are records; flat branches sharing a prefix (`MET_px`, `MET_py`) form one record per event.
 * Kinematics missing from the file are derived from the ones present.
 *
 * Flat branches are grouped only when they look like fields of one object: `pt_1, pt_2, pt_tt`
 * (flat ntuples' numbered objects) are values of their own, not a record `pt`. A suffix that
 * starts with a digit is never a field (`x.1` cannot be written), and a prefix that is itself a
 * quantity (`pt`, `eta`, `m`, `mt`, `iso`, ...) names a quantity of several objects, not an
 * object. Each prefix's grouping, or why it was not grouped, is kept for hover.
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
  /** prefix → why its branches were left as branches (for hover); prefixes that were grouped are not here. */
  ungrouped: Map<string, string>;
}

/** Prefixes that name a quantity rather than an object: `pt_1`, `m_vis`, `iso_2` are branches of their own. */
const QUANTITY_PREFIXES = new Set(["pt", "eta", "phi", "m", "mass", "e", "energy", "px", "py", "pz", "mt", "iso", "q", "charge", "dxy", "dz", "d0"]);

/** A suffix that can be a field: a name, not a number. */
function fieldLike(suffix: string): boolean {
  return /^[A-Za-z]/.test(suffix);
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
  const ungrouped = new Map<string, string>();
  for (const [prefix, all] of byPrefix) {
    const members = all.filter((b) => fieldLike(b.name.slice(prefix.length + 1)));
    const numbered = all.filter((b) => !fieldLike(b.name.slice(prefix.length + 1)));
    const jagged = members.filter((b) => b.kind === "jagged" && dtypeType(b.dtype));
    const flat = members.filter((b) => b.kind === "flat" && dtypeType(b.dtype));
    const countBranch = ["n" + prefix, "N" + prefix].find((n) => branches.has(n));
    // A prefix is a collection when it has jagged members; otherwise, with two or more flat
    // members that look like fields of one object, a single record per event.
    const quantity = QUANTITY_PREFIXES.has(prefix.toLowerCase());
    const shape: "jagged" | "single" | undefined = jagged.length > 0 ? "jagged" : flat.length >= 2 && !quantity ? "single" : undefined;
    if (!shape) {
      if (all.length >= 2) {
        const names = all.slice(0, 3).map((b) => "`" + b.name + "`").join(", ") + (all.length > 3 ? ", ..." : "");
        ungrouped.set(prefix, quantity
          ? `not grouped into a record \`${prefix}\`: \`${prefix}\` names a quantity, so ${names} are values of several objects, each a branch of its own`
          : numbered.length > 0
            ? `not grouped into a record \`${prefix}\`: ${names} are numbered (a field name starts with a letter), each a branch of its own`
            : `not grouped into a record \`${prefix}\`: fewer than two flat branches look like its fields`);
      }
      continue;
    }
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
  return { branches, collections, ungrouped };
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
