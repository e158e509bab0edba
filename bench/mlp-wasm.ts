/**
 * Assembles runtime/models/mlp/simd.wat with wabt and checks that simd.ts embeds those bytes
 * (WASM_BASE64); with --write, rewrites the embedded string. wabt is not a dependency of hepc:
 *
 *   npm install --no-save wabt && npm run build && node dist/bench/mlp-wasm.js [--write]
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { WASM_BASE64 } from "../runtime/models/mlp/simd.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const wat = path.join(repo, "runtime/models/mlp/simd.wat");
const ts = path.join(repo, "runtime/models/mlp/simd.ts");
// a name in a variable: TypeScript does not look for wabt's types, which are not installed
const wabtName = "wabt";
const wabt = await ((await import(wabtName)) as { default: () => Promise<{ parseWat(name: string, text: string, features: object): { toBinary(o: object): { buffer: Uint8Array } } }> }).default();
const bytes = wabt.parseWat("simd.wat", readFileSync(wat, "utf8"), { simd: true }).toBinary({}).buffer;
const b64 = Buffer.from(bytes).toString("base64");
if (b64 === WASM_BASE64) console.log(`simd.ts embeds simd.wat (${bytes.length} bytes): up to date`);
else if (process.argv.includes("--write")) {
  const src = readFileSync(ts, "utf8").replace(/export const WASM_BASE64 = "[^"]*";/, `export const WASM_BASE64 = "${b64}";`);
  writeFileSync(ts, src);
  console.log(`simd.ts rewritten (${bytes.length} bytes)`);
} else {
  console.log("simd.ts does not embed the current simd.wat: run with --write");
  process.exitCode = 1;
}
