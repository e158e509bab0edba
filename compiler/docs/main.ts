/**
 * Writes the generated reference pages (docs/diagnostics.md, docs/stdlib.md) into the repository
 * this file belongs to. Run it compiled: `npx tsc -p tsconfig.json && node dist/compiler/docs/main.js`
 * (`npm run docs`). With `--check` it writes nothing and exits with status 1 when a page is stale.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { generatedDocs } from "./generate.js";

/** The repository root: the nearest folder above this file with hepc's package.json (works from src and dist). */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, "utf8")) as { name?: string }).name === "hepc") return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error("cannot find the hepc repository above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

function main(argv: string[]): number {
  const checkOnly = argv.includes("--check");
  const root = repoRoot();
  let stale = 0;
  for (const [rel, text] of Object.entries(generatedDocs())) {
    const abs = path.join(root, rel);
    const old = fs.existsSync(abs) ? fs.readFileSync(abs, "utf8") : undefined;
    if (old === text) continue;
    stale++;
    if (checkOnly) {
      process.stderr.write(`${rel} is stale\n`);
      continue;
    }
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
    process.stdout.write(`wrote ${rel}\n`);
  }
  return checkOnly && stale > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
