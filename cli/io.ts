/**
 * The CLI's window on the world. Commands write through this instead of `process` so tests can run
 * them in-process and capture what a user would see.
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal: colour and progress bars only then. */
  readonly isTTY: boolean;
  readonly cwd: string;
  /** The terminal's width in characters, when stdout is one (tables are laid out to fit it). */
  readonly columns?: number;
}

// `hepc … | head` closes the pipe early: that is the reader's choice, not an error to crash on.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

export const processIo: CliIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  isTTY: Boolean(process.stdout.isTTY),
  cwd: process.cwd(),
  get columns() {
    return process.stdout.columns;
  },
};

/**
 * Ctrl-C in a real process. Until a command takes it over (a run aborting its work), an interrupt
 * says so and exits 130: it can only have stopped work that had written nothing yet. Installed by
 * main() for the process's own io only; in-process callers (tests) keep their own signals.
 */
let interruptHandler: (() => void) | null = null;
let interruptsCaught = false;

export function catchInterrupts(onUnclaimed: () => void): void {
  if (interruptsCaught) return;
  interruptsCaught = true;
  process.on("SIGINT", () => (interruptHandler ? interruptHandler() : onUnclaimed()));
}

/** Routes Ctrl-C to `fn` until the returned function is called. */
export function onInterrupt(fn: () => void): () => void {
  const previous = interruptHandler;
  interruptHandler = fn;
  return () => {
    if (interruptHandler === fn) interruptHandler = previous;
  };
}

/** Exit codes shared by every command: 0 clean, 1 errors found in the user's input, 2 usage or environment. */
export const EXIT_OK = 0;
export const EXIT_ERRORS = 1;
export const EXIT_USAGE = 2;
/** 128 + SIGINT, as shells report a process stopped by Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

/** A user-facing failure of a command (bad arguments, unreadable input): printed without a stack trace. */
export class UsageError extends Error {
  constructor(message: string, readonly exitCode = EXIT_USAGE) {
    super(message);
  }
}

/** Splits argv into positionals and `--flag`/`--flag value`/`--flag=value` options. */
export function parseArgs(
  argv: string[],
  spec: { flags?: string[]; options?: string[] },
): { positionals: string[]; flags: Set<string>; options: Map<string, string>; rest: string[] } {
  const flags = new Set<string>();
  const options = new Map<string, string>();
  const positionals: string[] = [];
  const known = new Set([...(spec.flags ?? []), ...(spec.options ?? [])]);
  let rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      rest = argv.slice(i + 1);
      break;
    }
    if (a.startsWith("--") && a.length > 2) {
      const eq = a.indexOf("=");
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (!known.has(name)) throw new UsageError(`unknown option --${name}`);
      if (spec.options?.includes(name)) {
        const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`option --${name} needs a value`);
        options.set(name, value);
      } else {
        if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
        flags.add(name);
      }
    } else {
      positionals.push(a);
    }
  }
  return { positionals, flags, options, rest };
}
