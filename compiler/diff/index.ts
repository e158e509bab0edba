/**
 * `hepc diff`: what a change of analysis means, for reviewers.
 *
 * In: two compiled analyses, each with its plan (the old and the new side; the CLI compiles them
 * from files or git revisions). Out: a `Diff` value (types.ts, diff.schema.json), computed by pure
 * functions, rendered as text, Markdown or JSON (render.ts).
 *
 * - The compiled analyses are compared, not their text: every declaration (the analysis header,
 *   samples, groups, objects, defines, regions, bins, features, models, and per model its train
 *   and evaluate blocks, and each item of the outputs) is paired with its counterpart by kind and
 *   name, and its fields are compared by keys built from the checked tree and the lowered
 *   expressions (decls.ts). Layout, comments, declaration order, the file a declaration lives in,
 *   number spelling and units do not count; a declaration renamed with identical content is a
 *   rename, and references to it do not change their users (compare.ts).
 * - Impact comes from the plans' content hashes (impact.ts): for each change, the results
 *   downstream of its plan nodes that must be recomputed (their hash is new), classified as
 *   retraining, re-evaluation, re-filling or rewriting, and those provably unchanged (their hash
 *   exists on the old side). A changed input file (locked sha256, size or modification time) is a
 *   change too; modification times never appear in the output.
 */
export { diffSides } from "./compare.js";
export type { Side } from "./decls.js";
export { renderMarkdown, renderText } from "./render.js";
export { validateDiff } from "./validate.js";
export * from "./types.js";
