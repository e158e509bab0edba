/**
 * chevrotain's runtime values, from the single-file build its package ships.
 *
 * The package's entry point loads chevrotain's sources module by module, and lodash-es with them:
 * some 650 files, half a second at every start of hepc (measured: 530 ms against 45 ms for the
 * bundle, on Node 20). The bundle is the same release of the same code. Types still come from the
 * package (`import type ... from "chevrotain"`), and every value hepc uses comes from here, so no
 * class is ever loaded twice. If a later chevrotain stops shipping the bundle, the entry point is
 * used instead.
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type * as Chevrotain from "chevrotain";

async function load(): Promise<typeof Chevrotain> {
  try {
    const entry = createRequire(import.meta.url).resolve("chevrotain"); // …/chevrotain/lib/src/api.js
    return (await import(pathToFileURL(path.join(path.dirname(entry), "..", "chevrotain.mjs")).href)) as typeof Chevrotain;
  } catch {
    return await import("chevrotain");
  }
}

const chevrotain = await load();

export const { createToken, Lexer, EmbeddedActionsParser } = chevrotain;
