/**
 * `hepc lock FILE.hep`: pins the sha256 of every input file into FILE.hep.lock, beside the analysis.
 * From then on the plan's hashes use those checksums and a run refuses inputs that changed.
 */
import { createHash } from "node:crypto";
import { createReadStream, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { compilePlan, hasErrors } from "../../compiler/compile.js";
import { canonicalJson } from "../../plan/canonical.js";
import { lockPathFor, LockFile } from "../../compiler/plan/lock.js";
import { printDiagnostics, sourcesOf } from "../diagnostics.js";
import { nodeHost } from "../host.js";
import { CliIo, EXIT_ERRORS, EXIT_OK, parseArgs, UsageError } from "../io.js";

export const HELP = `usage: hepc lock FILE.hep

Writes FILE.hep.lock with the size and sha256 of every input file of the analysis.
`;

export async function sha256File(p: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(p)) h.update(chunk as Buffer);
  return h.digest("hex");
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { flags: ["help"] });
  if (args.flags.has("help")) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  if (args.positionals.length !== 1) throw new UsageError(`expected one .hep file\n\n${HELP}`);
  const abs = path.resolve(io.cwd, args.positionals[0]);
  const lockAbs = lockPathFor(abs);
  // Compile against the files as they are: an old lock must not veto its own renewal.
  const host = nodeHost(io.cwd);
  const unlocked = { ...host, readFile: (p: string) => (p === lockAbs ? undefined : host.readFile(p)) };
  const c = await compilePlan(args.positionals[0], unlocked);
  printDiagnostics(io, c.diagnostics.filter((d) => d.severity === "error"), sourcesOf(c), "text");
  if (hasErrors(c.diagnostics) || !c.plan) return EXIT_ERRORS;
  const lock: LockFile = { format: "hepc-lock/1", inputs: {} };
  for (const input of c.plan.inputs) {
    lock.inputs[input.path] = { size: input.size, sha256: await sha256File(path.resolve(path.dirname(abs), input.path)) };
  }
  const tmp = `${lockAbs}.tmp-${process.pid}`;
  writeFileSync(tmp, canonicalJson(lock));
  renameSync(tmp, lockAbs);
  io.stdout(`locked ${c.plan.inputs.length} input file(s) in ${path.relative(io.cwd, lockAbs) || lockAbs}\n`);
  return EXIT_OK;
}
