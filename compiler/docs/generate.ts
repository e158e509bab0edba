/**
 * The generated reference pages: docs/diagnostics.md from the diagnostics table
 * (compiler/core/diagnostics.ts) and docs/stdlib.md from the standard library table (stdlib/).
 * Pure functions of those tables, so test/docs.test.ts can render them in memory and fail when the
 * committed pages are stale. compiler/docs/main.ts writes them.
 */
import {
  BALANCE_MODES, BUILTINS, FUNCTIONS, HISTOGRAM_SPLITS, METRICS, MODEL_KINDS, ModelKind, ModelOptionSpec,
  ParamKind, Returns, REWEIGHT_MODES, SCALINGS, signatureText, StdFunction,
} from "../../stdlib/index.js";
import { DIAGNOSTICS, DiagnosticDef } from "../core/diagnostics.js";

/** The command that rewrites the generated pages; named in their headers and in the staleness test. */
export const REGENERATE_COMMAND = "npm run docs";
/** What `npm run docs` runs, for checkouts whose package.json does not have the script yet. */
export const REGENERATE_COMMAND_LONG = "npx tsc -p tsconfig.json && node dist/compiler/docs/main.js";

/** The generated pages, by path relative to the repository root. */
export function generatedDocs(): Record<string, string> {
  return {
    "docs/diagnostics.md": diagnosticsDoc(),
    "docs/stdlib.md": stdlibDoc(),
  };
}

function header(source: string): string {
  return `<!-- Generated from ${source} by compiler/docs/generate.ts. Do not edit: run \`${REGENERATE_COMMAND}\`. -->\n`;
}

// ---- Markdown helpers ------------------------------------------------------------------------

/** Inline code that survives backticks inside (`` a `b` c ``) and pipes inside tables. */
export function code(s: string, inTable = false): string {
  const runs = s.match(/`+/g) ?? [];
  const fence = "`".repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = s.startsWith("`") || s.endsWith("`") ? " " : "";
  const body = inTable ? s.replace(/\|/g, "\\|") : s;
  return `${fence}${pad}${body}${pad}${fence}`;
}

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n+/g, " ");
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
export function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n") + "\n";
}

// ---- docs/diagnostics.md -----------------------------------------------------------------------

/** Phases by the code's first digit. Every code's phase must be here. */
export const PHASES: Record<string, { title: string; about: string }> = {
  "1": { title: "Syntax", about: "Reading the text: characters, tokens and the grammar. Only the first syntax error of each declaration is reported." },
  "2": { title: "Names and inputs", about: "What names refer to, includes, and the samples' input files and trees (read for their metadata only)." },
  "3": { title: "Types", about: "Expression types: scalars, records, collections, function arguments and units." },
  "4": { title: "Analysis semantics", about: "Rules of the analysis blocks: samples, binnings, features, models, training, evaluation and outputs." },
  "5": { title: "Plan", about: "Turning a checked analysis into a run plan, and the lock file of its inputs." },
  "6": { title: "Runtime", about: "Running the plan." },
  "7": { title: "Scale-out", about: "Running the plan as tasks on a cluster (Slurm, HTCondor) or as local subprocesses: submission, scheduler states, work directories and task outputs." },
};

export function phaseOf(code: string): string {
  const digit = /^HEP(\d)\d{3}$/.exec(code)?.[1];
  if (!digit || !PHASES[digit]) throw new Error(`diagnostic code ${code} has no phase in compiler/docs/generate.ts PHASES`);
  return digit;
}

export function diagnosticsDoc(): string {
  const entries = Object.entries(DIAGNOSTICS as Record<string, DiagnosticDef>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const byPhase = new Map<string, Array<[string, DiagnosticDef]>>();
  for (const e of entries) {
    const p = phaseOf(e[0]);
    byPhase.set(p, [...(byPhase.get(p) ?? []), e]);
  }
  const phaseHeading = (p: string) => `${p}xxx ${PHASES[p].title}`;
  let out = header("compiler/core/diagnostics.ts");
  out += "\n# Diagnostics\n\n";
  out +=
    "Every problem hepc reports has a stable code (`HEP` and four digits), a severity and a one-line message. " +
    "Codes never change meaning, so they can be searched for and named in scripts. " +
    "The message templates below show the variable parts as `{placeholders}`; the CLI, the language server and this page read them from the same table.\n\n" +
    "An **error** makes `hepc check` exit with status 1 and stops the analysis from running; a **warning** does not.\n\n";
  out += "| Phase | Codes | About |\n| --- | --- | --- |\n";
  for (const [p, list] of byPhase) {
    out += `| [${phaseHeading(p)}](#${anchor(phaseHeading(p))}) | ${list.length} | ${cell(PHASES[p].about)} |\n`;
  }
  for (const [p, list] of byPhase) {
    out += `\n## ${phaseHeading(p)}\n\n${PHASES[p].about}\n\n`;
    out += table(["Code", "Severity", "Message"], list.map(([c, d]) => [`[${c}](#${anchor(c)})`, d.severity, code(d.message, true)]));
    for (const [c, d] of list) {
      out += `\n### ${c}\n\n`;
      out += `**${d.severity}** · ${code(d.message)}\n\n`;
      out += `${d.explanation.trim()}\n`;
    }
  }
  return out;
}

// ---- docs/stdlib.md ----------------------------------------------------------------------------

/** What each parameter kind accepts. Every kind a signature uses must be described here. */
export const PARAM_KIND_DOCS: Record<ParamKind, string> = {
  number: "an `int` or a `float`",
  int: "an `int`",
  bool: "a condition (`bool`)",
  p4: "an object with kinematics: an element of a collection with momentum branches, a pair, a record such as `MET`, or a four-vector built with `p4`, `ptetaphim` or `met`",
  collection: "a per-event list: a collection of objects (`jets`) or a list of values (`jets.pt`)",
  "list<number>": "a per-event list of numbers, e.g. `jets.pt`",
  "list<bool>": "a per-event list of conditions, e.g. `jets.pt > 50`",
  "per-element": "an expression evaluated once per element of the first argument; the element's fields are names in it and `this` is the element",
  size: "an `int` written as a number in the call (`3`), since the result's type depends on it",
  "p4-list": "a per-event list of objects with kinematics: a collection (`jets`), pairs or candidates",
  objects: "a per-event list of elements of one of the file's collections with kinematics (`GenJet`, an object such as `jets`, or such a list filtered with `where`): each has its `index`",
};

/** What each result kind gives. */
export const RETURNS_DOCS: Record<Returns, string> = {
  float: "a `float`",
  int: "an `int`",
  bool: "a condition (`bool`)",
  p4: "a four-vector (a record with `pt`, `eta`, `phi`, `mass`, `E`, `px`, `py`, `pz`)",
  "number-like": "an `int` when every number argument is an `int`, else a `float`",
  element: "one element of the first argument (missing when there is none)",
  "same-list": "the first argument's own type: a collection of the same objects",
  "list-element-number": "the first argument's element type: `int` for a list of ints, else `float`",
  pairs: "a collection of pairs, each with fields `first` and `second` and, when both are objects with kinematics, the kinematics of their sum",
  indices: "a `list<int>`, one per element of the first argument (missing where there is none)",
  tuples: "a collection of candidates of k elements, with fields `first`, `second`, `third`, … and, when the elements have kinematics, the kinematics of their sum",
};

const CATEGORY_TITLES: Record<StdFunction["category"], string> = {
  kinematics: "Kinematics",
  math: "Mathematics",
  logic: "Logic",
  reductions: "Reductions",
  collections: "Collections",
  combinatorics: "Combinatorics",
  constructors: "Four-vector constructors",
};
const CATEGORY_ORDER: StdFunction["category"][] = ["kinematics", "math", "logic", "reductions", "collections", "combinatorics", "constructors"];

function defaultText(o: ModelOptionSpec): string {
  const v = o.default;
  if (v === undefined) return "—";
  if (Array.isArray(v)) return code(`[${v.join(", ")}]`, true);
  if (o.type === "string") return code(JSON.stringify(v), true);
  return code(String(v), true);
}

function boundsText(o: ModelOptionSpec): string {
  if (o.values) return o.values.map((v) => code(v, true)).join(", ");
  // What compiler/check/rules/models.ts accepts for the types without bounds.
  if (o.type === "list<int>") return "one or more ints ≥ 1";
  if (o.type === "list<float>") return `one or more numbers in ${o.min ?? "-∞"} … ${o.max ?? "∞"}`;
  if (o.type === "list<name>") return "names";
  if (o.type === "bool") return "`true`, `false`";
  if (o.min !== undefined && o.max !== undefined) return `${o.min} … ${o.max}`;
  if (o.min !== undefined) return `≥ ${o.min}`;
  if (o.max !== undefined) return `≤ ${o.max}`;
  return "—";
}

function modelKindSection(m: ModelKind): string {
  let out = `\n### ${m.name}\n\n${m.summary}\n\n`;
  const arg = m.argument === "features" ? "the name of a `features` list" : m.argument === "expression" ? "a per-event number (an expression)" : "the path of an `.onnx` file, relative to the analysis file";
  out += `Written \`model NAME = ${m.name}(${m.argument === "features" ? "FEATURES" : m.argument === "expression" ? "EXPR" : '"PATH.onnx"'}) { OPTION VALUE ... }\`: the argument is ${arg}. `;
  out += m.trainable ? "Trained by a `train` block.\n\n" : "Not trained: it is evaluated as it is.\n\n";
  if (m.options.length === 0) return out + "No options.\n";
  out += table(
    ["Option", "Type", "Default", "Allowed", "Meaning"],
    m.options.map((o) => [code(o.name, true), code(o.type, true), defaultText(o), boundsText(o), cell(o.summary)]),
  );
  return out;
}

function functionSection(f: StdFunction): string {
  let out = `\n### ${f.name}\n\n`;
  out += "```text\n" + f.signatures.map((s) => signatureText(f.name, s)).join("\n") + "\n```\n\n";
  out += `${f.summary.trim()}\n`;
  if (f.doc.trim()) out += `\n${f.doc.trim()}\n`;
  const lifting = f.signatures.filter((s) => s.lifts);
  if (lifting.length) {
    const which = lifting.length === f.signatures.length ? "" : ` (the ${lifting.map((s) => `${s.params.length}-argument`).join(" and ")} form)`;
    out += `\nElementwise${which}: a list where a single value is expected gives a list of results.\n`;
  }
  out += `\nExamples:\n\n${f.examples.map((e) => `- ${code(e)}`).join("\n")}\n`;
  return out;
}

export function stdlibDoc(): string {
  for (const f of FUNCTIONS) {
    for (const s of f.signatures) {
      for (const p of s.params) if (!(p.kind in PARAM_KIND_DOCS)) throw new Error(`${f.name}: parameter kind '${p.kind}' has no entry in PARAM_KIND_DOCS`);
      if (!(s.returns in RETURNS_DOCS)) throw new Error(`${f.name}: result kind '${s.returns}' has no entry in RETURNS_DOCS`);
    }
    if (!CATEGORY_ORDER.includes(f.category)) throw new Error(`${f.name}: category '${f.category}' is not in CATEGORY_ORDER`);
  }
  const categories = CATEGORY_ORDER.filter((c) => FUNCTIONS.some((f) => f.category === c));
  let out = header("the standard library table (stdlib/)");
  out += "\n# Standard library\n\n";
  out +=
    "The functions, builtins, model kinds and words an analysis can use, as the checker, the language server and the runtime read them from `stdlib/`. " +
    "The language itself (declarations, expressions, types, lifting over lists) is described in [language.md](language.md).\n\n" +
    "Every example on this page is checked by `test/stdlib.test.ts`: it compiles as `define example = EXPR` in `test/fixtures/stdlib/analysis.hep`, " +
    "an analysis over the single-top tutorial files that defines the objects `muons`, `electrons`, `jets` and `bjets`.\n\n";
  out += "## Contents\n\n";
  for (const c of categories) {
    const fs = FUNCTIONS.filter((f) => f.category === c);
    out += `- [${CATEGORY_TITLES[c]}](#${anchor(CATEGORY_TITLES[c])}): ${fs.map((f) => `[${f.name}](#${anchor(f.name)})`).join(", ")}\n`;
  }
  out += "- [Builtins](#builtins)\n- [Model kinds](#model-kinds): " + MODEL_KINDS.map((m) => `[${m.name}](#${anchor(m.name)})`).join(", ") + "\n";
  out += "- [Other words](#other-words): scalings, metrics, balancing, reweighting, histogram splits\n";

  out += "\n## Reading a signature\n\n";
  out +=
    "A signature reads `name(parameter: kind, ...) -> result`. A function with several signatures is told apart by the number of arguments, then by their types. " +
    "Calling a function with another number of arguments is error [HEP3002](diagnostics.md#hep3002); an argument of the wrong kind is [HEP3003](diagnostics.md#hep3003).\n\n";
  out += table(["Parameter kind", "Accepts"], (Object.keys(PARAM_KIND_DOCS) as ParamKind[]).map((k) => [code(k, true), cell(PARAM_KIND_DOCS[k])]));
  out += "\n";
  out += table(["Result", "Gives"], (Object.keys(RETURNS_DOCS) as Returns[]).map((k) => [code(k, true), cell(RETURNS_DOCS[k])]));
  out +=
    "\nA function marked *elementwise* also accepts a list where a `number`, `bool` or `p4` is expected, and then gives one result per element: " +
    "`abs(jets.eta)` is a list of floats, `deltaR(muons[0], jets)` the distance of the leading muon to each jet. " +
    "Missing values (see [language.md](language.md#jagged-broadcasting-rules)) stay missing.\n";

  for (const c of categories) {
    out += `\n## ${CATEGORY_TITLES[c]}\n`;
    for (const f of FUNCTIONS.filter((x) => x.category === c)) out += functionSection(f);
  }

  out += "\n## Builtins\n\nPer-event values every tree has, whatever its branches. A branch or declaration of the same name takes precedence.\n\n";
  out += table(["Name", "Type", "Meaning"], BUILTINS.map((b) => [code(b.name, true), code(b.type, true), cell(b.summary)]));

  out += "\n## Model kinds\n\nThe kinds a `model` declaration can name, with their options. Options are typed and checked: an unknown option is [HEP4005](diagnostics.md#hep4005), a value of the wrong type or out of bounds [HEP4006](diagnostics.md#hep4006).\n";
  for (const m of MODEL_KINDS) out += modelKindSection(m);

  out += "\n## Other words\n\nThe closed sets of words some clauses take (see [language.md](language.md) for where they go).\n\n";
  const words = (xs: readonly string[]) => xs.map((x) => code(x, true)).join(", ");
  out += table(
    ["Where", "Words"],
    [
      ["feature scaling", words(SCALINGS)],
      ["`evaluate` … `metrics`", words(METRICS)],
      ["`train` … `balance`", words(BALANCE_MODES)],
      ["`train` … `reweight`", words(REWEIGHT_MODES)],
      ["`histogram` … `by`", words(HISTOGRAM_SPLITS)],
    ],
  );
  return out;
}
