/**
 * The boxes as `.hep` text an analyst pastes into an analysis: one region per box, in the
 * features' own units, e.g. `region wp90 = ht > 312.5 and mjj < 840`.
 */
import type { CutsModelJson } from "./model.js";

export interface HepOptions {
  /** Region names are PREFIX followed by the target in percent (`wp90`, `wp92p5`). */
  prefix?: string;
}

/**
 * One `region` line per box. `featureNames` are what a region can refer to for each feature in
 * the features list's order: a define's name or the feature's expression as text (an expression
 * that is not a plain name, member or index is put in parentheses). A box without cuts is `true`.
 */
export function cutsToHep(model: CutsModelJson | { toJSON(): unknown }, featureNames: string[], opts: HepOptions = {}): string[] {
  const m = ("toJSON" in model ? model.toJSON() : model) as CutsModelJson;
  const prefix = opts.prefix ?? "wp";
  if (featureNames.length !== m.features) throw new Error(`hepc internal: ${featureNames.length} feature names for a cut_and_count model of ${m.features} features`);
  return m.boxes.map((box) => {
    const terms: string[] = [];
    for (const c of box.cuts) {
      const x = operand(featureNames[c.feature]);
      if (c.above !== null) terms.push(`${x} > ${number(c.above)}`);
      if (c.below !== null) terms.push(`${x} < ${number(c.below)}`);
    }
    return `region ${prefix}${percent(box.target)} = ${terms.length ? terms.join(" and ") : "true"}`;
  });
}

function operand(text: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*$/.test(text) ? text : `(${text})`;
}

/** A number as the language reads it: JavaScript's shortest form (`1e-7`, `2.5e+21` lex as numbers). */
function number(x: number): string {
  return String(x);
}

function percent(target: number): string {
  return String(Number((target * 100).toPrecision(12))).replace(".", "p");
}
