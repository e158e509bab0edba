/** `hepc plan FILE.hep [--json|--yaml] [--format text|json]`: the compiled plan, canonical. */
import { stringify } from "yaml";
import { compilePlan, hasErrors } from "../../compiler/compile.js";
import { canonicalize, canonicalJson } from "../../plan/canonical.js";
import { diagnosticsJson, printDiagnostics, sourcesOf } from "../diagnostics.js";
import { nodeHost } from "../host.js";
import { SET_HELP, takeSets } from "../set.js";
import { CliIo, EXIT_ERRORS, EXIT_OK, parseArgs, UsageError } from "../io.js";
import { formatOption } from "./check.js";

export const HELP = `usage: hepc plan FILE.hep [--json | --yaml] [--format text|json] [--set NAME=VALUE ...]

Compiles the analysis and prints its plan: the DAG of nodes (read, weight, define, filter, scale,
train, predict, evaluate, histogram, cutflow, write), each with the source span it came from and a
content hash of everything upstream. Canonical: the same inputs give the same bytes.
--json (default) or --yaml choose the plan's format; --format chooses the diagnostics' format.
With --format json, stdout holds one JSON document: the plan, or {"diagnostics": [...]} when
there is none; warnings beside a plan go to stderr as {"diagnostics": [...]}.

${SET_HELP}
`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const sets = takeSets(argv);
  const args = parseArgs(sets.argv, { flags: ["help", "json", "yaml"], options: ["format"] });
  if (args.flags.has("help")) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  if (args.positionals.length !== 1) throw new UsageError(`expected one .hep file\n\n${HELP}`);
  if (args.flags.has("json") && args.flags.has("yaml")) throw new UsageError("choose one of --json and --yaml");
  const format = formatOption(args.options.get("format"));
  const c = await compilePlan(args.positionals[0], nodeHost(io.cwd), { params: sets.params });
  if (hasErrors(c.diagnostics) || !c.plan) {
    printDiagnostics(io, c.diagnostics.filter((d) => d.severity === "error" || format === "json"), sourcesOf(c), format);
    return EXIT_ERRORS;
  }
  // The plan is stdout's one document: warnings beside it go to stderr.
  if (format === "json" && c.diagnostics.length) io.stderr(JSON.stringify({ diagnostics: diagnosticsJson(c.diagnostics, sourcesOf(c)) }, null, 2) + "\n");
  io.stdout(args.flags.has("yaml") ? stringify(canonicalize(c.plan), { lineWidth: 0 }) : canonicalJson(c.plan));
  return EXIT_OK;
}
