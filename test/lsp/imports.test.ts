/**
 * The language server loads the compiler and the ROOT metadata reader only: never the runtime's
 * executor or kernels, onnxruntime or TensorFlow (they are slow to load and not needed to edit).
 * Follows the static and dynamic imports of the sources from the server's entry points.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/repo.js";

function importGraph(entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = entries.map((e) => path.join(REPO_ROOT, e));
  while (queue.length) {
    const f = queue.pop()!;
    if (files.has(f)) continue;
    files.add(f);
    const src = readFileSync(f, "utf8");
    for (const m of src.matchAll(/(?:import|export)\s[^"';]*?from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g)) {
      const spec = m[1] ?? m[2];
      if (/^import\s+type\s/.test(m[0]) || /^export\s+type\s/.test(m[0])) continue;
      if (spec.startsWith(".")) {
        const ts = path.resolve(path.dirname(f), spec).replace(/\.js$/, ".ts");
        if (existsSync(ts)) queue.push(ts);
      } else packages.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
    }
  }
  return { files, packages };
}

it("hepc lsp never loads the executor, the kernels, onnxruntime or TensorFlow", () => {
  const { files, packages } = importGraph(["cli/commands/lsp.ts", "lsp/server.ts"]);
  const rel = [...files].map((f) => path.relative(REPO_ROOT, f).split(path.sep).join("/"));
  expect(rel).toContain("lsp/features/completion.ts");
  expect(rel).toContain("host/disk.ts");
  expect(rel.filter((f) => f.startsWith("runtime/exec/") || f.startsWith("runtime/columns/"))).toEqual([]);
  expect([...packages].filter((p) => /onnxruntime|tensorflow/.test(p))).toEqual([]);
});
