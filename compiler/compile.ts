/**
 * The pipeline, written down in order: load (read + parse, includes) → check (names, types, inputs)
 * → plan. Each stage returns its value and diagnostics; a later stage runs on what an earlier one
 * could read, and skips what it could not. User errors never throw.
 */
import { Diagnostic, hasErrors, sortDiagnostics } from "./core/diagnostics.js";
import type { CompilerHost } from "./host.js";
import { check, CheckContext } from "./check/index.js";
import { loadProgram, Program } from "./load/program.js";
import type { Plan } from "../plan/types.js";
import { diagnostic } from "./core/diagnostics.js";
import { hepcVersion } from "./version.js";

export interface Compilation {
  program: Program;
  checked: CheckContext;
  diagnostics: Diagnostic[];
}

export interface CompileOptions {
  /** Unsaved editor buffers by absolute path: read instead of the file system. */
  overlay?: ReadonlyMap<string, string>;
  /** `--set NAME=VALUE`: parameter values replacing the declared ones (checked against their types). */
  params?: ReadonlyMap<string, string>;
}

export async function compile(rootPath: string, host: CompilerHost, options: CompileOptions = {}): Promise<Compilation> {
  const program = loadProgram(rootPath, host, options.overlay);
  let checked: CheckContext;
  try {
    checked = await check(program, host, options.params);
  } catch (e) {
    if (!isStackOverflow(e)) throw e;
    checked = new CheckContext(program);
    checked.diagnostics.push(tooDeep(program, "checking"));
  }
  const diagnostics = dedupe(sortDiagnostics([...program.diagnostics, ...checked.diagnostics]));
  return { program, checked, diagnostics };
}

/**
 * The stages recurse over the tree; pathological nesting (hundreds of levels) exhausts the stack.
 * That is a user's input, so it becomes a diagnostic, never a crash of the CLI or the server.
 */
function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

function tooDeep(program: Program, stage: string): Diagnostic {
  return diagnostic("HEP1010", program.files[0]?.path ?? "", { start: 0, end: 0 }, { what: `while ${stage}` });
}

/**
 * Compilation up to the plan. The plan exists only when there is no error; it is validated against
 * the schema (a failure is a compiler bug, reported as HEP5001 rather than thrown).
 */
export async function compilePlan(rootPath: string, host: CompilerHost, options: CompileOptions = {}): Promise<Compilation & { plan?: Plan }> {
  const c = await compile(rootPath, host, options);
  if (hasErrors(c.diagnostics)) return c;
  // Loaded here, not with the module: `hepc check` and the editor never plan, and the schema
  // validator (ajv) is a good part of a start-up.
  const [{ buildPlan }, { validatePlan }] = await Promise.all([import("./plan/build.js"), import("../plan/validate.js")]);
  let built: ReturnType<typeof buildPlan>;
  let valid: ReturnType<typeof validatePlan> | undefined;
  try {
    built = buildPlan(c.checked, host, { version: hepcVersion() });
    if (built.plan) valid = validatePlan(built.plan);
  } catch (e) {
    if (!isStackOverflow(e)) throw e;
    return { ...c, diagnostics: [...c.diagnostics, tooDeep(c.program, "planning")] };
  }
  const diagnostics = dedupe(sortDiagnostics([...c.diagnostics, ...built.diagnostics]));
  if (!built.plan || !valid || hasErrors(diagnostics)) return { ...c, diagnostics };
  if (!valid.ok) {
    diagnostics.push(diagnostic("HEP5001", c.program.files[0].path, { start: 0, end: 0 }, { detail: valid.errors.join("; ") }));
    return { ...c, diagnostics };
  }
  return { ...c, diagnostics, plan: built.plan };
}

/** The same code at the same place once: a name typed in two contexts reports once. */
function dedupe(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const key = `${d.file}:${d.span.start}:${d.span.end}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export { hasErrors };
