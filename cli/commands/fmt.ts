/**
 * `hepc fmt [--check] FILE|DIR...`: rewrite .hep files in the canonical layout (compiler/fmt).
 * Files are replaced atomically (a temporary file renamed over the original) and only when the
 * text changes. `--check` writes nothing and lists the files that would change. `-` (or `--stdin`)
 * formats standard input to standard output, for editors.
 */
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { diagnostic } from "../../compiler/core/diagnostics.js";
import { sourceFile } from "../../compiler/core/source.js";
import { FormatError, formatText } from "../../compiler/fmt/index.js";
import { decodeSource } from "../../compiler/load/program.js";
import { printDiagnostics } from "../diagnostics.js";
import { CliIo, EXIT_ERRORS, EXIT_OK, EXIT_USAGE, parseArgs, UsageError } from "../io.js";

export const HELP = `usage: hepc fmt [--check] FILE.hep|DIR...
       hepc fmt -            (or --stdin: read standard input, write standard output)

Rewrites .hep files in hepc's one layout, keeping every comment. A directory stands for the .hep
files under it. Files with syntax errors are reported and left as they are.

  --check   write nothing; list the files that are not formatted
            (exit code 1 if there is any)

Exit code 0 when all went well, 1 for syntax errors (or unformatted files with --check), 2 for
unreadable files or bad arguments.
`;

/** A CliIo may bring its own standard input (tests do); otherwise the process's is read. */
type FmtIo = CliIo & { readStdin?: () => Promise<string> };

export async function run(argv: string[], io: FmtIo): Promise<number> {
  const args = parseArgs(argv, { flags: ["help", "check", "stdin"] });
  if (args.flags.has("help")) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  const check = args.flags.has("check");
  const inputs = [...args.positionals, ...args.rest];
  const stdin = args.flags.has("stdin") || inputs.includes("-");
  if (stdin) {
    if (inputs.some((a) => a !== "-")) throw new UsageError("standard input ('-' or --stdin) cannot be mixed with files");
    return formatStdin(io, check);
  }
  if (inputs.length === 0) throw new UsageError(`expected .hep files or directories\n\n${HELP}`);

  let exit = EXIT_OK;
  const worse = (code: number) => (exit = Math.max(exit, code));
  for (const file of await expand(inputs, io, worse)) {
    const abs = path.resolve(io.cwd, file);
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(abs);
    } catch (e) {
      io.stderr(`hepc fmt: cannot read ${file}: ${reason(e)}\n`);
      worse(EXIT_USAGE);
      continue;
    }
    const text = decodeSource(bytes);
    if (text === undefined) {
      printDiagnostics(io, [diagnostic("HEP1007", file, { start: 0, end: 0 })], new Map(), "text");
      worse(EXIT_ERRORS);
      continue;
    }
    // The decoder drops a byte-order mark; the formatter keeps one when it sees it.
    const source = hasBom(bytes) ? `\ufeff${text}` : text;
    const formatted = format(io, file, source);
    if (formatted === undefined) {
      worse(EXIT_ERRORS);
      continue;
    }
    if (formatted === source) continue;
    if (check) {
      io.stdout(`${file}\n`);
      worse(EXIT_ERRORS);
      continue;
    }
    try {
      await writeAtomically(abs, formatted);
    } catch (e) {
      io.stderr(`hepc fmt: cannot write ${file}: ${reason(e)}\n`);
      worse(EXIT_USAGE);
    }
  }
  return exit;
}

/** The formatted text, or undefined after printing why the file cannot be formatted. */
function format(io: CliIo, file: string, text: string): string | undefined {
  try {
    const r = formatText(file, text);
    if (r.text === undefined) {
      printDiagnostics(io, r.diagnostics, new Map([[file, sourceFile(file, text)]]), "text");
      return undefined;
    }
    return r.text;
  } catch (e) {
    if (e instanceof FormatError) {
      io.stderr(`hepc fmt: ${e.message}\n`);
      return undefined;
    }
    throw e;
  }
}

async function formatStdin(io: FmtIo, check: boolean): Promise<number> {
  const text = await (io.readStdin ?? readProcessStdin)();
  const formatted = format(io, "<stdin>", text);
  if (formatted === undefined) return EXIT_ERRORS;
  if (check) {
    if (formatted === text) return EXIT_OK;
    io.stdout("<stdin>\n");
    return EXIT_ERRORS;
  }
  io.stdout(formatted);
  return EXIT_OK;
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** Files as named, and the .hep files under named directories (sorted; hidden folders and node_modules skipped). */
async function expand(inputs: string[], io: CliIo, worse: (code: number) => void): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    let isDir = false;
    try {
      isDir = (await fs.stat(path.resolve(io.cwd, input))).isDirectory();
    } catch {
      // Reported when the file is read.
    }
    if (!isDir) {
      out.push(input);
      continue;
    }
    const found: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(path.resolve(io.cwd, dir), { withFileTypes: true });
      } catch (e) {
        io.stderr(`hepc fmt: cannot read ${dir}: ${reason(e)}\n`);
        worse(EXIT_USAGE);
        return;
      }
      for (const e of entries) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (!e.name.startsWith(".") && e.name !== "node_modules") await walk(p);
        } else if (e.isFile() && e.name.endsWith(".hep")) found.push(p);
      }
    };
    await walk(input);
    out.push(...found.sort());
  }
  return out;
}

/** Writes next to the file, then renames over it: a reader sees the old text or the new, never half. */
async function writeAtomically(file: string, text: string): Promise<void> {
  // Through a symbolic link: replace the file it points to, not the link.
  const abs = await fs.realpath(file);
  const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const mode = (await fs.stat(abs)).mode & 0o7777;
    await fs.writeFile(tmp, text, { mode });
    await fs.chmod(tmp, mode);
    await fs.rename(tmp, abs);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

function hasBom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === "ENOENT") return "no such file";
  if (err?.code === "EISDIR") return "is a directory";
  if (err?.code === "EACCES" || err?.code === "EPERM") return "permission denied";
  return err?.message ?? String(e);
}
