/** `hepc check FILE.hep [--format text|json]`: parse and type-check against the samples' ROOT files. */
import { compile, hasErrors } from "../../compiler/compile.js";
import { printDiagnostics, sourcesOf } from "../diagnostics.js";
import { nodeHost } from "../host.js";
import { SET_HELP, takeSets } from "../set.js";
import { CliIo, EXIT_ERRORS, EXIT_OK, parseArgs, UsageError } from "../io.js";

export const HELP = `usage: hepc check FILE.hep [--format text|json] [--set NAME=VALUE ...]

Parses the analysis and its includes, and checks names, types and inputs against the samples'
ROOT files (their metadata only). Exit code 0 when there is no error, 1 when there are errors.

${SET_HELP}
`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const sets = takeSets(argv);
  const args = parseArgs(sets.argv, { flags: ["help"], options: ["format"] });
  if (args.flags.has("help")) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  const format = formatOption(args.options.get("format"));
  if (args.positionals.length !== 1) throw new UsageError(`expected one .hep file\n\n${HELP}`);
  const c = await compile(args.positionals[0], nodeHost(io.cwd), { params: sets.params });
  printDiagnostics(io, c.diagnostics, sourcesOf(c), format);
  return hasErrors(c.diagnostics) ? EXIT_ERRORS : EXIT_OK;
}

export function formatOption(v: string | undefined): "text" | "json" {
  if (v === undefined || v === "text") return "text";
  if (v === "json") return "json";
  throw new UsageError(`--format must be text or json, not '${v}'`);
}
