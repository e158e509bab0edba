/** Examples copied into scratch folders for tests that run them (and so write .hepc/ and out/). */
import { cpSync } from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";
import { nodeHost } from "../../cli/host.js";
import { compilePlan } from "../../compiler/compile.js";
import type { Plan } from "../../plan/types.js";
import { repoPath } from "./repo.js";

/** A fresh copy of examples/NAME under `root`, without earlier runs' state or outputs. */
export function copyExample(root: string, name: string): string {
  const dir = path.join(root, `${name}-${Math.random().toString(36).slice(2)}`);
  const from = repoPath("examples", name);
  // judged by the path inside the example: the checkout's own path may contain "/out" too
  const skip = (src: string) => path.relative(from, src).split(path.sep).some((part) => part === ".hepc" || part === "out");
  cpSync(from, dir, { recursive: true, filter: (src) => !skip(src) });
  return dir;
}

/** The plan of an analysis that must compile without errors. */
export async function planOf(file: string): Promise<Plan> {
  const c = await compilePlan(file, nodeHost(path.dirname(file)));
  expect(c.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  return c.plan!;
}
