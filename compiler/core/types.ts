/**
 * Types of .hep expressions. Per-event values are scalars (bool, int, float), records (one object:
 * a muon, a pair of objects, a four-vector) or lists (jagged: one list per event, of scalars or
 * records). `error` is the poison type: an expression that already produced a diagnostic has it,
 * and nothing reports again about it.
 */

export type Scalar = "bool" | "int" | "float";

export type Type =
  | { kind: "scalar"; scalar: Scalar }
  | { kind: "string" }
  | { kind: "record"; record: RecordType }
  | { kind: "list"; element: Type }
  | { kind: "error" };

export interface RecordType {
  /** "Muon", "pair<Muon,Tau>", "p4" */
  name: string;
  fields: ReadonlyMap<string, Type>;
  /** A record with kinematics (pt, eta, phi, mass, E, px, py, pz) can be added and used as a four-vector. */
  lorentz: boolean;
}

export const BOOL: Type = { kind: "scalar", scalar: "bool" };
export const INT: Type = { kind: "scalar", scalar: "int" };
export const FLOAT: Type = { kind: "scalar", scalar: "float" };
export const STRING: Type = { kind: "string" };
export const ERROR: Type = { kind: "error" };

export function list(element: Type): Type {
  return { kind: "list", element };
}

export const KINEMATIC_FIELDS = ["pt", "eta", "phi", "mass", "E", "px", "py", "pz"] as const;

/** A bare four-vector: the sum of two objects, or one built with p4()/ptetaphim()/met(). */
export const P4_RECORD: RecordType = {
  name: "p4",
  fields: new Map(KINEMATIC_FIELDS.map((f) => [f, FLOAT])),
  lorentz: true,
};
export const P4: Type = { kind: "record", record: P4_RECORD };

export function isNumeric(t: Type): boolean {
  return t.kind === "scalar" && (t.scalar === "int" || t.scalar === "float");
}
export function isScalar(t: Type): boolean {
  return t.kind === "scalar";
}
export function isError(t: Type): boolean {
  return t.kind === "error" || (t.kind === "list" && isError(t.element));
}
export function isLorentz(t: Type): boolean {
  return t.kind === "record" && t.record.lorentz;
}

export function typeToString(t: Type): string {
  switch (t.kind) {
    case "scalar":
      return t.scalar;
    case "string":
      return "string";
    case "record":
      return t.record.name;
    case "list":
      return t.element.kind === "record" ? `collection<${t.element.record.name}>` : `list<${typeToString(t.element)}>`;
    case "error":
      return "?";
  }
}

/** "a per-event float", "a collection (one list per event)": words for messages. */
export function describe(t: Type): string {
  switch (t.kind) {
    case "list":
      return `${typeToString(t)} (a list per event)`;
    case "record":
      return `a single ${t.record.name} object`;
    default:
      return typeToString(t);
  }
}

export function sameType(a: Type, b: Type): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "scalar":
      return a.scalar === (b as typeof a).scalar;
    case "record":
      return a.record.name === (b as typeof a).record.name;
    case "list":
      return sameType(a.element, (b as typeof a).element);
    default:
      return true;
  }
}

/** int op int stays int; anything with a float is float. */
export function numericJoin(a: Type, b: Type): Type {
  return a.kind === "scalar" && b.kind === "scalar" && a.scalar === "int" && b.scalar === "int" ? INT : FLOAT;
}
