#!/usr/bin/env node
// The published entry point: a plain-JS shim so `npx hepc` works without a TypeScript loader.
// The compiled CLI lives in dist/ (built by `npm install`/`npm ci` through the `prepare` script).
import { existsSync } from "node:fs";
import module from "node:module";
import { fileURLToPath } from "node:url";

// Node 22.1+ keeps the compiled code of hepc's modules between runs (a no-op on Node 20): start-up
// is mostly loading modules.
module.enableCompileCache?.();

const main = new URL("../../dist/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write("hepc: the compiled CLI is missing; run `npm install` (or `npm run build`) in the hepc folder.\n");
  process.exit(2);
}
const { main: run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
