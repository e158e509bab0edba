/** hepc's version, from its package.json (found upward from this file: it runs from source and from dist/). */
import { readFileSync } from "node:fs";

let cached: string | undefined;

export function hepcVersion(): string {
  if (cached) return cached;
  for (let up = "../"; up.length < 16; up += "../") {
    try {
      const pkg = JSON.parse(readFileSync(new URL(`${up}package.json`, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "hepc" && pkg.version) return (cached = pkg.version);
    } catch {
      // not at this level
    }
  }
  return (cached = "0.0.0");
}
