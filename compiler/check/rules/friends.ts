/**
 * Friend inputs: `friend "preds/*.root" tree "scores"` in a sample. The friend files pair with the
 * sample's files one by one (both in the order their patterns list them), each pair must hold the
 * same number of entries, and the friend tree's branches join the sample's names (the sample's own
 * branch wins a clash, with a warning). Only tree metadata is read, as for the sample itself.
 */
import * as path from "node:path";
import type * as A from "../../../grammar/ast.js";
import type { CompilerHost, TreeSchema } from "../../host.js";
import { hasGlob } from "../../load/glob.js";
import { displayPath } from "../../load/program.js";
import type { CheckContext, SampleInput } from "../context.js";
import { textOf } from "./params.js";

type FriendProp = Extract<A.SampleProp, { prop: "friend" }>;

/** Checks a sample's friend and returns the sample's schema with the friend's branches added, or undefined when it cannot be joined. */
export async function joinFriend(ctx: CheckContext, host: CompilerHost, input: SampleInput, prop: FriendProp, file: string, baseDir: string, entries: number[]): Promise<TreeSchema | undefined> {
  if (prop.files.kind !== "String" || prop.tree.kind !== "String" || !input.schema) return undefined;
  const pattern = textOf(ctx, file, prop.files);
  const tree = textOf(ctx, file, prop.tree);
  if (path.isAbsolute(pattern) || /^[a-z][a-z0-9+.-]*:\/\//i.test(pattern)) {
    ctx.report("HEP2017", file, prop.files.span, { path: pattern });
    return undefined;
  }
  const abs = path.resolve(baseDir, pattern);
  const matches = hasGlob(pattern) ? host.glob(abs) : [abs];
  if (matches.length === 0) {
    ctx.report("HEP2006", file, prop.files.span, { pattern });
    return undefined;
  }
  if (matches.length !== input.files.length) {
    ctx.report("HEP2052", file, prop.files.span, { name: input.name, files: input.files.length, pattern, friends: matches.length });
    return undefined;
  }
  let friendSchema: TreeSchema | undefined;
  for (let k = 0; k < matches.length; k++) {
    const shown = displayPath(matches[k], host.cwd);
    const res = await host.treeSchema(matches[k], tree);
    if (!res.ok) {
      if (res.error === "no-tree") ctx.report("HEP2008", file, prop.tree.span, { tree, file: shown });
      else if (res.error === "not-root") ctx.report("HEP2007", file, prop.files.span, { file: shown, reason: res.message });
      else ctx.report("HEP2005", file, prop.files.span, { file: shown, reason: res.message });
      return undefined;
    }
    if (res.schema.entries !== entries[k]) {
      ctx.report("HEP2051", file, prop.files.span, { tree, file: shown, entries: res.schema.entries, sampleTree: input.tree, sampleFile: input.files[k].path, sampleEntries: entries[k] });
      return undefined;
    }
    friendSchema ??= res.schema;
  }
  const own = new Set(input.schema.branches.map((b) => b.name));
  const added = friendSchema!.branches.filter((b) => {
    if (!own.has(b.name)) return true;
    ctx.report("HEP2053", file, prop.tree.span, { name: b.name, tree });
    return false;
  });
  input.friend = { tree, files: matches.map((m) => ({ path: displayPath(m, host.cwd), abs: m })), branches: new Set(added.map((b) => b.name)) };
  return { ...input.schema, branches: [...input.schema.branches, ...added] };
}
