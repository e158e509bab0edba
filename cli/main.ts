/**
 * hepc's command-line entry. The only place in the project that prints or decides exit codes.
 * Each command is a module under cli/commands exporting `run(argv, io) => Promise<exitCode>`.
 */
import { catchInterrupts, CliIo, EXIT_INTERRUPTED, EXIT_USAGE, processIo, UsageError } from "./io.js";

type Command = { summary: string; load: () => Promise<{ run(argv: string[], io: CliIo): Promise<number> }> };

const commands: Record<string, Command> = {
  check: { summary: "parse and type-check an analysis against its ROOT files", load: () => import("./commands/check.js") },
  run: { summary: "run the analysis on its samples: cutflows, histograms, outputs", load: () => import("./commands/run.js") },
  plan: { summary: "print the compiled plan (JSON or YAML)", load: () => import("./commands/plan.js") },
  diff: { summary: "what an analysis change means: changed declarations and what to recompute", load: () => import("./commands/diff.js") },
  runs: { summary: "list, show, compare, tag, gc, merge and export (MLflow) the stored runs", load: () => import("./commands/runs.js") },
  reproduce: { summary: "rerun a stored run from its plan and locked inputs; check the outputs are identical", load: () => import("./commands/reproduce.js") },
  lock: { summary: "pin the sha256 of every input file into a lock file", load: () => import("./commands/lock.js") },
  fmt: { summary: "rewrite .hep files in the canonical layout, or list those that differ (--check)", load: () => import("./commands/fmt.js") },
  inspect: { summary: "list the objects of a ROOT file, a tree's branches, or branch values", load: () => import("./commands/inspect.js") },
  task: { summary: "run one task of a scale-out work directory (what a batch job executes)", load: () => import("./commands/task.js") },
  status: { summary: "a scale-out work directory: tasks done, running and failed per stage", load: () => import("./commands/status.js") },
  cancel: { summary: "cancel the queued and running tasks of a scale-out work directory", load: () => import("./commands/cancel.js") },
  devices: { summary: "list the GPU adapters models can train on, or say why there is none", load: () => import("./commands/devices.js") },
  lsp: { summary: "run the language server (LSP over stdin/stdout) for editors", load: () => import("./commands/lsp.js") },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: hepc <command> [options]\n\ncommands:\n${lines.join("\n")}\n\nRun \`hepc <command> --help\` for a command's options.\n`;
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.stderr : io.stdout)(usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === "--version") {
    io.stdout(`hepc ${await version()}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`hepc: unknown command '${name}'\n\n${usage()}`);
    return EXIT_USAGE;
  }
  if (io === processIo) {
    catchInterrupts(() => {
      io.stderr(`hepc ${name}: interrupted\n`);
      process.exit(EXIT_INTERRUPTED);
    });
  }
  try {
    const mod = await command.load();
    return await mod.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`hepc ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}

export async function version(): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8"));
  return pkg.version as string;
}
