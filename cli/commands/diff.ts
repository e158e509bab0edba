/**
 * `hepc diff`: the semantic difference of two analyses (files or git revisions) and what must be
 * recomputed. The comparison is compiler/diff; this module finds the two sides (reading old
 * sources with `git show`), compiles them, prints, and decides the exit code.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { compilePlan } from "../../compiler/compile.js";
import { diffSides, renderMarkdown, renderText, Side } from "../../compiler/diff/index.js";
import type { CompilerHost } from "../../compiler/host.js";
import { lockPathFor, readLock } from "../../compiler/plan/lock.js";
import { diagnosticsJson, printDiagnostics, sourcesOf } from "../diagnostics.js";
import { nodeHost } from "../host.js";
import { SET_HELP, takeSets } from "../set.js";
import { CliIo, EXIT_ERRORS, EXIT_OK, EXIT_USAGE, parseArgs, UsageError } from "../io.js";

export const HELP = `usage: hepc diff OLD.hep NEW.hep [--format text|markdown|json]
       hepc diff REV [REV2] -- FILE.hep [--format text|markdown|json]
       hepc diff --git PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE

Compares two compiled analyses, declaration by declaration (formatting, comments and declaration
order make no difference; a rename with identical content is a rename), and lists what must be
recomputed: models to retrain, evaluations to redo, histograms and cutflows to refill, outputs to
rewrite, and the results that provably stay the same (identical content hashes).

With revisions, the old side is FILE.hep (and every file it includes) as of REV, read with
\`git show\`; the new side is the working tree, or REV2. ROOT files are always read from the
working tree. --git is git's external diff calling convention (see docs/diff.md: a diff driver
for *.hep makes \`git diff\` show this).

Exit code: 0 no semantic change, 1 changes, 2 usage, git or compile errors (either side).
With --git, 0 whenever a diff was shown (git stops at a non-zero exit).

${SET_HELP}
                   (both sides; before any --)
`;

type Format = "text" | "markdown" | "json";

interface SideSpec {
  label: string;
  /** The analysis file's absolute path: where includes and samples resolve from. */
  abs: string;
  host: CompilerHost;
  overlay?: Map<string, string>;
  which: "old" | "new";
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const sets = takeSets(argv);
  const args = parseArgs(sets.argv, { flags: ["help", "git"], options: ["format"] });
  if (args.flags.has("help")) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  const format = formatOf(args.options.get("format"));
  const dashdash = argv.includes("--");
  if (args.flags.has("git") || (!dashdash && args.positionals.length === 7)) return gitDriver(args.positionals, io, format);

  let sides: [SideSpec, SideSpec];
  if (dashdash) {
    if (args.rest.some((a) => a.startsWith("--"))) throw new UsageError(`options go before --: ${args.rest.filter((a) => a.startsWith("--")).join(" ")}`);
    if (args.rest.length !== 1) throw new UsageError(`expected one .hep file after --\n\n${HELP}`);
    if (args.positionals.length < 1 || args.positionals.length > 2) throw new UsageError(`expected one or two revisions before --\n\n${HELP}`);
    sides = revisionSides(args.positionals, args.rest[0], io);
  } else {
    if (args.positionals.length !== 2) throw new UsageError(`expected two .hep files, or revisions and -- FILE.hep\n\n${HELP}`);
    const host = nodeHost(io.cwd);
    const [a, b] = args.positionals;
    for (const f of [a, b]) if (!fs.existsSync(path.resolve(io.cwd, f))) throw new UsageError(`no such file: ${f}`);
    sides = [
      { label: a, abs: path.resolve(io.cwd, a), host, which: "old" },
      { label: b, abs: path.resolve(io.cwd, b), host, which: "new" },
    ];
  }
  const compiled = await compileSides(sides, io, format, sets.params);
  if (!compiled) return EXIT_USAGE;
  const diff = diffSides(compiled[0], compiled[1]);
  print(io, format, diff);
  return diff.changed ? EXIT_ERRORS : EXIT_OK;
}

function formatOf(v: string | undefined): Format {
  if (v === undefined || v === "text" || v === "markdown" || v === "json") return v ?? "text";
  throw new UsageError(`--format must be text, markdown or json, not '${v}'`);
}

function print(io: CliIo, format: Format, diff: ReturnType<typeof diffSides>): void {
  if (format === "json") io.stdout(JSON.stringify(diff, null, 2) + "\n");
  else if (format === "markdown") io.stdout(renderMarkdown(diff));
  else io.stdout(renderText(diff, { color: io.isTTY }));
}

/** Compiles both sides; on an error prints that side's diagnostics and returns undefined (never a partial diff). */
async function compileSides(specs: [SideSpec, SideSpec], io: CliIo, format: Format, params: ReadonlyMap<string, string>): Promise<[Side, Side] | undefined> {
  const out: Side[] = [];
  for (const s of specs) {
    // `--set` applies to both sides: the diff is of the analyses as they run with these values
    const c = await compilePlan(s.abs, s.host, { ...(s.overlay ? { overlay: s.overlay } : {}), params });
    const errors = c.diagnostics.filter((d) => d.severity === "error");
    if (errors.length || !c.plan) {
      io.stderr(`hepc diff: the ${s.which} side (${s.label}) does not compile:\n`);
      printDiagnostics(io, errors, sourcesOf(c), "text");
      // JSON readers get one document on stdout whatever happened.
      if (format === "json") io.stdout(JSON.stringify({ side: s.which, file: s.label, diagnostics: diagnosticsJson(errors, sourcesOf(c)) }, null, 2) + "\n");
      return undefined;
    }
    out.push({ compilation: c, plan: c.plan, label: s.label });
  }
  return [out[0], out[1]];
}

// ---- git revisions ---------------------------------------------------------------------------

function git(cwd: string, args: string[]): { ok: boolean; stdout: Buffer; stderr: string } {
  const r = spawnSync("git", args, { cwd, maxBuffer: 1 << 30 });
  if (r.error) throw new UsageError(`cannot run git: ${r.error.message}`);
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr.toString("utf8").trim() };
}

function revisionSides(revs: string[], file: string, io: CliIo): [SideSpec, SideSpec] {
  const cwd = fs.realpathSync(io.cwd);
  const top = git(cwd, ["rev-parse", "--show-toplevel"]);
  if (!top.ok) throw new UsageError(`not in a git repository (${top.stderr || "git rev-parse failed"})`);
  const root = fs.realpathSync(top.stdout.toString("utf8").trim());
  for (const rev of revs) {
    if (rev.startsWith("-") || !git(root, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]).ok) throw new UsageError(`unknown revision '${rev}'`);
  }
  const abs = path.resolve(cwd, file);
  const rel = path.relative(root, abs);
  if (rel.startsWith("..") || path.isAbsolute(rel)) throw new UsageError(`${file} is outside the git repository`);
  const base = nodeHost(cwd);
  const side = (rev: string | undefined, which: "old" | "new"): SideSpec => {
    if (rev === undefined) {
      if (!fs.existsSync(abs)) throw new UsageError(`no such file: ${file}`);
      return { label: file, abs, host: base, which };
    }
    const host = revisionHost(base, root, rev, abs);
    if (!host.readFile(abs)) throw new UsageError(`${file} does not exist in ${rev}`);
    return { label: `${rev}:${file}`, abs, host, which };
  };
  return [side(revs[0], "old"), side(revs[1], "new")];
}

/**
 * The compiler's view of the repository at a revision: sources inside the repository (the
 * analysis, its includes, its lock file) come from `git show REV:path`; everything else, and every
 * ROOT file, from the working tree. Where the revision's lock file pins an input, the pinned size
 * is that input's size at the revision (the working-tree file may have changed since).
 */
function revisionHost(base: CompilerHost, root: string, rev: string, analysisAbs: string): CompilerHost {
  const cache = new Map<string, Uint8Array | undefined>();
  const readFile = (abs: string): Uint8Array | undefined => {
    const rel = path.relative(root, abs);
    if (rel.startsWith("..") || path.isAbsolute(rel)) return base.readFile(abs);
    if (!cache.has(abs)) {
      const r = git(root, ["show", `${rev}:${rel.split(path.sep).join("/")}`]);
      cache.set(abs, r.ok ? new Uint8Array(r.stdout) : undefined);
    }
    return cache.get(abs);
  };
  let pinned: Map<string, { size: number; sha256: string }> | undefined;
  const host: CompilerHost = {
    cwd: base.cwd,
    readFile,
    glob: (p) => base.glob(p),
    treeSchema: (f, t) => base.treeSchema(f, t),
    identity(abs) {
      const id = base.identity(abs);
      pinned ??= readLock(host, lockPathFor(analysisAbs)).inputs ?? new Map();
      const lock = pinned.get(path.relative(path.dirname(analysisAbs), abs).split(path.sep).join("/"));
      return id && lock && lock.size !== id.size ? { size: lock.size, mtimeMs: id.mtimeMs } : id;
    },
  };
  return host;
}

// ---- git's external diff -----------------------------------------------------------------------

/**
 * `git diff` with `diff.hepc.command 'hepc diff --git'` calls us with
 * `path old-file old-hex old-mode new-file new-hex new-mode`, from the top of the work tree. Each
 * side is compiled as if it were the file at `path` (so data and includes resolve from the work
 * tree). A side that does not compile (an included file on its own, an edit in progress) falls
 * back to a line diff, with a note: git stops at an external diff's non-zero exit.
 */
async function gitDriver(positionals: string[], io: CliIo, format: Format): Promise<number> {
  if (positionals.length !== 7) throw new UsageError(`--git expects git's 7 arguments: path old-file old-hex old-mode new-file new-hex new-mode`);
  const [file, oldFile, , , newFile] = positionals;
  const cwd = fs.realpathSync(io.cwd);
  const abs = path.resolve(cwd, file);
  const header = `diff --hepc a/${file} b/${file}\n`;
  if (oldFile === "/dev/null" || newFile === "/dev/null") {
    io.stdout(`${header}${oldFile === "/dev/null" ? "new" : "deleted"} file ${file}\n`);
    return EXIT_OK;
  }
  const host = nodeHost(cwd);
  const specs: SideSpec[] = [];
  for (const [which, f] of [["old", oldFile], ["new", newFile]] as const) {
    const text = fs.readFileSync(path.resolve(cwd, f), "utf8");
    specs.push({ label: `${which === "old" ? "a" : "b"}/${file}`, abs, host, overlay: new Map([[abs, text]]), which });
  }
  const sides: Side[] = [];
  for (const s of specs) {
    const c = await compilePlan(s.abs, s.host, { overlay: s.overlay! });
    const errors = c.diagnostics.filter((d) => d.severity === "error");
    if (errors.length || !c.plan) {
      const first = errors[0];
      io.stdout(`${header}hepc: the ${s.which} side does not compile (${errors.length} error${errors.length === 1 ? "" : "s"}${first ? `, first: ${first.code} ${first.message}` : ""}); line diff:\n`);
      const line = spawnSync("git", ["diff", "--no-index", "--no-ext-diff", "--", oldFile, newFile], { cwd });
      io.stdout(line.stdout?.toString("utf8") ?? "");
      return EXIT_OK;
    }
    sides.push({ compilation: c, plan: c.plan, label: s.label });
  }
  // The text starts with `hepc diff a/PATH → b/PATH`: git's own header line is not repeated.
  print(io, format, diffSides(sides[0], sides[1]));
  return EXIT_OK;
}
