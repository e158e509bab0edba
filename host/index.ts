/**
 * The compiler's window on disk. In: a working directory. Out: a `CompilerHost` (compiler/host.ts)
 * that reads files and globs from the file system and ROOT tree metadata (branches, types, entry
 * counts; never baskets) through runtime/io, with schemas cached by path, size and modification
 * time. Shared by the CLI and the language server, so neither imports the other.
 *
 * May import compiler/ (the host interface, globbing), runtime/io and runtime/source (the metadata
 * reader); must not import runtime/exec, runtime/columns, cli/ or lsp/.
 */
export { nodeHost } from "./disk.js";
