/** `hepc lsp`: the language server, speaking LSP over stdin/stdout until the client says exit. */
import { CliIo, EXIT_OK, parseArgs, UsageError } from "../io.js";

export const HELP = `usage: hepc lsp [--stdio]

Runs the hepc language server on stdin/stdout (the Language Server Protocol): diagnostics as
\`hepc check\` reports them, completion, hover, signature help, go to definition, references,
rename, outline, folding, semantic highlighting, formatting and quick fixes. Editors start it
themselves; see docs/editors.md.
`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { flags: ["help", "stdio"] });
  if (args.flags.has("help")) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  if (args.positionals.length) throw new UsageError(`unexpected argument '${args.positionals[0]}'\n\n${HELP}`);
  const { stdioConnection } = await import("../../lsp/transport.js");
  const { startServer } = await import("../../lsp/server.js");
  const connection = stdioConnection();
  // The connection owns stdout from here: nothing else may print to it.
  console.log = (...a: unknown[]) => connection.console.log(a.map(String).join(" "));
  startServer(connection);
  // The process ends on the client's `exit` notification (the library exits the process).
  await new Promise<never>(() => {});
  return EXIT_OK;
}
