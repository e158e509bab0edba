/**
 * How a ROOT branch becomes a column, as both sides see it: the reader decides it from the file,
 * the checker types expressions with it. Declared here once so the two cannot drift apart.
 */

/** flat: one value per entry; jagged: a counted list per entry; fixed: a fixed-size array per entry;
 * unsupported: a branch the reader lists but does not turn into numbers (its reason says why). */
export type BranchKind = "flat" | "jagged" | "fixed" | "unsupported";
